// Executor: batch order and fairness, spawn/abort/join, yieldNow, the poll
// budget, step's return value and the alarm.
import {
  Future, Waker, spawn, abort, JoinHandle, YieldNow, Sleep, SPAWN_FULL, SPAWN_BUSY, TASK_CAPACITY, TASK_FREE, TASK_LIVE, liveTasks, taskState, taskName, now, currentTask, wake,
} from "../../assembly/coop";
import { step } from "../../assembly/coop/executor";
import { spawnFailureCount, pollCount } from "../../assembly/coop/executor";
import { isReady } from "../../assembly/coop/ready";
import { POLL_BUDGET } from "../../assembly/coop/config";
import { advance, alarm, abortAll, Gate, Spinner, record, logLen, logAt, clearLog } from "./fake";

/** Awaits a join handle; counts completions. */
class Awaiter extends Future {
  done: i32 = 0;
  constructor(public h: JoinHandle<Gate>) { super(); }
  poll(w: Waker): bool {
    if (this.h.poll(w)) { this.done++; return true; }
    return false;
  }
}

/** Aborts itself on its first poll; `alsoComplete` makes the same poll complete. */
class SelfAbort extends Future {
  id: i32 = -1;
  result: bool = false;
  cancels: i32 = 0;
  polls: i32 = 0;
  constructor(public alsoComplete: bool) { super(); }
  poll(w: Waker): bool {
    this.polls++;
    this.result = abort(this.id);
    return this.alsoComplete;
  }
  cancel(): void { this.cancels++; }
}

/** Yields `n` times with YieldNow, recording its tag at each poll. */
class Yielder extends Future {
  y: YieldNow = new YieldNow();
  left: i32;
  constructor(public tag: i32, n: i32) { super(); this.left = n; }
  poll(w: Waker): bool {
    record(this.tag);
    while (this.left > 0) {
      if (!this.y.poll(w)) return false;
      this.left--;
    }
    return true;
  }
}

/** Waits for `trig`, then opens `target` (waking its task mid-batch). */
class Opener extends Future {
  trig: Gate = new Gate(5);
  constructor(public target: Gate) { super(); }
  poll(w: Waker): bool {
    if (!this.trig.poll(w)) return false;
    record(10);
    this.target.open();
    return true;
  }
}

class Sleeper extends Future {
  s: Sleep;
  constructor(d: i64) { super(); this.s = new Sleep(d); }
  poll(w: Waker): bool { return this.s.poll(w); }
  cancel(): void { this.s.cancel(); }
}

describe("executor: order and fairness", () => {
  afterEach(() => { abortAll(); clearLog(); });

  it("polls a batch in ascending slot order, whatever the wake order", () => {
    const a = new Gate(0), b = new Gate(1), c = new Gate(2);
    spawn(a); spawn(b); spawn(c);
    step();
    clearLog();
    c.open(); a.open(); b.open();
    step();
    expect(logLen()).toBe(3);
    expect(logAt(0)).toBe(0);
    expect(logAt(1)).toBe(1);
    expect(logAt(2)).toBe(2);
    expect(liveTasks()).toBe(0);
  });

  it("runs a task woken during a batch in the next batch, not the current one", () => {
    const g = new Gate(1);
    const op = new Opener(g);
    spawn(op);              // slot 0
    spawn(g);               // slot 1
    step();                 // both pending
    spawn(new Spinner(2, 2)); // slot 2: ready for two batches
    clearLog();
    op.trig.open();
    step();
    // batch 1 = {0, 2}: the opener wakes slot 1, which is not polled in this
    // batch although its slot comes later; batch 2 = {1, 2}.
    expect(logLen()).toBe(5);
    expect(logAt(0)).toBe(5);
    expect(logAt(1)).toBe(10);
    expect(logAt(2)).toBe(2);
    expect(logAt(3)).toBe(1);
    expect(logAt(4)).toBe(2);
    expect(liveTasks()).toBe(0);
  });

  it("a self-waking task cannot starve another (batch rule)", () => {
    const s0 = new Spinner(0), s1 = new Spinner(1);
    spawn(s0); spawn(s1);
    const before = pollCount();
    const t = step();
    expect(t).toBeLessThanOrEqual(now()); // budget ran out: "call again"
    expect(pollCount() - before).toBe(<u64>POLL_BUDGET);
    expect(s0.polls + s1.polls).toBe(POLL_BUDGET);
    expect(s0.polls - s1.polls).toBeLessThanOrEqual(1);
    expect(s1.polls - s0.polls).toBeLessThanOrEqual(1);
    // strictly alternating
    for (let i = 0; i < 10; i++) expect(logAt(i)).toBe(i & 1);
  });
});

