// coop's public API for firmware: import from "../coop" (or the package path).
// What firmware needs and nothing else: the executor's internals (step, which
// the board drives through coop_step; spawnInto; the ready set), the IRQ
// registry's bookkeeping and the board calls the executor owns are imported
// by specs and internal code from their own files.

import "./async";
export { Future, Waker, NO_WAKER, OK, E_RANGE } from "./future";
export { WakerSlot, WakerSet } from "./waker";
export { wake, currentTask } from "./ready";
export {
  TaskId, SPAWN_FULL, SPAWN_BUSY, spawn, abort, JoinHandle, YieldNow,
  taskState, taskName, liveTasks, taskIdOf, slotOf, TASK_FREE, TASK_LIVE, TASK_ABORTING,
  taskStatus, taskStatusName, TASK_RUNNING, TASK_READY, TASK_WAITING,
} from "./executor";
export { yieldNow } from "./yield";
export { JoinSet, JoinNext, JOINSET_FULL } from "./joinset";
export { WaitIrq, irqDeliveries, irqKept } from "./irq";
export {
  Instant, Duration, NEVER, now, tickHz, micros, millis, seconds, asMicros, addSat,
  TimerFuture, Sleep, SleepUntil, Ticker, Timeout, withTimeout,
} from "./time";
export { Join2, Join3, JoinAll, Select2, Select3, SelectAll, Race } from "./combinators";
export { log } from "./log";
// Board-file names ("LED", "POT", "UART0"), resolved once at start-up through board.resolve.
export { pinNamed, adcChannelNamed, uartPortNamed, busDeviceNamed, optionalPin, optionalAdcChannel, ABSENT } from "./names";
export { mark } from "./trace";
export { TASK_CAPACITY, TIMER_CAPACITY, IRQ_LINES } from "./config";
// The board's peripheral calls, for drivers written in firmware, and the
// interrupt lines and error codes. Not exported: the calls that belong to the
// executor (irq_take, set_alarm, now and tick_hz: use now()/tickHz() above,
// trace, log: use log() above, panic).
export {
  BOARD_EBADPORT, BOARD_EBADPTR, BOARD_EBUSY, BOARD_ENOTREADY,
  IRQ_UART0_RX, IRQ_UART0_TX, IRQ_UART1_RX, IRQ_UART1_TX, IRQ_ADC, IRQ_BUS, IRQ_SOFT, IRQ_GPIO_BASE,
  uart_write, uart_read, uart_overruns, gpio_write, gpio_read, gpio_irq, adc_start, adc_read, bus_transfer, bus_status,
} from "./board";
