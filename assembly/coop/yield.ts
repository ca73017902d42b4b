// yieldNow(): one shared future that gives the other ready tasks a turn, for
// `await yieldNow()` without a field per task.
//
// The shared object is a lazy global: a firmware that never calls yieldNow()
// pays nothing for it (measured: an eager `new` at start-up would add about
// 190 bytes to every firmware, blinky included, since index.ts re-exports
// this file). The price is that the object is built by the first call.

import { TASK_CAPACITY } from "./config";
import { Future, Waker } from "./future";
import { wake, currentTask } from "./ready";
import { YIELDED, clearYield } from "./executor";

/** The future behind `yieldNow()`: one object for every task, its state a bit per task slot. */
class SharedYield extends Future {
  poll(w: Waker): bool {
    if (<u32>w >= <u32>TASK_CAPACITY) return true; // outside a task: nobody to give a turn to
    const a = YIELDED + (<usize>(w >> 5) << 2);
    const bit: u32 = 1 << (w & 31);
    const v = load<u32>(a);
    if (v & bit) {
      store<u32>(a, v & ~bit);
      return true;
    }
    store<u32>(a, v | bit);
    wake(w);
    return false;
  }
  cancel(): void {
    // Called from inside the task's own poll (a select it lost, a combinator
    // cancelling it) this forgets that task's pending yield. An aborted task's
    // bit is cleared when its slot is freed (finish).
    const t = currentTask;
    if (t >= 0) clearYield(t);
  }
}

// @ts-ignore: decorator
@lazy const YIELD_NOW = new SharedYield();

/**
 * A future that gives the other ready tasks a turn, like YieldNow, shared by
 * every task and built at start-up, so `await yieldNow()` allocates nothing
 * and needs no field: the first poll wakes its own task and returns pending
 * (the task runs again in the next batch), the next poll from that task
 * completes. Its state is one bit per task slot, so any number of tasks may
 * await it at once, but one task must not have two yieldNow() pending at
 * once (in a Join of two, say: use YieldNow objects for that). Cancel:
 * forgets the pending yield of the task being polled (an ended task's is
 * cleared when its slot is freed). Polled outside a task (waker -1) it
 * completes at once.
 *
 * Allocation: the first call builds the shared object (one 32-byte block of
 * the bump heap, once for the whole firmware); later calls return it. Make
 * that first call at init (top-level code, or before a task's first await)
 * so that the steady state never allocates; `YieldNow` objects built at
 * init are the alternative.
 */
export function yieldNow(): Future {
  return YIELD_NOW;
}
