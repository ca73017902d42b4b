// Outputs built from what the simulator observes: Chrome trace events
// (Perfetto), VCD waveforms (GTKWave) and per-task metrics (tokio-metrics
// names). Everything is keyed on simulated time, so the files are a pure
// function of the run.

/** Round µs to ns precision so float noise never shows in files. */
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** A UART line as a span name: without its line end, control bytes as \xNN, at most 80 characters. */
function printableName(text: string): string {
  const t = text.replace(/\r?\n$/, "").replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return t.length > 80 ? t.slice(0, 79) + "…" : t || "(empty line)";
}

const HEAD = `{"displayTimeUnit":"ns","traceEvents":[\n`;
const TAIL = `\n]}\n`;

/**
 * Where a streamed trace goes (host/trace-file.ts writes a file). A failure
 * throws an Error whose message is one line naming the output.
 */
export interface TraceSink {
  write(text: string): void;
  close(): void;
}

/** An output file (--trace, --vcd) that could not be written; the message is one line. */
export class OutputError extends Error {}

/**
 * Chrome trace event writer. In memory (toJSON) by default; given a sink it
 * streams to it in 1 MiB chunks, so a trace of 24 simulated hours does not
 * have to fit in memory. Call finish() to complete the stream.
 */
export class ChromeTrace {
  /** The first write error of a streamed trace ("cannot write trace file ...: no space left on device"); writing stops there. */
  writeError: string | null = null;
  private events: string[] = [];
  private named = new Set<string>();
  private sink: TraceSink | null;
  private buf = "";
  private first = true;
  /** Sees every event as it is recorded (the page's live timeline). */
  onEvent: ((e: Readonly<Record<string, unknown>>) => void) | null = null;
  constructor(sink?: TraceSink) {
    this.sink = sink ?? null;
    if (this.sink) this.buf = HEAD;
    this.meta(1, 0, "process_name", "firmware");
    this.meta(2, 0, "process_name", "board");
    this.meta(2, 2, "thread_name", "IRQ deliveries");
    this.meta(1, 0, "thread_name", "outside any task");
    this.meta(2, 3, "thread_name", "GPIO writes");
    this.meta(2, 4, "thread_name", "scenario steps");
  }
  private push(o: Record<string, unknown>): void {
    this.onEvent?.(o);
    if (this.sink === null) {
      this.events.push(JSON.stringify(o));
      return;
    }
    this.buf += (this.first ? "" : ",\n") + JSON.stringify(o);
    this.first = false;
    if (this.buf.length > 1 << 20) this.write(this.buf);
  }
  /**
   * Write a chunk; a failure (a full disk) is kept, not thrown: this runs
   * inside the firmware's trace import, where an exception would look like
   * a firmware trap. finish() reports it.
   */
  private write(text: string): void {
    this.buf = "";
    if (this.sink === null || this.writeError !== null) return;
    try {
      this.sink.write(text);
    } catch (e) {
      this.writeError = (e as Error).message.split("\n")[0];
    }
  }
  /** Complete and close a streamed trace (no-op in memory); throws OutputError if any write failed. */
  finish(): void {
    if (this.sink === null) return;
    this.write(this.buf + TAIL);
    try {
      this.sink.close();
    } catch (e) {
      this.writeError ??= (e as Error).message.split("\n")[0];
    }
    this.sink = null;
    this.buf = "";
    if (this.writeError !== null) throw new OutputError(this.writeError);
  }
  meta(pid: number, tid: number, name: string, value: string): void {
    this.push({ ph: "M", pid, tid, name, args: { name: value } });
  }
  /** Name a task's track once (slot + name). */
  nameTask(slot: number, name: string): void {
    const key = `${slot}:${name}`;
    if (this.named.has(key)) return;
    this.named.add(key);
    this.meta(1, slot + 1, "thread_name", `task ${slot}: ${name}`);
    this.push({ ph: "M", pid: 1, tid: slot + 1, name: "thread_sort_index", args: { sort_index: slot } });
  }
  poll(slot: number, ts: number, dur: number, done: boolean, units: number): void {
    this.push({ ph: "X", pid: 1, tid: slot + 1, name: "poll", ts: r3(ts), dur: r3(dur), args: { done, work_units: units } });
  }
  /** ISR span, on one track per line (tid 100 + line) so spans of different lines never overlap on a track. */
  isr(line: number, name: string, ts: number): void {
    const tid = this.isrTrack(line, name);
    this.push({ ph: "X", pid: 2, tid, name: `ISR ${name}`, ts: r3(ts), dur: 1, args: { line } });
  }
  /** Name the ISR track of a line (once); the board names all its enabled lines up front. */
  isrTrack(line: number, name: string): number {
    const tid = 100 + line;
    if (!this.named.has(`isr${line}`)) {
      this.named.add(`isr${line}`);
      this.meta(2, tid, "thread_name", `ISR ${name} (line ${line})`);
      this.push({ ph: "M", pid: 2, tid, name: "thread_sort_index", args: { sort_index: tid } });
    }
    return tid;
  }
  irqDelivered(line: number, name: string, woken: number, ts: number): void {
    this.push({ ph: "i", s: "t", pid: 2, tid: 2, name: `deliver ${name}`, ts: r3(ts), args: { line, waiters_woken: woken } });
  }
  /** A wake of task `slot` (named `task`), with who woke it: "task 2: blinky", "irq UART0_RX (line 1)", "timer", "start", "board". */
  wake(slot: number, task: string, cause: string, ts: number): void {
    this.push({ ph: "i", s: "t", pid: 1, tid: slot + 1, name: "wake", ts: r3(ts), args: { task, cause } });
  }
  /** A firmware marker (mark("name")): on the polling task's track, or the firmware's track outside a poll. */
  mark(slot: number, name: string, ts: number): void {
    this.push({ ph: "i", s: "t", pid: 1, tid: slot + 1, name, cat: "mark", ts: r3(ts), args: { mark: name } });
  }
  /** A firmware gpio_write (also one that leaves the level unchanged), on the board's "GPIO writes" track. */
  gpioWrite(pin: number, name: string, level: number, ts: number): void {
    this.push({ ph: "i", s: "t", pid: 2, tid: 3, name: `${name}=${level}`, ts: r3(ts), args: { pin, level } });
  }
  /** Name the track of one UART direction (once); the board names all its ports' tracks up front. */
  uartTrack(port: number, rx: boolean): number {
    const tid = 200 + port * 2 + (rx ? 1 : 0);
    if (!this.named.has(`uart${tid}`)) {
      this.named.add(`uart${tid}`);
      this.meta(2, tid, "thread_name", `UART${port} ${rx ? "RX (into the firmware)" : "TX (from the firmware)"}`);
      this.push({ ph: "M", pid: 2, tid, name: "thread_sort_index", args: { sort_index: tid } });
    }
    return tid;
  }
  /** One line of UART bytes (or the bytes up to the end of the run): a span from the first byte's frame start to the last byte's frame end. */
  uartLine(port: number, rx: boolean, text: string, bytes: number, dropped: number, start: number, end: number): void {
    const ts = r3(start);
    const args: Record<string, unknown> = { text, bytes };
    if (dropped) args.dropped = dropped;
    this.push({ ph: "X", pid: 2, tid: this.uartTrack(port, rx), name: printableName(text), ts, dur: r3(r3(end) - ts), args });
  }
  /** A scenario step as a span from its start to its end, on the board's "scenario steps" track. */
  scenarioStep(number: number, kind: string, line: number, text: string, start: number, end: number, error: string | null): void {
    const ts = r3(start);
    const args: Record<string, unknown> = { number, kind, line, step: text, ok: error === null };
    if (error !== null) args.error = error;
    this.push({ ph: "X", pid: 2, tid: 4, name: `step ${number}: ${kind}${error === null ? "" : " FAILED"}`, ts, dur: r3(r3(end) - ts), args });
  }
  ready(n: number, ts: number): void {
    this.push({ ph: "C", pid: 1, tid: 0, name: "ready tasks", ts: r3(ts), args: { ready: n } });
  }
  /** A sampled value (ADC conversion result) as its own counter track. */
  counter(name: string, value: number, ts: number): void {
    this.push({ ph: "C", pid: 2, tid: 0, name, ts: r3(ts), args: { value } });
  }
  instant(name: string, ts: number, args: Record<string, unknown>): void {
    this.push({ ph: "i", s: "g", pid: 2, tid: 1, name, ts: r3(ts), args });
  }
  toJSON(): string {
    return HEAD + this.events.join(",\n") + TAIL;
  }
}

