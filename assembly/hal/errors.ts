// Error codes the HAL futures report in their `error` field. 0 is success;
// the board's own codes (-1..-4, docs/abi.md) pass through unchanged, and the
// HAL adds its own at -30 and below, apart from the core's (-10) and the sync
// primitives' (-20..-29), so a code says which layer produced it.

export { OK } from "../coop/future";
export { BOARD_EBADPORT, BOARD_EBADPTR, BOARD_EBUSY, BOARD_ENOTREADY } from "../coop/board";

/** UART: the RX FIFO overflowed while this read was running; bytes were lost before some of the data read. */
export const E_OVERRUN: i32 = -30;
/** UART line read: the line was longer than the buffer; the buffer holds its start, the rest was dropped. */
export const E_LINE_TOO_LONG: i32 = -31;
/** Sensor: the device answered with data that makes no sense (e.g. a wrong ID register). */
export const E_DEVICE: i32 = -32;
/** UART write: the message did not fit the write's buffer; what fit was sent, the rest was cut. */
export const E_TRUNCATED: i32 = -33;

/** A short, fixed name for an error code, for messages. */
export function errorName(e: i32): string {
  switch (e) {
    case 0: return "ok";
    case -1: return "no such port";
    case -2: return "bad pointer";
    case -3: return "busy";
    case -4: return "not ready";
    case -30: return "overrun";
    case -31: return "line too long";
    case -32: return "device error";
    case -33: return "truncated";
  }
  return "error";
}
