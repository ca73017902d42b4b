// The four bench workloads on coop itself (docs: bench/README.md). Each
// exported function runs one whole workload inside wasm: it spawns the tasks,
// plays the world (interrupts, virtual time) through the bench board's
// `benchctl` imports, calls `step` until the tasks are done, and returns a
// checksum that every other implementation must reproduce. Futures are built
// once at start-up and reused, so a run allocates nothing (`heap_top` lets the
// runner check that).

import {
  Future, Waker, WakerSlot, spawn, abort, liveTasks, WaitIrq, Sleep, now, TaskId,
} from "../../assembly/coop";
import { step } from "../../assembly/coop/executor";
import { Signal, SignalWait, Channel, Send, Recv } from "../../assembly/sync";
import "../../assembly/coop/panic";

@external("benchctl", "raise") declare function raise(line: i32): void;
@external("benchctl", "set_now") declare function setNow(t: i64): void;
@external("benchctl", "reset") declare function resetBoard(): void;

/** Most tasks a fan-out or timers run may use (lines 1..MAX_T; line 0 is the alarm). */
const MAX_T: i32 = 16;

// @ts-ignore: decorator
@inline function xorshift(x: u32): u32 {
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return x;
}

/** Run `step` until no task is live. Returns false on a stall (nothing ready, no timer). */
function runToEnd(): bool {
  while (liveTasks() > 0) {
    const d = step();
    if (liveTasks() == 0) break;
    if (d < 0) return false;
    if (d > now()) setNow(d); // idle until the next deadline: jump virtual time there
  }
  return true;
}

// ---- 1. ping-pong: two tasks alternate through two signals ----------------

const toPing = new Signal<u32>();
const toPong = new Signal<u32>();

class Ping extends Future {
  n: i32 = 0;
  i: i32 = 0;
  sent: bool = false;
  wait: SignalWait<u32> = new SignalWait<u32>(toPing);
  poll(w: Waker): bool {
    while (this.i < this.n) {
      if (!this.sent) { toPong.signal(1); this.sent = true; }
      if (!this.wait.poll(w)) return false;
      this.sent = false;
      this.i++;
    }
    this.i = 0;
    return true;
  }
}

class Pong extends Future {
  n: i32 = 0;
  i: i32 = 0;
  wait: SignalWait<u32> = new SignalWait<u32>(toPong);
  poll(w: Waker): bool {
    while (this.i < this.n) {
      if (!this.wait.poll(w)) return false;
      toPing.signal(1);
      this.i++;
    }
    this.i = 0;
    return true;
  }
}

const ping = new Ping();
const pong = new Pong();

/** The ping-pong written as hand-written Future classes above: the reference for the async form. */
export function pingpong_hand(n: i32): i64 {
  resetBoard();
  ping.n = n; pong.n = n;
  spawn(ping, "ping");
  spawn(pong, "pong");
  if (!runToEnd()) return -1;
  return <i64>n * 2;
}

// The same two tasks as async functions: what firmware writes and what the
// bench measures as coop (the lowering must cost what the classes cost).
/** Round trips each side completed in the last async run: the checksum, so a run that did nothing shows. */
let pingTrips: i64 = 0;
let pongTrips: i64 = 0;

async function pinger(n: i32): Promise<void> {
  const wait = new SignalWait<u32>(toPing);
  let i: i32 = 0;
  while (i < n) {
    toPong.signal(1);
    await wait;
    i++;
    pingTrips++;
  }
}

async function ponger(n: i32): Promise<void> {
  const wait = new SignalWait<u32>(toPong);
  let i: i32 = 0;
  while (i < n) {
    await wait;
    toPing.signal(1);
    i++;
    pongTrips++;
  }
}

const asyncPing = pinger(0);
const asyncPong = ponger(0);

/** n round trips; returns the round trips both sides counted (2n), or -1 on a stall. */
export function pingpong(n: i32): i64 {
  resetBoard();
  asyncPing.n = n; asyncPong.n = n;
  pingTrips = 0; pongTrips = 0;
  spawn(asyncPing);
  spawn(asyncPong);
  if (!runToEnd()) return -1;
  return pingTrips + pongTrips;
}

