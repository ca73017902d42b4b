// Test-case makers for the fuzz harness (host/fuzz/run.ts), seeded and
// deterministic: a case is a recipe string that rebuilds the same bytes
// anywhere, so a failure is a one-line regression entry
// (host/fuzz/regressions.json).
//
//   gen:<seed>               structure-aware: a coop ABI module with random
//                            nesting, segments, memory, locals, signatures,
//                            name sections, start functions, runtime memory
//                            traffic; a third get one byte-level mutation
//   mut:<base>:<seed>        1-4 byte-level mutations of build/<base>.wasm
//                            (bit flips, interesting bytes, LEB rewrites,
//                            insertions, deletions, chunk copies)

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildModule, i32Offset, nest, sleb, str, u32, ABI_IMPORT_SIGS, type Bytes, type ModuleSpec } from "./wasm.js";

/** xorshift32: small, seeded, the same sequence everywhere. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = (seed >>> 0) || 0x9e3779b9;
    for (let i = 0; i < 4; i++) this.next();
  }
  next(): number {
    let x = this.s;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.s = x;
    return x;
  }
  int(n: number): number {
    return this.next() % n;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
  chance(p: number): boolean {
    return this.next() / 4294967296 < p;
  }
}

const NEST = [0, 0, 1, 5, 24, 63, 64, 65, 100, 1000, 5000];
const OFFSETS = [0, 16, 1024, 65535, 65536 - 4, 65536, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff];
const SIZES = [0, 1, 4, 16, 100, 1000];
const PAGES = [0, 1, 1, 1, 2, 16, 256, 257, 65535, 65536, 0xffffffff];
const LOCALS = [0, 1, 8, 255, 256, 257, 0x7fffffff, 0xffffffff];
const I32S = [0, 1, -1, 2, 16, 4096, 65535, 65536, 0x7fffffff, -0x80000000, -2, -16];

/** A few instructions with memory traffic and arithmetic that engines must agree on (stack-neutral). */
function runtimeOps(r: Rng): Bytes {
  const out: Bytes = [];
  const n = r.int(6);
  for (let i = 0; i < n; i++) {
    switch (r.int(7)) {
      case 0: out.push(0x41, ...sleb(r.pick(I32S)), 0x40, 0x00, 0x1a); break; // drop(memory.grow(x))
      case 1: out.push(0x41, ...sleb(r.pick(I32S)), 0x28, 0x02, ...u32(r.pick([0, 4, 65532, 65536])), 0x1a); break; // drop(i32.load)
      case 2: out.push(0x41, ...sleb(r.pick(I32S)), 0x41, ...sleb(r.pick(I32S)), 0x36, 0x02, 0x00); break; // i32.store
      case 3: out.push(0x41, ...sleb(r.pick(I32S)), 0x41, 0x2a, 0x41, ...sleb(r.pick(I32S)), 0xfc, 0x0b, 0x00); break; // memory.fill
      case 4: out.push(0x41, ...sleb(r.pick(I32S)), 0x41, ...sleb(r.pick(I32S)), 0x41, ...sleb(r.pick(I32S)), 0xfc, 0x0a, 0x00, 0x00); break; // memory.copy
      case 5: out.push(0x41, ...sleb(r.pick(I32S)), 0x41, ...sleb(r.pick(I32S)), r.pick([0x6d, 0x6e, 0x6f, 0x70]), 0x1a); break; // div/rem: traps
      default: out.push(0x3f, 0x00, 0x1a); // drop(memory.size)
    }
  }
  return out;
}

