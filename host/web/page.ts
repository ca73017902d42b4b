// The board in a browser: the page served by `coop web` (host/web/server.ts).
// It runs the same Simulator (host/sim) with the browser's WebAssembly, paced
// to real time, and draws the board from its board file: output pins as LEDs,
// input pins as buttons, ADC sliders, the I2C sensor's value, one terminal per
// UART; the metrics table, a timeline of the trace events, pin waveforms,
// trace and VCD downloads, scenarios step by step. It uses the simulator only
// through its public API. Plain DOM; the HTML shell is in server.ts.

import { Simulator } from "../sim/simulator.js";
import { SimTarget } from "../sim/target.js";
import { parseBoard, type BoardDesc } from "../sim/board.js";
import { constant, type Source } from "../sim/sources.js";
import { V8Engine } from "../engines/v8.js";
import { byTaskName, formatMetrics } from "../sim/recorder.js";
import { parseScenario, runScenario, allProblems, formatFailure, formatTime, hasLinearRegex, allowBacktrackingSerialPatterns, ScenarioError, type ScenarioTarget, type Scenario } from "../scenario.js";
import { faultLine } from "../fault-report.js";
import { irqName, IRQ_LINE_COUNT } from "../abi.js";

/** What the server tells the page (GET /config.json). */
interface PageConfig {
  firmwareName: string;
  board: { name: string; path: string; text: string };
  scenario: { name: string; text: string } | null;
  seed: number;
  fuel: number | null;
}

type Speed = 0 | 1 | 10 | "max";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text = ""): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
};

/** The longest a paced frame may advance (wall ms), so a tab that slept does not jump far. */
const MAX_FRAME_MS = 250;
/** At "max", each slice of simulation runs this long (wall ms) before the page redraws. */
const MAX_SLICE_MS = 30;
/** Terminal text kept per UART (characters). */
const TERMINAL_KEEP = 20_000;
/** Trace events kept for the timeline. */
const TIMELINE_KEEP = 20_000;

let config: PageConfig;
let board: BoardDesc;
let sim: Simulator | null = null;
let target: SimTarget | null = null;
let speed: Speed = 1;
let scenarioRunning = false;
let lastWall = performance.now();
/** Simulated µs and wall ms at the last ratio sample. */
let ratioSample = { sim: 0, wall: performance.now() };
let ratio = 0;
/** The configured ADC sources, to go back to after a slider moved. */
let boardSources = new Map<number, Source>();
const terminals = new Map<number, { out: HTMLPreElement; text: string; decoder: TextDecoder; overruns: HTMLElement; dirty: boolean }>();
interface TimelineEvent { ph: string; tid: number; pid: number; ts: number; dur: number; name: string }
let timeline: TimelineEvent[] = [];
let trackNames = new Map<string, string>();
let waves = new Map<number, { t: number; level: 0 | 1 }[]>();
let started = false;

async function main(): Promise<void> {
  config = (await (await fetch("/config.json")).json()) as PageConfig;
  board = parseBoard(JSON.parse(config.board.text), config.board.path);
  if (!hasLinearRegex()) {
    // A browser started without --js-flags=--enable-experimental-regexp-engine (docs/web.md).
    allowBacktrackingSerialPatterns();
    $("regex-note").textContent = "this browser has no linear-time regex engine: wait-serial patterns run on the ordinary one";
  }
  buildControls();
  buildScenario();
  setupDrop();
  const wasm = new Uint8Array(await (await fetch("/firmware.wasm")).arrayBuffer());
  await start(wasm, config.firmwareName);
  frame();
}

/** (Re)start the board with a firmware module. */
async function start(wasm: Uint8Array, name: string): Promise<void> {
  $("firmware").textContent = name;
  $("fault").textContent = "";
  document.body.dataset.state = "loading";
  sim?.fw?.close();
  sim = null;
  timeline = [];
  trackNames = new Map();
  waves = new Map();
  const s = new Simulator(board, {
    seed: config.seed,
    fuel: config.fuel === null ? undefined : config.fuel === 0 ? false : config.fuel,
    trace: true,
    vcd: true,
    onUart: (port, b) => termByte(port, b),
    onLog: (line, t) => logLine(`[log ${formatTime(t)}] ${line}`),
  });
  s.chrome!.onEvent = onTraceEvent;
  s.onPinChange = onPin;
  boardSources = new Map(s.adc.sources);
  buildBoard(s);
  try {
    await s.load(new V8Engine(), wasm, null);
  } catch (e) {
    // The same one line coop run prints for a module it refuses.
    showFault(`coop: ${(e as Error).message.split("\n")[0]}`);
    document.body.dataset.state = "refused";
    return;
  }
  sim = s;
  target = new SimTarget(s);
  ratioSample = { sim: s.now(), wall: performance.now() };
  lastWall = performance.now();
  if (!started) {
    started = true;
    // Navigation start to firmware running (its _start done): the page's start time.
    document.body.dataset.startedMs = performance.now().toFixed(0);
    $("started").textContent = `started in ${performance.now().toFixed(0)} ms`;
  }
  document.body.dataset.state = s.fault ? "fault" : "running";
  render(true);
}

