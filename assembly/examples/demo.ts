// The coop demo firmware: one module, eight concurrent tasks.
//
//   blinky    toggles the LED (pin 0) every 500 ms
//   uart0-rx  moves UART0 input into a 256-byte ring as it arrives
//   sampler   reads ADC channel 0 every 100 ms, sends each sample on `samples`
//   logger    receives samples, prints their average once a second
//   watchdog  warns when no sample reached the logger for 300 ms
//   button    prints the button's level (pin 2) on each edge
//   banner    prints "coop demo ready" once, then ends
//   shell     a line shell on UART0: echo, ping, uptime, tasks, stats, adc <ch>, temp, help
//
// Everything is built here at start-up; after that no task allocates (all
// text is formatted into each task's own static buffer). On a board without
// pins, ADC or sensor (e.g. QEMU: UART only) the sampler says so once and
// ends, the watchdog warns once, the button task ends quietly, blinky's
// writes are refused by the board (harmless), and the shell keeps working
// (`adc`/`temp` answer with an error line).
//
// Build: npm run build (writes build/demo.wasm and build/demo.debug.wasm).

export * from "../coop/abi";
import {
  Future, Waker, spawn, Ticker, Timeout, withTimeout, millis, now, asMicros,
  taskState, taskName, currentTask, TASK_CAPACITY, TASK_FREE, TASK_ABORTING, Select2,
} from "../coop";
import { isReady } from "../coop/ready";
import { Channel, Send, Recv, Notify, Notified } from "../sync";
import {
  ByteBuf, Uart, UartRxPump, UartReadLine, UartWrite, OutputPin, WaitEdge, AdcRead, Ts1Read,
  parseUint, isBlank, errorName, OK, E_LINE_TOO_LONG, E_OVERRUN, BOARD_EBADPORT,
} from "../hal";

// ---- board wiring (see boards/sim-devkit.json) ----
const LED_PIN: u32 = 0;
const BUTTON_PIN: u32 = 2;
const SAMPLE_CHANNEL: u32 = 0;

const SAMPLE_PERIOD_MS: i64 = 100;
const WATCHDOG_MS: i64 = 300;
const LINE_MAX: i32 = 64;

/** UART0 with a 512-byte software RX ring, kept filled by the uart0-rx task, so
 * pasted input keeps arriving while the shell writes a long answer. Larger
 * than the biggest board RX buffer (QEMU's 256-byte ring): then one read
 * empties the board's buffer and a loss is pinned to the line it hit. */
const uart0 = new Uart(0, 512);
/** Samples from the sampler to the logger; 16 covers 1.6 s of a stalled logger. */
const samples = new Channel<i32>(16);
/** Poked by the logger for every sample it receives; the watchdog waits on it. */
const sampleSeen = new Notify();

// ---- blinky ----

/** Toggles the LED every 500 ms on a drift-free schedule. Never completes. */
class Blinky extends Future {
  private led: OutputPin = new OutputPin(LED_PIN);
  private tick: Ticker = new Ticker(millis(500));

  poll(w: Waker): bool {
    while (this.tick.poll(w)) this.led.toggle();
    return false;
  }

  /** Abort: releases the ticker's timer. */
  cancel(): void { this.tick.cancel(); }
}

// ---- sensor logger: sampler -> channel -> logger, and a watchdog ----

/**
 * Every 100 ms: read ADC channel 0 and send the value on `samples` (waiting
 * if the channel is full: backpressure, the ticker catches up afterwards).
 * Ends, after one message, if the board has no such channel.
 */
class Sampler extends Future {
  private tick: Ticker = new Ticker(millis(SAMPLE_PERIOD_MS));
  private adc: AdcRead = new AdcRead(SAMPLE_CHANNEL);
  private send: Send<i32> = samples.sender();
  private out: UartWrite = new UartWrite(uart0, 64);
  private state: u8 = 0; // 0 wait tick, 1 convert, 2 send, 3 report error and end

  poll(w: Waker): bool {
    while (true) {
      switch (this.state) {
        case 0:
          if (!this.tick.poll(w)) return false;
          this.state = 1;
          break;
        case 1:
          if (!this.adc.poll(w)) return false;
          if (this.adc.error != OK) {
            this.out.text("sampler: adc ").buf.uint(SAMPLE_CHANNEL);
            this.out.text(": ").text(errorName(this.adc.error)).text(", sampler stopped\n");
            this.state = 3;
            break;
          }
          this.send.value = this.adc.value;
          this.state = 2;
          break;
        case 2:
          if (!this.send.poll(w)) return false;
          this.state = 0;
          break;
        default:
          return this.out.poll(w); // the task ends once the message is out
      }
    }
  }

  /** Abort: releases the timer, the ADC wait, the channel slot and the UART (a message in flight is cut). */
  cancel(): void { this.tick.cancel(); this.adc.cancel(); this.send.cancel(); this.out.cancel(); }
}