/** Aborts `victim` when polled. */
class Killer extends Future {
  victim: i32 = -1;
  result: bool = false;
  poll(w: Waker): bool { record(20); this.result = abort(this.victim); return true; }
}

/** Spawns `child` when polled. */
class Parent extends Future {
  constructor(public child: Gate) { super(); }
  poll(w: Waker): bool { record(30); spawn(this.child); return true; }
}

describe("executor: spawn", () => {
  afterEach(() => { abortAll(); clearLog(); });

  it("a task aborted by an earlier task of the same batch is not polled", () => {
    const k = new Killer();
    spawn(k);                       // slot 0
    const v = new Gate(1);
    k.victim = spawn(v);            // slot 1, in the same first batch
    step();
    expect(k.result).toBe(true);
    expect(v.polls).toBe(0);
    expect(v.cancels).toBe(1);
    expect(logLen()).toBe(1);
  });

  it("a task spawned from a task runs in the next batch", () => {
    const child = new Gate(2);
    child.isOpen = true;
    spawn(new Parent(child));       // slot 0
    spawn(new Spinner(1, 2));       // slot 1: ready for two batches
    step();
    // batch 1 = {0, 1}; the child (slot 2: the parent is still live while it
    // spawns) is not polled in batch 1 but in batch 2 = {1, 2}
    expect(logLen()).toBe(4);
    expect(logAt(0)).toBe(30);
    expect(logAt(1)).toBe(1);
    expect(logAt(2)).toBe(1);
    expect(logAt(3)).toBe(2);
  });

  it("spawn into a full table returns SPAWN_FULL and changes nothing", () => {
    const gates = new StaticArray<Gate>(TASK_CAPACITY);
    for (let i = 0; i < TASK_CAPACITY; i++) {
      gates[i] = new Gate(i);
      expect(spawn(gates[i], "g")).toBeGreaterThanOrEqual(0);
    }
    step();
    const fails = spawnFailureCount();
    const extra = new Gate(999);
    expect(spawn(extra, "extra")).toBe(SPAWN_FULL);
    expect(spawnFailureCount()).toBe(fails + 1);
    expect(liveTasks()).toBe(TASK_CAPACITY);
    step();
    expect(extra.polls).toBe(0);
    for (let i = 0; i < TASK_CAPACITY; i++) expect(taskName(i)).toBe("g");
    // a slot frees up: spawning works again, into that slot
    gates[5].open();
    step();
    const id = spawn(extra, "extra");
    expect(id & 0xffff).toBe(5);
    step();
    expect(extra.polls).toBe(1);
  });

  it("reuses a finished slot with a new generation; the stale id is dead", () => {
    const a = new Gate(0);
    a.open();
    const id1 = spawn(a, "a");
    step();
    expect(taskState(id1 & 0xffff)).toBe(TASK_FREE);
    const b = new Gate(1);
    const id2 = spawn(b, "b");
    expect(id2 & 0xffff).toBe(id1 & 0xffff);
    expect(id2).not.toBe(id1);
    expect(abort(id1)).toBe(false); // stale: does not touch b
    expect(taskState(id2 & 0xffff)).toBe(TASK_LIVE);
    expect(b.cancels).toBe(0);
    expect(abort(id2)).toBe(true);
    expect(b.cancels).toBe(1);
  });

  it("a slot survives its generation counter wrapping (ids stay valid and change every reuse)", () => {
    const g = new Gate(0);
    let last = -1;
    let bad = 0;
    for (let i = 0; i < 70000; i++) {
      g.isOpen = true;
      const id = spawn(g);
      if (id < 0 || id == last || (id & 0xffff) != 0) bad++;
      last = id;
      step();
    }
    expect(bad).toBe(0);
    expect(liveTasks()).toBe(0);
  });
});

