// The simulator running real firmware (tests/host/fixtures/as/echo.ts and
// build/blinky.wasm) through the V8 engine: ABI imports, board loop, runaway
// and panic reports, metrics, trace determinism.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fixture, bytes, ROOT } from "./fixtures/build.js";
import { Simulator, type SimOptions } from "../../host/sim/simulator.js";
import { SimTarget } from "../../host/sim/target.js";
import { loadBoard, findBoard } from "../../host/board-file.js";
import { V8Engine } from "../../host/engines/v8.js";
import type { Engine } from "../../host/engine.js";
import { unkeptIrqQuiet } from "../../host/abi.js";

const board = () => loadBoard(findBoard("sim-devkit", ROOT));

async function boot(name: string, opts: SimOptions = {}) {
  const sim = new Simulator(board(), opts);
  await sim.load(new V8Engine(), bytes(await fixture(name)));
  return { sim, target: new SimTarget(sim) };
}

async function say(t: SimTarget, line: string, expect: RegExp, timeoutUs = 100_000): Promise<string | null> {
  await t.writeSerial(new TextEncoder().encode(line + "\n"));
  return t.waitSerial(expect, timeoutUs);
}

test("echo firmware: UART round trip, ADC, TS1 sensor over I2C, missing bus device", async () => {
  const { sim, target } = await boot("echo");
  assert.equal(sim.fault, null);
  assert.equal(await say(target, "ping", /pong\n/), "pong\n");
  await target.setAdc(2, 1234);
  assert.equal(await say(target, "adc2", /adc=\d+\n/), "adc=1234\n");
  assert.equal(await say(target, "adc7", /adc error -?\d+\n/), "adc error -1\n", "unknown channel -> EBADPORT");
  assert.match((await say(target, "temp", /temp=-?\d+\n/))!, /^temp=2345\n$/, "sensor source starts at 23.45 °C");
  assert.equal(await say(target, "id", /id=\d+\n/), "id=84\n");
  assert.equal(await say(target, "nodev", /bus=-?\d+\n/), "bus=-1\n");
  assert.equal(await say(target, "hello there", /hello there\n/), "hello there\n");
  assert.equal(await say(target, "led1", /ok\n/), "ok\n");
  assert.equal(await target.readPin(0), 1);
  assert.equal(await target.waitSerial(/never printed/, 50_000), null);
  const t0 = target.now();
  assert.ok(t0 > 50_000 && t0 < 200_000, `time moved only virtually: ${t0}`);
});

test("serial timing follows the baud rate: 'ping\\n' in + 'pong\\n' out takes >= 10 byte times", async () => {
  const { target } = await boot("echo");
  const t0 = target.now();
  await say(target, "ping", /pong\n/);
  const byteUs = 10e6 / 115200;
  const dt = target.now() - t0;
  assert.ok(dt >= 10 * byteUs - 1e-6 && dt < 12 * byteUs, `took ${dt} µs`);
});

test("GPIO edge IRQ: the mirror task copies BUTTON to LED2 on both edges", async () => {
  const { target } = await boot("echo");
  await target.wait(1000);
  assert.equal(await target.readPin(1), 0);
  await target.setPin(2, 1);
  await target.wait(1000);
  assert.equal(await target.readPin(1), 1);
  await target.setPin(2, 0);
  await target.wait(1000);
  assert.equal(await target.readPin(1), 0);
});

test("runaway poll is caught by fuel and named; the simulator does not hang", async () => {
  const { sim, target } = await boot("echo", { fuel: 2_000_000 });
  await target.writeSerial(new TextEncoder().encode("spin\n"));
  await assert.rejects(target.wait(100_000), /firmware stopped: runaway in task shell/);
  assert.equal(sim.fault?.kind, "runaway");
  assert.equal(sim.fault?.taskName, "shell");
  assert.equal(sim.fault?.task, 0);
});

test("a trap in a task (bounds check -> panic) is reported with the task and message", async () => {
  const { sim, target } = await boot("echo");
  await target.writeSerial(new TextEncoder().encode("crash\n"));
  await assert.rejects(target.wait(100_000), /panic in task shell: Index out of range/);
  assert.equal(sim.fault?.task, 0);
  const before = sim.steps;
  assert.equal(sim.run(sim.now() + 1e6), "fault");
  assert.equal(sim.steps, before, "no coop_step after a trap");
});

test("UART input faster than the firmware reads: overruns counted, the rest delivered", async () => {
  const { sim, target } = await boot("echo");
  await target.writeSerial(new TextEncoder().encode("stall\n"));
  await target.wait(20_000);
  const flood = "x".repeat(100) + "\n";
  await target.writeSerial(new TextEncoder().encode(flood));
  assert.ok(await target.waitSerial(/unstalled\n/, 2_000_000));
  await target.wait(100_000);
  const u = sim.uarts.get(0)!;
  assert.equal(u.overruns, 101 - 16, "16-byte FIFO keeps 16 of 101 bytes");
  assert.equal(u.received, 6 + 16);
});

