// A tiny WebAssembly binary encoder, enough to write valid and deliberately
// broken coop firmware modules byte by byte: the hand-made hostile modules
// (host/fuzz/cases.ts), the structure-aware generator and the mutator
// (host/fuzz/gen.ts) all build on it. No dependency: binaryen would refuse
// or "fix" most of what we want to write.
import { ABI_EXPORTS, ABI_IMPORTS, ABI_VERSION } from "../abi.js";

export type Bytes = number[];

export function u32(n: number): Bytes {
  const out: Bytes = [];
  let v = n >>> 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

/** Signed LEB128 of a 64-bit value (also right for i32 immediates). */
export function sleb(n: bigint | number): Bytes {
  let v = BigInt(n);
  const out: Bytes = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

export function str(s: string): Bytes {
  const b = [...Buffer.from(s, "utf8")];
  return [...u32(b.length), ...b];
}

export function vec(items: Bytes[]): Bytes {
  return [...u32(items.length), ...items.flat()];
}

export function section(id: number, payload: Bytes): Bytes {
  return [id, ...u32(payload.length), ...payload];
}

/** out.push(...b) without the argument-count limit (a 50 000-deep nest is 100 000 bytes). */
function add(out: Bytes, b: Bytes): void {
  for (const x of b) out.push(x);
}

export const HEADER: Bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

const VT: Record<string, number> = { i: 0x7f, I: 0x7e, f: 0x7d, F: 0x7c };

/** A function type from wasm3 notation: "i(iI)". */
export function functype(sig: string): Bytes {
  const params = sig.slice(2, -1).split("").filter(Boolean).map((c) => VT[c]);
  const res = sig[0] === "v" ? [] : [VT[sig[0]]];
  return [0x60, ...u32(params.length), ...params, ...u32(res.length), ...res];
}

/** The ABI's signatures (boards/abi/abi.json): generated modules export and import exactly these unless a case says otherwise. */
export const ABI_EXPORT_SIGS: Readonly<Record<string, string>> = ABI_EXPORTS;
export const ABI_IMPORT_SIGS: Readonly<Record<string, string>> = ABI_IMPORTS;

/** Default body of an ABI export: returns something harmless of its type. */
function defaultBody(name: string, sig: string): Bytes {
  if (name === "coop_abi_version") return [0x41, ...sleb(ABI_VERSION)];
  if (name === "coop_current_task") return [0x41, ...sleb(-1)];
  if (name === "coop_step") return [0x42, ...sleb(-1)];
  const r = sig[0];
  if (r === "i") return [0x41, 0x00];
  if (r === "I") return [0x42, 0x00];
  if (r === "f") return [0x43, 0, 0, 0, 0];
  if (r === "F") return [0x44, 0, 0, 0, 0, 0, 0, 0, 0];
  return [];
}

export interface Func {
  sig: string;
  /** Instructions without the final `end`. */
  body: Bytes;
  /** Local declarations as [count, valtype] groups. */
  locals?: [number, number][];
  /** Export name, if exported. */
  export?: string;
}

export interface ModuleSpec {
  imports?: { module: string; field: string; sig: string }[];
  /** Imported globals, after the function imports: value type byte (0x7f i32) and mutability (1 mutable). */
  importGlobals?: { module: string; field: string; type: number; mut: number }[];
  /** Functions beyond the ABI exports (indices follow the imports, then the ABI exports in order). */
  funcs?: Func[];
  /** Replace an ABI export's signature / body, or drop it (null). */
  exportSig?: Record<string, string>;
  exportBody?: Record<string, Bytes>;
  dropExport?: string[];
  memory?: { min: number; max?: number; flag?: number } | null;
  exportMemory?: boolean;
  table?: { min: number; max?: number } | null;
  globals?: Bytes[];
  data?: { offset: Bytes; bytes: Bytes | number; flags?: number }[];
  elements?: Bytes[];
  start?: number;
  /** Custom sections: [name, payload], placed at the end unless `customFirst`. */
  custom?: [string, Bytes][];
  customFirst?: boolean;
  /** Raw sections appended (already encoded, id and size included). */
  raw?: Bytes;
}

/** A coop ABI v1 module (valid by default) from a spec. */
export function buildModule(spec: ModuleSpec = {}): Uint8Array {
  const imports = spec.imports ?? [{ module: "board", field: "uart_write", sig: "i(iii)" }];
  const exportFuncs: Func[] = Object.entries(ABI_EXPORT_SIGS)
    .filter(([n]) => !(spec.dropExport ?? []).includes(n))
    .map(([n, sig]) => {
      const s = spec.exportSig?.[n] ?? sig;
      return { sig: s, body: spec.exportBody?.[n] ?? defaultBody(n, s), export: n };
    });
  const funcs = [...exportFuncs, ...(spec.funcs ?? [])];
  const sigs: string[] = [];
  const typeOf = (s: string) => {
    let i = sigs.indexOf(s);
    if (i < 0) i = sigs.push(s) - 1;
    return i;
  };
  for (const i of imports) typeOf(i.sig);
  for (const f of funcs) typeOf(f.sig);
  const out: Bytes = [...HEADER];
  const customs = spec.custom ?? [];
  const putCustom = () => { for (const [n, p] of customs) add(out, section(0, [...str(n), ...p])); };
  if (spec.customFirst) putCustom();
  add(out, section(1, vec(sigs.map(functype))));
  const globalImports = (spec.importGlobals ?? []).map((g) => [...str(g.module), ...str(g.field), 0x03, g.type, g.mut]);
  if (imports.length || globalImports.length)
    add(out, section(2, vec([...imports.map((i) => [...str(i.module), ...str(i.field), 0x00, ...u32(typeOf(i.sig))]), ...globalImports])));
  add(out, section(3, vec(funcs.map((f) => u32(typeOf(f.sig))))));
  if (spec.table) add(out, section(4, vec([[0x70, spec.table.max === undefined ? 0 : 1, ...u32(spec.table.min), ...(spec.table.max === undefined ? [] : u32(spec.table.max))]])));
  const mem = spec.memory === undefined ? { min: 1 } : spec.memory;
  if (mem) {
    const flag = mem.flag ?? (mem.max === undefined ? 0 : 1);
    add(out, section(5, vec([[flag, ...u32(mem.min), ...(mem.max === undefined ? [] : u32(mem.max))]])));
  }
  if (spec.globals?.length) add(out, section(6, vec(spec.globals)));
  const exps: Bytes[] = [];
  if (mem && spec.exportMemory !== false) exps.push([...str("memory"), 0x02, 0x00]);
  funcs.forEach((f, i) => { if (f.export) exps.push([...str(f.export), 0x00, ...u32(imports.length + i)]); });
  add(out, section(7, vec(exps)));
  if (spec.start !== undefined) add(out, section(8, u32(spec.start)));
  if (spec.elements?.length) add(out, section(9, vec(spec.elements)));
  add(out, section(10, vec(funcs.map((f) => {
    const locals = vec((f.locals ?? []).map(([n, t]) => [...u32(n), t]));
    const body = [...locals, ...f.body, 0x0b];
    return [...u32(body.length), ...body];
  }))));
  if (spec.data?.length) {
    add(out, section(11, vec(spec.data.map((d) => {
      const bytes = typeof d.bytes === "number" ? new Array<number>(d.bytes).fill(0x55) : d.bytes;
      return [...u32(d.flags ?? 0), ...d.offset, ...u32(bytes.length), ...bytes];
    }))));
  }
  if (spec.raw) add(out, spec.raw);
  if (!spec.customFirst) putCustom();
  return Uint8Array.from(out);
}

/** `i32.const v; end` as a segment offset. */
export const i32Offset = (v: number): Bytes => [0x41, ...sleb(v | 0), 0x0b];

/** n nested `block`s (empty type) around `inner`. */
export function nest(n: number, inner: Bytes = [], op = 0x02): Bytes {
  const out: Bytes = [];
  for (let i = 0; i < n; i++) out.push(op, 0x40);
  add(out, inner);
  for (let i = 0; i < n; i++) out.push(0x0b);
  return out;
}
