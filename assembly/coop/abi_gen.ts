// Generated from boards/abi/abi.json by boards/abi/gen-abi.mjs (node boards/abi/gen-abi.mjs --as): do not edit.
// Board ABI facts for the firmware core; meanings in docs/abi.md.

/** The ABI version this module is built for; the board checks it first. */
export const ABI_VERSION: u32 = 1;

// Error codes the imports return (negative i32).
export const BOARD_EBADPORT: i32 = -1;
export const BOARD_EBADPTR: i32 = -2;
export const BOARD_EBUSY: i32 = -3;
export const BOARD_ENOTREADY: i32 = -4;

// Logical interrupt lines (bit n of irq_take() is line n); GPIO pin p is line IRQ_GPIO_BASE + p.
export const IRQ_ALARM: i32 = 0;
export const IRQ_UART0_RX: i32 = 1;
export const IRQ_UART0_TX: i32 = 2;
export const IRQ_UART1_RX: i32 = 3;
export const IRQ_UART1_TX: i32 = 4;
export const IRQ_ADC: i32 = 5;
export const IRQ_BUS: i32 = 6;
export const IRQ_SOFT: i32 = 7;
export const IRQ_GPIO_BASE: i32 = 16;
export const IRQ_LINES: i32 = 32;
export const GPIO_PINS: u32 = 16;

// gpio_irq edge selections (a bit set: rising 1, falling 2).
export const EDGE_OFF: u32 = 0;
export const EDGE_RISING: u32 = 1;
export const EDGE_FALLING: u32 = 2;
export const EDGE_BOTH: u32 = 3;

// board.trace kinds.
export const TRACE_POLL_BEGIN: u32 = 1;
export const TRACE_POLL_END: u32 = 2;
export const TRACE_WAKE: u32 = 3;
export const TRACE_SPAWN: u32 = 4;
export const TRACE_EXIT: u32 = 5;
export const TRACE_IRQ: u32 = 6;
export const TRACE_STEP_END: u32 = 7;
export const TRACE_MARK: u32 = 8;

// A TRACE_WAKE's b outside a poll: who woke the task (IRQ line n: WAKE_IRQ_BASE - n).
export const WAKE_OTHER: i32 = -1;
export const WAKE_TIMER: i32 = -2;
export const WAKE_IRQ_BASE: i32 = -64;

// coop_stat ids.
export const STAT_POLLS: u32 = 0;
export const STAT_LIVE_TASKS: u32 = 1;
export const STAT_SPAWN_FAILURES: u32 = 2;
export const STAT_TIMER_OVERFLOWS: u32 = 3;
export const STAT_TIMERS_ARMED: u32 = 4;

// board.resolve kinds: what a board-file name names; OPTIONAL is a flag or-ed into one.
export const NAME_PIN: u32 = 0;
export const NAME_ADC: u32 = 1;
export const NAME_UART: u32 = 2;
export const NAME_BUS: u32 = 3;
export const NAME_OPTIONAL: u32 = 256;

// coop_task_state values.
export const TASK_FREE: u8 = 0;
export const TASK_LIVE: u8 = 1;
export const TASK_ABORTING: u8 = 2;
