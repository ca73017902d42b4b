import { Uart, UartRxPump, UartRead, UartReadLine, UartWrite, ByteBuf, OK, E_OVERRUN, E_LINE_TOO_LONG, E_TRUNCATED, BOARD_EBADPORT } from "../../../assembly/hal";
import { raise, heapTop } from "../fake";
import { W, deliver, woken, rxStr, rxPush, txRoom, txStr, txClear, txLen, overrunAdd } from "./halfake";

const uart = new Uart(0);
const read = new UartRead(uart, 8);
const line = new UartReadLine(uart, 10);
const out = new UartWrite(uart, 32);
const out2 = new UartWrite(uart, 32);

describe("UartRead", () => {
  it("waits on RX while nothing has arrived, then takes what there is", () => {
    expect(read.poll(W)).toBe(false);
    deliver();
    expect(woken()).toBe(false);
    rxStr(0, "abc"); // raises UART0_RX
    deliver();
    expect(woken()).toBe(true);
    expect(read.poll(W)).toBe(true);
    expect(read.error).toBe(OK);
    expect(read.buf.equals("abc")).toBe(true);
  });

  it("reads at most its capacity; the rest stays for the next read", () => {
    rxStr(0, "0123456789");
    deliver();
    expect(read.poll(W)).toBe(true);
    expect(read.buf.equals("01234567")).toBe(true);
    expect(read.poll(W)).toBe(true);
    expect(read.buf.equals("89")).toBe(true);
  });

  it("reports an overrun that happened during the read", () => {
    expect(read.poll(W)).toBe(false);
    // As on a board: a drop happens while the FIFO is full, after the bytes it holds.
    rxStr(0, "xy");
    overrunAdd(0, 3);
    deliver();
    expect(read.poll(W)).toBe(true);
    expect(read.error).toBe(E_OVERRUN);
    expect(read.lost).toBe(3);
    expect(read.buf.equals("xy")).toBe(true);
    // The 3 bytes went missing after "xy": the next line starts with the gap.
    rxStr(0, "z\n");
    expect(line.poll(W)).toBe(true);
    expect(line.error).toBe(E_OVERRUN);
    expect(line.lost).toBe(3);
  });

  it("reports a missing port at once", () => {
    const bad = new UartRead(new Uart(5), 4);
    expect(bad.poll(W)).toBe(true);
    expect(bad.error).toBe(BOARD_EBADPORT);
  });
});

describe("UartReadLine", () => {
  it("assembles a line across several arrivals and strips the terminator", () => {
    rxStr(0, "pi");
    deliver();
    expect(line.poll(W)).toBe(false);
    rxStr(0, "ng\r\nup");
    deliver();
    expect(woken()).toBe(true);
    expect(line.poll(W)).toBe(true);
    expect(line.error).toBe(OK);
    expect(line.line.equals("ping")).toBe(true);
    // The "\n" of "\r\n" is not an empty line, and "up" was kept.
    expect(line.poll(W)).toBe(false);
    rxStr(0, "time\n");
    deliver();
    expect(line.poll(W)).toBe(true);
    expect(line.line.equals("uptime")).toBe(true);
  });

  it("keeps the bytes received when cancelled", () => {
    rxStr(0, "hel");
    deliver();
    expect(line.poll(W)).toBe(false);
    line.cancel();
    rxStr(0, "lo\n");
    deliver();
    expect(line.poll(W)).toBe(true);
    expect(line.line.equals("hello")).toBe(true);
  });

  it("reset() drops a partial line", () => {
    rxStr(0, "junk");
    expect(line.poll(W)).toBe(false);
    line.reset();
    rxStr(0, "ok\n");
    expect(line.poll(W)).toBe(true);
    expect(line.line.equals("ok")).toBe(true);
  });

  it("cuts a line longer than its buffer and says so", () => {
    rxStr(0, "0123456789ABCDEF\nnext\n");
    expect(line.poll(W)).toBe(true);
    expect(line.error).toBe(E_LINE_TOO_LONG);
    expect(line.line.equals("0123456789")).toBe(true);
    expect(line.poll(W)).toBe(true);
    expect(line.error).toBe(OK);
    expect(line.line.equals("next")).toBe(true);
  });

  it("flags a line during which bytes were lost", () => {
    rxStr(0, "ab");
    expect(line.poll(W)).toBe(false);
    rxStr(0, "c");
    overrunAdd(0, 5); // lost after "c", before the terminator
    expect(line.poll(W)).toBe(false);
    rxStr(0, "\n");
    expect(line.poll(W)).toBe(true);
    expect(line.error).toBe(E_OVERRUN);
    expect(line.lost).toBe(5);
    expect(line.line.equals("abc")).toBe(true);
    rxStr(0, "fine\n");
    expect(line.poll(W)).toBe(true);
    expect(line.error).toBe(OK);
  });

  it("a loss right after a terminator belongs to the next line, not the one just ended", () => {
    rxStr(0, "one\n");
    overrunAdd(0, 2);
    expect(line.poll(W)).toBe(true);
    expect(line.error).toBe(OK);
    expect(line.line.equals("one")).toBe(true);
    rxStr(0, "wo\n");
    expect(line.poll(W)).toBe(true);
    expect(line.error).toBe(E_OVERRUN);
    expect(line.lost).toBe(2);
  });
});

