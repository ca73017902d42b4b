// Signal<T>: a single value cell where the latest value wins (embassy's
// Signal), for "the newest reading" and for ping-pong between two tasks.

import { Waker } from "../coop";
import { zeroOf } from "./errors";
import { Waiter, WaitQueue, GRANT_ONE, GRANT_NONE } from "./waitqueue";

/**
 * Holds at most one pending value; signalling again before it is taken
 * overwrites it (latest value wins; `overwritten` counts the lost ones).
 *
 * - Wakes: signal() wakes the oldest waiting SignalWait (one per value);
 *   that waiter takes the value when it is polled.
 * - Interrupt side: signal() may be called outside any task; it never
 *   allocates.
 *
 * Static RAM: header + 16 bytes + sizeof<T>() (rounded to 8 for f64/i64) +
 * one WaitQueue (12 bytes + header).
 */
export class Signal<T> {
  /** The latest value signalled (stays readable after it was taken). */
  value: T = zeroOf<T>();
  private pending: bool = false;
  /** A waiter has been woken for the pending value and not yet polled. */
  reserved: bool = false;
  /** Values replaced before anyone took them. */
  overwritten: u32 = 0;
  q: WaitQueue = new WaitQueue();

  /** True if a value is waiting to be taken. */
  get signaled(): bool { return this.pending; }

  /** Store v as the pending value (replacing an untaken one) and wake the oldest waiter. */
  signal(v: T): void {
    this.value = v;
    if (this.pending) { this.overwritten++; return; }
    this.pending = true;
    if (!this.reserved && this.q.grantFront(GRANT_ONE)) this.reserved = true;
  }

  /** Take the pending value without waiting: true (value in `value`) or false. Never overtakes a woken waiter. */
  tryTake(): bool {
    if (!this.pending || this.reserved) return false;
    this.pending = false;
    return true;
  }

  /** Drop a pending value, if any. A woken waiter then goes back to waiting. */
  reset(): void { this.pending = false; }

  /** A wait future for this signal (allocates: call at init, then reuse). */
  waiter(): SignalWait<T> { return new SignalWait<T>(this); }

  /** Pass the pending value's reservation on (a woken waiter left or took it). */
  regrant(): void {
    this.reserved = false;
    if (this.pending && this.q.grantFront(GRANT_ONE)) this.reserved = true;
  }
}

/**
 * Completes when the signal holds a value, taking it (into `value`).
 * Waiters are served oldest first, one value each. Reusable.
 *
 * Cancel: leaves the wait list. A value already reserved for it is not
 * taken: it stays pending and the next waiter is woken for it.
 */
export class SignalWait<T> extends Waiter {
  value: T = zeroOf<T>();
  constructor(public sig: Signal<T>) { super(); }

  poll(w: Waker): bool {
    const s = this.sig;
    if (this.qGrant == GRANT_ONE) {
      this.qGrant = GRANT_NONE;
      s.reserved = false;
      if (s.signaled) {
        s.reset();
        this.value = s.value;
        return true;
      }
      // reset() took the value back: wait again, at the front is fair but the back is simpler.
    } else if (!this.qQueued && !s.reserved && s.signaled) {
      s.reset();
      this.value = s.value;
      return true;
    }
    s.q.push(this, w);
    return false;
  }

  cancel(): void {
    const s = this.sig;
    s.q.remove(this);
    if (this.qGrant == GRANT_ONE) {
      this.qGrant = GRANT_NONE;
      s.regrant();
    }
  }
}
