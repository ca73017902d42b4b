// Time: sleeps, past and overflowing deadlines, equal-deadline order, the
// ticker's schedule, timeouts, the timer pool running out.
import {
  Future, Waker, spawn, abort, wake, Sleep, SleepUntil, Ticker, Timeout, withTimeout, NEVER, now, millis, micros, seconds, asMicros, addSat, TIMER_CAPACITY, liveTasks,
} from "../../assembly/coop";
import { step } from "../../assembly/coop/executor";
import { timersArmed, timerOverflows } from "../../assembly/coop/time";
import { traceOn } from "../../assembly/coop/trace";
import { advance, setTime, alarm, abortAll, Gate, resetCounts, nowReads, irqTakes, traceLen, traceKind, traceA } from "./fake";

class SleepTask extends Future {
  s: Sleep;
  done: i32 = 0;
  doneAt: i64 = -1;
  constructor(d: i64) { super(); this.s = new Sleep(d); }
  poll(w: Waker): bool {
    if (this.s.poll(w)) { this.done++; this.doneAt = now(); return true; }
    return false;
  }
  cancel(): void { this.s.cancel(); }
}

class UntilTask extends Future {
  s: SleepUntil;
  done: i32 = 0;
  constructor(at: i64) { super(); this.s = new SleepUntil(at); }
  poll(w: Waker): bool {
    if (this.s.poll(w)) { this.done++; return true; }
    return false;
  }
  cancel(): void { this.s.cancel(); }
}

/** Waits for a gate, then sleeps until `at` (so specs control the arming order). */
class GatedUntil extends Future {
  gate: Gate = new Gate(0);
  s: SleepUntil;
  gated: bool = false;
  constructor(at: i64) { super(); this.s = new SleepUntil(at); }
  poll(w: Waker): bool {
    if (!this.gated) {
      if (!this.gate.poll(w)) return false;
      this.gated = true;
    }
    return this.s.poll(w);
  }
}

class TickTask extends Future {
  t: Ticker;
  constructor(p: i64) { super(); this.t = new Ticker(p); }
  poll(w: Waker): bool {
    while (this.t.poll(w)) {}
    return false;
  }
  cancel(): void { this.t.cancel(); }
}

class TimeoutTask extends Future {
  t: Timeout<Gate>;
  done: i32 = 0;
  constructor(g: Gate, limit: i64) { super(); this.t = withTimeout<Gate>(g, limit); }
  poll(w: Waker): bool {
    if (this.t.poll(w)) { this.done++; return true; }
    return false;
  }
}

/** Holds n sleeps of the same duration at once. */
class ManySleeps extends Future {
  s: StaticArray<Sleep>;
  done: StaticArray<bool>;
  left: i32;
  constructor(n: i32, d: i64) {
    super();
    this.s = new StaticArray<Sleep>(n);
    this.done = new StaticArray<bool>(n);
    for (let i = 0; i < n; i++) this.s[i] = new Sleep(d);
    this.left = n;
  }
  poll(w: Waker): bool {
    for (let i = 0; i < this.s.length; i++) {
      if (!this.done[i] && this.s[i].poll(w)) { this.done[i] = true; this.left--; }
    }
    return this.left == 0;
  }
  cancel(): void { for (let i = 0; i < this.s.length; i++) this.s[i].cancel(); }
}

