// board.irq_quiet (docs/abi.md): a board that keeps it spares the executor the
// irq_take calls that would return nothing, and nothing else changes. The
// fake board keeps it only here (keepQuiet(1)); every other spec runs against
// a board that leaves it at 0 and is asked before every batch.
import { Future, Waker, spawn, WaitIrq, irqDeliveries, wake } from "../../assembly/coop";
import { step } from "../../assembly/coop/executor";
import { raise, abortAll, resetCounts, irqTakes, keepQuiet, quietNow, record, clearLog, logLen, logAt } from "./fake";

/** Waits on its line for ever, logging (line * 1000 + completions) at each completion. */
class LineWaiter extends Future {
  irq: WaitIrq;
  got: i32 = 0;
  constructor(public line: i32) { super(); this.irq = new WaitIrq(line); }
  poll(w: Waker): bool {
    while (this.irq.poll(w)) { this.got++; record(this.line * 1000 + this.got); }
    return false;
  }
  cancel(): void { this.irq.cancel(); }
}

/** Raises `line` from inside its own poll (an interrupt during a task), then yields, `times` times. */
class Raiser extends Future {
  n: i32 = 0;
  constructor(public line: i32, public times: i32) { super(); }
  poll(w: Waker): bool {
    if (this.n >= this.times) return true;
    this.n++;
    raise(this.line);
    wake(w); // run again in the next batch
    return false;
  }
}

let x: u32 = 0x2545f491;
function rnd(n: u32): u32 {
  x ^= x << 13; x ^= x >> 17; x ^= x << 5;
  return x % n;
}

/**
 * A seeded run: waiters on lines 3..6, a task raising line 5 from inside its
 * polls, and raises of random lines between steps. Returns the completion log
 * as one hash (every entry and its position), so two runs compare exactly.
 */
function scenario(seed: u32): u64 {
  abortAll();
  clearLog();
  x = seed;
  for (let l = 3; l <= 6; l++) spawn(new LineWaiter(l));
  spawn(new Raiser(5, 7));
  step();
  for (let i = 0; i < 200; i++) {
    const k = rnd(4);
    for (let j: u32 = 0; j < k; j++) raise(3 + <i32>rnd(4));
    step();
  }
  let h: u64 = 1469598103934665603;
  for (let i = 0; i < logLen(); i++) h = (h ^ <u64>logAt(i)) * 1099511628211;
  abortAll();
  return h;
}

describe("board.irq_quiet", () => {
  afterEach(() => { keepQuiet(0); abortAll(); });

  it("while the board says quiet, steps make no irq_take call; a raise is still taken and delivered", () => {
    keepQuiet(1);
    const w = new LineWaiter(4);
    spawn(w);
    step();
    expect(quietNow()).toBe(1); // the first batch took (quiet starts at 0) and the board set it
    resetCounts();
    for (let i = 0; i < 10; i++) { wake(0); step(); }
    expect(irqTakes()).toBe(0);
    const d = irqDeliveries(4);
    raise(4);
    expect(quietNow()).toBe(0);
    step();
    expect(irqTakes()).toBe(1); // taken once, then quiet again for the step's next batch
    expect(irqDeliveries(4)).toBe(d + 1);
    expect(w.got).toBe(1);
  });

  it("a board that leaves it at 0 is asked before every batch", () => {
    keepQuiet(0);
    spawn(new LineWaiter(4));
    step();
    resetCounts();
    for (let i = 0; i < 10; i++) { wake(0); step(); }
    expect(irqTakes()).toBe(20); // two batches a step: the woken task, then an empty one
  });

  it("a flag raised during a poll is delivered in the next batch of the same step, as without it", () => {
    keepQuiet(1);
    const w = new LineWaiter(6);
    spawn(w);
    step();
    spawn(new Raiser(6, 1));
    step(); // batch: the raiser raises; next batch: the flag is taken and the waiter runs
    expect(w.got).toBe(1);
  });

  it("the same seeded run completes the same futures in the same order with and without it", () => {
    for (let s: u32 = 1; s <= 5; s++) {
      keepQuiet(0);
      resetCounts();
      const asked = scenario(s * 0x9e3779b9 + 1);
      const takesAlways = irqTakes();
      keepQuiet(1);
      resetCounts();
      const quiet = scenario(s * 0x9e3779b9 + 1);
      expect(quiet).toBe(asked);
      // and it saved calls: every batch asked before, only batches after a raise now
      expect(irqTakes()).toBeLessThan(takesAlways);
    }
  });
});
