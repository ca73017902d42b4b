// UART driver: a port object plus three reusable futures (read bytes, read a
// line, write bytes), all over the board ABI's uart_* imports and the
// UART<n>_RX / UART<n>_TX interrupt lines.
//
// Why a software RX ring in the port: a line reader must stop at the newline,
// and the bytes after it belong to the next read. All readers of a port take
// bytes from the port's ring, so nothing read from the board is ever dropped
// between two reads.
//
// Lost wake-ups: a reader waits on the RX line only after uart_read returned
// 0, and a writer waits on the TX line only after uart_write accepted 0. An
// interrupt raised before the wait started is kept by the IRQ registry (or
// still pending on the board), so the wait then completes at once and the
// driver simply tries again.

import { Future, Waker } from "../coop/future";
import { WaitIrq } from "../coop/irq";
import { WakerSet } from "../coop/waker";
import { uart_read, uart_write, uart_overruns, IRQ_UART0_RX, IRQ_UART0_TX } from "../coop/board";
import { ByteBuf } from "./buf";
import { OK, E_OVERRUN, E_LINE_TOO_LONG, E_TRUNCATED } from "./errors";
import { uartPortNamed } from "../coop/names";

/** Default size of a port's software RX ring. */
export const RX_RING_DEFAULT: i32 = 32;

/** Uart.takeByte: nothing received right now (board errors are -1..-4). */
export const RX_EMPTY: i32 = -256;

/** Losses (overrun gaps) a port's ring remembers before merging the newest two (see Uart.fill). */
const RX_GAPS: i32 = 4;

/**
 * One UART port. Create one per port at init and share it between that port's
 * futures. It is not a future itself: it holds the software RX ring, the
 * overrun count seen so far, and the TX lock that keeps writes whole.
 * Use at most one reader (UartRead or UartReadLine) at a time per port:
 * two readers polled concurrently would split the bytes between them.
 *
 * The RX ring (`rxCapacity` bytes) is filled from the board's FIFO whenever a
 * reader finds it empty, and, if a UartRxPump task runs for the port, as soon
 * as bytes arrive: that lets input keep coming while the reader is busy
 * (e.g. a shell writing a long answer) without overrunning the board's small
 * FIFO.
 */
export class Uart {
  readonly rxLine: i32;
  readonly txLine: i32;
  private ring: StaticArray<u8>;
  private head: i32 = 0;
  private count: i32 = 0;
  private overrunsSeen: i32 = 0;
  // Where input was lost, in stream positions (bytes that entered the ring, mod 2^32):
  // gap i lies before byte gapFrom[i]..gapTo[i] (one position when known exactly).
  private rxIn: u32 = 0;
  private rxOut: u32 = 0;
  private lossSeen: i32 = 0;
  private lossBytes: i32 = 0;
  private lossFrom: u32 = 0;
  private lossExact: bool = false;
  private lossTold: i32 = 0; // bytes of the pending loss already reported to a line
  private rxChecked: u32 = 0; // rxIn when the overrun count was last seen unchanged
  private gapFrom: StaticArray<u32> = new StaticArray<u32>(RX_GAPS);
  private gapTo: StaticArray<u32> = new StaticArray<u32>(RX_GAPS);
  private gapLost: StaticArray<i32> = new StaticArray<i32>(RX_GAPS);
  private gaps: i32 = 0;
  /** The last board error from uart_read (0 if none). */
  rxError: i32 = 0;
  /** The write that owns the TX side, or null. */
  txHolder: UartWrite | null = null;
  /** Tasks whose write waits for the TX side. */
  txWaiters: WakerSet = new WakerSet();