describe("time: sleeps and deadlines", () => {
  afterEach(() => { abortAll(); });

  it("sleep completes exactly at its deadline, not before", () => {
    const t0 = now();
    const s = new SleepTask(1000);
    spawn(s);
    expect(step()).toBe(t0 + 1000);
    advance(999);
    step();
    expect(s.done).toBe(0);
    advance(1);
    expect(step()).toBe(-1);
    expect(s.done).toBe(1);
    expect(s.doneAt).toBe(t0 + 1000);
    expect(timersArmed()).toBe(0);
  });

  it("sleepUntil completes at its instant", () => {
    const t0 = now();
    const u = new UntilTask(t0 + 500);
    spawn(u);
    expect(step()).toBe(t0 + 500);
    advance(500);
    step();
    expect(u.done).toBe(1);
  });

  it("a deadline already past, or a duration <= 0, fires on the first poll without arming a timer", () => {
    advance(10_000);
    const past = new SleepUntil(now() - 1);
    expect(past.poll(0)).toBe(true);
    const exact = new SleepUntil(now());
    expect(exact.poll(0)).toBe(true);
    expect(new Sleep(0).poll(0)).toBe(true);
    expect(new Sleep(-5).poll(0)).toBe(true);
    expect(timersArmed()).toBe(0);
    const u = new UntilTask(0);
    spawn(u);
    expect(step()).toBe(-1);
    expect(u.done).toBe(1);
  });

  it("an overflowing duration saturates to NEVER: no trap, no timer, no wake", () => {
    expect(millis(i64.MAX_VALUE)).toBe(NEVER);
    expect(seconds(i64.MAX_VALUE / 2)).toBe(NEVER);
    expect(micros(i64.MAX_VALUE)).toBe(NEVER);
    expect(addSat(now(), NEVER)).toBe(NEVER);
    expect(addSat(i64.MAX_VALUE - 3, 10)).toBe(NEVER);
    expect(addSat(100, -5)).toBe(100);
    expect(asMicros(NEVER)).toBe(NEVER);
    expect(asMicros(i64.MAX_VALUE - 1)).toBe((i64.MAX_VALUE - 1) / 1_000_000 * 1_000_000); // 1 tick = 1 µs here
    expect(millis(3)).toBe(3000);
    expect(micros(-1)).toBe(0);
    advance(1);
    const s = new SleepTask(i64.MAX_VALUE - 1); // now + d overflows
    spawn(s);
    expect(step()).toBe(-1);
    expect(timersArmed()).toBe(0);
    expect(s.s.deadline).toBe(NEVER);
    advance(1_000_000_000);
    step();
    expect(s.done).toBe(0);
    expect(liveTasks()).toBe(1); // sleeps until cancelled
  });

  it("equal deadlines fire in the order they were armed", () => {
    const T = now() + 100;
    const a = new GatedUntil(T), b = new GatedUntil(T), c = new GatedUntil(T);
    spawn(a); spawn(b); spawn(c); // slots 0, 1, 2
    step();
    // Arrange the free entries so the timers armed next get *descending*
    // entry indices: then neither slot order nor entry order matches the
    // arming order, and only the arming sequence can explain the result.
    const hold = new ManySleeps(3, 1000);
    const hid = spawn(hold);
    step();
    let e0 = hold.s[0].entry, e1 = hold.s[1].entry, e2 = hold.s[2].entry;
    if (e0 > e1) { const t = e0; e0 = e1; e1 = t; }
    if (e1 > e2) { const t = e1; e1 = e2; e2 = t; }
    if (e0 > e1) { const t = e0; e0 = e1; e1 = t; }
    for (let k = 0; k < 3; k++) {
      const want = k == 0 ? e0 : k == 1 ? e1 : e2;
      for (let i = 0; i < 3; i++) if (hold.s[i].entry == want) hold.s[i].cancel(); // free in ascending order
    }
    abort(hid);
    c.gate.open(); step(); // armed first
    a.gate.open(); step();
    b.gate.open(); step();
    expect(timersArmed()).toBe(3);
    expect(c.s.entry).toBeGreaterThan(a.s.entry);
    expect(a.s.entry).toBeGreaterThan(b.s.entry);
    traceOn = true;
    resetCounts();
    advance(100);
    step();
    traceOn = false;
    // the wakes (trace kind 3) come in arming order: 2, 0, 1
    let n = 0;
    const order = new StaticArray<i32>(3);
    for (let i = 0; i < traceLen() && n < 3; i++) if (traceKind(i) == 3) order[n++] = traceA(i);
    expect(n).toBe(3);
    expect(order[0]).toBe(2);
    expect(order[1]).toBe(0);
    expect(order[2]).toBe(1);
    expect(liveTasks()).toBe(0);
  });

  it("a poll of an armed timer reads no clock (only arming does)", () => {
    const s = new SleepTask(1000);
    spawn(s);
    step();
    resetCounts();
    for (let i = 0; i < 10; i++) { wake(0); step(); }
    // each step: two batches, one board.now() each for the expiry pass; the
    // ten spurious polls of the sleep add nothing
    expect(nowReads()).toBe(20);
    expect(s.done).toBe(0);
  });

  it("with no timer armed, a step reads the clock once, not once per batch (IRQ flags are still taken every batch)", () => {
    abortAll();
    expect(timersArmed()).toBe(0);
    const g = new Gate(1);
    spawn(g);
    step();
    resetCounts();
    for (let i = 0; i < 10; i++) { wake(0); step(); }
    // each step: two batches (the woken task, then an empty one); only the
    // first reads the clock
    expect(nowReads()).toBe(10);
    expect(irqTakes()).toBe(20);
    expect(g.polls).toBe(11);
    abortAll();
  });

  it("arming a sleep reads the clock once, and the sleep still ends on time", () => {
    abortAll();
    const t0 = now();
    const s = new SleepTask(1000);
    spawn(s);
    resetCounts();
    // batch 1: the step's first expiry pass reads once, the poll reads once
    // to arm (not twice); batch 2 (empty): the expiry pass reads once
    expect(step()).toBe(t0 + 1000);
    expect(nowReads()).toBe(3);
    advance(999);
    step();
    expect(s.done).toBe(0);
    advance(1);
    step();
    expect(s.done).toBe(1);
    expect(s.doneAt).toBe(t0 + 1000);
    expect(timersArmed()).toBe(0);
  });

  it("moving a SleepUntil's instant re-arms its timer", () => {
    const t0 = now();
    const u = new UntilTask(t0 + 1000);
    spawn(u);
    expect(step()).toBe(t0 + 1000);
    u.s.at = t0 + 300;
    wake(0);
    expect(step()).toBe(t0 + 300);
    expect(alarm()).toBe(t0 + 300);
    u.s.at = t0 + 2000; // later again
    wake(0);
    expect(step()).toBe(t0 + 2000);
    advance(300);
    step();
    expect(u.done).toBe(0);
    expect(timersArmed()).toBe(1);
    advance(1700);
    step();
    expect(u.done).toBe(1);
  });
});

