// Channel's gated fast paths (issue 14): a Send/Recv poll, trySend and
// tryRecv go straight to the ring when one compare against a gate kept by
// the slow paths says so (sendLimit: open, nobody waiting on either side, no
// slot reserved; recvFloor: the same with no value reserved). These specs pin
// the edge cases where a reservation, a waiter or close() must shut a gate,
// and drive the Channel and the pre-gate implementation with every fast path
// removed (refchannel.ts) by the same seeded random operations, requiring the
// same results, values, errors, wakes, counters and reservations.

import { Waker, OK } from "../../../assembly/coop";
import { Channel, Send, Recv, E_FULL, E_CLOSED, E_INVALID } from "../../../assembly/sync";
import { GRANT_NONE } from "../../../assembly/sync/waitqueue";
import { RefChannel, RefSend, RefRecv } from "./refchannel";
import { woke, clearWakes, Rng } from "./util";

const A: Waker = 1, B: Waker = 2, C: Waker = 3;

describe("Channel gates: reservations and waiters shut the fast paths", () => {
  it("a Recv that saw E_CLOSED, then gets a value a cancelled grant left behind, completes with OK", () => {
    clearWakes();
    const ch = new Channel<i32>(2);
    const ra = new Recv<i32>(ch), rb = new Recv<i32>(ch);
    expect(rb.poll(B)).toBe(false);
    expect(ch.trySend(7)).toBe(OK); // granted to B
    ch.close();
    expect(ra.poll(A)).toBe(true); // the only value is B's: A sees the end
    expect(ra.error).toBe(E_CLOSED);
    rb.cancel(); // B gives its value back
    expect(ch.itemsReserved).toBe(0);
    expect(ra.poll(A)).toBe(true);
    expect(ra.error).toBe(OK); // not the E_CLOSED of the last completion
    expect(ra.value).toBe(7);
    expect(ra.poll(A)).toBe(true);
    expect(ra.error).toBe(E_CLOSED);
    clearWakes();
  });

  it("a waiting receiver shuts the send gate: trySend from outside grants the value to it", () => {
    clearWakes();
    const ch = new Channel<i32>(4);
    const r = new Recv<i32>(ch), r2 = new Recv<i32>(ch);
    expect(r.poll(A)).toBe(false);
    expect(ch.trySend(5)).toBe(OK);
    expect(woke(A)).toBe(true);
    expect(ch.itemsReserved).toBe(1);
    expect(ch.tryRecv()).toBe(false); // reserved for A
    expect(r2.poll(B)).toBe(false); // a fresh Recv does not take it either
    expect(ch.trySend(6)).toBe(OK); // granted to B (the receive gate is shut while anyone waits)
    expect(woke(B)).toBe(true);
    expect(r2.poll(B)).toBe(true);
    expect(r2.value).toBe(5); // whoever polls first takes the oldest value
    expect(r.poll(A)).toBe(true);
    expect(r.value).toBe(6);
    expect(ch.itemsReserved).toBe(0);
    // Nobody waits or holds anything: both gates open again, fast paths run.
    expect(ch.trySend(8)).toBe(OK);
    expect(r.poll(A)).toBe(true);
    expect(r.value).toBe(8);
    expect(woke(A) || woke(B)).toBe(false);
  });

  it("a granted sender's slot shuts the send gate until it is used or passed on by cancel", () => {
    clearWakes();
    const ch = new Channel<i32>(2);
    const sa = new Send<i32>(ch), sb = new Send<i32>(ch), r = new Recv<i32>(ch);
    expect(ch.trySend(1)).toBe(OK);
    expect(ch.trySend(2)).toBe(OK);
    sa.value = 3;
    expect(sa.poll(A)).toBe(false); // full: waits
    expect(r.poll(C)).toBe(true);
    expect(r.value).toBe(1);
    expect(woke(A)).toBe(true); // the freed slot is A's
    expect(ch.spaceReserved).toBe(1);
    expect(ch.trySend(9)).toBe(E_FULL);
    sb.value = 4;
    expect(sb.poll(B)).toBe(false); // a fresh Send does not take A's slot
    sa.cancel(); // A's slot goes to B
    expect(woke(B)).toBe(true);
    expect(ch.spaceReserved).toBe(1);
    expect(ch.trySend(9)).toBe(E_FULL);
    expect(sb.poll(B)).toBe(true);
    expect(sb.error).toBe(OK);
    expect(ch.spaceReserved).toBe(0);
    expect(r.poll(C)).toBe(true);
    expect(r.value).toBe(2);
    expect(r.poll(C)).toBe(true);
    expect(r.value).toBe(4); // A's 3 was never sent
    expect(ch.fullTotal).toBe(<u32>2);
    clearWakes();
  });

  it("close shuts both gates: a Send that saw E_CLOSED never sends again, receivers drain then see E_CLOSED", () => {
    clearWakes();
    const ch = new Channel<i32>(3);
    const s = new Send<i32>(ch), r = new Recv<i32>(ch);
    s.value = 1;
    expect(s.poll(A)).toBe(true);
    ch.close();
    s.value = 2;
    expect(s.poll(A)).toBe(true);
    expect(s.error).toBe(E_CLOSED);
    expect(ch.trySend(3)).toBe(E_CLOSED);
    expect(r.poll(B)).toBe(true);
    expect(r.error).toBe(OK);
    expect(r.value).toBe(1);
    expect(r.poll(B)).toBe(true);
    expect(r.error).toBe(E_CLOSED);
    expect(ch.sentTotal).toBe(<u32>1);
  });

  it("keeps FIFO order and exact totals over many laps of a ring whose capacity is not a power of two", () => {
    clearWakes();
    const ch = new Channel<i32>(3);
    const s = new Send<i32>(ch), r = new Recv<i32>(ch);
    let next = 1, want = 1, bad = 0;
    for (let round = 0; round < 100; round++) {
      // Fill by Send until it waits (fast, then slow), drain by Recv until it waits.
      for (;;) { s.value = next; if (!s.poll(A)) break; next++; }
      for (;;) {
        if (!r.poll(B)) break;
        if (r.value != want) bad++;
        want++;
      }
      // The waiting Send was granted a slot by the first receive, the Recv a value by the Send that follows.
    }
    expect(bad).toBe(0);
    expect(ch.sentTotal).toBe(<u32>(next - 1));
    expect(ch.receivedTotal).toBe(<u32>(want - 1));
    expect(<i32>ch.sentTotal - <i32>ch.receivedTotal).toBe(ch.length);
    s.cancel(); r.cancel();
    clearWakes();
  });
});

