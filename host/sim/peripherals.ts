// Peripheral models. Each talks to the rest of the simulator only through
// `PeriphCtx` (clock, event queue, IRQ raise, firmware memory), so the tests
// drive them without firmware. They never call into wasm: like real ISRs
// they only change FIFOs, latches and pending flags. Timing rules are in
// docs/simulator.md.

import type { FirmwareMemory } from "../engine.js";
import type { EventQueue, SimEvent } from "./events.js";
import type { Source } from "./sources.js";
import { ERR, IRQ, EDGE } from "../abi.js";

const { EBADPORT, EBADPTR, EBUSY, ENOTREADY } = ERR;

export interface PeriphCtx {
  now(): number;
  readonly events: EventQueue;
  raise(line: number): void;
  memory(): FirmwareMemory | null;
}

// ---- alarm ------------------------------------------------------------------

export class Alarm {
  private ev: SimEvent | null = null;
  /** Armed time (µs) or -1. */
  at = -1;
  constructor(private readonly ctx: PeriphCtx) {}
  set(at: number): void {
    if (this.ev) this.ev.cancelled = true;
    this.ev = null;
    this.at = at;
    if (at < 0) return;
    // An alarm in the past fires now (still through the queue, keeping order).
    this.ev = this.ctx.events.at(Math.max(at, this.ctx.now()), () => {
      this.ev = null;
      this.at = -1;
      this.ctx.raise(IRQ.ALARM);
    });
  }
}

// ---- UART -------------------------------------------------------------------

export class Uart {
  readonly rx: number[] = [];
  readonly tx: number[] = [];
  /** Host bytes not yet on the wire towards the firmware. */
  private input: number[] = [];
  private inputHead = 0;
  private rxBusy = false;
  private txBusy = false;
  overruns = 0;
  received = 0;
  sent = 0;
  /** Time one 8N1 frame takes, µs. */
  readonly byteUs: number;
  constructor(
    private readonly ctx: PeriphCtx,
    readonly port: number,
    baud: number,
    readonly rxDepth: number,
    readonly txDepth: number,
    private readonly onTx: (byte: number) => void,
    /** Called for each byte that arrives on the RX wire (dropped: the FIFO was full). */
    private readonly onRx?: (byte: number, dropped: boolean) => void,
  ) {
    this.byteUs = 10_000_000 / baud;
  }
  get rxLine(): number { return this.port === 0 ? IRQ.UART0_RX : IRQ.UART1_RX; }
  get txLine(): number { return this.port === 0 ? IRQ.UART0_TX : IRQ.UART1_TX; }
  /** Bytes queued by the host that have not arrived yet. */
  get inputPending(): number { return this.input.length - this.inputHead; }

  /** Host side: send bytes to the firmware; they arrive one per byte time, after any already queued. */
  send(bytes: Uint8Array): void {
    for (const b of bytes) this.input.push(b);
    if (!this.rxBusy) this.nextArrival();
  }
  private nextArrival(): void {
    if (this.inputHead >= this.input.length) {
      this.rxBusy = false;
      this.input = [];
      this.inputHead = 0;
      return;
    }
    this.rxBusy = true;
    this.ctx.events.at(this.ctx.now() + this.byteUs, () => {
      const b = this.input[this.inputHead++];
      const kept = this.rx.length < this.rxDepth;
      if (kept) {
        this.rx.push(b);
        this.received++;
      } else this.overruns++; // FIFO full: the byte is lost, as on hardware
      this.onRx?.(b, !kept);
      this.ctx.raise(this.rxLine);
      this.nextArrival();
    });
  }

  write(ptr: number, len: number): number {
    const mem = this.ctx.memory();
    const data = mem?.read(ptr, len);
    if (!data) return EBADPTR;
    const n = Math.min(len, this.txDepth - this.tx.length);
    for (let i = 0; i < n; i++) this.tx.push(data[i]);
    if (n > 0 && !this.txBusy) this.shiftOut();
    return n;
  }
  private shiftOut(): void {
    this.txBusy = true;
    this.ctx.events.at(this.ctx.now() + this.byteUs, () => {
      const wasFull = this.tx.length >= this.txDepth;
      const b = this.tx.shift()!;
      this.sent++;
      this.onTx(b);
      if (wasFull || this.tx.length === 0) this.ctx.raise(this.txLine);
      if (this.tx.length) this.shiftOut();
      else this.txBusy = false;
    });
  }

  read(ptr: number, cap: number): number {
    const mem = this.ctx.memory();
    if (!mem || !mem.read(ptr, cap)) return EBADPTR;
    const n = Math.min(cap, this.rx.length);
    if (n === 0) return 0;
    mem.write(ptr, Uint8Array.from(this.rx.splice(0, n)));
    return n;
  }
}

// ---- GPIO -------------------------------------------------------------------

