// A ScenarioTarget over a byte stream in real time: the base of the native,
// serial and (if its author wants it) QEMU targets. The owner feeds UART0
// output in with push() and reports the end of the firmware with end(); this
// class does the matching, the cursor, timeouts and the failure tail.

import type { PortRef, ScenarioTarget, SerialSighting, StepKind } from "../scenario.js";
import { lineAround } from "../scenario.js";
import { SerialCursor } from "../sim/serial-cursor.js";

/** What the concrete target does for the steps it supports. */
/**
 * Stop a target's child process: SIGTERM, then SIGKILL if it has not exited
 * within graceMs. Resolves when `exited` (the caller's exit/close promise) does.
 */
export async function stopChild(child: { kill(signal: NodeJS.Signals): boolean }, exited: Promise<void>, graceMs = 2000): Promise<void> {
  child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(t);
}

export interface StreamIo {
  write(data: Uint8Array): Promise<void>;
  setPin?(pin: number, level: 0 | 1): Promise<void>;
  readPin?(pin: number): Promise<0 | 1>;
  setAdc?(channel: number, value: number): Promise<void>;
}

export interface StreamOptions {
  name: string;
  supports: ReadonlySet<StepKind>;
  io: StreamIo;
  /** Pin names (from a board description) to numbers; numbers below pinCount are always accepted. */
  pinNames?: ReadonlyMap<string, number>;
  pinCount?: number;
  channelNames?: ReadonlyMap<string, number>;
  channelCount?: number;
  /** Factor applied to wait-serial timeouts (a loaded machine is slower than the scenario's author's). */
  slack?: number;
}

interface Waiter {
  re: RegExp;
  resolve: (m: string | null) => void;
  timer: NodeJS.Timeout;
}

export class StreamTarget implements ScenarioTarget {
  readonly name: string;
  readonly supports: ReadonlySet<StepKind>;
  private readonly io: StreamIo;
  private readonly t0 = process.hrtime.bigint();
  private out = Buffer.alloc(0);
  /** Where the next wait-serial starts searching. */
  private readonly cursor = new SerialCursor();
  private waiter: Waiter | null = null;
  /** no-serial windows open now: each looks at the output that arrived since it opened. */
  private readonly watchers = new Set<() => void>();
  private ended: string | null = null;
  private readonly opts: StreamOptions;

  constructor(opts: StreamOptions) {
    this.opts = opts;
    this.name = opts.name;
    this.supports = opts.supports;
    this.io = opts.io;
  }

  /** UART0 output arrived. */
  push(chunk: Uint8Array): void {
    this.out = Buffer.concat([this.out, chunk]);
    this.cursor.feed(chunk);
    this.check();
    for (const w of [...this.watchers]) w();
  }

  /** The firmware is gone (exited, device closed): pending and later waits fail with `reason`. */
  end(reason: string): void {
    if (this.ended === null) this.ended = reason;
    this.check();
    for (const w of [...this.watchers]) w();
  }

  get endReason(): string | null {
    return this.ended;
  }

  private check(): void {
    const w = this.waiter;
    if (!w) return;
    const m = this.match(w.re);
    if (m !== null || this.ended !== null) {
      this.waiter = null;
      clearTimeout(w.timer);
      w.resolve(m);
    }
  }

  private match(re: RegExp): string | null {
    return this.cursor.match(re);
  }

  private alive(): void {
    if (this.ended !== null) throw new Error(this.ended);
  }

  resolvePin(pin: PortRef): number | null {
    return this.resolve(pin, this.opts.pinNames, this.opts.pinCount ?? 0);
  }
  resolveChannel(ch: PortRef): number | null {
    return this.resolve(ch, this.opts.channelNames, this.opts.channelCount ?? 0);
  }
  private resolve(p: PortRef, names: ReadonlyMap<string, number> | undefined, count: number): number | null {
    if (typeof p === "number") return p < count ? p : null;
    return names?.get(p) ?? null;
  }

  now(): number {
    return Number((process.hrtime.bigint() - this.t0) / 1000n);
  }

  async writeSerial(data: Uint8Array): Promise<void> {
    this.alive();
    await this.io.write(data);
  }

  waitSerial(pattern: RegExp, timeoutUs: number): Promise<string | null> {
    const re = new RegExp(pattern.source, pattern.flags.replace("g", ""));
    const now = this.match(re);
    if (now !== null) return Promise.resolve(now);
    if (this.ended !== null) return Promise.reject(new Error(this.ended));
    const ms = Math.max(1, Math.round((timeoutUs / 1000) * (this.opts.slack ?? 1)));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, ms);
      this.waiter = {
        re,
        timer,
        resolve: (m) => (m === null && this.ended !== null ? reject(new Error(this.ended)) : resolve(m)),
      };
    });
  }

  /** no-serial over the real-time stream: the window is wall time (not scaled by slack). */
  watchSerial(pattern: RegExp, windowUs: number): Promise<SerialSighting | null> {
    this.alive();
    const re = new RegExp(pattern.source, pattern.flags.replace("g", ""));
    const from = this.out.length;
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.watchers.delete(look);
      };
      let seen: { index: number; tUs: number } | null = null;
      const report = () => {
        done();
        const text = this.out.subarray(from).toString("utf8");
        const head = this.out.subarray(Math.max(0, from - 256), from).toString("utf8");
        const line = head.slice(head.lastIndexOf("\n") + 1);
        resolve({ line: lineAround(line + text, line.length + seen!.index), tUs: seen!.tUs });
      };
      const look = () => {
        const text = this.out.subarray(from).toString("utf8");
        if (seen) {
          // The match is in: wait (briefly) for the rest of its line, to report it whole.
          if (text.indexOf("\n", seen.index) >= 0 || this.ended !== null) report();
          return;
        }
        const m = re.exec(text);
        if (m) {
          seen = { index: m.index, tUs: this.now() };
          clearTimeout(timer);
          timer = setTimeout(report, 100);
          look();
        } else if (this.ended !== null) {
          done();
          reject(new Error(this.ended));
        }
      };
      let timer = setTimeout(() => {
        done();
        resolve(null);
      }, Math.max(1, Math.round(windowUs / 1000)));
      this.watchers.add(look);
    });
  }

  async setPin(pin: number, level: 0 | 1): Promise<void> {
    this.alive();
    if (!this.io.setPin) throw new Error(`target ${this.name} cannot drive pins`);
    await this.io.setPin(pin, level);
  }
  async readPin(pin: number): Promise<0 | 1> {
    this.alive();
    if (!this.io.readPin) throw new Error(`target ${this.name} cannot read pins`);
    return this.io.readPin(pin);
  }
  async setAdc(channel: number, value: number): Promise<void> {
    this.alive();
    if (!this.io.setAdc) throw new Error(`target ${this.name} cannot set ADC inputs`);
    await this.io.setAdc(channel, value);
  }

  async wait(us: number): Promise<void> {
    this.alive();
    await new Promise((r) => setTimeout(r, Math.max(0, Math.round(us / 1000))));
    this.alive();
  }

  serialTail(n: number): string[] {
    const lines = this.out.toString("utf8").split("\n");
    if (lines.length && lines[lines.length - 1] === "") lines.pop();
    return lines.slice(-n);
  }
}
