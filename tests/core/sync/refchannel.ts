// The channel as it was before the gated fast paths (issue 14), with every
// fast path removed: each poll runs the full rule (grants, queue checks), as
// pollSlow did. channel-gates.spec.ts drives it and the real Channel with the
// same operations and requires the same observable behaviour. Test-only.

import { Waker, OK } from "../../../assembly/coop";
import { E_FULL, E_CLOSED, zeroOf } from "../../../assembly/sync/errors";
import { Waiter, WaitQueue, GRANT_ONE, GRANT_NONE } from "../../../assembly/sync/waitqueue";

/**
 * A bounded FIFO channel of capacity values (fixed at construction; the ring
 * is allocated by the constructor, at init, and never again).
 *
 * - Order: values are received in the order they were accepted. Waiting
 *   receivers are served oldest first; waiting senders get free slots oldest
 *   first.
 * - Wakes: an accepted value wakes the oldest waiting receiver (one value,
 *   one receiver); a taken value wakes the oldest waiting sender; close()
 *   wakes every waiter.
 * - Close: senders then fail with E_CLOSED; receivers still get every value
 *   left in the ring, then E_CLOSED.
 * - Interrupt side: trySend, tryRecv and close may be called outside any task
 *   (init, a driver polled from IRQ dispatch, waker -1); they never allocate.
 *
 * Static RAM: header + 44 bytes of fields (with padding) + sizeof<T>() + the ring
 * (capacity * sizeof<T>() + an array header) + two WaitQueues (12 bytes +
 * header each).
 */
export class RefChannel<T> {
  readonly capacity: i32;
  buf: StaticArray<T>;
  private head: i32 = 0;
  /** Buffered values promised to granted (woken, not yet polled) receivers. */
  itemsReserved: i32 = 0;
  /** Free slots promised to granted senders. */
  spaceReserved: i32 = 0;
  private isClosed: bool = false;
  /** The value taken by the last successful tryRecv(). */
  received: T = zeroOf<T>();
  // The two totals also give the fill level (count = sent - taken, exact
  // across the u32 wrap), so a message costs one counter store per side.
  private sent: u32 = 0;
  private taken: u32 = 0;
  /** trySend calls refused with E_FULL (a driver's count of dropped values). */
  fullTotal: u32 = 0;
  recvQ: WaitQueue = new WaitQueue();
  sendQ: WaitQueue = new WaitQueue();

  constructor(capacity: i32) {
    assert(capacity >= 1, "Channel capacity must be at least 1");
    this.capacity = capacity;
    this.buf = new StaticArray<T>(capacity);
  }

  /** Values in the ring (including ones reserved for woken receivers). */
  get length(): i32 { return this.count; }
  /** Values accepted since construction (wrapping). */
  get sentTotal(): u32 { return this.sent; }
  /** Values taken since construction (wrapping). */
  get receivedTotal(): u32 { return this.taken; }
  // @ts-ignore: decorator
  @inline private get count(): i32 { return <i32>(this.sent - this.taken); }
  get closed(): bool { return this.isClosed; }
  /** True if a trySend now would fail with E_FULL. */
  get full(): bool { return this.count + this.spaceReserved >= this.capacity; }
  /** True if a tryRecv now would return false. */
  get empty(): bool { return this.count - this.itemsReserved <= 0; }

  /**
   * Put v in the ring without waiting. Returns OK, E_FULL (nothing changed;
   * counted in fullTotal) or E_CLOSED. Wakes the oldest waiting receiver.
   * Callable from any context, including outside tasks.
   */
  trySend(v: T): i32 {
    if (this.isClosed) return E_CLOSED;
    if (!this.canSend) {
      this.fullTotal++;
      return E_FULL;
    }
    this.push(v);
    return OK;
  }

  /**
   * Take the oldest unreserved value without waiting: true and the value in
   * `received`, or false if there is none (check `closed` to tell empty from
   * finished). Wakes the oldest waiting sender.
   */
  tryRecv(): bool {
    if (!this.canRecv) return false;
    this.received = this.pop();
    return true;
  }

