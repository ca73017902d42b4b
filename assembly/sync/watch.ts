// Watch<T>: one value, many observers; each observer sees the latest value
// and is told when it changes (tokio's watch). Intermediate values may be
// skipped: a watcher only ever needs the newest.

import { Waker, OK } from "../coop";
import { E_CLOSED, zeroOf } from "./errors";
import { Waiter, WaitQueue, GRANT_NONE } from "./waitqueue";

/**
 * send(v) replaces the value, bumps `version` and wakes every waiting
 * WatchReceiver (oldest registration first). close() wakes them all with
 * E_CLOSED. Both may be called outside tasks; nothing allocates.
 *
 * Static RAM: header + 8 bytes + sizeof<T>() + one WaitQueue (12 bytes + header).
 */
export class Watch<T> {
  value: T;
  version: u32 = 0;
  closed: bool = false;
  q: WaitQueue = new WaitQueue();

  constructor(initial: T) { this.value = initial; }

  send(v: T): void {
    this.value = v;
    this.version++;
    this.q.grantAll();
  }

  close(): void {
    this.closed = true;
    this.q.grantAll();
  }

  /** A receiver that has seen the current value (allocates: call at init, then reuse). */
  receiver(): WatchReceiver<T> { return new WatchReceiver<T>(this); }
}

/**
 * A future that completes when the watched value has changed since this
 * receiver last saw it: `error` OK and the newest value in `value`, or
 * E_CLOSED once the watch is closed (after any unseen change was reported).
 * Reusable: each completion marks the current value seen.
 *
 * Cancel: leaves the wait list; nothing is lost (an unseen change is still
 * reported by the next poll).
 */
export class WatchReceiver<T> extends Waiter {
  value: T = zeroOf<T>();
  seen: u32;
  error: i32 = OK;
  constructor(public watch: Watch<T>) {
    super();
    this.seen = watch.version;
    this.value = watch.value;
  }

  /** The current value, without marking it seen. */
  get latest(): T { return this.watch.value; }
  /** True if there is a value this receiver has not seen. */
  get hasChanged(): bool { return this.watch.version != this.seen; }
  /** Make the next poll complete at once with the current value. */
  markUnseen(): void { this.seen = this.watch.version - 1; }

  poll(w: Waker): bool {
    const wt = this.watch;
    this.qGrant = GRANT_NONE;
    if (wt.version != this.seen) {
      wt.q.remove(this);
      this.seen = wt.version;
      this.value = wt.value;
      this.error = OK;
      return true;
    }
    if (wt.closed) {
      wt.q.remove(this);
      this.error = E_CLOSED;
      return true;
    }
    wt.q.push(this, w);
    return false;
  }

  cancel(): void {
    this.watch.q.remove(this);
    this.qGrant = GRANT_NONE;
  }
}
