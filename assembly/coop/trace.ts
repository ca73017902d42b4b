// Runtime trace events, delivered through the board's `trace` import while
// tracing is on (export coop_set_trace). The kinds' numbers come from
// boards/abi/abi.json; their (a, b) arguments:
//   TRACE_POLL_BEGIN (task, 0): a task is about to be polled
//   TRACE_POLL_END   (task, 1 if the task completed else 0)
//   TRACE_WAKE       (task, waking task or -1 when woken by an IRQ, a timer or init)
//   TRACE_SPAWN      (task, 0)
//   TRACE_EXIT       (task, 1 if aborted else 0)
//   TRACE_IRQ        (line, number of waiters woken)
//   TRACE_STEP_END   (ready tasks left, 0): the ready-queue counter
export { TRACE_POLL_BEGIN, TRACE_POLL_END, TRACE_WAKE, TRACE_SPAWN, TRACE_EXIT, TRACE_IRQ, TRACE_STEP_END } from "./abi_gen";

// @ts-ignore: decorator
@lazy export let traceOn: bool = false;
