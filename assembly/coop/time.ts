// Time: instants and durations as 64-bit ticks, the timer queue, and the
// futures built on it (Sleep, SleepUntil, Ticker, Timeout).
//
// The timer queue is a binary min-heap over a fixed pool of TIMER_CAPACITY
// entries (default: one per task slot). Insert, removal and expiry are
// O(log n). Entries with equal deadlines fire in the order they were armed.
// An expiry that fires the last due entry leaves the root as a hole that the
// next insert fills (see `hole`), so a sleep that ends and starts again costs
// one sift, not a pop and an insert; Sleep's and Ticker's end (a fired entry)
// is inlined where they are awaited.

import { TIMER_CAPACITY } from "./config";
import { Future, Waker } from "./future";
import { wake } from "./ready";
import { WakerSet } from "./waker";
import { traceOn, setWakeCause, WAKE_TIMER, WAKE_OTHER } from "./trace";
import * as board from "./board";
import { objectBytes } from "./mem";

/** A point in time, in board ticks since the board's epoch. */
export type Instant = i64;
/** A span of time, in board ticks. Never negative. */
export type Duration = i64;

/** The instant that never comes; durations that overflow saturate to it. */
export const NEVER: i64 = i64.MAX_VALUE;

let hz: i64 = 0;

/** Ticks per second, as given by the board (read once). */
export function tickHz(): i64 {
  if (hz == 0) {
    hz = <i64>board.tick_hz();
    if (hz <= 0) hz = 1;
  }
  return hz;
}

/** The board's current time. */
export function now(): Instant {
  return board.now();
}

/** n units of 1/per second as ticks, rounded up (a sleep never ends early), saturating to NEVER. */
function toTicks(n: i64, per: i64): Duration {
  if (n <= 0) return 0;
  const h = tickHz();
  if (n > (NEVER - per) / h) return NEVER;
  return (n * h + per - 1) / per;
}

export function micros(n: i64): Duration { return toTicks(n, 1_000_000); }
export function millis(n: i64): Duration { return toTicks(n, 1000); }
export function seconds(n: i64): Duration { return toTicks(n, 1); }

/** A duration in whole microseconds (rounded down); NEVER stays NEVER. */
export function asMicros(d: Duration): i64 {
  if (d == NEVER) return NEVER;
  const h = tickHz();
  if (d > NEVER / 1_000_000) {
    const s = d / h;
    return s > NEVER / 1_000_000 ? NEVER : s * 1_000_000;
  }
  return d * 1_000_000 / h;
}

/** t + d, saturating to NEVER instead of overflowing. Negative d counts as 0. */
export function addSat(t: Instant, d: Duration): Instant {
  if (d <= 0) return t;
  if (t >= NEVER - d) return NEVER;
  return t + d;
}

// ---- the timer queue --------------------------------------------------

const POS_FIRED: u16 = 0xffff; // popped by expiry, still owned by its future
const POS_FREE: u16 = 0xfffe;  // on the free stack

// The tables live in static data (memory.data), like the executor's: no
// object headers, and each access is a load at a constant base instead of a
// global read plus a call of StaticArray's element setter, which the
// size-optimised build keeps out of line (measured: docs/runtime.md).
// An entry's fields sit together in one 16-byte record (deadline i64 at 0,
// arming order u32 at 8, owner task u16 at 12, heap position u16 at 14), so
// the heap's compares and moves compute one address per entry and reach
// the fields by load offsets: same RAM as separate tables, fewer instructions.
const HEAP: usize = memory.data(TIMER_CAPACITY << 1, 2);       // u16 entry per heap position
const ENTRIES: usize = memory.data(TIMER_CAPACITY << 4, 8);    // 16-byte record per entry
const FREE_STACK: usize = memory.data(TIMER_CAPACITY << 1, 2); // u16 free entries
let heapLen: i32 = 0;

