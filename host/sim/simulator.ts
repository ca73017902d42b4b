// The simulated board: virtual clock, event queue, interrupt controller,
// peripherals, the ABI imports, and the board loop of docs/abi.md. It talks
// to firmware only through host/engine.ts, so any engine plugs in.

import { EngineError, oneLine, type BoardImports, type Engine, type Firmware, type FirmwareMemory, type TrapFrame } from "../engine.js";
import { TrapSymbols } from "./symbols.js";
import { namesOf, NAME_KIND_WORDS, type BoardDesc } from "./board.js";
import { EventQueue } from "./events.js";
import { Prng } from "./prng.js";
import { makeSource, constant, type Source } from "./sources.js";
import { Alarm, Uart, Gpio, Adc, I2cBus, Ts1, type PeriphCtx, type BusDevice } from "./peripherals.js";
import { ERR, IRQ, IRQ_LINE_COUNT, NAME_KIND, STAT, TRACE, WAKE, irqName } from "../abi.js";
import { ChromeTrace, Vcd, newMetrics, type TaskMetrics, type TraceSink } from "./recorder.js";
import { addFuel, DEFAULT_FUEL, FUEL_MARKER, FUEL_TRACE_KIND } from "./fuel.js";

export interface SimOptions {
  seed?: number;
  /** Fuel per coop_step/_start call (function entries + loop iterations), or false for no metering. */
  fuel?: number | false;
  /** Called for each byte UART `port` puts on the wire. */
  onUart?: (port: number, byte: number) => void;
  /** Called for each board.log line. */
  onLog?: (line: string, tUs: number) => void;
  /** Record a Chrome trace: true keeps it in memory (chrome.toJSON()), a sink gets it streamed (call chrome.finish()). */
  trace?: boolean | TraceSink;
  vcd?: boolean;
}

/** Why the firmware stopped for good (docs/abi.md rule 4). */
export interface Fault {
  /** "name": the firmware asked board.resolve for a name the board does not have (exit BAD_MODULE). */
  kind: "panic" | "trap" | "runaway" | "stall" | "start" | "name" | "alloc" | "oom";
  message: string;
  /** For "alloc" and "oom": the heap top sealed after _start and the top at the fault (coop_heap_top). */
  heap?: { sealed: number; now: number | null };
  task: number;
  taskName: string | null;
  /** For a trap in an async task of a debug build: the await the task last passed ("file.ts:line"). */
  site?: string;
  /** For a trap: where, as host/sim/symbols.ts words it ("at file.ts:L:C (file/Fn, called from coop_step)" or "(in file/Fn, ...)"). */
  where?: string;
  tUs: number;
}

class PanicSignal extends Error {}

// Firmware text (log lines, names: UTF-8; marks: AssemblyScript's UTF-16LE strings); bad bytes become U+FFFD.
const UTF8 = new TextDecoder();
const UTF16LE = new TextDecoder("utf-16le");

/**
 * Consecutive coop_step calls that may poll no task and leave the clock where
 * it was before the board calls it a stall (docs/simulator.md, Liveness). A
 * healthy core needs one or two such steps in a row (an IRQ delivered to no
 * waiter, a timer pass that wakes nobody); a stalled firmware needs them
 * forever, and nothing else (not --until, not fuel) would stop it.
 */
export const STALL_STEPS = 1000;

const { POLL_BEGIN: TRACE_POLL_BEGIN, POLL_END: TRACE_POLL_END, WAKE: TRACE_WAKE, SPAWN: TRACE_SPAWN, EXIT: TRACE_EXIT, IRQ: TRACE_IRQ, MARK: TRACE_MARK } = TRACE;

/** Longest firmware mark name read, in bytes of UTF-16 (longer names are cut). */
const MARK_MAX_BYTES = 128;
/** A UART line span is closed after this many bytes even without a newline (bounded memory). */
const UART_LINE_MAX = 256;

/** The bytes of one UART direction since its last line end (for the trace's line spans). */
interface UartLine { start: number; end: number; bytes: number[]; dropped: number }

