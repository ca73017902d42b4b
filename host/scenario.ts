// Scenarios: scripted test steps (in the spirit of Wokwi automation scenarios
// and Renode/Robot tests) that run against any target implementing
// `ScenarioTarget`: the simulator (host/sim/), and the HIL targets
// (wasm3, native, QEMU, a serial port) in host/hil/.
//
// File format (YAML, or JSON, which is a subset of YAML):
//
//   name: shell answers ping
//   steps:
//     - write-serial: "ping\n"
//     - wait-serial: "pong"        # a JavaScript regex (linear-time subset), searched in the serial output
//       timeout: 500ms             # simulated time on the simulator; wall time on hardware
//     - write-serial: "ping\n"
//       port: 1                    # UART1 (write-serial and wait-serial; default 0)
//     - set-pin: { pin: BUTTON, level: 1 }
//     - expect-pin: { pin: LED, level: 1 }
//     - set-adc: { channel: 0, value: 2048 }
//     - wait: 100ms
//     - no-serial: "error"         # must NOT appear in the output that arrives within `for`
//       for: 500ms
//     - expect-toggles: { pin: LED, count: 10, within: 1s }   # count: exact, or a range "8..12"
//     - expect-period: { pin: LED, period: 100ms, tolerance: 5% }   # rising edge to rising edge
//
// Durations: a number (milliseconds) or a string "<n>us|ms|s|min|h".
// This module only parses and runs; it never imports a target, so any target
// (and host/hil/) may import it.

import { parseDocument, LineCounter, isMap, isSeq, isScalar, visit, type Node } from "yaml";
import { setFlagsFromString } from "node:v8";
import { printable } from "./text.js";

/** The step kinds a scenario may use. */
export type StepKind = "write-serial" | "wait-serial" | "set-pin" | "expect-pin" | "set-adc" | "wait" | "no-serial" | "expect-toggles" | "expect-period";
export const STEP_KINDS: readonly StepKind[] = ["write-serial", "wait-serial", "set-pin", "expect-pin", "set-adc", "wait", "no-serial", "expect-toggles", "expect-period"];
/** The steps that watch a pin over a window: a target needs `watchPin` (a pin history) for them. */
export const PIN_WATCH_STEPS: readonly StepKind[] = ["expect-toggles", "expect-period"];

/** A pin or ADC channel as written in the scenario: a board name ("LED") or a number. */
export type PortRef = string | number;

interface StepBase {
  /** 1-based line of the step in the scenario file (0 if built in code). */
  line: number;
  /** The step as written, on one line, for error reports. */
  text: string;
}
export type Step =
  | (StepBase & { kind: "write-serial"; data: string; port: number })
  | (StepBase & { kind: "wait-serial"; pattern: RegExp; timeoutUs: number; port: number })
  | (StepBase & { kind: "set-pin"; pin: PortRef; level: 0 | 1 })
  | (StepBase & { kind: "expect-pin"; pin: PortRef; level: 0 | 1 })
  | (StepBase & { kind: "set-adc"; channel: PortRef; value: number })
  | (StepBase & { kind: "wait"; us: number })
  | (StepBase & { kind: "no-serial"; pattern: RegExp; forUs: number; port: number })
  | (StepBase & { kind: "expect-toggles"; pin: PortRef; min: number; max: number; withinUs: number })
  | (StepBase & { kind: "expect-period"; pin: PortRef; periodUs: number; toleranceUs: number; withinUs: number });

/** What a target saw on a pin during a window (watchPin). */
export interface PinHistory {
  /** Every level change in the window, in time order (µs, target time). */
  changes: { tUs: number; level: 0 | 1 }[];
}

/** Forbidden output that appeared during a no-serial window (watchSerial). */
export interface SerialSighting {
  /** The whole line the match is in (up to its newline, or the end of the output so far). */
  line: string;
  /** Target time (µs) when the matching output was seen. */
  tUs: number;
}

export interface Scenario {
  name: string;
  /** The file it came from, for messages. */
  file: string;
  steps: Step[];
}

/** wait-serial's timeout when the step gives none. */
export const DEFAULT_WAIT_SERIAL_US = 1_000_000;
/** expect-period's tolerance when the step gives none: 1% of the period. */
export const DEFAULT_PERIOD_TOLERANCE = 0.01;

