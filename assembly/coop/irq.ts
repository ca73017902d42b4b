// The IRQ registry: coop's reactor. Interrupt handlers on the board only set
// pending flags; the executor takes all of them in one read-and-clear
// (board.irq_take) at the start of every batch (skipped while the board says
// irq_quiet: nothing raised since the last take) and wakes the futures waiting
// on each line. No interrupt is ever lost:
//
// - a line raised while futures wait on it wakes all of them (each WaitIrq
//   completes once for that delivery);
// - a line raised while nobody waits is *kept*: the next WaitIrq on that line
//   completes at once and consumes it, and `irqKept(line)` counts such
//   deliveries. Kept deliveries coalesce like a hardware pending bit: two
//   kept deliveries before the next wait complete one WaitIrq;
// - several raises of a line between two takes coalesce into one delivery,
//   exactly as a hardware pending bit does. Drivers that must count events
//   read their peripheral's own counters (e.g. UART FIFO level, overruns).
//
// Line 0 (IRQ_ALARM) belongs to the timer queue: the alarm only ends the
// board's idle sleep, timers are checked before every batch anyway. It is
// never delivered and cannot be waited on.
//
// Each line's waiters are an intrusive doubly linked list of the waiting
// WaitIrq objects themselves (no allocation, O(1) join and leave). A list of
// futures rather than a bitset of tasks is what lets two futures of the same
// task wait on the same line independently: cancelling one leaves the
// other's registration in place.

import { IRQ_LINES } from "./config";
import { Future, Waker, NO_WAKER, E_RANGE, OK } from "./future";
import { wake } from "./ready";
import { IRQ_ALARM, irq_take, irq_quiet, trace } from "./board";
import { traceOn, setWakeCause, TRACE_IRQ, WAKE_IRQ_BASE, WAKE_OTHER } from "./trace";

// Per-line tables in static data (no headers; a load at a constant base).
// The heads are raw pointers to WaitIrq objects, sound under the stub
// runtime for the reason given in executor.ts (no collector, objects never move).
const HEADS: usize = memory.data(IRQ_LINES << 2, 4);
const DELIVERIES: usize = memory.data(IRQ_LINES << 2, 4);
const KEPT: usize = memory.data(IRQ_LINES << 2, 4);
const MERGED: usize = memory.data(IRQ_LINES << 2, 4);
let keptBits: u32 = 0;

// @ts-ignore: decorator
@inline function headOf(line: i32): WaitIrq | null { return changetype<WaitIrq | null>(load<usize>(<usize>line << 2, HEADS)); }
// @ts-ignore: decorator
@inline function setHead(line: i32, f: WaitIrq | null): void { store<usize>(<usize>line << 2, changetype<usize>(f), HEADS); }
// @ts-ignore: decorator
@inline function deliveriesOf(line: i32): u32 { return load<u32>(<usize>line << 2, DELIVERIES); }
// @ts-ignore: decorator
@inline function bump(table: usize, line: i32): void { const a = table + (<usize>line << 2); store<u32>(a, load<u32>(a) + 1); }

// @ts-ignore: decorator
@inline function lineOk(line: i32): bool {
  // Lines 1..31: line 0 is the alarm, never delivered.
  return <u32>(line - 1) < <u32>(IRQ_LINES - 1);
}

// @ts-ignore: decorator
@inline function link(f: WaitIrq, line: i32): void {
  const h = headOf(line);
  f._prev = null;
  f._next = h;
  if (h) h._prev = f;
  setHead(line, f);
  f._linked = true;
}

// @ts-ignore: decorator
@inline function unlink(f: WaitIrq, line: i32): void {
  if (!f._linked) return;
  const p = f._prev, n = f._next;
  if (p) p._next = n; else setHead(line, n);
  if (n) n._prev = p;
  f._prev = null;
  f._next = null;
  f._linked = false;
}

/**
 * Take the board's pending flags and wake the waiters of each line (the
 * executor calls this before every batch). Returns the flags taken.
 */
// @ts-ignore: decorator
@inline export function dispatchIrqs(): u32 {
  // Inlined into step: most batches take no flag, and then this is a read of
  // the board's irq_quiet (no call at all when the board keeps it), or one
  // import call and a test, with no call of the delivery loop below.
  if (irq_quiet != 0) return 0;
  const pending = irq_take();
  const bits = pending & ~(1 << IRQ_ALARM);
  if (bits != 0) deliver(bits);
  return pending;
}

/** Deliver each line whose bit is set in `bits` (line 0 excluded by the caller). */
function deliver(bits: u32): void {
  while (bits != 0) {
    const line = <i32>ctz(bits);
    bits &= bits - 1;
    bump(DELIVERIES, line);
    if (traceOn) setWakeCause(WAKE_IRQ_BASE - line); // the wakes below name this line
    // Empty the list: every waiter sees this delivery (its count moved past
    // `seen`) and completes at its next poll.
    let f = headOf(line);
    setHead(line, null);
    let n = 0;
    while (f) {
      const next = f._next;
      f._prev = null;
      f._next = null;
      f._linked = false;
      wake(f._waker);
      n++;
      f = next;
    }
    if (n == 0) {
      if (keptBits & (1 << line)) bump(MERGED, line);
      keptBits |= 1 << line;
      bump(KEPT, line);
    }
    if (traceOn) {
      trace(TRACE_IRQ, line, n);
      setWakeCause(WAKE_OTHER);
    }
  }
}

