// IRQ registry: waking waiters, keeping and counting flags nobody waits for,
// coalescing, bad lines, cancellation (including two waiters in one task).
import {
  Future, Waker, spawn, abort, WaitIrq, Select2, E_RANGE, OK, IRQ_LINES, irqDeliveries, irqKept, liveTasks,
} from "../../assembly/coop";
import { step } from "../../assembly/coop/executor";
import { irqKeptMerged, irqPending, irqClearKept, irqWaiters } from "../../assembly/coop/irq";
import { raise, abortAll, Gate, traceLen, traceKind, traceA, traceB, resetCounts, irqTakes } from "./fake";
import { traceOn } from "../../assembly/coop/trace";

/** Waits for its line `times` times, counting completions. */
class Waiter extends Future {
  irq: WaitIrq;
  got: i32 = 0;
  keptGot: i32 = 0;
  constructor(line: i32, public times: i32 = 1) { super(); this.irq = new WaitIrq(line); }
  poll(w: Waker): bool {
    while (this.irq.poll(w)) {
      this.got++;
      if (this.irq.kept) this.keptGot++;
      if (this.got >= this.times) return true;
    }
    return false;
  }
  cancel(): void { this.irq.cancel(); }
}

/** Two futures of one task waiting on the same line. */
class TwoOnOneLine extends Future {
  a: WaitIrq;
  b: WaitIrq;
  aDone: i32 = 0;
  bDone: i32 = 0;
  constructor(line: i32) { super(); this.a = new WaitIrq(line); this.b = new WaitIrq(line); }
  poll(w: Waker): bool {
    if (this.aDone == 0 && this.a.poll(w)) this.aDone++;
    if (this.b.poll(w)) { this.bDone++; return true; }
    return false;
  }
  cancel(): void { this.a.cancel(); this.b.cancel(); }
}

