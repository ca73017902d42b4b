// A concurrent line server: one async function serving two UARTs at once
// (the seeds' tokio echo server, where each connection gets its own task; here
// each port does). `serve(uart0)` and `serve(uart1)` are two tasks made from
// one function: each call builds its own machine, buffers and counters, and
// the two run interleaved, neither blocking the other.
//
//   ping        pong
//   count       lines <n> (lines this port has served)
//   total       lines <n> (lines both ports have served)
//   <other>     u<port> <line>
//
// Build: npm run build (build/server.wasm). Try it on the simulated board
// (sim-devkit has UART0 and UART1):
//   npx coop run build/server.wasm --uart-in lines0.txt --uart1-in lines1.txt --json

export * from "../coop/abi";
import { spawn } from "../coop";
import { Uart, UartRxPump, UartReadLine, UartWrite, OK, BOARD_EBADPORT } from "../hal";

const uart0 = Uart.named("UART0", 128);
const uart1 = Uart.named("UART1", 128);

/** Lines served by every `serve` task together. */
let totalLines: i32 = 0;

async function serve(uart: Uart): Promise<void> {
  const rl = new UartReadLine(uart, 64);
  const out = new UartWrite(uart, 96);
  let lines: i32 = 0;
  while (true) {
    await rl;
    if (rl.error == BOARD_EBADPORT) return; // the board has no such port: nothing to serve
    if (rl.error != OK) {
      await out.str("error: line lost bytes or is too long\n");
      continue;
    }
    lines++;
    totalLines++;
    const line = rl.line;
    if (line.equals("ping")) await out.str("pong").nl();
    else if (line.equals("count")) await out.str("lines ").int(lines).nl();
    else if (line.equals("total")) await out.str("lines ").int(totalLines).nl();
    else await out.str("u").uint(uart.port).byte(0x20).slice(line).nl();
  }
}

spawn(new UartRxPump(uart0), "uart0-rx");
spawn(new UartRxPump(uart1), "uart1-rx");
spawn(serve(uart0), "serve0");
spawn(serve(uart1), "serve1");
