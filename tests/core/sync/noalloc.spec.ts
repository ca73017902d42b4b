// Steady-state use of every sync primitive must not allocate: everything is
// built first, then heapTop() (the stub runtime's bump pointer) is read
// before and after many rounds of use and must not have moved.

import { Waker, Future, OK, spawn, Ticker, micros, liveTasks, WaitIrq, IRQ_SOFT } from "../../../assembly/coop";
import { step } from "../../../assembly/coop/executor";
import {
  Channel, Send, Recv, Signal, SignalWait, Notify, Notified, Oneshot, OneshotRecv, Mutex, Lock,
  Semaphore, Acquire, Watch, WatchReceiver, PubSub, Subscriber, Pipe, PipeWrite, PipeRead,
  RecvStream, MapStream, FilterStream, TakeStream, Fold, ForEach, SendSink, Forward, TickerStream,
} from "../../../assembly/sync";
import { heapTop, advance, raise } from "../fake";
import { Msg } from "./util";

const A: Waker = 1, B: Waker = 2;

function inc(x: i32): i32 { return x + 1; }
function odd(x: i32): bool { return (x & 1) != 0; }
function add(a: i32, x: i32): i32 { return a + x; }
let sink: i32 = 0;
function eat(x: i32): void { sink += x; }

// Ping-pong between two tasks through two Signals (the benchmark's shape).
class Pinger extends Future {
  n: i32 = 0;
  wait: SignalWait<i32>;
  constructor(public out: Signal<i32>, inp: Signal<i32>, public rounds: i32, public first: bool) {
    super();
    this.wait = new SignalWait<i32>(inp);
  }
  poll(w: Waker): bool {
    if (this.first && this.n == 0) { this.out.signal(0); this.n = 1; }
    while (this.wait.poll(w)) {
      if (this.wait.value >= this.rounds) { this.out.signal(this.wait.value + 1); return true; }
      this.out.signal(this.wait.value + 1);
      this.n++;
    }
    return false;
  }
}

// Producer and consumer through a bounded Channel of capacity 16 (the other benchmark).
class Producer extends Future {
  i: i32 = 0;
  send: Send<i32>;
  constructor(ch: Channel<i32>, public count: i32) { super(); this.send = new Send<i32>(ch); }
  poll(w: Waker): bool {
    while (this.i < this.count) {
      this.send.value = this.i;
      if (!this.send.poll(w)) return false;
      this.i++;
    }
    this.send.channel.close();
    return true;
  }
}
class Consumer extends Future {
  sum: i64 = 0;
  recv: Recv<i32>;
  constructor(ch: Channel<i32>) { super(); this.recv = new Recv<i32>(ch); }
  poll(w: Waker): bool {
    while (this.recv.poll(w)) {
      if (this.recv.error != OK) return true;
      this.sum += this.recv.value;
    }
    return false;
  }
}