describe("irq", () => {
  afterEach(() => { abortAll(); for (let l = 0; l < IRQ_LINES; l++) irqClearKept(l); });

  it("wakes every task waiting on a raised line, and only those", () => {
    const a = new Waiter(3), b = new Waiter(3), c = new Waiter(4);
    spawn(a); spawn(b); spawn(c);
    step();
    expect(irqWaiters(3)).toBe(2);
    const d3 = irqDeliveries(3);
    raise(3);
    step();
    expect(a.got).toBe(1);
    expect(b.got).toBe(1);
    expect(c.got).toBe(0);
    expect(irqDeliveries(3)).toBe(d3 + 1);
    expect(irqWaiters(3)).toBe(0);
    expect(irqWaiters(4)).toBe(1);
    expect(irqPending(3)).toBe(false); // delivered, not kept
  });

  it("takes all pending flags in one read per batch", () => {
    const a = new Waiter(5), b = new Waiter(6);
    spawn(a); spawn(b);
    step();
    resetCounts();
    raise(5); raise(6);
    step();
    // batch 1 takes both flags and runs both tasks; batch 2 finds none: 2 takes
    expect(irqTakes()).toBe(2);
    expect(a.got + b.got).toBe(2);
  });

  it("keeps a flag raised while nobody waits, counts it, and completes the next wait at once", () => {
    const k0 = irqKept(7), d0 = irqDeliveries(7);
    raise(7);
    step();
    expect(irqDeliveries(7)).toBe(d0 + 1);
    expect(irqKept(7)).toBe(k0 + 1);
    expect(irqPending(7)).toBe(true);
    const w = new Waiter(7);
    spawn(w);
    step();
    expect(w.got).toBe(1);
    expect(w.keptGot).toBe(1);
    expect(irqPending(7)).toBe(false);
    // consumed: the next wait really waits
    const w2 = new Waiter(7);
    spawn(w2);
    step();
    expect(w2.got).toBe(0);
    expect(liveTasks()).toBe(1);
  });

  it("coalesces raises between two takes into one delivery", () => {
    const w = new Waiter(8, 2);
    spawn(w);
    step();
    const d0 = irqDeliveries(8);
    raise(8); raise(8); raise(8);
    step();
    expect(irqDeliveries(8)).toBe(d0 + 1);
    expect(w.got).toBe(1);
    expect(irqPending(8)).toBe(false);
    raise(8);
    step();
    expect(w.got).toBe(2);
  });

  it("kept deliveries coalesce like a pending bit but are all counted", () => {
    const k0 = irqKept(9);
    raise(9); step();
    raise(9); step();
    expect(irqKept(9)).toBe(k0 + 2);
    expect(irqKeptMerged(9)).toBe(1);
    const w = new Waiter(9, 2);
    spawn(w);
    step();
    expect(w.got).toBe(1); // one kept flag, like hardware
    expect(liveTasks()).toBe(1);
  });

  it("a line out of range completes at once with E_RANGE and does not trap", () => {
    const bad = new StaticArray<i32>(4);
    bad[0] = IRQ_LINES; bad[1] = 1000; bad[2] = -1; bad[3] = 0; // 0 is the alarm line
    for (let i = 0; i < 4; i++) {
      const f = new WaitIrq(bad[i]);
      expect(f.poll(0)).toBe(true);
      expect(f.error).toBe(E_RANGE);
      f.cancel(); // harmless
      expect(irqDeliveries(bad[i])).toBe(0);
      expect(irqKept(bad[i])).toBe(0);
      expect(irqPending(bad[i])).toBe(false);
      irqClearKept(bad[i]);
    }
    const ok = new WaitIrq(31);
    expect(ok.poll(0)).toBe(false);
    expect(ok.error).toBe(OK);
    ok.cancel();
    expect(irqWaiters(31)).toBe(0);
  });

  it("the alarm line is not delivered", () => {
    raise(0);
    step();
    expect(irqDeliveries(0)).toBe(0);
    expect(irqKept(0)).toBe(0);
  });

  it("cancel leaves the wait list; a later raise is kept, not lost", () => {
    const w = new Waiter(10);
    const id = spawn(w);
    step();
    expect(irqWaiters(10)).toBe(1);
    abort(id);
    expect(irqWaiters(10)).toBe(0);
    const k0 = irqKept(10);
    raise(10);
    step();
    expect(irqKept(10)).toBe(k0 + 1);
    expect(irqPending(10)).toBe(true);
  });

  it("a delivery that woke a waiter cancelled before seeing it is handed back", () => {
    // Select2(gate, irq): the gate wins in the same batch the IRQ arrives.
    const g = new Gate(0);
    const sel = new Select2<Gate, WaitIrq>(g, new WaitIrq(11));
    spawn(sel);
    step();
    g.open();
    raise(11);
    step();
    expect(sel.winner).toBe(0);
    expect(irqPending(11)).toBe(true); // the next waiter gets it
    const w = new Waiter(11);
    spawn(w);
    step();
    expect(w.got).toBe(1);
  });

  it("two waiters of one task on one line: cancelling one keeps the other", () => {
    const t = new TwoOnOneLine(12);
    spawn(t);
    step();
    expect(irqWaiters(12)).toBe(2);
    t.a.cancel(); // e.g. `a` lost a select inside the task
    t.aDone = -1; // and is not polled again
    expect(irqWaiters(12)).toBe(1);
    raise(12);
    step();
    expect(t.bDone).toBe(1); // still woken: its registration survived
    expect(liveTasks()).toBe(0);
  });

  it("traces each delivery with the number of waiters woken", () => {
    const a = new Waiter(13), b = new Waiter(13);
    spawn(a); spawn(b);
    step();
    traceOn = true;
    resetCounts();
    raise(13);
    step();
    traceOn = false;
    let found = 0;
    for (let i = 0; i < traceLen(); i++) {
      if (traceKind(i) == 6) { expect(traceA(i)).toBe(13); expect(traceB(i)).toBe(2); found++; }
    }
    expect(found).toBe(1);
  });
});
