// ADC driver: a reusable future that reads one channel (start a conversion,
// wait for the ADC interrupt, read the result), over adc_start / adc_read
// and the ADC interrupt line.

import { Future, Waker } from "../coop/future";
import { WaitIrq } from "../coop/irq";
import { adc_start, adc_read, IRQ_ADC, BOARD_EBUSY, BOARD_ENOTREADY } from "../coop/board";
import { OK } from "./errors";
import { adcChannelNamed } from "../coop/names";

const IDLE: u8 = 0;
const CONVERTING: u8 = 1;
/** Cancelled while converting: the next poll first waits that conversion out. */
const ORPHANED: u8 = 2;
/** adc_start said EBUSY: waiting for the running conversion's interrupt. */
const WAIT_FREE: u8 = 3;

/**
 * Reads one ADC channel: `value` is 0..4095 (12 bits).
 *
 * The board has one converter. If another read holds it (adc_start returns
 * EBUSY), this one waits for the ADC interrupt and tries again, so several
 * AdcRead futures (e.g. a sampler and a shell command) can share it.
 * Waits on: the ADC interrupt line.
 * Completes: when its conversion is done, with `value` set and `error` OK;
 * or with `error` = EBADPORT (no such channel) at once, or ENOTREADY if the
 * board reported no result.
 * Cancel: stops waiting; the conversion already started finishes on the
 * board and its result is discarded: the next poll of this future waits for
 * it before starting a new one, so it never returns a stale value.
 * `channel` (or `read(ch)`) may be changed at any time; a running
 * conversion keeps its channel.
 */
export class AdcRead extends Future {
  value: i32 = 0;
  error: i32 = OK;
  private state: u8 = IDLE;
  /** The channel of the conversion started (read back at its end, whatever `channel` says by then). */
  private active: u32 = 0;
  private irq: WaitIrq = new WaitIrq(IRQ_ADC);

  constructor(public channel: u32) { super(); }

  /** Reads the channel the board file calls `name` ("POT"); a board without it stops the firmware at start-up. */
  static named(name: string): AdcRead {
    return new AdcRead(adcChannelNamed(name));
  }

  /**
   * Read channel `ch` next and return this, to await it:
   * `await adc.read(2); if (adc.error == OK) use(adc.value)`. A conversion
   * already running completes with its own channel's result; the new
   * channel applies from the next conversion started.
   */
  read(ch: u32): AdcRead {
    this.channel = ch;
    return this;
  }

  poll(w: Waker): bool {
    while (true) {
      if (this.state == WAIT_FREE || this.state == ORPHANED) {
        // Another conversion is running (or our abandoned one): its interrupt comes first.
        if (!this.irq.poll(w)) return false;
        this.state = IDLE;
      }
      if (this.state == IDLE) {
        const ch = this.channel;
        const r = adc_start(ch);
        if (r == BOARD_EBUSY) { this.state = WAIT_FREE; continue; }
        if (r < 0) { this.error = r; return true; }
        this.active = ch;
        this.state = CONVERTING;
      }
      if (!this.irq.poll(w)) return false;
      this.state = IDLE;
      const v = adc_read(this.active);
      if (v < 0) {
        this.error = v == BOARD_EBUSY ? BOARD_ENOTREADY : v;
        return true;
      }
      this.error = OK;
      this.value = v;
      return true;
    }
  }

  cancel(): void {
    this.irq.cancel();
    if (this.state == CONVERTING) this.state = ORPHANED;
    else if (this.state == WAIT_FREE) this.state = IDLE;
  }
}
