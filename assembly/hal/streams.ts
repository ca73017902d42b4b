// The HAL's event sources as coop/sync Streams, so they compose with the
// stream adapters (MapStream, FilterStream, ForEach, Forward, ...):
// UART RX bytes and GPIO edges.

import { Waker } from "../coop/future";
import { WaitIrq } from "../coop/irq";
import { Stream, ITEM, PENDING, DONE } from "../sync/stream";
import { Uart, RX_EMPTY } from "./uart";
import { WaitEdge, EDGE_BOTH } from "./gpio";
import { OK } from "./errors";

/**
 * The bytes received on a UART port, one item per byte, taken from the
 * port's ring (see Uart). Never-ending; DONE only on a board error (the error
 * is then in `error`, e.g. EBADPORT).
 * Wakes on: the port's RX interrupt line, when no byte is waiting.
 * Cancel: stops waiting; no byte is lost (they stay in the ring or FIFO).
 * Do not read the same port with another reader at the same time.
 */
export class UartRxStream extends Stream<u8> {
  error: i32 = OK;
  private rx: WaitIrq;

  constructor(public uart: Uart) {
    super();
    this.rx = new WaitIrq(uart.rxLine);
  }

  pollNext(w: Waker): i32 {
    while (true) {
      const b = this.uart.takeByte();
      if (b >= 0) { this.item = <u8>b; return ITEM; }
      if (b != RX_EMPTY) { this.error = b; return DONE; }
      if (!this.rx.poll(w)) return PENDING;
    }
  }

  cancel(): void { this.rx.cancel(); }
}

/**
 * The edges of an input pin, one item per edge: the pin's level after it
 * (0 or 1). Edges between two pollNext calls coalesce into one (as WaitEdge).
 * DONE on a board error (no such pin), in `error`.
 * Wakes on: the pin's GPIO interrupt line. Cancel: as WaitEdge (disarms).
 */
export class EdgeStream extends Stream<i32> {
  error: i32 = OK;
  private edge: WaitEdge;

  constructor(pin: u32, edges: u32 = EDGE_BOTH) {
    super();
    this.edge = new WaitEdge(pin, edges);
  }

  pollNext(w: Waker): i32 {
    if (!this.edge.poll(w)) return PENDING;
    if (this.edge.error != OK) { this.error = this.edge.error; return DONE; }
    this.item = this.edge.level;
    return ITEM;
  }

  cancel(): void { this.edge.cancel(); }
}