describe("time: ticker and timeout", () => {
  afterEach(() => { abortAll(); });

  it("a ticker polled late stays on its schedule (no drift) and catches up missed ticks", () => {
    const t0 = now();
    const k = new TickTask(100);
    spawn(k);
    expect(step()).toBe(t0 + 100);
    advance(150); // tick 1 seen 50 late
    expect(step()).toBe(t0 + 200); // not t0 + 250
    expect(k.t.count).toBe(1);
    advance(270); // now t0 + 420: ticks 2, 3, 4 are due
    expect(step()).toBe(t0 + 500);
    expect(k.t.count).toBe(4);
    for (let i = 0; i < 100; i++) { advance(100 + (i % 7)); step(); } // jittery late polls
    // every tick due by now has completed, and the next is on the grid
    expect(k.t.count).toBe(<u64>((now() - t0) / 100));
    expect(k.t.deadline).toBe(t0 + 100 * (<i64>k.t.count + 1));
  });

  it("a ticker with period 0 ticks once per tick, not in a loop", () => {
    const k = new TickTask(0);
    spawn(k);
    step();
    expect(k.t.count).toBe(0);
    advance(5);
    step();
    expect(k.t.count).toBe(5);
  });

  it("withTimeout cancels the inner future when time runs out", () => {
    const g = new Gate(0);
    const t = new TimeoutTask(g, 100);
    spawn(t);
    step();
    advance(100);
    step();
    expect(t.done).toBe(1);
    expect(t.t.timedOut).toBe(true);
    expect(g.cancels).toBe(1);
    expect(timersArmed()).toBe(0);
  });

  it("withTimeout: the inner future completing first releases the timer", () => {
    const g = new Gate(0);
    const t = new TimeoutTask(g, 100);
    spawn(t);
    step();
    expect(timersArmed()).toBe(1);
    advance(50);
    g.open();
    expect(step()).toBe(-1);
    expect(t.t.timedOut).toBe(false);
    expect(g.cancels).toBe(0);
    expect(timersArmed()).toBe(0);
  });

  it("withTimeout with an overflowing limit never times out", () => {
    const g = new Gate(0);
    const t = new TimeoutTask(g, NEVER);
    spawn(t);
    expect(step()).toBe(-1);
    advance(1 << 40);
    step();
    expect(t.done).toBe(0);
  });
});

describe("time: timer pool overflow", () => {
  afterEach(() => { abortAll(); });

  it("a timer that finds the pool full waits for a free entry: counted, late, not lost", () => {
    const t0 = now();
    const many = new ManySleeps(TIMER_CAPACITY, 500);
    spawn(many);
    step();
    expect(timersArmed()).toBe(TIMER_CAPACITY);
    const o0 = timerOverflows;
    const s = new SleepTask(10);
    spawn(s);
    expect(step()).toBe(t0 + 500); // the overflowed timer is not in the queue
    expect(timerOverflows).toBeGreaterThan(o0);
    advance(10);
    step();
    expect(s.done).toBe(0); // late: no entry to fire it
    advance(490);
    step();
    expect(many.left).toBe(0);
    expect(s.done).toBe(1); // woken when entries were freed, deadline long past
    expect(s.doneAt).toBe(t0 + 500);
    expect(timersArmed()).toBe(0);
  });

  it("an overflowed timer gets an entry as soon as one is freed", () => {
    const t0 = now();
    const many = new ManySleeps(TIMER_CAPACITY, 500);
    const mid = spawn(many);
    step();
    const s = new SleepTask(1000);
    spawn(s);
    step();
    abort(mid); // frees every entry: the waiter is woken and arms its timer
    expect(step()).toBe(t0 + 1000);
    expect(timersArmed()).toBe(1);
    advance(1000);
    step();
    expect(s.done).toBe(1);
    expect(s.doneAt).toBe(t0 + 1000);
  });
});
