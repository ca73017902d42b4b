// The ready set: one bit per task slot. Waking a task sets its bit; the
// executor takes a snapshot of the set at the start of each batch. This is the
// lowest layer of the core: wakers, the IRQ registry and timers all end here.

import { TASK_CAPACITY, TASK_WORDS } from "./config";
import { Waker } from "./future";
import { trace } from "./board";
import { traceOn, wakeCause, TRACE_WAKE } from "./trace";

// In static data (no object header): TASK_WORDS words, bit n = task n.
const READY: usize = memory.data(TASK_WORDS << 2, 4);

/** Word w of the ready bitset (for the executor). */
// @ts-ignore: decorator
@inline export function readyWord(w: i32): u32 { return load<u32>(<usize>w << 2, READY); }
/** Set word w of the ready bitset (for the executor). */
// @ts-ignore: decorator
@inline export function setReadyWord(w: i32, v: u32): void { store<u32>(<usize>w << 2, v, READY); }
/** Bytes of the ready bitset. */
export const READY_BYTES: i32 = TASK_WORDS << 2;

/** Index of the task being polled, or -1 outside a poll. */
export let currentTask: i32 = -1;

/** Set by the executor around each poll. */
export function setCurrentTask(task: i32): void {
  currentTask = task;
}

/**
 * Wake a task: it will be polled in the next batch. Waking is idempotent
 * (waking twice before the poll polls once), never allocates, and ignores
 * indices outside the table. Waking a slot that holds no live task is a no-op
 * for the executor (the bit is discarded when the batch is taken).
 * Inlined: it is the hottest call in the runtime (every signal, delivery and
 * expiry ends here) and a few instructions long.
 */
// @ts-ignore: decorator
@inline export function wake(task: Waker): void {
  if (<u32>task >= <u32>TASK_CAPACITY) return;
  const w = task >> 5;
  setReadyWord(w, readyWord(w) | (1 << (task & 31)));
  if (traceOn) trace(TRACE_WAKE, task, currentTask >= 0 ? currentTask : wakeCause);
}

/** True if the task's ready bit is set. */
export function isReady(task: Waker): bool {
  if (<u32>task >= <u32>TASK_CAPACITY) return false;
  return (readyWord(task >> 5) & (1 << (task & 31))) != 0;
}

/** Clear a task's ready bit (used when a task ends). */
export function unready(task: Waker): void {
  if (<u32>task >= <u32>TASK_CAPACITY) return;
  const w = task >> 5;
  setReadyWord(w, readyWord(w) & ~(1 << (task & 31)));
}

/** Number of tasks whose ready bit is set. */
export function readyCount(): i32 {
  let n = 0;
  for (let w = 0; w < TASK_WORDS; w++) n += <i32>popcnt(readyWord(w));
  return n;
}
