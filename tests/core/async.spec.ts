// async functions (host/async/ lowers them at build time): each construct by
// its behaviour, cancellation at every await point, restart, and no
// allocation after start-up. docs/runtime.md, "async functions".
import { Future, Waker, spawn, abort, taskName, slotOf, Sleep, millis, JoinSet } from "../../assembly/coop";
import { step } from "../../assembly/coop/executor";
import { timersArmed } from "../../assembly/coop/time";
import { Channel, Recv } from "../../assembly/sync";
import { advance, abortAll, Gate, heapTop } from "./fake";

// What the async functions under test report (the fake's log also records every Gate poll).
const seen = new StaticArray<i32>(64);
let seenN: i32 = 0;
function record(v: i32): void { if (seenN < 64) seen[seenN++] = v; }
function logLen(): i32 { return seenN; }
function logAt(i: i32): i32 { return i < seenN ? seen[i] : -999; }
function clearLog(): void { seenN = 0; }

const g0 = new Gate(0);
const g1 = new Gate(1);
const g2 = new Gate(2);

// ---- sequence, prologue, parameters and locals across awaits ----

let prologueRuns: i32 = 0;
function countPrologue(): i32 { return ++prologueRuns; }

async function seq(tag: i32): Promise<void> {
  const run0: i32 = countPrologue(); // a leading declaration: prologue, runs at the call
  let n: i32 = tag * 10 + run0 - run0;
  await g0;
  n++;
  await g1;
  n++;
  record(n);
}

// ---- control flow ----

async function branches(x: i32): Promise<void> {
  if (x > 0) {
    await g0;
    record(1);
  } else {
    await g1;
    record(2);
  }
  record(3);
}

async function loops(n: i32): Promise<void> {
  let i: i32 = 0;
  while (i < n) {
    await g0;
    i++;
    if (i == 2) continue;
    record(i);
  }
  for (let j = 0; j < n; j++) {
    await g1;
    if (j == 1) break;
    record(100 + j);
  }
  do {
    await g2;
    i--;
  } while (i > 1);
  record(1000 + i);
}

// The loop variable appears only in the loop's head, before the await in the text.
async function counted(n: i32): Promise<void> {
  for (let k = 0; k < n; k++) {
    await g2;
  }
  record(555);
}

async function switching(k: i32): Promise<void> {
  switch (k) {
    case 0:
      await g0;
      record(10);
      break;
    case 1:
      await g1;
      record(11); // falls through
    case 2:
      record(12);
      break;
    default:
      await g2;
      record(13);
  }
  record(99);
}

async function double(x: i32): Promise<i32> {
  await g0;
  return x * 2;
}

async function useValues(): Promise<i32> {
  const a = await double(3);
  let b: i32 = 0;
  b = await double(a);
  record(a);
  record(b);
  return await double(b);
}

// A helper with no await: its statements run at each await of it, not at init.
let bumps: i32 = 0;
async function bump(): Promise<void> {
  bumps++;
}
async function bumpsTwice(): Promise<void> {
  await bump();
  await g0;
  await bump();
}

let lastUsed: i32 = 0;
async function callsAndResult(): Promise<void> {
  lastUsed = await useValues();
}

// ---- cancellation: owned timers and borrowed wait lists ----

const chan = new Channel<i32>(2);

async function holdsThings(): Promise<void> {
  const nap = new Sleep(millis(10));
  const rx: Recv<i32> = chan.receiver();
  await nap;     // a timer entry
  await rx;      // a place in the channel's wait list
  await g0;      // a borrowed future's wake slot
  await nap;
}

async function twoOpens(): Promise<void> {
  let i: i32 = 0; // before the first await: set again at every start
  while (i < 2) {
    await g0;
    i++;
  }
  record(i);
}

async function countsRuns(): Promise<void> {
  await g0;
  record(7);
}

