// The uncontended fast paths of Signal and Channel: a Signal's oldest waiter
// lives in a front slot (not the WaitQueue), Channel skips its grant loops
// when nobody waits. These specs pin down that the fast paths keep every
// documented guarantee: FIFO service, no overtaking a woken waiter, cancel
// passing a reservation on. The last one drives a Signal with seeded random
// operations against a plain-list model of the documented behaviour.

import { Waker, OK } from "../../../assembly/coop";
import { Signal, SignalWait, Channel, Send, Recv, E_FULL } from "../../../assembly/sync";
import { woke, clearWakes, Rng } from "./util";

const A: Waker = 1, B: Waker = 2, C: Waker = 3;

describe("Signal fast path (front slot)", () => {
  it("one waiter waits in the front slot, is woken by signal and leaves the slot empty", () => {
    clearWakes();
    const s = new Signal<i32>();
    const w = new SignalWait<i32>(s);
    expect(w.poll(A)).toBe(false);
    expect(s.front === w).toBe(true);
    expect(s.q.isEmpty).toBe(true); // no list linking for a lone waiter
    s.signal(7);
    expect(woke(A)).toBe(true);
    expect(s.reserved).toBe(true);
    expect(s.tryTake()).toBe(false); // reserved for the woken waiter
    expect(w.poll(A)).toBe(true);
    expect(w.value).toBe(7);
    expect(s.front).toBeNull();
    expect(s.signaled).toBe(false);
    expect(s.reserved).toBe(false);
  });

  it("with nobody waiting, a pending value is taken at once without queueing", () => {
    clearWakes();
    const s = new Signal<i32>();
    const w = new SignalWait<i32>(s);
    s.signal(3); // from outside any task: nobody to wake
    expect(s.reserved).toBe(false);
    expect(w.poll(A)).toBe(true);
    expect(w.value).toBe(3);
    expect(s.front).toBeNull();
    expect(woke(A)).toBe(false);
  });

  it("the latest poll's waker is the one woken (a future may move between tasks)", () => {
    clearWakes();
    const s = new Signal<i32>();
    const wa = new SignalWait<i32>(s), wb = new SignalWait<i32>(s);
    wa.poll(A); wa.poll(C); // front, re-polled from task C
    wb.poll(A); wb.poll(B); // queued, re-polled from task B
    s.signal(1);
    expect(woke(A)).toBe(false);
    expect(woke(C)).toBe(true);
    expect(wa.poll(C)).toBe(true);
    s.signal(2);
    expect(woke(A)).toBe(false);
    expect(woke(B)).toBe(true);
    expect(wb.poll(B)).toBe(true);
    expect(wb.value).toBe(2);
  });

  it("a woken waiter whose value was reset keeps its place ahead of later waiters", () => {
    clearWakes();
    const s = new Signal<i32>();
    const wa = new SignalWait<i32>(s), wb = new SignalWait<i32>(s);
    wa.poll(A); wb.poll(B);
    s.signal(1);
    expect(woke(A)).toBe(true);
    s.reset();
    expect(wa.poll(A)).toBe(false); // nothing to take any more
    expect(wb.poll(B)).toBe(false);
    s.signal(2);
    expect(woke(A)).toBe(true);  // still first in line
    expect(woke(B)).toBe(false);
    expect(wb.poll(B)).toBe(false); // cannot overtake
    expect(wa.poll(A)).toBe(true);
    expect(wa.value).toBe(2);
    expect(s.front === wb).toBe(true); // moved up from the queue
    s.signal(3);
    expect(woke(B)).toBe(true);
    expect(wb.poll(B)).toBe(true);
    expect(wb.value).toBe(3);
  });

  it("serves three waiters in order across the slot and the queue, with cancels of each kind", () => {
    clearWakes();
    const s = new Signal<i32>();
    const wa = new SignalWait<i32>(s), wb = new SignalWait<i32>(s), wc = new SignalWait<i32>(s);
    wa.poll(A); wb.poll(B); wc.poll(C);
    wb.cancel(); // a queued waiter leaves from the middle
    wa.cancel(); // the front leaves with nothing pending: C moves up, nobody is woken
    expect(s.front === wc).toBe(true);
    expect(woke(A) || woke(B) || woke(C)).toBe(false);
    wa.poll(A); // comes back: now behind C
    s.signal(10);
    expect(woke(C)).toBe(true);
    expect(woke(A)).toBe(false);
    wc.cancel(); // the woken front leaves: its value goes to the next waiter
    expect(woke(A)).toBe(true);
    expect(s.signaled).toBe(true);
    expect(wa.poll(A)).toBe(true);
    expect(wa.value).toBe(10);
    expect(s.front).toBeNull();
    expect(s.q.isEmpty).toBe(true);
  });
});