/**
 * What a scenario needs from the thing under test. Times are microseconds:
 * simulated time on the simulator, wall time since the target started on real
 * or emulated hardware. Every method may reject with an Error whose message is
 * one line; the runner reports it as the step's failure.
 */
export interface ScenarioTarget {
  /** For messages: "sim", "wasm3", "qemu", ... */
  readonly name: string;
  /** The step kinds this target can do; a scenario using another kind is refused before it starts. */
  readonly supports: ReadonlySet<StepKind>;
  /** Map a pin name or number to the board's pin number, or null if the board has no such pin. */
  resolvePin(pin: PortRef): number | null;
  /** Map an ADC channel name or number to the channel number, or null if there is none. */
  resolveChannel(channel: PortRef): number | null;
  /** Current time in microseconds. */
  now(): number;
  /**
   * The UART ports a scenario's `port:` may name. Absent: UART0 only (a
   * target that is one serial line); a step naming another port is refused
   * before the scenario starts.
   */
  readonly serialPorts?: ReadonlySet<number>;
  /** Send bytes to the firmware's UART `port` RX (0 unless the step names one in serialPorts). */
  writeSerial(data: Uint8Array, port?: number): Promise<void>;
  /**
   * Wait until `pattern` matches the output of UART `port` (default 0) after
   * that port's serial cursor, or until `timeoutUs` have passed. On a match
   * the cursor moves past the match (so the same text is not matched twice)
   * and the matched text is returned; on timeout returns null and leaves the
   * cursor where it was. Each port has its own cursor.
   */
  waitSerial(pattern: RegExp, timeoutUs: number, port?: number): Promise<string | null>;
  /** Drive an input pin. */
  setPin(pin: number, level: 0 | 1): Promise<void>;
  /** Read a pin's current level (an output as the firmware drives it). */
  readPin(pin: number): Promise<0 | 1>;
  /** Make an ADC channel read `value` (0..4095) from now on. */
  setAdc(channel: number, value: number): Promise<void>;
  /** Let `us` microseconds pass (the firmware keeps running). */
  wait(us: number): Promise<void>;
  /** The last `n` lines of UART `port` output (default 0; the last line may be incomplete), for failure reports. */
  serialTail(n: number, port?: number): string[];
  /**
   * For no-serial: watch the output of UART `port` that arrives during the
   * next `windowUs` (not what came before) for `pattern`. Returns at the
   * first match with its line and time, or null when the window closes with
   * none. Leaves the wait-serial cursor where it was.
   */
  watchSerial?(pattern: RegExp, windowUs: number, port?: number): Promise<SerialSighting | null>;
  /** For expect-toggles/expect-period: let `windowUs` pass and return what the pin did meanwhile. */
  watchPin?(pin: number, windowUs: number): Promise<PinHistory>;
}

export interface StepFailure {
  /** 0-based index of the failing step. */
  index: number;
  step: Step;
  message: string;
}

export interface ScenarioResult {
  ok: boolean;
  /** Steps that passed. */
  passed: number;
  failure?: StepFailure;
  /** Target time (µs) when the run ended. */
  timeUs: number;
  /** Last serial lines (filled on failure): of UART `tailPort` (the failing step's port; 0 otherwise). */
  tail: string[];
  tailPort?: number;
}

/** Observers of a run: the simulator draws each step as a span in its trace (SimTarget). */
export interface ScenarioHooks {
  /** Step `index` (0-based) is about to run. */
  stepBegin?(index: number, step: Step): void;
  /** Step `index` ended: `error` is its failure message, null when it passed. */
  stepEnd?(index: number, step: Step, error: string | null): void;
}

/**
 * A scenario that cannot be used. `problems` are all its problems, one line
 * each ("file:line: message"), in file order; the message is them joined by
 * newlines. `partial` holds the steps that did parse (after a step error), so
 * the target checks can be reported with them at once (allProblems).
 */
export class ScenarioError extends Error {
  readonly problems: string[];
  readonly partial: Scenario | null;
  constructor(problems: string | string[], partial: Scenario | null = null) {
    const list = typeof problems === "string" ? [problems] : problems;
    super(list.join("\n"));
    this.problems = list;
    this.partial = partial;
  }
}

