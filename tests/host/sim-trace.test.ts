// What a --trace / --vcd file shows so that a user can line events up: who
// woke each task and why (IRQ line, timer, another task), the firmware's own
// marks, GPIO writes, UART lines in both directions, scenario steps; and the
// VCD's UART byte signals. Engines compare these files in diff-sim.test.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fixture, bytes, ROOT } from "./fixtures/build.js";
import { Simulator } from "../../host/sim/simulator.js";
import { SimTarget } from "../../host/sim/target.js";
import { loadBoard, findBoard } from "../../host/board-file.js";
import { V8Engine } from "../../host/engines/v8.js";
import { parseScenario, runScenario } from "../../host/scenario.js";
import { TRACE } from "../../host/abi.js";

interface Ev { ph: string; pid: number; tid: number; name: string; ts: number; dur?: number; cat?: string; args?: Record<string, unknown> }

const board = () => loadBoard(findBoard("sim-devkit", ROOT));
const enc = new TextEncoder();

async function echo(opts: { vcd?: boolean } = {}) {
  const sim = new Simulator(board(), { trace: true, ...opts });
  await sim.load(new V8Engine(), bytes(await fixture("echo")));
  return { sim, target: new SimTarget(sim) };
}
function events(sim: Simulator): Ev[] {
  sim.flushTrace();
  return JSON.parse(sim.chrome!.toJSON()).traceEvents as Ev[];
}
/** The tid of a named thread track of process `pid`. */
function track(ev: Ev[], pid: number, name: string): number {
  const m = ev.find((e) => e.ph === "M" && e.pid === pid && e.name === "thread_name" && e.args?.name === name);
  assert.ok(m, `a track named "${name}"`);
  return m.tid;
}

test("wakes name the woken task and the cause: an IRQ line, a timer, another task, start-up", async () => {
  const { sim, target } = await echo();
  await target.writeSerial(enc.encode("ping\n"));
  assert.equal(await target.waitSerial(/pong\n/, 100_000), "pong\n");
  await target.setPin(2, 1); // BUTTON: the mirror task waits on its edge interrupt
  await target.wait(1000);
  const wakes = events(sim).filter((e) => e.name === "wake");
  const causes = (task: string) => new Set(wakes.filter((e) => e.args?.task === task).map((e) => e.args?.cause));
  assert.ok(causes("shell").has("irq UART0_RX (line 1)"), `shell: ${[...causes("shell")]}`);
  assert.ok(causes("mirror").has("irq GPIO2 (line 18)"), `mirror: ${[...causes("mirror")]}`);
  assert.ok(wakes.every((e) => e.tid === (e.args?.task === "shell" ? 1 : 2)), "each wake is on its task's track");

  // The demo: the ticker tasks wake on timers; the logger is woken by the sampler through a channel.
  const demo = new Simulator(board(), { trace: true });
  await demo.load(new V8Engine(), new Uint8Array(readFileSync(join(ROOT, "build/demo.wasm"))));
  demo.run(1_200_000);
  const dw = events(demo).filter((e) => e.name === "wake");
  const of = (task: string) => new Set(dw.filter((e) => e.args?.task === task).map((e) => e.args?.cause));
  assert.ok(of("blinky").has("timer"), `blinky: ${[...of("blinky")]}`);
  assert.ok(of("blinky").has("start"), "spawned at start-up");
  assert.ok(of("logger").has("task 2: sampler"), `logger: ${[...of("logger")]}`);
  assert.ok(!dw.some((e) => e.args?.cause === "other"), "every wake of the demo has a known cause");
});

test("firmware marks, GPIO writes and pin levels line up with the UART lines that caused them", async () => {
  const { sim, target } = await echo();
  await target.writeSerial(enc.encode("led1\n"));
  assert.equal(await target.waitSerial(/ok\n/, 100_000), "ok\n");
  const ev = events(sim);
  const rx = ev.filter((e) => e.ph === "X" && e.tid === track(ev, 2, "UART0 RX (into the firmware)"));
  const tx = ev.filter((e) => e.ph === "X" && e.tid === track(ev, 2, "UART0 TX (from the firmware)"));
  assert.deepEqual(rx.map((e) => [e.name, e.args?.text, e.args?.bytes]), [["led1", "led1\n", 5]]);
  assert.deepEqual(tx.map((e) => [e.name, e.args?.text]), [["ok", "ok\n"]]);
  const byteUs = 10e6 / 115200;
  assert.ok(Math.abs(rx[0].dur! - 5 * byteUs) < 0.01, `the RX span covers five frames: ${rx[0].dur}`);
  const rxEnd = rx[0].ts + rx[0].dur!;

  const mark = ev.find((e) => e.cat === "mark");
  assert.ok(mark, "the echo firmware's mark(\"line\")");
  assert.equal(mark.name, "line");
  assert.equal(mark.tid, track(ev, 1, "task 0: shell"), "on the polling task's track");
  assert.ok(mark.ts >= rxEnd, "after the line arrived");

  const write = ev.find((e) => e.ph === "i" && e.tid === track(ev, 2, "GPIO writes"));
  assert.ok(write, "a GPIO write");
  assert.deepEqual([write.name, write.args], ["LED=1", { pin: 0, level: 1 }]);
  assert.ok(write.ts >= mark.ts && write.ts <= tx[0].ts, "written between the mark and the reply");
  const level = ev.filter((e) => e.ph === "C" && e.name === "pin LED");
  assert.deepEqual(level.map((e) => e.args?.value), [1], "the LED's level as a counter");
});