  /**
   * Close the channel (idempotent). Waiting and future sends fail with
   * E_CLOSED and their values are not sent; receivers drain what is left,
   * then complete with E_CLOSED. Wakes every waiting sender and receiver.
   */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.sendQ.grantAll();
    this.recvQ.grantAll();
  }

  /** A send future for this channel (allocates: call at init, then reuse). */
  sender(): RefSend<T> { return new RefSend<T>(this); }
  /** A receive future for this channel (allocates: call at init, then reuse). */
  receiver(): RefRecv<T> { return new RefRecv<T>(this); }

  // ---- internals used by Send and Recv ----

  /** A value may go in now without overtaking anyone: no sender queued and an unreserved free slot. */
  // @ts-ignore: decorator
  @inline get canSend(): bool { return this.sendQ.head === null && this.count + this.spaceReserved < this.capacity; }
  /** canSend, and the channel is open (Send's inlined fast path). */
  // @ts-ignore: decorator
  @inline get canSendOpen(): bool { return !this.isClosed && this.canSend; }
  /** A value may come out now: one that is not reserved for a woken receiver. */
  // @ts-ignore: decorator
  @inline get canRecv(): bool { return this.count > this.itemsReserved; }

  /** Append v (the caller checked there is room) and grant it to the oldest waiting receiver, if any. */
  // @ts-ignore: decorator
  @inline push(v: T): void {
    const cap = this.capacity;
    let i = this.head + this.count;
    if (i >= cap) i -= cap;
    // A plain store: `unchecked(buf[i] = v)` is a call under the size
    // optimiser, which merges every such element setter into one function.
    store<T>(changetype<usize>(this.buf) + (<usize>i << alignof<T>()), v);
    this.sent++;
    // Fast path: with no receiver waiting there is nothing to grant.
    if (this.recvQ.head) this.grantRecv();
  }

  /** Remove and return the oldest value (the caller checked there is one); grant the freed slot to the oldest waiting sender, if any. */
  // @ts-ignore: decorator
  @inline pop(): T {
    const v = load<T>(changetype<usize>(this.buf) + (<usize>this.head << alignof<T>()));
    let h = this.head + 1;
    if (h == this.capacity) h = 0;
    this.head = h;
    this.taken++;
    if (this.sendQ.head) this.grantSend();
    return v;
  }

  /** Hand each unreserved value to the oldest waiting receiver. */
  grantRecv(): void {
    while (this.count > this.itemsReserved && this.recvQ.grantFront(GRANT_ONE)) this.itemsReserved++;
  }

  /** Hand each unreserved free slot to the oldest waiting sender. */
  grantSend(): void {
    while (this.count + this.spaceReserved < this.capacity && this.sendQ.grantFront(GRANT_ONE)) this.spaceReserved++;
  }

  /**
   * A Send (sending) or Recv leaves: out of its queue, and a slot or value
   * granted to it goes to the next waiter on its side (or back to the pool).
   */
  leave(op: Waiter, sending: bool): void {
    const granted = op.qGrant == GRANT_ONE;
    op.qGrant = GRANT_NONE;
    if (sending) {
      this.sendQ.remove(op);
      if (granted) { this.spaceReserved--; this.grantSend(); }
    } else {
      this.recvQ.remove(op);
      if (granted) { this.itemsReserved--; this.grantRecv(); }
    }
  }
}

/** What Send and Recv share: the channel, the value moved, the result code. */
export abstract class RefOp<T> extends Waiter {
  /** Send: the value to send (set before polling). Recv: the value received. */
  value: T = zeroOf<T>();
  /** OK, or E_CLOSED; valid once a poll returned true. */
  error: i32 = OK;
  constructor(public channel: RefChannel<T>) { super(); }
}

/**
 * Sends `value` into a channel, waiting while it is full (backpressure).
 * Set `value`, then poll until it completes; `error` is then OK (sent) or
 * E_CLOSED (not sent). Reusable: each completion is one send.
 *
 * Wakes when a slot is granted to it (senders are served oldest first) or
 * the channel is closed.
 *
 * Cancel: leaves the wait list; the value is not sent (a send is never
 * partial: it happens entirely inside the poll that completes). A free slot
 * that was already granted to it is passed to the next waiting sender.
 */
export class RefSend<T> extends RefOp<T> {
  constructor(channel: RefChannel<T>) { super(channel); }

  /**
   * Set the value to send and return this send, to await it:
   * `await tx.send(v); if (tx.error != OK) ...`. On a send that is already
   * waiting for room the new value replaces the one waiting (nothing has been
   * sent yet: a send happens whole, in the poll that completes).
   */
  send(v: T): Send<T> {
    this.value = v;
    return this;
  }

  poll(w: Waker): bool { return this.pollSlow(w); }

  /** poll for every case but the uncontended send (see poll). */
  pollSlow(w: Waker): bool {
    const ch = this.channel;
    const g = this.qGrant;
    let go: bool;
    if (g == GRANT_NONE) {
      go = !this.qQueued && ch.canSend; // fast path: a free slot and nobody queued ahead
    } else {
      this.qGrant = GRANT_NONE;
      go = g == GRANT_ONE;
      if (go) ch.spaceReserved--; // the granted slot: used below, or (closed) given up
    }
    if (ch.closed) {
      ch.sendQ.remove(this);
      this.error = E_CLOSED;
      return true;
    }
    if (!go) {
      ch.sendQ.push(this, w); // joins the queue, or (already queued) updates its waker
      return false;
    }
    ch.push(this.value);
    this.error = OK;
    return true;
  }

  cancel(): void { this.channel.leave(this, true); }
}

/**
 * Receives the oldest value of a channel, waiting while it is empty. When it
 * completes, `error` is OK with the value in `value`, or E_CLOSED (closed and
 * drained). Reusable: each completion is one value.
 *
 * Wakes when a value is granted to it (receivers are served oldest first) or
 * the channel is closed.
 *
 * Cancel: leaves the wait list. No value is lost: a value granted to it but
 * not yet taken stays in the ring and is passed to the next waiting receiver
 * (or to the next tryRecv).
 */
export class RefRecv<T> extends RefOp<T> {
  constructor(channel: RefChannel<T>) { super(channel); }

  poll(w: Waker): bool { return this.pollSlow(w); }

  /** poll for every case but the uncontended receive (see poll). */
  pollSlow(w: Waker): bool {
    const ch = this.channel;
    const g = this.qGrant;
    let take = false;
    if (g != GRANT_NONE) {
      this.qGrant = GRANT_NONE;
      take = g == GRANT_ONE;
      if (take) ch.itemsReserved--; // the value reserved for it is taken below
    }
    if (!take) {
      if (ch.canRecv) {
        // Fast path: an unreserved value, and this receiver is not waiting (or is first in line).
        take = !this.qQueued || ch.recvQ.head === this;
      } else if (ch.closed) {
        ch.recvQ.remove(this);
        this.error = E_CLOSED;
        return true;
      }
      if (!take) {
        ch.recvQ.push(this, w);
        return false;
      }
      if (this.qQueued) ch.recvQ.remove(this);
    }
    this.value = ch.pop();
    this.error = OK;
    return true;
  }

  cancel(): void { this.channel.leave(this, false); }
}
