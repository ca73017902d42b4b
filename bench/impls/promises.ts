// The workloads as a Node user would write them: async functions, Promises,
// and small Signal / bounded-channel / virtual-clock helpers built on them.
// The event loop's microtask queue is the scheduler. Same semantics and
// checksums as bench/as/bench.ts.
// Usage: node build/js/bench/impls/promises.js <workload> <n> <t> <reps> <seed>

import { parseArgs, emit, fail, xorshift, opsOf, type Args } from "./proto.js";

/** A flag with one waiter; a signal nobody waits for is kept for the next wait. */
class Signal {
  private set = false;
  private waiter: (() => void) | null = null;
  signal(): void {
    const w = this.waiter;
    if (w) { this.waiter = null; w(); } else this.set = true;
  }
  wait(): Promise<void> | void {
    if (this.set) { this.set = false; return; }
    return new Promise<void>((r) => { this.waiter = r; });
  }
}

async function pingpong(n: number): Promise<bigint> {
  const toPing = new Signal(), toPong = new Signal();
  let rounds = 0;
  const ping = async () => { for (let i = 0; i < n; i++) { toPong.signal(); await toPing.wait(); rounds++; } };
  const pong = async () => { for (let i = 0; i < n; i++) { await toPong.wait(); toPing.signal(); rounds++; } };
  await Promise.all([ping(), pong()]);
  return BigInt(rounds);
}

async function fanout(n: number, t: number, seed: number): Promise<bigint> {
  const lines = Array.from({ length: t }, () => new Signal());
  const counts = new Array<number>(t).fill(0);
  let stop = false;
  const waiter = async (i: number) => { while (true) { await lines[i].wait(); if (stop) return; counts[i]++; } };
  const tasks = lines.map((_, i) => waiter(i));
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = xorshift(x);
    lines[x % t].signal(); // the "interrupt"
    await null; // one microtask turn: the woken waiter runs before the next interrupt
  }
  stop = true;
  for (const l of lines) l.signal();
  await Promise.all(tasks);
  let sum = 0n;
  for (let i = 0; i < t; i++) sum += BigInt(counts[i] * (i + 1));
  return sum;
}

/** Virtual time: a binary min-heap of sleepers ordered by (deadline, arming order). */
class VirtualClock {
  now = 0;
  private dl: number[] = [];
  private seq: number[] = [];
  private res: (() => void)[] = [];
  private nextSeq = 0;
  get armed(): number { return this.dl.length; }
  sleep(d: number): Promise<void> {
    return new Promise<void>((r) => this.push(this.now + d, r));
  }
  private less(i: number, j: number): boolean {
    return this.dl[i] < this.dl[j] || (this.dl[i] === this.dl[j] && this.seq[i] < this.seq[j]);
  }
  private swap(i: number, j: number): void {
    [this.dl[i], this.dl[j]] = [this.dl[j], this.dl[i]];
    [this.seq[i], this.seq[j]] = [this.seq[j], this.seq[i]];
    [this.res[i], this.res[j]] = [this.res[j], this.res[i]];
  }
  private push(at: number, r: () => void): void {
    let i = this.dl.length;
    this.dl.push(at); this.seq.push(this.nextSeq++); this.res.push(r);
    while (i > 0) { const p = (i - 1) >> 1; if (!this.less(i, p)) break; this.swap(i, p); i = p; }
  }
  /** Jump to the earliest deadline and resolve every sleeper due then. */
  fireNext(): void {
    this.now = this.dl[0];
    while (this.dl.length && this.dl[0] <= this.now) {
      const r = this.res[0];
      const last = this.dl.length - 1;
      this.swap(0, last);
      this.dl.pop(); this.seq.pop(); this.res.pop();
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, rr = l + 1;
        let m = i;
        if (l < this.dl.length && this.less(l, m)) m = l;
        if (rr < this.dl.length && this.less(rr, m)) m = rr;
        if (m === i) break;
        this.swap(i, m); i = m;
      }
      r();
    }
  }
}

async function timers(n: number, t: number, seed: number): Promise<bigint> {
  const clock = new VirtualClock();
  const k = Math.floor(n / t);
  const ends = new Array<number>(t).fill(0);
  const sleeper = async (i: number) => {
    let x = ((seed + Math.imul(i, 0x9e3779b9)) | 1) >>> 0;
    for (let j = 0; j < k; j++) { x = xorshift(x); await clock.sleep(1 + (x % 1000)); }
    ends[i] = clock.now;
  };
  const tasks = Array.from({ length: t }, (_, i) => sleeper(i));
  while (clock.armed > 0) {
    clock.fireNext();
    await null; // the woken sleepers run (and sleep again) before time moves on
  }
  await Promise.all(tasks);
  return ends.reduce((a, b) => a + BigInt(b), 0n);
}

/** A bounded channel as a Node user writes one: a ring and at most one waiting sender / receiver. */
class Channel {
  private buf: number[];
  private head = 0;
  private len = 0;
  private sendWaiter: (() => void) | null = null;
  private recvWaiter: (() => void) | null = null;
  constructor(private cap: number) { this.buf = new Array<number>(cap).fill(0); }
  async send(v: number): Promise<void> {
    while (this.len === this.cap) await new Promise<void>((r) => { this.sendWaiter = r; });
    this.buf[(this.head + this.len) % this.cap] = v;
    this.len++;
    const w = this.recvWaiter; if (w) { this.recvWaiter = null; w(); }
  }
  async recv(): Promise<number> {
    while (this.len === 0) await new Promise<void>((r) => { this.recvWaiter = r; });
    const v = this.buf[this.head];
    this.head = (this.head + 1) % this.cap; this.len--;
    const w = this.sendWaiter; if (w) { this.sendWaiter = null; w(); }
    return v;
  }
}

async function channel(n: number): Promise<bigint> {
  const ch = new Channel(16);
  let sum = 0;
  const producer = async () => { for (let i = 1; i <= n; i++) await ch.send(i); };
  const consumer = async () => { for (let i = 1; i <= n; i++) { const v = await ch.recv(); sum += v === i ? v : -(2 ** 40); } };
  await Promise.all([producer(), consumer()]);
  return BigInt(sum);
}

function run(a: Args): Promise<bigint> {
  switch (a.workload) {
    case "pingpong": return pingpong(a.n);
    case "fanout": return fanout(a.n, a.t, a.seed);
    case "timers": return timers(a.n, a.t, a.seed);
    case "channel": return channel(a.n);
  }
}

const args = parseArgs(process.argv.slice(2));
try {
  await run(args);
  for (let r = 0; r < args.reps; r++) {
    const t0 = process.hrtime.bigint();
    const c = await run(args);
    emit(process.hrtime.bigint() - t0, opsOf(args), c);
  }
} catch (e) {
  fail(`${args.workload}: ${(e as Error).message}`);
}
