// What TypeScript tooling (tsc, editors) needs to check firmware that uses
// `async function` and `await` (`npm run check:firmware`; assembly/tsconfig.json).
// The build (host/async/) turns each async function into a Future class; to
// TypeScript it returns a Promise, which is given here the Future members so
// that `spawn(task())` and awaiting a Future type-check as they compile.

interface Promise<T> {
  /** The returned value, once the machine completed (the build: __CoopAsyncOf<T>.value). */
  readonly value: T;
  poll(waker: i32): bool;
  cancel(): void;
  readonly awaitSite: string;
}
interface PromiseLike<T> {}
interface PromiseConstructor {}
declare var Promise: PromiseConstructor;