/** VCD writer: 1-bit pins, 12-bit ADC values and 8-bit UART bytes, timescale 1 µs. */
export class Vcd {
  private vars: { id: string; name: string; width: number; value: number }[] = [];
  private byKey = new Map<string, number>();
  private body: string[] = [];
  private lastT = -1;
  addVar(key: string, name: string, width: number, initial: number): void {
    const i = this.vars.length;
    // Identifier codes: printable ASCII from '!' as VCD expects.
    let id = "", n = i;
    do { id += String.fromCharCode(33 + (n % 94)); n = Math.floor(n / 94); } while (n > 0);
    this.vars.push({ id, name, width, value: initial });
    this.byKey.set(key, i);
  }
  /** Returns to 0 still to write, per var key: the end of a pulse(), applied once the dump reaches its time. */
  private resets = new Map<string, number>();
  /** Write the pulse ends due at or before t, in time order. */
  private applyResets(t: number): void {
    if (!this.resets.size) return;
    const due = [...this.resets].filter(([, rt]) => rt <= t).sort((a, b) => a[1] - b[1]);
    for (const [key, rt] of due) {
      this.resets.delete(key);
      this.write(key, rt, 0);
    }
  }
  /**
   * Show `value` from t for `width` µs, then 0 (idle): a UART byte on its
   * wire. A later change of the same var before the pulse ends replaces it,
   * so back-to-back equal bytes still show as separate pulses when width is
   * shorter than a frame.
   */
  pulse(key: string, t: number, value: number, width: number): void {
    this.change(key, t, value);
    if (this.byKey.has(key)) this.resets.set(key, t + width);
  }
  change(key: string, t: number, value: number): void {
    this.applyResets(t);
    this.resets.delete(key);
    this.write(key, t, value);
  }
  private write(key: string, t: number, value: number): void {
    const i = this.byKey.get(key);
    if (i === undefined) return;
    const v = this.vars[i];
    if (v.value === value && this.lastT >= 0) return;
    v.value = value;
    const ti = Math.floor(t);
    if (ti !== this.lastT) {
      this.body.push(`#${Math.max(ti, this.lastT)}`);
      this.lastT = Math.max(ti, this.lastT);
    }
    this.body.push(v.width === 1 ? `${value}${v.id}` : `b${value.toString(2)} ${v.id}`);
  }
  private initial: string[] | null = null;
  /** Freeze the initial values (call after adding all vars, before the first change). */
  start(): void {
    this.initial = this.vars.map((v) => (v.width === 1 ? `${v.value}${v.id}` : `b${v.value.toString(2)} ${v.id}`));
    this.lastT = 0; // "#0" is written before $dumpvars; changes at t=0 follow it directly
  }
  toString(endT: number): string {
    this.applyResets(endT);
    const head = [
      "$comment coop simulator $end",
      "$timescale 1 us $end",
      "$scope module board $end",
      ...this.vars.map((v) => `$var ${v.width === 1 ? "wire" : "reg"} ${v.width} ${v.id} ${v.name} $end`),
      "$upscope $end",
      "$enddefinitions $end",
      "#0",
      "$dumpvars",
      ...(this.initial ?? []),
      "$end",
    ];
    const tail = Math.floor(endT) > this.lastT ? [`#${Math.floor(endT)}`] : [];
    return [...head, ...this.body, ...tail, ""].join("\n");
  }
}

