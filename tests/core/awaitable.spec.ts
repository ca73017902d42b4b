// The "one await, one operation" forms of the core's futures: the re-arm
// methods (Sleep.for, SleepUntil.until, Ticker.every, Timeout.within,
// WaitIrq.on), the shared yieldNow(), and taskStatus. Each task below does
// what an `await x.method(arg)` does: evaluate the call once when the await
// starts, then poll the returned future until it completes.
import {
  Future, Waker, spawn, abort, wake, Sleep, SleepUntil, Ticker, Timeout, withTimeout, WaitIrq, yieldNow, taskStatus, taskStatusName, currentTask, millis, now, liveTasks, slotOf, TASK_FREE, TASK_RUNNING, TASK_READY, TASK_WAITING, TASK_ABORTING,
} from "../../assembly/coop";
import { step } from "../../assembly/coop/executor";
import { irqWaiters } from "../../assembly/coop/irq";
import { timersArmed } from "../../assembly/coop/time";
import { advance, setTime, raise, abortAll, Gate, heapTop, record, clearLog, logLen, logAt } from "./fake";

/** Awaits nap.for(durations[i]) for each i, recording the time each sleep ends. */
class Naps extends Future {
  nap: Sleep = new Sleep(millis(1000));
  i: i32 = 0;
  current: Future | null = null;
  ends: StaticArray<i64> = new StaticArray<i64>(8);
  constructor(public durations: StaticArray<i64>) { super(); }
  poll(w: Waker): bool {
    while (this.i < this.durations.length) {
      if (this.current === null) this.current = this.nap.for(this.durations[this.i]); // evaluated once per await
      if (!this.current!.poll(w)) return false;
      this.current = null;
      this.ends[this.i++] = now();
    }
    return true;
  }
  cancel(): void { this.nap.cancel(); }
}

describe("re-arm forms of the core futures", () => {
  beforeEach(() => { abortAll(); });

  it("Sleep.for sets the next sleep's duration and returns the sleep itself", () => {
    setTime(0);
    const ds = new StaticArray<i64>(3);
    ds[0] = millis(10); ds[1] = millis(30); ds[2] = millis(5);
    const t = new Naps(ds);
    expect(t.nap.for(millis(7)) === t.nap).toBe(true);
    spawn(t);
    for (let k = 0; k < 10; k++) { step(); advance(millis(5)); }
    step();
    expect(liveTasks()).toBe(0);
    expect(t.ends[0]).toBe(millis(10));
    expect(t.ends[1]).toBe(millis(40));
    expect(t.ends[2]).toBe(millis(45));
    expect(timersArmed()).toBe(0);
  });

  it("Sleep.for on a sleep in flight keeps its deadline; the next sleep uses the new duration", () => {
    setTime(0);
    const s = new Sleep(millis(10));
    expect(s.poll(0)).toBe(false);
    s.for(millis(100));
    advance(millis(10));
    step(); // expiry pass
    expect(s.poll(0)).toBe(true);
    expect(now()).toBe(millis(10));
    expect(s.poll(0)).toBe(false); // a new sleep: 100 ms
    advance(millis(99));
    step();
    expect(s.poll(0)).toBe(false);
    advance(millis(1));
    step();
    expect(s.poll(0)).toBe(true);
  });

  it("SleepUntil.until moves the instant, also while waiting", () => {
    setTime(0);
    const s = new SleepUntil(millis(50));
    expect(s.until(millis(20)) === s).toBe(true);
    expect(s.poll(0)).toBe(false);
    s.until(millis(30));
    advance(millis(20));
    step();
    expect(s.poll(0)).toBe(false); // re-armed for 30 ms
    advance(millis(10));
    step();
    expect(s.poll(0)).toBe(true);
  });

  it("Ticker.every keeps the schedule for the same period and restarts it for a new one", () => {
    setTime(0);
    const t = new Ticker(millis(10));
    expect(t.every(millis(10)).poll(0)).toBe(false); // schedule: 10, 20, ...
    advance(millis(10)); step();
    expect(t.every(millis(10)).poll(0)).toBe(true);
    expect(t.count).toBe(1);
    advance(millis(3)); // late: the next tick is still at 20 ms, not 23
    expect(t.every(millis(10)).poll(0)).toBe(false);
    advance(millis(7)); step();
    expect(t.poll(0)).toBe(true);
    expect(t.count).toBe(2);
    // A new period: a new schedule from the next poll (at 20 ms: ticks at 45, 70, ...).
    expect(t.every(millis(25)).poll(0)).toBe(false);
    expect(t.count).toBe(0);
    advance(millis(24)); step();
    expect(t.poll(0)).toBe(false);
    advance(millis(1)); step();
    expect(t.poll(0)).toBe(true);
    t.cancel();
    expect(timersArmed()).toBe(0);
  });

  it("Timeout.within sets the next run's limit", () => {
    setTime(0);
    const gate = new Gate();
    const t = withTimeout(gate, millis(1000));
    expect(t.within(millis(10)) === t).toBe(true);
    expect(t.poll(0)).toBe(false);
    advance(millis(10)); step();
    expect(t.poll(0)).toBe(true);
    expect(t.timedOut).toBe(true);
    expect(t.within(millis(50)).poll(0)).toBe(false);
    advance(millis(20)); step();
    gate.open();
    expect(t.poll(0)).toBe(true);
    expect(t.timedOut).toBe(false);
    expect(timersArmed()).toBe(0);
  });

  it("WaitIrq.on moves the wait to another line (cancelling the old wait)", () => {
    const irq = new WaitIrq(3);
    expect(irq.poll(0)).toBe(false);
    expect(irqWaiters(3)).toBe(1);
    expect(irq.on(4) === irq).toBe(true);
    expect(irqWaiters(3)).toBe(0);
    expect(irq.poll(0)).toBe(false);
    expect(irqWaiters(4)).toBe(1);
    raise(3); step();
    expect(irq.poll(0)).toBe(false);
    raise(4); step();
    expect(irq.poll(0)).toBe(true);
    expect(irq.on(4).line).toBe(4); // the same line changes nothing
    const k = new WaitIrq(3); // the raise of line 3 nobody waited for was kept
    expect(k.poll(0)).toBe(true);
    expect(k.kept).toBe(true);
  });
});

