// The V8 engine: Node's own WebAssembly (no extra dependency; the checks
// below are what @assemblyscript/loader would not do for us anyway). It
// validates the module against board ABI v1 before anything runs: magic,
// compile, exports, imports, then the version, then `_start` is left to the
// caller. Every refusal is an EngineError with a one-line message.

import { EngineError, oneLine, type BoardImports, type Engine, type Firmware, type FirmwareMemory, type TrapFrame } from "../engine.js";
import { gate } from "./gate.js";
import { ABI_VERSION, ABI_EXPORTS, ABI_IMPORTS, ABI_IMPORT_GLOBALS } from "../abi.js";

export { EngineError, oneLine };

/** The ABI version this board implements (boards/abi/abi.json). */
export { ABI_VERSION };

/** Exports docs/abi.md requires: the memory and the functions of boards/abi/abi.json. */
export const REQUIRED_EXPORTS: readonly string[] = ["memory", ...Object.keys(ABI_EXPORTS)];

/** Names of the board imports (module "board") the simulator provides. */
export const BOARD_IMPORT_NAMES: readonly string[] = Object.keys(ABI_IMPORTS);
/** Names of the board globals (module "board") a module may import. */
export const BOARD_IMPORT_GLOBAL_NAMES: readonly string[] = Object.keys(ABI_IMPORT_GLOBALS);

/**
 * Static checks shared by engines: wasm magic, compiles, every required export
 * present, every import is a function the board provides. Returns the module.
 */
export function checkModule(wasm: Uint8Array): WebAssembly.Module {
  const verdict = gate(wasm); // the module gate (host/engines/gate.ts) before V8 sees a byte
  if (!verdict.ok) throw new EngineError(`firmware refused: ${verdict.rule}`);
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
    const names = imp.kind === "function" ? BOARD_IMPORT_NAMES : imp.kind === "global" ? BOARD_IMPORT_GLOBAL_NAMES : [];
    if (imp.module !== "board" || !names.includes(imp.name))
      throw new EngineError(`firmware imports ${imp.module}.${imp.name} (${imp.kind}), which this board does not provide (board ABI v${ABI_VERSION} has only board.{${BOARD_IMPORT_NAMES.join(",")}} and the global board.{${BOARD_IMPORT_GLOBAL_NAMES.join(",")}})`);
  }
  return mod;
}


const UTF16LE = new TextDecoder("utf-16le");

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
  return UTF16LE.decode(data);
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
  coop_heap_seal?(): number;
  coop_current_task(): number;
  coop_stat(id: number): bigint;
  coop_irq_deliveries(line: number): number;
  coop_irq_kept(line: number): number;
};

/**
 * Run a call into wasm; a trap leaves with `frame` set from V8's stack, whose
 * first wasm frame reads `...wasm-function[<index>]:0x<module offset>`.
 */
function framed<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) {
      const m = /wasm-function\[(\d+)\]:0x([0-9a-f]+)/.exec(e.stack ?? "");
      if (m) (e as Error & { frame?: TrapFrame }).frame = { func: Number(m[1]), offset: parseInt(m[2], 16) };
    }
    throw e;
  }
}

class V8Firmware implements Firmware {
  readonly memory: FirmwareMemory;
  constructor(private readonly x: Exports) {
    this.memory = new V8Memory(x.memory);
  }
  abiVersion(): number { return this.x.coop_abi_version() >>> 0; }
  start(): void { framed(() => this.x._start()); }
  step(): bigint { return framed(() => this.x.coop_step()); }
  setTrace(on: boolean): void { this.x.coop_set_trace(on ? 1 : 0); }
  taskCapacity(): number { return this.x.coop_task_capacity() >>> 0; }
  taskState(slot: number): number { return this.x.coop_task_state(slot) >>> 0; }
  taskName(slot: number): string | null { return readAsString(this.memory, this.x.coop_task_name(slot) >>> 0); }
  taskSite(slot: number): string | null {
    return typeof this.x.coop_task_site === "function" ? readAsString(this.memory, this.x.coop_task_site(slot) >>> 0) : null;
  }
  heapTop(): number | null { return typeof this.x.coop_heap_top === "function" ? this.x.coop_heap_top() >>> 0 : null; }
  heapSeal(): number | null { return typeof this.x.coop_heap_seal === "function" ? this.x.coop_heap_seal() >>> 0 : null; }
  /**
   * V8 does not say whether the module's last memory.grow failed: ask it for
   * one more page now (the module is dead after the trap this follows). It is
   * refused at the module's declared maximum or when V8 cannot reserve more.
   */
  growRefused(): boolean {
    try {
      this.x.memory.grow(1);
      return false;
    } catch {
      return true;
    }
  }
  currentTask(): number { return this.x.coop_current_task() | 0; }
  stat(id: number): bigint { return this.x.coop_stat(id); }
  irqDeliveries(line: number): number { return this.x.coop_irq_deliveries(line) >>> 0; }
  irqKept(line: number): number { return this.x.coop_irq_kept(line) >>> 0; }
  close(): void {}
}

export class V8Engine implements Engine {
  readonly name = "v8";
  check(wasm: Uint8Array): void {
    checkModule(wasm);
  }
  async load(wasm: Uint8Array, imports: BoardImports): Promise<Firmware> {
    const mod = checkModule(wasm);
    const board: Record<string, unknown> = {};
    for (const n of [...BOARD_IMPORT_NAMES, ...BOARD_IMPORT_GLOBAL_NAMES]) board[n] = (imports as unknown as Record<string, unknown>)[n];
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
