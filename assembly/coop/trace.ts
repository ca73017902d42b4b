// Runtime trace events, delivered through the board's `trace` import while
// tracing is on (export coop_set_trace). The kinds' numbers come from
// boards/abi/abi.json; their (a, b) arguments:
//   TRACE_POLL_BEGIN (task, 0): a task is about to be polled
//   TRACE_POLL_END   (task, 1 if the task completed else 0)
//   TRACE_WAKE       (task, cause): the waking task during a poll, else
//                    WAKE_IRQ_BASE - line (an IRQ delivery), WAKE_TIMER (a
//                    timer expiry) or WAKE_OTHER (start-up, a board call)
//   TRACE_SPAWN      (task, 0)
//   TRACE_EXIT       (task, 1 if aborted else 0)
//   TRACE_IRQ        (line, number of waiters woken)
//   TRACE_STEP_END   (ready tasks left, 0): the ready-queue counter
//   TRACE_MARK       (pointer, byte length) of a UTF-16 name: mark()
import { trace } from "./board";
import { TRACE_MARK, WAKE_OTHER } from "./abi_gen";
export { TRACE_POLL_BEGIN, TRACE_POLL_END, TRACE_WAKE, TRACE_SPAWN, TRACE_EXIT, TRACE_IRQ, TRACE_STEP_END, TRACE_MARK } from "./abi_gen";
export { WAKE_OTHER, WAKE_TIMER, WAKE_IRQ_BASE } from "./abi_gen";

// @ts-ignore: decorator
@lazy export let traceOn: bool = false;

/**
 * Who wakes tasks outside a poll (TRACE_WAKE's b when no task is polled).
 * Only written while tracing is on: the IRQ registry and the timer pass set
 * it around their wakes, so with tracing off they pay one flag test.
 */
// @ts-ignore: decorator
@lazy export let wakeCause: i32 = WAKE_OTHER;

/** Set wakeCause (an importer cannot assign it); inlined: one global store. */
// @ts-ignore: decorator
@inline export function setWakeCause(cause: i32): void {
  wakeCause = cause;
}

/**
 * A named marker in the trace at this instant, on the polling task's track
 * (a span of the firmware's own to line up with pins and UART lines). Pass a
 * string literal: literals live in static data, so a mark never allocates.
 * With tracing off it is one flag test.
 */
// @ts-ignore: decorator
@inline export function mark(name: string): void {
  if (traceOn) trace(TRACE_MARK, <i32>changetype<usize>(name), name.length << 1);
}