export class Simulator implements PeriphCtx {
  readonly events = new EventQueue();
  readonly rng: Prng;
  private t = 0;
  pending = 0;
  /** board.irq_quiet: 0 from a raise until the next irq_take (docs/abi.md). */
  private readonly irqQuiet = new WebAssembly.Global({ value: "i32", mutable: true }, 0);
  enabled = 0;
  irqDropped = 0;
  readonly isrCount = new Array<number>(IRQ_LINE_COUNT).fill(0);
  readonly alarm: Alarm;
  readonly uarts = new Map<number, Uart>();
  readonly gpio: Gpio;
  readonly adc: Adc;
  readonly bus: I2cBus;
  fw: Firmware | null = null;
  fault: Fault | null = null;
  /** The module as built and as run (fuel-rewritten), to name a trap's code; read only after a trap. */
  private symbols: { original: Uint8Array; ran: Uint8Array; sourceMap: string | null; named: TrapSymbols | null } | null = null;
  steps = 0;
  readonly serial: number[] = []; // UART0 output
  /** UART1 output (empty on a board without UART1). */
  readonly serial1: number[] = [];
  readonly logs: string[] = [];
  readonly chrome: ChromeTrace | null;
  readonly vcd: Vcd | null;
  readonly fuel: number | false;
  private readonly opts: SimOptions;
  /** Level changes per pin (for --json). */
  readonly pinChanges = new Map<number, number>();
  /** Called on every pin level change with the simulated time (a scenario's pin watch, host/sim/target.ts). */
  onPinChange: ((pin: number, level: 0 | 1, tUs: number) => void) | null = null;

  // Per-task bookkeeping from the trace import.
  private metrics: TaskMetrics[] = [];
  private slotMetrics = new Map<number, TaskMetrics>();
  /** The heap top sealed after _start (optional export coop_heap_seal), to report allocation after start-up. */
  private heapAfterStart: number | null = null;
  private scheduledAt = new Map<number, number>();
  private unnamed: number[] = [];
  private polling = -1;
  private pollStart = 0;
  private fuelAtBegin = 0;
  private pendingEnd: { slot: number; done: boolean } | null = null;
  /** A poll ended during the current step (see run()'s stall check). */
  private polledInStep = false;
  /** Consecutive steps with no poll and no clock progress. */
  private stalledSteps = 0;
  /** _start is running (a wake from outside any poll, IRQ or timer is a start-up wake). */
  private starting = false;
  /** Wake events whose task names are not known yet (spawned in this step): written when the names are read. */
  private deferredWakes: { slot: number; by: number; cause: string | null; t: number }[] = [];
  /** Partial UART lines per port and direction ("0tx", "0rx"), for the trace. */
  private uartLines = new Map<string, UartLine>();

  constructor(readonly board: BoardDesc, opts: SimOptions = {}) {
    this.opts = opts;
    this.rng = new Prng(opts.seed ?? 1);
    this.fuel = opts.fuel === undefined ? DEFAULT_FUEL : opts.fuel;
    this.chrome = typeof opts.trace === "object" ? new ChromeTrace(opts.trace) : opts.trace ? new ChromeTrace() : null;
    this.vcd = opts.vcd ? new Vcd() : null;
    this.alarm = new Alarm(this);
    this.enable(IRQ.ALARM);
    for (const u of board.uarts) {
      const uart = new Uart(this, u.port, u.baud, u.rx_fifo, u.tx_fifo, (b) => this.onTx(u.port, b), (b, dropped) => this.onUartByte(u.port, true, b, dropped));
      this.uarts.set(u.port, uart);
      this.chrome?.uartTrack(u.port, false);
      this.chrome?.uartTrack(u.port, true);
      this.enable(uart.rxLine);
      this.enable(uart.txLine);
    }
    const pins = new Map(board.pins.map((p) => [p.pin, { dir: p.dir, initial: p.initial }]));
    for (const p of board.pins) {
      this.enable(IRQ.GPIO_BASE + p.pin);
      this.vcd?.addVar(`pin${p.pin}`, p.name, 1, p.initial);
    }
    this.gpio = new Gpio(this, pins, (pin, level) => {
      this.pinChanges.set(pin, (this.pinChanges.get(pin) ?? 0) + 1);
      this.vcd?.change(`pin${pin}`, this.t, level);
      this.chrome?.counter(`pin ${this.pinName(pin)}`, level, this.t);
      this.onPinChange?.(pin, level, this.t);
    });
    const sources = new Map<number, Source>();
    for (const c of board.adc.channels) {
      sources.set(c.channel, this.source(c.source, `ADC channel ${c.name}`));
      this.vcd?.addVar(`adc${c.channel}`, `adc_${c.name}`, 12, 0);
    }
    const chName = new Map(board.adc.channels.map((c) => [c.channel, c.name]));
    this.adc = new Adc(this, sources, board.adc.conversion_us, (ch, v) => {
      this.vcd?.change(`adc${ch}`, this.t, v);
      this.chrome?.counter(`ADC ${chName.get(ch)}`, v, this.t);
    });
    if (sources.size) this.enable(IRQ.ADC);
    const devs = new Map<number, BusDevice>();
    for (const d of board.i2c.devices) devs.set(d.addr, new Ts1(this.source(d.source, `I2C device 0x${d.addr.toString(16)}`)));
    this.bus = new I2cBus(this, devs, board.i2c.clock_hz);
    this.enable(IRQ.BUS);
    this.enable(IRQ.SOFT);
    for (const u of board.uarts) {
      this.vcd?.addVar(`uart${u.port}tx`, `uart${u.port}_tx`, 8, 0);
      this.vcd?.addVar(`uart${u.port}rx`, `uart${u.port}_rx`, 8, 0);
    }
    this.vcd?.start();
    // A fixed track list (every enabled line), so two runs differ only in real events.
    for (let l = 0; l < IRQ_LINE_COUNT; l++) if ((this.enabled >>> l) & 1) this.chrome?.isrTrack(l, irqName(l));
  }