describe("UartWrite", () => {
  it("writes the rest when the board accepts fewer bytes than asked", () => {
    txClear(0);
    deliver();
    woken(); // forget wakes left by earlier specs
    txRoom(0, 3);
    out.text("hello world\n");
    expect(out.poll(W)).toBe(false);
    expect(txStr(0)).toBe("hel");
    expect(out.sent).toBe(3);
    deliver();
    expect(woken()).toBe(false);
    txRoom(0, 4);
    raise(2); // UART0_TX: room again
    deliver();
    expect(woken()).toBe(true);
    expect(out.poll(W)).toBe(false);
    expect(txStr(0)).toBe("hello w");
    txRoom(0, -1);
    raise(2);
    deliver();
    expect(out.poll(W)).toBe(true);
    expect(out.error).toBe(OK);
    expect(txStr(0)).toBe("hello world\n");
    expect(out.buf.len).toBe(0); // emptied for the next message
  });

  it("never interleaves two writes on the same port", () => {
    txClear(0);
    txRoom(0, 2);
    out.text("AAAA");
    out2.text("BBBB");
    expect(out.poll(W)).toBe(false);
    expect(out2.poll(W + 1)).toBe(false); // waits for the TX side
    txRoom(0, -1);
    raise(2);
    deliver();
    expect(out2.poll(W + 1)).toBe(false); // still held by out
    expect(out.poll(W)).toBe(true);
    expect(out2.poll(W + 1)).toBe(true);
    expect(txStr(0)).toBe("AAAABBBB");
  });

  it("cancel drops the unsent rest and frees the TX side", () => {
    txClear(0);
    txRoom(0, 2);
    out.text("xxxxxx");
    expect(out.poll(W)).toBe(false);
    out.cancel();
    expect(out.buf.len).toBe(0);
    txRoom(0, -1);
    out2.text("ok");
    expect(out2.poll(W + 1)).toBe(true);
    expect(txStr(0)).toBe("xxok");
  });

  it("reports a missing port", () => {
    const bad = new UartWrite(new Uart(3), 8);
    bad.text("x");
    expect(bad.poll(W)).toBe(true);
    expect(bad.error).toBe(BOARD_EBADPORT);
  });
});

