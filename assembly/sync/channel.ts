// Channel<T>: a bounded multi-producer multi-consumer FIFO ring, with send
// and recv futures that wait in first-come first-served order.
//
// Fairness is kept with grants (reservations): when a value arrives while
// receivers wait, the oldest waiting receiver is dequeued, woken, and one
// buffered value is reserved for it; a trySend/tryRecv or a newly polled future
// can only use what is not reserved, so nobody overtakes a waiter. Senders
// waiting for space are granted a reserved free slot in the same way. Values
// never leave the ring until a receiver's poll takes one, which is what makes
// cancelling a receive lossless.
//
// Fast paths (issue 14): the channel keeps two gates, recomputed by every
// slow path (the only code that changes a queue, a reservation or `closed`):
// `sendLimit` is the capacity when the channel is open, nobody waits on
// either side and no free slot is reserved, else 0; `recvFloor` is 0 under
// the same conditions with no value reserved, else i32.MAX_VALUE. A send may go straight
// into the ring when `count < sendLimit`, a receive straight out when
// `count > recvFloor`: one compare each, no look at the future's own state
// (a queued or granted future makes its side's gate shut: it is in a queue
// or it holds a reservation) and no grant to hand out (nobody waits). Inside
// those conditions the old rule (canSend/canRecv, then push/pop's grant
// loops) gives the same outcome, so the fast paths change cost, not
// behaviour. The ring is a read pointer `rd` that wraps at `end` and the fill
// level `count` (the write slot is `count` slots after `rd`): a message is
// one compare, one element access and one or two field stores per side, for
// any capacity (no power-of-two rounding: the ring stays capacity * sizeof<T>()).

import { Waker, OK } from "../coop";
import { E_FULL, E_CLOSED, E_INVALID, zeroOf } from "./errors";
import { Waiter, WaitQueue, GRANT_ONE, GRANT_NONE } from "./waitqueue";

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
 * Static RAM: header + 49 bytes of fields + sizeof<T>() (80 bytes in all for
 * T of 1 to 8 bytes) + the ring (capacity * sizeof<T>() + an array header) +
 * two WaitQueues (12 bytes + header each).
 */
export class Channel<T> {
  // Fields are ordered so that an 8-byte T needs no padding (the object stays 80 bytes).
  /** The value taken by the last successful tryRecv(). */
  received: T = zeroOf<T>();
  buf: StaticArray<T>;
  // The ring as byte addresses: the oldest value is at `rd`, which wraps from
  // `end` back to the start of buf; the next value goes `count` slots after it.
  private rd: usize = 0;
  private end: usize = 0;
  /** Values in the ring (including ones reserved for woken receivers). */
  private count: i32 = 0;
  /** The fast-path gates (see the top of the file); written only by refresh() and gates(). */
  private sendLimit: i32 = 0;
  private recvFloor: i32 = 0;
  /** Buffered values promised to granted (woken, not yet polled) receivers. */
  itemsReserved: i32 = 0;
  /** Free slots promised to granted senders. */
  spaceReserved: i32 = 0;
  /** Times `rd` wrapped (receivedTotal = laps * capacity + rd's slot, exact across the u32 wrap). */
  private laps: u32 = 0;
  /** trySend calls refused with E_FULL (a driver's count of dropped values). */
  fullTotal: u32 = 0;
  recvQ: WaitQueue = new WaitQueue();
  sendQ: WaitQueue = new WaitQueue();
  private isClosed: bool = false;

  constructor(capacity: i32) {
    assert(capacity >= 1, "Channel capacity must be at least 1");
    this.buf = new StaticArray<T>(capacity);
    const b = changetype<usize>(this.buf);
    this.rd = b;
    this.end = b + (<usize>capacity << alignof<T>());
    this.refresh();
  }