  private source(spec: unknown, what: string): Source {
    try {
      return makeSource(spec, this.rng, this.board.readFile);
    } catch (e) {
      throw new Error(`board ${this.board.name}: ${what}: ${(e as Error).message}`);
    }
  }

  private enable(line: number): void {
    this.enabled |= 1 << line;
  }

  // ---- PeriphCtx ----
  now(): number {
    return this.t;
  }
  raise(line: number): void {
    if (!((this.enabled >>> line) & 1)) {
      this.irqDropped++;
      return;
    }
    this.pending |= 1 << line;
    this.irqQuiet.value = 0;
    this.isrCount[line]++;
    if (this.chrome) this.isrBatch.push(line);
  }
  /** ISR spans of the current tick, emitted in priority order (ascending line) by flushIsrs. */
  private isrBatch: number[] = [];
  private flushIsrs(): void {
    if (!this.isrBatch.length) return;
    const lines = [...new Set(this.isrBatch)].sort((a, b) => a - b);
    this.isrBatch = [];
    for (const l of lines) this.chrome!.isr(l, irqName(l), this.t);
  }
  /** The output of UART `port` (0 or 1) so far; an empty array for any other port. */
  serialOf(port: number): number[] {
    return port === 0 ? this.serial : port === 1 ? this.serial1 : [];
  }
  memory(): FirmwareMemory | null {
    return this.fw ? this.fw.memory : null;
  }

  private onTx(port: number, b: number): void {
    if (port === 0) this.serial.push(b);
    else if (port === 1) this.serial1.push(b);
    this.onUartByte(port, false, b, false);
    this.opts.onUart?.(port, b);
  }

  private pinName(pin: number): string {
    return this.board.pins.find((p) => p.pin === pin)?.name ?? `pin${pin}`;
  }

  /**
   * A byte finished its frame on a UART wire (now): the VCD shows it for half
   * a frame, the trace groups the bytes of one direction into line spans.
   */
  private onUartByte(port: number, rx: boolean, b: number, dropped: boolean): void {
    const byteUs = this.uarts.get(port)!.byteUs;
    this.vcd?.pulse(`uart${port}${rx ? "rx" : "tx"}`, this.t, b, byteUs / 2);
    if (!this.chrome) return;
    const key = `${port}${rx ? "rx" : "tx"}`;
    let l = this.uartLines.get(key);
    if (!l) this.uartLines.set(key, (l = { start: this.t - byteUs, end: this.t, bytes: [], dropped: 0 }));
    l.bytes.push(b);
    l.end = this.t;
    if (dropped) l.dropped++;
    if (b === 10 || l.bytes.length >= UART_LINE_MAX) this.endUartLine(key);
  }
  private endUartLine(key: string): void {
    const l = this.uartLines.get(key);
    if (!l) return;
    this.uartLines.delete(key);
    const text = UTF8.decode(Uint8Array.from(l.bytes));
    this.chrome!.uartLine(Number.parseInt(key, 10), key.endsWith("rx"), text, l.bytes.length, l.dropped, Math.max(0, l.start), l.end);
  }