// ---- the board ----

function buildBoard(s: Simulator): void {
  const pins = $("pins");
  pins.replaceChildren();
  let key = 1;
  for (const p of board.pins) {
    const box = el("div", { class: "pin" });
    if (p.dir === "out") {
      const led = el("div", { class: "led", id: `pin-${p.name}`, "data-level": String(p.initial), title: `pin ${p.pin}` });
      box.append(led, el("span", {}, `${p.name} (pin ${p.pin})`));
    } else {
      const k = key <= 9 ? String(key++) : "";
      const btn = el("button", { class: "btn", id: `pin-${p.name}`, "data-level": String(p.initial), title: `pin ${p.pin}${k ? `, key ${k}` : ""}` }, `${p.name}${k ? ` [${k}]` : ""}`);
      const press = (down: boolean) => {
        if (!sim) return;
        const level = (down ? p.initial ^ 1 : p.initial) as 0 | 1;
        if (sim.gpio.level(p.pin) !== level) sim.gpio.drive(p.pin, level);
        btn.dataset.level = String(level);
      };
      btn.addEventListener("pointerdown", () => press(true));
      btn.addEventListener("pointerup", () => press(false));
      btn.addEventListener("pointerleave", () => press(false));
      btn.addEventListener("keydown", (e) => { if ((e.key === " " || e.key === "Enter") && !e.repeat) press(true); });
      btn.addEventListener("keyup", (e) => { if (e.key === " " || e.key === "Enter") press(false); });
      if (k) {
        document.addEventListener("keydown", (e) => { if (e.key === k && !e.repeat && !isTyping(e)) press(true); });
        document.addEventListener("keyup", (e) => { if (e.key === k && !isTyping(e)) press(false); });
      }
      box.append(btn);
    }
    pins.append(box);
  }
  const adc = $("adc");
  adc.replaceChildren();
  for (const c of board.adc.channels) {
    const row = el("div", { class: "adc" });
    const src = el("input", { type: "checkbox", id: `adc-src-${c.name}` }) as HTMLInputElement;
    src.checked = true;
    const slider = el("input", { type: "range", min: "0", max: "4095", value: "2048", id: `adc-${c.name}` }) as HTMLInputElement;
    const shown = el("span", { class: "value" }, boardSources.get(c.channel)?.describe ?? "");
    const apply = () => {
      if (!sim) return;
      if (src.checked) sim.adc.sources.set(c.channel, boardSources.get(c.channel) ?? constant(0));
      else sim.setAdc(c.channel, Number(slider.value));
      shown.textContent = src.checked ? (boardSources.get(c.channel)?.describe ?? "") : slider.value;
    };
    slider.addEventListener("input", () => { src.checked = false; apply(); });
    src.addEventListener("change", apply);
    const label = el("label", {}, " board source");
    label.prepend(src);
    row.append(el("span", { class: "name" }, `${c.name} (ch ${c.channel})`), slider, label, shown);
    adc.append(row);
  }
  const i2c = $("i2c");
  i2c.replaceChildren();
  for (const d of board.i2c.devices) {
    const input = el("input", { type: "number", step: "0.01", id: `i2c-${d.name}`, value: typeof d.source === "number" ? String(d.source) : "" }) as HTMLInputElement;
    input.placeholder = "board source";
    input.addEventListener("change", () => { if (sim && input.value !== "") sim.setBusValue(d.addr, Number(input.value)); });
    i2c.append(el("div", { class: "adc" }, `${d.name} (I2C 0x${d.addr.toString(16)}) °C `), input);
  }
  const uarts = $("uarts");
  uarts.replaceChildren();
  terminals.clear();
  for (const u of board.uarts) {
    const box = el("div", { class: "uart" });
    const out = el("pre", { class: "term", id: `uart${u.port}-out` });
    const input = el("input", { type: "text", id: `uart${u.port}-in`, placeholder: `type a line for ${u.name}, Enter sends it` }) as HTMLInputElement;
    input.addEventListener("keydown", (e) => {
      if (e.key !== "Enter" || !sim) return;
      sim.uarts.get(u.port)?.send(new TextEncoder().encode(input.value + "\n"));
      input.value = "";
    });
    const overruns = el("span", { class: "overruns", id: `uart${u.port}-overruns` }, "0");
    const head = el("div", { class: "uart-head" }, `${u.name} (${u.baud} baud) overruns: `);
    head.append(overruns);
    box.append(head, out, input);
    uarts.append(box);
    terminals.set(u.port, { out, text: "", decoder: new TextDecoder(), overruns, dirty: false });
  }
  $("log").textContent = "";
  void s;
}

