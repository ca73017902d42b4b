// Oneshot<T>: one value from one side to the other, e.g. a reply to a request.
// Reusable: once the value is taken the cell is empty again.

import { Waker, OK } from "../coop";
import { E_FULL, E_CLOSED, zeroOf } from "./errors";
import { Waiter, WaitQueue, GRANT_ONE, GRANT_NONE } from "./waitqueue";

const EMPTY: i32 = 0;
const FULL: i32 = 1;
const CLOSED: i32 = 2;

/**
 * A cell for one value. send() stores it (E_FULL if one is already there,
 * E_CLOSED after close()) and wakes the waiting receiver(s), oldest first;
 * the first OneshotRecv polled takes it and the cell is empty again.
 * close() is the sender going away: receivers complete with E_CLOSED (after
 * taking a value sent before close). reset() reopens it, dropping any value.
 * send and close may be called outside any task; nothing allocates.
 *
 * Static RAM: header + 4 bytes + sizeof<T>() + one WaitQueue (12 bytes + header).
 */
export class Oneshot<T> {
  value: T = zeroOf<T>();
  state: i32 = EMPTY;
  /** The stored value has been promised to a woken receiver (nobody may overtake it). */
  reserved: bool = false;
  q: WaitQueue = new WaitQueue();

  get full(): bool { return this.state == FULL; }
  get closed(): bool { return this.state == CLOSED; }

  send(v: T): i32 {
    if (this.state == FULL) return E_FULL;
    if (this.state == CLOSED) return E_CLOSED;
    this.value = v;
    this.state = FULL;
    this.regrant();
    return OK;
  }

  /** Take a sent value without waiting: true (value in `value`) or false. */
  tryRecv(): bool {
    if (this.state != FULL || this.reserved) return false;
    this.taken();
    return true;
  }

  /** Promise the stored value to the oldest waiting receiver, if any. */
  regrant(): void {
    this.reserved = this.state == FULL && this.q.grantFront(GRANT_ONE) !== null;
  }

  /** No value will come: wakes every receiver. A value already sent is still delivered first. */
  close(): void {
    if (this.state == FULL) { this.closeAfter = true; return; }
    this.state = CLOSED;
    this.q.grantAll();
  }

  /** Empty and open again; a stored value is dropped. */
  reset(): void { this.state = EMPTY; this.closeAfter = false; this.reserved = false; }

  /** Close once the stored value is taken. */
  closeAfter: bool = false;

  /** A receive future (allocates: call at init, then reuse). */
  receiver(): OneshotRecv<T> { return new OneshotRecv<T>(this); }

  /** Called when a receiver took the value: the cell empties (or closes if close() came in between). */
  taken(): void {
    this.reserved = false;
    if (this.closeAfter) {
      this.closeAfter = false;
      this.state = CLOSED;
      this.q.grantAll();
    } else {
      this.state = EMPTY;
    }
  }
}

/**
 * Completes with the oneshot's value (`error` OK, value in `value`) or with
 * E_CLOSED. Wakes on send() (oldest receiver first) and on close().
 * Cancel: leaves the wait list; a sent value stays in the oneshot for the
 * next receiver (it is never lost), and the next waiter is woken for it.
 */
export class OneshotRecv<T> extends Waiter {
  value: T = zeroOf<T>();
  error: i32 = OK;
  constructor(public cell: Oneshot<T>) { super(); }

  poll(w: Waker): bool {
    const c = this.cell;
    const granted = this.qGrant == GRANT_ONE;
    this.qGrant = GRANT_NONE;
    if (c.full && (granted || (!this.qQueued && !c.reserved))) {
      c.q.remove(this);
      this.value = c.value;
      this.error = OK;
      c.taken();
      return true;
    }
    if (c.closed) {
      c.q.remove(this);
      this.error = E_CLOSED;
      return true;
    }
    c.q.push(this, w);
    return false;
  }

  cancel(): void {
    const c = this.cell;
    c.q.remove(this);
    const g = this.qGrant;
    this.qGrant = GRANT_NONE;
    if (g == GRANT_ONE) c.regrant();
  }
}
