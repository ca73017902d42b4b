// Compile-time sizes of the runtime's static tables.
//
// Each can be overridden at build time with `--use NAME=value` (for example
// `coop build app.ts --use COOP_TASKS=256`, or `npm run build -- --use ...`);
// the defaults below apply otherwise. host/build.ts takes the knob names and
// ranges from this file: give every knob a range check of the form
// ERROR("NAME must be between MIN and MAX") at the end.
// Everything the core stores lives in tables of these sizes, allocated once
// when the module starts, so these numbers are the runtime's whole RAM budget.

// @ts-ignore: defined by `--use COOP_TASKS=n`
export const TASK_CAPACITY: i32 = isDefined(COOP_TASKS) ? COOP_TASKS : 32;

// @ts-ignore: defined by `--use COOP_TIMERS=n`
export const TIMER_CAPACITY: i32 = isDefined(COOP_TIMERS) ? COOP_TIMERS : TASK_CAPACITY;

// @ts-ignore: defined by `--use COOP_POLL_BUDGET=n`
export const POLL_BUDGET: i32 = isDefined(COOP_POLL_BUDGET) ? COOP_POLL_BUDGET : 1024;

/** Number of 32-bit words in a bitset with one bit per task slot. */
export const TASK_WORDS: i32 = (TASK_CAPACITY + 31) >> 5;

/** Interrupt lines the IRQ registry knows (one u32 of pending flags): boards/abi/abi.json. */
export { IRQ_LINES } from "./abi_gen";

// Task indices are stored in u16 fields and task ids carry them in 16 bits.
// @ts-ignore: compile-time check
if (TASK_CAPACITY < 1 || TASK_CAPACITY > 32767) ERROR("COOP_TASKS must be between 1 and 32767");
// @ts-ignore: compile-time check
if (TIMER_CAPACITY < 1 || TIMER_CAPACITY > 65534) ERROR("COOP_TIMERS must be between 1 and 65534");
// @ts-ignore: compile-time check
if (POLL_BUDGET < 1 || POLL_BUDGET > 1000000) ERROR("COOP_POLL_BUDGET must be between 1 and 1000000");
