// The future contract: what every task and every awaitable in coop implements.

/**
 * A waker is the index of the task to wake: an integer, so waking never
 * allocates and never needs a reference count. Waking a task sets its bit in
 * the executor's ready set.
 */
export type Waker = i32;

/** "No task": the waker of code running outside any task (init, IRQ dispatch). */
export const NO_WAKER: Waker = -1;

/**
 * An asynchronous computation, written as a state machine.
 *
 * - `poll(waker)` advances it as far as it can. It returns `true` when the
 *   computation is complete (its result, if any, is in the future's own fields)
 *   and `false` when it must wait; before returning `false` it has arranged for
 *   `waker` to be woken when progress is possible.
 * - A future that returned `true` is back in its idle state and has released
 *   everything it registered: polling it again starts the operation anew.
 *   This is how futures are reused without allocating.
 * - Spurious polls are allowed: a future must tolerate being polled when
 *   nothing it waits for has happened, and simply return `false` again.
 * - `cancel()` is coop's "drop": it releases every registration (timer entry,
 *   wait-list place, IRQ waiter) and returns the future to idle. It is safe in
 *   any state, including idle and complete. Each future documents what
 *   cancelling it loses or keeps.
 */
export abstract class Future {
  abstract poll(waker: Waker): bool;
  cancel(): void {}
  /** Where the future waits now, as "file.ts:line" (async functions; "" otherwise). */
  get awaitSite(): string { return ""; }
}

/** Result codes futures report in their `error` field (0 means success). */
export const OK: i32 = 0;
/** An argument was out of range (for example an IRQ line >= 32). */
export const E_RANGE: i32 = -10;
