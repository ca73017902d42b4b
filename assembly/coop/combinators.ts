// Combinators: run several futures inside one task.
//
// All of them poll their children in argument order with the task's own
// waker, so a wake from any child re-polls the combinator (that is when
// they wake: whenever a child wakes the task), which re-polls only the
// children that have not finished (polling a finished future would start it
// again). They are built once at init and reused: when one completes it is
// back in its idle state. Cancel semantics are on each class.

import { Future, Waker } from "./future";

/** Completes when both futures have completed. Cancel: cancels whichever has not finished. */
export class Join2<A extends Future, B extends Future> extends Future {
  private done: u32 = 0;
  constructor(public a: A, public b: B) { super(); }

  poll(w: Waker): bool {
    let d = this.done;
    if (!(d & 1) && this.a.poll(w)) d |= 1;
    if (!(d & 2) && this.b.poll(w)) d |= 2;
    if (d == 3) { this.done = 0; return true; }
    this.done = d;
    return false;
  }

  cancel(): void {
    if (!(this.done & 1)) this.a.cancel();
    if (!(this.done & 2)) this.b.cancel();
    this.done = 0;
  }
}

/** Completes when all three futures have completed. Cancel: cancels those not finished. */
export class Join3<A extends Future, B extends Future, C extends Future> extends Future {
  private done: u32 = 0;
  constructor(public a: A, public b: B, public c: C) { super(); }

  poll(w: Waker): bool {
    let d = this.done;
    if (!(d & 1) && this.a.poll(w)) d |= 1;
    if (!(d & 2) && this.b.poll(w)) d |= 2;
    if (!(d & 4) && this.c.poll(w)) d |= 4;
    if (d == 7) { this.done = 0; return true; }
    this.done = d;
    return false;
  }

  cancel(): void {
    if (!(this.done & 1)) this.a.cancel();
    if (!(this.done & 2)) this.b.cancel();
    if (!(this.done & 4)) this.c.cancel();
    this.done = 0;
  }
}

/** Completes when every future of the array has completed (an empty array: at once). Cancel: cancels those not finished. */
export class JoinAll extends Future {
  private done: StaticArray<bool>;
  private left: i32 = -1;
  constructor(public futures: StaticArray<Future>) {
    super();
    this.done = new StaticArray<bool>(futures.length);
  }

  poll(w: Waker): bool {
    const fs = this.futures;
    const n = fs.length;
    if (this.left < 0) this.left = n;
    for (let i = 0; i < n; i++) {
      if (unchecked(this.done[i])) continue;
      if (unchecked(fs[i]).poll(w)) {
        unchecked(this.done[i] = true);
        this.left--;
      }
    }
    if (this.left > 0) return false;
    this.reset();
    return true;
  }

  cancel(): void {
    const fs = this.futures;
    for (let i = 0, n = fs.length; i < n; i++) {
      if (!unchecked(this.done[i])) unchecked(fs[i]).cancel();
    }
    this.reset();
  }

  private reset(): void {
    for (let i = 0, n = this.done.length; i < n; i++) unchecked(this.done[i] = false);
    this.left = -1;
  }
}

/**
 * Completes when the first of two futures completes; `winner` is 0 or 1 and
 * the other is cancelled. Biased: `a` is polled first, so if both are ready
 * in the same poll, `a` wins. Cancel: cancels both.
 */
export class Select2<A extends Future, B extends Future> extends Future {
  winner: i32 = -1;
  constructor(public a: A, public b: B) { super(); }

  poll(w: Waker): bool {
    if (this.a.poll(w)) { this.b.cancel(); this.winner = 0; return true; }
    if (this.b.poll(w)) { this.a.cancel(); this.winner = 1; return true; }
    return false;
  }

  cancel(): void {
    this.a.cancel();
    this.b.cancel();
  }
}

/** Select2 over three futures; `winner` is 0, 1 or 2, the other two are cancelled. Biased in argument order. Cancel: cancels all three. */
export class Select3<A extends Future, B extends Future, C extends Future> extends Future {
  winner: i32 = -1;
  constructor(public a: A, public b: B, public c: C) { super(); }

  poll(w: Waker): bool {
    if (this.a.poll(w)) { this.b.cancel(); this.c.cancel(); this.winner = 0; return true; }
    if (this.b.poll(w)) { this.a.cancel(); this.c.cancel(); this.winner = 1; return true; }
    if (this.c.poll(w)) { this.a.cancel(); this.b.cancel(); this.winner = 2; return true; }
    return false;
  }

  cancel(): void {
    this.a.cancel();
    this.b.cancel();
    this.c.cancel();
  }
}

/**
 * Select over an array; `winner` is the index of the first to complete, the
 * rest are cancelled. Biased by index. An empty array never completes.
 * Cancel: cancels every child.
 */
export class SelectAll extends Future {
  winner: i32 = -1;
  constructor(public futures: StaticArray<Future>) { super(); }

  poll(w: Waker): bool {
    const fs = this.futures;
    for (let i = 0, n = fs.length; i < n; i++) {
      if (unchecked(fs[i]).poll(w)) {
        for (let j = 0; j < n; j++) if (j != i) unchecked(fs[j]).cancel();
        this.winner = i;
        return true;
      }
    }
    return false;
  }

  cancel(): void {
    const fs = this.futures;
    for (let i = 0, n = fs.length; i < n; i++) unchecked(fs[i]).cancel();
  }
}

/**
 * The first of two futures of the same type to complete; `winner` is that
 * future (read its output from it) and the loser is cancelled. Biased: `a`
 * first. Cancel: cancels both.
 */
export class Race<F extends Future> extends Future {
  winner: F | null = null;
  constructor(public a: F, public b: F) { super(); }

  poll(w: Waker): bool {
    if (this.a.poll(w)) { this.b.cancel(); this.winner = this.a; return true; }
    if (this.b.poll(w)) { this.a.cancel(); this.winner = this.b; return true; }
    return false;
  }

  cancel(): void {
    this.a.cancel();
    this.b.cancel();
  }
}