export interface TaskMetrics {
  slot: number;
  name: string;
  polls: number;
  /** Virtual µs spent in polls (cost model). */
  busyUs: number;
  /** Sum of wake -> poll delays, µs. */
  scheduledUs: number;
  /** Longest wake -> poll delay, µs. */
  schedMaxUs: number;
  wakes: number;
  selfWakes: number;
  slowPolls: number;
  completed: boolean;
  /** Work units (fuel: function entries + loop iterations) spent in polls. */
  units: number;
  /** Where the task waited at the end of the run ("file.ts:line"), when the firmware says (debug builds of async functions). */
  waitingAt?: string;
}

export function newMetrics(slot: number): TaskMetrics {
  return { slot, name: "", polls: 0, busyUs: 0, scheduledUs: 0, schedMaxUs: 0, wakes: 0, selfWakes: 0, slowPolls: 0, completed: false, units: 0 };
}

/** One task name's metrics over all its spawns (a respawned task, or several tasks of one function). */
export interface TaskSummary extends TaskMetrics {
  /** How many tasks of this name were spawned (each reuse of a slot is one more). */
  spawns: number;
  /** The slots they ran in, ascending; `slot` is the first. */
  slots: number[];
}

/**
 * Merge per-spawn metrics (the simulator keeps one record per spawn, so a
 * respawn starts from zero) into one row per task name, in order of first
 * slot: counts and times add up, the maximum scheduling delay is the largest,
 * and the name is "completed" only when every spawn of it completed.
 */
