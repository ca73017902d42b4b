// The V8 engine: Node's own WebAssembly (no extra dependency; the checks
// below are what @assemblyscript/loader would not do for us anyway). It
// validates the module against board ABI v1 before anything runs: magic,
// compile, exports, imports, then the version, then `_start` is left to the
// caller. Every refusal is an EngineError with a one-line message.

import type { BoardImports, Engine, Firmware, FirmwareMemory } from "../engine.js";

/** A module the engine refuses; the message is one line. */
export class EngineError extends Error {}

/** The ABI version this board implements. */
export const ABI_VERSION = 1;

/** Exports docs/abi.md requires, with their kind. */
export const REQUIRED_EXPORTS: readonly string[] = [
  "memory", "_start", "coop_abi_version", "coop_step", "coop_set_trace", "coop_task_capacity",
  "coop_task_state", "coop_task_name", "coop_current_task", "coop_stat", "coop_irq_deliveries", "coop_irq_kept",
];

/** Names of the board imports (module "board") the simulator provides. */
export const BOARD_IMPORT_NAMES: readonly string[] = [
  "tick_hz", "now", "set_alarm", "irq_take", "uart_write", "uart_read", "uart_overruns", "gpio_write", "gpio_read",
  "gpio_irq", "adc_start", "adc_read", "bus_transfer", "bus_status", "log", "trace", "panic",
];

/**
 * Static checks shared by engines: wasm magic, compiles, every required export
 * present, every import is a function the board provides. Returns the module.
 */
export function checkModule(wasm: Uint8Array): WebAssembly.Module {
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d)
    throw new EngineError("not a WebAssembly module (no \\0asm header)");
  let mod: WebAssembly.Module;
  try {
    mod = new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new EngineError(`not a valid WebAssembly module: ${oneLine(e)}`);
  }
  const exports = new Map(WebAssembly.Module.exports(mod).map((e) => [e.name, e.kind]));
  const missing = REQUIRED_EXPORTS.filter((n) => !exports.has(n));
  if (missing.length === REQUIRED_EXPORTS.length - 1 && exports.has("memory") || missing.length === REQUIRED_EXPORTS.length)
    throw new EngineError("not a coop firmware: none of the board ABI exports (coop_abi_version, coop_step, ...) is present");
  if (missing.length) throw new EngineError(`not a coop firmware: missing ABI export${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
  if (exports.get("memory") !== "memory") throw new EngineError("not a coop firmware: export `memory` is not a memory");
  for (const n of REQUIRED_EXPORTS) {
    if (n !== "memory" && exports.get(n) !== "function") throw new EngineError(`not a coop firmware: export \`${n}\` is a ${exports.get(n)}, not a function`);
  }
  for (const imp of WebAssembly.Module.imports(mod)) {
    if (imp.module !== "board" || imp.kind !== "function" || !BOARD_IMPORT_NAMES.includes(imp.name))
      throw new EngineError(`firmware imports ${imp.module}.${imp.name} (${imp.kind}), which this board does not provide (board ABI v${ABI_VERSION} has only board.{${BOARD_IMPORT_NAMES.join(",")}})`);
  }
  checkAbiSignatures(wasm);
  return mod;
}

/** Signatures of the board imports (docs/abi.md) in wasm3's notation: ret(args), i=i32, I=i64, v=void. */
export const BOARD_IMPORT_SIGNATURES: Readonly<Record<string, string>> = {
  tick_hz: "i()", now: "I()", set_alarm: "v(I)", irq_take: "i()",
  uart_write: "i(iii)", uart_read: "i(iii)", uart_overruns: "i(i)",
  gpio_write: "i(ii)", gpio_read: "i(i)", gpio_irq: "i(ii)",
  adc_start: "i(i)", adc_read: "i(i)",
  bus_transfer: "i(iiiii)", bus_status: "i()",
  log: "v(ii)", trace: "v(iii)", panic: "v(iiiiii)",
};

/** Signatures of the ABI's function exports (docs/abi.md), same notation. */
export const EXPORT_SIGNATURES: Readonly<Record<string, string>> = {
  _start: "v()", coop_abi_version: "i()", coop_step: "I()", coop_set_trace: "v(i)", coop_task_capacity: "i()",
  coop_task_state: "i(i)", coop_task_name: "i(i)", coop_current_task: "i()", coop_stat: "I(i)",
  coop_irq_deliveries: "i(i)", coop_irq_kept: "i(i)",
};

/** Initial linear memory the simulator accepts (pages of 64 KiB): 256 MiB. */
export const MAX_INITIAL_PAGES = 4096;