  /**
   * Complete the trace's pending parts before it is written: wakes whose task
   * names could not be read (a fault), UART bytes after the last line end.
   */
  flushTrace(): void {
    if (!this.chrome) return;
    this.resolveNames();
    this.writeWakes(true);
    for (const key of [...this.uartLines.keys()].sort()) this.endUartLine(key);
  }

  /** Advance the clock by dt µs, running the events that fall due (ISRs may fire mid-step), each at its own time. */
  private advance(dt: number): void {
    this.runTo(this.t + dt);
  }
  private runDue(): void {
    this.runTo(this.t);
  }
  private runTo(target: number): void {
    this.flushIsrs(); // raises from outside events (scenario set-pin) belong to the current tick
    for (;;) {
      const e = this.events.popDue(target);
      if (!e) break;
      if (e.t > this.t) {
        this.flushIsrs();
        this.t = e.t;
      }
      e.fn();
    }
    this.flushIsrs();
    if (target > this.t) this.t = target;
  }

  // ---- the ABI imports ----
  imports(): BoardImports {
    const u = (port: number) => this.uarts.get(port >>> 0);
    const text = (ptr: number, len: number): string => {
      const d = this.fw?.memory.read(ptr >>> 0, len >>> 0);
      return d ? UTF8.decode(d) : `<bad pointer ${ptr >>> 0}+${len >>> 0}>`;
    };
    return {
      tick_hz: () => 1_000_000,
      now: () => BigInt(Math.floor(this.t)),
      set_alarm: (at) => this.alarm.set(Number(at)),
      irq_take: () => {
        const p = this.pending & this.enabled;
        this.pending = 0;
        this.irqQuiet.value = 1;
        return p >>> 0;
      },
      irq_quiet: this.irqQuiet,
      uart_write: (port, ptr, len) => u(port)?.write(ptr >>> 0, len >>> 0) ?? -1,
      uart_read: (port, ptr, cap) => u(port)?.read(ptr >>> 0, cap >>> 0) ?? -1,
      uart_overruns: (port) => u(port)?.overruns ?? -1,
      gpio_write: (pin, level) => {
        const r = this.gpio.write(pin >>> 0, level);
        if (r === 0) this.chrome?.gpioWrite(pin >>> 0, this.pinName(pin >>> 0), level !== 0 ? 1 : 0, this.t);
        return r;
      },
      gpio_read: (pin) => this.gpio.read(pin >>> 0),
      gpio_irq: (pin, edges) => this.gpio.arm(pin >>> 0, edges >>> 0),
      adc_start: (ch) => this.adc.start(ch >>> 0),
      adc_read: (ch) => this.adc.read(ch >>> 0),
      bus_transfer: (addr, wptr, wlen, rptr, rlen) => this.bus.transfer(addr >>> 0, wptr >>> 0, wlen >>> 0, rptr >>> 0, rlen >>> 0),
      bus_status: () => this.bus.status,
      resolve: (kind, ptr, len) => this.resolveName(kind >>> 0, ptr >>> 0, len >>> 0),
      log: (ptr, len) => {
        const line = text(ptr, len);
        this.logs.push(line);
        this.opts.onLog?.(line, this.t);
      },
      trace: (kind, a, b) => this.onTrace(kind, a, b),
      panic: (m, ml, f, fl, line, col) => {
        if (line >>> 0 === 0xffffffff && col >>> 0 === FUEL_MARKER) {
          this.fault = { kind: "runaway", message: `did not return within ${this.fuel} work units (function entries + loop iterations)`, task: -1, taskName: null, tUs: this.t };
        } else {
          const file = fl ? ` at ${text(f, fl)}:${line >>> 0}:${col >>> 0}` : "";
          this.fault = { kind: "panic", message: `${text(m, ml)}${file}`, task: -1, taskName: null, tUs: this.t };
        }
        throw new PanicSignal("firmware panic"); // unwinds the wasm call; the module is dead
      },
    };
  }

