// The "one await, one operation" forms of the sync futures: Send.send(v),
// Acquire.acquire(n), PipeWrite.write(buf, len), PipeRead.read(buf) and
// Next.ended. Each returns the future itself, configured for the next
// operation, which is what `await x.method(arg)` polls.
import { Waker, OK } from "../../../assembly/coop";
import { Channel, Send, Recv, Semaphore, Acquire, Pipe, PipeWrite, PipeRead, RecvStream, Next, E_CLOSED } from "../../../assembly/sync";
import { heapTop } from "../fake";
import { woke, clearWakes } from "./util";

const A: Waker = 1, B: Waker = 2, R: Waker = 3;

describe("Send.send(v)", () => {
  it("sets the value and returns the send; one Send reused for many values", () => {
    clearWakes();
    const ch = new Channel<i32>(2);
    const tx = ch.sender();
    const rx = ch.receiver();
    expect(tx.send(5) === tx).toBe(true);
    expect(tx.poll(A)).toBe(true);
    expect(tx.send(6).poll(A)).toBe(true);
    expect(tx.send(7).poll(A)).toBe(false); // full: waits
    tx.send(8); // replaces the waiting value (nothing sent yet)
    expect(rx.poll(R)).toBe(true);
    expect(rx.value).toBe(5);
    expect(woke(A)).toBe(true);
    expect(tx.poll(A)).toBe(true);
    expect(tx.error).toBe(OK);
    expect(rx.poll(R)).toBe(true);
    expect(rx.value).toBe(6);
    expect(rx.poll(R)).toBe(true);
    expect(rx.value).toBe(8);
    ch.close();
    expect(tx.send(9).poll(A)).toBe(true);
    expect(tx.error).toBe(E_CLOSED);
  });

  it("sends without allocating", () => {
    const ch = new Channel<i32>(4);
    const tx = ch.sender();
    const rx = ch.receiver();
    const h0 = heapTop();
    let sum = 0;
    for (let i = 0; i < 500; i++) {
      tx.send(i).poll(A);
      rx.poll(R);
      sum += rx.value;
    }
    const h1 = heapTop();
    expect(h1).toBe(h0);
    expect(sum).toBe(499 * 500 / 2);
  });
});

describe("Acquire.acquire(n)", () => {
  it("asks for n permits; a different n on a waiting request re-queues it at the back", () => {
    clearWakes();
    const s = new Semaphore(3);
    const a = s.acquirer(1);
    const b = s.acquirer(1);
    expect(a.acquire(2) === a).toBe(true);
    expect(a.poll(A)).toBe(true); // 1 left
    expect(a.n).toBe(2);
    expect(b.acquire(2).poll(B)).toBe(false); // waits for 2
    const c = s.acquirer(1);
    expect(c.poll(3)).toBe(false); // behind b (FIFO), although 1 is free
    b.acquire(3); // withdraws b's request: c is now the head and fits
    expect(s.permits).toBe(0);
    expect(c.poll(3)).toBe(true);
    expect(b.poll(B)).toBe(false); // b queued again, for 3
    s.release(2); s.release(1);
    expect(woke(B)).toBe(true);
    expect(b.poll(B)).toBe(true);
    expect(b.error).toBe(OK);
    expect(s.permits).toBe(0);
    expect(b.acquire(4).poll(B)).toBe(true); // more than the semaphore has: at once, with E_INVALID
    expect(b.error).not.toBe(OK);
  });
});

describe("PipeWrite.write / PipeRead.read", () => {
  it("configure the next write and read and return the future", () => {
    clearWakes();
    const p = new Pipe(8);
    const w = new PipeWrite(p);
    const r = new PipeRead(p);
    const src = new StaticArray<u8>(5);
    for (let i = 0; i < 5; i++) src[i] = <u8>(0x61 + i);
    const dst = new StaticArray<u8>(8);
    expect(w.write(src, 3) === w).toBe(true);
    expect(w.poll(A)).toBe(true);
    expect(w.written).toBe(3);
    expect(w.write(src).poll(A)).toBe(true); // the whole buffer
    expect(w.written).toBe(5);
    expect(r.read(dst) === r).toBe(true);
    expect(r.poll(R)).toBe(true);
    expect(r.count).toBe(8);
    expect(dst[2]).toBe(0x63);
    expect(dst[3]).toBe(0x61);
    // A write in flight given new bytes: the rest of the old ones is given up.
    expect(w.write(src, 5).poll(A)).toBe(true);
    expect(w.write(src, 5).poll(A)).toBe(false); // 3 of 5 fit
    expect(w.written).toBe(3);
    const two = new StaticArray<u8>(2);
    two[0] = 0x7a; two[1] = 0x7a;
    w.write(two);
    expect(r.read(dst).poll(R)).toBe(true);
    expect(r.count).toBe(8);
    expect(w.poll(A)).toBe(true);
    expect(r.read(dst).poll(R)).toBe(true);
    expect(r.count).toBe(2);
    expect(dst[0]).toBe(0x7a);
  });
});

describe("Next.ended", () => {
  it("tells an item from the end of the stream", () => {
    const ch = new Channel<i32>(2);
    const next = new Next<i32>(new RecvStream<i32>(ch));
    ch.trySend(4);
    expect(next.poll(A)).toBe(true);
    expect(next.ended).toBe(false);
    expect(next.item).toBe(4);
    expect(next.poll(A)).toBe(false);
    ch.close();
    expect(next.poll(A)).toBe(true);
    expect(next.ended).toBe(true);
  });
});
