// coop's public API for firmware: import from "../coop" (or the package path).

export { Future, Waker, NO_WAKER, OK, E_RANGE } from "./future";
export { WakerSlot, WakerSet } from "./waker";
export { wake, currentTask } from "./ready";
export {
  TaskId, SPAWN_FULL, SPAWN_BUSY, spawn, abort, step, JoinHandle, JoinHandleBase, YieldNow,
  taskState, taskName, liveTasks, taskIdOf, slotOf, TASK_FREE, TASK_LIVE, TASK_ABORTING,
  taskStatus, taskStatusName, TASK_RUNNING, TASK_READY, TASK_WAITING,
} from "./executor";
export { yieldNow } from "./yield";
export { JoinSet, JoinNext, JOINSET_FULL } from "./joinset";
export { WaitIrq, irqDeliveries, irqKept, irqPending, irqClearKept, irqWaiters, irqKeptMerged } from "./irq";
export {
  Instant, Duration, NEVER, now, tickHz, micros, millis, seconds, asMicros, addSat,
  TimerFuture, Sleep, SleepUntil, Ticker, Timeout, withTimeout,
} from "./time";
export { Join2, Join3, JoinAll, Select2, Select3, SelectAll, Race } from "./combinators";
export { log } from "./log";
export { TASK_CAPACITY, TIMER_CAPACITY, IRQ_LINES } from "./config";
export * from "./board";
