// Static RAM cost of each primitive, measured as the bump allocator's
// movement when one is built (object headers, alignment and the ring
// included). The figures are logged for docs/sync.md; the assertions check
// the parts the formulas there promise: rings grow by capacity * sizeof<T>().

import {
  Channel, Send, Recv, Signal, SignalWait, Notify, Notified, Oneshot, OneshotRecv, Mutex, Lock, Semaphore, Acquire, Watch, WatchReceiver, PubSub, Subscriber, Pipe, PipeWrite, PipeRead, RecvStream, MapStream, FilterStream, TakeStream, ForEach, Fold, SendSink, Forward, TickerStream,
} from "../../../assembly/sync";
import { WaitQueue } from "../../../assembly/sync/waitqueue";
import { Ticker } from "../../../assembly/coop";
import { heapTop } from "../fake";

function id(x: i32): i32 { return x; }
function yes(_x: i32): bool { return true; }
function nop(_x: i32): void {}
function plus(a: i32, x: i32): i32 { return a + x; }

let keep: usize = 0;
let h: usize = 0;
function start(): void { h = heapTop(); }
function cost(o: usize): i32 { keep = o; return <i32>(heapTop() - h); }
function show(name: string, n: i32): void { log<string>(name + ": " + n.toString() + " bytes"); }

describe("static RAM per primitive", () => {
  it("measures and logs each primitive's bytes", () => {
    start(); const q = cost(changetype<usize>(new WaitQueue()));
    start(); const c1 = cost(changetype<usize>(new Channel<i32>(1)));
    start(); const c16 = cost(changetype<usize>(new Channel<i32>(16)));
    start(); const c32 = cost(changetype<usize>(new Channel<i32>(32)));
    start(); const cf16 = cost(changetype<usize>(new Channel<f64>(16)));
    start(); const cb16 = cost(changetype<usize>(new Channel<u8>(16)));
    start(); const cb32 = cost(changetype<usize>(new Channel<u8>(32)));
    const ch = new Channel<i32>(4);
    start(); const snd = cost(changetype<usize>(new Send<i32>(ch)));
    start(); const rcv = cost(changetype<usize>(new Recv<i32>(ch)));
    start(); const sig = cost(changetype<usize>(new Signal<i32>()));
    const s = new Signal<i32>();
    start(); const sw = cost(changetype<usize>(new SignalWait<i32>(s)));
    start(); const nt = cost(changetype<usize>(new Notify()));
    const n = new Notify();
    start(); const nd = cost(changetype<usize>(new Notified(n)));
    start(); const os = cost(changetype<usize>(new Oneshot<i32>()));
    const o = new Oneshot<i32>();
    start(); const osr = cost(changetype<usize>(new OneshotRecv<i32>(o)));
    start(); const mx = cost(changetype<usize>(new Mutex<i32>(0)));
    const m = new Mutex<i32>(0);
    start(); const lk = cost(changetype<usize>(new Lock<i32>(m)));
    start(); const sem = cost(changetype<usize>(new Semaphore(1)));
    const se = new Semaphore(1);
    start(); const acq = cost(changetype<usize>(new Acquire(se, 1)));
    start(); const wt = cost(changetype<usize>(new Watch<i32>(0)));
    const w = new Watch<i32>(0);
    start(); const wr = cost(changetype<usize>(new WatchReceiver<i32>(w)));
    start(); const ps16 = cost(changetype<usize>(new PubSub<i32>(16, 4)));
    const p = new PubSub<i32>(16, 4);
    start(); const sub = cost(changetype<usize>(p.subscribe()));
    start(); const pipe64 = cost(changetype<usize>(new Pipe(64)));
    start(); const pipe128 = cost(changetype<usize>(new Pipe(128)));
    const pp = new Pipe(8);
    start(); const pw = cost(changetype<usize>(new PipeWrite(pp)));
    start(); const pr = cost(changetype<usize>(new PipeRead(pp)));

    start(); const rs = cost(changetype<usize>(new RecvStream<i32>(ch)));
    const src = new RecvStream<i32>(ch);
    start(); const ms = cost(changetype<usize>(new MapStream<i32, i32>(src, id)));
    start(); const fs = cost(changetype<usize>(new FilterStream<i32>(src, yes)));
    start(); const ts = cost(changetype<usize>(new TakeStream<i32>(src, 3)));
    start(); const fe = cost(changetype<usize>(new ForEach<i32>(src, nop)));
    start(); const fo = cost(changetype<usize>(new Fold<i32, i32>(src, 0, plus)));
    start(); const sk = cost(changetype<usize>(new SendSink<i32>(ch)));
    const sink = new SendSink<i32>(ch);
    start(); const fw = cost(changetype<usize>(new Forward<i32>(src, sink)));
    const tk = new Ticker(1000);
    start(); const tks = cost(changetype<usize>(new TickerStream(tk)));
    show("RecvStream<i32> (with its Recv)", rs); show("MapStream", ms); show("FilterStream", fs);
    show("TakeStream", ts); show("ForEach", fe); show("Fold<i32, i32>", fo);
    show("SendSink<i32> (with its Send)", sk); show("Forward<i32>", fw); show("TickerStream (ticker not included)", tks);

    show("WaitQueue", q);
    show("Channel<i32>(1)", c1); show("Channel<i32>(16)", c16); show("Channel<i32>(32)", c32);
    show("Channel<f64>(16)", cf16); show("Channel<u8>(16)", cb16); show("Channel<u8>(32)", cb32);
    show("Send<i32>", snd); show("Recv<i32>", rcv);
    show("Signal<i32>", sig); show("SignalWait<i32>", sw);
    show("Notify", nt); show("Notified", nd);
    show("Oneshot<i32>", os); show("OneshotRecv<i32>", osr);
    show("Mutex<i32>", mx); show("Lock<i32>", lk);
    show("Semaphore", sem); show("Acquire", acq);
    show("Watch<i32>", wt); show("WatchReceiver<i32>", wr);
    show("PubSub<i32>(16, 4)", ps16); show("Subscriber<i32>", sub);
    show("Pipe(64)", pipe64); show("Pipe(128)", pipe128); show("PipeWrite", pw); show("PipeRead", pr);

    // The ring is capacity * sizeof<T>() on top of a fixed part.
    expect(c32 - c16).toBe(16 * 4);
    expect(cf16 - c16).toBe(16 * 4);
    expect(cb32 - cb16).toBe(16); // 20 + 32 bytes vs 20 + 16, each rounded up to 16
    expect(pipe128 - pipe64).toBe(64);
    expect(keep).toBeGreaterThan(0);
  });
});
