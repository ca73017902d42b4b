// Driver for the TS1 I2C temperature sensor of the simulated board
// (docs/simulator.md: address 0x48, TEMP_H/TEMP_L big-endian signed 0.01 °C,
// ID register 0x03 = 0x54).

import { Future, Waker } from "../coop/future";
import { BusTransfer } from "./bus";
import { OK, E_DEVICE } from "./errors";

export const TS1_ADDR: u32 = 0x48;
export const TS1_REG_TEMP_H: u8 = 0x00;
export const TS1_REG_ID: u8 = 0x03;
export const TS1_ID: i32 = 0x54;

/**
 * Reads the temperature: `centiC` is hundredths of a degree Celsius
 * (2345 = 23.45 °C). The first read, and the first after an error, checks the
 * ID register first, so a wrong device at the address is reported rather
 * than misread.
 * Waits on: the BUS interrupt (through BusTransfer), one or two transfers.
 * Completes: with `error` OK and `centiC` set; EBADPORT if no device
 * answered; E_DEVICE if the ID register is not 0x54 or a read came back
 * short.
 * Cancel: cancels the running transfer (see BusTransfer); the ID check is
 * redone at the next poll if it had not finished.
 */
export class Ts1Read extends Future {
  centiC: i32 = 0;
  error: i32 = OK;
  private checked: bool = false;
  private stage: u8 = 0; // 0 start, 1 ID transfer running, 2 TEMP transfer running
  private xfer: BusTransfer;

  constructor(addr: u32 = TS1_ADDR) {
    super();
    this.xfer = new BusTransfer(addr, 1, 2);
  }

  poll(w: Waker): bool {
    const x = this.xfer;
    while (true) {
      if (this.stage == 0) {
        x.out.clear().byte(this.checked ? TS1_REG_TEMP_H : TS1_REG_ID);
        x.readLen = this.checked ? 2 : 1;
        this.stage = this.checked ? 2 : 1;
      }
      if (!x.poll(w)) return false;
      const idStage = this.stage == 1;
      this.stage = 0;
      if (x.error != OK) return this.fail(x.error);
      if (idStage) {
        if (x.input.len != 1 || x.input.at(0) != TS1_ID) return this.fail(E_DEVICE);
        this.checked = true;
        continue;
      }
      if (x.input.len != 2) return this.fail(E_DEVICE);
      this.centiC = <i32><i16>((x.input.at(0) << 8) | x.input.at(1));
      this.error = OK;
      return true;
    }
  }

  private fail(e: i32): bool {
    this.error = e;
    this.checked = false;
    return true;
  }

  cancel(): void {
    this.xfer.cancel();
    this.stage = 0;
  }
}
