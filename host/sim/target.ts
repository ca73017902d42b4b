// The simulator as a ScenarioTarget (host/scenario.ts): scenario time is
// simulated time, and waiting runs the board loop instead of sleeping.

import type { ScenarioTarget, ScenarioHooks, Step, StepKind, PortRef, PinHistory, SerialSighting } from "../scenario.js";
import { STEP_KINDS, lineAround } from "../scenario.js";
import type { Simulator } from "./simulator.js";
import { SerialCursor } from "./serial-cursor.js";

/** Pass the target as runScenario's hooks too, to see each step in the simulator's trace. */
export class SimTarget implements ScenarioTarget, ScenarioHooks {
  readonly name = "sim";
  readonly supports: ReadonlySet<StepKind> = new Set(STEP_KINDS);
  /** The UART ports the board has (a scenario's `port:`). */
  readonly serialPorts: ReadonlySet<number>;
  private readonly cursors = new Map<number, SerialCursor>();
  /** wait-serial and no-serial look at most this far back (keeps long waits linear). */
  static readonly WINDOW = SerialCursor.WINDOW;
  /** no-serial waits at most this long (µs) for the rest of an offending line. */
  static readonly LINE_END_US = 100_000;
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
    if (out.length === c.fed) return false;
    c.feed(Uint8Array.from(out.slice(c.fed)));
    return true;
  }

  private stepStart = 0;
  stepBegin(): void {
    this.stepStart = this.sim.now();
  }
  stepEnd(index: number, step: Step, error: string | null): void {
    this.sim.chrome?.scenarioStep(index + 1, step.kind, step.line, step.text, this.stepStart, this.sim.now(), error);
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
    let match: string | null = null;
    let first = true;
    const test = (): boolean => {
      if (!this.catchUp(port) && !first) return false; // nothing new
      first = false;
      match = c.match(re);
      return match !== null;
    };
    if (!test()) this.sim.run(end, test);
    this.check();
    return match;
  }
  /**
   * no-serial: the output of `port` from now on, decoded as it arrives; stops
   * at the first match (its time is the simulated time the byte was sent).
   */
  async watchSerial(pattern: RegExp, windowUs: number, port = 0): Promise<SerialSighting | null> {
    this.check();
    const out = this.sim.serialOf(port);
    const from = out.length;
    // The line the window opens in, so a match is reported with its whole line.
    const before = new TextDecoder().decode(Uint8Array.from(out.slice(Math.max(0, from - 256), from)));
    const head = before.slice(before.lastIndexOf("\n") + 1);
    const re = new RegExp(pattern.source, pattern.flags.replace("g", ""));
    const decoder = new TextDecoder();
    let text = "";
    let decoded = from;
    let dropped = 0;
    let seen: SerialSighting | null = null;
    let at = -1;
    const catchUp = () => {
      text += decoder.decode(Uint8Array.from(out.slice(decoded)), { stream: true });
      decoded = out.length;
    };
    const test = (): boolean => {
      if (out.length === decoded) return false;
      catchUp();
      // Looks at most WINDOW characters back, as wait-serial does (keeps a long window linear).
      if (text.length > SimTarget.WINDOW) (dropped += text.length - SimTarget.WINDOW), (text = text.slice(-SimTarget.WINDOW));
      const m = re.exec(text);
      if (!m) return false;
      at = m.index;
      seen = { line: "", tUs: this.sim.now() };
      return true;
    };
    this.sim.run(this.sim.now() + windowUs, test);
    if (seen) {
      // Report the whole offending line: let it finish (at most LINE_END_US more), keep the match's time.
      this.sim.run(this.sim.now() + SimTarget.LINE_END_US, () => (catchUp(), text.indexOf("\n", at) >= 0));
      (seen as SerialSighting).line = dropped === 0 ? lineAround(head + text, head.length + at) : lineAround(text, at);
    }
    this.check();
    return seen;
  }
  /** expect-toggles/expect-period: run for `windowUs` and record the pin's changes meanwhile. */
  async watchPin(pin: number, windowUs: number): Promise<PinHistory> {
    this.check();
    const h: PinHistory = { changes: [] };
    const outer = this.sim.onPinChange;
    this.sim.onPinChange = (p, level, tUs) => {
      outer?.(p, level, tUs);
      if (p === pin) h.changes.push({ tUs, level });
    };
    try {
      this.sim.run(this.sim.now() + windowUs);
    } finally {
      this.sim.onPinChange = outer;
    }
    this.check();
    return h;
  }
  async setPin(pin: number, level: 0 | 1): Promise<void> {
    this.check();
    // checkScenario refuses a set-pin before time passes; this catches a wait-serial that matched
    // start-up output before the first poll (no task has armed its edge interrupt yet).
    if (this.sim.steps === 0) throw new Error("set-pin before the firmware's first poll: its edge interrupt is not armed yet, so the edge would be lost; add `- wait: 1ms` before it");
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