  /** port: 0 or 1 (the ABI's UART0 / UART1). rxCapacity: bytes of the software RX ring. */
  constructor(public readonly port: u32, rxCapacity: i32 = RX_RING_DEFAULT) {
    this.rxLine = IRQ_UART0_RX + 2 * <i32>port;
    this.txLine = IRQ_UART0_TX + 2 * <i32>port;
    this.ring = new StaticArray<u8>(rxCapacity < 1 ? 1 : rxCapacity);
    // lossSeen starts at 0: bytes the board dropped before the first read (input
    // that arrived while the firmware was starting) are a gap like any other.
  }

  /** The port the board file calls `name` ("UART0"); a board without it stops the firmware at start-up. */
  static named(name: string, rxCapacity: i32 = RX_RING_DEFAULT): Uart {
    return new Uart(uartPortNamed(name), rxCapacity);
  }

  /** Bytes waiting in the software ring. */
  get buffered(): i32 {
    return this.count;
  }

  /**
   * Move bytes from the board's RX FIFO into the ring until the ring is full
   * or the FIFO is empty. Returns the bytes moved, or a board error (-1..-4,
   * also kept in `rxError`).
   *
   * It also records where input was lost, so the reader can tell which line
   * lost bytes: the board counts a drop only while its FIFO is full, so when
   * the count is seen to move, everything in the FIFO came before the gap,
   * and nothing can follow it into the FIFO until it is read. fill() then
   * leaves the FIFO alone until the ring is empty, so that one read takes
   * all of it and the gap is known to lie right after that read. If the
   * FIFO holds more than the ring, or the count moved during the reads (a
   * board whose ISR runs meanwhile), the gap is only known to lie in a
   * stretch of the stream, and every line over that stretch is marked.
   */
  fill(): i32 {
    this.noteLoss(false);
    if (this.lossBytes > 0 && this.lossExact && this.count > 0) return 0; // wait for an empty ring (above)
    if (this.count == 0) this.head = 0; // an empty ring reads into one run: the most one read can take
    const cap = this.ring.length;
    let moved = 0;
    while (this.count < cap) {
      let tail = this.head + this.count;
      if (tail >= cap) tail -= cap;
      // Read into the contiguous free run after tail.
      const run = tail >= this.head ? cap - tail : this.head - tail;
      const n = uart_read(this.port, changetype<usize>(this.ring) + <usize>tail, <u32>run);
      if (n < 0) { this.rxError = n; return n; }
      const k = n > run ? run : n; // a board must not return more than asked; do not trust it
      this.count += k;
      this.rxIn += <u32>k;
      moved += k;
      if (k < run) { this.placeLoss(); break; } // the FIFO is empty: a gap seen so far ends here
      if (this.lossBytes > 0 && this.lossExact) { this.lossFrom = this.rxIn; this.lossExact = false; } // the FIFO held more
    }
    this.noteLoss(true);
    return moved;
  }

  /** Compare the board's overrun count with what the ring has accounted for. */
  private noteLoss(afterReads: bool): void {
    const n = uart_overruns(this.port);
    if (n < 0) return;
    if (n == this.lossSeen) { this.rxChecked = this.rxIn; return; }
    // The drop came after every byte the ring had when the count was last unchanged.
    if (this.lossBytes == 0) { this.lossFrom = this.rxChecked; this.lossExact = !afterReads; }
    else if (afterReads) this.lossExact = false;
    this.rxChecked = this.rxIn;
    this.lossBytes += n - this.lossSeen;
    this.lossSeen = n;
  }

  /** The FIFO was just emptied: the pending loss lies before the next byte to enter the ring. */
  private placeLoss(): void {
    if (this.lossBytes == 0) return;
    let i = this.gaps;
    if (i == RX_GAPS) i--; // full: widen the newest gap to cover this one too
    else { this.gaps++; unchecked(this.gapFrom[i] = this.lossExact ? this.rxIn : this.lossFrom); unchecked(this.gapLost[i] = 0); }
    unchecked(this.gapTo[i] = this.rxIn);
    unchecked(this.gapLost[i] += this.lossBytes - this.lossTold);
    this.lossBytes = 0;
    this.lossTold = 0;
  }