describe("executor: abort and join", () => {
  afterEach(() => { abortAll(); clearLog(); });

  it("abort from outside runs cancel and completes the join handle with aborted", () => {
    const h = new JoinHandle<Gate>(new Gate(0));
    const id = h.spawn("victim");
    const aw = new Awaiter(h);
    spawn(aw, "awaiter");
    step();
    expect(h.running).toBe(true);
    expect(aw.done).toBe(0);
    expect(h.abort()).toBe(true);
    expect(h.future.cancels).toBe(1);
    expect(h.finished).toBe(true);
    expect(h.aborted).toBe(true);
    expect(taskState(id & 0xffff)).toBe(TASK_FREE);
    step();
    expect(aw.done).toBe(1);
    expect(liveTasks()).toBe(0);
  });

  it("a task that aborts itself ends after its poll, cancelled", () => {
    const f = new SelfAbort(false);
    const h = new JoinHandle<SelfAbort>(f);
    f.id = h.spawn("self");
    step();
    expect(f.result).toBe(true);
    expect(f.polls).toBe(1);
    expect(f.cancels).toBe(1);
    expect(h.finished).toBe(true);
    expect(h.aborted).toBe(true);
    expect(liveTasks()).toBe(0);
    expect(currentTask).toBe(-1);
  });

  it("self-abort in a poll that also completes: completion wins", () => {
    const f = new SelfAbort(true);
    const h = new JoinHandle<SelfAbort>(f);
    f.id = h.spawn("self");
    step();
    expect(f.result).toBe(true);
    expect(f.cancels).toBe(0);
    expect(h.finished).toBe(true);
    expect(h.aborted).toBe(false);
  });

  it("aborting a finished task, an error code or a garbage id returns false", () => {
    const g = new Gate(0);
    g.isOpen = true;
    const h = new JoinHandle<Gate>(g);
    const id = h.spawn();
    step();
    expect(h.finished).toBe(true);
    expect(abort(id)).toBe(false);
    expect(h.abort()).toBe(false);
    expect(h.aborted).toBe(false); // outcome unchanged
    expect(g.cancels).toBe(0);
    expect(abort(SPAWN_FULL)).toBe(false);
    expect(abort(SPAWN_BUSY)).toBe(false);
    expect(abort(0x7fff_ffff)).toBe(false);
    expect(abort(TASK_CAPACITY)).toBe(false);
  });

  it("a join handle may be awaited twice: by two tasks at once, and again after completion", () => {
    const h = new JoinHandle<Gate>(new Gate(0));
    h.spawn();
    const a1 = new Awaiter(h), a2 = new Awaiter(h);
    spawn(a1); spawn(a2);
    step();
    step(); // nothing ready: the two awaiters do not wake each other
    expect(a1.done + a2.done).toBe(0);
    h.future.open();
    step();
    expect(a1.done).toBe(1);
    expect(a2.done).toBe(1);
    expect(h.aborted).toBe(false);
    // awaiting again completes at once
    expect(h.poll(0)).toBe(true);
    expect(h.poll(0)).toBe(true);
  });

  it("a never-spawned handle completes at once; a failed spawn reports aborted", () => {
    const h = new JoinHandle<Gate>(new Gate(0));
    expect(h.poll(0)).toBe(true);
    const fill = new StaticArray<Gate>(TASK_CAPACITY);
    for (let i = 0; i < TASK_CAPACITY; i++) { fill[i] = new Gate(i); spawn(fill[i]); }
    expect(h.spawn()).toBe(SPAWN_FULL);
    expect(h.finished).toBe(true);
    expect(h.aborted).toBe(true);
    expect(h.poll(0)).toBe(true);
  });

  it("JoinHandle.spawn while its task runs returns SPAWN_BUSY and changes nothing", () => {
    const h = new JoinHandle<Gate>(new Gate(0));
    const id = h.spawn("x");
    expect(id).toBeGreaterThanOrEqual(0);
    const live = liveTasks();
    expect(h.spawn("y")).toBe(SPAWN_BUSY);
    expect(h.id).toBe(id);
    expect(liveTasks()).toBe(live);
    expect(taskName(id & 0xffff)).toBe("x");
    h.future.open();
    step();
    expect(h.finished).toBe(true);
    const id2 = h.spawn("again"); // reuse after it ended
    expect(id2).toBeGreaterThanOrEqual(0);
    expect(id2).not.toBe(id);
    expect(h.finished).toBe(false);
  });
});