// @ts-ignore: decorator
@inline function heapAt(i: i32): i32 { return <i32>load<u16>(<usize>i << 1, HEAP); }
// @ts-ignore: decorator
@inline function rec(e: i32): usize { return <usize>e << 4; } // an entry's offset from ENTRIES, the accesses' immediate
// @ts-ignore: decorator
@inline function deadlineOf(e: i32): i64 { return load<i64>(rec(e), ENTRIES); }
// @ts-ignore: decorator
@inline function seqOf(e: i32): u32 { return load<u32>(rec(e), ENTRIES + 8); }
// @ts-ignore: decorator
@inline function taskOf(e: i32): i32 { return <i32>load<u16>(rec(e), ENTRIES + 12); }
// @ts-ignore: decorator
@inline function setTaskOf(e: i32, t: i32): void { store<u16>(rec(e), <u16>t, ENTRIES + 12); }
// @ts-ignore: decorator
@inline function posOf(e: i32): u16 { return load<u16>(rec(e), ENTRIES + 14); }
// @ts-ignore: decorator
@inline function setPos(e: i32, p: u16): void { store<u16>(rec(e), p, ENTRIES + 14); }
// @ts-ignore: decorator
@inline function freeAt(i: i32): i32 { return <i32>load<u16>(<usize>i << 1, FREE_STACK); }
// @ts-ignore: decorator
@inline function setFreeAt(i: i32, e: i32): void { store<u16>(<usize>i << 1, <u16>e, FREE_STACK); }
let freeTop: i32 = 0;
let seqNext: u32 = 0;
/** Tasks that found the pool empty; woken whenever an entry is freed. */
const overflowWaiters = new WakerSet();
/** True while overflowWaiters may be non-empty: spares every free a scan of the set. */
let overflowed = false;
/** How many times a timer could not get an entry (it then waits for one, late but not lost). */
export let timerOverflows: u32 = 0;

for (let i = TIMER_CAPACITY - 1; i >= 0; i--) {
  setFreeAt(freeTop++, i);
  setPos(i, POS_FREE);
}

// @ts-ignore: decorator
@inline function place(e: i32, at: i32): void {
  store<u16>(<usize>at << 1, <u16>e, HEAP);
  setPos(e, <u16>at);
}

// The root hole. When the expiry pass fires the earliest entry and nothing
// else is due, it does not pop it: the root is left as a hole (`hole`; the
// fired entry's position is POS_FIRED, so it is out of the heap for everyone
// else) and heapLen still counts it. The woken timer most often arms again at
// once (a Sleep in a loop, a Ticker: free, then alloc of the same entry from
// the LIFO free stack, then arm), and that insert fills the hole: the new
// entry goes in at the root and sifts down (a heap "replace"), one sift
// instead of the pop's sift-down plus the insert's sift-up. Anything else
// that needs the heap whole fills the hole first with a plain pop (fillHole):
// removal of another entry, nextDeadline (the executor's alarm, once per
// step), another expiry pass. The heap orders by the same total order
// (deadline, arming sequence) either way, so what fires when, and in which
// order, is exactly what a pop at expiry gives.
let hole = false;

// Both sifts move one entry `e` into a free position `at` of the heap with
// its key (deadline, arming order) in locals: each level loads only the
// other entries' keys, and `e` is stored once, where it stops.

function siftUp(e: i32, at: i32): void {
  const de = deadlineOf(e), se = seqOf(e);
  while (at > 0) {
    const parent = (at - 1) >> 1;
    const p = heapAt(parent);
    const dp = deadlineOf(p);
    // stop unless e is before p
    if (de > dp || (de == dp && <i32>(se - seqOf(p)) >= 0)) break;
    place(p, at);
    at = parent;
  }
  place(e, at);
}

function siftDown(e: i32, at: i32): void {
  siftDownKey(e, at, deadlineOf(e), seqOf(e));
}