  /**
   * board.resolve: the number of a board-file name. A name the board lacks
   * (unless asked with the OPTIONAL flag), an unknown kind or a name outside
   * memory stops the firmware: it must not run on with a wrong number.
   */
  private resolveName(kind: number, ptr: number, len: number): number {
    const optional = (kind & NAME_KIND.OPTIONAL) !== 0;
    const base = kind & ~NAME_KIND.OPTIONAL;
    const words = NAME_KIND_WORDS[base];
    const bytes = this.fw?.memory.read(ptr, len);
    let why: string;
    if (!words) why = `board ${this.board.name}: resolve of unknown kind ${kind} (docs/abi.md, Names)`;
    else if (!bytes) why = `board ${this.board.name}: resolve of a ${words[0]} name outside the firmware's memory (${ptr}+${len})`;
    else {
      const name = UTF8.decode(bytes);
      const all = namesOf(this.board, base);
      const hit = all.find(([n]) => n === name);
      if (hit) return hit[1];
      if (optional) return ERR.EBADPORT;
      const shown = len > 40 ? `${name.slice(0, 40)}...` : name;
      why = `board ${this.board.name} has no ${words[0]} named "${shown}" (${all.length ? `its ${words[1]}: ${all.map(([n]) => n).join(", ")}` : `it has no ${words[1]}`})`;
    }
    this.fault = { kind: "name", message: why, task: -1, taskName: null, tUs: this.t };
    throw new PanicSignal("unknown name"); // unwinds the wasm call; the module is dead
  }

  // ---- trace events -> metrics, Chrome trace ----
  private metricsFor(slot: number): TaskMetrics {
    let m = this.slotMetrics.get(slot);
    if (!m) {
      m = newMetrics(slot);
      this.slotMetrics.set(slot, m);
      this.metrics.push(m);
      this.unnamed.push(slot);
    }
    return m;
  }
  private onTrace(kind: number, a: number, b: number): void {
    switch (kind) {
      case TRACE_POLL_BEGIN: {
        const m = this.metricsFor(a);
        const w = this.scheduledAt.get(a);
        if (w !== undefined) {
          const d = this.t - w;
          m.scheduledUs += d;
          if (d > m.schedMaxUs) m.schedMaxUs = d;
          this.scheduledAt.delete(a);
          this.chrome?.ready(this.scheduledAt.size, this.t);
        }
        this.polling = a;
        this.pollStart = this.t;
        this.fuelAtBegin = -1;
        if (this.fuel === false) this.fuelAtBegin = 0;
        break;
      }
      case TRACE_POLL_END:
        if (this.fuel === false) this.endPoll(a, b !== 0, 0);
        else this.pendingEnd = { slot: a, done: b !== 0 };
        break;
      case FUEL_TRACE_KIND:
        if (this.pendingEnd) {
          const e = this.pendingEnd;
          this.pendingEnd = null;
          this.endPoll(e.slot, e.done, Math.max(0, this.fuelAtBegin - a));
        } else this.fuelAtBegin = a;
        break;
      case TRACE_WAKE: {
        const m = this.metricsFor(a);
        m.wakes++;
        if (b === a) m.selfWakes++;
        if (!this.scheduledAt.has(a)) {
          this.scheduledAt.set(a, this.t);
          this.chrome?.ready(this.scheduledAt.size, this.t);
        }
        if (this.chrome) {
          // Not a task: the cause is known now (start-up is only now); a task's name may not be yet.
          const cause = b >= 0 ? null : this.causeName(b);
          if (m.name && (cause !== null || this.slotMetrics.get(b)?.name)) this.chrome.wake(a, m.name, cause ?? this.wakerName(b), this.t);
          else this.deferredWakes.push({ slot: a, by: b, cause, t: this.t });
        }
        break;
      }
      case TRACE_MARK: {
        const len = Math.min(b >>> 0, MARK_MAX_BYTES) & ~1;
        const d = this.fw?.memory.read(a >>> 0, len);
        const name = d ? UTF16LE.decode(d) : `<bad mark pointer ${a >>> 0}+${b >>> 0}>`;
        this.chrome?.mark(this.polling, name, this.t);
        break;
      }
      case TRACE_SPAWN: {
        // A reused slot is a new task: start fresh metrics (names are read after the step).
        const old = this.slotMetrics.get(a);
        if (old && old.polls > 0) this.slotMetrics.delete(a);
        this.metricsFor(a);
        break;
      }
      case TRACE_EXIT:
        this.metricsFor(a).completed = b === 0;
        this.scheduledAt.delete(a);
        break;
      case TRACE_IRQ:
        this.chrome?.irqDelivered(a, irqName(a), b, this.t);
        break;
    }
  }
  /** The IRQ line a TRACE_WAKE cause names (WAKE.IRQ_BASE - line), or null. */
  private irqCause(by: number): number | null {
    const line = WAKE.IRQ_BASE - by;
    return line >= 0 && line < IRQ_LINE_COUNT ? line : null;
  }
  /** What woke a task outside a poll (a TRACE_WAKE's negative b), for the trace. */
  private causeName(by: number): string {
    if (by === WAKE.TIMER) return "timer";
    const line = this.irqCause(by);
    if (line !== null) return `irq ${irqName(line)} (line ${line})`;
    return this.starting ? "start" : "other";
  }
  private wakerName(slot: number): string {
    return `task ${slot}: ${this.slotMetrics.get(slot)?.name || `slot${slot}`}`;
  }
  /** Write the deferred wakes whose names are known now (all of them when `all`: unknown names become "slotN"). */
  private writeWakes(all: boolean): void {
    if (!this.chrome || !this.deferredWakes.length) return;
    const named = (slot: number) => !!this.slotMetrics.get(slot)?.name;
    const keep: typeof this.deferredWakes = [];
    for (const w of this.deferredWakes) {
      if (!all && !(named(w.slot) && (w.cause !== null || named(w.by)))) keep.push(w);
      else this.chrome.wake(w.slot, this.slotMetrics.get(w.slot)?.name || `slot${w.slot}`, w.cause ?? this.wakerName(w.by), w.t);
    }
    this.deferredWakes = keep;
  }
  private endPoll(slot: number, done: boolean, units: number): void {
    const m = this.metricsFor(slot);
    const cost = (this.board.cost.poll_ns + units * this.board.cost.unit_ns) / 1000;
    m.polls++;
    m.units += units;
    m.busyUs += cost;
    if (cost > this.board.cost.slow_poll_us) m.slowPolls++;
    this.chrome?.poll(slot, this.pollStart, cost, done, units);
    this.polling = -1;
    this.polledInStep = true;
    // The poll's work takes virtual time: the clock moves on, and peripherals that fall due meanwhile fire.
    this.advance(cost);
  }
  /**
   * Read names of newly seen task slots (outside any wasm call: no
   * re-entrancy). coop_task_name is firmware code: it runs guarded like any
   * other call, so a name read that traps or runs out of fuel is a fault.
   */
  private resolveNames(): void {
    this.nameSlots();
    this.writeWakes(false);
  }
  private nameSlots(): void {
    if (!this.unnamed.length || !this.fw || this.fault) return;
    const fw = this.fw;
    for (const slot of this.unnamed) {
      const m = this.slotMetrics.get(slot);
      if (!m) continue;
      const name = this.call(() => fw.taskName(slot));
      if (this.fault) break;
      m.name = name ?? `slot${slot}`;
      this.chrome?.nameTask(slot, m.name);
    }
    this.unnamed = [];
  }

