// JoinSet: ends reported in completion order (the tokio JoinSet example),
// capacity, aborts, cancel of a wait, and no allocation after init.
import {
  Future, Waker, spawn, abort, Sleep, millis, now, liveTasks, slotOf, taskIdOf, JoinSet, JoinNext, JOINSET_FULL, SPAWN_FULL, SPAWN_BUSY, TASK_CAPACITY, Select2, Ticker,
} from "../../assembly/coop";
import { step } from "../../assembly/coop/executor";
import { timersArmed } from "../../assembly/coop/time";
import { advance, setTime, abortAll, heapTop } from "./fake";

/** Sleeps `ms`, then completes with `result` = ms * 10 (the "work"). */
class Work extends Future {
  nap: Sleep;
  result: i32 = 0;
  constructor(public ms: i32) { super(); this.nap = new Sleep(millis(ms)); }
  poll(w: Waker): bool {
    if (!this.nap.poll(w)) return false;
    this.result = this.ms * 10;
    return true;
  }
  cancel(): void { this.nap.cancel(); }
}

/** Awaits set.next until it is empty, recording each end. */
class Collector extends Future {
  order: StaticArray<i32> = new StaticArray<i32>(16);
  results: StaticArray<i32> = new StaticArray<i32>(16);
  abortedCount: i32 = 0;
  n: i32 = 0;
  done: bool = false;
  constructor(public set: JoinSet<Work>) { super(); }
  poll(w: Waker): bool {
    const next = this.set.next;
    while (true) {
      if (!next.poll(w)) return false;
      if (next.empty) { this.done = true; return true; }
      this.order[this.n] = next.index;
      this.results[this.n] = next.aborted ? -1 : next.future!.result;
      if (next.aborted) this.abortedCount++;
      this.n++;
    }
  }
}

const set = new JoinSet<Work>(4);
const w30 = new Work(30), w10 = new Work(10), w20 = new Work(20), w5 = new Work(5), w40 = new Work(40);

/** Abort every task, then take every end left in the set, so each spec starts with an empty set. */
function reset(): void {
  abortAll();
  while (set.next.poll(0) && !set.next.empty) {}
  setTime(0);
}