test("UART lines: bytes after the last newline are one span at the end; dropped bytes are counted", () => {
  // No firmware reads: the 16-byte RX FIFO overflows.
  const sim = new Simulator(board(), { trace: true });
  sim.uarts.get(0)!.send(enc.encode("x".repeat(40)));
  (sim as unknown as { runTo(t: number): void }).runTo(10_000);
  const ev = events(sim);
  const rx = ev.filter((e) => e.ph === "X" && e.tid === track(ev, 2, "UART0 RX (into the firmware)"));
  assert.deepEqual(rx.map((e) => [e.name, e.args?.bytes, e.args?.dropped]), [["x".repeat(40), 40, 24]]);
  assert.equal(sim.uarts.get(0)!.overruns, 24);
});

test("scenario steps are spans with their number, kind, line and result", async () => {
  const { sim, target } = await echo();
  const sc = parseScenario([
    "name: steps",
    "steps:",
    "  - write-serial: \"ping\\n\"",
    "  - wait-serial: pong",
    "  - expect-pin: { pin: LED, level: 1 }",
  ].join("\n"), "steps.yaml");
  const r = await runScenario(sc, target, target);
  assert.equal(r.ok, false);
  const steps = events(sim).filter((e) => e.tid === 4 && e.ph === "X");
  assert.deepEqual(steps.map((e) => e.name), ["step 1: write-serial", "step 2: wait-serial", "step 3: expect-pin FAILED"]);
  assert.deepEqual(steps.map((e) => [e.args?.number, e.args?.kind, e.args?.line, e.args?.ok]), [[1, "write-serial", 3, true], [2, "wait-serial", 4, true], [3, "expect-pin", 5, false]]);
  assert.equal(steps[2].args?.error, "pin \"LED\" is 0, expected 1");
  assert.ok(steps[1].dur! > 5 * 86, "the wait lasted until the answer");
  assert.ok(steps[2].ts >= steps[1].ts + steps[1].dur! - 1e-9, "in order, never overlapping");
});

test("VCD: one 8-bit signal per UART direction; each byte shows for half a frame, equal bytes as separate pulses", async () => {
  const { sim, target } = await echo({ vcd: true });
  await target.writeSerial(enc.encode("pp\n"));
  await target.wait(5000);
  const vcd = sim.vcd!.toString(sim.now());
  const id = (name: string) => new RegExp(`^\\$var reg 8 (\\S+) ${name} \\$end$`, "m").exec(vcd)?.[1];
  const rx = id("uart0_rx"), tx = id("uart0_tx");
  assert.ok(rx && tx && id("uart1_rx") && id("uart1_tx"), "sim-devkit's two UARTs, both directions");
  const changes = (v: string) => {
    const out: [number, number][] = [];
    let t = 0;
    for (const line of vcd.split("\n").slice(vcd.split("\n").indexOf("$end") + 1)) {
      if (line.startsWith("#")) t = Number(line.slice(1));
      else if (line.endsWith(` ${v}`)) out.push([t, parseInt(line.slice(1), 2)]);
    }
    return out;
  };
  const got = changes(rx!);
  assert.deepEqual(got.map(([, b]) => b), [0x70, 0, 0x70, 0, 0x0a, 0], `RX pulses: ${JSON.stringify(got)}`);
  const t0 = got[0][0];
  const half = 10e6 / 115200 / 2;
  got.forEach(([t], i) => assert.ok(Math.abs(t - t0 - i * half) <= 1, `change ${i} at +${t - t0} µs: each frame's end (86.8 µs apart), back to 0 half a frame later`));
  // The echo firmware echoes a line it does not know: the same bytes on TX, after the line arrived.
  const out = changes(tx!);
  assert.deepEqual(out.map(([, b]) => b), [0x70, 0, 0x70, 0, 0x0a, 0], `TX pulses: ${JSON.stringify(out)}`);
  assert.ok(out[0][0] > got[got.length - 1][0], "the echo follows the line");
});

test("a mark with a bad pointer or a huge length is named so, never read past 128 bytes", async () => {
  const { sim } = await echo();
  const trace = sim.imports().trace;
  trace(TRACE.MARK, 0x7ffffff0, 8);
  trace(TRACE.MARK, 0, 1 << 30);
  const marks = events(sim).filter((e) => e.cat === "mark");
  assert.equal(marks[0].name, "<bad mark pointer 2147483632+8>");
  assert.equal(marks[1].name.length, 64, "128 bytes of UTF-16 at most");
});