  // ---- loading and running ----

  /** Instantiate the firmware (fuel-instrumented unless disabled), turn tracing on, run _start. */
  async load(engine: Engine, wasm: Uint8Array, sourceMap: string | null = null): Promise<void> {
    engine.check(wasm); // refuse bad modules with the engine's one-line messages before instrumenting
    let bytes = wasm;
    if (this.fuel !== false) {
      try {
        bytes = addFuel(wasm, this.fuel);
      } catch (e) {
        throw new EngineError(`cannot add fuel metering to this module (try --fuel 0): ${oneLine(e)}`);
      }
    }
    this.symbols = { original: wasm, ran: bytes, sourceMap, named: null };
    try {
      this.fw = await engine.load(bytes, this.imports());
    } catch (e) {
      // The ABI version export is the first firmware code to run: if it
      // panicked or ran out of fuel, the board's panic import saw it first.
      const f = this.fault as Fault | null;
      this.fault = null;
      if (f) throw new EngineError(`cannot read the firmware's ABI version: coop_abi_version ${f.kind === "runaway" ? f.message : `panicked: ${f.message}`}`);
      throw e;
    }
    const fw = this.fw;
    this.call(() => fw.setTrace(true));
    this.starting = true;
    if (!this.fault) this.call(() => fw.start(), "_start");
    this.starting = false;
    this.resolveNames();
    if (!this.fault) this.heapAfterStart = this.optional(() => this.fw!.heapSeal()) ?? this.optional(() => this.fw!.heapTop());
  }