describe("JoinSet", () => {
  beforeEach(() => { reset(); });

  it("reports ends in completion order, with each future's result (tokio's example)", () => {
    expect(set.spawn(w30, "w30")).toBeGreaterThanOrEqual(0);
    expect(set.spawn(w10, "w10")).toBeGreaterThanOrEqual(0);
    expect(set.spawn(w20, "w20")).toBeGreaterThanOrEqual(0);
    expect(set.running).toBe(3);
    const c = new Collector(set);
    spawn(c, "collector");
    for (let i = 0; i < 8; i++) { step(); advance(millis(5)); }
    step();
    expect(c.done).toBe(true);
    expect(c.n).toBe(3);
    expect(c.order[0]).toBe(1); // w10 (member 1)
    expect(c.order[1]).toBe(2); // w20
    expect(c.order[2]).toBe(0); // w30
    expect(c.results[0]).toBe(100);
    expect(c.results[1]).toBe(200);
    expect(c.results[2]).toBe(300);
    expect(set.length).toBe(0);
    expect(liveTasks()).toBe(0);
  });

  it("next on a set with nothing in use completes at once, empty", () => {
    expect(set.isEmpty).toBe(true);
    expect(set.next.poll(0)).toBe(true);
    expect(set.next.empty).toBe(true);
    expect(set.next.future).toBeNull();
  });

  it("refuses a spawn when every member is in use (JOINSET_FULL), a running future (SPAWN_BUSY), a full table (SPAWN_FULL)", () => {
    expect(set.spawn(w10)).toBeGreaterThanOrEqual(0);
    expect(set.spawn(w10)).toBe(SPAWN_BUSY);
    set.spawn(w20); set.spawn(w30); set.spawn(w40);
    expect(set.spawn(w5)).toBe(JOINSET_FULL);
    expect(set.running).toBe(4);
    // Ended but not taken: still in use.
    step(); // the members' first polls arm their sleeps
    advance(millis(10)); step();
    expect(set.running).toBe(3);
    expect(set.pending).toBe(1);
    expect(set.spawn(w5)).toBe(JOINSET_FULL);
    expect(set.next.poll(0)).toBe(true); // take w10's end: its member is free again
    expect(set.next.future === w10).toBe(true);
    // A full executor table: SPAWN_FULL, and the member stays free.
    let filled = 0;
    while (spawn(new Sleep(millis(1000))) >= 0) filled++;
    expect(set.spawn(w5)).toBe(SPAWN_FULL);
    expect(set.length).toBe(3);
    expect(filled).toBeGreaterThan(0);
    abortAll();
    expect(set.running).toBe(0); // the members were aborted too: ends queued
    expect(set.pending).toBe(3);
    expect(set.spawn(w5)).toBeGreaterThanOrEqual(0); // 3 members hold ends, 1 is free
    expect(set.spawn(w10)).toBe(JOINSET_FULL);
  });

  it("abortAll aborts every member; next then reports them with aborted true, in member order", () => {
    set.spawn(w30); set.spawn(w10); set.spawn(w20);
    step();
    advance(millis(10)); step(); // w10 completed first
    expect(set.abortAll()).toBe(2);
    expect(timersArmed()).toBe(0); // the members' sleeps were cancelled
    const c = new Collector(set);
    spawn(c);
    step();
    expect(c.done).toBe(true);
    expect(c.n).toBe(3);
    expect(c.order[0]).toBe(1); // w10's end came first
    expect(c.results[0]).toBe(100);
    expect(c.order[1]).toBe(0);
    expect(c.order[2]).toBe(2);
    expect(c.abortedCount).toBe(2);
  });

  it("abort(index) and an abort by id both end up in next, aborted", () => {
    const id = set.spawn(w30);
    set.spawn(w20);
    expect(set.idOf(0)).toBe(id);
    expect(set.abort(1)).toBe(true);
    expect(set.abort(1)).toBe(false); // not running any more
    expect(abort(id)).toBe(true);
    expect(set.next.poll(0)).toBe(true);
    expect(set.next.index).toBe(1);
    expect(set.next.aborted).toBe(true);
    expect(set.next.poll(0)).toBe(true);
    expect(set.next.index).toBe(0);
    expect(set.next.id).toBe(id);
    expect(set.next.poll(0)).toBe(true);
    expect(set.next.empty).toBe(true);
  });

  it("a wait on next that loses a select loses no end; the members keep running", () => {
    set.spawn(w20);
    step(); // arm w20's sleep (20 ms from t=0)
    const sel = new Select2<JoinNext<Work>, Ticker>(set.next, new Ticker(millis(5)));
    expect(sel.poll(0)).toBe(false);
    advance(millis(5)); step();
    expect(sel.poll(0)).toBe(true);
    expect(sel.winner).toBe(1); // the ticker won; next was cancelled
    expect(set.running).toBe(1);
    advance(millis(15)); step(); step();
    expect(set.pending).toBe(1);
    expect(sel.poll(0)).toBe(true);
    expect(sel.winner).toBe(0);
    expect(set.next.future === w20).toBe(true);
    sel.cancel();
  });

  it("spawning and collecting allocates nothing after init", () => {
    const c = new Collector(set);
    const h0 = heapTop();
    for (let round = 0; round < 50; round++) {
      set.spawn(w10); set.spawn(w5); set.spawn(w20);
      spawn(c);
      c.done = false; c.n = 0;
      for (let i = 0; i < 5; i++) { step(); advance(millis(5)); }
      step();
    }
    const h1 = heapTop();
    expect(h1).toBe(h0);
    expect(c.done).toBe(true);
    expect(c.order[0]).toBe(1);
    expect(liveTasks()).toBe(0);
    expect(TASK_CAPACITY).toBeGreaterThan(0);
    expect(now()).toBeGreaterThan(0);
    expect(slotOf(taskIdOf(0))).toBe(-1);
  });

  it("RAM: the figures in docs/runtime.md", () => {
    const one = new JoinSet<Work>(1);
    const eight = new JoinSet<Work>(8);
    log("ram: JoinSet(1) " + one.ramBytes().toString() + " B, JoinSet(4) " + set.ramBytes().toString() + " B, JoinSet(8) " + eight.ramBytes().toString() + " B");
    expect(eight.ramBytes() - one.ramBytes()).toBeLessThanOrEqual(7 * 64 + 64);
  });
});