/** Records its tag, then awaits yieldNow(), `rounds` times. */
class Yielder extends Future {
  n: i32 = 0;
  current: Future | null = null;
  constructor(public tag: i32, public rounds: i32) { super(); }
  poll(w: Waker): bool {
    while (this.n < this.rounds) {
      if (this.current === null) { record(this.tag); this.current = yieldNow(); }
      if (!this.current!.poll(w)) return false;
      this.current = null;
      this.n++;
    }
    return true;
  }
  cancel(): void { if (this.current !== null) this.current!.cancel(); this.current = null; }
}

describe("yieldNow()", () => {
  beforeEach(() => { abortAll(); clearLog(); });

  it("gives the other ready tasks a turn, one shared object for every task", () => {
    expect(yieldNow() === yieldNow()).toBe(true);
    spawn(new Yielder(1, 3));
    spawn(new Yielder(2, 3));
    step();
    expect(liveTasks()).toBe(0);
    expect(logLen()).toBe(6);
    for (let i = 0; i < 6; i++) expect(logAt(i)).toBe(1 + (i & 1)); // 1 2 1 2 1 2: each yield lets the other run
  });

  it("allocates nothing after its first call", () => {
    yieldNow();
    const y = new Yielder(9, 1000);
    const h1 = heapTop();
    spawn(y);
    step();
    const h2 = heapTop(); // before expect(), which allocates
    expect(y.n).toBe(1000);
    expect(h2).toBe(h1);
  });

  it("a task aborted while yielding does not leave its yield pending for the slot's next task", () => {
    const bid = spawn(new Yielder(2, 1));
    const slot = slotOf(bid);
    expect(yieldNow().poll(slot)).toBe(false); // as b's first poll would: bit set, task woken
    expect(abort(bid)).toBe(true);
    const cid = spawn(new Yielder(3, 1)); // a new task in the same slot
    expect(slotOf(cid)).toBe(slot);
    expect(yieldNow().poll(slot)).toBe(false); // yields, does not complete at once
    expect(yieldNow().poll(slot)).toBe(true);
    abort(cid);
  });

  it("cancelled inside the task's poll (a select it lost), the pending yield is forgotten", () => {
    const t = new CancelYield();
    spawn(t);
    step();
    expect(t.afterCancel).toBe(0); // polled again after the cancel: a new yield (pending), not a completion
  });
});

/** First poll: start a yield, cancel it, poll again (recording the result), then end. */
class CancelYield extends Future {
  afterCancel: i32 = -1;
  poll(w: Waker): bool {
    const y = yieldNow();
    if (this.afterCancel < 0) {
      y.poll(w);
      y.cancel();
      this.afterCancel = y.poll(w) ? 1 : 0;
      y.cancel();
      return true;
    }
    return true;
  }
}

/** Reports taskStatus of itself and of `other` from inside its poll. */
class StatusProbe extends Future {
  self: u8 = 0;
  of: u8 = 0;
  other: i32 = -1;
  abortSelf: bool = false;
  afterAbort: u8 = 0;
  poll(w: Waker): bool {
    this.self = taskStatus(w);
    if (this.other >= 0) this.of = taskStatus(this.other);
    if (this.abortSelf) {
      abort(spawnedId);
      this.afterAbort = taskStatus(w);
    }
    return false;
  }
}
let spawnedId: i32 = -1;

describe("taskStatus", () => {
  beforeEach(() => { abortAll(); });

  it("says running, ready, waiting, aborting or free", () => {
    const a = new StatusProbe();
    const b = new StatusProbe();
    const ia = spawn(a);
    const ib = spawn(b);
    const sa = slotOf(ia), sb = slotOf(ib);
    a.other = sb; // b is in the same batch, after a: ready
    step();
    expect(a.self).toBe(TASK_RUNNING);
    expect(a.of).toBe(TASK_READY);
    expect(taskStatus(sa)).toBe(TASK_WAITING); // nobody woke them
    expect(taskStatus(sb)).toBe(TASK_WAITING);
    wake(sb);
    expect(taskStatus(sb)).toBe(TASK_READY);
    step();
    b.abortSelf = true;
    spawnedId = ib;
    wake(sb);
    step();
    expect(b.afterAbort).toBe(TASK_ABORTING);
    expect(taskStatus(sb)).toBe(TASK_FREE);
    expect(taskStatus(-1)).toBe(TASK_FREE);
    expect(taskStatus(100000)).toBe(TASK_FREE);
    expect(taskStatusName(TASK_RUNNING)).toBe("running");
    expect(taskStatusName(TASK_READY)).toBe("ready");
    expect(taskStatusName(TASK_WAITING)).toBe("waiting");
    expect(taskStatusName(TASK_ABORTING)).toBe("aborting");
    expect(taskStatusName(TASK_FREE)).toBe("free");
    expect(currentTask).toBe(-1);
  });
});