  /**
   * Bytes lost in the line that took stream positions `from` (its first byte)
   * to `to` (its terminator), or -1 if no loss touches it. A gap known only
   * to lie in a stretch marks every line of the stretch; its bytes are
   * counted for the first of them (the others get 0). A gap lies before the
   * byte at its position, so a gap right after a terminator belongs to the
   * next line.
   * Forgets gaps up to `to`; gaps before `from` (bytes another reader took)
   * are dropped unreported.
   */
  lostIn(from: u32, to: u32): i32 {
    let lost = -1;
    while (this.gaps > 0) {
      const gf = unchecked(this.gapFrom[0]), gt = unchecked(this.gapTo[0]);
      if (<i32>(gf - to) > 0) break; // starts after this line
      if (<i32>(gt - from) >= 0) { lost = (lost < 0 ? 0 : lost) + unchecked(this.gapLost[0]); unchecked(this.gapLost[0] = 0); }
      if (<i32>(gt - to) > 0) { unchecked(this.gapFrom[0] = to + 1); break; } // reaches into the next line too
      for (let i = 1; i < this.gaps; i++) {
        unchecked(this.gapFrom[i - 1] = this.gapFrom[i]);
        unchecked(this.gapTo[i - 1] = this.gapTo[i]);
        unchecked(this.gapLost[i - 1] = this.gapLost[i]);
      }
      this.gaps--;
    }
    // A loss not placed yet (the FIFO has not been seen empty since) lies at or after lossFrom.
    if (this.lossBytes > 0 && <i32>(this.lossFrom - to) <= 0) {
      lost = (lost < 0 ? 0 : lost) + this.lossBytes - this.lossTold;
      this.lossTold = this.lossBytes;
      this.lossFrom = to + 1;
    }
    return lost;
  }

  /** Stream position of the next byte takeByte returns (bytes taken so far, mod 2^32). */
  get taken(): u32 {
    return this.rxOut;
  }

  /**
   * The next received byte (0..255), RX_EMPTY if none has arrived, or a board
   * error (-1..-4) from uart_read.
   */
  takeByte(): i32 {
    if (this.count == 0) {
      const r = this.fill();
      if (r < 0) return r;
      if (this.count == 0) return RX_EMPTY;
    }
    const b = <i32>unchecked(this.ring[this.head]);
    this.head++;
    if (this.head == this.ring.length) this.head = 0;
    this.count--;
    this.rxOut++;
    return b;
  }

  /**
   * Bytes the board dropped because its RX FIFO was full, since start
   * (monotonic). If the board reports an error, the last good count.
   */
  overruns(): i32 {
    const n = uart_overruns(this.port);
    if (n >= 0) this.overrunsSeen = n;
    return this.overrunsSeen;
  }
}

/**
 * Keeps a port's software RX ring filled: run it as its own task, spawned
 * before the reader's, so bytes leave the board's small FIFO as they arrive.
 * Waits on: the port's RX interrupt line. When the ring is full it leaves
 * the bytes in the board's FIFO (which may then overrun; readers see that as
 * E_OVERRUN).
 * Completes: only if the board reports an error (e.g. EBADPORT), in `error`.
 * Cancel: stops pumping; bytes already in the ring stay there.
 */
export class UartRxPump extends Future {
  error: i32 = OK;
  private rx: WaitIrq;

  constructor(public uart: Uart) {
    super();
    this.rx = new WaitIrq(uart.rxLine);
  }

  poll(w: Waker): bool {
    while (true) {
      const r = this.uart.fill();
      if (r < 0) { this.error = r; return true; }
      if (!this.rx.poll(w)) return false;
    }
  }

  cancel(): void {
    this.rx.cancel();
  }
}