/** Sort "file:line: message" problems by line, keeping the order of problems on one line. */
function inFileOrder(file: string, problems: string[]): string[] {
  const lineOf = (p: string) => (p.startsWith(`${file}:`) ? parseInt(p.slice(file.length + 1), 10) || 0 : 0);
  return problems.map((p, i) => ({ p, i, l: lineOf(p) })).sort((a, b) => a.l - b.l || a.i - b.i).map((x) => x.p);
}

const UNITS: Record<string, number> = { us: 1, "µs": 1, ms: 1_000, s: 1_000_000, min: 60_000_000, h: 3_600_000_000 };

let linearEngine: boolean | null = null;
/** Where no linear-time engine exists (a browser started without the V8 flag), the page may accept backtracking patterns. */
let backtrackingAllowed = false;

/**
 * Let wait-serial patterns run on the ordinary (backtracking) regex engine
 * when the linear-time one is absent. Only the page calls this: there a
 * pathological pattern can stall only the user's own tab.
 */
export function allowBacktrackingSerialPatterns(): void {
  backtrackingAllowed = true;
}

/** The linear-time engine is there (V8's `l` flag, enabled by the flag below or by the browser's --js-flags). */
export function hasLinearRegex(): boolean {
  if (linearEngine === null) {
    const works = () => {
      try {
        new RegExp("a", "l");
        return true;
      } catch {
        return false;
      }
    };
    if (works()) linearEngine = true;
    else {
      try {
        setFlagsFromString("--enable-experimental-regexp-engine");
      } catch {
        /* not in Node (the page's bundle has no V8 flags) */
      }
      linearEngine = works();
    }
  }
  return linearEngine;
}

/**
 * Compile a wait-serial pattern for V8's linear-time regex engine (the `l`
 * flag: an automaton, no backtracking), so matching costs time linear in the
 * text whatever the pattern: `(a+)+b` against a run of `a`s cannot take
 * minutes. The engine sits behind a V8 flag that only enables the `l` flag;
 * it is set here, once, before the first pattern. Patterns that need
 * backtracking (backreferences, lookahead, lookbehind) are refused: the
 * thrown Error's message says why.
 */
export function compileSerialPattern(source: string): RegExp {
  if (!hasLinearRegex()) {
    if (backtrackingAllowed) {
      try {
        return new RegExp(source);
      } catch (e) {
        throw new Error(`does not compile: ${(e as Error).message.split("\n")[0]}`);
      }
    }
    throw new Error("this Node has no linear-time regex engine (V8 --enable-experimental-regexp-engine), which wait-serial needs");
  }
  try {
    return new RegExp(source, "l");
  } catch (e) {
    const msg = (e as Error).message.split("\n")[0];
    if (/linear time/.test(msg)) throw new Error("cannot be matched in linear time: backreferences, lookahead and lookbehind are not supported (wait-serial regexes run on a linear-time engine)");
    throw new Error(`does not compile: ${msg}`);
  }
}

/** Parse a duration ("500ms", "2s", 100 = 100 ms) into microseconds, or null if it is not one. */
export function parseDuration(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) && v >= 0 ? Math.round(v * 1000) : null;
  if (typeof v !== "string") return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s|min|h)\s*$/.exec(v);
  if (!m) return null;
  return Math.round(parseFloat(m[1]) * UNITS[m[2]]);
}

/** Format microseconds for messages: "1.250000 s". */
export function formatTime(us: number): string {
  return `${(us / 1e6).toFixed(6)} s`;
}

/**
 * Parse scenario source text. Throws ScenarioError with "file:line: message"
 * for YAML syntax errors, unknown step kinds, bad values and regexes that do
 * not compile.
 */