function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  return !!t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA");
}

function termByte(port: number, b: number): void {
  const t = terminals.get(port);
  if (!t) return;
  t.text += t.decoder.decode(Uint8Array.of(b), { stream: true });
  if (t.text.length > TERMINAL_KEEP * 2) t.text = t.text.slice(-TERMINAL_KEEP);
  t.dirty = true;
}

function logLine(line: string): void {
  const log = $("log");
  log.textContent = (log.textContent + line + "\n").slice(-TERMINAL_KEEP);
}

function showFault(line: string): void {
  $("fault").textContent = line;
}

function onPin(pin: number, level: 0 | 1, tUs: number): void {
  let h = waves.get(pin);
  if (!h) waves.set(pin, (h = []));
  h.push({ t: tUs, level });
  if (h.length > 4096) h.splice(0, h.length - 2048);
  const p = board.pins.find((d) => d.pin === pin);
  const e = p && document.getElementById(`pin-${p.name}`);
  if (e) {
    e.dataset.level = String(level);
    e.dataset.changedAt = String(Math.floor(tUs));
  }
}

function onTraceEvent(e: Readonly<Record<string, unknown>>): void {
  const ph = e.ph as string;
  if (ph === "M") {
    if (e.name === "thread_name") trackNames.set(`${e.pid}:${e.tid}`, (e.args as { name: string }).name);
    return;
  }
  if (ph !== "X" && ph !== "i") return;
  timeline.push({ ph, pid: e.pid as number, tid: e.tid as number, ts: e.ts as number, dur: (e.dur as number) ?? 0, name: e.name as string });
  if (timeline.length > TIMELINE_KEEP * 2) timeline = timeline.slice(-TIMELINE_KEEP);
}

// ---- controls and the run loop ----

function buildControls(): void {
  const speeds: [string, Speed][] = [["pause", 0], ["1x", 1], ["10x", 10], ["max", "max"]];
  for (const [label, sp] of speeds) {
    const b = el("button", { id: `speed-${label}` }, label);
    b.addEventListener("click", () => setSpeed(sp));
    $("controls").append(b);
  }
  const step = el("button", { id: "step", title: "one coop_step (or the jump to the next deadline when idle)" }, "step");
  step.addEventListener("click", () => {
    setSpeed(0);
    if (!sim || sim.fault || scenarioRunning) return;
    const s0 = sim.steps, t0 = sim.now();
    sim.run(t0 + 10_000_000, () => sim!.steps > s0 && sim!.now() > t0);
    render(true);
  });
  $("controls").append(step);
  $("download-trace").addEventListener("click", () => {
    if (!sim?.chrome) return;
    sim.flushTrace();
    download("coop-trace.json", sim.chrome.toJSON(), "application/json");
  });
  $("download-vcd").addEventListener("click", () => {
    if (sim?.vcd) download("coop.vcd", sim.vcd.toString(sim.now()), "text/plain");
  });
  setSpeed(1);
}

function setSpeed(sp: Speed): void {
  speed = sp;
  for (const b of $("controls").querySelectorAll("button")) b.classList.toggle("on", b.id === `speed-${sp === 0 ? "pause" : sp === "max" ? "max" : `${sp}x`}`);
  document.body.dataset.speed = String(sp);
  lastWall = performance.now();
  ratioSample = { sim: sim?.now() ?? 0, wall: lastWall };
}

