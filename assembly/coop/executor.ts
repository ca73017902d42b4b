// The executor: a fixed table of TASK_CAPACITY task slots, a ready bitset,
// and `step`, which polls ready tasks in batches until nothing is ready.
//
// Scheduling rules (the contract firmware can rely on):
// - A batch is the set of tasks ready when it starts. Each is polled at most
//   once per batch, in ascending slot order: a lower slot is a higher
//   priority. A task woken during a batch (including by itself, e.g.
//   yieldNow) runs in the next batch, so a busy task cannot starve others.
// - Before every batch the executor takes the board's pending IRQ flags (no
//   call when the board's irq_quiet says none was raised since the last) and
//   expires due timers, so interrupt-driven work is seen between batches.
// - `step` returns when no task is ready, with the earliest timer deadline
//   (or -1 for none), or early after POLL_BUDGET polls, returning the current
//   time, which tells the board to call again without sleeping.
//
// Memory per slot: future ref (4) + name ref (4) + join handle ref (4) +
// generation (2) + state (1) bytes, plus 2 bits (ready and batch sets):
// 15.25 bytes, in static data without headers (docs/runtime.md has the
// measured totals). The futures themselves, the timer pool and the IRQ lists are
// separate.

import { TASK_CAPACITY, TASK_WORDS, POLL_BUDGET } from "./config";
import { Future, Waker } from "./future";
import { readyWord, setReadyWord, READY_BYTES, currentTask, setCurrentTask, wake, unready, readyCount } from "./ready";
import { WakerSet } from "./waker";
import { dispatchIrqs } from "./irq";
import { expireDue, expireAt, nextDeadline } from "./time";
import * as board from "./board";
import { traceOn, TRACE_POLL_BEGIN, TRACE_POLL_END, TRACE_SPAWN, TRACE_EXIT, TRACE_STEP_END } from "./trace";
import { pollEndFlagged, pollEndNoted, markSelfAbort } from "./seal";

/** A task id: slot index in the low 16 bits, the slot's generation above. Negative values are errors. */
export type TaskId = i32;

/** spawn: every slot holds a live task. */
export const SPAWN_FULL: TaskId = -1;
/** spawn: the join handle's task is still running. */
export const SPAWN_BUSY: TaskId = -2;

// coop_task_state's values (boards/abi/abi.json): free, live, and live with an
// abort requested while it was being polled (it ends after the poll).
import { TASK_FREE, TASK_LIVE, TASK_ABORTING } from "./abi_gen";
export { TASK_FREE, TASK_LIVE, TASK_ABORTING };

// The task table lives in static data (memory.data): no object headers, so
// (each table's base is a constant, given as the load's or store's offset
// immediate, so an access is a shift and the access, no add);
// its RAM is exactly the per-slot figure above. References are stored as raw
// pointers, which is sound under the stub runtime the core is built with (no
// collector to hide them from; every object stays where init put it).
const FUTURES: usize = memory.data(TASK_CAPACITY << 2, 4);
const NAMES: usize = memory.data(TASK_CAPACITY << 2, 4);
const HANDLES: usize = memory.data(TASK_CAPACITY << 2, 4);
const GENS: usize = memory.data(TASK_CAPACITY << 1, 2);
const STATES: usize = memory.data(TASK_CAPACITY, 1);
const BATCH: usize = memory.data(TASK_WORDS << 2, 4);

// @ts-ignore: decorator
@inline function futureOf(slot: i32): Future | null { return changetype<Future | null>(load<usize>(<usize>slot << 2, FUTURES)); }
// @ts-ignore: decorator
@inline function setFuture(slot: i32, f: Future | null): void { store<usize>(<usize>slot << 2, changetype<usize>(f), FUTURES); }
// @ts-ignore: decorator
@inline function nameOf(slot: i32): string | null { return changetype<string | null>(load<usize>(<usize>slot << 2, NAMES)); }
// @ts-ignore: decorator
@inline function setName(slot: i32, n: string | null): void { store<usize>(<usize>slot << 2, changetype<usize>(n), NAMES); }
// @ts-ignore: decorator
@inline function handleOf(slot: i32): JoinHandleBase | null { return changetype<JoinHandleBase | null>(load<usize>(<usize>slot << 2, HANDLES)); }
// @ts-ignore: decorator
@inline function setHandle(slot: i32, h: JoinHandleBase | null): void { store<usize>(<usize>slot << 2, changetype<usize>(h), HANDLES); }
// @ts-ignore: decorator
@inline function genOf(slot: i32): u16 { return load<u16>(<usize>slot << 1, GENS); }
// @ts-ignore: decorator
@inline function setGen(slot: i32, g: u16): void { store<u16>(<usize>slot << 1, g, GENS); }
// @ts-ignore: decorator
@inline function stateOf(slot: i32): u8 { return load<u8>(<usize>slot, STATES); }
// @ts-ignore: decorator
@inline function setState(slot: i32, st: u8): void { store<u8>(<usize>slot, st, STATES); }
// @ts-ignore: decorator
@inline function batchWord(w: i32): u32 { return load<u32>(<usize>w << 2, BATCH); }
// @ts-ignore: decorator
@inline function setBatchWord(w: i32, v: u32): void { store<u32>(<usize>w << 2, v, BATCH); }
let liveCount: i32 = 0;
let spawnFailures: u32 = 0;
let pollsTotal: u64 = 0;

