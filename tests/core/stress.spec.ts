// Lost-wakeup stress: every task slot waits on an IRQ line; 10^5 seeded
// random raises, interleaved with steps and time passing, while tasks now and
// then yield or sleep (so some raises find nobody waiting and are kept).
// Afterwards every delivery is accounted for and nothing is left pending.
import {
  Future, Waker, spawn, WaitIrq, YieldNow, Sleep, TASK_CAPACITY, IRQ_LINES, irqDeliveries, irqKept, liveTasks,
} from "../../assembly/coop";
import { step } from "../../assembly/coop/executor";
import { irqKeptMerged, irqPending, irqWaiters } from "../../assembly/coop/irq";
import { readyCount } from "../../assembly/coop/ready";
import { raise, pendingFlags, advance, Rng } from "./fake";

const EVENTS = 100_000;
const LINES = IRQ_LINES - 1; // lines 1..31 (0 is the alarm)
const MAXD = 8192;


// Spec-side accounts, per line (index = line).
const expectedD = new StaticArray<u32>(IRQ_LINES);
const observed = new StaticArray<u8>(IRQ_LINES * MAXD); // delivery k of line l seen by a woken waiter
const distinctSeen = new StaticArray<u32>(IRQ_LINES);
const wokenDone = new StaticArray<u32>(IRQ_LINES);
const keptDone = new StaticArray<u32>(IRQ_LINES);
let badDelivery: i32 = 0;

const W_WAIT: i32 = 0, W_YIELD: i32 = 1, W_SLEEP: i32 = 2;

class IrqTask extends Future {
  irq: WaitIrq;
  y: YieldNow = new YieldNow();
  s: Sleep = new Sleep(1);
  rng: Rng;
  phase: i32 = W_WAIT;
  yields: i32 = 0;
  completions: i32 = 0;
  constructor(public line: i32, seed: u32) { super(); this.irq = new WaitIrq(line); this.rng = new Rng(seed); }

  poll(w: Waker): bool {
    while (true) {
      if (this.phase == W_YIELD) {
        while (this.yields > 0) {
          if (!this.y.poll(w)) return false;
          this.yields--;
        }
        this.phase = W_WAIT;
      } else if (this.phase == W_SLEEP) {
        if (!this.s.poll(w)) return false;
        this.phase = W_WAIT;
      }
      if (!this.irq.poll(w)) return false;
      this.account();
      // What to do before waiting again: mostly wait at once, sometimes be busy.
      const r = this.rng.next() & 7;
      if (r < 2) { this.phase = W_YIELD; this.yields = 1 + <i32>(r & 1); }
      else if (r < 5) { this.phase = W_SLEEP; this.s.duration = 1 + <i64>(this.rng.next() % 40); }
    }
  }

  private account(): void {
    const l = this.line;
    const k = <i32>this.irq.delivery;
    this.completions++;
    if (this.irq.kept) { keptDone[l]++; return; }
    wokenDone[l]++;
    if (k <= 0 || k >= MAXD) { badDelivery++; return; }
    const at = l * MAXD + k;
    if (observed[at] == 0) { observed[at] = 1; distinctSeen[l]++; }
  }
}

const tasks = new StaticArray<IrqTask>(TASK_CAPACITY);

function stepCounted(): void {
  const p = pendingFlags();
  for (let l = 1; l < IRQ_LINES; l++) if (p & (1 << l)) expectedD[l]++;
  step();
}

describe("lost-wakeup stress", () => {
  it("accounts for every one of 10^5 random interrupts across all task slots", () => {
    for (let i = 0; i < TASK_CAPACITY; i++) {
      tasks[i] = new IrqTask(1 + (i % LINES), 0x9e3779b9 ^ (<u32>i * 2654435761));
      expect(spawn(tasks[i])).toBeGreaterThanOrEqual(0);
    }
    expect(liveTasks()).toBe(TASK_CAPACITY);
    stepCounted();

    const rng = new Rng(12345);
    let raises = 0;
    for (let e = 0; e < EVENTS; e++) {
      raise(1 + <i32>(rng.next() % <u32>LINES));
      raises++;
      const r = rng.next();
      if ((r & 3) == 0) advance(<i64>((r >> 2) % 16));
      if ((r & 0x30) != 0x30) stepCounted(); // about 3 of 4 raises are followed by a step
    }
    expect(raises).toBeGreaterThanOrEqual(100_000);

    // Drain: let sleeps end and kept flags be consumed, with no new raises.
    let rounds = 0;
    while (rounds < 100) {
      advance(100);
      stepCounted();
      let waiting = 0;
      for (let l = 1; l < IRQ_LINES; l++) waiting += irqWaiters(l);
      let kept = 0;
      for (let l = 1; l < IRQ_LINES; l++) if (irqPending(l)) kept++;
      if (waiting == TASK_CAPACITY && kept == 0 && readyCount() == 0) break;
      rounds++;
    }
    expect(rounds).toBeLessThan(100);
    expect(badDelivery).toBe(0);

    let totalD: u32 = 0, totalDone: u32 = 0;
    for (let l = 1; l < IRQ_LINES; l++) {
      const d = irqDeliveries(l);
      totalD += d;
      expect(d).toBeLessThan(MAXD);
      // the registry saw exactly the flags the board had pending at each step
      expect(d).toBe(expectedD[l]);
      // every delivery either woke waiters (seen by them) or was kept
      expect(distinctSeen[l] + irqKept(l)).toBe(d);
      // every kept delivery was consumed by exactly one wait or merged into
      // an earlier kept one (none is pending after the drain)
      expect(keptDone[l] + irqKeptMerged(l)).toBe(irqKept(l));
      expect(irqPending(l)).toBe(false);
      totalDone += wokenDone[l] + keptDone[l];
    }
    let sumCompletions: u32 = 0;
    for (let i = 0; i < TASK_CAPACITY; i++) sumCompletions += <u32>tasks[i].completions;
    expect(sumCompletions).toBe(totalDone);
    expect(totalD).toBeGreaterThan(EVENTS / 2); // raises coalesce, but most are separate deliveries
    // some raises found nobody waiting, some woke someone: both paths ran
    let keptAll: u32 = 0;
    for (let l = 1; l < IRQ_LINES; l++) keptAll += irqKept(l);
    expect(keptAll).toBeGreaterThan(0);
    expect(keptAll).toBeLessThan(totalD);
    log<string>("irq stress: " + raises.toString() + " raises, " + totalD.toString() + " deliveries (" +
      keptAll.toString() + " kept), " + totalDone.toString() + " task completions, drained in " + rounds.toString() + " rounds");

    // Nothing is stuck: one more raise of every line completes every task once.
    const before = new StaticArray<i32>(TASK_CAPACITY);
    for (let i = 0; i < TASK_CAPACITY; i++) before[i] = tasks[i].completions;
    for (let l = 1; l < IRQ_LINES; l++) raise(l);
    stepCounted();
    for (let i = 0; i < TASK_CAPACITY; i++) expect(tasks[i].completions - before[i]).toBe(1);
  });
});