function download(name: string, text: string, type: string): void {
  const a = el("a", { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

let lastRender = 0;
function frame(): void {
  const now = performance.now();
  const s = sim;
  if (s && !s.fault && !scenarioRunning && speed !== 0) {
    if (speed === "max") {
      const deadline = now + MAX_SLICE_MS;
      s.run(s.now() + 10_000_000, () => performance.now() > deadline);
    } else {
      const dt = Math.min(now - lastWall, MAX_FRAME_MS);
      s.run(s.now() + dt * 1000 * speed);
    }
  }
  lastWall = now;
  render(false);
  if (speed === "max") setTimeout(frame, 0);
  else requestAnimationFrame(frame);
}

function render(all: boolean): void {
  const s = sim;
  const now = performance.now();
  if (s) {
    document.body.dataset.simUs = String(Math.floor(s.now()));
    $("clock").textContent = formatTime(s.now());
    for (const [port, t] of terminals) {
      if (t.dirty) {
        t.out.textContent = t.text.slice(-TERMINAL_KEEP);
        t.out.scrollTop = t.out.scrollHeight;
        t.dirty = false;
      }
      t.overruns.textContent = String(s.uarts.get(port)?.overruns ?? 0);
    }
    if (s.fault && !$("fault").textContent) {
      showFault(faultLine(s.fault));
      document.body.dataset.state = "fault";
    }
  }
  if (!all && now - lastRender < 250) return;
  lastRender = now;
  if (s) {
    const wallS = (now - ratioSample.wall) / 1000;
    if (wallS >= 1) {
      ratio = (s.now() - ratioSample.sim) / 1e6 / wallS;
      ratioSample = { sim: s.now(), wall: now };
      document.body.dataset.ratio = ratio.toFixed(3);
    }
    $("ratio").textContent = speed === 0 ? "paused" : `${ratio >= 100 ? ratio.toFixed(0) : ratio.toPrecision(2)}x real time`;
    $("metrics").textContent = formatMetrics(byTaskName(s.taskMetrics()), s.now());
    drawTimeline(s.now());
    drawWaves(s.now());
  }
}

function windowUs(): number {
  return Number(($("window") as HTMLSelectElement).value);
}

function drawTimeline(nowUs: number): void {
  const canvas = $("timeline") as HTMLCanvasElement;
  const w = canvas.clientWidth, span = windowUs(), from = nowUs - span;
  const recent = timeline.filter((e) => e.ts + e.dur >= from);
  const tracks = [...new Set(recent.filter((e) => e.pid === 1 || (e.tid >= 100 && e.tid < 100 + IRQ_LINE_COUNT)).map((e) => `${e.pid}:${e.tid}`))].sort((a, b) => {
    const [pa, ta] = a.split(":").map(Number), [pb, tb] = b.split(":").map(Number);
    return pa - pb || ta - tb;
  });
  const rowH = 16;
  canvas.width = w;
  canvas.height = Math.max(1, tracks.length) * rowH + 4;
  const g = canvas.getContext("2d")!;
  g.font = "11px monospace";
  const x = (t: number) => ((t - from) / span) * (w - 160) + 160;
  tracks.forEach((key, i) => {
    const y = i * rowH + 2;
    g.fillStyle = "#555";
    const [pid, tid] = key.split(":").map(Number);
    // ISR tracks are named before the page can listen (in the Simulator's constructor): name them from the ABI.
    g.fillText((trackNames.get(key) ?? (pid === 2 && tid >= 100 ? `ISR ${irqName(tid - 100)}` : key)).slice(0, 24), 2, y + 11);
    for (const e of recent) {
      if (`${e.pid}:${e.tid}` !== key) continue;
      if (e.ph === "X") {
        g.fillStyle = e.pid === 2 ? "#c60" : "#26a";
        g.fillRect(x(e.ts), y + 2, Math.max(1, (e.dur / span) * (w - 160)), rowH - 5);
      } else {
        g.fillStyle = "#2a2";
        g.fillRect(x(e.ts) - 1, y, 2, rowH - 1);
      }
    }
  });
}

function drawWaves(nowUs: number): void {
  const canvas = $("waves") as HTMLCanvasElement;
  const w = canvas.clientWidth, span = windowUs(), from = nowUs - span;
  const rowH = 22;
  canvas.width = w;
  canvas.height = board.pins.length * rowH + 4;
  const g = canvas.getContext("2d")!;
  g.font = "11px monospace";
  const x = (t: number) => ((Math.max(t, from) - from) / span) * (w - 160) + 160;
  board.pins.forEach((p, i) => {
    const y = i * rowH + 4;
    g.fillStyle = "#555";
    g.fillText(p.name, 2, y + 13);
    const h = waves.get(p.pin) ?? [];
    let level: 0 | 1 = p.initial;
    for (const c of h) if (c.t <= from) level = c.level;
    g.strokeStyle = "#0a5";
    g.beginPath();
    let px = 160;
    const yl = (l: number) => y + (l ? 2 : rowH - 6);
    g.moveTo(px, yl(level));
    for (const c of h) {
      if (c.t <= from) continue;
      px = x(c.t);
      g.lineTo(px, yl(level));
      level = c.level;
      g.lineTo(px, yl(level));
    }
    g.lineTo(w, yl(level));
    g.stroke();
  });
}

// ---- scenarios ----

function buildScenario(): void {
  const text = $("scenario-text") as HTMLTextAreaElement;
  text.value = config.scenario?.text ?? "";
  $("scenario-name").textContent = config.scenario?.name ?? "(none given: write one here)";
  $("scenario-run").addEventListener("click", () => void runPageScenario(text.value, config.scenario?.name ?? "scenario.yaml"));
}

/**
 * A SimTarget whose waiting steps first give the page a turn, so each step's
 * pass/fail is drawn as the scenario runs (the simulation itself runs as
 * fast as it can, as in coop run).
 */
function yielding(t: SimTarget): ScenarioTarget {
  const turn = () => new Promise((r) => setTimeout(r, 0));
  const y = Object.create(t) as SimTarget;
  for (const m of ["writeSerial", "waitSerial", "watchSerial", "watchPin", "setPin", "readPin", "setAdc", "wait"] as const) {
    const f = (t[m] as (...a: unknown[]) => Promise<unknown>).bind(t);
    (y as unknown as Record<string, unknown>)[m] = async (...a: unknown[]) => {
      await turn();
      return f(...a);
    };
  }
  return y;
}

async function runPageScenario(text: string, file: string): Promise<void> {
  const list = $("scenario-steps");
  const result = $("scenario-result");
  list.replaceChildren();
  result.textContent = "";
  result.className = "";
  if (!sim || !target || scenarioRunning) return;
  let sc: Scenario;
  try {
    sc = parseScenario(text, file);
  } catch (e) {
    result.textContent = e instanceof ScenarioError ? e.problems.map((p) => `coop: ${p}`).join("\n") : `coop: ${(e as Error).message}`;
    result.className = "fail";
    return;
  }
  const problems = allProblems(sc, target);
  if (problems.length) {
    result.textContent = problems.map((p) => `coop: ${p}`).join("\n");
    result.className = "fail";
    return;
  }
  const items = sc.steps.map((s, i) => {
    const li = el("li", { id: `step-${i + 1}`, "data-state": "pending" }, s.text);
    list.append(li);
    return li;
  });
  scenarioRunning = true;
  document.body.dataset.scenario = "running";
  const t = target;
  try {
    const r = await runScenario(sc, yielding(t), {
      stepBegin: (i) => {
        t.stepBegin();
        items[i].dataset.state = "running";
      },
      stepEnd: (i, step, error) => {
        t.stepEnd(i, step, error);
        items[i].dataset.state = error === null ? "pass" : "fail";
        if (error !== null) items[i].title = error;
      },
    });
    result.textContent = r.ok ? `scenario "${sc.name}": passed ${r.passed} steps at t=${formatTime(r.timeUs)}` : formatFailure(sc, r);
    result.className = r.ok ? "pass" : "fail";
    document.body.dataset.scenario = r.ok ? "pass" : "fail";
  } finally {
    scenarioRunning = false;
    lastWall = performance.now();
    render(true);
  }
}

// ---- a dropped .wasm ----

function setupDrop(): void {
  document.addEventListener("dragover", (e) => {
    e.preventDefault();
    document.body.classList.add("drag");
  });
  document.addEventListener("dragleave", () => document.body.classList.remove("drag"));
  document.addEventListener("drop", (e) => {
    e.preventDefault();
    document.body.classList.remove("drag");
    const f = e.dataTransfer?.files[0];
    if (!f) return;
    if (!f.name.endsWith(".wasm")) {
      showFault(`coop: ${f.name} is not a .wasm firmware file`);
      return;
    }
    void f.arrayBuffer().then((b) => start(new Uint8Array(b), f.name));
  });
}

main().catch((e) => {
  showFault(`coop: internal error: ${(e as Error).message.split("\n")[0]}`);
  document.body.dataset.state = "error";
});