/**
 * Reads whatever has arrived, up to `buf.capacity` bytes, into `buf` (a
 * static buffer created with the future).
 *
 * Waits on: the port's RX interrupt line, only while nothing has arrived.
 * Completes: as soon as at least one byte is in `buf` (it is cleared at the
 * start of each read), or with `error` set:
 * - E_OVERRUN: the board's RX FIFO overflowed during this read (`lost` bytes
 *   were dropped somewhere before the end of `buf`); the data is still valid.
 * - a board error (EBADPORT: no such UART); `buf` keeps any bytes taken
 *   before it.
 * Cancel: stops waiting. Nothing is lost: bytes not yet taken stay in the
 * port's ring or the board's FIFO for the next read.
 */
export class UartRead extends Future {
  buf: ByteBuf;
  error: i32 = OK;
  /** Bytes the board dropped during this read (set with E_OVERRUN). */
  lost: i32 = 0;
  private started: bool = false;
  private overrunsAtStart: i32 = 0;
  private rx: WaitIrq;

  constructor(public uart: Uart, capacity: i32) {
    super();
    this.buf = new ByteBuf(capacity);
    this.rx = new WaitIrq(uart.rxLine);
  }

  poll(w: Waker): bool {
    const u = this.uart;
    if (!this.started) {
      this.started = true;
      this.buf.clear();
      this.error = OK;
      this.lost = 0;
      this.overrunsAtStart = u.overruns();
    }
    while (true) {
      const err = this.take();
      if (err < 0) return this.finish(err);
      if (this.buf.len > 0) return this.finish(OK);
      if (!this.rx.poll(w)) return false;
      // An RX interrupt was delivered: try again.
    }
  }

  /** Move received bytes into buf until it is full or nothing is left. Returns 0 or a board error. */
  private take(): i32 {
    while (this.buf.room > 0) {
      const b = this.uart.takeByte();
      if (b == RX_EMPTY) return 0;
      if (b < 0) return b;
      this.buf.byte(<u32>b);
    }
    return 0;
  }

  private finish(err: i32): bool {
    this.started = false;
    this.error = err;
    const lost = this.uart.overruns() - this.overrunsAtStart;
    if (err == OK && lost > 0) { this.error = E_OVERRUN; this.lost = lost; }
    return true;
  }

  cancel(): void {
    this.rx.cancel();
    this.started = false;
  }
}

/**
 * Reads one line into `line` (without its terminator). A line ends at "\n",
 * "\r" or "\r\n" (the "\n" of a "\r\n" is not an empty line).
 *
 * Waits on: the port's RX interrupt line, while the line is incomplete.
 * Completes: at the end of a line, with `line` holding it and `error`:
 * - OK;
 * - E_LINE_TOO_LONG: the line did not fit; `line` holds its first
 *   `line.capacity` bytes, the rest up to the terminator was dropped;
 * - E_OVERRUN: bytes of this line were lost to an RX overrun (`lost` of
 *   them, counted when the bytes entered the port's ring, so a line that
 *   was still waiting in the ring when the loss happened is not blamed and
 *   the line that lost bytes is; if the board cannot say exactly where the
 *   bytes went, every line over the uncertain stretch is marked);
 * - a board error (EBADPORT: no such UART), at once.
 * Bytes after the terminator stay in the port's ring for the next read.
 * Cancel: stops waiting and keeps the bytes already received: the next poll
 * continues the same line. Call `reset()` to drop a partial line.
 */
export class UartReadLine extends Future {
  line: ByteBuf;
  error: i32 = OK;
  /** Bytes the board dropped in this line (set with E_OVERRUN; 0 for a further line of a stretch where the loss's place is uncertain). */
  lost: i32 = 0;
  private started: bool = false;
  private tooLong: bool = false;
  private afterCR: bool = false;
  private lineFrom: u32 = 0;
  private rx: WaitIrq;

  constructor(public uart: Uart, capacity: i32) {
    super();
    this.line = new ByteBuf(capacity);
    this.rx = new WaitIrq(uart.rxLine);
  }