describe("async functions: behaviour", () => {
  afterEach(() => { abortAll(); clearLog(); });

  it("runs the prologue when called, the rest when polled, keeping locals and parameters across awaits", () => {
    const before = prologueRuns;
    const f = seq(4);
    expect(prologueRuns).toBe(before + 1); // at the call, before any poll
    spawn(f);
    step();
    expect(logLen()).toBe(0);
    g0.open(); step();
    expect(logLen()).toBe(0);
    g1.open(); step();
    expect(logLen()).toBe(1);
    expect(logAt(0)).toBe(42);
    expect(prologueRuns).toBe(before + 1);
  });

  it("if/else: only the taken branch awaits", () => {
    spawn(branches(1));
    step();
    g1.open(); step();
    expect(logLen()).toBe(0); // waiting on g0, not g1
    g0.open(); step();
    expect(logLen()).toBe(2);
    expect(logAt(0)).toBe(1);
    expect(logAt(1)).toBe(3);
    clearLog();
    g1.isOpen = false;
    spawn(branches(-1));
    step();
    g1.open(); step();
    expect(logAt(0)).toBe(2);
    expect(logAt(1)).toBe(3);
  });

  it("while with continue, for with break, do-while, with awaits in their bodies", () => {
    spawn(loops(3));
    step();
    for (let k = 0; k < 3; k++) { g0.open(); step(); }
    for (let k = 0; k < 2; k++) { g1.open(); step(); }
    g2.open(); step();
    g2.open(); step();
    // while: 1, (2 skipped), 3; for: 100, then break at j == 1; do: i 3 -> 2 -> 1
    expect(logLen()).toBe(4);
    expect(logAt(0)).toBe(1);
    expect(logAt(1)).toBe(3);
    expect(logAt(2)).toBe(100);
    expect(logAt(3)).toBe(1001);
  });

  it("a for loop whose variable is used only in its head keeps counting across awaits", () => {
    spawn(counted(3));
    step();
    g2.open(); step();
    g2.open(); step();
    expect(logLen()).toBe(0);
    g2.open(); step();
    expect(logLen()).toBe(1);
    expect(logAt(0)).toBe(555);
  });

  it("switch with awaits in cases, fallthrough and break", () => {
    spawn(switching(1));
    step();
    g1.open(); step();
    expect(logLen()).toBe(3);
    expect(logAt(0)).toBe(11);
    expect(logAt(1)).toBe(12);
    expect(logAt(2)).toBe(99);
    clearLog();
    spawn(switching(5));
    step();
    g2.open(); step();
    expect(logAt(0)).toBe(13);
    expect(logAt(1)).toBe(99);
  });

  it("const v = await f(x), v = await f(x), return await f(x): inner machines with arguments and results", () => {
    spawn(callsAndResult());
    step();
    g0.open(); step(); // a = 6
    g0.open(); step(); // b = 12
    expect(logAt(0)).toBe(6);
    expect(logAt(1)).toBe(12);
    g0.open(); step(); // 24
    expect(lastUsed).toBe(24);
  });

  it("statements before the first await (other than the leading declarations) run at each start, not at init", () => {
    const m = bumpsTwice();
    expect(bumps).toBe(0); // building the machines ran no statement
    spawn(m);
    step();
    expect(bumps).toBe(1);
    g0.open(); step();
    expect(bumps).toBe(2);
  });

  it("a task's name defaults to its function's name", () => {
    const id = spawn(countsRuns());
    expect(taskName(slotOf(id))).toBe("countsRuns");
  });

  it("awaiting or spawning a completed machine again restarts it from the first await", () => {
    const m = countsRuns();
    spawn(m);
    step();
    g0.open(); step();
    expect(logLen()).toBe(1);
    spawn(m); // the same machine, again
    step();
    expect(logLen()).toBe(1); // waiting on g0 again, not finished at once
    g0.open(); step();
    expect(logLen()).toBe(2);
  });
});

// ---- @fluent chains: run once, then the receiver is awaited ----

/** Adds up what its @fluent add() calls queued, when g2 opens. */
class Acc extends Future {
  total: i32 = 0;
  queued: i32 = 0;
  adds: i32 = 0;
  // @ts-ignore: decorator
  @fluent add(n: i32): Acc { this.queued += n; this.adds++; return this; }
  poll(w: Waker): bool {
    if (!g2.poll(w)) return false;
    this.total += this.queued;
    this.queued = 0;
    return true;
  }
}
const acc = new Acc();

async function accumulate(): Promise<void> {
  await acc.add(2).add(3);
  record(acc.total);
  await acc.add(1);
  record(acc.total);
}

// ---- Promise<T> as a type: any async function's machine, its result in .value ----