  /** How many values the ring holds (from the ring's bounds: no field of its own). */
  // @ts-ignore: decorator
  @inline get capacity(): i32 { return <i32>((this.end - changetype<usize>(this.buf)) >> alignof<T>()); }
  /** Values in the ring (including ones reserved for woken receivers). */
  get length(): i32 { return this.count; }
  /** Values accepted since construction (wrapping). */
  get sentTotal(): u32 { return this.receivedTotal + <u32>this.count; }
  /** Values taken since construction (wrapping). */
  get receivedTotal(): u32 {
    return this.laps * <u32>this.capacity + <u32>((this.rd - changetype<usize>(this.buf)) >> alignof<T>());
  }
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
    if (this.sendFast(v)) return OK;
    if (this.isClosed) return E_CLOSED;
    if (!this.canSend) {
      this.fullTotal++;
      return E_FULL;
    }
    this.push(v);
    this.refresh();
    return OK;
  }

  /**
   * Take the oldest unreserved value without waiting: true and the value in
   * `received`, or false if there is none (check `closed` to tell empty from
   * finished). Wakes the oldest waiting sender.
   */
  tryRecv(): bool {
    const c = this.count;
    if (c > this.recvFloor) {
      this.received = this.takeAt(c);
      return true;
    }
    if (!this.canRecv) return false;
    this.received = this.pop();
    this.refresh();
    return true;
  }

  /**
   * Batch trySend: src[from], src[from + 1], ... go in as up to n trySend
   * calls would, stopping at the first one refused (that one counts in
   * fullTotal, as its trySend would). Returns how many went in (0 when full
   * or closed: check `closed`), or E_INVALID for a range outside src.
   * Whenever the gate of trySend's fast path is open (the ring's room is
   * `sendLimit - count`), as many as fit are copied into the ring in one or
   * two memory.copy; otherwise value by value through trySend (whose slow
   * path may open the gate). Callable from any context; never allocates.
   */
  trySendMany(src: StaticArray<T>, from: i32, n: i32): i32 {
    if (from < 0 || n < 0 || from > src.length - n) return E_INVALID;
    let k = 0;
    while (k < n) {
      const c = this.count;
      const room = this.sendLimit - c; // > 0 only with the gate open
      if (room > 0) {
        // The fast path, for as many as fit: afterwards either all are in or the ring is full.
        const m = min(n - k, room);
        const sz = <usize>sizeof<T>();
        const e = this.end, b = changetype<usize>(this.buf);
        let p = this.rd + (<usize>c << alignof<T>());
        if (p >= e) p -= e - b;
        const s = changetype<usize>(src) + (<usize>(from + k) << alignof<T>());
        const first = min(<usize>m * sz, e - p); // up to the end of the ring, then from its start
        memory.copy(p, s, first);
        memory.copy(b, s + first, <usize>m * sz - first);
        this.count = c + m;
        k += m;
        if (k == n) break;
      }
      // Gate shut (or the ring full): one value the slow way, which may open the gate again.
      if (this.trySend(unchecked(src[from + k])) != OK) break;
      k++;
    }
    return k;
  }

  /**
   * Batch tryRecv: takes up to max values into dst[from], dst[from + 1], ...
   * as up to max tryRecv calls would (stopping when none is left that is not
   * reserved); `received` is the last one taken. Returns how many (0 if
   * none: check `closed`), or E_INVALID for a range outside dst. Whenever
   * the gate of tryRecv's fast path is open it copies the values out of the
   * ring in one or two memory.copy; otherwise it goes value by value through
   * tryRecv (whose slow path may open the gate). Callable from any context;
   * never allocates.
   */
  tryRecvMany(dst: StaticArray<T>, from: i32, max: i32): i32 {
    if (from < 0 || max < 0 || from > dst.length - max) return E_INVALID;
    let k = 0;
    while (k < max) {
      const c = this.count;
      if (c > this.recvFloor) {
        // The fast path: afterwards either max are taken or the ring is empty.
        const m = min(max - k, c);
        const sz = <usize>sizeof<T>();
        const e = this.end, b = changetype<usize>(this.buf);
        const d = changetype<usize>(dst) + (<usize>(from + k) << alignof<T>());
        const p = this.rd;
        const first = min(<usize>m * sz, e - p);
        memory.copy(d, p, first);
        const rest = <usize>m * sz - first;
        memory.copy(d + first, b, rest);
        if (p + first == e) { this.rd = b + rest; this.laps++; } else this.rd = p + first;
        this.count = c - m;
        this.received = load<T>(d + (<usize>(m - 1) << alignof<T>()));
        k += m;
        break;
      }
      if (!this.tryRecv()) break;
      unchecked(dst[from + k] = this.received);
      k++;
    }
    return k;
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
    this.refresh();
  }

  /** A send future for this channel (allocates: call at init, then reuse). */
  sender(): Send<T> { return new Send<T>(this); }
  /** A receive future for this channel (allocates: call at init, then reuse). */
  receiver(): Recv<T> { return new Recv<T>(this); }

  // ---- internals used by Send and Recv ----

  /**
   * Recompute the fast-path gates. Every path that changes a queue, a
   * reservation or `closed` ends with this call (trySend/tryRecv past their
   * fast test, close, leave, Send/Recv.pollSlow); put and take change only
   * `count`, which the gates do not depend on.
   */
  refresh(): void { this.gates(); }

  /** refresh, inlined (the pollSlow paths). */
  // @ts-ignore: decorator
  @inline gates(): void {
    // Closed shuts both gates: a closed channel's ops all take the slow path, so
    // a fast path never meets an op that completed with E_CLOSED (ChannelOp.error).
    const idle = this.sendQ.head === null && this.recvQ.head === null && !this.isClosed;
    this.sendLimit = idle && this.spaceReserved == 0 ? this.capacity : 0;
    this.recvFloor = idle && this.itemsReserved == 0 ? 0 : i32.MAX_VALUE;
  }

  /**
   * The fast send (inlined into Send.poll and trySend): if the send gate is
   * open and a slot free (`count < sendLimit`, see the top of the file), put
   * v in the ring and return true; else change nothing and return false.
   */
  // @ts-ignore: decorator
  @inline sendFast(v: T): bool {
    const c = this.count;
    if (c >= this.sendLimit) return false;
    this.putAt(v, c);
    return true;
  }

  /**
   * The fast receive (inlined into Recv.poll): if the receive gate is open
   * and a value is in the ring (`count > recvFloor`), take it into
   * op.value and return true; else change nothing and return false.
   */
  // @ts-ignore: decorator
  @inline recvFast(op: ChannelOp<T>): bool {
    const c = this.count;
    if (c <= this.recvFloor) return false;
    op.value = this.takeAt(c);
    return true;
  }

  /** A value may go in now without overtaking anyone: no sender queued and an unreserved free slot. */
  // @ts-ignore: decorator
  @inline get canSend(): bool { return this.sendQ.head === null && this.count + this.spaceReserved < this.capacity; }
  /** A value may come out now: one that is not reserved for a woken receiver. */
  // @ts-ignore: decorator
  @inline get canRecv(): bool { return this.count > this.itemsReserved; }

  /** Append v (the caller checked there is room); grants nothing. c is `count`, already loaded. */
  // @ts-ignore: decorator
  @inline putAt(v: T, c: i32): void {
    // The free slot after the c values from rd: at most one wrap, since c < capacity.
    let p = this.rd + (<usize>c << alignof<T>());
    const e = this.end;
    if (p >= e) p -= e - changetype<usize>(this.buf);
    store<T>(p, v);
    this.count = c + 1;
  }

  /** Remove and return the oldest value (the caller checked there is one); grants nothing. c is `count`, already loaded. */
  // @ts-ignore: decorator
  @inline takeAt(c: i32): T {
    let p = this.rd;
    const v = load<T>(p);
    p += sizeof<T>();
    if (p == this.end) { p = changetype<usize>(this.buf); this.laps++; }
    this.rd = p;
    this.count = c - 1;
    return v;
  }

  /** put, and grant the value to the oldest waiting receiver, if any (slow paths; the caller refreshes). */
  // @ts-ignore: decorator
  @inline push(v: T): void {
    this.putAt(v, this.count);
    if (this.recvQ.head) this.grantRecv();
  }

  /** take, and grant the freed slot to the oldest waiting sender, if any (slow paths; the caller refreshes). */
  // @ts-ignore: decorator
  @inline pop(): T {
    const v = this.takeAt(this.count);
    if (this.sendQ.head) this.grantSend();
    return v;
  }

  /** Hand each unreserved value to the oldest waiting receiver. */
  // @ts-ignore: decorator
  @inline grantRecv(): void {
    while (this.count > this.itemsReserved && this.recvQ.grantFront(GRANT_ONE)) this.itemsReserved++;
  }

  /** Hand each unreserved free slot to the oldest waiting sender. */
  // @ts-ignore: decorator
  @inline grantSend(): void {
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
    this.refresh();
  }
}

