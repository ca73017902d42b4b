// An ABI-level recorder for comparing engines. It runs a firmware on any
// Engine against a small deterministic board (virtual clock, alarm, UART0,
// 16 GPIO pins, ADC with seeded samples, no bus) and records every import
// call with its arguments, result and virtual time, plus every coop_step
// return. Two engines that execute the module identically produce identical
// recordings; `firstDifference` names the first event where they do not.
//
// This is deliberately not the simulator (host/sim/): it isolates the engine
// from the board models, so a difference here is the engine's. The
// simulator-level check (same scenarios, same board models, both engines) is
// tests/host/diff-sim.test.ts.
//
// May import: host/engine.ts only.

import type { BoardImports, Engine, Firmware } from "../../engine.js";
import { ERR, NAME_KIND, unkeptIrqQuiet } from "../../abi.js";

/** Scripted input for the recording board. Times in ticks (µs). */
export type Stimulus =
  | { at: number; uart: string }
  | { at: number; pin: number; level: 0 | 1 }
  | { at: number; adc: number; value: number };

export interface RecordOptions {
  /** Stop once virtual time reaches this many ticks. */
  untilUs: number;
  stimuli?: Stimulus[];
  /** Seed of the ADC's sample generator. */
  seed?: number;
  /** Turn the firmware's trace import on (default true). */
  trace?: boolean;
  /** Stop after this many coop_step calls (a guard against a firmware that never sleeps). */
  maxSteps?: number;
  /** Record import calls (default true); off measures the engine without the recording's cost. */
  record?: boolean;
}

export interface Recording {
  /** One line per event: `<tick> <what>`. */
  events: string[];
  /** UART0 output as text (latin1). */
  uart: string;
  /** How the run ended: "time" (untilUs reached), "steps" (maxSteps), or "error: <kind>" (see trapKind). */
  end: string;
  /** The engine's own message when the run ended with an error. */
  message?: string;
  steps: number;
  importCalls: number;
}

const ADC_US = 20;
const UART_BYTE_US = 87; // 115200 baud, 8N1