  /**
   * Read one of the ABI's optional exports (coop_task_site, coop_heap_top):
   * what they say is extra information, so a module whose export traps or has
   * the wrong type simply does not say it (null), and nothing is a fault.
   */
  private optional<T>(fn: () => T | null): T | null {
    try {
      const v = fn();
      return v === undefined ? null : v;
    } catch {
      return null;
    }
  }

  /**
   * A trap right after a refused memory.grow is the allocator out of memory
   * (the stub runtime traps with `unreachable`); a panic or trap after the
   * heap moved past its seal is an allocation after start-up (the core's
   * check after each poll panics). Both become their own fault kinds, so the
   * report says what happened instead of "unreachable".
   */
  private classifyMemoryFault(): void {
    const f = this.fault!;
    if (f.kind !== "trap" && f.kind !== "panic") return;
    const sealed = this.heapAfterStart;
    if (f.kind === "trap" && /unreachable/i.test(f.message) && this.optional(() => this.fw!.growRefused())) {
      f.kind = "oom";
      f.message = `linear memory cannot grow past ${this.fw!.memory.size()} bytes`;
      if (sealed !== null) f.heap = { sealed, now: null };
      return;
    }
    if (sealed === null) return;
    const now = this.optional(() => this.fw!.heapTop());
    if (now === null || now === sealed) return;
    f.kind = "alloc";
    f.message = `allocated ${now - sealed} bytes after start-up`;
    f.heap = { sealed, now };
  }

