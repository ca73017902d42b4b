import { Future, Waker, OK, spawn, Timeout, millis } from "../../../assembly/coop";
import { step } from "../../../assembly/coop/executor";
import { Channel, Send, Recv, E_FULL, E_CLOSED } from "../../../assembly/sync";
import { advance } from "../fake";
import { woke, clearWakes, Msg } from "./util";

// Waker numbers stand for tasks; futures are polled directly so every wake is visible.
const A: Waker = 1, B: Waker = 2, C: Waker = 3;

describe("Channel: capacity and order", () => {
  it("accepts exactly capacity values, then E_FULL, and keeps FIFO order", () => {
    const ch = new Channel<i32>(3);
    expect(ch.trySend(10)).toBe(OK);
    expect(ch.trySend(20)).toBe(OK);
    expect(ch.trySend(30)).toBe(OK);
    expect(ch.trySend(40)).toBe(E_FULL);
    expect(ch.fullTotal).toBe(1);
    expect(ch.length).toBe(3);
    expect(ch.tryRecv()).toBe(true); expect(ch.received).toBe(10);
    expect(ch.trySend(40)).toBe(OK); // wraps around the ring
    let sum = 0;
    const want: i32[] = [20, 30, 40];
    for (let i = 0; i < 3; i++) { expect(ch.tryRecv()).toBe(true); expect(ch.received).toBe(want[i]); sum += ch.received; }
    expect(ch.tryRecv()).toBe(false);
    expect(ch.sentTotal).toBe(4);
    expect(ch.receivedTotal).toBe(4);
  });

  it("works for u8, f64 and a class type", () => {
    const c8 = new Channel<u8>(2);
    expect(c8.trySend(255)).toBe(OK);
    expect(c8.tryRecv()).toBe(true);
    expect(c8.received).toBe(255);
    const cf = new Channel<f64>(2);
    cf.trySend(1.25); cf.trySend(-2.5);
    cf.tryRecv(); expect(cf.received).toBe(1.25);
    cf.tryRecv(); expect(cf.received).toBe(-2.5);
    const cm = new Channel<Msg>(2);
    const m = new Msg(7);
    const r = new Recv<Msg>(cm);
    expect(r.poll(A)).toBe(false);
    cm.trySend(m);
    expect(r.poll(A)).toBe(true);
    expect(r.value).toBe(m);
    expect(r.value.id).toBe(7);
  });
});

describe("Channel: fairness", () => {
  it("serves waiting receivers oldest first, one value each", () => {
    clearWakes();
    const ch = new Channel<i32>(4);
    const ra = new Recv<i32>(ch), rb = new Recv<i32>(ch), rc = new Recv<i32>(ch);
    expect(rb.poll(B)).toBe(false); // B came first
    expect(ra.poll(A)).toBe(false);
    expect(rc.poll(C)).toBe(false);
    ch.trySend(1);
    expect(woke(B)).toBe(true);
    expect(woke(A)).toBe(false);
    expect(woke(C)).toBe(false);
    // Nobody may overtake B for the value reserved to it.
    expect(ch.tryRecv()).toBe(false);
    expect(ra.poll(A)).toBe(false);
    ch.trySend(2);
    expect(woke(A)).toBe(true);
    ch.trySend(3);
    expect(woke(C)).toBe(true);
    // Even if the later ones are polled first, each gets a value and the ring's order holds.
    expect(rc.poll(C)).toBe(true);
    expect(ra.poll(A)).toBe(true);
    expect(rb.poll(B)).toBe(true);
    expect(rc.value + ra.value + rb.value).toBe(6);
    expect(rc.value).toBe(1); // polled first takes the oldest value
    expect(ch.length).toBe(0);
  });

  it("serves waiting senders oldest first and refuses trySend while they wait", () => {
    clearWakes();
    const ch = new Channel<i32>(1);
    expect(ch.trySend(0)).toBe(OK);
    const sa = new Send<i32>(ch), sb = new Send<i32>(ch);
    sa.value = 100; sb.value = 200;
    expect(sa.poll(A)).toBe(false);
    expect(sb.poll(B)).toBe(false);
    expect(ch.tryRecv()).toBe(true);
    expect(woke(A)).toBe(true);
    expect(woke(B)).toBe(false);
    expect(ch.trySend(5)).toBe(E_FULL); // the slot is A's
    expect(sb.poll(B)).toBe(false);
    expect(sa.poll(A)).toBe(true);
    expect(sa.error).toBe(OK);
    expect(ch.tryRecv()).toBe(true);
    expect(ch.received).toBe(100);
    expect(woke(B)).toBe(true);
    expect(sb.poll(B)).toBe(true);
    expect(ch.tryRecv()).toBe(true);
    expect(ch.received).toBe(200);
  });
});

