// Signal<T>: a single value cell where the latest value wins (embassy's
// Signal), for "the newest reading" and for ping-pong between two tasks.
//
// Fast path: the oldest waiter sits in a slot of its own (`front`) and only
// later arrivals go through the intrusive WaitQueue. With one waiter (the
// usual case: a task waiting for its peer or for a driver) a wait is two
// field writes and a signal is one wake, with no list linking. The front
// waiter is never dequeued when it is woken: it stays the front until it
// takes the value or is cancelled, and "a value is reserved for a woken
// waiter" is simply `pending && front !== null`, so no separate grant state
// has to be kept in step.

import { Waker, wake } from "../coop";
import { zeroOf } from "./errors";
import { Waiter, WaitQueue } from "./waitqueue";

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
  /** Values replaced before anyone took them. */
  overwritten: u32 = 0;
  /**
   * The oldest waiter, kept out of `q` (null when nobody waits; then `q` is
   * empty too). It has been woken whenever a value is pending.
   */
  front: SignalWait<T> | null = null;
  /** Waiters behind `front`, oldest first. */
  q: WaitQueue = new WaitQueue();

  /** True if a value is waiting to be taken. */
  get signaled(): bool { return this.pending; }

  /** A waiter has been woken for the pending value and not yet taken it (so tryTake fails). */
  get reserved(): bool { return this.pending && this.front !== null; }

  /** Store v as the pending value (replacing an untaken one) and wake the oldest waiter. */
  // @ts-ignore: decorator
  @inline signal(v: T): void {
    this.value = v;
    if (this.pending) { this.overwritten++; return; }
    this.pending = true;
    const f = this.front;
    if (f) wake(f.qWaker);
  }

  /** Take the pending value without waiting: true (value in `value`) or false. Never overtakes a woken waiter. */
  tryTake(): bool {
    if (!this.pending || this.front !== null) return false;
    this.pending = false;
    return true;
  }

  /** Drop a pending value, if any. A woken waiter then goes back to waiting (keeping its place). */
  reset(): void { this.pending = false; }

  /** A wait future for this signal (allocates: call at init, then reuse). */
  waiter(): SignalWait<T> { return new SignalWait<T>(this); }

  /** Wake the oldest waiter again if a value is pending for it (harmless otherwise). */
  regrant(): void {
    const f = this.front;
    if (this.pending && f) wake(f.qWaker);
  }

  /** The front waiter leaves (took the value or was cancelled): the next one moves up. */
  // @ts-ignore: decorator
  @inline advance(): void {
    const n = this.q.head;
    if (n) {
      this.q.remove(n);
      this.front = changetype<SignalWait<T>>(n);
    } else {
      this.front = null;
    }
  }

  /** Take the pending value into w (the caller checked that w may). */
  // @ts-ignore: decorator
  @inline take(w: SignalWait<T>): void {
    this.pending = false;
    w.value = this.value;
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

  /**
   * Inlined where it is awaited: the two polls of an uncontended wait (the
   * first registers as the front, the second takes the value) touch only
   * `front`, `pending` and `value`; everything with a queue behind the front
   * is in pollQueued, out of line. Same behaviour as pollQueued on every path.
   */
  // @ts-ignore: decorator
  @inline poll(w: Waker): bool {
    const s = this.sig;
    const f = s.front;
    if (f === null || (f === this && s.q.head === null)) {
      // Nobody waits, or this is the front with nobody behind it: nothing is
      // reserved for anyone else, and taking leaves nobody to advance.
      if (s.signaled) {
        s.take(this);
        s.front = null;
        return true;
      }
      this.qWaker = w;
      s.front = this;
      return false;
    }
    return this.pollQueued(w);
  }

  /** poll when others wait: this is the front with waiters behind it, or it is behind the front. */
  pollQueued(w: Waker): bool {
    const s = this.sig;
    if (s.front === this) {
      // The oldest waiter: the pending value, if any, is its.
      if (s.signaled) {
        s.take(this);
        s.advance();
        return true;
      }
      this.qWaker = w; // spurious poll, or reset() took the value back: keep the place
      return false;
    }
    s.q.push(this, w); // behind the front; if already queued only the waker is updated
    return false;
  }

  cancel(): void {
    const s = this.sig;
    if (s.front === this) {
      s.advance();
      s.regrant(); // a value woken for this waiter goes to the next one (or stays pending)
    } else {
      s.q.remove(this);
    }
  }
}
