// Run-time support for `async function` (docs/runtime.md, "async functions").
// The build-time transform (host/async/) turns each async function into a
// class extending __CoopAsync; the names here are @global because generated
// code must reach them from any firmware file, whatever that file imports.
// Everything is inlined or resolved at compile time: an async task costs what
// the same hand-written state machine costs.

import { Future, Waker } from "./future";

/** Base of every generated async state machine. `$s` is the state: 0 = the start of the code after the prologue. */
// @ts-ignore: decorator
@global export abstract class __CoopAsync extends Future {
  $s: i32 = 0;
}

/**
 * Base of the machine of an async function returning `Promise<R>`, R not
 * void; `value` is the returned value once it completed. `Promise<R>` in a
 * type position of firmware means this type (the build rewrites it), so a
 * JoinSet, JoinHandle, Select2 or field can hold any async function's
 * machine: `new JoinSet<Promise<i32>>(4)`, `set.next.future!.value`.
 */
// @ts-ignore: decorator
@global export abstract class __CoopAsyncOf<R> extends __CoopAsync {
  value: R = __coop_zero<R>();
}

/** Cancels a field the machine owns if it is a future; resolved at compile time (nothing for non-futures). */
// @ts-ignore: decorator
@global @inline export function __coop_release<T>(x: T): void {
  if (isReference<T>()) {
    // @ts-ignore: T is a Future in this branch
    if (x instanceof Future) x.cancel();
  }
}

/** Polls a future held as a raw reference (an await on an expression evaluated once, not a path). */
// @ts-ignore: decorator
@global @inline export function __coop_poll(f: usize, w: Waker): bool {
  return changetype<Future>(f).poll(w);
}

/** Cancels a future held as a raw reference, if there is one. */
// @ts-ignore: decorator
@global @inline export function __coop_cancel(f: usize): void {
  if (f) changetype<Future>(f).cancel();
}

/** The zero value of T: 0, false, or a null reference (a field not yet assigned by the running code). */
// @ts-ignore: decorator
@global @inline export function __coop_zero<T>(): T {
  if (isReference<T>()) return changetype<T>(0);
  // @ts-ignore: T is a number type here
  return <T>0;
}