export function generate(seed: number): Uint8Array {
  const r = new Rng(seed);
  const spec: ModuleSpec = {};
  // imports: usually right, sometimes a wrong signature, a foreign module or an unknown name
  const names = Object.keys(ABI_IMPORT_SIGS);
  const imports = Array.from({ length: 1 + r.int(4) }, () => {
    const f = r.pick(names);
    return { module: "board", field: f, sig: ABI_IMPORT_SIGS[f] };
  }).filter((v, i, a) => a.findIndex((w) => w.field === v.field) === i);
  if (r.chance(0.06)) imports[0].sig = r.pick(["i()", "v(i)", "I(I)", "i(iiii)"]);
  if (r.chance(0.04)) imports.push({ module: r.pick(["env", "wasi_snapshot_preview1", "board"]), field: r.pick(["abort", "fd_write", "teleport"]), sig: "v(i)" });
  spec.imports = imports;
  if (r.chance(0.06)) spec.exportSig = { [r.pick(["coop_step", "_start", "coop_stat", "coop_abi_version"])]: r.pick(["i()", "v()", "I(I)", "v(ii)"]) };
  if (r.chance(0.04)) spec.dropExport = [r.pick(["coop_step", "coop_irq_kept", "_start"])];
  if (r.chance(0.03)) spec.exportMemory = false;
  if (r.chance(0.04)) spec.start = r.int(13);
  // memory
  const min = r.chance(0.9) ? 1 : r.pick(PAGES);
  spec.memory = r.chance(0.02) ? null : { min, max: r.chance(0.15) ? r.pick([min, min + 1, min - 1, 65536, 65537]) : undefined, flag: r.chance(0.02) ? r.pick([2, 3, 4]) : undefined };
  // coop_step: nesting around the gate's limit, runtime memory traffic, a deadline after every
  // run's end (a deadline <= now that never moves is the simulator's liveness bug, issue 11's host
  // half; host/fuzz/regressions.json keeps that case as pending)
  const depth = r.chance(0.88) ? r.pick(NEST.slice(0, 7)) : r.pick(NEST.slice(7)); // mostly within the limit, often right at it
  const op = r.pick([0x02, 0x03, 0x02]);
  const inner = runtimeOps(r);
  // Near-valid for the type checker: structurally fine (the gate passes it), but a few random
  // numeric opcodes (0x45..0xc4, no immediates) or a stray drop/select usually break the operand
  // stack's types, which V8 refuses and wasm3's compiler must refuse without crashing.
  if (r.chance(0.2)) for (let k = 1 + r.int(3); k > 0; k--) inner.push(r.chance(0.8) ? 0x45 + r.int(0xc5 - 0x45) : r.pick([0x1a, 0x1b, 0x0f, 0x00]));
  spec.exportBody = { coop_step: [...nest(depth, inner, op), 0x42, ...sleb(r.pick([-1, 1_000_000]))] };
  if (r.chance(0.3)) spec.exportBody._start = runtimeOps(r);
  // more functions: locals counts near the limit, br_tables
  const funcs = [];
  if (r.chance(0.3)) funcs.push({ sig: "v()", body: [], locals: [[r.chance(0.6) ? r.int(200) : r.pick(LOCALS), 0x7f], ...(r.chance(0.3) ? [[r.pick(LOCALS), 0x7e] as [number, number]] : [])] as [number, number][] });
  if (r.chance(0.15)) {
    const n = r.pick([0, 3, 1024, 1025, 5000]);
    funcs.push({ sig: "v()", body: [0x02, 0x40, 0x41, 0x00, 0x0e, ...u32(n), ...new Array(n + 1).fill(0), 0x0b] });
  }
  spec.funcs = funcs;
  // data segments
  if (r.chance(0.5)) {
    spec.data = Array.from({ length: 1 + r.int(3) }, () => ({ offset: i32Offset(r.chance(0.9) ? r.int(65000) : r.pick(OFFSETS)), bytes: r.pick(SIZES), flags: r.chance(0.03) ? 1 : undefined }));
  }
  // a name section, sometimes with a wrapped or wrong subsection size
  if (r.chance(0.3)) {
    const entries = [...u32(2), ...u32(1), ...str("start"), ...u32(3), ...str(r.pick(["step", "x\u0000y", "\u00e9t\u00e9"]))];
    const size = r.chance(0.7) ? entries.length : r.pick([entries.length + 1, entries.length - 1, 0xfffffff0, 0xffffffff]);
    spec.custom = [["name", [0x01, ...u32(size), ...entries]]];
  }
  if (r.chance(0.1)) spec.custom = [...(spec.custom ?? []), [r.pick(["sourceMappingURL", "producers", ""]), [1, 2, 3]]];
  spec.customFirst = r.chance(0.1);
  if (r.chance(0.05)) spec.table = { min: r.pick([0, 1, 4096, 4097]) };
  let bytes = buildModule(spec);
  if (r.chance(0.25)) bytes = mutateBytes(bytes, r, 1);
  return bytes;
}

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x40, 0x0b, 0x41];

function mutateBytes(src: Uint8Array, r: Rng, n: number): Uint8Array {
  let b = Array.from(src);
  for (let k = 0; k < n; k++) {
    if (b.length < 9) break;
    const at = 8 + r.int(b.length - 8);
    switch (r.int(7)) {
      case 0: b[at] ^= 1 << r.int(8); break;
      case 1: b[at] = r.pick(INTERESTING); break;
      case 2: b.splice(at, 0, r.int(256)); break;
      case 3: b.splice(at, 1 + r.int(4)); break;
      case 4: b.splice(at, 1, ...r.pick([[0xff, 0xff, 0xff, 0xff, 0x0f], [0xf0, 0xff, 0xff, 0xff, 0x0f], [0x80, 0x80, 0x80, 0x80, 0x00], [0x80, 0x80, 0x04]])); break; // LEB near 2^32 / overlong
      case 5: { const len = 1 + r.int(16); const from = 8 + r.int(b.length - 8); b.splice(at, 0, ...b.slice(from, from + len)); break; }
      default: b[at] = (b[at] + (r.chance(0.5) ? 1 : 255)) & 0xff;
    }
  }
  if (b.length > 1_100_000) b = b.slice(0, 1_100_000);
  return Uint8Array.from(b);
}

const bases = new Map<string, Uint8Array>();

/** build/<base>.wasm mutated 1-4 times. */
export function mutate(root: string, base: string, seed: number): Uint8Array {
  let src = bases.get(base);
  if (!src) {
    src = new Uint8Array(readFileSync(join(root, "build", `${base}.wasm`)));
    bases.set(base, src);
  }
  const r = new Rng(seed);
  return mutateBytes(src, r, 1 + r.int(4));
}

/** The bytes of a recipe ("gen:<seed>", "mut:<base>:<seed>"). */
export function fromRecipe(root: string, recipe: string): Uint8Array {
  const p = recipe.split(":");
  if (p[0] === "gen" && p.length === 2) return generate(Number(p[1]));
  if (p[0] === "mut" && p.length === 3) return mutate(root, p[1], Number(p[2]));
  throw new Error(`bad fuzz recipe ${recipe}`);
}

/** The i-th recipe of a campaign with this seed: alternately generated, mutated demo, generated, mutated blinky. */
export function recipe(seed: number, i: number): string {
  const s = ((seed * 1_000_003) ^ (i * 2_654_435_761)) >>> 0;
  switch (i % 4) {
    case 0: case 2: return `gen:${s}`;
    case 1: return `mut:demo:${s}`;
    default: return `mut:blinky:${s}`;
  }
}