/** siftDown with e's key (deadline, arming order) given: an insert has it in locals already. */
function siftDownKey(e: i32, at: i32, de: i64, se: u32): void {
  const len = heapLen;
  while (true) {
    let child = 2 * at + 1;
    if (child >= len) break;
    let c = heapAt(child);
    let dc = deadlineOf(c);
    if (child + 1 < len) {
      const r = heapAt(child + 1);
      const dr = deadlineOf(r);
      if (dr < dc || (dr == dc && <i32>(seqOf(r) - seqOf(c)) < 0)) { child++; c = r; dc = dr; }
    }
    // stop unless c is before e
    if (dc > de || (dc == de && <i32>(seqOf(c) - se) >= 0)) break;
    place(c, at);
    at = child;
  }
  place(e, at);
}

/** Remove the root (a hole or the earliest entry): the last entry sifts down from the root. */
function popRoot(): void {
  hole = false;
  const len = --heapLen;
  if (len > 0) siftDown(heapAt(len), 0);
}

/** Remove the entry at heap position `at` (no hole: the caller filled it). */
function heapRemoveAt(at: i32): void {
  const len = --heapLen;
  if (at == len) return;
  const last = heapAt(len);
  siftDown(last, at);
  const p = <i32>posOf(last);
  if (p == at) siftUp(last, at); // it did not move down: it may belong higher
}

/** Take a free entry, or -1 when all TIMER_CAPACITY entries are armed. */
// @ts-ignore: decorator
@inline function entryAlloc(): i32 {
  if (freeTop == 0) return -1;
  return freeAt(--freeTop);
}

function wakeOverflowed(): void {
  overflowed = false;
  overflowWaiters.wakeAll();
}

/** A timer found the pool empty: count it and put its task on the wait list (see TimerFuture). */
function overflowTimer(w: Waker): void {
  timerOverflows++;
  // The bit stays until the next wakeAll even if this future later gets
  // an entry: a stale bit costs one spurious wake, while removing it could
  // unregister another overflowed timer of the same task (one bit per task).
  overflowWaiters.add(w);
  overflowed = true;
}

/** Give back an entry that is out of the heap (fired, or never armed). */
// @ts-ignore: decorator
@inline function entryFreeUnarmed(e: i32): void {
  setPos(e, POS_FREE);
  setFreeAt(freeTop++, e);
  if (overflowed) wakeOverflowed();
}

function entryFree(e: i32): void {
  if (posOf(e) < POS_FREE) {
    if (hole) popRoot(); // positions move: read e's after
    heapRemoveAt(<i32>posOf(e));
  }
  entryFreeUnarmed(e);
}

// @ts-ignore: decorator
@inline function entryArm(e: i32, deadline: Instant, task: Waker): void {
  const sq = seqNext++;
  store<i64>(rec(e), deadline, ENTRIES);
  store<u32>(rec(e), sq, ENTRIES + 8);
  setTaskOf(e, task);
  if (hole) {
    hole = false;
    siftDownKey(e, 0, deadline, sq); // into the root hole (see `hole`)
  } else {
    siftUp(e, heapLen++);
  }
}

/** Wake the owners of every entry whose deadline is at or before t. Returns how many fired. */
export function expireTimers(t: Instant): i32 {
  if (hole) popRoot();
  if (traceOn) setWakeCause(WAKE_TIMER); // the wakes below are timer expiries
  let n = 0;
  while (heapLen > 0) {
    const e = heapAt(0);
    if (deadlineOf(e) > t) break;
    setPos(e, POS_FIRED);
    wake(taskOf(e));
    n++;
    // The next earliest is a child of the root: if neither is due, leave
    // the root as a hole for the next insert (see `hole`); else pop.
    const len = heapLen;
    if (len == 1 || (deadlineOf(heapAt(1)) > t && (len == 2 || deadlineOf(heapAt(2)) > t))) {
      hole = true;
      break;
    }
    popRoot();
  }
  if (traceOn) setWakeCause(WAKE_OTHER);
  return n;
}