describe("UartWrite formatting (one poll-to-completion per message)", () => {
  it("builds a whole line with the fluent methods and writes it in one go", () => {
    txClear(0);
    txRoom(0, -1);
    const src = new ByteBuf(8);
    src.str("xyzw");
    const mean: i64 = -42;
    const out = new UartWrite(uart, 64);
    const r = out.str("adc0 avg ").int(mean).str(" n=").uint(10).byte(0x20).fixed(2345, 2)
      .str(" 0x").hex(0xbeef, 6).byte(0x20).slice(src, 1, 3).slice(src).nl();
    expect(r === out).toBe(true); // returns the UartWrite itself: it is what gets awaited
    expect(out.poll(W)).toBe(true);
    expect(out.error).toBe(OK);
    expect(txStr(0)).toBe("adc0 avg -42 n=10 23.45 0x00beef yzxyzw\n");
    expect(out.buf.len).toBe(0);
    // Reused for the next message, from another "call site".
    expect(out.str("second").nl().poll(W)).toBe(true);
    expect(txStr(0)).toBe("adc0 avg -42 n=10 23.45 0x00beef yzxyzw\nsecond\n");
  });

  it("text appended while a message is in flight joins it: nothing lost, nothing interleaved", () => {
    txClear(0);
    deliver();
    woken();
    txRoom(0, 3);
    out.str("first ");
    expect(out.poll(W)).toBe(false); // in flight: "fir" accepted
    expect(out.inFlight).toBe(true);
    out2.str("OTHER"); // another writer queues behind it
    expect(out2.poll(W + 1)).toBe(false);
    out.str("second").nl(); // appended while in flight
    txRoom(0, -1);
    raise(2);
    deliver();
    expect(out2.poll(W + 1)).toBe(false); // the TX side is still out's
    expect(out.poll(W)).toBe(true);
    expect(out.inFlight).toBe(false);
    expect(out2.poll(W + 1)).toBe(true);
    expect(txStr(0)).toBe("first second\nOTHER");
  });

  it("a message that does not fit is cut, never overflows, and reports E_TRUNCATED", () => {
    txClear(0);
    txRoom(0, -1);
    const small = new UartWrite(uart, 8);
    small.str("0123").int(123456).nl(); // the number does not fit: all or nothing
    expect(small.buf.len).toBe(5); // "0123" and the newline
    small.str("abcdef");
    expect(small.buf.len).toBe(8);
    expect(small.poll(W)).toBe(true);
    expect(small.error).toBe(E_TRUNCATED);
    expect(txStr(0)).toBe("0123\nabc");
    // The next message starts clean.
    expect(small.str("ok").poll(W)).toBe(true);
    expect(small.error).toBe(OK);
    expect(txStr(0)).toBe("0123\nabcok");
  });

  it("formats and writes without allocating", () => {
    txClear(0);
    txRoom(0, -1);
    const h0 = heapTop();
    for (let i = 0; i < 200; i++) {
      out.str("adc0 avg ").int(i * 7 - 300).str(" n=").uint(<u64>i).byte(0x20).fixed(i, 2).byte(0x20).hex(<u64>i, 2).nl();
      out.poll(W);
      if (i % 50 == 0) txClear(0);
    }
    expect(heapTop()).toBe(h0);
  });
});

describe("UART steady state", () => {
  it("reads lines and writes replies without allocating", () => {
    txClear(0);
    txRoom(0, -1);
    const h0 = heapTop();
    for (let i = 0; i < 50; i++) {
      rxPush(0, 0x70); rxPush(0, 0x0a); // "p\n"
      deliver();
      line.poll(W);
      out.buf.str("> ").slice(line.line, 0, line.line.len).byte(0x0a).int(i);
      out.poll(W);
    }
    expect(heapTop()).toBe(h0);
    expect(txLen(0)).toBeGreaterThan(150);
  });
});