describe("Channel fast paths", () => {
  it("send with a free slot and recv of an unreserved value complete in one poll and touch no queue", () => {
    clearWakes();
    const ch = new Channel<i32>(2);
    const s = new Send<i32>(ch), r = new Recv<i32>(ch);
    s.value = 5;
    expect(s.poll(A)).toBe(true);
    expect(s.error).toBe(OK);
    expect(ch.recvQ.isEmpty && ch.sendQ.isEmpty).toBe(true);
    expect(ch.itemsReserved).toBe(0); // nobody waited: nothing granted
    expect(r.poll(B)).toBe(true);
    expect(r.value).toBe(5);
    expect(ch.spaceReserved).toBe(0);
    expect(woke(A) || woke(B)).toBe(false);
  });

  it("a first-time Send or Recv does not take what is reserved for a woken waiter", () => {
    clearWakes();
    const ch = new Channel<i32>(1);
    const ra = new Recv<i32>(ch), rb = new Recv<i32>(ch);
    expect(ra.poll(A)).toBe(false);
    expect(ch.trySend(1)).toBe(OK); // granted to A
    expect(woke(A)).toBe(true);
    expect(rb.poll(B)).toBe(false); // the only value is A's
    // The ring is full; a sender waits, and a slot freed by A's receive is granted to it.
    const sa = new Send<i32>(ch), sb = new Send<i32>(ch);
    sa.value = 2; sb.value = 3;
    expect(sa.poll(A)).toBe(false);
    expect(ra.poll(A)).toBe(true);
    expect(ra.value).toBe(1);
    expect(ch.spaceReserved).toBe(1);
    expect(sb.poll(C)).toBe(false); // the free slot is sa's: no overtaking
    expect(ch.trySend(9)).toBe(E_FULL);
    expect(sa.poll(A)).toBe(true);
    expect(rb.poll(B)).toBe(true); // B was granted sa's value when it arrived
    expect(rb.value).toBe(2);
    expect(sb.poll(C)).toBe(true); // sb got the slot rb freed
    expect(ch.tryRecv()).toBe(true);
    expect(ch.received).toBe(3);
  });
});

// A Signal of 3 waiters driven by seeded random operations, checked against
// the documented behaviour written as one plain FIFO list: the list's first
// waiter is woken for a pending value and only it may take it; a new waiter
// takes a pending value at once only if nobody waits; cancel removes from the
// list, and a pending value then goes to the new first waiter.
const NW = 3;

class Model {
  list: StaticArray<i32> = new StaticArray<i32>(NW); // waiter indices, oldest first
  n: i32 = 0;
  pending: bool = false;
  value: i32 = 0;
  wakers: StaticArray<i32> = new StaticArray<i32>(NW);
  woken: StaticArray<bool> = new StaticArray<bool>(NW + 1); // by task (waker)
  find(i: i32): i32 { for (let k = 0; k < this.n; k++) if (this.list[k] == i) return k; return -1; }
  removeAt(k: i32): void { for (let j = k; j + 1 < this.n; j++) this.list[j] = this.list[j + 1]; this.n--; }
  wakeFirst(): void { if (this.n > 0) this.woken[this.wakers[this.list[0]]] = true; }
  signal(v: i32): void { this.value = v; if (this.pending) return; this.pending = true; this.wakeFirst(); }
  /** Returns the taken value, or -1 if the waiter waits. */
  poll(i: i32, w: i32): i32 {
    this.wakers[i] = w;
    const k = this.find(i);
    if (k < 0 && this.n == 0 && this.pending) { this.pending = false; return this.value; }
    if (k < 0) { this.list[this.n++] = i; return -1; }
    if (k == 0 && this.pending) { this.pending = false; this.removeAt(0); return this.value; }
    return -1;
  }
  cancel(i: i32): void {
    const k = this.find(i);
    if (k < 0) return;
    this.removeAt(k);
    if (k == 0 && this.pending) this.wakeFirst();
  }
  tryTake(): bool { if (!this.pending || this.n > 0) return false; this.pending = false; return true; }
}

describe("Signal against a FIFO list model", () => {
  it("agrees on every result, value and wake over 20000 seeded random operations", () => {
    clearWakes();
    const s = new Signal<i32>();
    const ws = new StaticArray<SignalWait<i32>>(NW);
    for (let i = 0; i < NW; i++) ws[i] = new SignalWait<i32>(s);
    const m = new Model();
    const rng = new Rng(20261122);
    let mismatches = 0, takes = 0, next = 100;
    for (let step = 0; step < 20000; step++) {
      const op = rng.below(10);
      const i = <i32>rng.below(NW);
      if (op < 4) {
        const w = 1 + <i32>rng.below(NW); // a waiter may be polled from another task
        const got = ws[i].poll(w);
        const want = m.poll(i, w);
        if (got != (want >= 0) || (got && ws[i].value != want)) mismatches++;
        if (got) takes++;
      } else if (op < 7) {
        s.signal(next); m.signal(next); next++;
      } else if (op == 7) {
        ws[i].cancel(); m.cancel(i);
      } else if (op == 8) {
        if (s.tryTake() != m.tryTake()) mismatches++;
      } else {
        s.reset(); m.pending = false;
      }
      for (let t = 1; t <= NW; t++) {
        if (woke(t) != m.woken[t]) mismatches++;
        m.woken[t] = false;
      }
      if (s.signaled != m.pending || s.reserved != (m.pending && m.n > 0)) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(takes).toBeGreaterThan(1000); // the run exercised taking, not just waiting
  });
});