/** Run `wasm` on `engine` and record what crosses the ABI. Never throws for firmware faults: they end the recording. */
export async function record(engine: Engine, wasm: Uint8Array, opts: RecordOptions): Promise<Recording> {
  const rec = opts.record !== false;
  const events: string[] = [];
  let t = 0n;
  let pending = 0;
  let alarm = -1n;
  let uart = "";
  let importCalls = 0;
  const rxFifo: number[] = [];
  const rxQueue: { at: bigint; byte: number }[] = [];
  const pins = new Array<number>(16).fill(0);
  const armed = new Array<number>(16).fill(0);
  const adcLast = new Array<number>(8).fill(-1);
  let adcBusyUntil = -1n;
  let adcChannel = 0;
  let rng = (opts.seed ?? 1) >>> 0 || 1;
  const adcOverride = new Map<number, number>();
  let fw: Firmware | null = null;
  const ev = (s: string) => { if (rec) events.push(`${t} ${s}`); };
  const mem = () => fw!.memory;
  const sample = (ch: number) => {
    if (adcOverride.has(ch)) return adcOverride.get(ch)!;
    rng ^= rng << 13; rng >>>= 0; rng ^= rng >>> 17; rng ^= rng << 5; rng >>>= 0;
    return rng & 4095;
  };

  // The names of sim-devkit (board.resolve kinds pin, ADC channel, UART, bus device); an unknown one stops the module.
  const RECORDER_NAMES: Record<number, Record<string, number>> = {
    [NAME_KIND.PIN]: { LED: 0, LED2: 1, BUTTON: 2, BUTTON2: 3 }, [NAME_KIND.ADC]: { POT: 0, VBAT: 1, LIGHT: 2 },
    [NAME_KIND.UART]: { UART0: 0, UART1: 1 }, [NAME_KIND.BUS]: { TS1: 72 },
  };
  // Arrow functions (no `this`): engines pass imports unbound, as WebAssembly does.
  const board: BoardImports = {
    tick_hz: () => { importCalls++; ev("tick_hz"); return 1_000_000; },
    now: () => { importCalls++; ev("now"); return t; },
    set_alarm: (at) => { importCalls++; ev(`set_alarm ${at}`); alarm = at; },
    irq_take: () => { importCalls++; const p = pending; pending = 0; ev(`irq_take -> ${p >>> 0}`); return p; },
    uart_write: (port, ptr, len) => {
      importCalls++;
      let r: number;
      if (port !== 0) r = -1;
      else {
        const b = mem().read(ptr >>> 0, len >>> 0);
        if (!b) r = -2;
        else { uart += Buffer.from(b).toString("latin1"); r = b.length; }
      }
      ev(`uart_write ${port} ${ptr} ${len} -> ${r}`);
      return r;
    },
    uart_read: (port, ptr, cap) => {
      importCalls++;
      let r: number;
      if (port !== 0) r = -1;
      else {
        const n = Math.min(cap >>> 0, rxFifo.length);
        const ok = mem().write(ptr >>> 0, Uint8Array.from(rxFifo.slice(0, n)));
        if (!ok) r = -2;
        else { rxFifo.splice(0, n); r = n; }
      }
      ev(`uart_read ${port} ${ptr} ${cap} -> ${r}`);
      return r;
    },
    uart_overruns: (port) => { importCalls++; ev(`uart_overruns ${port}`); return port === 0 ? 0 : -1; },
    gpio_write: (pin, level) => {
      importCalls++;
      const r = pin >>> 0 < 16 ? 0 : -1;
      if (r === 0) pins[pin] = level ? 1 : 0;
      ev(`gpio_write ${pin} ${level} -> ${r}`);
      return r;
    },
    gpio_read: (pin) => { importCalls++; const r = pin >>> 0 < 16 ? pins[pin] : -1; ev(`gpio_read ${pin} -> ${r}`); return r; },
    gpio_irq: (pin, edges) => {
      importCalls++;
      const r = pin >>> 0 < 16 ? 0 : -1;
      if (r === 0) armed[pin] = edges & 3;
      ev(`gpio_irq ${pin} ${edges} -> ${r}`);
      return r;
    },
    adc_start: (ch) => {
      importCalls++;
      let r = 0;
      if (ch >>> 0 >= 8) r = -1;
      else if (adcBusyUntil >= 0n) r = -3;
      else { adcBusyUntil = t + BigInt(ADC_US); adcChannel = ch; }
      ev(`adc_start ${ch} -> ${r}`);
      return r;
    },
    adc_read: (ch) => { importCalls++; const r = ch >>> 0 >= 8 ? -1 : adcLast[ch] < 0 ? -4 : adcLast[ch]; ev(`adc_read ${ch} -> ${r}`); return r; },
    bus_transfer: (addr, wp, wl, rp, rl) => { importCalls++; ev(`bus_transfer ${addr} ${wp} ${wl} ${rp} ${rl} -> -1`); return -1; },
    bus_status: () => { importCalls++; ev("bus_status -> -4"); return -4; },
    resolve: (kind, ptr, len) => {
      importCalls++;
      const b = mem().read(ptr >>> 0, len >>> 0);
      const name = b ? Buffer.from(b).toString("utf8") : "";
      const r = RECORDER_NAMES[kind & ~NAME_KIND.OPTIONAL]?.[name] ?? ERR.EBADPORT;
      ev(`resolve ${kind} ${JSON.stringify(name)} -> ${r}`);
      if (r < 0 && !(kind & NAME_KIND.OPTIONAL)) throw new Error(`unknown name ${kind}:${name}`);
      return r;
    },
    log: (ptr, len) => {
      importCalls++;
      const b = mem().read(ptr >>> 0, len >>> 0);
      ev(`log ${b ? JSON.stringify(Buffer.from(b).toString("utf8")) : "<bad pointer>"}`);
    },
    trace: (kind, a, b) => { importCalls++; ev(`trace ${kind} ${a} ${b}`); },
    panic: (m, ml, f, fl, line, col) => {
      importCalls++;
      const text = (p: number, l: number) => { const b = mem().read(p >>> 0, l >>> 0); return b ? Buffer.from(b).toString("utf8") : "?"; };
      const msg = `panic: ${text(m, ml)} at ${text(f, fl)}:${line >>> 0}:${col >>> 0}`;
      ev(msg);
      throw new Error(msg);
    },
    // Left at 0, as wasm3 leaves its own copy: both engines then make the same import calls.
    irq_quiet: unkeptIrqQuiet(),
  };

  const stimuli = [...(opts.stimuli ?? [])].sort((a, b) => a.at - b.at);
  let si = 0;
  let steps = 0;
  let end = "time";
  const until = BigInt(opts.untilUs);
  const maxSteps = opts.maxSteps ?? 1_000_000;

  const raise = (line: number) => { pending = (pending | (1 << line)) >>> 0; };
  const setPin = (pin: number, level: number) => {
    const old = pins[pin];
    pins[pin] = level;
    const e = armed[pin];
    if (old !== level && ((level && e & 1) || (!level && e & 2))) raise(16 + pin);
  };
  // Run every board event due at or before t, in a fixed order.
  const fire = () => {
    if (alarm >= 0n && alarm <= t) { alarm = -1n; raise(0); }
    if (adcBusyUntil >= 0n && adcBusyUntil <= t) { adcBusyUntil = -1n; adcLast[adcChannel] = sample(adcChannel); raise(5); }
    while (rxQueue.length && rxQueue[0].at <= t) {
      const { byte } = rxQueue.shift()!;
      if (rxFifo.length < 16) rxFifo.push(byte);
      raise(1);
    }
    while (si < stimuli.length && BigInt(stimuli[si].at) <= t) {
      const s = stimuli[si++];
      if ("uart" in s) {
        let at = t > (rxQueue.at(-1)?.at ?? -1n) ? t : rxQueue.at(-1)!.at;
        for (const c of Buffer.from(s.uart, "latin1")) { at += BigInt(UART_BYTE_US); rxQueue.push({ at, byte: c }); }
      } else if ("pin" in s) setPin(s.pin, s.level);
      else adcOverride.set(s.adc, s.value);
    }
  };
  const nextEvent = (): bigint => {
    let n = -1n;
    const consider = (x: bigint) => { if (x >= 0n && (n < 0n || x < n)) n = x; };
    consider(alarm);
    consider(adcBusyUntil);
    if (rxQueue.length) consider(rxQueue[0].at);
    if (si < stimuli.length) consider(BigInt(stimuli[si].at));
    return n;
  };

  let message: string | undefined;
  try {
    fw = await engine.load(wasm, board);
    if (opts.trace !== false) fw.setTrace(true);
    ev("start");
    fw.start();
    for (;;) {
      if (steps >= maxSteps) { end = "steps"; break; }
      fire();
      const deadline = fw.step();
      steps++;
      ev(`step -> ${deadline}`);
      if (pending !== 0 || (deadline >= 0n && deadline <= t)) continue; // still ready: call again
      // Idle: jump to the earliest of the alarm, a board event and the firmware's deadline.
      let next = nextEvent();
      if (deadline >= 0n && (next < 0n || deadline < next)) next = deadline;
      if (next < 0n || next >= until) { t = until; break; }
      t = next;
    }
  } catch (e) {
    message = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    end = `error: ${trapKind(message)}`;
    ev(end);
  } finally {
    fw?.close();
  }
  return { events, uart, end, message, steps, importCalls };
}