/**
 * STOPGAP until the module gate (host/engines/gate.ts, another branch)
 * replaces it: the structural facts WebAssembly.Module does not report and
 * V8 would otherwise run with. Refuses (EngineError, exit 3) an ABI export or
 * board import with the wrong signature (V8 runs a coop_step returning i32,
 * converts a wrongly typed import's arguments), a wasm start function (it
 * would run at instantiation, before the ABI version check), and an initial
 * memory above MAX_INITIAL_PAGES. Only called on a module V8 compiled, so the
 * sections are well formed; it still reads every length with bounds checks.
 */
export function checkAbiSignatures(wasm: Uint8Array): void {
  let p = 8;
  const bad = (what: string): never => { throw new EngineError(`not a valid WebAssembly module: ${what}`); };
  const u32 = (): number => {
    let r = 0, shift = 0;
    for (;;) {
      if (p >= wasm.length || shift > 28) bad("truncated LEB128");
      const b = wasm[p++];
      r += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return r;
      shift += 7;
    }
  };
  const skip = (n: number) => { if (p + n > wasm.length) bad("truncated section"); p += n; };
  const name = (): string => { const n = u32(); const s = p; skip(n); return Buffer.from(wasm.subarray(s, s + n)).toString("utf8"); };
  const valType = (): string => {
    const b = wasm[p++];
    if (b === 0x63 || b === 0x64) { u32(); return "r"; } // (ref null? heaptype): not an ABI type
    return b === 0x7f ? "i" : b === 0x7e ? "I" : b === 0x7d ? "f" : b === 0x7c ? "F" : "r";
  };
  const limits = (): number => { const flags = u32(); const min = u32(); if (flags & 1) u32(); return min; };
  const types: string[] = [];
  const funcTypes: number[] = []; // type index of each function, imports first
  const exports = new Map<string, { kind: number; index: number }>();
  const sigOf = (t: number): string => types[t] ?? "?";
  while (p < wasm.length) {
    const id = wasm[p++];
    const size = u32();
    const end = p + size;
    if (end > wasm.length) bad("section runs past the end");
    if (id === 1) {
      for (let n = u32(); n > 0; n--) {
        if (wasm[p++] !== 0x60) { types.push("?"); p = end; break; } // not a plain function type: never an ABI signature
        const params: string[] = [];
        for (let k = u32(); k > 0; k--) params.push(valType());
        const results: string[] = [];
        for (let k = u32(); k > 0; k--) results.push(valType());
        types.push(`${results.length === 0 ? "v" : results.length === 1 ? results[0] : `(${results.join("")})`}(${params.join("")})`);
      }
    } else if (id === 2) {
      for (let n = u32(); n > 0; n--) {
        const mod = name(), field = name(), kind = wasm[p++];
        if (kind === 0) {
          const t = u32();
          funcTypes.push(t);
          const want = mod === "board" ? BOARD_IMPORT_SIGNATURES[field] : undefined;
          if (want && sigOf(t) !== want) throw new EngineError(`firmware imports board.${field} as ${sigOf(t)}; board ABI v${ABI_VERSION} has ${want}`);
        } else if (kind === 1) { valType(); limits(); }
        else if (kind === 2) limits();
        else if (kind === 3) { valType(); p++; }
        else { p = end; break; }
      }
    } else if (id === 3) {
      for (let n = u32(); n > 0; n--) funcTypes.push(u32());
    } else if (id === 5) {
      for (let n = u32(); n > 0; n--) {
        const pages = limits();
        if (pages > MAX_INITIAL_PAGES) throw new EngineError(`firmware asks for ${pages} pages (${pages * 64} KiB) of initial memory; the simulator allows at most ${MAX_INITIAL_PAGES} (${MAX_INITIAL_PAGES / 16} MiB)`);
      }
    } else if (id === 7) {
      for (let n = u32(); n > 0; n--) {
        const nm = name(), kind = wasm[p++], index = u32();
        exports.set(nm, { kind, index });
      }
    } else if (id === 8) {
      throw new EngineError("firmware has a wasm start function, which would run before the board checks its ABI version (use the `_start` export)");
    }
    p = end;
  }
  for (const [nm, want] of Object.entries(EXPORT_SIGNATURES)) {
    const e = exports.get(nm);
    if (!e || e.kind !== 0) continue; // presence and kind: checkModule
    const got = sigOf(funcTypes[e.index]);
    if (got !== want) throw new EngineError(`not a coop firmware: export ${nm} has signature ${got}; board ABI v${ABI_VERSION} has ${want}`);
  }
}

export function oneLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split("\n")[0];
}

/** Longest task name read from firmware memory, in bytes (longer names are cut). */
export const MAX_TASK_NAME_BYTES = 256;