export function parseScenario(source: string, file = "<scenario>"): Scenario {
  const lc = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lc, prettyErrors: false });
  const lineOf = (n: Node | null | undefined): number => (n && n.range ? lc.linePos(n.range[0]).line : 0);
  const fail = (line: number, msg: string): never => {
    throw new ScenarioError(`${file}:${line}: ${msg}`);
  };
  // Every problem is collected and reported at once, in file order; only a
  // syntax error, a root that is not a mapping or a missing step list stops the reading early.
  const problems: string[] = [];
  const collect = (f: () => void): void => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      problems.push(...e.problems);
    }
  };
  const stop = (): never => {
    throw new ScenarioError(inFileOrder(file, problems));
  };
  // A syntax error is reported alone: what follows it cannot be read reliably (later errors are its echoes).
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    // With prettyErrors off the yaml package leaves linePos unset; its offset (pos) is always there.
    let line = e.linePos ? e.linePos[0].line : lc.linePos(e.pos[0]).line;
    // An unclosed quote is detected at the end of the file; the useful line is where the quote opened.
    if (e.code === "MISSING_CHAR" && /quote/i.test(e.message)) {
      let open: number | null = null;
      visit(doc, {
        Scalar(_k, n) {
          if ((n.type === "QUOTE_DOUBLE" || n.type === "QUOTE_SINGLE") && n.range && n.range[0] < e.pos[0] && n.range[2] >= e.pos[0]) open = n.range[0];
        },
      });
      if (open !== null) line = lc.linePos(open).line;
    }
    fail(line, `does not parse: ${e.message.split("\n")[0]}`);
  }
  const root = doc.contents;
  if (!isMap(root)) fail(lineOf(root as Node), "a scenario is a mapping with `name` and `steps`");
  const rootMap = root as import("yaml").YAMLMap;
  const nameNode = rootMap.get("name", true);
  const name = nameNode && isScalar(nameNode) ? String(nameNode.value) : file;
  for (const k of rootMap.items) {
    const key = isScalar(k.key) ? String(k.key.value) : "?";
    if (key !== "name" && key !== "steps" && key !== "description")
      collect(() => fail(lineOf(k.key as Node), `unknown top-level key \`${key}\` (expected name, description, steps)`));
  }
  const stepsNode = rootMap.get("steps", true) as Node | undefined;
  if (!stepsNode || !isSeq(stepsNode)) {
    collect(() => fail(lineOf(rootMap), "`steps` must be a list"));
    stop();
  }
  const steps: Step[] = [];
  for (const item of (stepsNode as import("yaml").YAMLSeq).items as Node[]) {
    const line = lineOf(item);
    const value = (item as Node).toJSON() as unknown;
    collect(() => steps.push(parseStep(value, line, fail)));
  }
  const sc = { name, file, steps };
  if (problems.length) throw new ScenarioError(inFileOrder(file, problems), sc);
  return sc;
}