/**
 * Receives samples and prints, once a second, "adc0 avg <mean> n=<count>".
 * Seconds without samples print nothing (the watchdog reports those).
 */
class Logger extends Future {
  private recvOrTick: Select2<Recv<i32>, Ticker> = new Select2<Recv<i32>, Ticker>(samples.receiver(), new Ticker(millis(1000)));
  private out: UartWrite = new UartWrite(uart0, 64);
  private sum: i64 = 0;
  private count: i32 = 0;
  private printing: bool = false;

  poll(w: Waker): bool {
    while (true) {
      if (this.printing) {
        if (!this.out.poll(w)) return false;
        this.printing = false;
      }
      const sel = this.recvOrTick;
      if (!sel.poll(w)) return false;
      if (sel.winner == 0) {
        this.sum += sel.a.value;
        this.count++;
        sampleSeen.notifyOne();
        continue;
      }
      if (this.count == 0) continue;
      // Rounded mean, in integers: no floats, no allocation.
      const mean = (this.sum + (this.count >> 1)) / this.count;
      this.out.text("adc0 avg ").buf.int(mean);
      this.out.text(" n=").buf.int(this.count);
      this.out.buf.byte(0x0a);
      this.sum = 0;
      this.count = 0;
      this.printing = true;
    }
  }

  /** Abort: leaves the channel's wait list (no sample is lost) and frees the UART. */
  cancel(): void { this.recvOrTick.cancel(); this.out.cancel(); }
}

/**
 * Waits for the logger's "sample seen" with a 300 ms timeout. Prints one
 * warning when samples stop and one line when they come back, so a board
 * without an ADC gets a single warning, not one every 300 ms.
 */
class Watchdog extends Future {
  private wait: Timeout<Notified> = withTimeout(sampleSeen.notified(), millis(WATCHDOG_MS));
  private out: UartWrite = new UartWrite(uart0, 64);
  private warned: bool = false;
  private printing: bool = false;

  poll(w: Waker): bool {
    while (true) {
      if (this.printing) {
        if (!this.out.poll(w)) return false;
        this.printing = false;
      }
      if (!this.wait.poll(w)) return false;
      if (this.wait.timedOut && !this.warned) {
        this.warned = true;
        this.out.text("warning: no adc sample for ").buf.int(WATCHDOG_MS);
        this.out.text(" ms\n");
        this.printing = true;
      } else if (!this.wait.timedOut && this.warned) {
        this.warned = false;
        this.out.text("adc samples resumed\n");
        this.printing = true;
      }
    }
  }

  /** Abort: releases the timeout's timer and wait-list place and frees the UART. */
  cancel(): void { this.wait.cancel(); this.out.cancel(); }
}

// ---- button ----

/** Prints "button 1" / "button 0" on each edge of the button pin. Ends quietly on a board without the pin. */
class Button extends Future {
  private edge: WaitEdge = new WaitEdge(BUTTON_PIN);
  private out: UartWrite = new UartWrite(uart0, 16);
  private printing: bool = false;

  poll(w: Waker): bool {
    while (true) {
      if (this.printing) {
        if (!this.out.poll(w)) return false;
        this.printing = false;
      }
      if (!this.edge.poll(w)) return false;
      if (this.edge.error != OK) return true;
      this.out.text("button ").buf.int(this.edge.level);
      this.out.buf.byte(0x0a);
      this.printing = true;
    }
  }

  /** Abort: disarms the button's edge interrupt and frees the UART. */
  cancel(): void { this.edge.cancel(); this.out.cancel(); }
}

// ---- shell ----

const SH_READ: u8 = 0;
const SH_ADC: u8 = 1;
const SH_TEMP: u8 = 2;
const SH_WRITE: u8 = 3;

/**
 * A line shell on UART0. Each line is echoed as "> <line>", then answered:
 *   ping        pong
 *   uptime      uptime <seconds>.<millis> s (+<time since the previous uptime>)
 *   tasks       one line per task: slot, name, state (running/ready/waiting/aborting)
 *   stats       UART0 RX overruns, samples sent by the sampler, samples not yet logged
 *   adc <ch>    adc <ch> = <0..4095>
 *   temp        temp <degrees>.<hundredths> C (the TS1 I2C sensor)
 *   help        the command list
 * anything else gets "error: ..." on one line. Empty lines are ignored.
 */
class Shell extends Future {
  private rl: UartReadLine = new UartReadLine(uart0, LINE_MAX);
  private out: UartWrite = new UartWrite(uart0, 768);
  private adc: AdcRead = new AdcRead(0);
  private temp: Ts1Read = new Ts1Read();
  private state: u8 = SH_READ;
  private lastUptimeMs: i64 = 0;