// @ts-ignore: decorator
@inline function makeId(slot: i32): TaskId {
  return ((<i32>genOf(slot) & 0x7fff) << 16) | slot;
}

/** The slot of a task id, or -1 if the id is an error code or no longer names a live task. */
export function slotOf(id: TaskId): i32 {
  if (id < 0) return -1;
  const slot = id & 0xffff;
  if (slot >= TASK_CAPACITY) return -1;
  if (stateOf(slot) == TASK_FREE || makeId(slot) != id) return -1;
  return slot;
}

/**
 * Put a future in a free slot as a new task, ready to be polled in the next
 * batch (spawned from inside a task, it runs in the batch after the current
 * one). Returns its TaskId, or SPAWN_FULL when every slot is live (counted in
 * coop_stat 2 / spawnFailureCount(); nothing else changes, the future is not
 * touched). `spawn(f(...))` of an async function f without a name is
 * named "f" (the build adds the name). The lowest free slot is taken, so the order of spawning at init
 * sets the priorities. A freed slot is reused with its generation bumped, so
 * ids of ended tasks never name the new task. Never allocates.
 */
export function spawn(fut: Future, name: string = ""): TaskId {
  return spawnInto(fut, name, null);
}

/** spawn with a join handle the task's end is reported to (JoinHandle, JoinSet). Not firmware API. */
export function spawnInto(fut: Future, name: string, handle: JoinHandleBase | null): TaskId {
  // The table is small and spawn is rare: a linear scan for the lowest free slot.
  for (let i = 0; i < TASK_CAPACITY; i++) {
    if (stateOf(i) != TASK_FREE) continue;
    setFuture(i, fut);
    setName(i, name);
    setHandle(i, handle);
    setState(i, TASK_LIVE);
    liveCount++;
    if (traceOn) board.trace(TRACE_SPAWN, i, 0);
    wake(i);
    return makeId(i);
  }
  spawnFailures++;
  return SPAWN_FULL;
}

/** End the task in a slot: free it, bump its generation, tell its join handle. */
function finish(slot: i32, aborted: bool): void {
  setState(slot, TASK_FREE);
  setFuture(slot, null);
  setGen(slot, genOf(slot) + 1);
  unready(slot);
  const w = slot >> 5;
  setBatchWord(w, batchWord(w) & ~(1 << (slot & 31)));
  liveCount--;
  clearYield(slot);
  const h = handleOf(slot);
  setHandle(slot, null);
  if (traceOn) board.trace(TRACE_EXIT, slot, aborted ? 1 : 0);
  if (h) h.ended(aborted);
}

/**
 * Abort a task: its future's cancel() runs (releasing what it registered),
 * the slot is freed and its join handle completes with `aborted = true` (its
 * awaiters are woken). Returns false and does nothing if the id does not name
 * a live task: an error code, a task that has already finished, or a stale id
 * of a reused slot. A task aborting itself (from inside its own poll) gets
 * `true`, keeps running to the end of that poll, and is then cancelled and
 * ended; if that same poll completes the task, completion wins
 * (`aborted = false`).
 */
export function abort(id: TaskId): bool {
  const slot = slotOf(id);
  if (slot < 0) return false;
  if (slot == currentTask) {
    setState(slot, TASK_ABORTING);
    markSelfAbort(); // seen by the check after the poll that pollTask makes anyway
    return true;
  }
  futureOf(slot)!.cancel();
  finish(slot, true);
  return true;
}