  poll(w: Waker): bool {
    const u = this.uart;
    if (!this.started) {
      this.started = true;
      this.line.clear();
      this.tooLong = false;
      this.error = OK;
      this.lost = 0;
      this.lineFrom = u.taken;
    }
    while (true) {
      const b = u.takeByte();
      if (b == RX_EMPTY) {
        if (!this.rx.poll(w)) return false;
        continue;
      }
      if (b < 0) { this.started = false; this.error = b; return true; }
      if (b == 0x0a && this.afterCR) { this.afterCR = false; continue; } // "\r\n": one terminator
      this.afterCR = b == 0x0d;
      if (b == 0x0a || b == 0x0d) return this.finish();
      if (this.line.room > 0) this.line.byte(<u32>b);
      else this.tooLong = true;
    }
  }

  private finish(): bool {
    this.started = false;
    const lost = this.uart.lostIn(this.lineFrom, this.uart.taken - 1); // taken - 1: the terminator
    if (lost >= 0) { this.error = E_OVERRUN; this.lost = lost; }
    else if (this.tooLong) this.error = E_LINE_TOO_LONG;
    return true;
  }

  /** Drop a partially received line; the next poll starts a new one. */
  reset(): void {
    this.rx.cancel();
    this.started = false;
  }

  cancel(): void {
    this.rx.cancel(); // `started` stays: the partial line is kept
  }
}

/**
 * Writes the bytes in `buf` (fill it, then poll until complete). Writes on
 * the same port never interleave: a write takes the port's TX side at its
 * first poll and holds it until its last byte is accepted.
 *
 * Handles a board that accepts fewer bytes than asked (a full TX FIFO): it
 * writes the rest as room appears.
 * Waits on: the port's TX interrupt line while the FIFO is full; the TX side
 * while another write holds it.
 * Completes: when every byte has been accepted by the board (`sent` =
 * `buf.len`), or with a board `error` (EBADPORT: no such UART); `buf` is then
 * emptied for the next message.
 * Cancel: gives up the TX side. Bytes already accepted (`sent`) go out; the
 * rest of the message is dropped and `buf` is emptied.
 *
 * Formatting in one await: the fluent methods `str`, `int`, `uint`,
 * `fixed`, `hex`, `byte`, `bytes`, `slice` and `nl` append to `buf` and
 * return the UartWrite itself, so a whole line is built and written by one
 * poll-to-completion: `await out.str("adc0 avg ").int(mean).nl();`. None
 * allocates; one UartWrite per task serves every place the task prints.
 * - Appending while a message is in flight (an earlier poll returned false
 *   and this one has not completed): the text joins the message in flight,
 *   after the bytes already there. It goes out under the same hold of the TX
 *   side, so it is neither lost nor interleaved with another writer; the next
 *   poll (or the one already awaited) writes it. It needs room in `buf`
 *   after the whole message in flight (accepted bytes included).
 * - A full buffer: whatever does not fit is cut (whole characters and whole
 *   numbers only), `buf.truncated` is set, and the write, once complete,
 *   reports `error` = E_TRUNCATED (a board error takes precedence). It never
 *   writes past `buf.capacity`.
 */
export class UartWrite extends Future {
  buf: ByteBuf;
  error: i32 = OK;
  /** Bytes of `buf` accepted by the board so far. */
  sent: i32 = 0;
  private holding: bool = false;
  private waitingTask: Waker = -1;
  private tx: WaitIrq;

  constructor(public uart: Uart, capacity: i32) {
    super();
    this.buf = new ByteBuf(capacity);
    this.tx = new WaitIrq(uart.txLine);
  }

  /** Append s (UTF-8) to the message; returns this for chaining into a poll. Same as `str`. */
  // @ts-ignore: decorator (a marker for the async lowering: this method returns its receiver)
  @fluent text(s: string): UartWrite {
    return this.str(s);
  }

