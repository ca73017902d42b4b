import { Waker, Future, OK, spawn, Ticker, millis, now } from "../../../assembly/coop";
import { step } from "../../../assembly/coop/executor";
import {
  Channel, RecvStream, TickerStream, MapStream, FilterStream, TakeStream, ForEach, Fold, SendSink, Forward, Next, E_CLOSED,
} from "../../../assembly/sync";
import { ITEM, DONE, PENDING, SENT, DRIVER_BATCH } from "../../../assembly/sync/stream";
import { advance } from "../fake";
import { woke, clearWakes, Msg } from "./util";

const A: Waker = 1;

function triple(x: i32): i32 { return x * 3; }
function isEven(x: i32): bool { return (x & 1) == 0; }
function sum(acc: i64, x: i32): i64 { return acc + <i64>x; }
function countTicks(acc: i32, _t: u64): i32 { return acc + 1; }
function msgId(m: Msg): i32 { return m.id; }

let seenTotal: i32 = 0;
let seenCount: i32 = 0;
function see(x: i32): void { seenTotal += x; seenCount++; }

describe("Stream adapters", () => {
  it("map, filter, take and fold compose over a channel receiver", () => {
    const ch = new Channel<i32>(16);
    for (let i = 1; i <= 10; i++) ch.trySend(i);
    // first 3 of the even values of 3*x: 6, 12, 18
    const s = new TakeStream<i32>(new FilterStream<i32>(new MapStream<i32, i32>(new RecvStream<i32>(ch), triple), isEven), 3);
    const f = new Fold<i32, i64>(s, 100, sum);
    expect(f.poll(A)).toBe(true);
    expect(f.result).toBe(136);
    expect(ch.length).toBe(4); // take stopped consuming after 6 values (1..6)
    // Reused: the next run takes the next 3 even ones: 24, 30 and... only 7..10 are left: 24, 30, then pending
    expect(f.poll(A)).toBe(false);
    ch.trySend(12); // 36
    expect(f.poll(A)).toBe(true);
    expect(f.result).toBe(100 + 24 + 30 + 36);
  });

  it("pollNext reports PENDING then ITEM then DONE after close", () => {
    clearWakes();
    const ch = new Channel<Msg>(2);
    const s = new MapStream<Msg, i32>(new RecvStream<Msg>(ch), msgId);
    expect(s.pollNext(A)).toBe(PENDING);
    ch.trySend(new Msg(4));
    expect(woke(A)).toBe(true);
    expect(s.pollNext(A)).toBe(ITEM);
    expect(s.item).toBe(4);
    ch.close();
    expect(s.pollNext(A)).toBe(DONE);
  });

  it("for-each handles at most DRIVER_BATCH items per poll, then yields", () => {
    clearWakes();
    seenTotal = 0; seenCount = 0;
    const ch = new Channel<i32>(100);
    for (let i = 0; i < 100; i++) ch.trySend(1);
    ch.close();
    const fe = new ForEach<i32>(new RecvStream<i32>(ch), see);
    expect(fe.poll(A)).toBe(false);
    expect(seenCount).toBe(DRIVER_BATCH);
    expect(woke(A)).toBe(true); // it yielded, asking to run again
    let polls = 1;
    while (true) { polls++; if (fe.poll(A)) break; }
    expect(seenTotal).toBe(100);
    expect(fe.count).toBe(100);
    expect(polls).toBe(4);
  });

  it("a ticker is a stream: three ticks take three periods of virtual time", () => {
    const t = new TickTask();
    spawn(t, "tick");
    const t0 = now();
    step();
    for (let i = 0; i < 3; i++) { advance(millis(2)); step(); }
    expect(t.fold.result).toBe(3);
    expect(t.done).toBe(true);
    expect(now() - t0).toBe(millis(6));
  });

  it("Next turns one item into a future", () => {
    const ch = new Channel<i32>(2);
    const n = new Next<i32>(new RecvStream<i32>(ch));
    expect(n.poll(A)).toBe(false);
    ch.trySend(8);
    expect(n.poll(A)).toBe(true);
    expect(n.result).toBe(ITEM);
    expect(n.item).toBe(8);
  });
});

class TickTask extends Future {
  fold: Fold<u64, i32> = new Fold<u64, i32>(new TakeStream<u64>(new TickerStream(new Ticker(millis(2))), 3), 0, countTicks);
  done: bool = false;
  poll(w: Waker): bool {
    if (!this.fold.poll(w)) return false;
    this.done = true;
    return true;
  }
}

describe("Sink", () => {
  it("the channel sender is a sink with backpressure and close", () => {
    clearWakes();
    const ch = new Channel<f64>(1);
    const k = new SendSink<f64>(ch);
    expect(k.pollSend(A, 1.5)).toBe(SENT);
    expect(k.pollSend(A, 2.5)).toBe(PENDING);
    ch.tryRecv();
    expect(woke(A)).toBe(true);
    expect(k.pollSend(A, 2.5)).toBe(SENT);
    ch.close();
    expect(k.pollSend(A, 3.5)).toBe(E_CLOSED);
  });

  it("forward moves a stream into a sink in order, waiting on the full side", () => {
    const src = new Channel<i32>(8);
    const dst = new Channel<i32>(2);
    const fw = new Forward<i32>(new RecvStream<i32>(src), new SendSink<i32>(dst));
    for (let i = 0; i < 6; i++) src.trySend(i);
    src.close();
    let got = 0, ok = true, polls = 0;
    while (!fw.poll(A)) {
      polls++;
      while (dst.tryRecv()) { if (dst.received != got) ok = false; got++; }
    }
    while (dst.tryRecv()) { if (dst.received != got) ok = false; got++; }
    expect(ok).toBe(true);
    expect(got).toBe(6);
    expect(fw.error).toBe(OK);
    expect(fw.forwarded).toBe(6);
    expect(polls).toBeGreaterThan(1); // it had to wait for room
  });
});
