// The uncontended fast paths of Signal and Channel: a Signal's oldest waiter
// lives in a front slot (not the WaitQueue), Channel skips its grant loops
// when nobody waits. These specs pin down that the fast paths keep every
// documented guarantee: FIFO service, no overtaking a woken waiter, cancel
// passing a reservation on. The last one drives a Signal with seeded random
// operations against a plain-list model of the documented behaviour.

import { Waker, OK } from "../../../assembly/coop";
import { Signal, SignalWait, Channel, Send, Recv, E_FULL, E_CLOSED } from "../../../assembly/sync";
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

// Send and Recv's poll is inlined where it is awaited and only handles the
// uncontended case (no grant, not queued, room or a value that nobody else
// is owed); everything else goes to pollSlow. This drives a channel with two
// senders and two receivers by seeded random polls, cancels, trySend and
// tryRecv, and checks what the fast path must never break: values come out
// once each, in the order they went in, and no op completes while an older
// op of its side still waits in the queue ungranted (no overtaking).
const NOPS = 2;

describe("Channel inlined fast path under seeded random contention", () => {
  it("keeps FIFO order, loses and duplicates nothing, and never lets a later op overtake a queued one", () => {
    clearWakes();
    const ch = new Channel<i32>(2);
    const sends = new StaticArray<Send<i32>>(NOPS), recvs = new StaticArray<Recv<i32>>(NOPS);
    for (let i = 0; i < NOPS; i++) { sends[i] = new Send<i32>(ch); recvs[i] = new Recv<i32>(ch); }
    // First-poll order of the pending op of each side (0 = not pending).
    const sendSince = new StaticArray<i32>(NOPS), recvSince = new StaticArray<i32>(NOPS);
    let clock = 0, nextValue = 1, expectNext = 1, sentCount = 0, recvCount = 0, overtakes = 0, disorder = 0;
    const rng = new Rng(20261202);
    for (let step = 0; step < 20000; step++) {
      const op = rng.below(6);
      const i = <i32>rng.below(NOPS);
      if (op == 0 || op == 1) {
        const s = sends[i];
        if (sendSince[i] == 0) sendSince[i] = ++clock;
        s.value = nextValue; // a send's value is fixed only by the poll that completes it
        if (s.poll(1 + i)) {
          for (let j = 0; j < NOPS; j++) if (j != i && sendSince[j] != 0 && sendSince[j] < sendSince[i] && sends[j].qQueued) overtakes++;
          sendSince[i] = 0; nextValue++; sentCount++;
        }
      } else if (op == 2 || op == 3) {
        const r = recvs[i];
        if (recvSince[i] == 0) recvSince[i] = ++clock;
        if (r.poll(3 + i)) {
          for (let j = 0; j < NOPS; j++) if (j != i && recvSince[j] != 0 && recvSince[j] < recvSince[i] && recvs[j].qQueued) overtakes++;
          recvSince[i] = 0; recvCount++;
          if (r.value != expectNext) disorder++;
          expectNext = r.value + 1;
        }
      } else if (op == 4) {
        // cancel one pending op of either side; a cancelled send sends nothing
        if (rng.below(2) == 0) { sends[i].cancel(); sendSince[i] = 0; }
        else { recvs[i].cancel(); recvSince[i] = 0; }
      } else {
        if (rng.below(2) == 0) {
          if (ch.trySend(nextValue) == OK) { nextValue++; sentCount++; }
        } else if (ch.tryRecv()) {
          recvCount++;
          if (ch.received != expectNext) disorder++;
          expectNext = ch.received + 1;
        }
      }
    }
    for (let i = 0; i < NOPS; i++) { sends[i].cancel(); recvs[i].cancel(); }
    while (ch.tryRecv()) { recvCount++; if (ch.received != expectNext) disorder++; expectNext = ch.received + 1; }
    expect(overtakes).toBe(0);
    expect(disorder).toBe(0);
    expect(recvCount).toBe(sentCount);
    expect(expectNext).toBe(nextValue); // every value 1..nextValue-1 came out, once, in order
    expect(sentCount).toBeGreaterThan(1000); // the run did exercise the channel
    expect(ch.itemsReserved + ch.spaceReserved).toBe(0);
    clearWakes();
  });

  it("a fresh Send into a closed channel with room fails with E_CLOSED and sends nothing", () => {
    clearWakes();
    const ch = new Channel<i32>(4);
    const s = new Send<i32>(ch);
    ch.close();
    s.value = 1;
    expect(s.poll(A)).toBe(true);
    expect(s.error).toBe(E_CLOSED);
    expect(ch.length).toBe(0);
    expect(ch.sentTotal).toBe(<u32>0);
  });
});