describe("Channel: close", () => {
  it("lets receivers drain, then reports E_CLOSED; sends fail and send nothing", () => {
    clearWakes();
    const ch = new Channel<i32>(2);
    ch.trySend(1); ch.trySend(2);
    const s = new Send<i32>(ch);
    s.value = 3;
    expect(s.poll(A)).toBe(false);
    ch.close();
    expect(woke(A)).toBe(true);
    expect(s.poll(A)).toBe(true);
    expect(s.error).toBe(E_CLOSED);
    expect(ch.trySend(4)).toBe(E_CLOSED);
    expect(ch.sentTotal).toBe(2);
    const r = new Recv<i32>(ch);
    expect(r.poll(B)).toBe(true); expect(r.error).toBe(OK); expect(r.value).toBe(1);
    expect(r.poll(B)).toBe(true); expect(r.error).toBe(OK); expect(r.value).toBe(2);
    expect(r.poll(B)).toBe(true); expect(r.error).toBe(E_CLOSED);
  });

  it("wakes waiting receivers on close", () => {
    clearWakes();
    const ch = new Channel<i32>(2);
    const r = new Recv<i32>(ch);
    expect(r.poll(C)).toBe(false);
    ch.close();
    expect(woke(C)).toBe(true);
    expect(r.poll(C)).toBe(true);
    expect(r.error).toBe(E_CLOSED);
  });
});

describe("Channel: cancel safety", () => {
  it("a cancelled receive never loses the value granted to it", () => {
    clearWakes();
    const ch = new Channel<i32>(2);
    const ra = new Recv<i32>(ch), rb = new Recv<i32>(ch);
    ra.poll(A); rb.poll(B);
    ch.trySend(42);
    expect(woke(A)).toBe(true);
    ra.cancel(); // e.g. lost a select before it was polled
    expect(woke(B)).toBe(true); // the value is passed on
    expect(rb.poll(B)).toBe(true);
    expect(rb.value).toBe(42);
    // Without another waiter it stays in the ring for the next taker.
    ra.poll(A);
    ch.trySend(43);
    ra.cancel();
    expect(ch.tryRecv()).toBe(true);
    expect(ch.received).toBe(43);
  });

  it("a cancelled send never half-sends and passes its granted slot on", () => {
    clearWakes();
    const ch = new Channel<i32>(1);
    ch.trySend(0);
    const sa = new Send<i32>(ch), sb = new Send<i32>(ch);
    sa.value = 1; sb.value = 2;
    sa.poll(A); sb.poll(B);
    ch.tryRecv();
    expect(woke(A)).toBe(true);
    sa.cancel();
    expect(ch.length).toBe(0); // A's value did not go in
    expect(woke(B)).toBe(true);
    expect(sb.poll(B)).toBe(true);
    expect(ch.tryRecv()).toBe(true);
    expect(ch.received).toBe(2);
    expect(ch.sentTotal).toBe(2);
  });

  it("a receive that times out leaves nothing behind; the next value goes to the next receive", () => {
    const ch = new Channel<i32>(2);
    const t = new TimedReceiver(ch);
    spawn(t, "rx");
    step();
    advance(millis(5));
    step();
    expect(t.timeouts).toBe(1);
    // The timed-out receive released its place; only the second one waits.
    expect(ch.recvQ.length).toBe(1);
    expect(ch.recvQ.head === t.second).toBe(true);
    // Sent from outside any task, as an interrupt-side driver would.
    expect(ch.trySend(9)).toBe(OK);
    step();
    expect(t.got).toBe(9);
    expect(t.timeouts).toBe(1);
  });
});

// Waits for a value with a 5 ms limit, then (after a timeout) without one, on a second Recv.
class TimedReceiver extends Future {
  timeouts: i32 = 0;
  got: i32 = -1;
  to: Timeout<Recv<i32>>;
  second: Recv<i32>;
  constructor(ch: Channel<i32>) {
    super();
    this.to = new Timeout<Recv<i32>>(new Recv<i32>(ch), millis(5));
    this.second = new Recv<i32>(ch);
  }
  poll(w: Waker): bool {
    if (this.timeouts == 0) {
      if (!this.to.poll(w)) return false;
      if (!this.to.timedOut) { this.got = this.to.inner.value; return true; }
      this.timeouts++;
    }
    if (!this.second.poll(w)) return false;
    this.got = this.second.value;
    return true;
  }
}