function oneLine(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

function parseStep(value: unknown, line: number, fail: (line: number, msg: string) => never): Step {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return fail(line, `a step is a mapping like \`- wait: 100ms\`, got ${oneLine(value)}`);
  const obj = value as Record<string, unknown>;
  const kinds = Object.keys(obj).filter((k) => (STEP_KINDS as readonly string[]).includes(k));
  if (kinds.length !== 1) {
    const keys = Object.keys(obj).join(", ");
    return fail(line, kinds.length === 0 ? `unknown step (keys: ${keys}); expected one of ${STEP_KINDS.join(", ")}` : `a step has exactly one kind, got ${kinds.join(", ")}`);
  }
  const kind = kinds[0] as StepKind;
  const arg = obj[kind];
  const serialStep = kind === "write-serial" || kind === "wait-serial" || kind === "no-serial";
  const extra = Object.keys(obj).filter((k) => k !== kind && !(kind === "wait-serial" && k === "timeout") && !(kind === "no-serial" && k === "for") && !(serialStep && k === "port"));
  if (extra.length) return fail(line, `${kind}: unexpected key ${extra.join(", ")}`);
  const text = oneLine(obj);
  const level = (v: unknown): 0 | 1 => {
    if (v === 0 || v === 1) return v;
    if (v === "high" || v === true) return 1;
    if (v === "low" || v === false) return 0;
    return fail(line, `${kind}: level must be 0 or 1, got ${oneLine(v)}`);
  };
  const port = (v: unknown, what: string): PortRef => {
    if (typeof v === "string" && v.length > 0) return v;
    if (typeof v === "number" && Number.isInteger(v) && v >= 0) return v;
    return fail(line, `${kind}: ${what} must be a name or a number, got ${oneLine(v)}`);
  };
  const args = (v: unknown, keys: string[], optional: string[] = []): Record<string, unknown> => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return fail(line, `${kind}: expected { ${[...keys, ...optional].join(", ")} }`);
    const r = v as Record<string, unknown>;
    for (const k of keys) if (!(k in r)) fail(line, `${kind}: missing \`${k}\``);
    for (const k of Object.keys(r)) if (!keys.includes(k) && !optional.includes(k)) fail(line, `${kind}: unknown key \`${k}\``);
    return r;
  };
  const duration = (v: unknown, what: string, positive: boolean): number => {
    const us = parseDuration(v);
    if (us === null || (positive && us === 0)) return fail(line, `${kind}: ${what} ${oneLine(v)} is not a ${positive ? "positive " : ""}duration (e.g. 500ms)`);
    return us;
  };
  const pattern = (v: unknown): RegExp => {
    if (typeof v !== "string" || v.length === 0) return fail(line, `${kind}: expected a regex string, got ${oneLine(v)}`);
    try {
      return compileSerialPattern(v);
    } catch (e) {
      return fail(line, `${kind}: regex ${oneLine(v)} ${(e as Error).message}`);
    }
  };
  let uart = 0;
  if (serialStep && "port" in obj) {
    const v = obj.port;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 1) return fail(line, `${kind}: port must be 0 or 1 (UART0, UART1), got ${oneLine(v)}`);
    uart = v;
  }
  switch (kind) {
    case "write-serial":
      if (typeof arg !== "string") return fail(line, `write-serial: expected a string, got ${oneLine(arg)}`);
      return { kind, line, text, data: arg, port: uart };
    case "wait-serial": {
      const re = pattern(arg);
      const timeoutUs = "timeout" in obj ? duration(obj.timeout, "timeout", false) : DEFAULT_WAIT_SERIAL_US;
      return { kind, line, text, pattern: re, timeoutUs, port: uart };
    }
    case "no-serial": {
      const re = pattern(arg);
      // No default window: "must not appear" means nothing without saying for how long.
      if (!("for" in obj)) return fail(line, "no-serial: missing `for` (how long the text must not appear, e.g. for: 500ms)");
      return { kind, line, text, pattern: re, forUs: duration(obj.for, "for", true), port: uart };
    }
    case "expect-toggles": {
      const a = args(arg, ["pin", "count", "within"]);
      const c = a.count;
      let min: number, max: number;
      const range = typeof c === "string" ? /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/.exec(c) : null;
      if (typeof c === "number" && Number.isInteger(c) && c >= 0) min = max = c;
      else if (range && Number(range[1]) <= Number(range[2])) (min = Number(range[1])), (max = Number(range[2]));
      else return fail(line, `expect-toggles: count must be a whole number or a range "min..max", got ${oneLine(c)}`);
      return { kind, line, text, pin: port(a.pin, "pin"), min, max, withinUs: duration(a.within, "within", true) };
    }
    case "expect-period": {
      const a = args(arg, ["pin", "period"], ["tolerance", "within"]);
      const periodUs = duration(a.period, "period", true);
      let toleranceUs = Math.round(periodUs * DEFAULT_PERIOD_TOLERANCE);
      if ("tolerance" in a) {
        const t = a.tolerance;
        const pct = typeof t === "string" ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(t) : null;
        if (pct) toleranceUs = Math.round((periodUs * parseFloat(pct[1])) / 100);
        else if (parseDuration(t) !== null) toleranceUs = parseDuration(t)!;
        else return fail(line, `expect-period: tolerance must be a percentage ("5%") or a duration ("2ms"), got ${oneLine(t)}`);
      }
      // Default window: long enough for two whole periods at the slowest period allowed.
      const withinUs = "within" in a ? duration(a.within, "within", true) : 3 * (periodUs + toleranceUs);
      return { kind, line, text, pin: port(a.pin, "pin"), periodUs, toleranceUs, withinUs };
    }
    case "set-pin":
    case "expect-pin": {
      const a = args(arg, ["pin", "level"]);
      return { kind, line, text, pin: port(a.pin, "pin"), level: level(a.level) };
    }
    case "set-adc": {
      const a = args(arg, ["channel", "value"]);
      const v = a.value;
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 4095) return fail(line, `set-adc: value must be an integer 0..4095, got ${oneLine(v)}`);
      return { kind, line, text, channel: port(a.channel, "channel"), value: v };
    }
    case "wait": {
      const us = parseDuration(arg);
      if (us === null) return fail(line, `wait: ${oneLine(arg)} is not a duration (e.g. 100ms)`);
      return { kind, line, text, us };
    }
  }
}

/**
 * Check a scenario against a target before running it: every step kind is
 * supported and every pin/channel exists. Returns one-line problems (empty if fine).
 */