// ---- 2. IRQ fan-out: T tasks, each on its own line; N interrupts -----------

const counts = new StaticArray<i32>(MAX_T);

class IrqWaiter extends Future {
  t: i32 = 0;
  irq: WaitIrq;
  constructor(t: i32) { super(); this.t = t; this.irq = new WaitIrq(t + 1); }
  poll(w: Waker): bool {
    while (this.irq.poll(w)) unchecked(counts[this.t]++);
    return false; // runs until aborted
  }
  cancel(): void { this.irq.cancel(); }
}

const irqWaiters = new StaticArray<IrqWaiter>(MAX_T);
const irqIds = new StaticArray<TaskId>(MAX_T);
for (let t = 0; t < MAX_T; t++) unchecked(irqWaiters[t] = new IrqWaiter(t));

/**
 * n interrupts on lines 1..t in the order of a xorshift32 stream from `seed`;
 * each is delivered (one step) before the next is raised. Returns
 * sum(count[t] * (t + 1)), or -1 if an argument is out of range.
 */
export function fanout(n: i32, t: i32, seed: u32): i64 {
  if (t < 1 || t > MAX_T || seed == 0) return -1;
  resetBoard();
  for (let i = 0; i < t; i++) { unchecked(counts[i] = 0); unchecked(irqIds[i] = spawn(unchecked(irqWaiters[i]), "irq")); }
  step(); // every waiter registers
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = xorshift(x);
    raise(<i32>(x % <u32>t) + 1);
    step();
  }
  for (let i = 0; i < t; i++) abort(unchecked(irqIds[i]));
  let sum: i64 = 0;
  for (let i = 0; i < t; i++) sum += <i64>unchecked(counts[i]) * (i + 1);
  return sum;
}

// ---- 3. timers: T tasks sleep seeded random durations; N expiries ----------

class Sleeper extends Future {
  k: i32 = 0;
  i: i32 = 0;
  x: u32 = 1;
  drawn: bool = false;
  end: i64 = 0;
  sleep: Sleep = new Sleep(0);
  poll(w: Waker): bool {
    while (this.i < this.k) {
      if (!this.drawn) {
        this.x = xorshift(this.x);
        this.sleep.duration = 1 + <i64>(this.x % 1000);
        this.drawn = true;
      }
      if (!this.sleep.poll(w)) return false;
      this.drawn = false;
      this.i++;
    }
    this.i = 0;
    this.end = now();
    return true;
  }
}

const sleepers = new StaticArray<Sleeper>(MAX_T);
for (let t = 0; t < MAX_T; t++) unchecked(sleepers[t] = new Sleeper());

/**
 * t tasks; task i draws k = n / t durations 1..1000 ticks from its own
 * xorshift32 stream (seeded seed + i * 0x9E3779B9, low bit set) and sleeps
 * each one in turn; virtual time jumps to the next deadline whenever all are
 * asleep. Returns the sum of the tasks' finishing times, or -1.
 */
export function timers(n: i32, t: i32, seed: u32): i64 {
  if (t < 1 || t > MAX_T || n < t) return -1;
  resetBoard();
  const k = n / t;
  for (let i = 0; i < t; i++) {
    const s = unchecked(sleepers[i]);
    s.k = k; s.i = 0; s.drawn = false;
    s.x = (seed + <u32>i * 0x9E3779B9) | 1;
    spawn(s, "sleeper");
  }
  if (!runToEnd()) return -1;
  let sum: i64 = 0;
  for (let i = 0; i < t; i++) sum += unchecked(sleepers[i]).end;
  return sum;
}

// ---- 4. channel: producer to consumer through a bounded channel of 16 ------

const chan = new Channel<u32>(16);

class Producer extends Future {
  n: i32 = 0;
  i: i32 = 0;
  send: Send<u32> = new Send<u32>(chan);
  poll(w: Waker): bool {
    while (this.i < this.n) {
      this.send.value = <u32>this.i + 1;
      if (!this.send.poll(w)) return false;
      this.i++;
    }
    this.i = 0;
    return true;
  }
}