/**
 * The executor's expiry pass, run before every batch: expireTimers(now()),
 * except that with no timer armed there is nothing to expire, so the board's
 * clock is not read (one import call less per batch; see docs/runtime.md).
 * (A lone root hole still reads it: the pass fills the hole.)
 */
// @ts-ignore: decorator
@inline export function expireDue(): void {
  if (heapLen > 0) expireAt(board.now());
}

/**
 * expireTimers(t) for the executor, inlined: the call is made only when the
 * earliest deadline is due. (A root hole's fired entry is always due: the
 * call then fills the hole first.)
 */
// @ts-ignore: decorator
@inline export function expireAt(t: Instant): void {
  if (heapLen > 0 && deadlineOf(heapAt(0)) <= t) expireTimers(t);
}

/** Fill the root hole (see `hole`) so the root is the earliest armed entry. */
function fillHole(): void { popRoot(); }

/** The earliest armed deadline, or -1 when no timer is armed. */
// @ts-ignore: decorator
@inline export function nextDeadline(): Instant {
  if (hole) fillHole();
  return heapLen > 0 ? deadlineOf(heapAt(0)) : -1;
}

/** Number of armed timers (in the heap). */
// @ts-ignore: decorator
@inline export function timersArmed(): i32 {
  return hole ? heapLen - 1 : heapLen;
}

// ---- timer futures -----------------------------------------------------

/**
 * Base of the futures that wait for a deadline. Holds at most one timer
 * entry while waiting; releases it on completion and on cancel.
 *
 * Timing rule: a timer completes at the first poll after the executor's
 * expiry pass has seen its deadline (expiry runs before every batch, with
 * board.now()). While its entry is armed, a poll reads no clock; the clock is
 * read only when there is no entry (first poll, or after the deadline was
 * changed), so a deadline already past completes on that first poll.
 *
 * Pool overflow: when all TIMER_CAPACITY entries are armed, the timer cannot
 * get one. It is counted (coop_stat 3, `timerOverflows`), its task is put on
 * a wait list woken whenever an entry is freed, and the next poll tries
 * again. It is then late (it fires when an entry frees up, or at once if its
 * deadline has passed by then) but never lost. With the default pool (one
 * entry per task slot) this happens only when tasks hold several timers.
 */
export abstract class TimerFuture extends Future {
  /** The absolute deadline; NEVER means "wait until cancelled". */
  deadline: Instant = NEVER;
  /** The timer entry held, or -1. */
  entry: i32 = -1;

  /** True once the deadline has passed; otherwise make sure w is woken at the deadline. */
  protected waitUntil(w: Waker): bool {
    let e = this.entry;
    if (e >= 0) {
      const same = deadlineOf(e) == this.deadline;
      if (posOf(e) == POS_FIRED) {
        // Expiry saw now >= the entry's deadline.
        if (same) { this.release(); return true; }
      } else if (same) {
        setTaskOf(e, w); // polled from another task: follow it
        return false;
      }
      // The deadline was changed while the entry was held: start over.
      this.release();
      e = -1;
    }
    if (board.now() >= this.deadline) return true;
    this.armEntry(w);
    return false;
  }

  /**
   * Take and arm an entry for `deadline` (the clock has been read and found
   * before it; no entry is held). NEVER arms nothing: only cancel ends it.
   */
  // Inlined (three call sites): the common case is a few stores and one
  // sift call; the pool running out is overflowTimer, out of line.
  // @ts-ignore: decorator
  @inline protected armEntry(w: Waker): void {
    if (this.deadline == NEVER) return; // nothing will ever wake it but cancel
    const e = entryAlloc();
    if (e < 0) {
      overflowTimer(w);
      return;
    }
    this.entry = e;
    entryArm(e, this.deadline, w);
  }

