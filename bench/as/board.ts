// The bench board: a fake board ABI (module "board" of docs/abi.md) written
// in wasm, so the bench module's calls to now/irq_take/set_alarm (and its reads of
// the irq_quiet global, which this board keeps) are
// wasm-to-wasm calls on V8 (no JS boundary, no BigInt for i64 times). The
// workload loops drive it through `set_now` and `raise` (module "benchctl").
// Built separately into build/bench/board.wasm; nothing imports this file.

let vnow: i64 = 0;
let pending: u32 = 0;
let alarmAt: i64 = -1;
let panics: u32 = 0;

export function tick_hz(): u32 { return 1_000_000; }
export function now(): i64 { return vnow; }
export function set_alarm(at: i64): void { alarmAt = at; }
/** Read-and-clear of the pending flags, as a real board's ISR-safe take. */
export function irq_take(): u32 { const p = pending; pending = 0; irq_quiet = 1; return p; }
/** board.irq_quiet (docs/abi.md): 0 from a raise until the next take; the firmware imports this global. */
export let irq_quiet: i32 = 0;

function logImpl(ptr: u32, len: u32): void {}
function traceImpl(kind: u32, a: i32, b: i32): void {}
/** The bench never panics; if it does, stop with a trap the runner reports. */
function panicImpl(msg: u32, msgLen: u32, file: u32, fileLen: u32, line: u32, col: u32): void {
  panics++;
  unreachable();
}
export { logImpl as log, traceImpl as trace, panicImpl as panic };

// ---- benchctl: what the workload loop uses to play the world ---------------

/** Move virtual time (never backwards; the bench only moves it forward). */
export function set_now(t: i64): void { if (t > vnow) vnow = t; }
/** An interrupt on a line: sets its pending flag, as an ISR would. */
export function raise(line: i32): void { pending |= 1 << line; irq_quiet = 0; }
/** Start every workload from time 0 with nothing pending. */
export function reset(): void { vnow = 0; pending = 0; irq_quiet = 0; alarmAt = -1; }
export function alarm(): i64 { return alarmAt; }
