// The simulator as a ScenarioTarget (host/scenario.ts): scenario time is
// simulated time, and waiting runs the board loop instead of sleeping.

import type { ScenarioTarget, StepKind, PortRef } from "../scenario.js";
import { STEP_KINDS } from "../scenario.js";
import type { Simulator } from "./simulator.js";

export class SimTarget implements ScenarioTarget {
  readonly name = "sim";
  readonly supports: ReadonlySet<StepKind> = new Set(STEP_KINDS);
  /** Index into the UART0 output where the next wait-serial starts searching. */
  private cursor = 0;
  private readonly decoder = new TextDecoder();
  constructor(readonly sim: Simulator) {}

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
    if (f) throw new Error(`firmware stopped: ${f.kind}${f.taskName ? ` in task ${f.taskName}` : ""}: ${f.message}`);
  }
  async writeSerial(data: Uint8Array): Promise<void> {
    this.check();
    const u = this.sim.uarts.get(0);
    if (!u) throw new Error(`board ${this.sim.board.name} has no UART0`);
    u.send(data);
  }
  async waitSerial(pattern: RegExp, timeoutUs: number): Promise<string | null> {
    this.check();
    const end = this.sim.now() + timeoutUs;
    let seen = -1;
    let match: RegExpExecArray | null = null;
    const re = new RegExp(pattern.source, pattern.flags.replace("g", ""));
    const test = (): boolean => {
      const out = this.sim.serial;
      if (out.length === seen) return false; // nothing new
      seen = out.length;
      // Byte offsets and string offsets differ for non-ASCII; map via a decoded prefix.
      const text = this.decoder.decode(Uint8Array.from(out.slice(this.cursor)));
      match = re.exec(text);
      if (match) {
        const consumed = Buffer.byteLength(text.slice(0, match.index + match[0].length), "utf8");
        this.cursor += consumed;
      }
      return match !== null;
    };
    if (test()) return match![0];
    this.sim.run(end, test);
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
  serialTail(n: number): string[] {
    const text = this.decoder.decode(Uint8Array.from(this.sim.serial));
    const lines = text.split("\n");
    if (lines.length && lines[lines.length - 1] === "") lines.pop();
    return lines.slice(-n);
  }
}