  /** Run a firmware call (the export `what`); a trap or panic becomes `this.fault`. */
  private call<T>(fn: () => T, what = "the board"): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (!this.fault) {
        const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
        this.fault = { kind: "trap", message: `${e instanceof Error ? e.constructor.name : "error"}: ${msg}`, task: -1, taskName: null, tUs: this.t };
        const frame = (e as { frame?: TrapFrame }).frame;
        if (frame && this.symbols) {
          const s = this.symbols;
          try {
            s.named ??= new TrapSymbols(s.original, s.ran, s.sourceMap);
            const where = s.named.describe(frame, what);
            if (where) this.fault.where = where.trimStart();
          } catch {
            /* a module this reader cannot follow: the fault without a place */
          }
        }
      }
      const fw = this.fw!;
      try {
        this.fault.task = fw.currentTask();
        this.fault.taskName = this.fault.task >= 0 ? fw.taskName(this.fault.task) : null;
        // A panic names its source line itself; a trap does not, so say which await the task last passed.
        const site = this.fault.kind === "trap" && this.fault.task >= 0 ? fw.taskSite(this.fault.task) : null;
        if (site) this.fault.site = site;
      } catch {
        /* the engine could not answer: report without a task */
      }
      this.classifyMemoryFault();
      return undefined;
    }
  }

  /**
   * The board loop until simulated time `until` (µs), the firmware faults,
   * or `stop()` returns true (checked after every step and event batch).
   */
  run(until: number, stop?: () => boolean): "until" | "fault" | "stopped" {
    const fw = this.fw;
    if (!fw) throw new Error("run before load");
    for (;;) {
      if (this.fault) return "fault";
      this.runDue();
      if (stop?.()) return "stopped";
      if (this.t >= until) return "until";
      const t0 = this.t;
      this.polledInStep = false;
      const r = this.call(() => fw.step(), "coop_step");
      this.steps++;
      if (this.fault) return "fault";
      this.resolveNames();
      if (this.fault) return "fault";
      if (stop?.()) return "stopped";
      const deadline = Number(r);
      // The masked check of docs/abi.md: nothing runs between step's return and
      // this test, so an IRQ raised during the step is seen here.
      const pendingNow = this.pending & this.enabled;
      if (pendingNow || (deadline >= 0 && deadline <= this.t)) {
        // Call again at once (an IRQ is pending, or the poll budget ran out).
        // Only polls move the clock, so a step that polls nothing and asks to
        // be called again makes no progress: count those and stop a stall.
        if (this.polledInStep || this.t > t0) this.stalledSteps = 0;
        else if (++this.stalledSteps >= STALL_STEPS) {
          const why = pendingNow
            ? `IRQ ${this.lineNames(pendingNow)} stayed pending (never taken with irq_take)`
            : `coop_step kept returning a deadline at or before now (${deadline} <= ${Math.floor(this.t)})`;
          this.fault = { kind: "stall", message: `virtual time stopped: ${STALL_STEPS} consecutive coop_step calls polled no task and the clock did not advance; ${why}`, task: -1, taskName: null, tUs: this.t };
          return "fault";
        }
        continue;
      }
      this.stalledSteps = 0;
      const next = Math.min(deadline < 0 ? Infinity : deadline, this.events.nextTime(), until);
      if (next > this.t) this.t = next; // idle: jump, never sleep
    }
  }

  /** coop_stat(POLLS), or null if the firmware cannot answer (the run is over: no fault is recorded). */
  private pollCount(fw: Firmware): number | null {
    try {
      return Number(fw.stat(STAT.POLLS));
    } catch {
      return null;
    }
  }

  private lineNames(mask: number): string {
    const names: string[] = [];
    for (let l = 0; l < IRQ_LINE_COUNT; l++) if ((mask >>> l) & 1) names.push(irqName(l));
    return names.join(", ");
  }

  /** Per-task metrics so far, in slot order. */
  taskMetrics(): TaskMetrics[] {
    this.resolveNames();
    const rows = [...this.metrics].sort((x, y) => x.slot - y.slot);
    // Where each live task waits now (outside any wasm call; not after a fault: the module is dead).
    if (this.fw && !this.fault) {
      for (const m of rows) {
        if (m.completed) continue;
        const fw = this.fw;
        const at = this.optional(() => fw.taskSite(m.slot));
        if (at) m.waitingAt = at;
      }
    }
    return rows;
  }

  /** The simulated state in a form for --json and tests. */
  /** Bytes the firmware allocated after _start (null when it cannot say, or after a fault). */
  heapGrowth(): number | null {
    if (!this.fw || this.fault || this.heapAfterStart === null) return null;
    const now = this.optional(() => this.fw!.heapTop());
    return now === null ? null : now - this.heapAfterStart;
  }

  /**
   * What the firmware could not do and would otherwise pass in silence:
   * spawns refused by a full task table and timers refused by a full timer
   * pool (coop_stat), or null when the firmware cannot answer (after a fault).
   */
  refusals(): { spawnFailures: number; timerOverflows: number } | null {
    const fw = this.fw;
    if (!fw || this.fault) return null;
    const spawnFailures = this.optional(() => Number(fw.stat(STAT.SPAWN_FAILURES)));
    const timerOverflows = this.optional(() => Number(fw.stat(STAT.TIMER_OVERFLOWS)));
    return spawnFailures === null || timerOverflows === null ? null : { spawnFailures, timerOverflows };
  }

  /** The sealed heap top and the top now, for a report of growth seen at the end of a run. */
  heapSpan(): { sealed: number; now: number | null } | undefined {
    if (this.heapAfterStart === null || !this.fw) return undefined;
    return { sealed: this.heapAfterStart, now: this.optional(() => this.fw!.heapTop()) };
  }

  summary(): Record<string, unknown> {
    const fw = this.fw;
    const refused = this.refusals();
    return {
      heapGrowth: this.heapGrowth(),
      spawnFailures: refused?.spawnFailures ?? null,
      timerOverflows: refused?.timerOverflows ?? null,
      timeUs: Math.floor(this.t),
      steps: this.steps,
      polls: fw && !this.fault ? this.pollCount(fw) : null,
      uart: [...this.uarts.values()].map((u) => ({ port: u.port, sent: u.sent, received: u.received, overruns: u.overruns, inputPending: u.inputPending })),
      isr: Object.fromEntries(this.isrCount.map((n, l) => [irqName(l), n]).filter(([, n]) => (n as number) > 0)),
      pins: Object.fromEntries(this.board.pins.map((p) => [p.name, { pin: p.pin, dir: p.dir, level: this.gpio.level(p.pin), changes: this.pinChanges.get(p.pin) ?? 0 }])),
      irqDropped: this.irqDropped,
      adcConversions: this.adc.conversions,
      busTransfers: this.bus.transfers,
    };
  }

  /** The page's input: make the I2C sensor at `addr` read a constant (its unit: °C for the TS1). */
  setBusValue(addr: number, value: number): void {
    const dev = this.bus.devices.get(addr);
    if (!(dev instanceof Ts1)) throw new Error(`no TS1 sensor at I2C address 0x${addr.toString(16)}`);
    dev.source = constant(value);
  }

  /** Scenario/CLI input: make an ADC channel read a constant. */
  setAdc(channel: number, value: number): void {
    if (!this.adc.sources.has(channel)) throw new Error(`no ADC channel ${channel}`);
    this.adc.sources.set(channel, constant(value));
  }
}
