import { Waker, Future, spawn } from "../../../assembly/coop";
import { step } from "../../../assembly/coop/executor";
import { Signal, SignalWait, Notify, Notified } from "../../../assembly/sync";
import { woke, clearWakes, Msg } from "./util";

const A: Waker = 1, B: Waker = 2, C: Waker = 3;

describe("Signal", () => {
  it("latest value wins and counts the overwritten ones", () => {
    const s = new Signal<i32>();
    const w = new SignalWait<i32>(s);
    s.signal(1); s.signal(2); s.signal(3);
    expect(s.overwritten).toBe(2);
    expect(w.poll(A)).toBe(true);
    expect(w.value).toBe(3);
    expect(s.signaled).toBe(false);
    expect(w.poll(A)).toBe(false); // taken: waits for the next
  });

  it("wakes the oldest waiter only, one value each, and nobody overtakes it", () => {
    clearWakes();
    const s = new Signal<f64>();
    const wa = new SignalWait<f64>(s), wb = new SignalWait<f64>(s);
    expect(wb.poll(B)).toBe(false);
    expect(wa.poll(A)).toBe(false);
    s.signal(0.5);
    expect(woke(B)).toBe(true);
    expect(woke(A)).toBe(false);
    expect(s.tryTake()).toBe(false);      // reserved for B
    expect(wa.poll(A)).toBe(false);
    expect(wb.poll(B)).toBe(true);
    expect(wb.value).toBe(0.5);
    s.signal(1.5);
    expect(woke(A)).toBe(true);
    expect(wa.poll(A)).toBe(true);
    expect(wa.value).toBe(1.5);
  });

  it("a cancelled waiter passes the value on instead of losing it", () => {
    clearWakes();
    const s = new Signal<Msg>();
    const wa = new SignalWait<Msg>(s), wb = new SignalWait<Msg>(s);
    wa.poll(A); wb.poll(B);
    const m = new Msg(5);
    s.signal(m);
    expect(woke(A)).toBe(true);
    wa.cancel();
    expect(woke(B)).toBe(true);
    expect(wb.poll(B)).toBe(true);
    expect(wb.value.id).toBe(5);
    // With nobody else waiting it simply stays pending.
    wa.poll(A);
    s.signal(new Msg(6));
    wa.cancel();
    expect(s.signaled).toBe(true);
    expect(s.tryTake()).toBe(true);
    expect(s.value.id).toBe(6);
  });

  it("can be signalled from outside any task (driver side) to wake a task", () => {
    const s = new Signal<u8>();
    const t = new SigTask(s);
    spawn(t, "sig");
    step();
    expect(t.got).toBe(-1);
    s.signal(200);
    step();
    expect(t.got).toBe(200);
  });
});

class SigTask extends Future {
  got: i32 = -1;
  w: SignalWait<u8>;
  constructor(s: Signal<u8>) { super(); this.w = new SignalWait<u8>(s); }
  poll(w: Waker): bool {
    if (!this.w.poll(w)) return false;
    this.got = this.w.value;
    return true;
  }
}

describe("Notify", () => {
  it("keeps one permit when nobody waits", () => {
    const n = new Notify();
    n.notifyOne(); n.notifyOne();
    const a = new Notified(n);
    expect(a.poll(A)).toBe(true);
    expect(a.poll(A)).toBe(false); // only one permit was stored
    a.cancel();
  });

  it("notifyOne wakes waiters oldest first; notifyAll wakes all and stores nothing", () => {
    clearWakes();
    const n = new Notify();
    const a = new Notified(n), b = new Notified(n), c = new Notified(n);
    c.poll(C); a.poll(A); b.poll(B);
    n.notifyOne();
    expect(woke(C)).toBe(true);
    expect(woke(A)).toBe(false);
    expect(c.poll(C)).toBe(true);
    expect(n.notifyAll()).toBe(2);
    expect(woke(A)).toBe(true);
    expect(woke(B)).toBe(true);
    expect(a.poll(A)).toBe(true);
    expect(b.poll(B)).toBe(true);
    expect(n.permit).toBe(false);
    expect(c.poll(C)).toBe(false);
    c.cancel();
  });

  it("a cancelled waiter forwards a notifyOne (to the next waiter, else as the permit)", () => {
    clearWakes();
    const n = new Notify();
    const a = new Notified(n), b = new Notified(n);
    a.poll(A); b.poll(B);
    n.notifyOne();
    a.cancel();
    expect(woke(B)).toBe(true);
    expect(b.poll(B)).toBe(true);
    a.poll(A);
    n.notifyOne();
    a.cancel();
    expect(n.permit).toBe(true);
    // A cancelled notifyAll wake is just dropped.
    n.permit = false;
    a.poll(A);
    n.notifyAll();
    a.cancel();
    expect(n.permit).toBe(false);
  });
});
