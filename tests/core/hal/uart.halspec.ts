import { Uart, UartRxPump, UartRead, UartReadLine, UartWrite, OK, E_OVERRUN, E_LINE_TOO_LONG, BOARD_EBADPORT } from "../../../assembly/hal";
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