/** The first index where two recordings differ, with both events; null when identical. */
export function firstDifference(a: Recording, b: Recording): { index: number; a: string; b: string } | null {
  const n = Math.max(a.events.length, b.events.length);
  for (let i = 0; i < n; i++) {
    if (a.events[i] !== b.events[i]) return { index: i, a: a.events[i] ?? "<end of recording>", b: b.events[i] ?? "<end of recording>" };
  }
  if (a.uart !== b.uart) return { index: n, a: `uart ${JSON.stringify(a.uart)}`, b: `uart ${JSON.stringify(b.uart)}` };
  if (a.end !== b.end) return { index: n, a: `end ${a.end}`, b: `end ${b.end}` };
  return null;
}

/**
 * Engine-neutral name of a failure, from V8's or wasm3's message (the two
 * engines word traps differently; see docs/engines.md). Unknown messages are
 * returned whole, so they still compare.
 */
export function trapKind(message: string): string {
  const m = message.toLowerCase();
  if (m.startsWith("panic:")) return message; // our own board's report: identical text expected
  if (m.includes("unreachable")) return "trap unreachable";
  if (m.includes("out of bounds") && m.includes("memory")) return "trap memory out of bounds";
  if (m.includes("divide by zero") || m.includes("division by zero")) return "trap divide by zero";
  if (m.includes("integer overflow")) return "trap integer overflow";
  if (m.includes("invalid conversion") || m.includes("float unrepresentable")) return "trap invalid conversion";
  if (m.includes("stack overflow") || m.includes("call stack size")) return "trap stack overflow";
  if (m.includes("indirect call") || m.includes("signature mismatch") || m.includes("table index")) return "trap indirect call";
  return message;
}
