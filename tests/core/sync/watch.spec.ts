import { Waker, OK } from "../../../assembly/coop";
import { Watch, WatchReceiver, PubSub, Subscriber, E_CLOSED } from "../../../assembly/sync";
import { woke, clearWakes, Msg } from "./util";

const A: Waker = 1, B: Waker = 2, C: Waker = 3;

describe("Watch", () => {
  it("every receiver sees the latest value once per change", () => {
    clearWakes();
    const w = new Watch<i32>(0);
    const ra = new WatchReceiver<i32>(w), rb = new WatchReceiver<i32>(w);
    expect(ra.poll(A)).toBe(false);
    expect(rb.poll(B)).toBe(false);
    w.send(1); w.send(2);
    expect(woke(A)).toBe(true);
    expect(woke(B)).toBe(true);
    expect(ra.poll(A)).toBe(true);
    expect(ra.value).toBe(2);     // intermediate values may be skipped
    expect(ra.poll(A)).toBe(false);
    expect(rb.poll(B)).toBe(true);
    expect(rb.value).toBe(2);
    ra.cancel(); rb.cancel();
  });

  it("cancel loses nothing; close reports E_CLOSED after unseen changes", () => {
    clearWakes();
    const w = new Watch<f64>(0);
    const r = new WatchReceiver<f64>(w);
    r.poll(C);
    r.cancel();
    w.send(2.5);
    expect(woke(C)).toBe(false); // it left the list
    w.close();
    expect(r.poll(C)).toBe(true);
    expect(r.value).toBe(2.5);
    expect(r.poll(C)).toBe(true);
    expect(r.error).toBe(E_CLOSED);
  });
});

describe("PubSub", () => {
  it("every subscriber gets every message in order", () => {
    clearWakes();
    const ps = new PubSub<i32>(4, 2);
    const a = ps.subscribe()!, b = ps.subscribe()!;
    expect(ps.subscribe()).toBeNull(); // fixed number of subscribers
    expect(a.poll(A)).toBe(false);
    ps.publish(1); ps.publish(2);
    expect(woke(A)).toBe(true);
    for (let i = 1; i <= 2; i++) {
      expect(a.poll(A)).toBe(true); expect(a.value).toBe(i);
      expect(b.poll(B)).toBe(true); expect(b.value).toBe(i);
    }
    expect(a.missedTotal + b.missedTotal).toBe(0);
    a.cancel(); b.cancel();
  });

  it("a subscriber that falls behind is told how many it missed", () => {
    const ps = new PubSub<Msg>(3, 1);
    const s = ps.subscribe()!;
    for (let i = 0; i < 10; i++) ps.publish(new Msg(i));
    expect(s.behind).toBe(10);
    expect(s.poll(A)).toBe(true);
    expect(s.missed).toBe(7);
    expect(s.value.id).toBe(7);
    expect(s.poll(A)).toBe(true);
    expect(s.missed).toBe(0);
    expect(s.value.id).toBe(8);
    expect(s.tryNext()).toBe(true);
    expect(s.value.id).toBe(9);
    expect(s.missedTotal).toBe(7);
    // received + missed accounts for every message published
    expect(<i32>s.missedTotal + 3).toBe(10);
  });

  it("stays in order when the sequence number wraps at 2^32", () => {
    const ps = new PubSub<i32>(3, 2);
    ps.head = u32.MAX_VALUE - 1;
    const fast = ps.subscribe()!, slow = ps.subscribe()!;
    let ok = true;
    for (let i = 0; i < 5; i++) {
      ps.publish(i);
      if (!fast.tryNext() || fast.value != i) ok = false;
      // The slow one reads a full ring (three messages spanning the wrap) at once.
      if (i == 2) {
        for (let k = 0; k < 3; k++) if (!slow.tryNext() || slow.value != k || slow.missed != 0) ok = false;
      }
    }
    expect(ok).toBe(true);
    expect(slow.tryNext()).toBe(true); expect(slow.value).toBe(3);
    expect(slow.tryNext()).toBe(true); expect(slow.value).toBe(4);
    expect(slow.tryNext()).toBe(false);
  });

  it("close: subscribers drain, then E_CLOSED", () => {
    clearWakes();
    const ps = new PubSub<u8>(2, 1);
    const s = ps.subscribe()!;
    ps.publish(5);
    ps.close();
    expect(ps.publish(6)).toBe(E_CLOSED);
    expect(s.poll(B)).toBe(true); expect(s.error).toBe(OK); expect(s.value).toBe(5);
    expect(s.poll(B)).toBe(true); expect(s.error).toBe(E_CLOSED);
  });
});