class Consumer extends Future {
  n: i32 = 0;
  i: i32 = 0;
  sum: i64 = 0;
  recv: Recv<u32> = new Recv<u32>(chan);
  poll(w: Waker): bool {
    while (this.i < this.n) {
      if (!this.recv.poll(w)) return false;
      const v = this.recv.value;
      // Out of order or lost messages spoil the checksum.
      this.sum += v == <u32>this.i + 1 ? <i64>v : -(1 << 40);
      this.i++;
    }
    this.i = 0;
    return true;
  }
}

const producer = new Producer();
const consumer = new Consumer();

/** n messages 1..n; returns their sum as the consumer saw them (n(n+1)/2 when in order), or -1. */
export function channel(n: i32): i64 {
  resetBoard();
  producer.n = n; consumer.n = n; consumer.sum = 0;
  spawn(producer, "producer");
  spawn(consumer, "consumer");
  if (!runToEnd()) return -1;
  return consumer.sum;
}

// The same transfer written for throughput with the batch calls
// (Channel.trySendMany / tryRecvMany, docs/sync.md): up to 16 values per call,
// and a Send / Recv awaited only when the batch call moved nothing, so waiting
// stays first-come first-served. Not a bench workload (the peers have no
// batch form); bench/README.md says how it is counted.
const BATCH = 16;

class BatchProducer extends Future {
  n: i32 = 0;
  i: i32 = 0;
  /** The values i + 1 .. i + left wait in stage[at ..]. */
  at: i32 = 0;
  left: i32 = 0;
  waiting: bool = false;
  stage: StaticArray<u32> = new StaticArray<u32>(BATCH);
  send: Send<u32> = new Send<u32>(chan);
  poll(w: Waker): bool {
    while (this.i < this.n) {
      let m = 0;
      if (this.waiting) {
        // Full: the next value waits in line as an ordinary Send.
        if (!this.send.poll(w)) return false;
        this.waiting = false;
        m = 1;
      } else {
        if (this.left == 0) {
          const k = min(BATCH, this.n - this.i);
          // Plain stores: unchecked(st[j] = v) is a call under the size optimiser (one merged element setter).
          const st = changetype<usize>(this.stage), base = <u32>this.i + 1;
          for (let j = 0; j < k; j++) store<u32>(st + (<usize>j << 2), base + <u32>j);
          this.at = 0; this.left = k;
        }
        m = chan.trySendMany(this.stage, this.at, this.left);
        if (m == 0) { this.send.value = unchecked(this.stage[this.at]); this.waiting = true; continue; }
      }
      this.i += m; this.at += m; this.left -= m;
    }
    this.i = 0;
    return true;
  }
}

class BatchConsumer extends Future {
  n: i32 = 0;
  i: i32 = 0;
  sum: i64 = 0;
  waiting: bool = false;
  stage: StaticArray<u32> = new StaticArray<u32>(BATCH);
  recv: Recv<u32> = new Recv<u32>(chan);
  poll(w: Waker): bool {
    while (this.i < this.n) {
      const st = this.stage;
      let m = 0;
      if (!this.waiting) m = chan.tryRecvMany(st, 0, min(BATCH, this.n - this.i));
      if (m == 0) {
        // Empty: wait in line as an ordinary Recv (polled first once woken: it holds the grant).
        this.waiting = true;
        if (!this.recv.poll(w)) return false;
        this.waiting = false;
        store<u32>(changetype<usize>(st), this.recv.value);
        m = 1;
      }
      let i = this.i, sum = this.sum;
      for (let j = 0; j < m; j++) {
        const v = load<u32>(changetype<usize>(st) + (<usize>j << 2));
        sum += v == <u32>i + 1 ? <i64>v : -(1 << 40);
        i++;
      }
      this.i = i; this.sum = sum;
    }
    this.i = 0;
    return true;
  }
}

const batchProducer = new BatchProducer();
const batchConsumer = new BatchConsumer();