/** Decode coop_task_name's UTF-16LE string (byte length in the u32 before it; at most MAX_TASK_NAME_BYTES read). */
export function readAsString(mem: FirmwareMemory, ptr: number): string | null {
  if (ptr === 0) return null;
  const lenBytes = mem.read(ptr - 4, 4);
  if (!lenBytes) return null;
  const len = new DataView(lenBytes.buffer, lenBytes.byteOffset, 4).getUint32(0, true);
  const data = mem.read(ptr, Math.min(len, MAX_TASK_NAME_BYTES) & ~1);
  if (!data) return null;
  return Buffer.from(data).toString("utf16le");
}

class V8Memory implements FirmwareMemory {
  constructor(private readonly mem: WebAssembly.Memory) {}
  size(): number {
    return this.mem.buffer.byteLength;
  }
  private ok(ptr: number, len: number): boolean {
    return Number.isInteger(ptr) && Number.isInteger(len) && ptr >= 0 && len >= 0 && ptr + len <= this.mem.buffer.byteLength;
  }
  read(ptr: number, len: number): Uint8Array | null {
    // Copy: the buffer is detached when memory grows.
    return this.ok(ptr, len) ? new Uint8Array(this.mem.buffer, ptr, len).slice() : null;
  }
  write(ptr: number, data: Uint8Array): boolean {
    if (!this.ok(ptr, data.length)) return false;
    new Uint8Array(this.mem.buffer, ptr, data.length).set(data);
    return true;
  }
}

type Exports = {
  memory: WebAssembly.Memory;
  _start(): void;
  coop_abi_version(): number;
  coop_step(): bigint;
  coop_set_trace(on: number): void;
  coop_task_capacity(): number;
  coop_task_state(slot: number): number;
  coop_task_name(slot: number): number;
  coop_task_site?(slot: number): number;
  coop_heap_top?(): number;
  coop_current_task(): number;
  coop_stat(id: number): bigint;
  coop_irq_deliveries(line: number): number;
  coop_irq_kept(line: number): number;
};

class V8Firmware implements Firmware {
  readonly memory: FirmwareMemory;
  constructor(private readonly x: Exports) {
    this.memory = new V8Memory(x.memory);
  }
  abiVersion(): number { return this.x.coop_abi_version() >>> 0; }
  start(): void { this.x._start(); }
  step(): bigint { return this.x.coop_step(); }
  setTrace(on: boolean): void { this.x.coop_set_trace(on ? 1 : 0); }
  taskCapacity(): number { return this.x.coop_task_capacity() >>> 0; }
  taskState(slot: number): number { return this.x.coop_task_state(slot) >>> 0; }
  taskName(slot: number): string | null { return readAsString(this.memory, this.x.coop_task_name(slot) >>> 0); }
  taskSite(slot: number): string | null {
    return typeof this.x.coop_task_site === "function" ? readAsString(this.memory, this.x.coop_task_site(slot) >>> 0) : null;
  }
  heapTop(): number | null { return typeof this.x.coop_heap_top === "function" ? this.x.coop_heap_top() >>> 0 : null; }
  currentTask(): number { return this.x.coop_current_task() | 0; }
  stat(id: number): bigint { return this.x.coop_stat(id); }
  irqDeliveries(line: number): number { return this.x.coop_irq_deliveries(line) >>> 0; }
  irqKept(line: number): number { return this.x.coop_irq_kept(line) >>> 0; }
  close(): void {}
}

export class V8Engine implements Engine {
  readonly name = "v8";
  async load(wasm: Uint8Array, imports: BoardImports): Promise<Firmware> {
    const mod = checkModule(wasm);
    const board: Record<string, unknown> = {};
    for (const n of BOARD_IMPORT_NAMES) board[n] = (imports as unknown as Record<string, unknown>)[n];
    let inst: WebAssembly.Instance;
    try {
      inst = new WebAssembly.Instance(mod, { board: board as WebAssembly.ModuleImports });
    } catch (e) {
      throw new EngineError(`cannot instantiate firmware: ${oneLine(e)}`);
    }
    const fw = new V8Firmware(inst.exports as unknown as Exports);
    let v: number;
    try {
      v = fw.abiVersion();
    } catch (e) {
      throw new EngineError(`cannot read the firmware's ABI version: ${oneLine(e)}`);
    }
    if (v !== ABI_VERSION) throw new EngineError(`firmware is built for board ABI v${v}; this board implements v${ABI_VERSION}`);
    return fw;
  }
}

/** Registry entry point (host/engines/index.ts). */
export function createEngine(): Engine {
  return new V8Engine();
}