/**
 * Poll the task in a slot once (a bit of the batch). Returns false for a
 * stale bit (the slot's task has ended), which costs no budget. Inlined into
 * step's loop: per poll it is a table load, the dispatch, the start-up seal's
 * one-word check (seal.ts: a poll that allocated stops the firmware here, its
 * task still current; a task that aborted itself changed the same word, so
 * no separate state test), and a test of the result; `currentTask` is left set after a poll
 * that did not end the task (step clears it after the batch, before anything
 * else runs), and the poll count is kept in step's budget, not per poll.
 */
// @ts-ignore: decorator
@inline function pollTask(slot: i32): bool {
  const fut = futureOf(slot);
  if (!fut) return false; // woken after it ended: stale bit
  setCurrentTask(slot);
  if (traceOn) board.trace(TRACE_POLL_BEGIN, slot, 0);
  const done = fut.poll(slot);
  // One word tells both an allocation and a self-abort (seal.ts); both are rare.
  if (pollEndFlagged()) {
    flaggedPollEnd(slot, fut, done);
    return true;
  }
  if (traceOn) board.trace(TRACE_POLL_END, slot, done ? 1 : 0);
  if (done) {
    setCurrentTask(-1);
    finish(slot, false);
  }
  return true;
}

/** The end of a poll whose seal word changed: an allocation stops the firmware; otherwise the task aborted itself. */
function flaggedPollEnd(slot: i32, fut: Future, done: bool): void {
  pollEndNoted();
  if (traceOn) board.trace(TRACE_POLL_END, slot, done ? 1 : 0);
  setCurrentTask(-1);
  if (done) {
    finish(slot, false); // completion wins over the abort
  } else {
    fut.cancel();
    finish(slot, true);
  }
}

/**
 * Run ready tasks until none is ready (see the rules at the top of this file).
 * Returns the earliest timer deadline, -1 if no timer is armed, or now() if it
 * stopped because the poll budget ran out and tasks are still ready.
 */
export function step(): i64 {
  let budget = POLL_BUDGET;
  // Before every batch: take the IRQ flags, then expire due timers. The
  // first batch of a step reads the clock; later ones only while a timer is
  // armed (nothing to expire otherwise), so a step makes one clock read, not
  // one per batch. (Dropping that first read too is measured as ~8% on the
  // IRQ fan-out bench; tests/host/wasm3-engine.test.ts currently relies on
  // a step calling now().) The expiry pass itself is called only when the
  // earliest deadline is due (expireAt, inlined).
  dispatchIrqs();
  expireAt(board.now());
  if (TASK_WORDS == 1) {
    // One bitset word (up to 32 slots, the default): one loop that polls the
    // lowest bit of the batch, or, when the batch is empty, ends it (flags,
    // expiry) and takes the next from the ready set. The same rules as the
    // general loop below, with one loop instead of two nested ones.
    let r = readyWord(0);
    if (r == 0) return stepIdle(budget);
    setReadyWord(0, 0);
    setBatchWord(0, r); // in memory: finish() clears the bit of a task ended meanwhile
    while (true) {
      const b = batchWord(0);
      if (b != 0) {
        setBatchWord(0, b & (b - 1));
        if (pollTask(<i32>ctz(b)) && --budget == 0) return outOfBudget(budget);
        continue;
      }
      setCurrentTask(-1);
      dispatchIrqs();
      expireDue();
      r = readyWord(0);
      if (r == 0) return stepIdle(budget);
      setReadyWord(0, 0);
      setBatchWord(0, r);
    }
  }
  while (true) {
    let any: u32 = 0;
    for (let w = 0; w < TASK_WORDS; w++) {
      const b = readyWord(w);
      setBatchWord(w, b);
      setReadyWord(w, 0);
      any |= b;
    }
    if (any == 0) break;
    for (let w = 0; w < TASK_WORDS; w++) {
      while (true) {
        const b = batchWord(w);
        if (b == 0) break;
        setBatchWord(w, b & (b - 1));
        if (pollTask((w << 5) | <i32>ctz(b)) && --budget == 0) return outOfBudget(budget);
      }
    }
    setCurrentTask(-1);
    dispatchIrqs();
    expireDue();
  }
  return stepIdle(budget);
}

// @ts-ignore: decorator
@inline function stepIdle(budget: i32): i64 {
  pollsTotal += <u64>(POLL_BUDGET - budget);
  return idle();
}

