// The module gate: structural validation of a firmware .wasm in front of
// every engine, before any engine parses it. The same rules, in the same
// order, with the same one-line wording, are implemented in C in
// boards/wasm3/coop_gate.c (native runner, wasm3 addon, MCU firmware);
// tests/host/gate.test.ts runs both on a shared table of modules and compares
// the verdicts word for word. The limits come from boards/wasm3/gate.json and
// the ABI signatures from boards/abi/abi.json, the definitions both languages read.
//
// What it checks (docs/engines.md, The module gate): header; section ids,
// order, sizes and exact contents; every LEB128 (5 bytes at most for 32 bits,
// no stray bits); counts of types, imports, functions, globals, exports,
// segments, custom sections against the limits; names are UTF-8; imports are
// board.* functions with the ABI signatures; one table (funcref), one memory
// with a sane initial size; no start function; element and data segments are
// active, with i32.const offsets, inside the table / initial memory / the
// memory cap (64-bit sums); every function body: locals, opcodes (the MVP,
// sign extension, saturating truncation, memory.copy/fill: what wasm3 0.5.0
// and AssemblyScript's defaults share), immediates, branch depths, indices,
// block nesting depth; the name section's subsections; the ABI exports and
// their signatures. It does not type-check the operand stack (V8 does that
// right after; wasm3 checks what it compiles).
//
// No recursion and no allocation proportional to the nesting depth: a
// 50 000-deep nest costs one counter.

import { readPackageJson } from "../package-file.js";
import { ABI_IMPORTS, ABI_IMPORT_GLOBALS, ABI_EXPORTS, ABI_OPTIONAL_EXPORTS } from "../abi.js";

export interface GateLimits {
  max_module_bytes: number;
  max_types: number;
  max_params: number;
  max_results: number;
  max_imports: number;
  max_functions: number;
  max_table_elements: number;
  max_initial_pages: number;
  max_globals: number;
  max_exports: number;
  max_element_segments: number;
  max_data_segments: number;
  max_custom_sections: number;
  max_name_bytes: number;
  max_function_bytes: number;
  max_locals: number;
  max_nesting: number;
  max_br_table: number;
}

interface GateSpec {
  limits: GateLimits;
}

const SPEC = readPackageJson("boards/wasm3/gate.json") as GateSpec;
export const GATE_LIMITS: Readonly<GateLimits> = SPEC.limits;
/**
 * The signatures the gate checks: board imports, required function exports
 * (`memory` is required too), and the optional exports a board may read (not
 * checked by the gate; the simulator reads them so that a failing or mistyped
 * one says nothing rather than faulting). From boards/abi/abi.json.
 */
export { ABI_IMPORTS, ABI_IMPORT_GLOBALS, ABI_EXPORTS, ABI_OPTIONAL_EXPORTS };

export interface GateOptions {
  /** Linear memory cap in bytes (an MCU's RAM); data segments must end below it. 0 or absent: none. */
  memoryLimit?: number;
  /** Other limits (tests only); default GATE_LIMITS. */
  limits?: GateLimits;
}

/** Figures of an accepted module (for choosing the limits; `gate --stats`). */
export interface GateStats {
  bytes: number;
  types: number;
  imports: number;
  functions: number;
  globals: number;
  exports: number;
  dataSegments: number;
  customSections: number;
  initialPages: number;
  tableElements: number;
  maxNesting: number;
  maxLocals: number;
  maxFunctionBytes: number;
  maxBrTable: number;
  maxNameBytes: number;
}

export type GateVerdict = { ok: true; stats: GateStats } | { ok: false; rule: string };

class Refusal {
  constructor(readonly rule: string) {}
}

const SECTION_NAMES = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "data count"];
/** Position of each section id in the required order (data count sits between element and code). */
const SECTION_RANK = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10];
const KIND_NAMES = ["function", "table", "memory", "global"];

// Opcode classes (the C gate has the same table).
const OP_BAD = 0, OP_NONE = 1, OP_BLOCK = 2, OP_ELSE = 3, OP_END = 4, OP_BR = 5, OP_BR_TABLE = 6, OP_CALL = 7,
  OP_CALL_INDIRECT = 8, OP_LOCAL = 9, OP_GLOBAL = 10, OP_MEM = 11, OP_MEMBYTE = 12, OP_I32 = 13, OP_I64 = 14,
  OP_F32 = 15, OP_F64 = 16, OP_PREFIX = 17;
