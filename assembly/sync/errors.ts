// Result codes of the sync primitives (negative i32, 0 = OK), kept apart from
// the core's codes (E_RANGE = -10) so a code says which layer produced it.

export { OK } from "../coop";

/** The primitive is full: a channel with no free slot, a oneshot already holding a value. */
export const E_FULL: i32 = -20;
/** The primitive was closed: no more values will come (receivers) or be accepted (senders). */
export const E_CLOSED: i32 = -21;
/** unlock() of a Lock that does not hold its mutex. Nothing changes. */
export const E_NOT_HELD: i32 = -22;
/** A request that can never be granted (e.g. more permits than a Semaphore was built with). */
export const E_INVALID: i32 = -23;

/**
 * The zero of any T: null for references, 0 for numbers. Used to initialise
 * generic value fields; a field holding it before the first value is
 * documented as "unspecified".
 */
// @ts-ignore: decorator
@inline export function zeroOf<T>(): T {
  if (isReference<T>()) return changetype<T>(0);
  // @ts-ignore: T is a number type here
  return <T>0;
}
