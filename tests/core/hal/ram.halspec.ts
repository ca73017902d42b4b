// RAM of each HAL driver: the heap bytes its constructor takes (the object
// and everything it owns: rings, ByteBufs, WaitIrqs; block and object headers
// and padding included), measured by the heap's bump pointer before and
// after. Printed for docs/hal.md ("RAM"); the spec fails when a driver's
// cost moves from the figure the doc gives, so the doc cannot go stale.
import { Uart, UartRxPump, UartRead, UartReadLine, UartWrite, WaitEdge, AdcRead, BusTransfer, Ts1Read, UartRxStream, EdgeStream, ByteBuf } from "../../../assembly/hal";

function top(): usize {
  const p = heap.alloc(0);
  heap.free(p);
  return p;
}

let report = "";
function note(name: string, bytes: usize, documented: usize): void {
  report += " " + name + "=" + bytes.toString();
  expect(bytes).toBe(documented, name + ": update docs/hal.md's RAM table");
}

describe("hal ram", () => {
  it("each driver costs what docs/hal.md says", () => {
    let t = top();
    const u = new Uart(0);
    note("Uart(32-byte ring)", top() - t, 384);
    t = top(); new UartRxPump(u); note("UartRxPump", top() - t, 96);
    t = top(); new UartRead(u, 16); note("UartRead(16)", top() - t, 208);
    t = top(); new UartReadLine(u, 64); note("UartReadLine(64)", top() - t, 256);
    t = top(); new UartWrite(u, 64); note("UartWrite(64)", top() - t, 256);
    t = top(); new WaitEdge(2); note("WaitEdge", top() - t, 112);
    t = top(); new AdcRead(0); note("AdcRead", top() - t, 112);
    t = top(); new BusTransfer(0x48, 1, 2); note("BusTransfer(1,2)", top() - t, 272);
    t = top(); new Ts1Read(); note("Ts1Read", top() - t, 320);
    t = top(); new UartRxStream(u); note("UartRxStream", top() - t, 112);
    t = top(); new EdgeStream(2); note("EdgeStream", top() - t, 144);
    t = top(); new ByteBuf(64); note("ByteBuf(64)", top() - t, 144);
    log<string>("hal ram (bytes):" + report);
  });
});