const OPS = new Uint8Array(256);
/** log2 of the natural alignment of each load/store (0x28..0x3e). */
const NATURAL_ALIGN = [2, 3, 2, 3, 0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 2, 3, 2, 3, 0, 1, 0, 1, 2];
{
  const set = (from: number, to: number, c: number) => { for (let i = from; i <= to; i++) OPS[i] = c; };
  set(0x00, 0x01, OP_NONE);
  set(0x02, 0x04, OP_BLOCK);
  OPS[0x05] = OP_ELSE;
  OPS[0x0b] = OP_END;
  set(0x0c, 0x0d, OP_BR);
  OPS[0x0e] = OP_BR_TABLE;
  OPS[0x0f] = OP_NONE;
  OPS[0x10] = OP_CALL;
  OPS[0x11] = OP_CALL_INDIRECT;
  set(0x1a, 0x1b, OP_NONE);
  set(0x20, 0x22, OP_LOCAL);
  set(0x23, 0x24, OP_GLOBAL);
  set(0x28, 0x3e, OP_MEM);
  set(0x3f, 0x40, OP_MEMBYTE);
  OPS[0x41] = OP_I32;
  OPS[0x42] = OP_I64;
  OPS[0x43] = OP_F32;
  OPS[0x44] = OP_F64;
  set(0x45, 0xc4, OP_NONE);
  OPS[0xfc] = OP_PREFIX;
}

const hex2 = (b: number) => `0x${b.toString(16).padStart(2, "0")}`;

/** A name for a message: printable ASCII kept, every other byte '?', at most 64 bytes. */
function shown(b: Uint8Array, off: number, len: number): string {
  let s = "";
  const n = Math.min(len, 64);
  for (let i = 0; i < n; i++) {
    const c = b[off + i];
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : "?";
  }
  return len > 64 ? s + "..." : s;
}

