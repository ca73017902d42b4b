// Streams and sinks: the async iterator and its mirror, as state machines
// that never allocate after init. Adapters take non-capturing function
// references (AssemblyScript has no closures); state an adapter needs lives
// in its own fields.

import { Future, Waker, Ticker, wake, OK } from "../coop";
import { zeroOf } from "./errors";
import { Channel, Send, Recv } from "./channel";

/** pollNext: an item is in `item`. */
export const ITEM: i32 = 1;
/** pollNext: nothing yet; the waker will be woken. Also Sink.pollSend: not accepted yet. */
export const PENDING: i32 = 0;
/** pollNext: the stream has ended (and is idle again: polling restarts it where that makes sense). */
export const DONE: i32 = -1;
/** Sink.pollSend: the value was accepted. */
export const SENT: i32 = 1;

/** How many items the drivers (ForEach, Fold, Forward) handle per poll before yielding to other tasks. */
export const DRIVER_BATCH: i32 = 32;

/**
 * An asynchronous sequence of T. `pollNext(w)` returns ITEM (the item is in
 * `item`), PENDING (w will be woken) or DONE. `cancel()` releases whatever the
 * stream registered; what is lost is documented by each stream.
 */
export abstract class Stream<T> {
  item: T = zeroOf<T>();
  abstract pollNext(w: Waker): i32;
  cancel(): void {}
}

/**
 * Something that accepts values asynchronously. `pollSend(w, v)` returns
 * SENT, PENDING (call again with the same value once woken, or cancel) or a
 * negative error (E_CLOSED).
 */
export abstract class Sink<T> {
  abstract pollSend(w: Waker, v: T): i32;
  cancel(): void {}
}

// ---- sources ----------------------------------------------------------

/**
 * A channel's receiving side as a stream: each item is one received value;
 * DONE once the channel is closed and drained. Wakes as Recv does.
 * Cancel: as Recv (no value is lost).
 */
export class RecvStream<T> extends Stream<T> {
  recv: Recv<T>;
  constructor(channel: Channel<T>) { super(); this.recv = new Recv<T>(channel); }

  pollNext(w: Waker): i32 {
    if (!this.recv.poll(w)) return PENDING;
    if (this.recv.error != OK) return DONE;
    this.item = this.recv.value;
    return ITEM;
  }
  cancel(): void { this.recv.cancel(); }
}

/**
 * A Ticker as a never-ending stream: one item per tick, the item being the
 * tick count (1, 2, ...). Wakes at each tick's deadline. Cancel: releases the
 * timer; the schedule is kept (see Ticker).
 */
export class TickerStream extends Stream<u64> {
  constructor(public ticker: Ticker) { super(); }
  pollNext(w: Waker): i32 {
    if (!this.ticker.poll(w)) return PENDING;
    this.item = this.ticker.count;
    return ITEM;
  }
  cancel(): void { this.ticker.cancel(); }
}

/** Turn one item of a stream into a future: completes with `result` ITEM (value in `item`) or DONE. Cancel: cancels the stream. */
export class Next<T> extends Future {
  result: i32 = PENDING;
  item: T = zeroOf<T>();
  constructor(public stream: Stream<T>) { super(); }
  /** After completion: true if the stream has ended (no item); false with the item in `item`. */
  get ended(): bool { return this.result == DONE; }
  poll(w: Waker): bool {
    const r = this.stream.pollNext(w);
    if (r == PENDING) return false;
    this.result = r;
    if (r == ITEM) this.item = this.stream.item;
    return true;
  }
  cancel(): void { this.stream.cancel(); }
}

// ---- adapters ---------------------------------------------------------

/** Each item of `src` passed through `f`. Wakes and cancels as `src`. */
export class MapStream<A, B> extends Stream<B> {
  constructor(public src: Stream<A>, public f: (a: A) => B) { super(); }
  pollNext(w: Waker): i32 {
    const r = this.src.pollNext(w);
    if (r == ITEM) {
      const f = this.f;
      this.item = f(this.src.item);
    }
    return r;
  }
  cancel(): void { this.src.cancel(); }
}

/**
 * The items of `src` for which `keep` returns true. Rejected items are
 * consumed. After DRIVER_BATCH rejections in one poll it yields (wakes its
 * task, returns PENDING) so a busy source cannot starve others.
 * Cancel: cancels `src`.
 */
export class FilterStream<T> extends Stream<T> {
  constructor(public src: Stream<T>, public keep: (t: T) => bool) { super(); }
  pollNext(w: Waker): i32 {
    const keep = this.keep;
    for (let i = 0; i < DRIVER_BATCH; i++) {
      const r = this.src.pollNext(w);
      if (r != ITEM) return r;
      const t = this.src.item;
      if (keep(t)) { this.item = t; return ITEM; }
    }
    wake(w);
    return PENDING;
  }
  cancel(): void { this.src.cancel(); }
}

