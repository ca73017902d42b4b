// I2C bus driver: a reusable write-then-read transfer future over
// bus_transfer / bus_status and the BUS interrupt line.

import { Future, Waker } from "../coop/future";
import { WaitIrq } from "../coop/irq";
import { bus_transfer, bus_status, IRQ_BUS, BOARD_EBUSY, BOARD_ENOTREADY } from "../coop/board";
import { ByteBuf } from "./buf";
import { OK } from "./errors";

const IDLE: u8 = 0;
const RUNNING: u8 = 1;
/** bus_transfer said EBUSY: waiting for the running transfer's interrupt. */
const WAIT_FREE: u8 = 2;

/**
 * One write-then-read transfer with the 7-bit device `addr`: fill `out`
 * (the bytes to write, e.g. a register number), set `readLen`, poll until
 * complete; the bytes read are then in `input`.
 *
 * The board copies `out` when the transfer starts and writes `input` before
 * it raises the BUS interrupt, so both buffers are static and never move.
 * Waits on: the BUS interrupt line (also while another transfer holds the
 * bus: bus_transfer returned EBUSY).
 * Completes: when bus_status reports the result: `input.len` bytes read and
 * `error` OK; or `error` = EBADPORT (no device answered), EBADPTR, or
 * another board error. A wake while bus_status still says ENOTREADY (an
 * interrupt that belonged to an earlier transfer) just waits again.
 * Cancel: stops waiting; a started transfer finishes on the board (it may
 * still write `input`), and the next poll starts a new one once the bus is
 * free. `out` is kept.
 */
export class BusTransfer extends Future {
  out: ByteBuf;
  input: ByteBuf;
  /** Bytes to read after writing `out` (at most `input.capacity`). */
  readLen: i32 = 0;
  error: i32 = OK;
  private state: u8 = IDLE;
  private irq: WaitIrq = new WaitIrq(IRQ_BUS);

  constructor(public addr: u32, writeCapacity: i32, readCapacity: i32) {
    super();
    this.out = new ByteBuf(writeCapacity);
    this.input = new ByteBuf(readCapacity);
  }

  // Fluent configuration: each sets up the next transfer and returns this,
  // to await it. A transfer already started is not changed (the board copied
  // `out` and took the address and length when it started).

  /** Talk to device `addr` (7-bit) from the next transfer. */
  at(addr: u32): BusTransfer {
    this.addr = addr;
    return this;
  }

  /** Empty `out` (the bytes to write). */
  clear(): BusTransfer {
    this.out.clear();
    return this;
  }

  /** Append one byte to `out`. */
  write(b: u32): BusTransfer {
    this.out.byte(b);
    return this;
  }

  /** Read `n` bytes after writing `out` (sets `readLen`). */
  read(n: i32): BusTransfer {
    this.readLen = n;
    return this;
  }

  /**
   * Read `n` bytes of register `r`: `out` becomes the single byte r. So
   * `await i2c.reg(0x03, 1); if (i2c.error == OK) use(i2c.input.at(0))`.
   */
  reg(r: u32, n: i32): BusTransfer {
    this.out.clear().byte(r);
    this.readLen = n;
    return this;
  }

  poll(w: Waker): bool {
    while (true) {
      if (this.state == WAIT_FREE) {
        if (!this.irq.poll(w)) return false;
        this.state = IDLE;
      }
      if (this.state == IDLE) {
        let rlen = this.readLen;
        if (rlen > this.input.capacity) rlen = this.input.capacity;
        if (rlen < 0) rlen = 0;
        this.input.clear();
        const r = bus_transfer(this.addr, this.out.ptr, <u32>this.out.len, this.input.ptr, <u32>rlen);
        if (r == BOARD_EBUSY) { this.state = WAIT_FREE; continue; }
        if (r < 0) { this.error = r; return true; }
        this.state = RUNNING;
      }
      const s = bus_status();
      if (s == BOARD_ENOTREADY) {
        if (!this.irq.poll(w)) return false;
        continue;
      }
      this.state = IDLE;
      this.irq.cancel();
      if (s < 0) { this.error = s; return true; }
      this.error = OK;
      this.input.len = s > this.input.capacity ? this.input.capacity : s;
      return true;
    }
  }

  cancel(): void {
    this.irq.cancel();
    this.state = IDLE;
  }
}
