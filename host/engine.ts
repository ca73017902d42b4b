// What the simulator needs from a WebAssembly engine. Two implementations:
// V8 (host/engines/v8.ts, via @assemblyscript/loader) and wasm3
// (host/engines/wasm3.ts). The board models never touch an engine directly:
// they get the firmware's memory through `FirmwareMemory`, which is
// re-resolved on every access because wasm memory may move when it grows.

/** Board imports as the simulator implements them (module "board" of docs/abi.md). */
export interface BoardImports {
  tick_hz(): number;
  now(): bigint;
  set_alarm(at: bigint): void;
  irq_take(): number;
  uart_write(port: number, ptr: number, len: number): number;
  uart_read(port: number, ptr: number, cap: number): number;
  uart_overruns(port: number): number;
  gpio_write(pin: number, level: number): number;
  gpio_read(pin: number): number;
  gpio_irq(pin: number, edges: number): number;
  adc_start(channel: number): number;
  adc_read(channel: number): number;
  bus_transfer(addr: number, wptr: number, wlen: number, rptr: number, rlen: number): number;
  bus_status(): number;
  resolve(kind: number, namePtr: number, nameLen: number): number;
  log(ptr: number, len: number): void;
  trace(kind: number, a: number, b: number): void;
  panic(msg: number, msgLen: number, file: number, fileLen: number, line: number, col: number): void;
  /**
   * The ABI's one global (docs/abi.md, board.irq_quiet): the board sets it to
   * 0 when it raises a flag and to 1 in irq_take; while it is 1 the executor
   * does not call irq_take. An engine that cannot share it with the module
   * (wasm3) leaves the module's copy at 0, which only costs the calls.
   */
  irq_quiet: WebAssembly.Global;
}

/** Checked access to the firmware's linear memory. Out-of-range access returns null / false. */
export interface FirmwareMemory {
  size(): number;
  read(ptr: number, len: number): Uint8Array | null;
  write(ptr: number, data: Uint8Array): boolean;
}

/**
 * Where a trap happened in the module the engine ran: the function index
 * and the module byte offset of the trapping instruction. Engines attach it
 * to the error a firmware call throws, as `frame`, when they know it.
 */
export interface TrapFrame {
  func: number;
  offset: number | null;
}

/** A loaded firmware module, exports of docs/abi.md. */
export interface Firmware {
  readonly memory: FirmwareMemory;
  abiVersion(): number;
  start(): void;
  step(): bigint;
  setTrace(on: boolean): void;
  taskCapacity(): number;
  taskState(slot: number): number;
  taskName(slot: number): string | null;
  /** "file.ts:line" of the await the task waits at (optional export coop_task_site; debug builds of async functions), else null. */
  taskSite(slot: number): string | null;
  /** The heap's bump pointer (optional export coop_heap_top), or null when the module lacks it. */
  heapTop(): number | null;
  /** Seal the heap after _start (optional export coop_heap_seal): returns the top, or null when the module lacks it. From then on a poll that allocates panics. */
  heapSeal(): number | null;
  /** The last memory.grow was refused (the linear-memory limit, or the engine's ceiling): a trap now is out of memory. */
  growRefused(): boolean;
  currentTask(): number;
  stat(id: number): bigint;
  irqDeliveries(line: number): number;
  irqKept(line: number): number;
  /** Release engine resources (child processes, native handles). */
  close(): void;
}

/** A module the engine refuses; the message is one line. */
export class EngineError extends Error {}

/** An error's first line (engines and the simulator word refusals in one line). */
export function oneLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split("\n")[0];
}

export interface Engine {
  readonly name: string;
  /**
   * The static module checks (the module gate, then the ABI exports and
   * imports) without instantiating: the simulator runs them before it
   * rewrites the module for fuel, so a refusal names the module as built.
   * Throws EngineError with a one-line message.
   */
  check(wasm: Uint8Array): void;
  /**
   * Validate and instantiate a module against the board imports. Rejects with
   * a one-line message for a module that is not wasm, lacks an ABI export, has
   * the wrong ABI version, or imports something the board does not provide.
   */
  load(wasm: Uint8Array, imports: BoardImports): Promise<Firmware>;
}