export function checkScenario(sc: Scenario, target: ScenarioTarget): string[] {
  const problems: string[] = [];
  let timePassed = false;
  sc.steps.forEach((s) => {
    const at = `${sc.file}:${s.line}`;
    if (!target.supports.has(s.kind)) problems.push(`${at}: target ${target.name} does not support ${s.kind}`);
    const pinStep = s.kind === "set-pin" || s.kind === "expect-pin" || s.kind === "expect-toggles" || s.kind === "expect-period";
    if (pinStep && target.resolvePin(s.pin) === null) problems.push(`${at}: unknown pin ${oneLine(s.pin)}`);
    // A defined start (docs/hil.md): before the firmware's first poll no task has armed its edge
    // interrupt, and a level already there when it is armed gives no edge on real GPIO either.
    if (s.kind === "set-pin" && !timePassed)
      problems.push(`${at}: set-pin before any step that lets time pass: the firmware has not armed its edge interrupts yet, so the edge would be lost; add \`- wait: 1ms\` before it`);
    if ((s.kind === "wait" && s.us > 0) || s.kind === "wait-serial" || s.kind === "no-serial" || s.kind === "expect-toggles" || s.kind === "expect-period") timePassed = true;
    if (s.kind === "set-adc" && target.resolveChannel(s.channel) === null) problems.push(`${at}: unknown ADC channel ${oneLine(s.channel)}`);
    if ((s.kind === "write-serial" || s.kind === "wait-serial" || s.kind === "no-serial") && s.port !== 0) {
      // A target that is one serial line cannot do another port at all (the HIL runner skips such a
      // scenario, as for an unsupported step); a board without the port is an error, as an unknown pin.
      if (!target.serialPorts) problems.push(`${at}: target ${target.name} does not support UART${s.port} (${s.kind} port: ${s.port})`);
      else if (!target.serialPorts.has(s.port)) problems.push(`${at}: target ${target.name} has no UART${s.port}`);
    }
  });
  return problems;
}

/**
 * Every problem of a scenario against a target, in file order: the parse
 * problems of a ScenarioError from parseScenario together with the target
 * checks of the steps that did parse, or the checks of a parsed scenario.
 */
export function allProblems(parsed: Scenario | ScenarioError, target: ScenarioTarget): string[] {
  if (parsed instanceof ScenarioError) {
    if (!parsed.partial) return parsed.problems;
    return inFileOrder(parsed.partial.file, [...parsed.problems, ...checkScenario(parsed.partial, target)]);
  }
  return checkScenario(parsed, target);
}

/** The whole line around `index` in `text` (one line, at most 200 characters), for a no-serial report. */
export function lineAround(text: string, index: number): string {
  const start = text.lastIndexOf("\n", index - 1) + 1;
  const nl = text.indexOf("\n", index);
  const line = text.slice(start, nl < 0 ? text.length : nl).replace(/\r$/, "");
  return line.length > 200 ? line.slice(0, 200) + "..." : line;
}

function ms(us: number): string {
  return `${Number((us / 1000).toFixed(3))} ms`;
}

/** expect-toggles and expect-period over a pin history: null when it passes, else the failure message. */
export function judgePin(s: Step & { kind: "expect-toggles" | "expect-period" }, h: PinHistory): string | null {
  const times = (ts: number[]) => ts.slice(0, 4).map((t) => formatTime(t)).join(", ") + (ts.length > 4 ? ", ..." : "");
  const pin = oneLine(s.pin);
  if (s.kind === "expect-toggles") {
    const n = h.changes.length;
    if (n >= s.min && n <= s.max) return null;
    const want = s.min === s.max ? `${s.min}` : `${s.min}..${s.max}`;
    return `pin ${pin} toggled ${n} time(s) within ${ms(s.withinUs)}, expected ${want}${n ? ` (at t=${times(h.changes.map((c) => c.tUs))})` : ""}`;
  }
  const rising = h.changes.filter((c) => c.level === 1).map((c) => c.tUs);
  const want = `expected ${ms(s.periodUs)} ± ${ms(s.toleranceUs)}`;
  if (rising.length < 2)
    return `pin ${pin} had ${rising.length} rising edge(s) within ${ms(s.withinUs)}${rising.length ? ` (at t=${times(rising)})` : ""}: no whole period to measure, ${want}`;
  for (let i = 1; i < rising.length; i++) {
    const p = rising[i] - rising[i - 1];
    if (Math.abs(p - s.periodUs) > s.toleranceUs)
      return `pin ${pin} period ${ms(p)} (rising edges at t=${formatTime(rising[i - 1])} and t=${formatTime(rising[i])}), ${want}`;
  }
  return null;
}