/** What Send and Recv share: the channel, the value moved, the result code. */
export abstract class ChannelOp<T> extends Waiter {
  /** Send: the value to send (set before polling). Recv: the value received. */
  value: T = zeroOf<T>();
  /**
   * OK, or E_CLOSED; valid once a poll returned true. Only a closed channel
   * sets E_CLOSED, a channel never reopens (nor does an op change channel:
   * `channel` is readonly), and the fast paths never run on a closed
   * channel, so they find it OK already and leave it alone.
   */
  error: i32 = OK;
  constructor(readonly channel: Channel<T>) { super(); }
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
export class Send<T> extends ChannelOp<T> {
  constructor(channel: Channel<T>) { super(channel); }

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

  /**
   * Inlined where it is awaited: with the channel's send gate open (open
   * channel, nobody waiting on either side, nothing reserved) and a free
   * slot, the value goes straight into the ring; everything else is
   * pollSlow, out of line. An open gate implies this send is neither queued
   * (sendQ is empty) nor granted (nothing is reserved), so its own state
   * needs no look, and pollSlow would do the same: go, push, no receiver to
   * grant, error already OK (see ChannelOp.error).
   */
  // @ts-ignore: decorator
  @inline poll(w: Waker): bool {
    if (this.channel.sendFast(this.value)) return true;
    return this.pollSlow(w);
  }