/** channel(n) with the batch calls: the same messages, checksum and tasks. */
export function channel_batch(n: i32): i64 {
  resetBoard();
  batchProducer.n = n; batchConsumer.n = n; batchConsumer.sum = 0;
  spawn(batchProducer, "producer");
  spawn(batchConsumer, "consumer");
  if (!runToEnd()) return -1;
  return batchConsumer.sum;
}

// ---- for the runner -------------------------------------------------------

/** The heap's bump pointer: equal before and after a run means the run allocated nothing. */
export function heap_top(): usize {
  const p = heap.alloc(0);
  heap.free(p);
  return p;
}

// ---- for the breakdown (bench/breakdown.ts): where a ping-pong round trip goes ----

/** n calls of `step` with no task live: the fixed cost of one batch that finds nothing (IRQ take, clock read, ready scan, idle). */
export function step_empty(n: i32): i64 {
  resetBoard();
  let idle: i64 = 0;
  for (let i = 0; i < n; i++) if (step() == -1) idle++;
  return idle == <i64>n ? idle : -1; // every step must find nothing to do
}

/** n ping-pong round trips with the two futures polled by hand, no executor: the futures' and signals' own cost. */
export function pingpong_no_executor(n: i32): i64 {
  resetBoard();
  ping.n = n; pong.n = n;
  let rounds: i64 = 0;
  let a = false, b = false;
  while (!(a && b)) {
    // A completed future restarts when polled again, so each is polled only until it completes.
    if (!a) a = ping.poll(0);
    if (!b) b = pong.poll(1);
    if (++rounds > <i64>n + 2) return -1; // stalled
  }
  step(); // drop the ready bits the wakes left (slots 0 and 1 are free, so nothing runs)
  return <i64>n * 2;
}

/** A one-waiter signal on the core's WakerSlot: the least a signal can do, to price assembly/sync's FIFO wait queue. */
class SlotSignal {
  set: bool = false;
  slot: WakerSlot = new WakerSlot();
  signal(): void { this.set = true; this.slot.wake(); }
  /** True (consuming the signal) if set; otherwise registers w. */
  take(w: Waker): bool {
    if (this.set) { this.set = false; return true; }
    this.slot.register(w);
    return false;
  }
}

const slotToPing = new SlotSignal();
const slotToPong = new SlotSignal();

class SlotPing extends Future {
  n: i32 = 0;
  i: i32 = 0;
  sent: bool = false;
  poll(w: Waker): bool {
    while (this.i < this.n) {
      if (!this.sent) { slotToPong.signal(); this.sent = true; }
      if (!slotToPing.take(w)) return false;
      this.sent = false;
      this.i++;
    }
    this.i = 0;
    return true;
  }
}

class SlotPong extends Future {
  n: i32 = 0;
  i: i32 = 0;
  poll(w: Waker): bool {
    while (this.i < this.n) {
      if (!slotToPong.take(w)) return false;
      slotToPing.signal();
      this.i++;
    }
    this.i = 0;
    return true;
  }
}

const slotPing = new SlotPing();
const slotPong = new SlotPong();

/** pingpong with SlotSignal instead of assembly/sync's Signal: same executor, cheapest signal. */
export function pingpong_slot(n: i32): i64 {
  resetBoard();
  slotPing.n = n; slotPong.n = n;
  spawn(slotPing, "ping");
  spawn(slotPong, "pong");
  if (!runToEnd()) return -1;
  return <i64>n * 2;
}

/** n calls of the board's `now` import: the price of one board call. */
export function board_calls(n: i32): i64 {
  resetBoard();
  let s: i64 = 0;
  for (let i = 0; i < n; i++) s += now();
  return s == 0 ? <i64>n : -1; // virtual time stays 0
}

/** n channel messages with producer and consumer polled by hand, no executor: the channel futures' own cost. */
export function channel_no_executor(n: i32): i64 {
  resetBoard();
  producer.n = n; consumer.n = n; consumer.sum = 0;
  let a = false, b = false, rounds: i64 = 0;
  while (!(a && b)) {
    if (!a) a = producer.poll(0);
    if (!b) b = consumer.poll(1);
    if (++rounds > <i64>n + 2) return -1; // stalled
  }
  step(); // drop the ready bits the wakes left
  return consumer.sum;
}