describe("Channel batch transfers", () => {
  it("trySendMany / tryRecvMany copy across the ring's wrap, in order, and refuse a range outside the array", () => {
    clearWakes();
    const ch = new Channel<i32>(5);
    const src = new StaticArray<i32>(8), dst = new StaticArray<i32>(8);
    for (let j = 0; j < 8; j++) src[j] = 10 + j;
    expect(ch.trySendMany(src, 0, 3)).toBe(3); // 10 11 12
    expect(ch.tryRecvMany(dst, 0, 2)).toBe(2); // rd moves 2 slots on
    expect(dst[0]).toBe(10); expect(dst[1]).toBe(11);
    expect(ch.received).toBe(11);
    expect(ch.trySendMany(src, 3, 5)).toBe(4); // 13..16 fill the ring across its end; 17 is refused
    expect(ch.fullTotal).toBe(<u32>1);
    expect(ch.length).toBe(5);
    expect(ch.tryRecvMany(dst, 0, 8)).toBe(5); // 12..16 come out across the wrap
    for (let j = 0; j < 5; j++) expect(dst[j]).toBe(12 + j);
    expect(ch.sentTotal).toBe(<u32>7);
    expect(ch.receivedTotal).toBe(<u32>7);
    expect(ch.tryRecvMany(dst, 0, 8)).toBe(0);
    expect(ch.trySendMany(src, 6, 3)).toBe(E_INVALID);
    expect(ch.trySendMany(src, -1, 1)).toBe(E_INVALID);
    expect(ch.tryRecvMany(dst, 8, 1)).toBe(E_INVALID);
    expect(ch.trySendMany(src, 8, 0)).toBe(0);
  });

  it("a batch never takes a value reserved for a woken receiver nor a slot granted to a sender", () => {
    clearWakes();
    const ch = new Channel<i32>(3);
    const r = new Recv<i32>(ch), s = new Send<i32>(ch);
    const buf = new StaticArray<i32>(4);
    expect(r.poll(A)).toBe(false);
    buf[0] = 1; buf[1] = 2; buf[2] = 3; buf[3] = 4;
    expect(ch.trySendMany(buf, 0, 4)).toBe(3); // 1 is granted to A on the way in; 4 is refused
    expect(woke(A)).toBe(true);
    expect(ch.tryRecvMany(buf, 0, 4)).toBe(2); // the two oldest, 1 and 2; one value (3) stays for A
    expect(buf[0]).toBe(1); expect(buf[1]).toBe(2);
    s.value = 5;
    expect(s.poll(B)).toBe(true); // room: 1 value (A's) in a ring of 3
    s.value = 6;
    expect(s.poll(B)).toBe(true);
    s.value = 7;
    expect(s.poll(B)).toBe(false); // full: B waits
    expect(r.poll(A)).toBe(true); // A takes the oldest (3); the freed slot is granted to B
    expect(r.value).toBe(3);
    expect(woke(B)).toBe(true);
    buf[0] = 9;
    expect(ch.trySendMany(buf, 0, 1)).toBe(0); // the free slot is B's
    expect(s.poll(B)).toBe(true);
    expect(ch.tryRecvMany(buf, 0, 4)).toBe(3);
    expect(buf[0]).toBe(5); expect(buf[1]).toBe(6); expect(buf[2]).toBe(7);
    clearWakes();
  });
});

// Same operations on both; wakes of the real channel's ops go to tasks 1..6,
// the reference's to 11..16, so one ready set shows both.
const NS = 3, NR = 3, REF = 10;
let completions = 0; // ops that completed, across rounds: the runs did move values
let batched = 0; // values moved by trySendMany / tryRecvMany
const stage = new StaticArray<i32>(8);

