// Mutex<T>: an async lock whose ownership passes directly from the unlocking
// holder to the oldest waiter, so waiters are served strictly first-come
// first-served and nobody can slip in between.

import { Waker, OK } from "../coop";
import { E_NOT_HELD } from "./errors";
import { Waiter, WaitQueue, GRANT_ONE, GRANT_NONE } from "./waitqueue";

/**
 * Guards `data`. Lock futures (one per user, built at init) take it; the
 * holder may keep it across any number of waits and must call
 * `lock.unlock()`, which is checked (E_NOT_HELD if that Lock does not hold
 * it; counted in `badUnlocks`).
 *
 * Wakes: unlock() wakes the oldest waiting Lock, which already owns the
 * mutex when it is polled. Never allocates after construction.
 *
 * Static RAM: header + 12 bytes + sizeof<T>() + one WaitQueue (12 bytes + header).
 */
export class Mutex<T> {
  /** The guarded value. Touch it only while a Lock of this mutex holds it. */
  data: T;
  /** The Lock that holds (or has been handed) the mutex, or null if unlocked. */
  owner: Lock<T> | null = null;
  badUnlocks: u32 = 0;
  q: WaitQueue = new WaitQueue();

  constructor(data: T) { this.data = data; }

  get locked(): bool { return this.owner !== null; }

  /** A lock future (allocates: call at init, then reuse). */
  locker(): Lock<T> { return new Lock<T>(this); }

  /** Hand the mutex to the oldest waiter, or unlock it. */
  release(): void {
    const next = this.q.grantFront(GRANT_ONE);
    this.owner = next ? changetype<Lock<T>>(next) : null;
  }
}

/**
 * Completes when it holds the mutex (`held` true). Waiters are served
 * oldest first. Polling a Lock that already holds the mutex completes at
 * once. Release with unlock().
 *
 * Cancel: never leaves the mutex locked. A waiting Lock leaves the queue; a
 * Lock the mutex was handed to but not yet polled passes it on to the next
 * waiter (or unlocks it); a Lock that holds the mutex unlocks it (like
 * dropping tokio's guard, so aborting a task that holds it frees it).
 */
export class Lock<T> extends Waiter {
  held: bool = false;
  constructor(public mutex: Mutex<T>) { super(); }

  poll(w: Waker): bool {
    const m = this.mutex;
    if (this.held) return true;
    if (this.qGrant == GRANT_ONE) {
      this.qGrant = GRANT_NONE;
      this.held = true; // owner was set when it was granted
      return true;
    }
    if (!this.qQueued && m.owner === null) {
      m.owner = this;
      this.held = true;
      return true;
    }
    m.q.push(this, w);
    return false;
  }

  /** Try once without waiting (never overtakes a waiter): true if it now holds the mutex. */
  tryLock(): bool {
    const m = this.mutex;
    if (this.held) return true;
    if (this.qQueued || this.qGrant != GRANT_NONE || m.owner !== null) return false;
    m.owner = this;
    this.held = true;
    return true;
  }

  /** Release the mutex to the oldest waiter. OK, or E_NOT_HELD (nothing changes) if this Lock does not hold it. */
  unlock(): i32 {
    const m = this.mutex;
    if (!this.held || m.owner !== this) { m.badUnlocks++; return E_NOT_HELD; }
    this.held = false;
    m.release();
    return OK;
  }

  cancel(): void {
    const m = this.mutex;
    m.q.remove(this);
    if (this.qGrant == GRANT_ONE || this.held) {
      this.qGrant = GRANT_NONE;
      this.held = false;
      if (m.owner === this) m.release();
    }
  }
}
