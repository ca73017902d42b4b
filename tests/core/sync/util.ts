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

export { Rng } from "../fake";

/** A class type for the generic primitives. */
export class Msg {
  constructor(public id: i32) {}
}