export function byTaskName(rows: TaskMetrics[]): TaskSummary[] {
  const out = new Map<string, TaskSummary>();
  for (const m of rows) {
    const key = m.name || `slot${m.slot}`;
    const r = out.get(key);
    if (!r) {
      out.set(key, { ...m, spawns: 1, slots: [m.slot] });
      continue;
    }
    r.spawns++;
    if (!r.slots.includes(m.slot)) r.slots.push(m.slot);
    r.polls += m.polls;
    r.busyUs += m.busyUs;
    r.scheduledUs += m.scheduledUs;
    r.schedMaxUs = Math.max(r.schedMaxUs, m.schedMaxUs);
    r.wakes += m.wakes;
    r.selfWakes += m.selfWakes;
    r.slowPolls += m.slowPolls;
    r.units += m.units;
    r.completed = r.completed && m.completed;
    if (m.waitingAt) r.waitingAt = m.waitingAt;
  }
  const merged = [...out.values()];
  for (const r of merged) r.slots.sort((a, b) => a - b);
  return merged.sort((a, b) => a.slots[0] - b.slots[0]);
}

export function formatMetrics(rows: TaskSummary[], totalUs: number): string {
  const head = ["slot", "task", "spawns", "polls", "busy", "busy%", "sched avg", "sched max", "wakes", "self", "slow"];
  const fmt = (us: number) => (us >= 1e6 ? `${(us / 1e6).toFixed(3)}s` : us >= 1e3 ? `${(us / 1e3).toFixed(3)}ms` : `${us.toFixed(1)}us`);
  const sites = rows.some((m) => m.waitingAt);
  if (sites) head.push("waiting at");
  const lines = rows.map((m) => [
    m.slots.join(","), m.name || "?", String(m.spawns), String(m.polls), fmt(m.busyUs), totalUs > 0 ? ((100 * m.busyUs) / totalUs).toFixed(3) : "0",
    fmt(m.polls ? m.scheduledUs / m.polls : 0), fmt(m.schedMaxUs),
    String(m.wakes), String(m.selfWakes), String(m.slowPolls),
    ...(sites ? [m.waitingAt ?? ""] : []),
  ]);
  const all = [head, ...lines];
  const w = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((c, i) => (i === 1 || i === 11 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ").trimEnd()).join("\n");
}
