// GPIO driver: an output pin helper and a reusable "wait for an edge" future,
// over gpio_write / gpio_read / gpio_irq and the GPIO<n> interrupt lines.

import { Future, Waker } from "../coop/future";
import { WaitIrq, irqClearKept } from "../coop/irq";
import { gpio_write, gpio_read, gpio_irq, IRQ_GPIO_BASE, BOARD_EBADPORT } from "../coop/board";
import { GPIO_PINS, EDGE_RISING, EDGE_FALLING, EDGE_BOTH } from "../coop/abi_gen";
import { OK } from "./errors";
import { pinNamed } from "../coop/names";

/** Edge selections for WaitEdge (the ABI's gpio_irq values, boards/abi/abi.json). */
export { EDGE_RISING, EDGE_FALLING, EDGE_BOTH };

/**
 * A pin driven by the firmware. Keeps the level it last wrote, so `toggle`
 * does not depend on reading an output back. Not a future: writes take
 * effect at once. Each call returns 0 or the board's error (EBADPORT when
 * the board has no such pin; the remembered level still changes, so a board
 * without the pin behaves like one whose pin is not connected).
 */
export class OutputPin {
  /** The level last written (0 or 1). */
  level: u32 = 0;
  constructor(public readonly pin: u32) {}

  /** The output the board file calls `name` ("LED"); a board without it stops the firmware at start-up. */
  static named(name: string): OutputPin {
    return new OutputPin(pinNamed(name));
  }

  set(level: u32): i32 {
    this.level = level != 0 ? 1 : 0;
    return gpio_write(this.pin, this.level);
  }

  toggle(): i32 {
    return this.set(this.level ^ 1);
  }
}

/** Read a pin's level: 0, 1, or EBADPORT. */
export function readPin(pin: u32): i32 {
  return gpio_read(pin);
}

/**
 * Waits for an edge on an input pin.
 *
 * Arms the pin's edge interrupt at the first poll and keeps it armed after
 * completing, so an edge that happens between two waits is not lost: the
 * next wait completes at once (several such edges count as one, as a
 * hardware pending bit does).
 * Waits on: interrupt line GPIO<pin> (16 + pin).
 * Completes: at the next edge, with `level` = the pin's level read just
 * after it; or at once with `error` = EBADPORT (no such pin, or pin > 15).
 * Cancel: disarms the edge interrupt and forgets any kept edge; edges
 * after the cancel are not seen until the next poll re-arms it.
 */
export class WaitEdge extends Future {
  error: i32 = OK;
  /** The pin's level after the edge (0 or 1). */
  level: i32 = 0;
  private armed: bool = false;
  private edge: WaitIrq;

  constructor(public readonly pin: u32, public readonly edges: u32 = EDGE_BOTH) {
    super();
    this.edge = new WaitIrq(IRQ_GPIO_BASE + <i32>(pin & (GPIO_PINS - 1)));
  }

  /** Waits for edges on the input the board file calls `name` ("BUTTON"); a board without it stops the firmware at start-up. */
  static named(name: string, edges: u32 = EDGE_BOTH): WaitEdge {
    return new WaitEdge(pinNamed(name), edges);
  }


  poll(w: Waker): bool {
    if (!this.armed) {
      const r = this.pin >= GPIO_PINS ? BOARD_EBADPORT : gpio_irq(this.pin, this.edges);
      if (r < 0) { this.error = r; return true; }
      this.armed = true;
    }
    if (!this.edge.poll(w)) return false;
    this.error = OK;
    const l = gpio_read(this.pin);
    if (l < 0) this.error = l;
    else this.level = l;
    return true;
  }

  cancel(): void {
    this.edge.cancel();
    if (this.armed) {
      this.armed = false;
      gpio_irq(this.pin, 0);
      irqClearKept(IRQ_GPIO_BASE + <i32>this.pin);
    }
  }
}
