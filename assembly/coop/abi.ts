// Board ABI v1: the exports. A firmware entry file re-exports this module
// (`export * from "../coop/abi"`); docs/abi.md documents each export.

import { ABI_VERSION } from "./board";
import { TASK_CAPACITY, IRQ_LINES } from "./config";
import { step, taskState, taskName, taskAwaitSite, liveTasks, spawnFailureCount, pollCount } from "./executor";
import { currentTask } from "./ready";
import { irqDeliveries, irqKept } from "./irq";
import { timerOverflows, timersArmed } from "./time";
import { traceOn } from "./trace";
import { heapTop, sealHeap } from "./seal";
import { STAT_POLLS, STAT_LIVE_TASKS, STAT_SPAWN_FAILURES, STAT_TIMER_OVERFLOWS, STAT_TIMERS_ARMED } from "./abi_gen";
import "./panic"; // the abort handler asconfig routes to (--use abort=...)

/** The ABI version the module implements; boards refuse a version they do not know. */
export function coop_abi_version(): u32 {
  return ABI_VERSION;
}

/**
 * Run ready tasks until none is ready. Returns the earliest timer deadline in
 * ticks, -1 for none, or a time <= now() when the poll budget ran out and the
 * board should call again without sleeping.
 */
export function coop_step(): i64 {
  return step();
}

/** Turn the board's `trace` import calls on (1) or off (0). Off at start. */
export function coop_set_trace(on: u32): void {
  // @ts-ignore: AssemblyScript lets a module assign an imported `let`; TypeScript does not
  traceOn = on != 0;
}

export function coop_task_capacity(): u32 {
  return <u32>TASK_CAPACITY;
}

/** 0 free, 1 live, 2 live with an abort pending. */
export function coop_task_state(slot: u32): u32 {
  return taskState(<i32>slot);
}

/**
 * The name given at spawn to the task in a slot, as a pointer to UTF-16LE
 * code units whose byte length is the u32 stored 4 bytes before it (the
 * AssemblyScript string layout); 0 if the slot was never used.
 */
export function coop_task_name(slot: u32): usize {
  return changetype<usize>(taskName(<i32>slot));
}

/**
 * Where the task in a slot waits: "file.ts:line" of its current await, in
 * the same string layout as coop_task_name; 0 when it is not known (a
 * hand-written future, a release build). Optional for boards: the simulator
 * shows it in its metrics.
 */
export function coop_task_site(slot: u32): usize {
  return changetype<usize>(taskAwaitSite(<i32>slot));
}

/**
 * The heap's bump pointer (the stub runtime gives back the last block, so
 * probing does not move it). Optional for boards: they report its growth
 * since coop_heap_seal as the bytes a task allocated after start-up.
 */
export function coop_heap_top(): usize {
  return heapTop();
}

/**
 * Seal the heap (seal.ts): call once, after _start. Returns the heap top as
 * coop_heap_top does; from then on a poll that allocates stops the firmware
 * with a panic, the task still current, so the board can report it.
 * Optional for boards: without the call nothing is checked.
 */
export function coop_heap_seal(): usize {
  return sealHeap();
}

/** The slot being polled, or -1. After a trap it names the task that trapped. */
export function coop_current_task(): i32 {
  return currentTask;
}

/** Runtime counters by id (STAT_*); -1 for an unknown id. */
export function coop_stat(id: u32): i64 {
  switch (id) {
    case STAT_POLLS: return <i64>pollCount();
    case STAT_LIVE_TASKS: return liveTasks();
    case STAT_SPAWN_FAILURES: return spawnFailureCount();
    case STAT_TIMER_OVERFLOWS: return timerOverflows;
    case STAT_TIMERS_ARMED: return timersArmed();
  }
  return -1;
}

/** Deliveries of an IRQ line since start, and how many of them found no waiter (kept). */
export function coop_irq_deliveries(line: u32): u32 {
  return <u32>line < <u32>IRQ_LINES ? irqDeliveries(<i32>line) : 0;
}

export function coop_irq_kept(line: u32): u32 {
  return <u32>line < <u32>IRQ_LINES ? irqKept(<i32>line) : 0;
}
