// Runtime trace events, delivered through the board's `trace` import while
// tracing is on (export coop_set_trace). Kinds and their (a, b) arguments:

/** A task is about to be polled: (task, 0). */
export const TRACE_POLL_BEGIN: u32 = 1;
/** A poll returned: (task, 1 if the task completed else 0). */
export const TRACE_POLL_END: u32 = 2;
/** A task was woken: (task, waking task or -1 when woken by an IRQ, a timer or init). */
export const TRACE_WAKE: u32 = 3;
/** A task was spawned: (task, 0). */
export const TRACE_SPAWN: u32 = 4;
/** A task ended: (task, 1 if aborted else 0). */
export const TRACE_EXIT: u32 = 5;
/** An interrupt line was delivered: (line, number of waiters woken). */
export const TRACE_IRQ: u32 = 6;
/** A step ended: (ready tasks left, 0). Used as the ready-queue counter. */
export const TRACE_STEP_END: u32 = 7;

// @ts-ignore: decorator
@lazy export let traceOn: bool = false;