  /** Append s, encoded as UTF-8. */
  // @ts-ignore: decorator (a marker for the async lowering: this method returns its receiver)
  @fluent str(s: string): UartWrite {
    this.buf.str(s);
    return this;
  }

  /** Append a signed decimal integer. */
  // @ts-ignore: decorator (a marker for the async lowering: this method returns its receiver)
  @fluent int(v: i64): UartWrite {
    this.buf.int(v);
    return this;
  }

  /** Append an unsigned decimal integer. */
  // @ts-ignore: decorator (a marker for the async lowering: this method returns its receiver)
  @fluent uint(v: u64): UartWrite {
    this.buf.uint(v);
    return this;
  }

  /** Append v / 10^decimals with exactly `decimals` fraction digits (`fixed(2345, 2)` is "23.45"). */
  // @ts-ignore: decorator (a marker for the async lowering: this method returns its receiver)
  @fluent fixed(v: i64, decimals: i32): UartWrite {
    this.buf.fixed(v, decimals);
    return this;
  }

  /** Append v in lowercase hexadecimal, zero-padded to at least `digits` digits. */
  // @ts-ignore: decorator (a marker for the async lowering: this method returns its receiver)
  @fluent hex(v: u64, digits: i32 = 1): UartWrite {
    this.buf.hex(v, digits);
    return this;
  }

  /** Append one byte. */
  // @ts-ignore: decorator (a marker for the async lowering: this method returns its receiver)
  @fluent byte(b: u32): UartWrite {
    this.buf.byte(b);
    return this;
  }

  /** Append n bytes from memory at p (e.g. a StaticArray's data). */
  // @ts-ignore: decorator (a marker for the async lowering: this method returns its receiver)
  @fluent bytes(p: usize, n: i32): UartWrite {
    this.buf.bytes(p, n);
    return this;
  }

  /** Append the bytes [from, to) of another buffer (the whole of it by default). */
  // @ts-ignore: decorator (a marker for the async lowering: this method returns its receiver)
  @fluent slice(src: ByteBuf, from: i32 = 0, to: i32 = i32.MAX_VALUE): UartWrite {
    this.buf.slice(src, from, to);
    return this;
  }

  /** Append a newline ("\n"). */
  // @ts-ignore: decorator (a marker for the async lowering: this method returns its receiver)
  @fluent nl(): UartWrite {
    this.buf.byte(0x0a);
    return this;
  }

  /** True while a message is in flight: taken the TX side, not all bytes accepted yet. */
  get inFlight(): bool {
    return this.holding;
  }

  poll(w: Waker): bool {
    const u = this.uart;
    if (!this.holding) {
      const h = u.txHolder;
      if (h !== null && h !== this) {
        u.txWaiters.add(w);
        this.waitingTask = w;
        return false;
      }
      this.leaveQueue();
      u.txHolder = this;
      this.holding = true;
      this.sent = 0;
      this.error = OK;
    }
    while (this.sent < this.buf.len) {
      const n = uart_write(u.port, this.buf.ptr + this.sent, <u32>(this.buf.len - this.sent));
      if (n < 0) { this.error = n; break; }
      if (n > 0) { this.sent += n; continue; }
      if (!this.tx.poll(w)) return false;
    }
    if (this.error == OK && this.buf.truncated) this.error = E_TRUNCATED;
    this.release();
    return true;
  }

  private leaveQueue(): void {
    if (this.waitingTask >= 0) {
      this.uart.txWaiters.remove(this.waitingTask);
      this.waitingTask = -1;
    }
  }

  private release(): void {
    this.buf.clear();
    if (this.holding) {
      this.holding = false;
      const u = this.uart;
      u.txHolder = null;
      u.txWaiters.wakeAll();
    }
  }

  cancel(): void {
    this.tx.cancel();
    this.leaveQueue();
    this.release();
  }
}