/** Deliveries of a line since start (raises between two takes count once); 0 for line 0 and lines out of range. */
export function irqDeliveries(line: i32): u32 {
  return <u32>line < <u32>IRQ_LINES ? deliveriesOf(line) : 0;
}

/** Deliveries of a line that found no waiter and were kept for the next wait. */
export function irqKept(line: i32): u32 {
  return <u32>line < <u32>IRQ_LINES ? load<u32>(KEPT + (<usize>line << 2)) : 0;
}

/**
 * Kept deliveries of a line that found an earlier kept one still unconsumed
 * and merged into it (so one WaitIrq completes for both). Every delivery is
 * thus exactly one of: seen by the waiters it woke, consumed by a later wait
 * (kept - merged, minus one if still pending), or merged.
 */
export function irqKeptMerged(line: i32): u32 {
  return <u32>line < <u32>IRQ_LINES ? load<u32>(MERGED + (<usize>line << 2)) : 0;
}

/** True if a delivery of the line is being kept for the next waiter. */
export function irqPending(line: i32): bool {
  return <u32>line < <u32>IRQ_LINES && (keptBits & (1 << line)) != 0;
}

/** Drop a kept delivery (a driver that has drained its peripheral by polling). */
export function irqClearKept(line: i32): void {
  if (<u32>line < <u32>IRQ_LINES) keptBits &= ~(1 << line);
}

/** Number of WaitIrq futures currently registered on a line (walks the list; for tests and diagnostics). */
export function irqWaiters(line: i32): i32 {
  if (!lineOk(line)) return 0;
  let n = 0;
  let f = headOf(line);
  while (f) { n++; f = f._next; }
  return n;
}

/** Linear-memory bytes of the registry's tables (list heads, counters): static data, 4 words per line. */
export function irqRamBytes(): usize {
  return <usize>(IRQ_LINES << 4);
}

/**
 * Completes at the next delivery of an interrupt line, or at once if a
 * delivery of the line is kept (consuming it; `kept` is then true).
 * Reusable: each completion is one delivery.
 *
 * Bad input: a line out of range (0, the alarm line, or >= IRQ_LINES)
 * completes at once with `error = E_RANGE`; nothing is registered.
 *
 * Wakes: its task, when the executor takes a pending flag of the line.
 * Cancel: leaves the line's wait list (other futures waiting on the line,
 * even in the same task, stay registered). If a delivery had already woken
 * it but it was cancelled before seeing it (e.g. it lost a select), that
 * delivery is handed back as kept, so the next WaitIrq on the line still
 * completes: a delivery is never silently dropped.
 */
export class WaitIrq extends Future {
  /** OK, or E_RANGE for a bad line. */
  error: i32 = OK;
  /** True if the last completion consumed a kept delivery (it did not wait). */
  kept: bool = false;
  /** Per-line number (from 1) of the delivery behind the last completion; for a kept one, the latest kept delivery. */
  delivery: u32 = 0;
  private waiting: bool = false;
  private seen: u32 = 0;
  // Wait-list links: internal to the registry (module functions above).
  _waker: Waker = NO_WAKER;
  _linked: bool = false;
  _prev: WaitIrq | null = null;
  _next: WaitIrq | null = null;

  constructor(public line: i32) { super(); }

  /**
   * Wait on `line` from now on and return this, to await it:
   * `await irq.on(IRQ_SOFT)`. Moving a WaitIrq that is waiting on another
   * line cancels that wait first (a delivery it had been woken for is handed
   * back as kept, as cancel() does); the same line changes nothing.
   */
  on(line: i32): WaitIrq {
    if (line != this.line) {
      this.cancel();
      this.line = line;
    }
    return this;
  }

  poll(w: Waker): bool {
    const line = this.line;
    if (!lineOk(line)) {
      this.error = E_RANGE;
      this.kept = false;
      return true;
    }
    this.error = OK;
    if (this.waiting) {
      if (deliveriesOf(line) != this.seen) {
        // Woken by delivery seen+1 (every delivery empties the list).
        unlink(this, line);
        this.waiting = false;
        this.kept = false;
        this.delivery = this.seen + 1;
        return true;
      }
      this._waker = w; // polled from another task: wake that one instead
      if (!this._linked) link(this, line);
      return false;
    }
    const bit: u32 = 1 << line;
    if (keptBits & bit) {
      keptBits &= ~bit;
      this.kept = true;
      this.delivery = deliveriesOf(line);
      return true;
    }
    this.waiting = true;
    this.seen = deliveriesOf(line);
    this._waker = w;
    link(this, line);
    return false;
  }

  cancel(): void {
    if (!this.waiting) return;
    this.waiting = false;
    const line = this.line;
    if (!lineOk(line)) return;
    unlink(this, line);
    // Woken but never polled since: give the delivery back.
    if (deliveriesOf(line) != this.seen) keptBits |= 1 << line;
  }
}
