// The coop demo firmware: one module, eight concurrent tasks, each an async
// function (the UART RX pump is the HAL's own driver future).
//
//   blinky    toggles the LED every 500 ms
//   uart0-rx  moves UART0 input into a 256-byte ring as it arrives
//   sampler   reads the ADC channel POT every 100 ms, sends each sample on `samples`
//   logger    receives samples, prints their average once a second
//   watchdog  warns when no sample reached the logger for 300 ms
//   button    prints the BUTTON pin's level on each edge
//   banner    prints "coop demo ready" once, then ends
//   shell     a line shell on UART0: echo, ping, uptime, tasks, stats, adc <ch>, temp, help
//
// Each task builds its futures and buffers before its first await: that code
// runs once, at start-up, when the function is called for spawn. After that
// no task allocates (all text is formatted into each task's own buffer). On a
// board without pins, ADC or sensor (e.g. QEMU: UART only) the sampler says
// so once and ends, the watchdog warns once, the button task ends quietly,
// blinky's writes are refused by the board (harmless), and the shell keeps
// working (`adc`/`temp` answer with an error line).
//
// Build: npm run build (writes build/demo.wasm and build/demo.debug.wasm).

export * from "../coop/abi";
import {
  spawn, Ticker, Timeout, withTimeout, millis, now, asMicros,
  taskStatus, taskStatusName, taskName, TASK_CAPACITY, TASK_FREE, Select2,
} from "../coop";
import { Channel, Send, Recv, Notify, Notified } from "../sync";
import {
  ByteBuf, Uart, UartRxPump, UartReadLine, UartWrite, OutputPin, WaitEdge, AdcRead, Ts1Read,
  parseUint, isBlank, errorName, OK, E_LINE_TOO_LONG, E_OVERRUN, BOARD_EBADPORT,
  optionalPin, optionalAdcChannel,
} from "../hal";

// ---- board wiring, by the board file's names (boards/sim-devkit.json) ----
// Optional: on a board without them (QEMU) the number is ABSENT and every
// call on it answers EBADPORT, which the tasks below handle.
const LED_PIN: u32 = optionalPin("LED");
const BUTTON_PIN: u32 = optionalPin("BUTTON");
const SAMPLE_CHANNEL: u32 = optionalAdcChannel("POT");

const SAMPLE_PERIOD_MS: i64 = 100;
const WATCHDOG_MS: i64 = 300;
const LINE_MAX: i32 = 64;

/** UART0 with a 512-byte software RX ring, kept filled by the uart0-rx task, so
 * pasted input keeps arriving while the shell writes a long answer. Larger
 * than the biggest board RX buffer (QEMU's 256-byte ring): then one read
 * empties the board's buffer and a loss is pinned to the line it hit. */
const uart0 = Uart.named("UART0", 512);
/** Samples from the sampler to the logger; 16 covers 1.6 s of a stalled logger. */
const samples = new Channel<i32>(16);
/** Poked by the logger for every sample it receives; the watchdog waits on it. */
const sampleSeen = new Notify();

/** Toggles the LED every 500 ms on a drift-free schedule. Never completes. */
async function blinky(): Promise<void> {
  const led = new OutputPin(LED_PIN);
  const tick = new Ticker(millis(500));
  while (true) {
    await tick;
    led.toggle();
  }
}

/**
 * Every 100 ms: read the ADC channel POT and send the value on `samples` (waiting
 * if the channel is full: backpressure, the ticker catches up afterwards).
 * Ends, after one message, if the board has no such channel.
 */
async function sampler(): Promise<void> {
  const tick = new Ticker(millis(SAMPLE_PERIOD_MS));
  const adc = new AdcRead(SAMPLE_CHANNEL);
  const send: Send<i32> = samples.sender();
  const out = new UartWrite(uart0, 64);
  while (true) {
    await tick;
    await adc;
    if (adc.error != OK) {
      await out.str("sampler: adc POT: ").str(errorName(adc.error)).str(", sampler stopped\n");
      return;
    }
    send.value = adc.value;
    await send;
  }
}

