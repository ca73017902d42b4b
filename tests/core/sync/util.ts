// Helpers shared by the sync specs: observing wakes without running the
// executor, a seeded PRNG, and a class type to instantiate generics with.

import { TASK_CAPACITY } from "../../../assembly/coop";
import { isReady, unready } from "../../../assembly/coop/ready";

/** True if task t was woken since the last check; clears its ready bit. */
export function woke(t: i32): bool {
  const r = isReady(t);
  unready(t);
  return r;
}

/** Forget every pending wake (so a spec starts from a clean ready set). */
export function clearWakes(): void {
  for (let i = 0; i < TASK_CAPACITY; i++) unready(i);
}

/** Deterministic xorshift32: the same seed gives the same sequence. */
export class Rng {
  constructor(public s: u32) { if (s == 0) this.s = 0x9e3779b9; }
  next(): u32 {
    let x = this.s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    this.s = x;
    return x;
  }
  /** Uniform-ish in [0, n). */
  below(n: u32): u32 { return this.next() % n; }
}

/** A class type for the generic primitives. */
export class Msg {
  constructor(public id: i32) {}
}
