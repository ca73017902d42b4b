// The IRQ registry: coop's reactor. Interrupt handlers on the board only set
// pending flags; the executor takes all of them in one read-and-clear
// (board.irq_take) at the start of every batch and wakes the tasks waiting on
// each line. No interrupt is ever lost:
//
// - a line raised while tasks wait on it wakes all of them (each WaitIrq
//   completes once for that delivery);
// - a line raised while nobody waits is *kept*: the next WaitIrq on that line
//   completes at once and consumes it, and `irqKept(line)` counts such
//   deliveries;
// - several raises of a line between two takes coalesce into one delivery,
//   exactly as a hardware pending bit does. Drivers that must count events
//   read their peripheral's own counters (e.g. UART FIFO level, overruns).

import { IRQ_LINES } from "./config";
import { Future, Waker, E_RANGE, OK } from "./future";
import { WakerSet } from "./waker";
import { IRQ_ALARM, irq_take, trace } from "./board";
import { traceOn, TRACE_IRQ } from "./trace";

const waiters = new StaticArray<WakerSet>(IRQ_LINES);
const deliveries = new StaticArray<u32>(IRQ_LINES);
const keptCount = new StaticArray<u32>(IRQ_LINES);
let keptBits: u32 = 0;

for (let i = 0; i < IRQ_LINES; i++) unchecked(waiters[i] = new WakerSet());

/** Take the board's pending flags and wake the waiters of each. Returns the flags taken. */
export function dispatchIrqs(): u32 {
  const pending = irq_take();
  let bits = pending & ~(1 << IRQ_ALARM); // the alarm only ends the board's sleep; timers are checked every batch
  while (bits != 0) {
    const line = <i32>ctz(bits);
    bits &= bits - 1;
    unchecked(deliveries[line]++);
    const set = unchecked(waiters[line]);
    const n = set.wakeAll();
    if (n == 0) {
      keptBits |= 1 << line;
      unchecked(keptCount[line]++);
    }
    if (traceOn) trace(TRACE_IRQ, line, n);
  }
  return pending;
}

/** Deliveries of a line since start (raises between two takes count once). */
export function irqDeliveries(line: i32): u32 {
  return <u32>line < <u32>IRQ_LINES ? unchecked(deliveries[line]) : 0;
}

/** Deliveries of a line that found no waiter and were kept for the next wait. */
export function irqKept(line: i32): u32 {
  return <u32>line < <u32>IRQ_LINES ? unchecked(keptCount[line]) : 0;
}

/** True if a delivery of the line is being kept for the next waiter. */
export function irqPending(line: i32): bool {
  return <u32>line < <u32>IRQ_LINES && (keptBits & (1 << line)) != 0;
}

/** Drop a kept delivery (a driver that has drained its peripheral by polling). */
export function irqClearKept(line: i32): void {
  if (<u32>line < <u32>IRQ_LINES) keptBits &= ~(1 << line);
}

/**
 * Completes at the next delivery of an interrupt line (or at once if a
 * delivery is kept, consuming it). A line out of range (>= 32) completes at
 * once with `error = E_RANGE`. Reusable: each completion is one delivery.
 * Cancel: leaves the line's wait list; a delivery that arrives afterwards is
 * kept for the next waiter rather than lost.
 */
export class WaitIrq extends Future {
  error: i32 = OK;
  private waiting: bool = false;
  private seen: u32 = 0;
  private waker: Waker = -1;
  constructor(public line: i32) { super(); }

  poll(w: Waker): bool {
    const line = this.line;
    if (<u32>line >= <u32>IRQ_LINES) {
      this.error = E_RANGE;
      return true;
    }
    this.error = OK;
    const set = unchecked(waiters[line]);
    if (this.waiting) {
      if (unchecked(deliveries[line]) != this.seen) {
        this.waiting = false;
        set.remove(this.waker);
        return true;
      }
      if (this.waker != w) { set.remove(this.waker); this.waker = w; }
      set.add(w);
      return false;
    }
    if (keptBits & (1 << line)) {
      keptBits &= ~(1 << line);
      return true;
    }
    this.waiting = true;
    this.seen = unchecked(deliveries[line]);
    this.waker = w;
    set.add(w);
    return false;
  }

  cancel(): void {
    if (this.waiting) {
      this.waiting = false;
      const line = this.line;
      if (<u32>line < <u32>IRQ_LINES) unchecked(waiters[line]).remove(this.waker);
    }
  }
}

