// Mutex and Semaphore under seeded random scheduling: tasks lock (plainly,
// with a timeout, or racing a yield that cancels the attempt), hold across
// random sleeps, and are sometimes aborted from outside while waiting or
// holding. Mutual exclusion and the permit count must hold throughout, and
// at the end nothing is left locked, taken or queued.

import { Waker, Future, OK, spawn, abort, Timeout, Select2, YieldNow, Sleep, micros, liveTasks, TaskId } from "../../../assembly/coop";
import { step } from "../../../assembly/coop/executor";
import { Mutex, Lock, Semaphore, Acquire } from "../../../assembly/sync";
import { advance } from "../fake";
import { Rng } from "./util";

const NT = 6;
const ROUNDS = 60;
const PERMITS = 4;

let rng = new Rng(1);
let mutex = new Mutex<i32>(0);
let sem = new Semaphore(PERMITS);
let holders = 0;
let inUse = 0;
let violations = 0;
let lockedRounds = 0;
let cancelledAttempts = 0;
let badUnlocks = 0;

const PICK = 0, LOCK = 1, LOCK_TO = 2, LOCK_RACE = 3, HOLD = 4, ACQ = 5, USE = 6;

class Worker extends Future {
  round: i32 = 0;
  state: i32 = PICK;
  lock: Lock<i32>;
  lockTo: Timeout<Lock<i32>>;
  race: Select2<YieldNow, Lock<i32>>;
  acq: Acquire;
  sleep: Sleep = new Sleep(0);
  holding: bool = false;
  using: i32 = 0;
  active: Lock<i32> | null = null;
  constructor() {
    super();
    this.lock = new Lock<i32>(mutex);
    this.lockTo = new Timeout<Lock<i32>>(new Lock<i32>(mutex), 0);
    this.race = new Select2<YieldNow, Lock<i32>>(new YieldNow(), new Lock<i32>(mutex));
    this.acq = new Acquire(sem, 1);
  }
  enter(l: Lock<i32>): void {
    if (holders != 0) violations++;
    holders++;
    mutex.data++;
    this.holding = true;
    this.active = l;
    lockedRounds++;
    this.sleep.duration = micros(rng.below(400));
    this.state = HOLD;
  }
  poll(w: Waker): bool {
    while (true) {
      if (this.round >= ROUNDS) return true;
      if (this.state == PICK) {
        const m = rng.below(4);
        if (m == 0) this.state = LOCK;
        else if (m == 1) { this.lockTo.limit = micros(rng.below(600)); this.state = LOCK_TO; }
        else if (m == 2) this.state = LOCK_RACE;
        else { this.acq.n = 1 + <i32>rng.below(3); this.state = ACQ; }
      } else if (this.state == LOCK) {
        if (!this.lock.poll(w)) return false;
        this.enter(this.lock);
      } else if (this.state == LOCK_TO) {
        if (!this.lockTo.poll(w)) return false;
        if (this.lockTo.timedOut) { cancelledAttempts++; this.round++; this.state = PICK; }
        else this.enter(this.lockTo.inner);
      } else if (this.state == LOCK_RACE) {
        if (!this.race.poll(w)) return false;
        if (this.race.winner == 0) { cancelledAttempts++; this.round++; this.state = PICK; }
        else this.enter(this.race.b);
      } else if (this.state == HOLD) {
        if (!this.sleep.poll(w)) return false;
        holders--;
        this.holding = false;
        if (this.active!.unlock() != OK) badUnlocks++;
        this.active = null;
        this.round++;
        this.state = PICK;
      } else if (this.state == ACQ) {
        if (!this.acq.poll(w)) return false;
        inUse += this.acq.n;
        if (inUse > PERMITS) violations++;
        this.using = this.acq.n;
        this.sleep.duration = micros(rng.below(400));
        this.state = USE;
      } else {
        if (!this.sleep.poll(w)) return false;
        inUse -= this.using;
        sem.release(this.using);
        this.using = 0;
        this.round++;
        this.state = PICK;
      }
    }
  }
  // Aborted from outside: release what this task holds (the Lock's cancel unlocks).
  cancel(): void {
    this.sleep.cancel();
    if (this.holding) { holders--; this.holding = false; }
    this.lock.cancel(); this.lockTo.cancel(); this.race.cancel();
    this.active = null;
    if (this.using > 0) { inUse -= this.using; sem.release(this.using); this.using = 0; }
    this.acq.cancel();
  }
}

function run(seed: u32): i32 {
  rng = new Rng(seed);
  mutex = new Mutex<i32>(0);
  sem = new Semaphore(PERMITS);
  holders = 0; inUse = 0;
  const ids = new StaticArray<TaskId>(NT);
  for (let i = 0; i < NT; i++) ids[i] = spawn(new Worker(), "worker");
  let aborted = 0;
  for (let iter = 0; iter < 100_000 && liveTasks() > 0; iter++) {
    step();
    if (rng.below(40) == 0) { if (abort(ids[<i32>rng.below(NT)])) aborted++; }
    advance(micros(rng.below(300)));
  }
  return aborted;
}

describe("Mutex and Semaphore stress (seeded random scheduling)", () => {
  it("keeps mutual exclusion and the permit count, and leaves nothing locked", () => {
    const seeds: u32[] = [1, 2, 3, 77, 4242];
    let aborted = 0;
    for (let s = 0; s < seeds.length; s++) {
      aborted += run(seeds[s]);
      expect(liveTasks()).toBe(0);
      expect(mutex.locked).toBe(false);
      expect(mutex.q.isEmpty).toBe(true);
      expect(sem.permits).toBe(PERMITS);
      expect(sem.q.isEmpty).toBe(true);
      expect(holders).toBe(0);
      expect(inUse).toBe(0);
    }
    expect(violations).toBe(0);
    expect(badUnlocks).toBe(0);
    expect(mutex.badUnlocks).toBe(0);
    expect(lockedRounds).toBeGreaterThan(0);
    expect(cancelledAttempts).toBeGreaterThan(0);
    expect(aborted).toBeGreaterThan(0);
    log<string>("lock stress: " + lockedRounds.toString() + " critical sections, "
      + cancelledAttempts.toString() + " cancelled lock attempts, " + aborted.toString() + " tasks aborted");
  });
});
