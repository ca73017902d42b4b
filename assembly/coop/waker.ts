// Wait lists built on task indices: a slot for one waiter, a set for many.
// Both are plain integers/bitsets, so registering and waking never allocate.

import { TASK_WORDS } from "./config";
import { Waker, NO_WAKER } from "./future";
import { wake } from "./ready";

/**
 * Holds at most one waker (like embassy's WakerRegistration). Registering a
 * different task while one is held wakes the old one first, so it can
 * re-register and no waiter is silently forgotten. Meant for one waiter: two
 * tasks registering in turn keep waking each other (a busy loop), so use a
 * WakerSet where several tasks may wait.
 */
export class WakerSlot {
  waker: Waker = NO_WAKER;

  /** Hold w (NO_WAKER is ignored by the wake). */
  register(w: Waker): void {
    const old = this.waker;
    if (old != NO_WAKER && old != w) wake(old);
    this.waker = w;
  }

  /** Wake the held waker, if any, and empty the slot. */
  wake(): void {
    const w = this.waker;
    if (w != NO_WAKER) {
      this.waker = NO_WAKER;
      wake(w);
    }
  }

  /** Empty the slot if it holds w (a cancelled waiter leaving). */
  remove(w: Waker): void {
    if (this.waker == w) this.waker = NO_WAKER;
  }

  /** Empty the slot without waking. */
  clear(): void {
    this.waker = NO_WAKER;
  }

  get isEmpty(): bool {
    return this.waker == NO_WAKER;
  }
}

/**
 * A set of waiting tasks: one bit per task slot. Waking all or the lowest
 * index is O(slots / 32). Order among waiters is by slot index, so primitives
 * that promise first-come first-served keep their own FIFO instead.
 *
 * Caveat: the bit is per task, not per future. Two futures of one task in the
 * same set share it, so `remove` on behalf of one (e.g. its cancel) also
 * unregisters the other, which then misses its wake. Primitives whose futures
 * may coexist in one task either keep the bit on cancel (a stale bit costs a
 * spurious wake, which every future tolerates) or keep a per-future wait
 * list, as the IRQ registry does.
 */
export class WakerSet {
  bits: StaticArray<u32> = new StaticArray<u32>(TASK_WORDS);

  /** Add a waiter (negative wakers are ignored). */
  add(w: Waker): void {
    if (w < 0) return;
    const i = w >> 5;
    unchecked(this.bits[i] = this.bits[i] | (1 << (w & 31)));
  }

  /** Remove a waiter (see the caveat above). */
  remove(w: Waker): void {
    if (w < 0) return;
    const i = w >> 5;
    unchecked(this.bits[i] = this.bits[i] & ~(1 << (w & 31)));
  }

  /** True if w is in the set. */
  has(w: Waker): bool {
    if (w < 0) return false;
    return (unchecked(this.bits[w >> 5]) & (1 << (w & 31))) != 0;
  }

  get isEmpty(): bool {
    for (let i = 0; i < TASK_WORDS; i++) if (unchecked(this.bits[i]) != 0) return false;
    return true;
  }

  /** Wake every waiter and empty the set. Returns how many were woken. */
  wakeAll(): i32 {
    let n = 0;
    for (let i = 0; i < TASK_WORDS; i++) {
      let b = unchecked(this.bits[i]);
      if (b == 0) continue;
      unchecked(this.bits[i] = 0);
      while (b != 0) {
        wake((i << 5) | <i32>ctz(b));
        b &= b - 1;
        n++;
      }
    }
    return n;
  }

  /** Wake the waiter with the lowest slot index and remove it. Returns it, or NO_WAKER. */
  wakeOne(): Waker {
    for (let i = 0; i < TASK_WORDS; i++) {
      const b = unchecked(this.bits[i]);
      if (b == 0) continue;
      const w = (i << 5) | <i32>ctz(b);
      unchecked(this.bits[i] = b & (b - 1));
      wake(w);
      return w;
    }
    return NO_WAKER;
  }
}
