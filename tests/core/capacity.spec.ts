// Capacity: the whole task table in use. Runs with the default 32 slots in
// `npm run test:core` and again with `--use COOP_TASKS=256` (and the timer
// pool that follows it) through tests/core/as-pect.capacity.*.
import {
  Future, Waker, spawn, wake, Sleep, TASK_CAPACITY, TIMER_CAPACITY, SPAWN_FULL, liveTasks, now,
} from "../../assembly/coop";
import { step } from "../../assembly/coop/executor";
import { timersArmed } from "../../assembly/coop/time";
import { advance, abortAll, Gate, clearLog, logLen, logAt } from "./fake";

/** Sleeps `d`, then records its slot in `finishOrder`. */
class Sleeper extends Future {
  s: Sleep;
  slot: i32 = -1;
  constructor(d: i64) { super(); this.s = new Sleep(d); }
  poll(w: Waker): bool {
    if (!this.s.poll(w)) return false;
    finishOrder[finished++] = w;
    return true;
  }
}

const finishOrder = new StaticArray<i32>(TASK_CAPACITY);
let finished = 0;

describe("capacity", () => {
  afterEach(() => { abortAll(); clearLog(); });

  it("fills every slot, refuses one more, and polls across bitset words in slot order", () => {
    expect(TASK_CAPACITY).toBeGreaterThanOrEqual(32);
    const gates = new StaticArray<Gate>(TASK_CAPACITY);
    for (let i = 0; i < TASK_CAPACITY; i++) {
      gates[i] = new Gate(i);
      expect(spawn(gates[i]) & 0xffff).toBe(i);
    }
    expect(spawn(new Gate(-1))).toBe(SPAWN_FULL);
    expect(liveTasks()).toBe(TASK_CAPACITY);
    step();
    clearLog();
    // open from the top down: the poll order is still ascending
    for (let i = TASK_CAPACITY - 1; i >= 0; i -= 3) gates[i].open();
    step();
    let ascending = true;
    for (let i = 1; i < logLen(); i++) if (logAt(i) <= logAt(i - 1)) ascending = false;
    expect(ascending).toBe(true);
    expect(logLen()).toBe((TASK_CAPACITY + 2) / 3);
    expect(logAt(logLen() - 1)).toBe(TASK_CAPACITY - 1);
  });

  it("one timer per task: every slot sleeps, they fire in deadline order", () => {
    expect(TIMER_CAPACITY).toBeGreaterThanOrEqual(TASK_CAPACITY);
    finished = 0;
    // deadlines in a scrambled order over the slots
    for (let i = 0; i < TASK_CAPACITY; i++) spawn(new Sleeper(1 + <i64>((i * 37) % TASK_CAPACITY)));
    const t0 = now();
    expect(step()).toBe(t0 + 1);
    expect(timersArmed()).toBe(TASK_CAPACITY);
    for (let t = 0; t < TASK_CAPACITY; t++) { advance(1); step(); }
    expect(finished).toBe(TASK_CAPACITY);
    let ordered = true;
    for (let i = 0; i < TASK_CAPACITY; i++) {
      // the task that finished i-th is the one whose deadline is i+1
      if ((finishOrder[i] * 37) % TASK_CAPACITY != i) ordered = false;
    }
    expect(ordered).toBe(true);
    expect(liveTasks()).toBe(0);
  });

  it("waking the highest slot works and nothing else runs", () => {
    // (one Gate per task: a Gate's WakerSlot holds a single waiter)
    for (let i = 0; i < TASK_CAPACITY; i++) spawn(new Gate(i));
    step();
    clearLog();
    wake(TASK_CAPACITY - 1);
    step();
    expect(logLen()).toBe(1);
    expect(logAt(0)).toBe(TASK_CAPACITY - 1);
  });
});
