// Controls of the HAL fake peripherals (fake-hal.js), plus spec helpers.

import { dispatchIrqs } from "../../../assembly/coop/irq";
import { isReady, unready } from "../../../assembly/coop/ready";

@external("halfake", "rx_push") export declare function rxPush(port: u32, byte: u32): void;
@external("halfake", "tx_room") export declare function txRoom(port: u32, n: i32): void;
@external("halfake", "tx_len") export declare function txLen(port: u32): i32;
@external("halfake", "tx_byte") export declare function txByte(port: u32, i: i32): i32;
@external("halfake", "tx_clear") export declare function txClear(port: u32): void;
@external("halfake", "overrun_add") export declare function overrunAdd(port: u32, n: i32): void;
@external("halfake", "adc_set") export declare function adcSet(ch: u32, v: i32): void;
@external("halfake", "adc_running") export declare function adcRunning(): i32;
@external("halfake", "adc_starts") export declare function adcStarts(): i32;
@external("halfake", "adc_finish") export declare function adcFinish(): i32;
@external("halfake", "gpio_irq_mode") export declare function gpioIrqMode(pin: u32): u32;
@external("halfake", "gpio_input") export declare function gpioInput(pin: u32, level: u32): void;
@external("halfake", "bus_addr") export declare function busAddr(a: u32): void;
@external("halfake", "bus_reg") export declare function busReg(r: u32, v: u32): void;
@external("halfake", "bus_transfers") export declare function busTransfers(): i32;
@external("halfake", "bus_running") export declare function busRunning(): i32;
@external("halfake", "bus_finish") export declare function busFinish(): i32;

/** The waker the specs poll with (a slot no spec spawns into). */
export const W: i32 = 7;

/** Deliver the fake board's pending IRQ flags, as the executor does between batches. */
export function deliver(): void {
  dispatchIrqs();
}

/** True if W was woken since the last call (and clears the bit). */
export function woken(): bool {
  const r = isReady(W);
  unready(W);
  return r;
}

/** Push an ASCII string into UART port RX. */
export function rxStr(port: u32, s: string): void {
  for (let i = 0; i < s.length; i++) rxPush(port, <u32>s.charCodeAt(i));
}

/** The TX bytes of a port as a string (ASCII); allocates, for assertions only. */
export function txStr(port: u32): string {
  let s = "";
  const n = txLen(port);
  for (let i = 0; i < n; i++) s += String.fromCharCode(txByte(port, i));
  return s;
}