/**
 * Receives samples and prints, once a second, "adc0 avg <mean> n=<count>".
 * Seconds without samples print nothing (the watchdog reports those).
 */
async function logger(): Promise<void> {
  const recvOrTick = new Select2<Recv<i32>, Ticker>(samples.receiver(), new Ticker(millis(1000)));
  const out = new UartWrite(uart0, 64);
  let sum: i64 = 0;
  let count: i32 = 0;
  while (true) {
    await recvOrTick;
    if (recvOrTick.winner == 0) {
      sum += recvOrTick.a.value;
      count++;
      sampleSeen.notifyOne();
      continue;
    }
    if (count == 0) continue;
    // Rounded mean, in integers: no floats, no allocation.
    const mean = (sum + (count >> 1)) / count;
    const n = count;
    sum = 0;
    count = 0;
    await out.str("adc0 avg ").int(mean).str(" n=").int(n).nl();
  }
}

/**
 * Waits for the logger's "sample seen" with a 300 ms timeout. Prints one
 * warning when samples stop and one line when they come back, so a board
 * without an ADC gets a single warning, not one every 300 ms.
 */
async function watchdog(): Promise<void> {
  const wait: Timeout<Notified> = withTimeout(sampleSeen.notified(), millis(WATCHDOG_MS));
  const out = new UartWrite(uart0, 64);
  let warned = false;
  while (true) {
    await wait;
    if (wait.timedOut && !warned) {
      warned = true;
      await out.str("warning: no adc sample for ").int(WATCHDOG_MS).str(" ms\n");
    } else if (!wait.timedOut && warned) {
      warned = false;
      await out.str("adc samples resumed\n");
    }
  }
}

/** Prints "button 1" / "button 0" on each edge of the button pin. Ends quietly on a board without the pin. */
async function button(): Promise<void> {
  const edge = new WaitEdge(BUTTON_PIN);
  const out = new UartWrite(uart0, 16);
  while (true) {
    await edge;
    if (edge.error != OK) return;
    await out.str("button ").int(edge.level).nl();
  }
}

/** Prints the banner once, then ends. */
async function banner(): Promise<void> {
  const out = new UartWrite(uart0, 48);
  await out.str("coop demo ready (type help)\n");
}

// ---- shell ----

/** What a shell line asks for next. */
const SH_NONE: i32 = 0;  // nothing to print (a blank line)
const SH_WRITE: i32 = 1; // the answer is in the buffer
const SH_ADC: i32 = 2;   // read the ADC, then answer
const SH_TEMP: i32 = 3;  // read the sensor, then answer

/** Per-shell state that commands update (kept outside the machine so `answer` can be a plain function). */
class ShellState {
  lastUptimeMs: i64 = 0;
}

/**
 * A line shell on a UART. Each line is echoed as "> <line>", then answered:
 *   ping        pong
 *   uptime      uptime <seconds>.<millis> s (+<time since the previous uptime>)
 *   tasks       one line per task: slot, name, state (running/ready/waiting/aborting)
 *   stats       UART0 RX overruns, samples sent by the sampler, samples not yet logged
 *   adc <ch>    adc <ch> = <0..4095>
 *   temp        temp <degrees>.<hundredths> C (the TS1 I2C sensor)
 *   help        the command list
 * anything else gets "error: ..." on one line. Empty lines are ignored.
 */
async function shell(uart: Uart): Promise<void> {
  const rl = new UartReadLine(uart, LINE_MAX);
  const out = new UartWrite(uart, 768);
  const adc = new AdcRead(0);
  const temp = new Ts1Read();
  const st = new ShellState();
  while (true) {
    await rl;
    if (rl.error == BOARD_EBADPORT) return; // no such UART: nothing to serve
    const next = answer(rl, out.buf, adc, st);
    if (next == SH_NONE) continue;
    if (next == SH_ADC) {
      await adc;
      if (adc.error != OK) out.str("error: adc ").uint(adc.channel).str(": ").str(errorName(adc.error)).nl();
      else out.str("adc ").uint(adc.channel).str(" = ").int(adc.value).nl();
    } else if (next == SH_TEMP) {
      await temp;
      if (temp.error != OK) out.str("error: temp: ").str(errorName(temp.error)).nl();
      else out.str("temp ").fixed(temp.centiC, 2).str(" C\n");
    }
    await out;
  }
}