  poll(w: Waker): bool {
    while (true) {
      switch (this.state) {
        case SH_READ: {
          if (!this.rl.poll(w)) return false;
          if (this.rl.error == BOARD_EBADPORT) return true; // no UART0: nothing to serve
          this.handleLine();
          break;
        }
        case SH_ADC: {
          if (!this.adc.poll(w)) return false;
          const b = this.out.buf;
          if (this.adc.error != OK) {
            b.str("error: adc ").uint(this.adc.channel).str(": ").str(errorName(this.adc.error)).byte(0x0a);
          } else {
            b.str("adc ").uint(this.adc.channel).str(" = ").int(this.adc.value).byte(0x0a);
          }
          this.state = SH_WRITE;
          break;
        }
        case SH_TEMP: {
          if (!this.temp.poll(w)) return false;
          const b = this.out.buf;
          if (this.temp.error != OK) b.str("error: temp: ").str(errorName(this.temp.error)).byte(0x0a);
          else b.str("temp ").fixed(this.temp.centiC, 2).str(" C\n");
          this.state = SH_WRITE;
          break;
        }
        default: {
          if (!this.out.poll(w)) return false;
          this.state = SH_READ;
        }
      }
    }
  }

  /** Echo the line and either answer it into `out` (state WRITE) or start a command (ADC, TEMP). */
  private handleLine(): void {
    const line = this.rl.line;
    const b = this.out.buf;
    const err = this.rl.error;
    // Skip leading and trailing blanks; the command word ends at a blank.
    let from = 0;
    let to = line.len;
    while (from < to && isBlank(line.at(from))) from++;
    while (to > from && isBlank(line.at(to - 1))) to--;
    if (from == to && err == OK) { this.state = SH_READ; return; }
    b.str("> ").slice(line, 0, line.len).byte(0x0a);
    this.state = SH_WRITE;
    if (err == E_LINE_TOO_LONG) { b.str("error: line too long (max ").int(LINE_MAX).str(" bytes)\n"); return; }
    if (err == E_OVERRUN) { b.str("error: uart overrun, ").int(this.rl.lost).str(" bytes lost; line ignored\n"); return; }
    if (err != OK) { b.str("error: uart: ").str(errorName(err)).byte(0x0a); return; }
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
      b.str("uptime ").fixed(ms, 3).str(" s (+").fixed(ms - this.lastUptimeMs, 3).str(" s)\n");
      this.lastUptimeMs = ms;
    } else if (word == 5 && line.matches("tasks", from) && noArg) {
      this.listTasks(b);
    } else if (word == 5 && line.matches("stats", from) && noArg) {
      b.str("uart0 overruns ").int(uart0.overruns()).str(", samples sent ").uint(samples.sentTotal);
      b.str(", pending ").int(samples.length).byte(0x0a);
    } else if (word == 4 && line.matches("help", from) && noArg) {
      b.str("commands: ping, uptime, tasks, stats, adc <ch>, temp, help\n");
    } else if (word == 4 && line.matches("temp", from) && noArg) {
      this.state = SH_TEMP;
    } else if (word == 3 && line.matches("adc", from)) {
      const ch = parseUint(line, arg, to);
      if (ch < 0) b.str("error: usage: adc <channel number>\n");
      else { this.adc.channel = <u32>ch; this.state = SH_ADC; }
    } else {
      b.str("error: unknown command '").slice(line, from, wordEnd).str("' (try help)\n");
    }
  }

  private listTasks(b: ByteBuf): void {
    for (let i = 0; i < TASK_CAPACITY; i++) {
      const st = taskState(i);
      if (st == TASK_FREE) continue;
      const name = taskName(i);
      b.str("task ").int(i).byte(0x20).str(name !== null ? name : "?").byte(0x20);
      if (st == TASK_ABORTING) b.str("aborting");
      else if (i == currentTask) b.str("running");
      else if (isReady(i)) b.str("ready");
      else b.str("waiting");
      b.byte(0x0a);
    }
  }

  /**
   * Abort: stops reading (a partial input line is kept for a restarted
   * shell), releases the ADC and bus waits and frees the UART (an answer in
   * flight is cut).
   */
  cancel(): void {
    this.rl.cancel();
    this.adc.cancel();
    this.temp.cancel();
    this.out.cancel();
    this.state = SH_READ;
  }
}

// ---- start-up: build every future once, spawn in priority order ----

const banner = new UartWrite(uart0, 48);
banner.text("coop demo ready (type help)\n");

/** Prints the banner once, then ends. */
class Banner extends Future {
  poll(w: Waker): bool { return banner.poll(w); }
  cancel(): void { banner.cancel(); }
}

spawn(new Blinky(), "blinky");
spawn(new UartRxPump(uart0), "uart0-rx");
spawn(new Sampler(), "sampler");
spawn(new Logger(), "logger");
spawn(new Watchdog(), "watchdog");
spawn(new Button(), "button");
spawn(new Banner(), "banner");
spawn(new Shell(), "shell");
