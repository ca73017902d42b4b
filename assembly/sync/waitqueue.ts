// A first-come first-served wait list with no storage of its own: the waiting
// futures are the list nodes (an intrusive doubly linked list, as in tokio's
// and embassy's sync primitives). Enqueue, dequeue and removal from the middle
// (a cancelled waiter leaving) are O(1) and never allocate, and the number of
// waiters is bounded only by the number of wait futures built at init.

import { Future, Waker, NO_WAKER, wake } from "../coop";

/** Waiter.qGrant: not granted. */
export const GRANT_NONE: i32 = 0;
/** Waiter.qGrant: granted something that must be passed on if the waiter is cancelled (an item, a lock, permits, a notifyOne). */
export const GRANT_ONE: i32 = 1;
/** Waiter.qGrant: woken by a broadcast (notifyAll, a new Watch value, close); nothing to pass on. */
export const GRANT_ALL: i32 = 2;

/**
 * Base of every sync future that can wait in a WaitQueue. The fields are the
 * queue's bookkeeping; only the owning primitive touches them.
 */
export abstract class Waiter extends Future {
  qPrev: Waiter | null = null;
  qNext: Waiter | null = null;
  /** True while linked into a queue. */
  qQueued: bool = false;
  /** Set by the primitive when it dequeues this waiter and wakes it (GRANT_*). */
  qGrant: i32 = GRANT_NONE;
  /** The task to wake; updated on every poll, so a future may move between tasks. */
  qWaker: Waker = NO_WAKER;
}

/** A FIFO of Waiters. Cost: 12 bytes of fields plus an object header. */
export class WaitQueue {
  head: Waiter | null = null;
  tail: Waiter | null = null;
  length: i32 = 0;

  /** True if nobody waits. */
  // @ts-ignore: decorator
  @inline get isEmpty(): bool { return this.head === null; }

  /** Append n with waker w; if n is already queued only its waker is updated (it keeps its place). */
  push(n: Waiter, w: Waker): void {
    n.qWaker = w;
    if (n.qQueued) return;
    n.qQueued = true;
    n.qNext = null;
    const t = this.tail;
    n.qPrev = t;
    if (t) t.qNext = n; else this.head = n;
    this.tail = n;
    this.length++;
  }

  /** Unlink n if it is queued (safe to call when it is not). */
  remove(n: Waiter): void {
    if (!n.qQueued) return;
    // qPrev/qNext of an unqueued node are stale, not cleared: push sets both before reading them.
    const p = n.qPrev, x = n.qNext;
    if (p) p.qNext = x; else this.head = x;
    if (x) x.qPrev = p; else this.tail = p;
    n.qQueued = false;
    this.length--;
  }

  /** Dequeue the oldest waiter, mark it with `grant` and wake its task. Returns it, or null if none waits. */
  grantFront(grant: i32 = GRANT_ONE): Waiter | null {
    const n = this.head;
    if (!n) return null;
    const x = n.qNext; // unlinking the head needs no qPrev
    this.head = x;
    if (x) x.qPrev = null; else this.tail = null;
    n.qQueued = false;
    this.length--;
    n.qGrant = grant;
    wake(n.qWaker);
    return n;
  }

  /** Dequeue every waiter, oldest first, marking each with `grant` and waking it. Returns how many. */
  grantAll(grant: i32 = GRANT_ALL): i32 {
    let k = 0;
    while (this.grantFront(grant)) k++;
    return k;
  }

  /** Wake the oldest waiter's task without dequeuing it (it keeps its place). */
  wakeFront(): void {
    const n = this.head;
    if (n) wake(n.qWaker);
  }
}
