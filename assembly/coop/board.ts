// Board ABI v1: the imports. This file is the only door from the firmware to
// the world; docs/abi.md is the contract each board implements.
//
// Rules every board follows (see docs/abi.md for the details):
// - Imports are called only from inside `_start` or `coop_step`, never
//   re-entrantly, never from an interrupt handler.
// - Every pointer/length pair is checked by the board against linear memory;
//   a bad one gets BOARD_EBADPTR, never a crash.
// - Times are ticks of the board's monotonic clock (`tick_hz` per second).

// The ABI version, the error codes (BOARD_EBADPORT: no such UART / pin /
// channel / bus; BOARD_EBADPTR: pointer or length outside linear memory;
// BOARD_EBUSY: peripheral busy; BOARD_ENOTREADY: no result yet) and the
// logical interrupt lines (GPIO pin p raises IRQ_GPIO_BASE + p) come from
// boards/abi/abi.json, the one definition every board shares.
export {
  ABI_VERSION, BOARD_EBADPORT, BOARD_EBADPTR, BOARD_EBUSY, BOARD_ENOTREADY,
  IRQ_ALARM, IRQ_UART0_RX, IRQ_UART0_TX, IRQ_UART1_RX, IRQ_UART1_TX, IRQ_ADC, IRQ_BUS, IRQ_SOFT, IRQ_GPIO_BASE,
} from "./abi_gen";

// ---- time -------------------------------------------------------------

/** Ticks per second of the board clock (constant for the life of the module). */
// @ts-ignore: decorator
@external("board", "tick_hz") export declare function tick_hz(): u32;
/** Monotonic time in ticks; never goes backwards. */
// @ts-ignore: decorator
@external("board", "now") export declare function now(): i64;
/** One-shot alarm at an absolute tick; raises IRQ_ALARM when due. -1 disarms. */
// @ts-ignore: decorator
@external("board", "set_alarm") export declare function set_alarm(at: i64): void;

// ---- interrupts -------------------------------------------------------

/** Read and clear all pending interrupt flags, atomically against ISRs. Bit n = line n. */
// @ts-ignore: decorator
@external("board", "irq_take") export declare function irq_take(): u32;
/**
 * 1 while no interrupt flag has been raised since the last irq_take; 0 when
 * one may have been (the board sets it to 0 after it raises a flag, and to 1
 * in irq_take once the flags are cleared). A board that does not keep it
 * leaves it at 0, and the executor then takes the flags before every batch,
 * as it would anyway: the global only saves the call of irq_take when it has
 * nothing to give. The one global of the ABI (docs/abi.md, board.irq_quiet).
 */
// @ts-ignore: decorator
@external("board", "irq_quiet") export declare let irq_quiet: i32;

// ---- UART -------------------------------------------------------------

/** Queue up to len bytes for transmission; returns bytes accepted (0 when the TX FIFO is full) or an error. */
// @ts-ignore: decorator
@external("board", "uart_write") export declare function uart_write(port: u32, ptr: usize, len: u32): i32;
/** Copy up to cap received bytes out of the RX FIFO; returns bytes copied (0 when empty) or an error. */
// @ts-ignore: decorator
@external("board", "uart_read") export declare function uart_read(port: u32, ptr: usize, cap: u32): i32;
/** Bytes lost to RX FIFO overrun since start (monotonic counter), or an error. */
// @ts-ignore: decorator
@external("board", "uart_overruns") export declare function uart_overruns(port: u32): i32;

// ---- GPIO -------------------------------------------------------------

/** Drive an output pin to 0 or 1. Returns 0 or an error. */
// @ts-ignore: decorator
@external("board", "gpio_write") export declare function gpio_write(pin: u32, level: u32): i32;
/** Read a pin's level (0 or 1) or an error. */
// @ts-ignore: decorator
@external("board", "gpio_read") export declare function gpio_read(pin: u32): i32;
/** Arm the edge interrupt of a pin: 0 off, 1 rising, 2 falling, 3 both. Returns 0 or an error. */
// @ts-ignore: decorator
@external("board", "gpio_irq") export declare function gpio_irq(pin: u32, edges: u32): i32;

// ---- ADC --------------------------------------------------------------

/** Start one conversion on a channel; IRQ_ADC is raised when it is done. Returns 0 or an error. */
// @ts-ignore: decorator
@external("board", "adc_start") export declare function adc_start(channel: u32): i32;
/** The last finished conversion of a channel (0..4095), BOARD_ENOTREADY, or an error. */
// @ts-ignore: decorator
@external("board", "adc_read") export declare function adc_read(channel: u32): i32;

// ---- bus (I2C) ----------------------------------------------------------

/** Start a write-then-read transfer with a bus device; IRQ_BUS is raised when done. Returns 0 or an error. */
// @ts-ignore: decorator
@external("board", "bus_transfer") export declare function bus_transfer(addr: u32, wptr: usize, wlen: u32, rptr: usize, rlen: u32): i32;
/** Result of the last transfer: bytes read, BOARD_ENOTREADY while running, or an error (e.g. no device: BOARD_EBADPORT). */
// @ts-ignore: decorator
@external("board", "bus_status") export declare function bus_status(): i32;

// ---- names ----------------------------------------------------------------

/**
 * The board's number for a name of its board file: kind NAME_PIN, NAME_ADC,
 * NAME_UART or NAME_BUS, the name as UTF-8 bytes. Returns the pin, channel,
 * port or 7-bit bus address. A name the board does not have never returns:
 * the board reports it (naming the kind, the name and the board) and stops
 * the firmware, so no code can go on with a wrong number. With NAME_OPTIONAL
 * or-ed into the kind, an unknown name returns BOARD_EBADPORT instead (for
 * firmware that adapts to a board without the part). Call it at init (the
 * HAL's `named` constructors do).
 */
// @ts-ignore: decorator
@external("board", "resolve") export declare function resolve(kind: u32, name: usize, nameLen: u32): i32;

// ---- diagnostics ----------------------------------------------------------

/** Write a UTF-8 line to the board's debug log. */
// @ts-ignore: decorator
@external("board", "log") export declare function log(ptr: usize, len: u32): void;
/** Runtime event for tracing; only called while tracing is enabled (coop_set_trace). */
// @ts-ignore: decorator
@external("board", "trace") export declare function trace(kind: u32, a: i32, b: i32): void;
/** Fatal error: UTF-8 message and file, line, column. The board reports it and stops the firmware; never returns. */
// @ts-ignore: decorator
@external("board", "panic") export declare function panic(msg: usize, msgLen: u32, file: usize, fileLen: u32, line: u32, col: u32): void;
