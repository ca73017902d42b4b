// The timer queue against a model: random arms, cancels, polls and expiry
// passes, with the expiry pass called directly so the root hole it leaves
// (time.ts: the fired root stays until the next insert fills it) is live
// while the other operations run. Each pass must wake exactly the armed
// timers that are due, earliest deadline first and, for equal deadlines, in
// arming order; timersArmed must never count the hole; nextDeadline (which
// fills the hole) must give the earliest armed deadline.
import { Sleep, SleepUntil, TimerFuture, now, TIMER_CAPACITY } from "../../assembly/coop";
import { step } from "../../assembly/coop/executor";
import { timersArmed, expireTimers, nextDeadline } from "../../assembly/coop/time";
import { traceOn, TRACE_WAKE } from "../../assembly/coop/trace";
import { advance, abortAll, resetCounts, traceLen, traceKind, traceA, Rng } from "./fake";

const N: i32 = 16; // timers; timer i wakes "task" i (no task is spawned: the wakes are only traced)
const IDLE: u8 = 0, ARMED: u8 = 1, FIRED: u8 = 2;

const untils = new StaticArray<SleepUntil>(N / 2); // timers 0..7
const sleeps = new StaticArray<Sleep>(N / 2);      // timers 8..15: Sleep's inlined end
for (let i = 0; i < N / 2; i++) { untils[i] = new SleepUntil(0); sleeps[i] = new Sleep(0); }
const state = new StaticArray<u8>(N);
const dl = new StaticArray<i64>(N);
const seq = new StaticArray<i32>(N);
let seqN = 0;

function timer(i: i32): TimerFuture { return i < N / 2 ? untils[i] : sleeps[i - N / 2]; }
function pollTimer(i: i32): bool { return i < N / 2 ? untils[i].poll(i) : sleeps[i - N / 2].poll(i); }

function armedCount(): i32 {
  let n = 0;
  for (let i = 0; i < N; i++) if (state[i] == ARMED) n++;
  return n;
}

/** The model's next timer to fire among the armed ones due at t, or -1. */
function nextDue(t: i64, taken: StaticArray<bool>): i32 {
  let best = -1;
  for (let i = 0; i < N; i++) {
    if (state[i] != ARMED || taken[i] || dl[i] > t) continue;
    if (best < 0 || dl[i] < dl[best] || (dl[i] == dl[best] && seq[i] < seq[best])) best = i;
  }
  return best;
}

function run(seed: u32, rounds: i32): i32 {
  const rng = new Rng(seed);
  let passes = 0;
  for (let r = 0; r < rounds; r++) {
    const op = rng.below(10);
    const i = <i32>rng.below(N);
    if (op < 4) {
      // arm timer i if it is idle (a small range of deadlines: many ties)
      if (state[i] != IDLE) continue;
      const d = <i64>rng.below(40);
      const at = now() + d;
      if (i < N / 2) untils[i].at = at; else sleeps[i - N / 2].duration = d;
      const done = pollTimer(i);
      expect(done).toBe(d == 0);
      if (!done) { state[i] = ARMED; dl[i] = at; seq[i] = seqN++; }
    } else if (op == 4) {
      timer(i).cancel();
      state[i] = IDLE;
    } else if (op == 5) {
      // a poll: completes exactly when its entry has fired (else spurious)
      if (state[i] == IDLE) continue;
      const done = pollTimer(i);
      expect(done).toBe(state[i] == FIRED);
      if (done) state[i] = IDLE;
    } else if (op < 9) {
      advance(<i64>rng.below(25));
      const t = now();
      traceOn = true;
      resetCounts();
      const n = expireTimers(t);
      traceOn = false;
      const taken = new StaticArray<bool>(N);
      let k = 0;
      for (let j = 0; j < traceLen(); j++) {
        if (traceKind(j) != TRACE_WAKE) continue;
        const want = nextDue(t, taken);
        expect(traceA(j)).toBe(want);
        if (want < 0) break;
        taken[want] = true;
        k++;
      }
      expect(nextDue(t, taken)).toBe(-1); // nothing due left unfired
      expect(n).toBe(k);
      for (let j = 0; j < N; j++) if (taken[j]) state[j] = FIRED;
      passes++;
    } else {
      let min: i64 = -1;
      for (let j = 0; j < N; j++) if (state[j] == ARMED && (min < 0 || dl[j] < min)) min = dl[j];
      expect(nextDeadline()).toBe(min);
    }
    expect(timersArmed()).toBe(armedCount());
  }
  for (let j = 0; j < N; j++) { timer(j).cancel(); state[j] = IDLE; }
  expect(timersArmed()).toBe(0);
  step(); // clears the traced wakes' ready bits (no task: stale bits)
  return passes;
}

describe("timer queue: model check (the root hole)", () => {
  it("expiry passes fire exactly the due timers, earliest first, ties in arming order, with arms and cancels around the hole", () => {
    abortAll();
    expect(TIMER_CAPACITY).toBeGreaterThanOrEqual(N);
    let passes = 0;
    for (let s: u32 = 1; s <= 4; s++) passes += run(s * 7919, 1500);
    expect(passes).toBeGreaterThan(1000);
  });
});
