// Controls of the fake board (tests/core/fake-board.js) for the core specs.

@external("fake", "set_time") export declare function setTime(t: i64): void;
@external("fake", "advance") export declare function advance(d: i64): void;
@external("fake", "raise") export declare function raise(line: i32): void;
@external("fake", "pending") export declare function pendingFlags(): u32;
/** 1: the fake board keeps board.irq_quiet (0 on a raise, 1 in irq_take); 0: it leaves it at 0 (the default). */
@external("fake", "keep_quiet") export declare function keepQuiet(on: i32): void;
/** The fake board's board.irq_quiet now. */
@external("fake", "quiet") export declare function quietNow(): i32;
@external("fake", "alarm") export declare function alarm(): i64;
@external("fake", "alarm_sets") export declare function alarmSets(): i32;
@external("fake", "gpio_level") export declare function gpioLevel(pin: u32): u32;
@external("fake", "trace_count") export declare function traceCount(kind: u32): i32;
@external("fake", "log_count") export declare function logCount(): i32;
@external("fake", "reset_counts") export declare function resetCounts(): void;

/**
 * The heap's bump pointer. The core builds with the stub runtime, whose free
 * of the last block gives it back, so alloc(0)+free measures without growing.
 * Any allocation between two probes moves it.
 */
export function heapTop(): usize {
  const p = heap.alloc(0);
  heap.free(p);
  return p;
}

/** Ordered trace records since the last resetCounts() (kind, a, b); recorded only while traceOn. */
@external("fake", "trace_len") export declare function traceLen(): i32;
@external("fake", "trace_kind") export declare function traceKind(i: i32): u32;
@external("fake", "trace_a") export declare function traceA(i: i32): i32;
@external("fake", "trace_b") export declare function traceB(i: i32): i32;
/** Calls of board.now / board.irq_take since the last resetCounts(). */
@external("fake", "now_reads") export declare function nowReads(): i32;
@external("fake", "irq_takes") export declare function irqTakes(): i32;

import { TASK_CAPACITY, abort, taskIdOf } from "../../assembly/coop";
import { step } from "../../assembly/coop/executor";

/** Abort every live task and run a step, so the next test starts with an empty table. Returns how many were aborted. */
export function abortAll(): i32 {
  let n = 0;
  for (let i = 0; i < TASK_CAPACITY; i++) {
    const id = taskIdOf(i);
    if (id >= 0 && abort(id)) n++;
  }
  step();
  return n;
}

// ---- test futures -----------------------------------------------------------
// Small futures whose behaviour the specs control. Each records its `tag`
// in the shared log when polled, so specs can check poll order.

import { Future, Waker, WakerSlot, wake } from "../../assembly/coop";

const logBuf = new StaticArray<i32>(8192);
let logN: i32 = 0;
export function record(v: i32): void { if (logN < 8192) unchecked(logBuf[logN++] = v); }
export function logLen(): i32 { return logN; }
export function logAt(i: i32): i32 { return i < logN ? logBuf[i] : -999; }
export function clearLog(): void { logN = 0; }

/** Pending until `open()`; then completes at its next poll (once per open). */
export class Gate extends Future {
  isOpen: bool = false;
  polls: i32 = 0;
  cancels: i32 = 0;
  slot: WakerSlot = new WakerSlot();
  constructor(public tag: i32 = 0) { super(); }
  poll(w: Waker): bool {
    this.polls++;
    record(this.tag);
    if (this.isOpen) { this.isOpen = false; return true; }
    this.slot.register(w);
    return false;
  }
  open(): void { this.isOpen = true; this.slot.wake(); }
  cancel(): void { this.cancels++; this.slot.clear(); }
}

/** Wakes itself on every poll and stays pending; completes after `limit` polls (never if limit < 0). */
export class Spinner extends Future {
  polls: i32 = 0;
  cancels: i32 = 0;
  constructor(public tag: i32 = 0, public limit: i32 = -1) { super(); }
  poll(w: Waker): bool {
    this.polls++;
    record(this.tag);
    if (this.limit >= 0 && this.polls >= this.limit) return true;
    wake(w);
    return false;
  }
  cancel(): void { this.cancels++; }
}

/** Deterministic xorshift32 for seeded specs: the same seed gives the same sequence (0 is replaced by a fixed non-zero seed). */
export class Rng {
  constructor(public s: u32) { if (s == 0) this.s = 0x9e3779b9; }
  next(): u32 {
    let x = this.s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    this.s = x;
    return x;
  }
  /** Uniform-ish in [0, n). */
  below(n: u32): u32 { return this.next() % n; }
}