/** Echoes the line into `b` and answers it there, or says which reading to take first. */
function answer(rl: UartReadLine, b: ByteBuf, adc: AdcRead, st: ShellState): i32 {
  const line = rl.line;
  const err = rl.error;
  // Skip leading and trailing blanks; the command word ends at a blank.
  let from = 0;
  let to = line.len;
  while (from < to && isBlank(line.at(from))) from++;
  while (to > from && isBlank(line.at(to - 1))) to--;
  if (from == to && err == OK) return SH_NONE;
  b.str("> ").slice(line, 0, line.len).byte(0x0a);
  if (err == E_LINE_TOO_LONG) { b.str("error: line too long (max ").int(LINE_MAX).str(" bytes)\n"); return SH_WRITE; }
  if (err == E_OVERRUN) { b.str("error: uart overrun, ").int(rl.lost).str(" bytes lost; line ignored\n"); return SH_WRITE; }
  if (err != OK) { b.str("error: uart: ").str(errorName(err)).byte(0x0a); return SH_WRITE; }
  let wordEnd = from;
  while (wordEnd < to && !isBlank(line.at(wordEnd))) wordEnd++;
  let arg = wordEnd;
  while (arg < to && isBlank(line.at(arg))) arg++;
  const noArg = arg == to;
  const word = wordEnd - from;

  if (word == 4 && line.matches("ping", from) && noArg) {
    b.str("pong\n");
  } else if (word == 6 && line.matches("uptime", from) && noArg) {
    // The delta since the previous `uptime` lets a test see time advance
    // without knowing the target's exact timing.
    const ms = asMicros(now()) / 1000;
    b.str("uptime ").fixed(ms, 3).str(" s (+").fixed(ms - st.lastUptimeMs, 3).str(" s)\n");
    st.lastUptimeMs = ms;
  } else if (word == 5 && line.matches("tasks", from) && noArg) {
    listTasks(b);
  } else if (word == 5 && line.matches("stats", from) && noArg) {
    b.str("uart0 overruns ").int(uart0.overruns()).str(", samples sent ").uint(samples.sentTotal);
    b.str(", pending ").int(samples.length).byte(0x0a);
  } else if (word == 4 && line.matches("help", from) && noArg) {
    b.str("commands: ping, uptime, tasks, stats, adc <ch>, temp, help\n");
  } else if (word == 4 && line.matches("temp", from) && noArg) {
    return SH_TEMP;
  } else if (word == 3 && line.matches("adc", from)) {
    const ch = parseUint(line, arg, to);
    if (ch < 0) b.str("error: usage: adc <channel number>\n");
    else { adc.channel = <u32>ch; return SH_ADC; }
  } else {
    b.str("error: unknown command '").slice(line, from, wordEnd).str("' (try help)\n");
  }
  return SH_WRITE;
}

function listTasks(b: ByteBuf): void {
  for (let i = 0; i < TASK_CAPACITY; i++) {
    const st = taskStatus(i);
    if (st == TASK_FREE) continue;
    const name = taskName(i);
    b.str("task ").int(i).byte(0x20).str(name !== null ? name : "?").byte(0x20);
    b.str(taskStatusName(st)).byte(0x0a); // running, ready, waiting or aborting
  }
}

// ---- start-up: calling each async function builds its task; spawn order is priority order ----

spawn(blinky());
spawn(new UartRxPump(uart0), "uart0-rx");
spawn(sampler());
spawn(logger());
spawn(watchdog());
spawn(button());
spawn(banner());
spawn(shell(uart0));