/** Strict UTF-8 (no overlong forms, no surrogates, at most U+10FFFF). */
function utf8Ok(b: Uint8Array, off: number, len: number): boolean {
  let i = off;
  const end = off + len;
  while (i < end) {
    const c = b[i];
    if (c < 0x80) { i++; continue; }
    let n: number, min: number, cp: number;
    if (c >= 0xc2 && c <= 0xdf) { n = 1; min = 0x80; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { n = 2; min = 0x800; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; min = 0x10000; cp = c & 0x07; }
    else return false;
    if (i + n >= end) return false;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if ((d & 0xc0) !== 0x80) return false;
      cp = cp * 64 + (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

/** "i(iI)" -> "(i32, i64) -> i32"; "v()" -> "() -> ()". */
export function readableSig(sig: string): string {
  const t = (c: string) => ({ i: "i32", I: "i64", f: "f32", F: "f64" })[c] ?? "?";
  const params = sig.slice(2, -1).split("").map(t).join(", ");
  return `(${params}) -> ${sig[0] === "v" ? "()" : t(sig[0])}`;
}

const VALTYPE_CHAR: Record<number, string> = { 0x7f: "i", 0x7e: "I", 0x7d: "f", 0x7c: "F" };
const VALTYPE_NAME: Record<number | string, string> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", i: "i32", I: "i64", f: "f32", F: "f64" };

class Gate {
  private pos = 8;
  private end: number;
  private sec = "module";
  private readonly L: GateLimits;
  private readonly memLimit: number;
  // what later sections need
  private types: number[] = []; // byte offset of each type's parameter count
  private nImports = 0;
  private importTypes: number[] = [];
  private funcTypes: number[] = [];
  private nTables = 0;
  private tableMin = 0;
  private nMemories = 0;
  private initialPages = 0;
  private nGlobals = 0;
  private nImportedGlobals = 0;
  private exportsSeen: { off: number; len: number; kind: number; index: number }[] = [];
  private dataCount = -1;
  private sawData = false;
  private sawCode = false;
  private sawName = false;
  private nCustom = 0;
  readonly stats: GateStats;

  constructor(private readonly b: Uint8Array, opts: GateOptions) {
    this.end = b.length;
    this.L = opts.limits ?? GATE_LIMITS;
    this.memLimit = opts.memoryLimit && opts.memoryLimit > 0 ? opts.memoryLimit : 0;
    this.stats = {
      bytes: b.length, types: 0, imports: 0, functions: 0, globals: 0, exports: 0, dataSegments: 0, customSections: 0,
      initialPages: 0, tableElements: 0, maxNesting: 0, maxLocals: 0, maxFunctionBytes: 0, maxBrTable: 0, maxNameBytes: 0,
    };
  }

  private fail(rule: string): never {
    throw new Refusal(rule);
  }

  // ---- bounded reads: never past this.end (the current section's end) ----
  private byte(): number {
    if (this.pos >= this.end) this.fail(`${this.sec}: unexpected end at byte ${this.pos}`);
    return this.b[this.pos++];
  }
  private u32(): number {
    const start = this.pos;
    let r = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) this.fail(`${this.sec}: unexpected end at byte ${start}`);
      const c = this.b[this.pos++];
      if (i === 4 && (c & 0xf0) !== 0) this.fail(`${this.sec}: malformed LEB128 at byte ${start}`);
      r += (c & 0x7f) * 2 ** (7 * i);
      if (!(c & 0x80)) return r;
    }
    return this.fail(`${this.sec}: malformed LEB128 at byte ${start}`);
  }
  /** A signed LEB128 of `bits` (32 or 64); returns the low 32 bits as unsigned. */
  private sleb(bits: 32 | 64): number {
    const start = this.pos;
    const max = bits === 32 ? 5 : 10;
    let r = 0;
    let shift = 0;
    for (let i = 0; i < max; i++) {
      if (this.pos >= this.end) this.fail(`${this.sec}: unexpected end at byte ${start}`);
      const c = this.b[this.pos++];
      if (i === max - 1) {
        const ok = bits === 32
          ? (c & 0x80) === 0 && ((c & 0x08) ? (c & 0x70) === 0x70 : (c & 0x70) === 0)
          : (c & 0x80) === 0 && ((c & 0x01) ? (c & 0x7e) === 0x7e : (c & 0x7e) === 0);
        if (!ok) this.fail(`${this.sec}: malformed LEB128 at byte ${start}`);
      }
      if (shift < 32) r = (r | ((c & 0x7f) << shift)) >>> 0;
      shift += 7;
      if (!(c & 0x80)) {
        if (shift < 32 && (c & 0x40)) r = (r | (~0 << shift)) >>> 0;
        return r;
      }
    }
    return this.fail(`${this.sec}: malformed LEB128 at byte ${start}`);
  }
  private skip(n: number): void {
    if (n > this.end - this.pos) this.fail(`${this.sec}: unexpected end at byte ${this.pos}`);
    this.pos += n;
  }
  /** A name: length, bytes, UTF-8, at most max_name_bytes. Returns its offset and length. */
  private name(what: string): [number, number] {
    const start = this.pos;
    const len = this.u32();
    if (len > this.L.max_name_bytes) this.fail(`${what}: name of ${len} bytes exceeds the limit ${this.L.max_name_bytes} (byte ${start})`);
    const off = this.pos;
    this.skip(len);
    if (!utf8Ok(this.b, off, len)) this.fail(`${what}: name is not valid UTF-8 (byte ${start})`);
    if (len > this.stats.maxNameBytes) this.stats.maxNameBytes = len;
    return [off, len];
  }
  private count(n: number, max: number, what: string): void {
    if (n > max) this.fail(`${n} ${what} exceed the limit ${max}`);
  }
  private valtype(what: string): number {
    const at = this.pos;
    const t = this.byte();
    if (!VALTYPE_CHAR[t]) this.fail(`${what}: value type ${hex2(t)} is not supported (byte ${at})`);
    return t;
  }
  /** The wasm3-notation signature of type `t`. */
  private sig(t: number): string {
    let p = this.types[t];
    const rd = () => { // type entries were validated when read: small LEBs, known value types
      let v = 0, s = 0, c: number;
      do { c = this.b[p++]; v += (c & 0x7f) * 2 ** s; s += 7; } while (c & 0x80);
      return v;
    };
    const np = rd();
    let params = "";
    for (let i = 0; i < np; i++) params += VALTYPE_CHAR[this.b[p++]];
    const nr = rd();
    const res = nr ? VALTYPE_CHAR[this.b[p]] : "v";
    return `${res}(${params})`;
  }
  private paramCount(t: number): number {
    let p = this.types[t], v = 0, s = 0, c: number;
    do { c = this.b[p++]; v += (c & 0x7f) * 2 ** s; s += 7; } while (c & 0x80);
    return v;
  }
  private funcType(f: number): number {
    return f < this.nImports ? this.importTypes[f] : this.funcTypes[f - this.nImports];
  }
  private get nFuncs(): number {
    return this.nImports + this.funcTypes.length;
  }
  /** `i32.const <v> end`; returns v as unsigned. */
  private i32Offset(what: string): number {
    const at = this.pos;
    if (this.byte() !== 0x41) this.fail(`${what}: offset is not an i32.const (byte ${at})`);
    const v = this.sleb(32);
    if (this.byte() !== 0x0b) this.fail(`${what}: offset is not an i32.const (byte ${at})`);
    return v;
  }

  run(): GateStats {
    const b = this.b;
    if (b.length < 8 || b[0] !== 0 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) this.fail("not a WebAssembly module (no \\0asm header)");
    const version = (b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24)) >>> 0;
    if (version !== 1) this.fail(`unsupported WebAssembly binary version ${version}`);
    if (b.length > this.L.max_module_bytes) this.fail(`the module is ${b.length} bytes, over the limit ${this.L.max_module_bytes}`);
    let lastRank = 0;
    while (this.pos < b.length) {
      this.sec = "module";
      this.end = b.length;
      const at = this.pos;
      const id = this.byte();
      if (id > 12) this.fail(`unknown section id ${id} at byte ${at}`);
      const name = SECTION_NAMES[id];
      const size = this.u32();
      if (size > b.length - this.pos) this.fail(`${name} section at byte ${at}: its size ${size} runs past the end of the module`);
      if (id !== 0) {
        if (SECTION_RANK[id] <= lastRank) this.fail(`${name} section at byte ${at} is out of order or repeated`);
        lastRank = SECTION_RANK[id];
      }
      this.end = this.pos + size;
      this.sec = `${name} section`;
      this.section(id, at);
      if (this.pos !== this.end) this.fail(`${name} section at byte ${at}: ${this.end - this.pos} bytes left over`);
    }
    this.sec = "module";
    this.finish();
    return this.stats;
  }

  private section(id: number, at: number): void {
    const L = this.L;
    switch (id) {
      case 0: return this.custom(at);
      case 1: {
        const n = this.u32();
        this.count(n, L.max_types, "types");
        for (let i = 0; i < n; i++) {
          const fat = this.pos;
          const form = this.byte();
          if (form !== 0x60) this.fail(`type ${i}: form ${hex2(form)} is not a function type (byte ${fat})`);
          this.types.push(this.pos);
          const np = this.u32();
          if (np > L.max_params) this.fail(`type ${i}: ${np} parameters exceed the limit ${L.max_params}`);
          for (let k = 0; k < np; k++) this.valtype(`type ${i}`);
          const nr = this.u32();
          if (nr > L.max_results) this.fail(`type ${i}: ${nr} results exceed the limit ${L.max_results}`);
          for (let k = 0; k < nr; k++) this.valtype(`type ${i}`);
        }
        this.stats.types = n;
        return;
      }
      case 2: {
        const n = this.u32();
        this.count(n, L.max_imports, "imports");
        for (let i = 0; i < n; i++) {
          const [mo, ml] = this.name(`import ${i}`);
          const [fo, fl] = this.name(`import ${i}`);
          const kat = this.pos;
          const kind = this.byte();
          if (kind > 3) this.fail(`import ${i}: unknown kind ${kind} (byte ${kat})`);
          const mod = shown(this.b, mo, ml), field = shown(this.b, fo, fl);
          const table = kind === 0 ? ABI_IMPORTS : kind === 3 ? ABI_IMPORT_GLOBALS : {};
          const want = ml === 5 && mod === "board" && Object.prototype.hasOwnProperty.call(table, field) && fl === field.length
            ? table[field] : undefined;
          if (!want) this.fail(`imports ${mod}.${field} (${KIND_NAMES[kind]}), which this board does not provide (board ABI v1 has board.* functions and the global board.irq_quiet, docs/abi.md)`);
          if (kind === 3) {
            const t = this.valtype(`import ${i}`);
            const mut = this.byte();
            if (VALTYPE_CHAR[t] !== want || mut !== 1) this.fail(`import board.${field} is ${mut === 1 ? "a mutable" : "an immutable"} ${VALTYPE_NAME[t]} global, board ABI v1 has a mutable ${VALTYPE_NAME[want]} one`);
            this.nGlobals = ++this.nImportedGlobals;
            continue;
          }
          const t = this.u32();
          if (t >= this.types.length) this.fail(`import board.${field}: type index ${t} out of range`);
          const got = this.sig(t);
          if (got !== want) this.fail(`import board.${field} has the wrong signature ${readableSig(got)}, board ABI v1 has ${readableSig(want)}`);
          this.importTypes.push(t);
          this.nImports++;
        }
        this.stats.imports = n;
        return;
      }
      case 3: {
        const n = this.u32();
        if (n > L.max_functions || this.nImports + n > L.max_functions) this.fail(`${this.nImports + n} functions exceed the limit ${L.max_functions}`);
        for (let i = 0; i < n; i++) {
          const t = this.u32();
          if (t >= this.types.length) this.fail(`function ${this.nImports + i}: type index ${t} out of range`);
          this.funcTypes.push(t);
        }
        this.stats.functions = this.nFuncs;
        return;
      }
      case 4: {
        const n = this.u32();
        this.count(n, 1, "tables");
        for (let i = 0; i < n; i++) {
          const eat = this.pos;
          const et = this.byte();
          if (et !== 0x70) this.fail(`table ${i}: element type ${hex2(et)} is not funcref (byte ${eat})`);
          const [min, max] = this.limits(`table ${i}`);
          if (min > L.max_table_elements) this.fail(`table ${i}: ${min} initial elements exceed the limit ${L.max_table_elements}`);
          if (max >= 0 && max < min) this.fail(`table ${i}: maximum ${max} is below the initial ${min}`);
          this.tableMin = min;
          this.stats.tableElements = min;
        }
        this.nTables = n;
        return;
      }
      case 5: {
        const n = this.u32();
        this.count(n, 1, "memories");
        for (let i = 0; i < n; i++) {
          const [min, max] = this.limits(`memory ${i}`);
          if (min > L.max_initial_pages) this.fail(`memory ${i}: initial size ${min} pages exceeds the limit ${L.max_initial_pages} pages`);
          if (max >= 0 && max > 65536) this.fail(`memory ${i}: maximum ${max} pages exceeds 65536`);
          if (max >= 0 && max < min) this.fail(`memory ${i}: maximum ${max} is below the initial ${min}`);
          this.initialPages = min;
          this.stats.initialPages = min;
        }
        this.nMemories = n;
        return;
      }
      case 6: {
        const n = this.u32();
        this.count(n, L.max_globals, "globals");
        for (let i = 0; i < n; i++) {
          const t = this.valtype(`global ${i}`);
          const mat = this.pos;
          const mut = this.byte();
          if (mut > 1) this.fail(`global ${i}: mutability byte ${mut} (byte ${mat})`);
          const iat = this.pos;
          const op = this.byte();
          const want = { 0x7f: 0x41, 0x7e: 0x42, 0x7d: 0x43, 0x7c: 0x44 }[t];
          if (op !== want) this.fail(`global ${i}: initializer is not a constant of its type (byte ${iat})`);
          if (op === 0x41) this.sleb(32);
          else if (op === 0x42) this.sleb(64);
          else this.skip(op === 0x43 ? 4 : 8);
          if (this.byte() !== 0x0b) this.fail(`global ${i}: initializer does not end after one constant (byte ${iat})`);
        }
        this.nGlobals = this.nImportedGlobals + n; // the index space starts with the imported ones
        this.stats.globals = n;
        return;
      }
      case 7: {
        const n = this.u32();
        this.count(n, L.max_exports, "exports");
        for (let i = 0; i < n; i++) {
          const [off, len] = this.name(`export ${i}`);
          const kat = this.pos;
          const kind = this.byte();
          if (kind > 3) this.fail(`export ${i}: unknown kind ${kind} (byte ${kat})`);
          const index = this.u32();
          const have = [this.nFuncs, this.nTables, this.nMemories, this.nGlobals][kind];
          if (index >= have) this.fail(`export ${shown(this.b, off, len)}: ${KIND_NAMES[kind]} index ${index} out of range`);
          for (const e of this.exportsSeen) {
            if (e.len === len && this.b.subarray(e.off, e.off + len).every((c, k) => c === this.b[off + k]))
              this.fail(`export name ${shown(this.b, off, len)} is used twice`);
          }
          this.exportsSeen.push({ off, len, kind, index });
        }
        this.stats.exports = n;
        return;
      }
      case 8: {
        const f = this.u32();
        return this.fail(`the module has a wasm start function (function ${f}); a coop board calls _start itself, after the ABI version check`);
      }
      case 9: {
        const n = this.u32();
        this.count(n, L.max_element_segments, "element segments");
        for (let i = 0; i < n; i++) {
          const fat = this.pos;
          const flags = this.u32();
          if (flags !== 0) this.fail(`element segment ${i}: only active segments of table 0 are supported (flags ${flags}, byte ${fat})`);
          if (this.nTables === 0) this.fail(`element segment ${i}: the module has no table`);
          const off = this.i32Offset(`element segment ${i}`);
          const cnt = this.u32();
          if (off + cnt > this.tableMin) this.fail(`element segment ${i}: entries ${off}..${off + cnt} run past the table's ${this.tableMin}`);
          for (let k = 0; k < cnt; k++) {
            const f = this.u32();
            if (f >= this.nFuncs) this.fail(`element segment ${i}: function index ${f} out of range`);
          }
        }
        return;
      }
      case 12: {
        this.dataCount = this.u32();
        return;
      }
      case 10: return this.code();
      case 11: {
        const n = this.u32();
        this.count(n, L.max_data_segments, "data segments");
        this.sawData = true;
        if (this.dataCount >= 0 && this.dataCount !== n) this.fail(`the data count section says ${this.dataCount}, the data section has ${n} segments`);
        for (let i = 0; i < n; i++) {
          const fat = this.pos;
          const flags = this.u32();
          if (flags !== 0) this.fail(`data segment ${i}: only active segments of memory 0 are supported (flags ${flags}, byte ${fat})`);
          if (this.nMemories === 0) this.fail(`data segment ${i}: the module has no memory`);
          const off = this.i32Offset(`data segment ${i}`);
          const size = this.u32();
          this.skip(size);
          const endAt = off + size;
          const initial = this.initialPages * 65536;
          if (endAt > initial) this.fail(`data segment ${i} ends at byte ${endAt}, past the initial memory of ${initial} bytes`);
          if (this.memLimit && endAt > this.memLimit) this.fail(`data segment ${i} ends at byte ${endAt}, past the memory limit ${this.memLimit} bytes`);
        }
        this.stats.dataSegments = n;
        return;
      }
    }
  }

  /** Table/memory limits: flag 0 (min) or 1 (min, max). Returns [min, max or -1]. */
  private limits(what: string): [number, number] {
    const at = this.pos;
    const flag = this.byte();
    if (flag > 1) this.fail(`${what}: limits flag ${hex2(flag)} is not supported (shared or 64-bit) (byte ${at})`);
    const min = this.u32();
    const max = flag ? this.u32() : -1;
    return [min, max];
  }

  private custom(at: number): void {
    this.nCustom++;
    if (this.nCustom > this.L.max_custom_sections) this.fail(`${this.nCustom} custom sections exceed the limit ${this.L.max_custom_sections}`);
    this.stats.customSections = this.nCustom;
    const [off, len] = this.name(`custom section at byte ${at}`);
    const isName = len === 4 && shown(this.b, off, len) === "name";
    if (!isName) {
      this.pos = this.end;
      return;
    }
    if (this.sawName) this.fail(`a second name section at byte ${at}`);
    this.sawName = true;
    this.sec = "name section";
    const secEnd = this.end;
    while (this.pos < secEnd) {
      const sat = this.pos;
      const sub = this.byte();
      const size = this.u32();
      if (size > secEnd - this.pos) this.fail(`name section: subsection ${sub} at byte ${sat}: its size ${size} runs past the section`);
      const subEnd = this.pos + size;
      if (sub === 1) {
        this.end = subEnd;
        const n = this.u32();
        for (let i = 0; i < n; i++) {
          const f = this.u32();
          if (f >= this.nFuncs) this.fail(`name section: function index ${f} out of range`);
          this.name("name section");
        }
        if (this.pos !== subEnd) this.fail(`name section: subsection 1 at byte ${sat}: ${subEnd - this.pos} bytes left over`);
        this.end = secEnd;
      }
      this.pos = subEnd;
    }
  }

  private code(): void {
    const L = this.L;
    const n = this.u32();
    this.sawCode = true;
    const defined = this.funcTypes.length;
    if (n !== defined) this.fail(`the code section has ${n} bodies for ${defined} functions`);
    const secEnd = this.end;
    // Kinds of the open blocks, as far as the limit (deeper ones are refused anyway): 0 block/loop, 1 if, 2 if after its else.
    const kinds = new Uint8Array(L.max_nesting + 2);
    for (let i = 0; i < n; i++) {
      const fn = this.nImports + i;
      const what = `function ${fn}`;
      const size = this.u32();
      if (size > secEnd - this.pos) this.fail(`${what}: body size ${size} runs past the code section`);
      const bodyEnd = this.pos + size;
      this.end = bodyEnd;
      // locals
      let locals = this.paramCount(this.funcType(fn));
      const groups = this.u32();
      for (let g = 0; g < groups; g++) {
        const c = this.u32();
        locals += c;
        if (locals > L.max_locals) this.fail(`${what}: ${locals} locals exceed the limit ${L.max_locals}`);
        this.valtype(what);
      }
      if (locals > this.stats.maxLocals) this.stats.maxLocals = locals;
      // instructions
      let depth = 1; // the body's own block
      let maxDepth = 0;
      kinds[0] = 0;
      for (;;) {
        const at = this.pos;
        if (at >= bodyEnd) this.fail(`${what}: the body ends inside a block (byte ${at})`);
        const op = this.b[this.pos++];
        switch (OPS[op]) {
          case OP_NONE: break;
          case OP_BLOCK: {
            const bt = this.byte();
            if (bt !== 0x40 && !VALTYPE_CHAR[bt]) this.fail(`${what}: block type ${hex2(bt)} is not supported (byte ${at})`);
            if (depth <= L.max_nesting) kinds[depth] = op === 0x04 ? 1 : 0;
            depth++;
            if (depth - 1 > maxDepth) maxDepth = depth - 1;
            break;
          }
          case OP_ELSE:
            if (depth - 1 <= L.max_nesting) {
              if (depth < 2 || kinds[depth - 1] !== 1) this.fail(`${what}: else without its if (byte ${at})`);
              kinds[depth - 1] = 2;
            }
            break;
          case OP_END:
            depth--;
            if (depth === 0) {
              if (this.pos !== bodyEnd) this.fail(`${what}: code continues after the body's final end (byte ${at})`);
            }
            break;
          case OP_BR: {
            const l = this.u32();
            if (l >= depth) this.fail(`${what}: branch depth ${l} out of range (byte ${at})`);
            break;
          }
          case OP_BR_TABLE: {
            const cnt = this.u32();
            if (cnt > L.max_br_table) this.fail(`${what}: br_table of ${cnt} targets exceeds the limit ${L.max_br_table} (byte ${at})`);
            if (cnt > this.stats.maxBrTable) this.stats.maxBrTable = cnt;
            for (let k = 0; k <= cnt; k++) {
              const l = this.u32();
              if (l >= depth) this.fail(`${what}: branch depth ${l} out of range (byte ${at})`);
            }
            break;
          }
          case OP_CALL: {
            const f = this.u32();
            if (f >= this.nFuncs) this.fail(`${what}: call to function ${f} out of range (byte ${at})`);
            break;
          }
          case OP_CALL_INDIRECT: {
            const t = this.u32();
            if (t >= this.types.length) this.fail(`${what}: call_indirect type index ${t} out of range (byte ${at})`);
            const tb = this.byte();
            if (this.nTables === 0 || tb !== 0) this.fail(`${what}: call_indirect needs table 0 (byte ${at})`);
            break;
          }
          case OP_LOCAL: {
            const x = this.u32();
            if (x >= locals) this.fail(`${what}: local index ${x} out of range (byte ${at})`);
            break;
          }
          case OP_GLOBAL: {
            const x = this.u32();
            if (x >= this.nGlobals) this.fail(`${what}: global index ${x} out of range (byte ${at})`);
            break;
          }
          case OP_MEM: {
            const align = this.u32();
            this.u32();
            if (this.nMemories === 0) this.fail(`${what}: a memory access, but the module has no memory (byte ${at})`);
            if (align > NATURAL_ALIGN[op - 0x28]) this.fail(`${what}: alignment 2^${align} exceeds the access size (byte ${at})`);
            break;
          }
          case OP_MEMBYTE: {
            const m = this.byte();
            if (this.nMemories === 0 || m !== 0) this.fail(`${what}: ${op === 0x3f ? "memory.size" : "memory.grow"} needs memory 0 (byte ${at})`);
            break;
          }
          case OP_I32: this.sleb(32); break;
          case OP_I64: this.sleb(64); break;
          case OP_F32: this.skip(4); break;
          case OP_F64: this.skip(8); break;
          case OP_PREFIX: {
            const sub = this.u32();
            if (sub <= 7) break;
            if (sub === 10 || sub === 11) {
              if (this.byte() !== 0 || (sub === 10 && this.byte() !== 0) || this.nMemories === 0)
                this.fail(`${what}: ${sub === 10 ? "memory.copy" : "memory.fill"} needs memory 0 (byte ${at})`);
              break;
            }
            this.fail(`${what}: unsupported opcode 0xfc ${sub} (byte ${at})`);
            break;
          }
          default:
            this.fail(`${what}: unsupported opcode ${hex2(op)} (byte ${at})`);
        }
        if (depth === 0) break;
      }
      if (maxDepth > L.max_nesting) this.fail(`block nesting ${maxDepth} exceeds the limit ${L.max_nesting} (${what})`);
      if (size > L.max_function_bytes) this.fail(`${what}: body of ${size} bytes exceeds the limit ${L.max_function_bytes}`);
      if (maxDepth > this.stats.maxNesting) this.stats.maxNesting = maxDepth;
      if (size > this.stats.maxFunctionBytes) this.stats.maxFunctionBytes = size;
      this.end = secEnd;
    }
  }

  private finish(): void {
    if (!this.sawCode && this.funcTypes.length) this.fail(`the code section has 0 bodies for ${this.funcTypes.length} functions`);
    if (this.dataCount > 0 && !this.sawData) this.fail(`the data count section says ${this.dataCount}, the data section has 0 segments`);
    const find = (name: string) => this.exportsSeen.find((e) => e.len === name.length && shown(this.b, e.off, e.len) === name);
    const fnNames = Object.keys(ABI_EXPORTS);
    const missing = ["memory", ...fnNames].filter((n) => !find(n));
    if (fnNames.every((n) => missing.includes(n)))
      this.fail("not a coop firmware: none of the board ABI exports (coop_abi_version, coop_step, ...) is present");
    if (missing.length) this.fail(`not a coop firmware: missing ABI export${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
    if (find("memory")!.kind !== 2) this.fail("not a coop firmware: export `memory` is not a memory");
    for (const n of fnNames) {
      const e = find(n)!;
      if (e.kind !== 0) this.fail(`export ${n} is not a function`);
      const got = this.sig(this.funcType(e.index));
      if (got !== ABI_EXPORTS[n]) this.fail(`export ${n} has the wrong signature ${readableSig(got)}, board ABI v1 has ${readableSig(ABI_EXPORTS[n])}`);
    }
  }
}

/** Run the gate. Never throws for any input; the refusal rule is one line. */
export function gate(bytes: Uint8Array, opts: GateOptions = {}): GateVerdict {
  try {
    return { ok: true, stats: new Gate(bytes, opts).run() };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, rule: e.rule };
    throw e;
  }
}
