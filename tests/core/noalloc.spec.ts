// No allocation after init: everything is built first, then thousands of
// steps exercise spawning (plain and through join handles, into reused
// slots), polling, waking, aborting, timers, IRQ dispatch and every
// combinator. The stub runtime's bump pointer (heapTop) and the memory size
// must not move. A control case shows the probe does see an allocation.
import {
  Future, Waker, spawn, abort, JoinHandle, YieldNow, WaitIrq, Sleep, SleepUntil, Ticker, Timeout, Join2, Join3, JoinAll, Select2, Select3, SelectAll, Race, now, liveTasks, SPAWN_BUSY,
} from "../../assembly/coop";
import { step } from "../../assembly/coop/executor";
import { timersArmed } from "../../assembly/coop/time";
import { raise, advance, heapTop, Gate, clearLog } from "./fake";

const ROUNDS = 5000;

/** A short job: wait for line 3 or 2 ms, then yield once. Respawned through a JoinHandle. */
class Job extends Future {
  sel: Select2<WaitIrq, Sleep> = new Select2<WaitIrq, Sleep>(new WaitIrq(3), new Sleep(2000));
  y: YieldNow = new YieldNow();
  stage: i32 = 0;
  runs: i32 = 0;
  poll(w: Waker): bool {
    if (this.stage == 0) {
      if (!this.sel.poll(w)) return false;
      this.stage = 1;
    }
    if (!this.y.poll(w)) return false;
    this.stage = 0;
    this.runs++;
    return true;
  }
  cancel(): void { this.sel.cancel(); this.y.cancel(); this.stage = 0; }
}

/** Respawns the job through its handle whenever it has ended; awaits it. */
class Supervisor extends Future {
  h: JoinHandle<Job> = new JoinHandle<Job>(new Job());
  spawned: i32 = 0;
  busy: i32 = 0;
  poll(w: Waker): bool {
    while (true) {
      if (this.h.running) {
        if (this.h.spawn("again") == SPAWN_BUSY) this.busy++;
        if (!this.h.poll(w)) return false;
      }
      if (this.h.spawn("job") < 0) return false;
      this.spawned++;
    }
  }
}

/** Every combinator over timers and IRQs, round after round. */
class Combos extends Future {
  j2: Join2<Sleep, WaitIrq> = new Join2<Sleep, WaitIrq>(new Sleep(300), new WaitIrq(4));
  j3: Join3<Sleep, Sleep, YieldNow> = new Join3<Sleep, Sleep, YieldNow>(new Sleep(100), new Sleep(200), new YieldNow());
  ja: JoinAll;
  s3: Select3<WaitIrq, WaitIrq, Sleep> = new Select3<WaitIrq, WaitIrq, Sleep>(new WaitIrq(5), new WaitIrq(6), new Sleep(700));
  sa: SelectAll;
  race: Race<Sleep> = new Race<Sleep>(new Sleep(150), new Sleep(90));
  to: Timeout<WaitIrq> = new Timeout<WaitIrq>(new WaitIrq(7), 400);
  stage: i32 = 0;
  rounds: i32 = 0;
  constructor() {
    super();
    const a = new StaticArray<Future>(3);
    a[0] = new Sleep(50); a[1] = new WaitIrq(8); a[2] = new YieldNow();
    this.ja = new JoinAll(a);
    const b = new StaticArray<Future>(3);
    b[0] = new WaitIrq(9); b[1] = new Sleep(250); b[2] = new WaitIrq(10);
    this.sa = new SelectAll(b);
  }
  poll(w: Waker): bool {
    while (true) {
      switch (this.stage) {
        case 0: if (!this.j2.poll(w)) return false; break;
        case 1: if (!this.j3.poll(w)) return false; break;
        case 2: if (!this.ja.poll(w)) return false; break;
        case 3: if (!this.s3.poll(w)) return false; break;
        case 4: if (!this.sa.poll(w)) return false; break;
        case 5: if (!this.race.poll(w)) return false; break;
        case 6: if (!this.to.poll(w)) return false; break;
      }
      this.stage++;
      if (this.stage == 7) { this.stage = 0; this.rounds++; }
    }
  }
  cancel(): void {
    this.j2.cancel(); this.j3.cancel(); this.ja.cancel(); this.s3.cancel(); this.sa.cancel(); this.race.cancel(); this.to.cancel();
    this.stage = 0;
  }
}

class TickerTask extends Future {
  t: Ticker = new Ticker(250);
  until: SleepUntil = new SleepUntil(0);
  poll(w: Waker): bool {
    while (this.t.poll(w)) {
      this.until.at = now() + 10;
      if (!this.until.poll(w)) return false;
    }
    return false;
  }
  cancel(): void { this.t.cancel(); this.until.cancel(); }
}

/** Allocates on every poll: the control case. */
class Allocator extends Future {
  last: Gate | null = null;
  poll(w: Waker): bool {
    this.last = new Gate(1);
    return true;
  }
}

const sup = new Supervisor();
const combos = new Combos();
const ticker = new TickerTask();
const victim = new Gate(0);
const lines = new StaticArray<i32>(8);

describe("no allocation after init", () => {
  it("thousands of steps of the whole runtime allocate nothing and do not grow memory", () => {
    spawn(sup, "sup");
    spawn(combos, "combos");
    spawn(ticker, "ticker");
    lines[0] = 3; lines[1] = 4; lines[2] = 5; lines[3] = 6; lines[4] = 7; lines[5] = 8; lines[6] = 9; lines[7] = 10;
    step(); // first polls arm everything
    const h0 = heapTop();
    const m0 = memory.size();
    let victimId = -1;
    let rng: u32 = 7;
    for (let i = 0; i < ROUNDS; i++) {
      rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5;
      if ((rng & 3) == 0) raise(lines[(rng >> 2) & 7]);
      advance(<i64>((rng >> 8) & 127));
      // spawn into a reused slot and abort from outside
      if (victimId < 0) victimId = spawn(victim, "victim");
      else if ((rng & 0x1000) != 0) { abort(victimId); victimId = -1; }
      step();
    }
    const h1 = heapTop();
    const m1 = memory.size();
    expect(h1).toBe(h0);
    expect(m1).toBe(m0);
    // ...and the run really exercised everything
    expect(sup.spawned).toBeGreaterThan(50);
    expect(sup.busy).toBeGreaterThan(0);
    expect(sup.h.future.runs).toBeGreaterThan(50);
    expect(combos.rounds).toBeGreaterThan(20);
    expect(ticker.t.count).toBeGreaterThan(ROUNDS / 8);
    expect(victim.cancels).toBeGreaterThan(100);
    expect(timersArmed()).toBeGreaterThan(0);
    log<string>("no-alloc: " + ROUNDS.toString() + " steps; job respawns " + sup.spawned.toString() +
      ", combinator rounds " + combos.rounds.toString() + ", ticks " + ticker.t.count.toString() +
      ", outside aborts " + victim.cancels.toString() + "; heap top " + h0.toString() + " -> " + h1.toString());
  });

  it("control: the probe detects a task that allocates", () => {
    const a = new Allocator();
    const h0 = heapTop();
    spawn(a, "alloc");
    step();
    const h1 = heapTop();
    expect(h1).toBeGreaterThan(h0);
  });
});