/**
 * The first `n` items of `src`, then DONE (without polling `src` further).
 * DONE makes it idle: the next pollNext starts another n. Cancel: cancels
 * `src` and starts the count again.
 */
export class TakeStream<T> extends Stream<T> {
  taken: i32 = 0;
  constructor(public src: Stream<T>, public n: i32) { super(); }
  pollNext(w: Waker): i32 {
    if (this.taken >= this.n) { this.taken = 0; return DONE; }
    const r = this.src.pollNext(w);
    if (r == ITEM) { this.item = this.src.item; this.taken++; }
    else if (r == DONE) this.taken = 0;
    return r;
  }
  cancel(): void { this.src.cancel(); this.taken = 0; }
}

// ---- drivers (futures that consume a stream) ----------------------------

/**
 * Calls `f` on every item until the stream is DONE, then completes
 * (`count` says how many items). Handles at most DRIVER_BATCH items per poll,
 * then yields. Cancel: cancels the stream; items already passed to f stay
 * handled.
 */
export class ForEach<T> extends Future {
  count: u32 = 0;
  private running: bool = false;
  constructor(public src: Stream<T>, public f: (t: T) => void) { super(); }
  poll(w: Waker): bool {
    if (!this.running) { this.running = true; this.count = 0; }
    const f = this.f;
    for (let i = 0; i < DRIVER_BATCH; i++) {
      const r = this.src.pollNext(w);
      if (r == PENDING) return false;
      if (r == DONE) { this.running = false; return true; }
      f(this.src.item);
      this.count++;
    }
    wake(w);
    return false;
  }
  cancel(): void { this.src.cancel(); this.running = false; }
}

/**
 * Folds the stream: acc = f(acc, item) for every item, starting from `init`;
 * completes at DONE with the total in `result`. At most DRIVER_BATCH items
 * per poll. Cancel: cancels the stream and drops the partial accumulator.
 */
export class Fold<T, A> extends Future {
  result: A;
  private acc: A;
  private running: bool = false;
  constructor(public src: Stream<T>, public init: A, public f: (acc: A, t: T) => A) {
    super();
    this.acc = init;
    this.result = init;
  }
  poll(w: Waker): bool {
    if (!this.running) { this.running = true; this.acc = this.init; }
    const f = this.f;
    for (let i = 0; i < DRIVER_BATCH; i++) {
      const r = this.src.pollNext(w);
      if (r == PENDING) return false;
      if (r == DONE) { this.running = false; this.result = this.acc; return true; }
      this.acc = f(this.acc, this.src.item);
    }
    wake(w);
    return false;
  }
  cancel(): void { this.src.cancel(); this.running = false; }
}

// ---- sinks ------------------------------------------------------------

/**
 * A channel's sending side as a sink: SENT when the value is in the
 * channel, PENDING while full, E_CLOSED once closed. Wakes and cancels as
 * Send (a cancelled send is never half-sent).
 */
export class SendSink<T> extends Sink<T> {
  send: Send<T>;
  constructor(channel: Channel<T>) { super(); this.send = new Send<T>(channel); }
  pollSend(w: Waker, v: T): i32 {
    this.send.value = v;
    if (!this.send.poll(w)) return PENDING;
    return this.send.error == OK ? SENT : this.send.error;
  }
  cancel(): void { this.send.cancel(); }
}

/**
 * Moves every item of a stream into a sink, in order. Completes when the
 * stream is DONE (`error` OK) or the sink refuses an item (`error` is the
 * sink's code, e.g. E_CLOSED; that item is counted in `dropped` and the
 * stream is cancelled). `forwarded` counts items the sink accepted. Wakes
 * when the stream has an item or the sink has room; handles at most
 * DRIVER_BATCH items per poll, then yields.
 * Cancel: cancels both; an item already taken from the stream but not yet
 * accepted by the sink is dropped and counted in `dropped`.
 */
export class Forward<T> extends Future {
  error: i32 = OK;
  forwarded: u32 = 0;
  dropped: u32 = 0;
  private holding: bool = false;
  private held: T = zeroOf<T>();
  private running: bool = false;
  constructor(public src: Stream<T>, public sink: Sink<T>) { super(); }
  poll(w: Waker): bool {
    if (!this.running) { this.running = true; this.forwarded = 0; this.error = OK; }
    for (let i = 0; i < DRIVER_BATCH; i++) {
      if (!this.holding) {
        const r = this.src.pollNext(w);
        if (r == PENDING) return false;
        if (r == DONE) { this.running = false; return true; }
        this.held = this.src.item;
        this.holding = true;
      }
      const s = this.sink.pollSend(w, this.held);
      if (s == PENDING) return false;
      this.holding = false;
      if (s != SENT) {
        this.error = s;
        this.dropped++;
        this.src.cancel();
        this.running = false;
        return true;
      }
      this.forwarded++;
    }
    wake(w);
    return false;
  }
  cancel(): void {
    this.src.cancel();
    this.sink.cancel();
    if (this.holding) { this.holding = false; this.dropped++; }
    this.running = false;
  }
}
