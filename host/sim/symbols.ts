// Names a trap's code for the simulator's fault line: the AssemblyScript
// function (from the module's name section) and, when the build wrote a
// source map, the file:line:col. Engines report where they trapped in the
// module they ran, which is the fuel-instrumented rewrite (host/sim/fuel.ts),
// not the user's file: its function indices are shifted by the imports the
// rewrite swaps, and its byte offsets by the calls it inserts. So the
// function is found by position among the defined functions (the rewrite
// keeps their order and appends its own), and the offset by walking both
// bodies instruction by instruction, skipping the inserted fuel calls (and
// the blocks binaryen's re-encoding folds).

import type { TrapFrame } from "../engine.js";

interface ModuleLayout {
  imports: number;
  /** Per defined function: first instruction byte (after the locals) and end of the body. */
  bodies: { code: number; end: number }[];
  names: Map<number, string>;
  /** The sourceMappingURL custom section (asc writes it with --sourceMap), or null. */
  sourceMapUrl: string | null;
}

class Reader {
  constructor(readonly b: Uint8Array, public pos = 0) {}
  u32(): number {
    let v = 0, shift = 0, byte: number;
    do {
      byte = this.b[this.pos++];
      v += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80 && this.pos < this.b.length);
    return v;
  }
  skipLeb(): void {
    while (this.pos < this.b.length && this.b[this.pos++] & 0x80);
  }
  name(): string {
    const n = this.u32();
    const s = new TextDecoder().decode(this.b.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
}

/**
 * Sections the lookup needs. Also read before the module gate has run (the
 * source map's URL, by the CLI), so every loop stops at the end of the bytes
 * and of its section, whatever sizes and counts the module claims.
 */
function layout(b: Uint8Array): ModuleLayout {
  const r = new Reader(b, 8);
  const out: ModuleLayout = { imports: 0, bodies: [], names: new Map(), sourceMapUrl: null };
  while (r.pos < b.length) {
    const id = b[r.pos++];
    const size = r.u32();
    const end = Math.min(r.pos + size, b.length);
    if (id === 2) {
      const n = r.u32();
      for (let i = 0; i < n && r.pos < end; i++) {
        r.name();
        r.name();
        const kind = b[r.pos++];
        if (kind === 0) { out.imports++; r.u32(); }
        else if (kind === 1) { r.pos++; const f = b[r.pos++]; r.u32(); if (f & 1) r.u32(); }
        else if (kind === 2) { const f = b[r.pos++]; r.u32(); if (f & 1) r.u32(); }
        else { r.pos += 2; }
      }
    } else if (id === 10) {
      const n = r.u32();
      for (let i = 0; i < n && r.pos < end; i++) {
        const len = r.u32();
        const bodyEnd = r.pos + len;
        const groups = r.u32();
        for (let g = 0; g < groups && r.pos < bodyEnd; g++) { r.u32(); r.pos++; }
        out.bodies.push({ code: r.pos, end: bodyEnd });
        r.pos = bodyEnd;
      }
    } else if (id === 0) {
      const section = r.name();
      if (section === "sourceMappingURL") out.sourceMapUrl = r.name();
      while (section === "name" && r.pos < end) {
        const sub = b[r.pos++];
        const subEnd = Math.min(r.u32() + r.pos, end);
        if (sub === 1) {
          const n = r.u32();
          for (let i = 0; i < n && r.pos < subEnd; i++) {
            const idx = r.u32();
            out.names.set(idx, r.name());
          }
        }
        r.pos = subEnd;
      }
    }
    r.pos = end;
  }
  return out;
}

/** Steps over one instruction at r.pos; returns its opcode (0xfcNN for prefixed ones), or -1 for one it cannot decode. */
function step(r: Reader): number {
  const op = r.b[r.pos++];
  switch (op) {
    case 0x02: case 0x03: case 0x04: r.skipLeb(); break; // block type (s33)
    case 0x0c: case 0x0d: case 0x10: case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26: case 0xd2:
      r.u32(); break;
    case 0x0e: { const n = r.u32(); for (let i = 0; i <= n; i++) r.u32(); break; }
    case 0x11: r.u32(); r.u32(); break;
    case 0x1c: { const n = r.u32(); r.pos += n; break; }
    case 0x3f: case 0x40: case 0xd0: r.pos++; break;
    case 0x41: case 0x42: r.skipLeb(); break;
    case 0x43: r.pos += 4; break;
    case 0x44: r.pos += 8; break;
    case 0xfc: {
      const sub = r.u32();
      if (sub === 8 || sub === 12 || sub === 14) { r.u32(); r.u32(); }
      else if (sub === 9 || sub === 13 || (sub >= 15 && sub <= 17)) r.u32();
      else if (sub === 10) r.pos += 2;
      else if (sub === 11) r.pos += 1;
      else if (sub > 7) return -1;
      return 0xfc00 | sub;
    }
    default:
      if (op >= 0x28 && op <= 0x3e) { r.u32(); r.u32(); }
      else if (op > 0xd2 || (op > 0xc4 && op < 0xd0)) return -1;
  }
  return op;
}

/** The function the fuel rewrite calls at every function entry and loop header: the call after the first i32.const of a body. */
function fuelCall(b: Uint8Array, bodies: ModuleLayout["bodies"]): number {
  for (const body of bodies) {
    const r = new Reader(b, body.code);
    if (step(r) !== 0x41) continue;
    const at = r.pos;
    if (step(r) === 0x10) return new Reader(b, at + 1).u32();
  }
  return -1;
}

/**
 * The offset in the original body that matches `offset` in the rewritten one,
 * or null when the two bodies do not line up instruction for instruction
 * (then no source line is claimed).
 */
function alignOffset(orig: Uint8Array, o: { code: number; end: number }, ran: Uint8Array, n: { code: number; end: number }, offset: number, fuel: number): number | null {
  const a = new Reader(orig, o.code), b = new Reader(ran, n.code);
  while (b.pos < n.end && a.pos < o.end) {
    // An inserted fuel call: i32.const id; call fuel.
    if (ran[b.pos] === 0x41) {
      const probe = new Reader(ran, b.pos);
      step(probe);
      if (ran[probe.pos] === 0x10 && new Reader(ran, probe.pos + 1).u32() === fuel) {
        step(probe);
        if (offset >= b.pos && offset < probe.pos) return null; // inside the inserted call: not user code
        b.pos = probe.pos;
        continue;
      }
    }
    if (b.pos >= offset) return b.pos === offset ? a.pos : null;
    const at = a.pos, bt = b.pos;
    const oa = step(a), ob = step(b);
    if (oa < 0 || ob < 0) return null;
    if (oa !== ob) {
      // binaryen's re-encoding folds some nested blocks: a `block` or its `end`
      // on one side only is skipped; any other difference gives up.
      if (oa === 0x02 || oa === 0x0b) b.pos = bt;
      else if (ob === 0x02 || ob === 0x0b) a.pos = at;
      else return null;
      continue;
    }
    if (b.pos > offset) return at; // the trap is inside this instruction's immediates (not expected)
  }
  return null;
}

/** Source map (v3) of a wasm module: byte offsets (columns of line 1) to source positions. */
class WasmSourceMap {
  private readonly offsets: number[] = [];
  private readonly where: string[] = [];
  constructor(json: string) {
    const m = JSON.parse(json) as { sources?: string[]; mappings?: string };
    const sources = Array.isArray(m.sources) ? m.sources : [];
    const text = typeof m.mappings === "string" ? m.mappings.split(";")[0] : "";
    const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let col = 0, src = 0, line = 0, scol = 0;
    for (const seg of text.split(",")) {
      const f: number[] = [];
      let v = 0, shift = 0;
      for (const ch of seg) {
        const d = B64.indexOf(ch);
        if (d < 0) return; // not a source map this reader understands: no lines
        v += (d & 31) << shift;
        if (d & 32) { shift += 5; continue; }
        f.push(v & 1 ? -(v >>> 1) : v >>> 1);
        v = 0;
        shift = 0;
      }
      if (!f.length) continue;
      col += f[0];
      if (f.length < 4) continue;
      src += f[1];
      line += f[2];
      scol += f[3];
      this.offsets.push(col);
      this.where.push(`${sources[src] ?? "?"}:${line + 1}:${scol + 1}`);
    }
  }
  /** The position of the last mapping at or before `offset`, or null. */
  at(offset: number): string | null {
    let lo = 0, hi = this.offsets.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.offsets[mid] <= offset) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found < 0 ? null : this.where[found];
  }
}

/** Where the module says its source map is (relative to the module's file), or null. */
export function sourceMapUrl(wasm: Uint8Array): string | null {
  try {
    return layout(wasm).sourceMapUrl;
  } catch {
    return null;
  }
}

/** "boards/x/traps/Trapper#poll" -> "traps/Trapper#poll": the file's base name and the member, as asc names functions. */
export function shortFunctionName(name: string): string {
  const head = name.split(/[<#@]/)[0];
  const last = head.lastIndexOf("/");
  const cut = last > 0 ? head.lastIndexOf("/", last - 1) : -1;
  return cut >= 0 ? name.slice(cut + 1) : name;
}

/** The code of one firmware, to name the place of a trap. */
export class TrapSymbols {
  private readonly orig: ModuleLayout;
  private readonly map: WasmSourceMap | null;
  private ranLayout: { layout: ModuleLayout; fuel: number } | null = null;
  /** `original`: the module as built; `ran`: the module the engine ran (the same bytes, or a rewrite); `sourceMap`: the build's .wasm.map text. */
  constructor(private readonly original: Uint8Array, private readonly ran: Uint8Array, sourceMap: string | null) {
    this.orig = layout(original);
    let map: WasmSourceMap | null = null;
    if (sourceMap !== null) {
      try { map = new WasmSourceMap(sourceMap); } catch { map = null; /* unreadable map: names only */ }
    }
    this.map = map;
  }

  /**
   * ` at file.ts:L:C (file/Class#method, called from coop_step)`, or
   * ` (in file/Class#method, called from coop_step)` without a source map,
   * ` (in function #N, ...)` without a name section; "" when the frame is not
   * in a function of the original module.
   */
  describe(frame: TrapFrame, calledFrom: string): string {
    let index = frame.func, offset: number | null = frame.offset;
    if (this.ran !== this.original) {
      if (!this.ranLayout) {
        const l = layout(this.ran);
        this.ranLayout = { layout: l, fuel: fuelCall(this.ran, l.bodies) };
      }
      const { layout: r, fuel } = this.ranLayout;
      const d = frame.func - r.imports;
      if (d < 0 || d >= this.orig.bodies.length) return "";
      index = d + this.orig.imports;
      offset = offset === null ? null : alignOffset(this.original, this.orig.bodies[d], this.ran, r.bodies[d], offset, fuel);
    } else if (index < this.orig.imports || index - this.orig.imports >= this.orig.bodies.length) return "";
    const name = this.orig.names.get(index);
    const fn = name !== undefined ? shortFunctionName(name) : `function #${index}`;
    const src = this.map && offset !== null ? this.map.at(offset) : null;
    return src ? ` at ${src} (${fn}, called from ${calledFrom})` : ` (in ${fn}, called from ${calledFrom})`;
  }
}