async function worker(id: i32, ms: i32): Promise<i32> {
  const nap = new Sleep(0);
  await nap.for(millis(ms));
  return id * 100;
}

async function collector(): Promise<void> {
  const set = new JoinSet<Promise<i32>>(3);
  const a: i32 = set.spawn(worker(1, 30));
  const b: i32 = set.spawn(worker(2, 10));
  const c: i32 = set.spawn(worker(3, 20));
  while (true) {
    await set.next;
    if (set.next.empty) break;
    record(set.next.future!.value);
  }
  record(a >= 0 && b >= 0 && c >= 0 ? 1 : 0);
}

describe("async functions: @fluent chains", () => {
  afterEach(() => { abortAll(); clearLog(); });

  it("runs the chain once when the await starts and awaits its receiver, however often it is polled", () => {
    spawn(accumulate());
    step();
    step(); // a spurious extra step: the chain must not run again
    expect(acc.adds).toBe(2);
    g2.open(); step();
    expect(logAt(0)).toBe(5);
    g2.open(); step();
    expect(logAt(1)).toBe(6);
    expect(acc.adds).toBe(3);
  });
});

describe("async functions: Promise<T> as a type", () => {
  afterEach(() => { abortAll(); clearLog(); });

  it("a JoinSet<Promise<i32>> of async functions gives their results in completion order", () => {
    spawn(collector());
    step();
    for (let k = 0; k < 4; k++) { advance(10_000); step(); }
    expect(logLen()).toBe(4);
    expect(logAt(0)).toBe(200);
    expect(logAt(1)).toBe(300);
    expect(logAt(2)).toBe(100);
    expect(logAt(3)).toBe(1);
  });
});

describe("async functions: restart", () => {
  afterEach(() => { abortAll(); clearLog(); });

  it("a let counter declared before the first await starts from its value again when the machine restarts", () => {
    const m = twoOpens();
    for (let run = 0; run < 2; run++) {
      spawn(m);
      step();
      g0.open(); step();
      expect(logLen()).toBe(run);
      g0.open(); step();
      expect(logLen()).toBe(run + 1);
      expect(logAt(run)).toBe(2);
    }
  });
});

describe("async functions: cancel at every await point", () => {
  afterEach(() => { abortAll(); clearLog(); });

  it("aborting at each of the four awaits gives back the timer, the wait-list place and the wake slot", () => {
    const timers0 = timersArmed();
    for (let point = 0; point < 4; point++) {
      const m = holdsThings();
      const id = spawn(m);
      step(); // at await nap
      if (point >= 1) { advance(10_000); step(); }       // at await rx
      if (point >= 2) { chan.trySend(5); step(); }        // at await g0
      if (point >= 3) { g0.open(); step(); }              // at the second await nap
      expect(timersArmed() > timers0 || point == 1 || point == 2).toBe(true);
      if (point == 1) expect(chan.recvQ.length).toBe(1);
      abort(id);
      step();
      expect(timersArmed()).toBe(timers0);
      expect(chan.recvQ.length).toBe(0);
      // The borrowed gate's slot is cleared only when the task was waiting on it.
      expect(g0.cancels > 0 || point != 2).toBe(true);
      g0.cancels = 0;
      // The machine restarts from the top: spawning it again waits at the first await.
      spawn(m);
      step();
      expect(timersArmed()).toBe(timers0 + 1);
      abortAll();
    }
  });

  it("a borrowed future is not cancelled when the task waits elsewhere", () => {
    const m = holdsThings();
    const id = spawn(m);
    step(); // waiting on nap, not on g0
    g0.cancels = 0;
    abort(id);
    step();
    expect(g0.cancels).toBe(0);
  });
});

async function busy(): Promise<void> {
  const nap = new Sleep(millis(1));
  let total: i64 = 0;
  while (true) {
    await nap;
    total += 1;
    const v = await double(<i32>total);
    record(v);
  }
}

describe("async functions: no allocation after start-up", () => {
  afterEach(() => { abortAll(); clearLog(); });

  it("1000 rounds of sleep and an inner machine leave the heap top where it was", () => {
    spawn(busy());
    step();
    advance(1000); step();
    g0.open(); step();
    const top = heapTop();
    for (let i = 0; i < 1000; i++) {
      advance(1000); step();
      g0.open(); step();
      clearLog();
    }
    expect(heapTop()).toBe(top);
  });
});
