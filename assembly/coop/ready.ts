// The ready set: one bit per task slot. Waking a task sets its bit; the
// executor takes a snapshot of the set at the start of each batch. This is the
// lowest layer of the core: wakers, the IRQ registry and timers all end here.

import { TASK_CAPACITY, TASK_WORDS } from "./config";
import { Waker } from "./future";
import { trace } from "./board";
import { traceOn, TRACE_WAKE } from "./trace";

export const readySet = new StaticArray<u32>(TASK_WORDS);

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
 */
export function wake(task: Waker): void {
  if (<u32>task >= <u32>TASK_CAPACITY) return;
  const w = task >> 5;
  unchecked(readySet[w] = readySet[w] | (1 << (task & 31)));
  if (traceOn) trace(TRACE_WAKE, task, currentTask);
}

/** True if the task's ready bit is set. */
export function isReady(task: Waker): bool {
  if (<u32>task >= <u32>TASK_CAPACITY) return false;
  return (unchecked(readySet[task >> 5]) & (1 << (task & 31))) != 0;
}

/** Clear a task's ready bit (used when a task ends). */
export function unready(task: Waker): void {
  const w = task >> 5;
  unchecked(readySet[w] = readySet[w] & ~(1 << (task & 31)));
}

/** Number of tasks whose ready bit is set. */
export function readyCount(): i32 {
  let n = 0;
  for (let w = 0; w < TASK_WORDS; w++) n += <i32>popcnt(unchecked(readySet[w]));
  return n;
}