  /** poll for every case but the fast one (see poll); the gates are recomputed once, on the way out. */
  pollSlow(w: Waker): bool {
    const done = this.pollGated(w);
    this.channel.gates();
    return done;
  }

  // @ts-ignore: decorator
  @inline private pollGated(w: Waker): bool {
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
export class Recv<T> extends ChannelOp<T> {
  constructor(channel: Channel<T>) { super(channel); }

  /**
   * Inlined where it is awaited: with the channel's receive gate open
   * (open channel, nobody waiting on either side, no value reserved) and a value in the
   * ring, it takes the value; everything else is pollSlow, out of line. An
   * open gate implies this receive is not queued (recvQ is empty) and holds
   * no value grant (none is reserved); a stale GRANT_ALL from close() means
   * nothing (pollSlow and leave ignore it). pollSlow would do the same: take,
   * no sender to grant, error already OK (see ChannelOp.error).
   */
  // @ts-ignore: decorator
  @inline poll(w: Waker): bool {
    if (this.channel.recvFast(this)) return true;
    return this.pollSlow(w);
  }

  /** poll for every case but the fast one (see poll); the gates are recomputed once, on the way out. */
  pollSlow(w: Waker): bool {
    const done = this.pollGated(w);
    this.channel.gates();
    return done;
  }

  // @ts-ignore: decorator
  @inline private pollGated(w: Waker): bool {
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
