// PubSub<T>: broadcast to a fixed number of subscribers through one ring.
// Publishing never waits: a subscriber that falls more than `capacity`
// messages behind skips the oldest and is told how many it missed (tokio's
// broadcast "lagged"), so a slow subscriber never blocks the publisher.

import { Waker, OK } from "../coop";
import { E_CLOSED, zeroOf } from "./errors";
import { Waiter, WaitQueue, GRANT_NONE } from "./waitqueue";

/**
 * A ring of `capacity` messages shared by up to `maxSubscribers`
 * subscribers, each with its own read position.
 *
 * - publish(v) always succeeds (E_CLOSED after close) and wakes every
 *   waiting subscriber, oldest registration first. Callable outside tasks.
 * - Each subscriber receives every message in order, unless it fell more
 *   than `capacity` behind: then its next receive reports `missed` (how many
 *   were overwritten before it read them) and continues with the oldest
 *   message still in the ring.
 * - close(): subscribers receive what is left for them, then E_CLOSED.
 *
 * Static RAM: header + 24 bytes + the ring (capacity * sizeof<T>() + an
 * array header) + one WaitQueue (12 bytes + header); each subscriber (built
 * at init) is header + 40 bytes + sizeof<T>().
 */
export class PubSub<T> {
  readonly capacity: i32;
  readonly maxSubscribers: i32;
  subscribers: i32 = 0;
  buf: StaticArray<T>;
  /** Sequence number of the next message (messages published, wrapping). */
  head: u32 = 0;
  /** Ring index the next message goes to. Kept apart from `head` so the ring stays consistent when `head` wraps at 2^32. */
  widx: i32 = 0;
  closed: bool = false;
  q: WaitQueue = new WaitQueue();

  constructor(capacity: i32, maxSubscribers: i32) {
    assert(capacity >= 1, "PubSub capacity must be at least 1");
    assert(maxSubscribers >= 1, "PubSub needs at least one subscriber slot");
    this.capacity = capacity;
    this.maxSubscribers = maxSubscribers;
    this.buf = new StaticArray<T>(capacity);
  }

  /** Broadcast v. OK, or E_CLOSED. */
  publish(v: T): i32 {
    if (this.closed) return E_CLOSED;
    unchecked(this.buf[this.widx] = v);
    let i = this.widx + 1;
    if (i == this.capacity) i = 0;
    this.widx = i;
    this.head++;
    this.q.grantAll();
    return OK;
  }

  close(): void {
    this.closed = true;
    this.q.grantAll();
  }

  /**
   * A new subscriber that receives messages published from now on, or null
   * if all maxSubscribers slots are taken. Allocates: call at init.
   */
  subscribe(): Subscriber<T> | null {
    if (this.subscribers >= this.maxSubscribers) return null;
    this.subscribers++;
    return new Subscriber<T>(this);
  }
}

/**
 * Receives the next message for this subscriber: completes with `error` OK
 * and the message in `value` (with `missed` > 0 if messages were skipped
 * just before it; `missedTotal` accumulates), or E_CLOSED once closed and
 * caught up. Wakes on publish and close. Reusable.
 *
 * Cancel: leaves the wait list; nothing is lost (the read position only
 * moves when a message is delivered).
 */
export class Subscriber<T> extends Waiter {
  value: T = zeroOf<T>();
  error: i32 = OK;
  next: u32;
  missed: u32 = 0;
  missedTotal: u32 = 0;
  constructor(public ps: PubSub<T>) { super(); this.next = ps.head; }

  /** Messages published that this subscriber has not received (at most capacity are still available). */
  get behind(): u32 { return this.ps.head - this.next; }

  /** Receive without waiting: true with the message in `value`, or false. */
  tryNext(): bool {
    const ps = this.ps;
    const lag = ps.head - this.next;
    if (lag == 0) return false;
    const cap = <u32>ps.capacity;
    if (lag > cap) {
      this.missed = lag - cap;
      this.missedTotal += this.missed;
      this.next = ps.head - cap;
    } else {
      this.missed = 0;
    }
    // The message with sequence `next` is (head - next) slots behind the write index.
    let idx = ps.widx - <i32>(ps.head - this.next);
    if (idx < 0) idx += ps.capacity;
    this.value = unchecked(ps.buf[idx]);
    this.next++;
    this.error = OK;
    return true;
  }

  poll(w: Waker): bool {
    const ps = this.ps;
    this.qGrant = GRANT_NONE;
    if (this.tryNext()) { ps.q.remove(this); return true; }
    if (ps.closed) {
      ps.q.remove(this);
      this.error = E_CLOSED;
      return true;
    }
    ps.q.push(this, w);
    return false;
  }

  cancel(): void {
    this.ps.q.remove(this);
    this.qGrant = GRANT_NONE;
  }
}
