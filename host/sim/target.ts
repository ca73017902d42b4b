// The simulator as a ScenarioTarget (host/scenario.ts): scenario time is
// simulated time, and waiting runs the board loop instead of sleeping.

import type { ScenarioTarget, StepKind, PortRef } from "../scenario.js";
import { STEP_KINDS } from "../scenario.js";
import type { Simulator } from "./simulator.js";

/** One UART's output as seen by wait-serial: text after the serial cursor. */
class SerialCursor {
  /** Output after the cursor, decoded (at most WINDOW characters: older text is dropped). */
  pending = "";
  /** How many bytes of the port's output have been decoded into `pending`. */
  decoded = 0;
  readonly decoder = new TextDecoder();
}

export class SimTarget implements ScenarioTarget {
  readonly name = "sim";
  readonly supports: ReadonlySet<StepKind> = new Set(STEP_KINDS);
  /** The UART ports the board has (a scenario's `port:`). */
  readonly serialPorts: ReadonlySet<number>;
  private readonly cursors = new Map<number, SerialCursor>();
  /** wait-serial looks at most this far back (keeps long waits linear). */
  static readonly WINDOW = 65536;
  constructor(readonly sim: Simulator) {
    this.serialPorts = new Set(sim.board.uarts.map((u) => u.port));
  }

  private cursor(port: number): SerialCursor {
    let c = this.cursors.get(port);
    if (!c) this.cursors.set(port, (c = new SerialCursor()));
    return c;
  }

  /** Decode output that arrived since the last call (streaming, so split UTF-8 sequences are fine). */
  private catchUp(port: number): boolean {
    const out = this.sim.serialOf(port);
    const c = this.cursor(port);
    if (out.length === c.decoded) return false;
    c.pending += c.decoder.decode(Uint8Array.from(out.slice(c.decoded)), { stream: true });
    c.decoded = out.length;
    if (c.pending.length > SimTarget.WINDOW) c.pending = c.pending.slice(-SimTarget.WINDOW);
    return true;
  }

  resolvePin(pin: PortRef): number | null {
    const p = this.sim.board.pins.find((d) => (typeof pin === "number" ? d.pin === pin : d.name === pin));
    return p ? p.pin : null;
  }
  resolveChannel(ch: PortRef): number | null {
    const c = this.sim.board.adc.channels.find((d) => (typeof ch === "number" ? d.channel === ch : d.name === ch));
    return c ? c.channel : null;
  }
  now(): number {
    return this.sim.now();
  }
  private check(): void {
    const f = this.sim.fault;
    if (f) throw new Error(`firmware stopped: ${f.kind}${f.taskName ? ` in task ${f.taskName}` : ""}: ${f.message}${f.where ? ` ${f.where}` : ""}`);
  }
  async writeSerial(data: Uint8Array, port = 0): Promise<void> {
    this.check();
    const u = this.sim.uarts.get(port);
    if (!u) throw new Error(`board ${this.sim.board.name} has no UART${port}`);
    u.send(data);
  }
  async waitSerial(pattern: RegExp, timeoutUs: number, port = 0): Promise<string | null> {
    this.check();
    const end = this.sim.now() + timeoutUs;
    const re = new RegExp(pattern.source, pattern.flags.replace("g", ""));
    const c = this.cursor(port);
    let match: RegExpExecArray | null = null;
    let first = true;
    const test = (): boolean => {
      if (!this.catchUp(port) && !first) return false; // nothing new
      first = false;
      match = re.exec(c.pending);
      if (match) c.pending = c.pending.slice(match.index + match[0].length);
      return match !== null;
    };
    if (!test()) this.sim.run(end, test);
    this.check();
    return match ? (match as RegExpExecArray)[0] : null;
  }
  async setPin(pin: number, level: 0 | 1): Promise<void> {
    this.check();
    this.sim.gpio.drive(pin, level);
  }
  async readPin(pin: number): Promise<0 | 1> {
    return this.sim.gpio.level(pin);
  }
  async setAdc(channel: number, value: number): Promise<void> {
    this.sim.setAdc(channel, value);
  }
  async wait(us: number): Promise<void> {
    this.check();
    this.sim.run(this.sim.now() + us);
    this.check();
  }
  serialTail(n: number, port = 0): string[] {
    const out = this.sim.serialOf(port);
    const text = new TextDecoder().decode(Uint8Array.from(out.slice(Math.max(0, out.length - 4096))));
    const lines = text.split("\n");
    if (lines.length && lines[lines.length - 1] === "") lines.pop();
    return lines.slice(-n);
  }
}