test("idle firmware: the clock jumps (24 h of blinky in few steps), LED toggles every 500 ms", async () => {
  const blinky = resolve(ROOT, "build/blinky.wasm");
  if (!existsSync(blinky)) return; // built by npm run build
  const sim = new Simulator(board(), { vcd: true });
  await sim.load(new V8Engine(), bytes(blinky));
  const t = new SimTarget(sim);
  await t.wait(250_000);
  assert.equal(await t.readPin(0), 0);
  await t.wait(500_000);
  assert.equal(await t.readPin(0), 1);
  const steps0 = sim.steps;
  sim.run(60e6);
  assert.ok(sim.steps - steps0 <= 119, `one step per toggle: ${sim.steps - steps0}`);
  const m = sim.taskMetrics().find((x) => x.name === "blinky")!;
  assert.equal(m.polls, 120, "the first poll, then one per toggle at 0.5 s .. 59.5 s");
  const pins = sim.summary().pins as Record<string, { changes: number; level: number }>;
  assert.deepEqual(pins.LED, { pin: 0, dir: "out", level: 1, changes: 119 });
  assert.ok(m.busyUs > 0 && m.slowPolls === 0);
  const vcd = sim.vcd!.toString(sim.now());
  assert.match(vcd, /\$var wire 1 ! LED \$end/);
  assert.match(vcd, /#500000\n1!\n#1000000\n0!/);
});

async function traceOf(seed: number): Promise<string> {
  const sim = new Simulator(board(), { seed, trace: true });
  await sim.load(new V8Engine(), bytes(await fixture("echo")));
  const t = new SimTarget(sim);
  for (const cmd of ["ping", "adc0", "adc1", "temp", "adc0"]) await say(t, cmd, /\n/);
  await t.setPin(2, 1);
  await t.wait(5000);
  return sim.chrome!.toJSON();
}

/**
 * The echo session of traceOf through an engine that counts board.irq_take calls;
 * `keepQuiet` false hands the firmware a board.irq_quiet stuck at 0 (a board that does not keep it).
 */
async function countedRun(keepQuiet: boolean): Promise<{ trace: string; takes: number }> {
  let takes = 0;
  const v8 = new V8Engine();
  const counting: Engine = {
    name: "v8-counting",
    check: (w) => v8.check(w),
    load: (w, imports) => v8.load(w, {
      ...imports,
      irq_take: () => { takes++; return imports.irq_take(); },
      irq_quiet: keepQuiet ? imports.irq_quiet : unkeptIrqQuiet(),
    }),
  };
  const sim = new Simulator(board(), { seed: 7, trace: true });
  await sim.load(counting, bytes(await fixture("echo")));
  const t = new SimTarget(sim);
  for (const cmd of ["ping", "adc0", "adc1", "temp", "adc0"]) await say(t, cmd, /\n/);
  await t.setPin(2, 1);
  await t.wait(5000);
  return { trace: sim.chrome!.toJSON(), takes };
}

test("board.irq_quiet: the simulator keeps it, which spares irq_take calls and changes nothing else", async () => {
  const kept = await countedRun(true), stuck = await countedRun(false);
  assert.equal(kept.trace, stuck.trace, "the same trace, event for event");
  assert.ok(kept.takes > 0 && kept.takes * 2 < stuck.takes, `irq_take calls: ${kept.takes} kept, ${stuck.takes} at 0`);
});

test("determinism: same firmware + inputs + seed -> byte-identical trace; another seed differs", async () => {
  const a = await traceOf(7), b = await traceOf(7), c = await traceOf(8);
  assert.equal(a, b);
  assert.notEqual(a, c, "ADC noise depends on the seed");
  const t = JSON.parse(a);
  const phases = new Set(t.traceEvents.map((e: { ph: string }) => e.ph));
  for (const ph of ["X", "i", "C", "M"]) assert.ok(phases.has(ph), `has ${ph} events`);
  assert.ok(t.traceEvents.some((e: { ph: string; args?: { name?: string } }) => e.ph === "M" && e.args?.name === "task 0: shell"));
  assert.ok(t.traceEvents.some((e: { ph: string; name: string }) => e.ph === "X" && e.name === "ISR UART0_RX"));
  // Perfetto's JSON importer needs the X spans of one track to be well nested: here, never overlapping.
  const tracks = new Map<string, { ts: number; dur: number }[]>();
  for (const e of t.traceEvents) {
    if (e.ph !== "X") continue;
    assert.ok(typeof e.ts === "number" && typeof e.dur === "number" && e.dur >= 0);
    const k = `${e.pid}/${e.tid}`;
    if (!tracks.has(k)) tracks.set(k, []);
    tracks.get(k)!.push(e);
  }
  for (const [k, spans] of tracks) {
    spans.sort((x, y) => x.ts - y.ts);
    for (let i = 1; i < spans.length; i++) assert.ok(spans[i].ts >= spans[i - 1].ts + spans[i - 1].dur - 1e-9, `overlapping spans on track ${k} at ${spans[i].ts}`);
  }
  const named = new Set(t.traceEvents.filter((e: { ph: string; name: string }) => e.ph === "M" && e.name === "thread_name").map((e: { pid: number; tid: number }) => `${e.pid}/${e.tid}`));
  for (const k of tracks.keys()) assert.ok(named.has(k), `track ${k} has a name`);
});

test("metrics: polls, wakes and scheduled time add up", async () => {
  const { sim, target } = await boot("echo");
  await say(target, "ping", /pong\n/);
  const m = sim.taskMetrics();
  const shell = m.find((x) => x.name === "shell")!;
  assert.ok(shell.polls >= 6, `polls ${shell.polls}`);
  assert.ok(shell.wakes >= shell.polls - 1);
  assert.ok(shell.busyUs >= shell.polls * 2, "at least poll_ns (2 µs) per poll");
  assert.equal(m.find((x) => x.name === "mirror")!.polls, 1);
});

test("interrupt controller: same-tick ISRs appear in priority order (ascending line); disabled lines are dropped and counted", () => {
  const sim = new Simulator(board(), { trace: true });
  sim.events.at(10, () => { sim.raise(18); sim.raise(5); sim.raise(1); });
  sim.events.at(12, () => sim.raise(0));
  sim.events.at(12, () => sim.raise(26)); // GPIO10: sim-devkit has no pin 10
  (sim as unknown as { runTo(t: number): void }).runTo(20);
  const isrs = JSON.parse(sim.chrome!.toJSON()).traceEvents.filter((e: { name: string }) => e.name.startsWith("ISR"));
  assert.deepEqual(isrs.map((e: { name: string; ts: number }) => `${e.ts} ${e.name}`), ["10 ISR UART0_RX", "10 ISR ADC", "10 ISR GPIO2", "12 ISR ALARM"]);
  assert.equal(sim.pending, (1 << 18) | (1 << 5) | (1 << 1) | 1);
  assert.equal(sim.irqDropped, 1);
  const quiet = sim.imports().irq_quiet;
  assert.equal(quiet.value, 0, "board.irq_quiet is 0 while flags are pending");
  assert.equal(sim.imports().irq_take(), ((1 << 18) | (1 << 5) | (1 << 1) | 1) >>> 0);
  assert.equal(quiet.value, 1, "and 1 once they are taken");
  assert.equal(sim.imports().irq_take(), 0, "read-and-clear");
  sim.raise(26); // a disabled line raises nothing
  assert.equal(quiet.value, 1);
  sim.raise(5);
  assert.equal(quiet.value, 0);
});

test("a board is data: the same firmware on tiny-m0 runs with its 9600-baud UART, 4-byte FIFO and pin map", async () => {
  const sim = new Simulator(loadBoard(findBoard("tiny-m0", ROOT)));
  await sim.load(new V8Engine(), bytes(await fixture("echo")));
  const t = new SimTarget(sim);
  const t0 = t.now();
  assert.equal(await say(t, "ping", /pong\n/, 1_000_000), "pong\n");
  const dt = t.now() - t0;
  const byteUs = 10e6 / 9600;
  assert.ok(dt >= 10 * byteUs - 1e-6 && dt < 12 * byteUs, `10 bytes at 9600 baud: ${dt} µs`);
  assert.equal(await say(t, "led1", /ok\n/, 1_000_000), "ok\n");
  assert.equal(await t.readPin(5), 0, "the echo firmware drives pin 0, which tiny-m0 does not have (EBADPORT); its LED (pin 5) stays off");
  assert.equal(t.resolvePin("LED"), 5);
  assert.equal(t.resolvePin("LED2"), null);
  assert.equal(await say(t, "temp", /bus=-?\d+\n/, 1_000_000), "bus=-1\n", "no I2C device on tiny-m0");
});

test("a task that yields forever: the board never sleeps, the clock moves by poll cost, self-wakes counted, the ticker keeps time", async () => {
  const sim = new Simulator(board());
  await sim.load(new V8Engine(), bytes(await fixture("yielder")));
  sim.run(100_000);
  const m = sim.taskMetrics();
  const spinner = m.find((x) => x.name === "spinner")!, ticker = m.find((x) => x.name === "ticker")!;
  assert.ok(spinner.polls > 1000, `spinner polled ${spinner.polls} times`);
  assert.equal(spinner.selfWakes, spinner.polls, "every spinner poll woke itself");
  assert.ok(ticker.polls >= 10 && ticker.polls <= 12, `ticker polls ${ticker.polls} in 100 ms`);
  assert.ok(ticker.schedMaxUs < 100, `ticker scheduled within ${ticker.schedMaxUs} µs: the spinner does not starve it`);
  // A step is not interruptible: the run ends after the step that crosses 100 ms (one poll budget).
  assert.ok(sim.now() >= 100_000 && sim.now() < 110_000, `ended at ${sim.now()}`);
});