describe("UartRxPump", () => {
  it("moves input into the ring as it arrives, for the reader to take later", () => {
    const port = new Uart(1, 8);
    const pump = new UartRxPump(port);
    const rl = new UartReadLine(port, 16);
    expect(pump.poll(W)).toBe(false);
    rxStr(1, "abcdef");
    deliver();
    expect(woken()).toBe(true);
    expect(pump.poll(W)).toBe(false);
    expect(port.buffered).toBe(6);
    rxStr(1, "gh\nij"); // the ring holds 8: "ij" stays in the board FIFO
    deliver();
    expect(pump.poll(W)).toBe(false);
    expect(port.buffered).toBe(8);
    expect(rl.poll(W)).toBe(true);
    expect(rl.line.equals("abcdefgh")).toBe(true);
    expect(rl.poll(W)).toBe(false); // takes "ij" from the board, waits for the end of the line
    rxStr(1, "\n");
    deliver();
    expect(rl.poll(W)).toBe(true);
    expect(rl.line.equals("ij")).toBe(true);
  });

  it("marks the line that lost bytes, not the one waiting in the ring when the loss happened", () => {
    // The demo shell's case: a pump keeps the ring filled while the reader is busy.
    const port = new Uart(1, 16);
    const pump = new UartRxPump(port);
    const rl = new UartReadLine(port, 16);
    expect(rl.poll(W)).toBe(false); // the reader has started its line before the loss
    rxStr(1, "ping\n");
    deliver();
    expect(pump.poll(W)).toBe(false);
    expect(port.buffered).toBe(5); // "ping\n" waits in the ring
    rxStr(1, "pi");
    overrunAdd(1, 3); // "ng\n" of the second line dropped by the board
    deliver();
    expect(pump.poll(W)).toBe(false);
    expect(rl.poll(W)).toBe(true);
    expect(rl.line.equals("ping")).toBe(true);
    expect(rl.error).toBe(OK); // intact: its bytes were in the ring before the loss
    expect(rl.poll(W)).toBe(false);
    rxStr(1, "ping\n");
    deliver();
    expect(rl.poll(W)).toBe(true);
    expect(rl.line.equals("piping")).toBe(true);
    expect(rl.error).toBe(E_OVERRUN); // "pi" + lost bytes + "ping": never a command
    expect(rl.lost).toBe(3);
    rxStr(1, "ping\n");
    deliver();
    expect(rl.poll(W)).toBe(true);
    expect(rl.error).toBe(OK);
  });

  it("a loss whose place is uncertain (FIFO larger than the ring) marks every line it may touch", () => {
    const port = new Uart(1, 4);
    const rl = new UartReadLine(port, 16);
    rxStr(1, "a\nb\nc\nd\n"); // 8 bytes in the FIFO, the ring holds 4
    overrunAdd(1, 1);
    expect(rl.poll(W)).toBe(true);
    expect(rl.error).toBe(OK); // "a\nb\n": the first read, all before the gap
    expect(rl.poll(W)).toBe(true);
    expect(rl.error).toBe(OK);
    expect(rl.poll(W)).toBe(true);
    expect(rl.line.equals("c")).toBe(true);
    expect(rl.error).toBe(E_OVERRUN); // the gap lies somewhere after "b\n"
    // Counted once, for the first line of the stretch; with the 3 bytes the spec above
    // dropped on port 1 before this port object existed (the board counts from start).
    expect(rl.lost).toBe(4);
    expect(rl.poll(W)).toBe(true);
    expect(rl.line.equals("d")).toBe(true);
    expect(rl.error).toBe(E_OVERRUN);
    expect(rl.lost).toBe(0);
    // The byte was dropped after "d\n" (the FIFO was full): "e" lost its start.
    rxStr(1, "e\n");
    expect(rl.poll(W)).toBe(true);
    expect(rl.error).toBe(E_OVERRUN);
    // Reading "e\n" emptied the FIFO: the gap lies at the latest before the next byte,
    // so "f" may have lost its start too; after that the stream is clean.
    rxStr(1, "f\ng\n");
    expect(rl.poll(W)).toBe(true);
    expect(rl.line.equals("f")).toBe(true);
    expect(rl.error).toBe(E_OVERRUN);
    expect(rl.poll(W)).toBe(true);
    expect(rl.line.equals("g")).toBe(true);
    expect(rl.error).toBe(OK);
  });

  it("ends with the board's error on a port that does not exist", () => {
    const pump = new UartRxPump(new Uart(4));
    expect(pump.poll(W)).toBe(true);
    expect(pump.error).toBe(BOARD_EBADPORT);
  });
});
