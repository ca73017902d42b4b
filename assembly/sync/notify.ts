// Notify: a wake-up with no data (tokio's Notify), with one stored permit.

import { Waker } from "../coop";
import { Waiter, WaitQueue, GRANT_ONE, GRANT_NONE } from "./waitqueue";

/**
 * - notifyOne(): wakes the oldest waiting Notified; if nobody waits, stores
 *   one permit (several calls store still one) that the next Notified
 *   consumes at once.
 * - notifyAll(): wakes every task waiting now (oldest first); stores no
 *   permit, so later waiters wait for the next notification.
 * Both may be called outside any task and never allocate.
 *
 * Static RAM: header + 4 bytes + one WaitQueue (12 bytes + header).
 */
export class Notify {
  /** A notifyOne arrived while nobody waited. */
  permit: bool = false;
  q: WaitQueue = new WaitQueue();

  notifyOne(): void {
    if (!this.q.grantFront(GRANT_ONE)) this.permit = true;
  }

  /** Returns how many waiters were woken. */
  notifyAll(): i32 {
    return this.q.grantAll();
  }

  /** A wait future (allocates: call at init, then reuse). */
  notified(): Notified { return new Notified(this); }
}

/**
 * Completes when notified: by a stored permit (consumed at once), a
 * notifyOne chosen for it, or a notifyAll that found it waiting. Reusable.
 *
 * Cancel: leaves the wait list. A notifyOne already chosen for it is passed
 * on to the next waiter (or stored as the permit), so it is never lost; a
 * notifyAll wake is simply dropped.
 */
export class Notified extends Waiter {
  constructor(public notify: Notify) { super(); }

  poll(w: Waker): bool {
    const n = this.notify;
    if (this.qGrant != GRANT_NONE) {
      this.qGrant = GRANT_NONE;
      return true;
    }
    if (!this.qQueued && n.permit) {
      n.permit = false;
      return true;
    }
    n.q.push(this, w);
    return false;
  }

  cancel(): void {
    const n = this.notify;
    n.q.remove(this);
    const g = this.qGrant;
    this.qGrant = GRANT_NONE;
    if (g == GRANT_ONE) n.notifyOne();
  }
}