export class Gpio {
  /** Level driven by the firmware (output latch), per pin. */
  readonly latch = new Map<number, 0 | 1>();
  /** Level driven from outside (scenario, input), per pin. */
  readonly input = new Map<number, 0 | 1>();
  readonly edges = new Map<number, number>();
  constructor(
    private readonly ctx: PeriphCtx,
    readonly pins: ReadonlyMap<number, { dir: "in" | "out"; initial: 0 | 1 }>,
    private readonly onChange: (pin: number, level: 0 | 1) => void,
  ) {
    for (const [pin, d] of pins) {
      if (d.dir === "in") this.input.set(pin, d.initial);
      else this.latch.set(pin, d.initial);
    }
  }
  has(pin: number): boolean { return this.pins.has(pin); }
  /** The level seen on the pin: inputs from outside, outputs from the latch. */
  level(pin: number): 0 | 1 {
    return this.pins.get(pin)?.dir === "in" ? this.input.get(pin) ?? 0 : this.latch.get(pin) ?? 0;
  }
  write(pin: number, level: number): number {
    if (!this.has(pin)) return EBADPORT;
    const v: 0 | 1 = level !== 0 ? 1 : 0;
    const before = this.level(pin);
    this.latch.set(pin, v);
    if (this.level(pin) !== before) this.onChange(pin, v);
    return 0;
  }
  read(pin: number): number {
    return this.has(pin) ? this.level(pin) : EBADPORT;
  }
  arm(pin: number, edges: number): number {
    if (!this.has(pin) || edges < EDGE.OFF || edges > EDGE.BOTH) return EBADPORT;
    this.edges.set(pin, edges);
    return 0;
  }
  /** Host side: drive an input pin. Throws (one line) for an output pin. */
  drive(pin: number, level: 0 | 1): void {
    const d = this.pins.get(pin);
    if (!d) throw new Error(`no pin ${pin}`);
    if (d.dir !== "in") throw new Error(`pin ${pin} is an output; only inputs can be driven`);
    const before = this.input.get(pin) ?? 0;
    if (before === level) return;
    this.input.set(pin, level);
    this.onChange(pin, level);
    const e = this.edges.get(pin) ?? 0;
    if ((level === 1 && e & EDGE.RISING) || (level === 0 && e & EDGE.FALLING)) this.ctx.raise(IRQ.GPIO_BASE + pin);
  }
}

// ---- ADC --------------------------------------------------------------------

export class Adc {
  readonly results = new Map<number, number>();
  private busy = false;
  conversions = 0;
  constructor(
    private readonly ctx: PeriphCtx,
    readonly sources: Map<number, Source>,
    readonly conversionUs: number,
    private readonly onSample: (channel: number, value: number) => void,
  ) {}
  start(ch: number): number {
    if (!this.sources.has(ch)) return EBADPORT;
    if (this.busy) return EBUSY;
    this.busy = true;
    this.ctx.events.at(this.ctx.now() + this.conversionUs, () => {
      const raw = this.sources.get(ch)!.value(this.ctx.now());
      const v = Math.max(0, Math.min(4095, Math.round(raw)));
      this.results.set(ch, v);
      this.busy = false;
      this.conversions++;
      this.onSample(ch, v);
      this.ctx.raise(IRQ.ADC);
    });
    return 0;
  }
  read(ch: number): number {
    if (!this.sources.has(ch)) return EBADPORT;
    return this.results.get(ch) ?? ENOTREADY;
  }
}

// ---- I2C bus + TS1 temperature sensor ----------------------------------------

export interface BusDevice {
  /** Write bytes (first = register pointer), then read `rlen` bytes. */
  transfer(w: Uint8Array, rlen: number, t: number): Uint8Array;
}

/** The TS1 temperature sensor, register map in docs/simulator.md. */
export class Ts1 implements BusDevice {
  static readonly ID = 0x54;
  private ptr = 0;
  config = 0;
  private sample = 0; // 0.01 °C, signed 16-bit
  /** What the sensor measures; the page may replace it (Simulator.setBusValue). */
  constructor(public source: Source) {
    this.sample = this.sampleAt(0);
  }
  private sampleAt(t: number): number {
    const v = Math.round(this.source.value(t) * 100);
    return Math.max(-32768, Math.min(32767, v));
  }
  transfer(w: Uint8Array, rlen: number, t: number): Uint8Array {
    if (w.length > 0) {
      this.ptr = w[0];
      for (let i = 1; i < w.length; i++) {
        if (this.ptr === 0x02) this.config = w[i];
        this.ptr = (this.ptr + 1) & 0xff;
      }
    }
    const out = new Uint8Array(rlen);
    for (let i = 0; i < rlen; i++) {
      switch (this.ptr) {
        case 0x00:
          if (!(this.config & 1)) this.sample = this.sampleAt(t);
          out[i] = (this.sample >> 8) & 0xff;
          break;
        case 0x01: out[i] = this.sample & 0xff; break;
        case 0x02: out[i] = this.config; break;
        case 0x03: out[i] = Ts1.ID; break;
        default: out[i] = 0xff;
      }
      this.ptr = (this.ptr + 1) & 0xff;
    }
    return out;
  }
}

export class I2cBus {
  private busy = false;
  status = ENOTREADY;
  transfers = 0;
  constructor(
    private readonly ctx: PeriphCtx,
    readonly devices: Map<number, BusDevice>,
    readonly clockHz: number,
  ) {}
  transfer(addr: number, wptr: number, wlen: number, rptr: number, rlen: number): number {
    if (this.busy) return EBUSY;
    const mem = this.ctx.memory();
    const w = mem?.read(wptr, wlen);
    if (!mem || !w || !mem.read(rptr, rlen)) return EBADPTR;
    this.busy = true;
    this.status = ENOTREADY;
    const dev = this.devices.get(addr);
    const bytes = dev ? 1 + wlen + (rlen > 0 ? 1 + rlen : 0) : 1; // no ACK: stops after the address
    this.ctx.events.at(this.ctx.now() + (bytes * 9 * 1e6) / this.clockHz, () => {
      this.busy = false;
      this.transfers++;
      if (!dev) this.status = EBADPORT;
      else {
        const r = dev.transfer(w, rlen, this.ctx.now());
        // Memory may have changed size since the call (it only grows): write if still valid.
        this.status = this.ctx.memory()?.write(rptr, r) ? rlen : EBADPTR;
      }
      this.ctx.raise(IRQ.BUS);
    });
    return 0;
  }
}