/**
 * Run the steps in order against a target; stops at the first failure.
 * Throws ScenarioError (before running anything) with every problem checkScenario finds.
 */
export async function runScenario(sc: Scenario, target: ScenarioTarget, hooks: ScenarioHooks = {}): Promise<ScenarioResult> {
  const problems = checkScenario(sc, target);
  if (problems.length) throw new ScenarioError(problems);
  const enc = new TextEncoder();
  for (let i = 0; i < sc.steps.length; i++) {
    const s = sc.steps[i];
    let err: string | null = null;
    hooks.stepBegin?.(i, s);
    try {
      switch (s.kind) {
        case "write-serial":
          if (s.port === 0) await target.writeSerial(enc.encode(s.data));
          else await target.writeSerial(enc.encode(s.data), s.port);
          break;
        case "wait-serial": {
          const m = s.port === 0 ? await target.waitSerial(s.pattern, s.timeoutUs) : await target.waitSerial(s.pattern, s.timeoutUs, s.port);
          if (m === null) err = `no ${s.port === 0 ? "serial" : `UART${s.port}`} output matched /${s.pattern.source}/ within ${s.timeoutUs / 1000} ms`;
          break;
        }
        case "set-pin":
          await target.setPin(target.resolvePin(s.pin)!, s.level);
          break;
        case "expect-pin": {
          const got = await target.readPin(target.resolvePin(s.pin)!);
          if (got !== s.level) err = `pin ${oneLine(s.pin)} is ${got}, expected ${s.level}`;
          break;
        }
        case "set-adc":
          await target.setAdc(target.resolveChannel(s.channel)!, s.value);
          break;
        case "wait":
          await target.wait(s.us);
          break;
        case "no-serial": {
          if (!target.watchSerial) throw new Error(`target ${target.name} cannot watch serial output`);
          const seen = s.port === 0 ? await target.watchSerial(s.pattern, s.forUs) : await target.watchSerial(s.pattern, s.forUs, s.port);
          if (seen) err = `${s.port === 0 ? "serial" : `UART${s.port}`} output matched /${s.pattern.source}/ at t=${formatTime(seen.tUs)} (must not within ${ms(s.forUs)}): "${seen.line}"`;
          break;
        }
        case "expect-toggles":
        case "expect-period": {
          if (!target.watchPin) throw new Error(`target ${target.name} cannot watch pins`);
          err = judgePin(s, await target.watchPin(target.resolvePin(s.pin)!, s.withinUs));
          break;
        }
      }
    } catch (e) {
      err = (e as Error).message.split("\n")[0];
    }
    hooks.stepEnd?.(i, s, err);
    if (err !== null) {
      const port = (s.kind === "write-serial" || s.kind === "wait-serial" || s.kind === "no-serial") ? s.port : 0;
      const tail = port === 0 ? target.serialTail(10) : target.serialTail(10, port);
      return { ok: false, passed: i, failure: { index: i, step: s, message: err }, timeUs: target.now(), tail, tailPort: port };
    }
  }
  return { ok: true, passed: sc.steps.length, timeUs: target.now(), tail: [] };
}

/** The failure report: step (index and text), simulated time, last serial lines. */
export function formatFailure(sc: Scenario, r: ScenarioResult): string {
  if (r.ok || !r.failure) return `scenario "${sc.name}": passed (${r.passed} steps)`;
  const f = r.failure;
  // Serial text and firmware messages may hold control characters: '?' (host/text.ts), one line each.
  const lines = [
    `scenario "${printable(sc.name)}" failed at step ${f.index + 1}/${sc.steps.length} (${sc.file}:${f.step.line}) ${printable(f.step.text)}: ${printable(f.message)}, at t=${formatTime(r.timeUs)}`,
    r.tailPort ? `last UART${r.tailPort} lines:` : `last serial lines:`,
    ...(r.tail.length ? r.tail.map((l) => `  | ${printable(l)}`) : ["  (none)"]),
  ];
  return lines.join("\n");
}