describe("no allocation after init", () => {
  it("channel, signal, notify, oneshot, mutex, semaphore, watch, pubsub, pipe", () => {
    const ch = new Channel<Msg>(4);
    const chf = new Channel<f64>(4);
    const m1 = new Msg(1);
    const snd = new Send<Msg>(ch), rcv = new Recv<Msg>(ch), rcv2 = new Recv<Msg>(ch);
    const sig = new Signal<i32>(); const sw = new SignalWait<i32>(sig);
    const nt = new Notify(); const na = new Notified(nt), nb = new Notified(nt);
    const os = new Oneshot<u8>(); const osr = new OneshotRecv<u8>(os);
    const mx = new Mutex<i32>(0); const la = new Lock<i32>(mx), lb = new Lock<i32>(mx);
    const sem = new Semaphore(2); const aa = new Acquire(sem, 2), ab = new Acquire(sem, 1);
    const wt = new Watch<i32>(0); const wr = new WatchReceiver<i32>(wt);
    const ps = new PubSub<i32>(4, 2); const sa = ps.subscribe()!, sb = ps.subscribe()!;
    const pp = new Pipe(8); const pw = new PipeWrite(pp), pr = new PipeRead(pp);
    const wbuf = new StaticArray<u8>(5), rbuf = new StaticArray<u8>(3);
    pw.setBytes(wbuf, 5); pr.setBuffer(rbuf);

    const h0 = heapTop();
    for (let i = 0; i < 200; i++) {
      // channel: direct, waiting, granted-then-cancelled, close-free
      rcv.poll(A); rcv2.poll(B);
      ch.trySend(m1);
      rcv.cancel();               // passes the value to rcv2
      rcv2.poll(B);
      snd.value = m1;
      for (let k = 0; k < 5; k++) snd.poll(A);
      snd.cancel();
      while (ch.tryRecv()) {}
      chf.trySend(<f64>i); chf.tryRecv();
      // signal
      sw.poll(A); sig.signal(i); sw.poll(A);
      // notify
      na.poll(A); nb.poll(B); nt.notifyOne(); na.cancel(); nb.poll(B); nt.notifyAll(); nt.notifyOne(); na.poll(A);
      // oneshot
      osr.poll(A); os.send(<u8>i); osr.poll(A);
      // mutex
      la.poll(A); lb.poll(B); la.unlock(); lb.poll(B); lb.cancel();
      // semaphore
      aa.poll(A); ab.poll(B); sem.release(2); ab.poll(B); sem.release(1);
      // watch
      wr.poll(A); wt.send(i); wr.poll(A);
      // pubsub
      for (let k = 0; k < 6; k++) ps.publish(k);
      sa.poll(A); sb.poll(B); sa.cancel(); sb.cancel();
      // pipe
      pw.poll(A); pw.poll(A); pr.poll(B); pr.poll(B); pr.poll(B); pw.cancel(); pr.cancel();
    }
    const h1 = heapTop();
    expect(h1).toBe(h0);
    expect(sig.value).toBe(199);
  });

  it("streams, sinks and drivers", () => {
    const ch = new Channel<i32>(64);
    const out = new Channel<i32>(64);
    const fold = new Fold<i32, i32>(new TakeStream<i32>(new FilterStream<i32>(new MapStream<i32, i32>(new RecvStream<i32>(ch), inc), odd), 10), 0, add);
    const fe = new ForEach<i32>(new TakeStream<i32>(new RecvStream<i32>(ch), 5), eat);
    const fw = new Forward<i32>(new TakeStream<i32>(new RecvStream<i32>(ch), 5), new SendSink<i32>(out));
    const h0 = heapTop();
    for (let i = 0; i < 100; i++) {
      for (let k = 0; k < 30; k++) ch.trySend(k);
      fold.poll(A); fe.poll(A); fw.poll(A);
      while (ch.tryRecv()) {}
      while (out.tryRecv()) {}
    }
    const h1 = heapTop();
    expect(h1).toBe(h0);
    expect(fold.result).toBe(100); // 1+3+...+19
  });

  it("two tasks ping-ponging through Signals, and producer/consumer through Channel(16), under the executor", () => {
    const s1 = new Signal<i32>(), s2 = new Signal<i32>();
    const p1 = new Pinger(s2, s1, 1000, false), p2 = new Pinger(s1, s2, 1000, true);
    const ch = new Channel<i32>(16);
    const prod = new Producer(ch, 5000), cons = new Consumer(ch);
    const ticks = new ForEach<u64>(new TakeStream<u64>(new TickerStream(new Ticker(micros(100))), 50), noop);
    spawn(p1, "ping"); spawn(p2, "pong"); spawn(prod, "prod"); spawn(cons, "cons"); spawn(new Driver(ticks), "ticks");
    step(); // first polls may register timers etc.
    const h0 = heapTop();
    for (let i = 0; i < 10_000 && liveTasks() > 0; i++) { step(); advance(micros(100)); }
    const h1 = heapTop();
    expect(h1).toBe(h0);
    expect(liveTasks()).toBe(0);
    expect(cons.sum).toBe(<i64>5000 * 4999 / 2);
    expect(p1.n + p2.n).toBeGreaterThan(999);
  });
});

function noop(_t: u64): void {}

// An interrupt-driven driver: woken by an IRQ line, it pushes a reading into a
// channel with trySend (dropping when full) and sets a Signal.
class IrqDriver extends Future {
  irq: WaitIrq = new WaitIrq(IRQ_SOFT);
  n: i32 = 0;
  dropped: i32 = 0;
  constructor(public ch: Channel<i32>, public latest: Signal<i32>) { super(); }
  poll(w: Waker): bool {
    while (this.irq.poll(w)) {
      this.n++;
      if (this.ch.trySend(this.n) != OK) this.dropped++;
      this.latest.signal(this.n);
    }
    return false;
  }
}

class Drain extends Future {
  got: i32 = 0;
  recv: Recv<i32>;
  constructor(ch: Channel<i32>) { super(); this.recv = new Recv<i32>(ch); }
  poll(w: Waker): bool {
    while (this.recv.poll(w)) {
      if (this.recv.error != OK) return true;
      this.got++;
    }
    return false;
  }
}

describe("no allocation on the interrupt side", () => {
  it("an IRQ-woken driver feeding a channel and a signal", () => {
    const ch = new Channel<i32>(2);
    const latest = new Signal<i32>();
    const drv = new IrqDriver(ch, latest);
    const drain = new Drain(ch);
    spawn(drv, "irq-driver");
    spawn(drain, "drain");
    step();
    const h0 = heapTop();
    for (let i = 0; i < 500; i++) {
      raise(IRQ_SOFT);
      if (i % 3 == 0) step(); // raises between steps coalesce, like a hardware pending bit
      if (i % 7 == 0) { raise(IRQ_SOFT); step(); raise(IRQ_SOFT); step(); step(); }
    }
    step();
    const h1 = heapTop();
    expect(h1).toBe(h0);
    expect(drv.n).toBeGreaterThan(100);
    expect(drain.got + drv.dropped).toBe(drv.n);
    expect(latest.value).toBe(drv.n);
    ch.close();
    step();
  });
});

class Driver extends Future {
  constructor(public f: Future) { super(); }
  poll(w: Waker): bool { return this.f.poll(w); }
}