  /** Give back the timer entry, if one is held. */
  // @ts-ignore: decorator
  @inline protected release(): void {
    if (this.entry >= 0) {
      entryFree(this.entry);
      this.entry = -1;
    }
  }
}

/**
 * Completes `duration` after its first poll. Reusable: after completing (or
 * being cancelled) the next poll starts a new sleep of the same duration.
 * A duration <= 0 completes on the first poll. A duration that overflows
 * (e.g. millis(i64.MAX_VALUE), saturated to NEVER) sleeps until cancelled and
 * arms no timer. Wakes: its task, at the deadline (see TimerFuture).
 * Cancel: releases the timer entry; the next poll starts a new sleep.
 */
export class Sleep extends TimerFuture {
  private armed: bool = false;
  constructor(public duration: Duration) { super(); }

  /**
   * Set the duration of the next sleep and return this sleep, to await it:
   * `await nap.for(millis(20))`. A sleep in flight (polled, not yet
   * completed or cancelled) keeps its deadline; the new duration applies
   * from the next sleep started.
   */
  for(d: Duration): Sleep {
    this.duration = d;
    return this;
  }

  /**
   * Inlined where it is awaited: the end of a sleep (its entry fired: the
   * expiry pass saw its deadline) gives the entry back and completes here;
   * everything else is pollSlow, out of line. A Sleep's deadline never moves
   * while it holds an entry (it is set only when a sleep starts, with no
   * entry held, and every path that ends the sleep releases the entry), so a
   * fired entry is waitUntil's "deadline passed" for this case.
   */
  // @ts-ignore: decorator
  @inline poll(w: Waker): bool {
    const e = this.entry;
    if (e >= 0 && posOf(e) == POS_FIRED) {
      this.entry = -1;
      this.armed = false;
      entryFreeUnarmed(e);
      return true;
    }
    return this.pollSlow(w);
  }

  /** poll for every case but a fired entry (see poll): start, spurious polls, no entry. */
  pollSlow(w: Waker): bool {
    if (!this.armed) {
      const t = board.now();
      this.deadline = addSat(t, this.duration);
      this.armed = true;
      // Arm with this reading instead of letting waitUntil read the clock
      // again (one board call less per sleep; a duration <= 0 takes the
      // general path below and completes there).
      if (this.entry < 0 && t < this.deadline) { this.armEntry(w); return false; }
    }
    if (this.waitUntil(w)) {
      this.armed = false;
      return true;
    }
    return false;
  }

  cancel(): void {
    this.release();
    this.armed = false;
  }
}

/**
 * Completes at an absolute instant: at once (first poll) if it is already
 * past, never if it is NEVER. `at` may be changed at any time; a held timer
 * entry is re-armed for the new instant at the next poll.
 * Wakes: its task, at the instant. Cancel: releases the timer entry.
 */
export class SleepUntil extends TimerFuture {
  constructor(at: Instant) { super(); this.deadline = at; }

  get at(): Instant { return this.deadline; }
  set at(t: Instant) { this.deadline = t; }

  /** Set the instant (as `at`, also while waiting) and return this, to await it: `await wake.until(t)`. */
  until(t: Instant): SleepUntil {
    this.deadline = t;
    return this;
  }

  poll(w: Waker): bool { return this.waitUntil(w); }
  cancel(): void { this.release(); }
}

/**
 * Completes once per period, on a fixed schedule that does not drift: tick k
 * is due at start + k * period, however late the poll that saw tick k-1 was.
 * The first tick is one period after the first poll. A ticker that falls
 * behind completes at once for each missed tick until it has caught up
 * (`count` says how many ticks have completed). A period <= 0 is taken as
 * 1 tick. Wakes: its task, at each tick.
 * Cancel: releases the timer entry and keeps the schedule (the next poll waits
 * for the same tick); `restart()` starts a new schedule from the next poll.
 */