function outOfBudget(budget: i32): i64 {
  setCurrentTask(-1);
  pollsTotal += <u64>(POLL_BUDGET - budget);
  // Put the rest of this batch back; those tasks are still ready.
  let any: u32 = 0;
  for (let w = 0; w < TASK_WORDS; w++) {
    const b = readyWord(w) | batchWord(w);
    setReadyWord(w, b);
    setBatchWord(w, 0);
    any |= b;
  }
  // The budget ran out on the last ready task: nothing to come back for. (A
  // flag or timer due meanwhile is seen by the board: flags keep it from
  // sleeping, and a due deadline is returned as <= now.)
  if (any == 0) return idle();
  if (traceOn) board.trace(TRACE_STEP_END, readyCount(), 0);
  setAlarm();
  return board.now();
}

let alarmAt: i64 = -1;

// @ts-ignore: decorator
@inline function setAlarm(): void {
  const d = nextDeadline();
  if (d != alarmAt) {
    alarmAt = d;
    board.set_alarm(d);
  }
}

// @ts-ignore: decorator
@inline function idle(): i64 {
  if (traceOn) board.trace(TRACE_STEP_END, 0, 0);
  setAlarm();
  return alarmAt;
}

// ---- introspection ------------------------------------------------------

/** The id of the live task in a slot, or -1 if the slot is free or out of range. */
export function taskIdOf(slot: i32): TaskId {
  if (<u32>slot >= <u32>TASK_CAPACITY || stateOf(slot) == TASK_FREE) return -1;
  return makeId(slot);
}

/** TASK_FREE, TASK_LIVE or TASK_ABORTING for a slot (TASK_FREE out of range). */
export function taskState(slot: i32): u8 {
  return <u32>slot < <u32>TASK_CAPACITY ? stateOf(slot) : TASK_FREE;
}

/** taskStatus: the task in the slot is being polled right now (it is the caller, or the caller's caller). */
export const TASK_RUNNING: u8 = 3;
/** taskStatus: woken, waiting for its turn in this batch or the next. */
export const TASK_READY: u8 = 4;
/** taskStatus: waiting for a wake (an IRQ, a timer, another task). */
export const TASK_WAITING: u8 = 5;

/**
 * What the task in a slot is doing: TASK_FREE (no task; also out of range),
 * TASK_ABORTING (aborted from inside its own poll, ends after it),
 * TASK_RUNNING (being polled now), TASK_READY (woken: it will be polled in
 * the current batch, if it is in it and not yet polled, or in the next) or
 * TASK_WAITING. `taskStatusName` gives the word.
 */
export function taskStatus(slot: i32): u8 {
  if (<u32>slot >= <u32>TASK_CAPACITY) return TASK_FREE;
  const st = stateOf(slot);
  if (st != TASK_LIVE) return st;
  if (slot == currentTask) return TASK_RUNNING;
  const bit: u32 = 1 << (slot & 31);
  if (((readyWord(slot >> 5) | batchWord(slot >> 5)) & bit) != 0) return TASK_READY;
  return TASK_WAITING;
}

/** "running", "ready", "waiting", "aborting" or "free" for a taskStatus value ("?" for anything else). */
export function taskStatusName(status: u8): string {
  if (status == TASK_RUNNING) return "running";
  if (status == TASK_READY) return "ready";
  if (status == TASK_WAITING) return "waiting";
  if (status == TASK_ABORTING) return "aborting";
  return status == TASK_FREE ? "free" : "?";
}

/** The name given at spawn to the slot's latest task (kept after it ends), or null. */
export function taskName(slot: i32): string | null {
  return <u32>slot < <u32>TASK_CAPACITY ? nameOf(slot) : null;
}

/**
 * Where a live task waits now, as "file.ts:line" of its current await (async
 * functions in a debug build), or null: a free slot, a hand-written future,
 * or a release build, which leaves the sites out to save their bytes.
 */
export function taskAwaitSite(slot: i32): string | null {
  if (<u32>slot >= <u32>TASK_CAPACITY) return null;
  const f = futureOf(slot);
  if (f === null) return null;
  const site = f.awaitSite;
  return site.length ? site : null;
}

/** Number of live tasks. */
export function liveTasks(): i32 { return liveCount; }

/**
 * Linear-memory bytes of the executor's tables: the static regions of the
 * task table, the batch bitset and the ready bitset (ready.ts). They are
 * memory.data regions, so there are no headers and these are their sizes.
 */
