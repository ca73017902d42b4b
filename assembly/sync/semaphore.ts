// Semaphore: counted permits, acquired n at a time, strictly first-come
// first-served (a large request at the head makes later small ones wait, so
// it cannot starve; tokio's rule).

import { Waker, OK } from "../coop";
import { E_INVALID } from "./errors";
import { Waiter, WaitQueue, GRANT_ONE, GRANT_NONE } from "./waitqueue";

/**
 * `permits` available now; `max` is the total it was built with (a request
 * above it completes at once with E_INVALID instead of waiting forever).
 *
 * Wakes: release() hands permits to the waiters at the head of the queue,
 * oldest first, as long as the head's whole request fits; each of them is
 * woken holding its permits. Callable outside tasks; never allocates.
 *
 * Static RAM: header + 8 bytes + one WaitQueue (12 bytes + header).
 */
export class Semaphore {
  permits: i32;
  readonly max: i32;
  q: WaitQueue = new WaitQueue();

  constructor(permits: i32) {
    assert(permits >= 0, "Semaphore permits must be >= 0");
    this.permits = permits;
    this.max = permits;
  }

  /** Take n permits now if no one waits and enough are free. */
  tryAcquire(n: i32): bool {
    if (n < 0 || !this.q.isEmpty || this.permits < n) return false;
    this.permits -= n;
    return true;
  }

  /** Give back n permits and serve waiters. */
  release(n: i32): void {
    this.permits += n;
    this.grant();
  }

  /** An acquire future for n permits (allocates: call at init, then reuse). */
  acquirer(n: i32): Acquire { return new Acquire(this, n); }

  grant(): void {
    while (true) {
      const h = this.q.head;
      if (!h) return;
      const a = changetype<Acquire>(h);
      if (a.n > this.permits) return;
      this.permits -= a.n;
      this.q.grantFront(GRANT_ONE);
    }
  }
}

/**
 * Completes when it has taken `n` permits (`error` OK); they are the
 * caller's until it calls semaphore.release(n). `n` may be changed while
 * idle. Completes at once with E_INVALID if n < 0 or n > max.
 *
 * Cancel: leaves the queue (letting smaller requests behind it proceed if
 * they now fit); permits already handed to it but not yet seen by a poll
 * are given back. Permits from a completed acquire stay taken.
 */
export class Acquire extends Waiter {
  error: i32 = OK;
  constructor(public sem: Semaphore, public n: i32) { super(); }

  /**
   * Ask for `n` permits and return this, to await them:
   * `await acq.acquire(3); ... sem.release(3)`. The same n changes nothing.
   * A different n on a request that is waiting withdraws it first (as
   * cancel(): it leaves the queue, permits already handed to it go back),
   * so the next poll queues the new request at the back.
   */
  acquire(n: i32): Acquire {
    if (n != this.n) {
      this.cancel();
      this.n = n;
    }
    return this;
  }

  poll(w: Waker): bool {
    const s = this.sem;
    if (this.qGrant == GRANT_ONE) {
      this.qGrant = GRANT_NONE;
      this.error = OK;
      return true;
    }
    if (this.n < 0 || this.n > s.max) { this.error = E_INVALID; return true; }
    if (!this.qQueued && s.q.isEmpty && s.permits >= this.n) {
      s.permits -= this.n;
      this.error = OK;
      return true;
    }
    s.q.push(this, w);
    return false;
  }

  cancel(): void {
    const s = this.sem;
    const wasHead = s.q.head === this;
    s.q.remove(this);
    if (this.qGrant == GRANT_ONE) {
      this.qGrant = GRANT_NONE;
      s.release(this.n);
    } else if (wasHead) {
      s.grant();
    }
  }
}