function runAgainstReference(seed: u32, capacity: i32, steps: i32): i32 {
  clearWakes();
  const ch = new Channel<i32>(capacity);
  const rc = new RefChannel<i32>(capacity);
  const ss = new StaticArray<Send<i32>>(NS), rs = new StaticArray<Recv<i32>>(NR);
  const rss = new StaticArray<RefSend<i32>>(NS), rrs = new StaticArray<RefRecv<i32>>(NR);
  for (let i = 0; i < NS; i++) { ss[i] = new Send<i32>(ch); rss[i] = new RefSend<i32>(rc); }
  for (let i = 0; i < NR; i++) { rs[i] = new Recv<i32>(ch); rrs[i] = new RefRecv<i32>(rc); }
  const rng = new Rng(seed);
  let bad = 0, next = 1;
  for (let step = 0; step < steps; step++) {
    const op = rng.below(100);
    if (op < 30) {
      const i = <i32>rng.below(NS);
      const w = 1 + <i32>rng.below(NS); // a future may be polled from another task
      ss[i].value = next; rss[i].value = next; next++;
      const a = ss[i].poll(w), b = rss[i].poll(REF + w);
      if (a != b || (a && ss[i].error != rss[i].error)) bad++;
      if (a) completions++;
    } else if (op < 60) {
      const i = <i32>rng.below(NR);
      const w = 4 + <i32>rng.below(NR);
      const a = rs[i].poll(w), b = rrs[i].poll(REF + w);
      if (a != b || (a && (rs[i].error != rrs[i].error || rs[i].value != rrs[i].value))) bad++;
      if (a) completions++;
    } else if (op < 70) {
      const i = <i32>rng.below(NS);
      ss[i].cancel(); rss[i].cancel();
    } else if (op < 80) {
      const i = <i32>rng.below(NR);
      rs[i].cancel(); rrs[i].cancel();
    } else if (op < 85) {
      if (ch.trySend(next) != rc.trySend(next)) bad++;
      next++;
    } else if (op < 89) {
      // trySendMany = trySend value by value until one is refused
      const n = <i32>rng.below(6);
      for (let j = 0; j < n; j++) stage[j] = next + j;
      const a = ch.trySendMany(stage, 0, n);
      let b = 0;
      while (b < n && rc.trySend(next + b) == OK) b++;
      if (a != b) bad++;
      next += n;
      batched += a;
    } else if (op < 94) {
      const a = ch.tryRecv(), b = rc.tryRecv();
      if (a != b || (a && ch.received != rc.received)) bad++;
    } else if (op < 99) {
      // tryRecvMany = tryRecv value by value while one is there
      const max = <i32>rng.below(6);
      const a = ch.tryRecvMany(stage, 1, max);
      let b = 0;
      while (b < max && rc.tryRecv()) { if (stage[1 + b] != rc.received) bad++; b++; }
      if (a != b || (a > 0 && ch.received != rc.received)) bad++;
      batched += a;
    } else if (rng.below(20) == 0) {
      ch.close(); rc.close();
    }
    for (let t = 1; t <= NS + NR; t++) if (woke(t) != woke(REF + t)) bad++;
    if (ch.length != rc.length || ch.sentTotal != rc.sentTotal || ch.receivedTotal != rc.receivedTotal) bad++;
    if (ch.full != rc.full || ch.empty != rc.empty || ch.closed != rc.closed || ch.fullTotal != rc.fullTotal) bad++;
    if (ch.itemsReserved != rc.itemsReserved || ch.spaceReserved != rc.spaceReserved) bad++;
    if (ch.sendQ.length != rc.sendQ.length || ch.recvQ.length != rc.recvQ.length) bad++;
    for (let i = 0; i < NS; i++) if (ss[i].qQueued != rss[i].qQueued || ss[i].qGrant != rss[i].qGrant) bad++;
    for (let i = 0; i < NR; i++) if (rs[i].qQueued != rrs[i].qQueued || rs[i].qGrant != rrs[i].qGrant) bad++;
  }
  for (let i = 0; i < NS; i++) { ss[i].cancel(); rss[i].cancel(); }
  for (let i = 0; i < NR; i++) { rs[i].cancel(); rrs[i].cancel(); }
  if (ch.itemsReserved != 0 || ch.spaceReserved != 0 || ss[0].qGrant != GRANT_NONE) bad++;
  clearWakes();
  return bad;
}

describe("Channel against the implementation without fast paths", () => {
  it("agrees on every result, value, error, wake, counter, reservation and queue over seeded random operations", () => {
    // Rounds of 1500 steps with a fresh pair of channels (close() ends a round's open phase about once in 2000 steps).
    const caps: i32[] = [1, 2, 3, 5, 16];
    let bad = 0;
    for (let k = 0; k < caps.length; k++) for (let r = 0; r < 8; r++) bad += runAgainstReference(<u32>(20261202 + 97 * k + r), caps[k], 1500);
    expect(bad).toBe(0);
    expect(completions).toBeGreaterThan(20000);
    expect(batched).toBeGreaterThan(2000);
  });
});