export class Ticker extends TimerFuture {
  private started: bool = false;
  /** Ticks completed since the schedule started. */
  count: u64 = 0;
  constructor(public period: Duration) { super(); }

  /**
   * Inlined where it is awaited, as Sleep's: a fired entry is a tick (the
   * deadline never moves while an entry is held: it advances only after the
   * entry is released, and a new period restarts, which releases it).
   */
  // @ts-ignore: decorator
  @inline poll(w: Waker): bool {
    const e = this.entry;
    if (e >= 0 && posOf(e) == POS_FIRED) {
      this.entry = -1;
      entryFreeUnarmed(e);
      this.deadline = addSat(this.deadline, this.period > 0 ? this.period : 1);
      this.count++;
      return true;
    }
    return this.pollSlow(w);
  }

  /** poll for every case but a fired entry (see poll). */
  pollSlow(w: Waker): bool {
    const p = this.period > 0 ? this.period : 1;
    if (!this.started) {
      const t = board.now();
      this.deadline = addSat(t, p);
      this.started = true;
      if (this.entry < 0 && t < this.deadline) { this.armEntry(w); return false; } // as in Sleep
    }
    if (this.waitUntil(w)) {
      this.deadline = addSat(this.deadline, p);
      this.count++;
      return true;
    }
    return false;
  }

  restart(): void {
    this.release();
    this.started = false;
    this.count = 0;
  }

  /**
   * Tick every `p` from now on and return this ticker, to await the next
   * tick: `await tick.every(millis(50))`. The same period as now changes
   * nothing (so awaiting `every(p)` in a loop keeps the drift-free
   * schedule); a different one restarts the schedule (as `restart()`): the
   * next tick is `p` after the next poll.
   */
  every(p: Duration): Ticker {
    if (p != this.period) {
      this.period = p;
      this.restart();
    }
    return this;
  }

  cancel(): void { this.release(); }
}

/**
 * Runs `inner` with a time limit. Completes when the inner future completes
 * (`timedOut` false) or when `limit` has passed since the first poll, in which
 * case the inner future is cancelled and `timedOut` is true. If both are ready
 * in the same poll, the inner future wins. A limit that overflows never times
 * out. Wakes: its task, when the inner future wakes it or at the limit.
 * Cancel: cancels the inner future and releases the timer.
 */
export class Timeout<F extends Future> extends TimerFuture {
  timedOut: bool = false;
  private armed: bool = false;
  constructor(public inner: F, public limit: Duration) { super(); }

  /**
   * Set the time limit of the next run and return this, to await it:
   * `await reply.within(millis(500)); if (reply.timedOut) ...`. A run in
   * flight keeps its deadline; the new limit applies from the next start.
   */
  within(d: Duration): Timeout<F> {
    this.limit = d;
    return this;
  }

  poll(w: Waker): bool {
    if (!this.armed) {
      this.deadline = addSat(board.now(), this.limit);
      this.armed = true;
    }
    if (this.inner.poll(w)) {
      this.release();
      this.armed = false;
      this.timedOut = false;
      return true;
    }
    if (this.waitUntil(w)) {
      this.inner.cancel();
      this.armed = false;
      this.timedOut = true;
      return true;
    }
    return false;
  }

  cancel(): void {
    this.inner.cancel();
    this.release();
    this.armed = false;
  }
}

/** `inner` with a time limit (see Timeout). Allocates: call at init, then reuse. */
export function withTimeout<F extends Future>(inner: F, limit: Duration): Timeout<F> {
  return new Timeout<F>(inner, limit);
}

/** Linear-memory bytes of the timer queue's tables (heap, per-entry arrays, free stack, overflow wait list). */
export function timerRamBytes(): usize {
  // The three tables are static data (sizes as declared, no headers): 20 B per entry.
  return <usize>(TIMER_CAPACITY * 20) + objectBytes(overflowWaiters) + objectBytes(overflowWaiters.bits);
}
