// A small firmware for parts with little RAM (the 16 KiB RISC-V sifive-e
// board, docs/mcu.md): a LED blinker and a line shell on UART0, nothing else.
// The demo (demo.ts) does not fit that part; this keeps the commands the
// serial HIL scenarios of tests/hil/ use, with smaller buffers.
//
//   blinky    toggles the board's LED, where it has one, every 500 ms
//   uart0-rx  moves UART0 input into a 128-byte ring as it arrives
//   shell     echoes each line as "> <line>", then answers:
//               ping    pong
//               uptime  uptime <s>.<ms> s (+<time since the previous uptime>)
//               tasks   one line per task: slot, name, state
//               help    the command list
//             anything else gets one "error: unknown command '<word>'" line
//
// Build: npm run build (writes build/shell.wasm); on the RISC-V board:
// npm run build:mcu -- build/shell.wasm --board sifive-e.

export * from "../coop/abi";
import { spawn, optionalPin, Ticker, millis, now, asMicros, taskStatus, taskStatusName, taskName, TASK_CAPACITY, TASK_FREE } from "../coop";
import { ByteBuf, Uart, UartRxPump, UartReadLine, UartWrite, OutputPin, isBlank, errorName, OK, E_LINE_TOO_LONG, E_OVERRUN, BOARD_EBADPORT } from "../hal";

// Parts by the board's names: the LED is optional (mps2-an385 has none; sifive-e's is GPIO 5).
const LED_PIN: u32 = optionalPin("LED");
const LINE_MAX: i32 = 64;

/** UART0 with a 128-byte software RX ring: a 64-byte line and what arrives while it is answered. */
const uart0 = Uart.named("UART0", 128);

/** Toggles the LED every 500 ms on a drift-free schedule. Never completes. */
async function blinky(): Promise<void> {
  const led = new OutputPin(LED_PIN);
  const tick = new Ticker(millis(500));
  while (true) {
    await tick;
    led.toggle();
  }
}

/** The time of the previous `uptime`, so its answer can show the delta. */
class ShellState {
  lastUptimeMs: i64 = 0;
}

async function shell(uart: Uart): Promise<void> {
  const rl = new UartReadLine(uart, LINE_MAX);
  const out = new UartWrite(uart, 256);
  const st = new ShellState();
  await out.str("coop shell ready (type help)\n");
  while (true) {
    await rl;
    if (rl.error == BOARD_EBADPORT) return; // no such UART: nothing to serve
    if (!answer(rl, out.buf, st)) continue;
    await out;
  }
}

/** Echoes the line into `b` and answers it there; false for a blank line (nothing to print). */
function answer(rl: UartReadLine, b: ByteBuf, st: ShellState): bool {
  const line = rl.line;
  const err = rl.error;
  let from = 0;
  let to = line.len;
  while (from < to && isBlank(line.at(from))) from++;
  while (to > from && isBlank(line.at(to - 1))) to--;
  if (from == to && err == OK) return false;
  b.str("> ").slice(line, 0, line.len).byte(0x0a);
  if (err == E_LINE_TOO_LONG) { b.str("error: line too long (max ").int(LINE_MAX).str(" bytes)\n"); return true; }
  if (err == E_OVERRUN) { b.str("error: uart overrun, ").int(rl.lost).str(" bytes lost; line ignored\n"); return true; }
  if (err != OK) { b.str("error: uart: ").str(errorName(err)).byte(0x0a); return true; }
  let wordEnd = from;
  while (wordEnd < to && !isBlank(line.at(wordEnd))) wordEnd++;
  const noArg = wordEnd == to;
  const word = wordEnd - from;
  if (word == 4 && line.matches("ping", from) && noArg) {
    b.str("pong\n");
  } else if (word == 6 && line.matches("uptime", from) && noArg) {
    const ms = asMicros(now()) / 1000;
    b.str("uptime ").fixed(ms, 3).str(" s (+").fixed(ms - st.lastUptimeMs, 3).str(" s)\n");
    st.lastUptimeMs = ms;
  } else if (word == 5 && line.matches("tasks", from) && noArg) {
    for (let i = 0; i < TASK_CAPACITY; i++) {
      const s = taskStatus(i);
      if (s == TASK_FREE) continue;
      const name = taskName(i);
      b.str("task ").int(i).byte(0x20).str(name !== null ? name : "?").byte(0x20).str(taskStatusName(s)).byte(0x0a);
    }
  } else if (word == 4 && line.matches("help", from) && noArg) {
    b.str("commands: ping, uptime, tasks, help\n");
  } else {
    b.str("error: unknown command '").slice(line, from, wordEnd).str("' (try help)\n");
  }
  return true;
}

// Spawn order is priority order (slot 0 first).
spawn(blinky());
spawn(new UartRxPump(uart0), "uart0-rx");
spawn(shell(uart0));
