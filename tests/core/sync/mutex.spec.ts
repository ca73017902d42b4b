import { Waker, Future, OK, spawn, abort, Sleep, millis, TaskId } from "../../../assembly/coop";
import { step } from "../../../assembly/coop/executor";
import { Mutex, Lock, Semaphore, Acquire, E_NOT_HELD, E_INVALID } from "../../../assembly/sync";
import { advance } from "../fake";
import { woke, clearWakes, Msg } from "./util";

const A: Waker = 1, B: Waker = 2, C: Waker = 3;

describe("Mutex", () => {
  it("hands ownership to waiters oldest first, with no gap for a newcomer", () => {
    clearWakes();
    const m = new Mutex<i32>(0);
    const la = new Lock<i32>(m), lb = new Lock<i32>(m), lc = new Lock<i32>(m), ld = new Lock<i32>(m);
    expect(la.poll(A)).toBe(true);
    expect(lc.poll(C)).toBe(false);
    expect(lb.poll(B)).toBe(false);
    m.data = 1;
    expect(la.unlock()).toBe(OK);
    expect(woke(C)).toBe(true);
    expect(woke(B)).toBe(false);
    expect(m.locked).toBe(true);      // already C's
    expect(ld.tryLock()).toBe(false); // nobody slips in
    expect(lc.poll(C)).toBe(true);
    expect(m.data).toBe(1);
    expect(lc.unlock()).toBe(OK);
    expect(woke(B)).toBe(true);
    expect(lb.poll(B)).toBe(true);
    expect(lb.unlock()).toBe(OK);
    expect(m.locked).toBe(false);
  });

  it("unlock is checked: a Lock that does not hold it changes nothing", () => {
    const m = new Mutex<Msg>(new Msg(1));
    const la = new Lock<Msg>(m), lb = new Lock<Msg>(m);
    expect(lb.unlock()).toBe(E_NOT_HELD);
    expect(la.tryLock()).toBe(true);
    expect(lb.unlock()).toBe(E_NOT_HELD);
    expect(m.locked).toBe(true);
    expect(m.badUnlocks).toBe(2);
    expect(la.unlock()).toBe(OK);
    expect(la.unlock()).toBe(E_NOT_HELD);
  });

  it("a cancelled lock never leaves the mutex locked, in any state", () => {
    clearWakes();
    const m = new Mutex<f64>(0);
    const la = new Lock<f64>(m), lb = new Lock<f64>(m), lc = new Lock<f64>(m);
    la.poll(A); lb.poll(B); lc.poll(C);
    lb.cancel();                    // waiting: leaves the queue
    expect(m.q.length).toBe(1);
    la.unlock();                    // handed to C
    expect(woke(C)).toBe(true);
    lc.cancel();                    // handed but not yet polled: passes it on (nobody) -> unlocked
    expect(m.locked).toBe(false);
    expect(la.poll(A)).toBe(true);
    la.cancel();                    // held: cancel unlocks
    expect(m.locked).toBe(false);
  });

  it("aborting a task that holds the mutex across a sleep frees it for the next waiter", () => {
    const m = new Mutex<i32>(0);
    const holder = new Holder(m);
    const waiter = new Holder(m);
    const h: TaskId = spawn(holder, "holder");
    spawn(waiter, "waiter");
    step();
    expect(holder.lock.held).toBe(true);
    expect(waiter.lock.held).toBe(false);
    abort(h);
    step();
    expect(waiter.lock.held).toBe(true);
    advance(millis(10));
    step();
    expect(waiter.done).toBe(true);
    expect(m.locked).toBe(false);
  });
});

// Locks, holds the mutex across a 10 ms sleep, unlocks.
class Holder extends Future {
  lock: Lock<i32>;
  sleep: Sleep = new Sleep(millis(10));
  done: bool = false;
  constructor(m: Mutex<i32>) { super(); this.lock = new Lock<i32>(m); }
  poll(w: Waker): bool {
    if (!this.lock.poll(w)) return false;
    if (!this.sleep.poll(w)) return false;
    this.lock.unlock();
    this.done = true;
    return true;
  }
  cancel(): void { this.sleep.cancel(); this.lock.cancel(); }
}

describe("Semaphore", () => {
  it("grants in strict FIFO order: a big request at the head holds back smaller ones", () => {
    clearWakes();
    const s = new Semaphore(3);
    const a = new Acquire(s, 2), b = new Acquire(s, 3), c = new Acquire(s, 1);
    expect(a.poll(A)).toBe(true);
    expect(s.permits).toBe(1);
    expect(b.poll(B)).toBe(false);
    expect(c.poll(C)).toBe(false); // 1 is free, but B is first
    expect(s.tryAcquire(1)).toBe(false);
    s.release(2);
    expect(woke(B)).toBe(true);
    expect(woke(C)).toBe(false);
    expect(b.poll(B)).toBe(true);
    expect(s.permits).toBe(0);
    s.release(3);
    expect(woke(C)).toBe(true);
    expect(c.poll(C)).toBe(true);
    expect(s.permits).toBe(2);
  });

  it("cancel: a waiting head lets the next through; granted permits go back", () => {
    clearWakes();
    const s = new Semaphore(2);
    const a = new Acquire(s, 2), b = new Acquire(s, 2), c = new Acquire(s, 1);
    a.poll(A);
    b.poll(B); c.poll(C);
    s.release(1);                 // 1 free; B (needs 2) blocks C
    expect(woke(C)).toBe(false);
    b.cancel();                   // C now fits
    expect(woke(C)).toBe(true);
    expect(c.poll(C)).toBe(true);
    expect(s.permits).toBe(0);
    b.poll(B);
    s.release(1); s.release(1);   // granted to B...
    expect(woke(B)).toBe(true);
    b.cancel();                   // ...and given back
    expect(s.permits).toBe(2);
  });

  it("refuses requests above its total instead of waiting forever", () => {
    const s = new Semaphore(2);
    const a = new Acquire(s, 3);
    expect(a.poll(A)).toBe(true);
    expect(a.error).toBe(E_INVALID);
    expect(s.permits).toBe(2);
  });
});