describe("executor: yieldNow and the budget", () => {
  afterEach(() => { abortAll(); clearLog(); });

  it("yieldNow lets the other ready tasks run first", () => {
    spawn(new Yielder(0, 3));
    spawn(new Yielder(1, 3));
    step();
    // each batch polls both tasks once: 0 1 0 1 0 1 0 1
    expect(logLen()).toBe(8);
    for (let i = 0; i < 8; i++) expect(logAt(i)).toBe(i & 1);
    expect(liveTasks()).toBe(0);
  });

  it("a yielding task is ready again after its poll", () => {
    const y = new YieldNow();
    expect(y.poll(3)).toBe(false);
    expect(isReady(3)).toBe(true);
    expect(y.poll(3)).toBe(true);
    y.cancel();
    expect(y.poll(3)).toBe(false); // starts anew
    y.cancel();
    step(); // clear the bit
  });

  it("the budget stops a step with tasks still ready; the next step goes on", () => {
    const s = new Spinner(0);
    spawn(s);
    const t = step();
    expect(t).toBeLessThanOrEqual(now());
    expect(s.polls).toBe(POLL_BUDGET);
    expect(isReady(0)).toBe(true);
    step();
    expect(s.polls).toBe(2 * POLL_BUDGET);
  });

  it("a budget used up by the last ready poll returns the idle answer (-1), not 'call again'", () => {
    const s = new Spinner(0, POLL_BUDGET); // completes on exactly the budget's last poll
    spawn(s);
    expect(step()).toBe(-1);
    expect(liveTasks()).toBe(0);
  });
});

describe("executor: step's answer and the alarm", () => {
  afterEach(() => { abortAll(); clearLog(); });

  it("counts polls per step, not wakes: a stale bit of a free slot is no poll and costs no budget", () => {
    // step keeps the poll count in its budget and adds it when it returns
    // (instead of a 64-bit add per poll), so both must agree exactly.
    const g = new Gate();
    const slot = spawn(g) & 0xffff;
    step();
    const p = pollCount();
    wake(TASK_CAPACITY - 1); // a free slot: a stale bit
    expect(step()).toBe(-1);
    expect(pollCount()).toBe(p); // nothing was polled
    wake(slot); wake(TASK_CAPACITY - 1);
    step();
    expect(pollCount()).toBe(p + 1); // the gate's spurious poll only
    expect(currentTask).toBe(-1); // and no task is "current" after a step
  });

  it("returns -1 with nothing to do", () => {
    expect(step()).toBe(-1);
    expect(alarm()).toBe(-1);
  });

  it("returns the next deadline and never busy-waits", () => {
    spawn(new Sleeper(1000));
    const t0 = now();
    expect(step()).toBe(t0 + 1000);
    const p = pollCount();
    for (let i = 0; i < 5; i++) expect(step()).toBe(t0 + 1000); // no time passed: no polls
    expect(pollCount()).toBe(p);
    advance(999);
    expect(step()).toBe(t0 + 1000);
    expect(pollCount()).toBe(p);
    advance(1);
    expect(step()).toBe(-1);
    expect(pollCount()).toBe(p + 1);
  });

  it("keeps the alarm at the earliest deadline", () => {
    const t0 = now();
    spawn(new Sleeper(300));
    step();
    expect(alarm()).toBe(t0 + 300);
    spawn(new Sleeper(100)); // earlier: the alarm moves forward
    step();
    expect(alarm()).toBe(t0 + 100);
    spawn(new Sleeper(200));
    step();
    expect(alarm()).toBe(t0 + 100);
    advance(100);
    step();
    expect(alarm()).toBe(t0 + 200);
    advance(100);
    step();
    expect(alarm()).toBe(t0 + 300);
    advance(100);
    expect(step()).toBe(-1);
    expect(alarm()).toBe(-1); // disarmed when no timer is left
  });

  it("keeps the alarm at the earliest deadline when a timer is cancelled", () => {
    const g = new Gate(0);
    const t0 = now();
    const early = spawn(new Sleeper(50));
    spawn(new Sleeper(500));
    step();
    expect(alarm()).toBe(t0 + 50);
    abort(early);
    expect(step()).toBe(t0 + 500);
    expect(alarm()).toBe(t0 + 500);
    g.cancel();
  });
});