export function executorRamBytes(): usize {
  return <usize>((TASK_CAPACITY << 2) * 3 + (TASK_CAPACITY << 1) + TASK_CAPACITY + (TASK_WORDS << 2) + READY_BYTES);
}
/** Spawns refused because the table was full, since start. */
export function spawnFailureCount(): u32 { return spawnFailures; }
/** Task polls since start (counted when a step returns). */
export function pollCount(): u64 { return pollsTotal; }

// ---- join handles ---------------------------------------------------------

/** The type-erased part of a join handle, which the task table points at. */
export abstract class JoinHandleBase extends Future {
  /** The running task's id, or -1 before the first spawn. */
  id: TaskId = -1;
  /** True once the task has ended (completed or aborted), until the next spawn. */
  finished: bool = false;
  /** True if the task was aborted rather than completing. */
  aborted: bool = false;
  /** Tasks awaiting the handle: any number of tasks may await it at once. */
  protected waiters: WakerSet;

  /** `waiters`: a wait list shared with other handles (JoinSet's members share one), or a new one. */
  constructor(waiters: WakerSet | null = null) {
    super();
    this.waiters = waiters !== null ? waiters : new WakerSet();
  }

  ended(aborted: bool): void {
    this.finished = true;
    this.aborted = aborted;
    this.waiters.wakeAll();
  }

  /**
   * Completes when the task has ended; check `aborted` for how. Awaiting a
   * handle twice (again after it completed, or from several tasks at once)
   * is fine: every awaiter completes, and a later await completes at once,
   * since the outcome stays until the next spawn. A handle that was never
   * spawned, or whose spawn failed, completes at once (a failed spawn leaves
   * `finished` and `aborted` true). Wakes: its awaiters, when the task ends.
   * Cancel: the awaiting task stops waiting (it may get one spurious wake
   * when the awaited task ends); the awaited task keeps running (detached).
   */
  poll(w: Waker): bool {
    if (this.finished) return true;
    if (this.id < 0) return true; // never spawned: nothing to wait for
    this.waiters.add(w);
    return false;
  }

  cancel(): void {
    // Deliberately keeps the registration: the handle is one object that
    // several tasks may be awaiting, and cancel() cannot tell which of them
    // is leaving. A stale bit costs that task one spurious wake when the
    // awaited task ends; removing it could strand another awaiter.
  }

  /** Abort the task (see `abort`). False if it is not running. */
  abort(): bool {
    return abort(this.id);
  }

  /** True while the handle's task is live. */
  get running(): bool {
    return slotOf(this.id) >= 0;
  }
}

/**
 * A handle to a task running `future`. Created once at init; each `spawn`
 * starts the same future object again as a new task (no allocation). The
 * task's result is read from the future's own fields once `finished`.
 */
export class JoinHandle<F extends Future> extends JoinHandleBase {
  constructor(public future: F) { super(); }

  /** Spawn the future as a task. Returns its id, SPAWN_FULL, or SPAWN_BUSY if it is still running. */
  spawn(name: string = ""): TaskId {
    if (this.running) return SPAWN_BUSY;
    this.finished = false;
    this.aborted = false;
    const id = spawnInto(this.future, name, this);
    this.id = id;
    if (id < 0) { this.finished = true; this.aborted = true; }
    return id;
  }
}

// ---- yielding -------------------------------------------------------------

/**
 * Gives the other ready tasks a turn: the first poll wakes its own task and
 * returns pending (so the task runs again in the next batch); the second
 * completes. Wakes: its own task, at once. Cancel: forgets the pending yield.
 */
export class YieldNow extends Future {
  private yielded: bool = false;
  poll(w: Waker): bool {
    if (this.yielded) {
      this.yielded = false;
      return true;
    }
    this.yielded = true;
    wake(w);
    return false;
  }
  cancel(): void { this.yielded = false; }
}

// One bit per task slot: the task's `yieldNow()` (yield.ts) has woken it and
// waits for its next poll. In static data, like the task table; the executor
// clears a slot's bit when its task ends.
export const YIELDED: usize = memory.data(TASK_WORDS << 2, 4);

/** Clear a slot's yieldNow bit (when its task ends, and for yieldNow's cancel). */
// @ts-ignore: decorator
@inline export function clearYield(slot: i32): void {
  const a = YIELDED + (<usize>(slot >> 5) << 2);
  store<u32>(a, load<u32>(a) & ~(1 << (slot & 31)));
}

