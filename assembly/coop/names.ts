// Board-file names for pins, ADC channels, UARTs and bus devices, resolved
// through the board's `resolve` import (docs/abi.md, "Names"). One firmware
// then runs on every board that has the names it asks for: the LED is "LED"
// whether the board wires it to pin 0 or pin 5.
//
// Resolve at init (top-level code or before a task's first await): names are
// looked up once, and the number is kept. A name the board lacks stops the
// firmware at start-up with a report from the board (kind, name, board), so
// no code runs on with a wrong number; `optional*` asks instead, for firmware
// that adapts to boards without a pin or an ADC channel (the demo runs on
// QEMU, which has neither).

import { resolve } from "./board";
import { encodeUtf8, scratchA, SCRATCH_SIZE } from "./text";
import { NAME_PIN, NAME_ADC, NAME_UART, NAME_BUS, NAME_OPTIONAL } from "./abi_gen";

export { NAME_PIN, NAME_ADC, NAME_UART, NAME_BUS, NAME_OPTIONAL };

/** What `optional*` gives for a name the board does not have: every import refuses it with EBADPORT. */
export const ABSENT: u32 = 0xffffffff;

function lookup(kind: u32, name: string): u32 {
  const p = scratchA(); // free between imports: no allocation, even when called late
  const r = resolve(kind, p, <u32>encodeUtf8(name, p, SCRATCH_SIZE));
  return r < 0 ? ABSENT : <u32>r;
}

/** The pin the board file calls `name` ("LED"). Unknown: the board stops the firmware at start-up. */
export function pinNamed(name: string): u32 { return lookup(NAME_PIN, name); }
/** The ADC channel the board file calls `name` ("POT"). */
export function adcChannelNamed(name: string): u32 { return lookup(NAME_ADC, name); }
/** The UART port the board file calls `name` ("UART0"). */
export function uartPortNamed(name: string): u32 { return lookup(NAME_UART, name); }
/** The 7-bit bus address of the device the board file calls `name` ("TS1"). */
export function busDeviceNamed(name: string): u32 { return lookup(NAME_BUS, name); }

/** Like pinNamed, but a board without the pin gives ABSENT instead of stopping the firmware. */
export function optionalPin(name: string): u32 { return lookup(NAME_PIN | NAME_OPTIONAL, name); }
/** Like adcChannelNamed, but a board without the channel gives ABSENT. */
export function optionalAdcChannel(name: string): u32 { return lookup(NAME_ADC | NAME_OPTIONAL, name); }
