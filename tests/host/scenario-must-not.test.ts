// Scenarios that can say "must not" (issue 13): no-serial, pin toggle-count
// and period checks, the refused set-pin before time passes, every problem
// of a scenario at once, a --script run that does not cut its last line,
// coop hil when a named target ran nothing, metrics per task name.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseScenario, runScenario, checkScenario, judgePin, ScenarioError, type Step } from "../../host/scenario.js";
import { Simulator } from "../../host/sim/simulator.js";
import { SimTarget } from "../../host/sim/target.js";
import { loadBoard, findBoard } from "../../host/board-file.js";
import { V8Engine } from "../../host/engines/v8.js";
import { StreamTarget } from "../../host/hil/stream.js";
import { runTarget } from "../../host/hil/runner.js";
import { hilMain } from "../../host/hil/main.js";
import { createTarget } from "../../host/hil/targets/index.js";
import { fixture, bytes, ROOT, CLI } from "./fixtures/build.js";

const DEMO = join(ROOT, "build", "demo.wasm");
const TMP = mkdtempSync(join(tmpdir(), "coop-mustnot-"));
const file = (name: string, text: string) => {
  const p = join(TMP, name);
  mkdirSync(join(p, ".."), { recursive: true });
  writeFileSync(p, text);
  return p;
};
const coop = (args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

async function demoTarget(): Promise<SimTarget> {
  const sim = new Simulator(loadBoard(findBoard("sim-devkit", ROOT)));
  await sim.load(new V8Engine(), bytes(DEMO));
  return new SimTarget(sim);
}
const run = async (src: string) => runScenario(parseScenario(src, "s.yaml"), await demoTarget());

test("no-serial fails at the first forbidden output with its whole line and its time; output before the window does not count", async () => {
  const bad = await run('name: n\nsteps:\n  - wait: 10ms\n  - write-serial: "bogus\\n"\n  - no-serial: "error"\n    for: 500ms\n');
  assert.equal(bad.ok, false);
  const m = /^serial output matched \/error\/ at t=(\d+\.\d+) s \(must not within 500 ms\): "error: unknown command 'bogus' \(try help\)"$/.exec(bad.failure!.message);
  assert.ok(m, bad.failure!.message);
  // Seen when it was printed (about 1 ms after the write), not when the window closed.
  assert.ok(Number(m[1]) > 0.01 && Number(m[1]) < 0.02, m[1]);
  assert.ok(bad.timeUs < 100_000, `the step ends at the match, t=${bad.timeUs}`);
  // The same error printed before the window opens is not a sighting; the cursor is left alone.
  const ok = await run('name: n\nsteps:\n  - wait: 10ms\n  - write-serial: "bogus\\n"\n  - wait-serial: "error"\n  - no-serial: "error"\n    for: 200ms\n  - write-serial: "ping\\n"\n  - no-serial: "nothing"\n    for: 50ms\n  - wait-serial: "pong"\n');
  assert.equal(ok.ok, true, ok.failure?.message);
  assert.ok(ok.timeUs >= 260_000, `both windows ran to their end: t=${ok.timeUs}`);
});

test("no-serial on a real-time stream target: the line around the match, null when the window closes clean", async () => {
  const t = new StreamTarget({ name: "s", supports: new Set(["no-serial"]), io: { write: async () => {} } });
  t.push(new TextEncoder().encode("error from before\nan "));
  const p = t.watchSerial(/error/, 2_000_000);
  setTimeout(() => t.push(new TextEncoder().encode("ok\nan error")), 10);
  setTimeout(() => t.push(new TextEncoder().encode(" here\nlater\n")), 30);
  const seen = await p;
  assert.equal(seen?.line, "an error here");
  assert.equal(await t.watchSerial(/error/, 30_000), null);
});

test("expect-toggles and expect-period on the simulator's pin history (demo LED: toggles every 500 ms)", async () => {
  const ok = await run('name: n\nsteps:\n  - wait: 10ms\n  - expect-toggles: { pin: LED, count: 4, within: 2s }\n  - expect-toggles: { pin: LED, count: "1..2", within: 1s }\n  - expect-period: { pin: LED, period: 1s, tolerance: 1% }\n');
  assert.equal(ok.ok, true, ok.failure?.message);
  const count = await run("name: n\nsteps:\n  - expect-toggles: { pin: LED, count: 10, within: 1s }\n");
  assert.equal(count.failure?.message, 'pin "LED" toggled 1 time(s) within 1000 ms, expected 10 (at t=0.500000 s)');
  const period = await run("name: n\nsteps:\n  - expect-period: { pin: LED, period: 400ms, tolerance: 5%, within: 2500ms }\n");
  assert.match(period.failure!.message, /^pin "LED" period 1000 ms \(rising edges at t=0\.500000 s and t=1\.500000 s\), expected 400 ms ± 20 ms$/);
  const none = await run("name: n\nsteps:\n  - expect-period: { pin: LED, period: 100ms }\n");
  assert.match(none.failure!.message, /^pin "LED" had 0 rising edge\(s\) within 303 ms: no whole period to measure, expected 100 ms ± 1 ms$/);
});

test("judgePin: one period out of tolerance among good ones is named with its edges", () => {
  const sc = parseScenario("name: p\nsteps:\n  - expect-period: { pin: 3, period: 100ms, tolerance: 2ms }\n");
  const s = sc.steps[0] as Step & { kind: "expect-period" };
  const rising = (ts: number[]) => ({ changes: ts.flatMap((t) => [{ tUs: t, level: 1 as const }, { tUs: t + 50_000, level: 0 as const }]) });
  assert.equal(judgePin(s, rising([0, 100_000, 201_500, 301_000])), null);
  assert.equal(judgePin(s, rising([0, 100_000, 203_000])), "pin 3 period 103 ms (rising edges at t=0.100000 s and t=0.203000 s), expected 100 ms ± 2 ms");
});

test("pin watches are unsupported where a pin cannot be watched: the scenario is skipped on native, and a named target that ran nothing exits 2", async (t) => {
  const suite = join(TMP, "pins");
  file("pins/toggles.yaml", "name: toggles\nsteps:\n  - expect-toggles: { pin: LED, count: 1, within: 1s }\n");
  const target = await createTarget("native");
  const ctx = { root: ROOT, firmware: DEMO, board: "sim-devkit", seed: 1, slack: 1 };
  const avail = await target.available(ctx);
  if (!avail.ok) t.diagnostic(`native part not checked: ${avail.reason} (${avail.install})`);
  else {
    const lines: string[] = [];
    const r = await runTarget(target, { ctx, suite, print: (l) => lines.push(l) });
    assert.deepEqual(r.cases.map((c) => c.status), ["skip"]);
    assert.match(lines.join("\n"), /SKIP toggles\.yaml \(toggles\): toggles\.yaml:3: target native does not support expect-toggles/);
    const errs: string[] = [];
    const code = await hilMain(["--target", "native", "--suite", suite], () => {}, (l) => errs.push(l));
    assert.equal(code, 2);
    assert.deepEqual(errs, ["coop hil: target native ran no scenario: all 1 scenario(s) were skipped (steps it cannot do: see the SKIP lines)"]);
  }
  // The simulator can watch pins: the same suite passes there.
  assert.equal(await hilMain(["--target", "sim", "--suite", suite], () => {}, () => {}), 0);
  const empty = join(TMP, "empty");
  mkdirSync(empty);
  const errs: string[] = [];
  assert.equal(await hilMain(["--target", "sim", "--suite", empty], () => {}, (l) => errs.push(l)), 2);
  assert.match(errs.join("\n"), /^coop hil: target sim ran no scenario: the suite .*empty has none for it$/);
});

test("set-pin before any time has passed is refused with the fix; after a wait the edge reaches the firmware", async () => {
  const t = await demoTarget();
  const early = parseScenario("name: b\nsteps:\n  - write-serial: \"x\"\n  - set-pin: { pin: BUTTON, level: 1 }\n", "b.yaml");
  assert.deepEqual(checkScenario(early, t), ["b.yaml:4: set-pin before any step that lets time pass: the firmware has not armed its edge interrupts yet, so the edge would be lost; add `- wait: 1ms` before it"]);
  // The simulator also refuses it at run time if no step ran yet (a wait-serial matched start-up output).
  await assert.rejects(t.setPin(2, 1), /^Error: set-pin before the firmware's first poll: .*add `- wait: 1ms` before it$/);
  const r = await run('name: b\nsteps:\n  - wait: 1ms\n  - set-pin: { pin: BUTTON, level: 1 }\n  - wait-serial: "button 1\\n"\n    timeout: 50ms\n');
  assert.equal(r.ok, true, r.failure?.message);
});

test("every problem of a scenario at once, in file order: parse problems and target checks together (coop run, coop hil)", async () => {
  const src = "name: many\nsteps:\n  - set-pin: { pin: BUTTON, level: 1 }\n  - wait: soon\n  - expect-pin: { pin: NOPE, level: 1 }\n  - no-serial: \"x\"\n  - jump: 3\noops: 1\n";
  assert.throws(() => parseScenario(src, "m.yaml"), (e: Error) => e instanceof ScenarioError && e.partial !== null && e.problems.map((p) => p.split(":")[1]).join() === "4,6,7,8");
  const r = coop(["run", DEMO, "--script", file("m.yaml", src)]);
  assert.equal(r.code, 2);
  const lines = r.err.trimEnd().split("\n").map((l) => l.replace(/^coop: .*m\.yaml:/, ""));
  assert.deepEqual(lines, [
    "3: set-pin before any step that lets time pass: the firmware has not armed its edge interrupts yet, so the edge would be lost; add `- wait: 1ms` before it",
    '4: wait: "soon" is not a duration (e.g. 100ms)',
    '5: unknown pin "NOPE"',
    "6: no-serial: missing `for` (how long the text must not appear, e.g. for: 500ms)",
    "7: unknown step (keys: jump); expected one of write-serial, wait-serial, set-pin, expect-pin, set-adc, wait, no-serial, expect-toggles, expect-period",
    "8: unknown top-level key `oops` (expected name, description, steps)",
  ]);
  const suite = join(TMP, "many");
  file("many/m.yaml", src);
  const out: string[] = [];
  assert.equal(await hilMain(["--target", "sim", "--suite", suite], (l) => out.push(l), () => {}), 1);
  const text = out.join("\n");
  assert.match(text, /FAIL m\.yaml \(many\): m\.yaml:3: set-pin before/);
  assert.match(text, /\n {7}m\.yaml:5: unknown pin "NOPE"\n {7}m\.yaml:6: no-serial: missing/);
});

test("coop run --script runs on to the end of the UART0 line the scenario ended in, and marks a line that never ends", async () => {
  // wait-serial matches "pong" before its newline is sent.
  const sc = file("pong.yaml", 'name: p\nsteps:\n  - write-serial: "ping\\n"\n  - wait-serial: "pong"\n');
  const j = JSON.parse(coop(["run", DEMO, "--script", sc, "--json"]).out);
  assert.match(j.serial, /pong\n$/);
  assert.equal(j.scenario.lineUnfinished, false);
  const text = coop(["run", DEMO, "--script", sc]);
  assert.match(text.out, /\npong\n\n--- sim-devkit/);
  // The respawn fixture ends with "tail" and no newline, ever.
  const fw = await fixture("respawn");
  const w = file("w.yaml", "name: w\nsteps:\n  - wait: 100ms\n");
  const r = coop(["run", fw, "--script", w]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^tail\n\n--- sim-devkit/);
  assert.match(r.err, /^coop: UART0's last line is unfinished: no newline within 100 ms after the scenario ended \(stdout got a newline after it\)$/m);
  assert.equal(JSON.parse(coop(["run", fw, "--script", w, "--json"]).out).scenario.lineUnfinished, true);
});

test("metrics: one row per task name with its spawn count, in the table and in --json", async () => {
  const fw = await fixture("respawn");
  const j = JSON.parse(coop(["run", fw, "--until", "200ms", "--json"]).out);
  const rows = j.tasks.map((t: { name: string; spawns: number; slots: number[]; polls: number; completed: boolean }) => [t.name, t.spawns, t.slots.join(), t.polls, t.completed]);
  // Each worker is polled twice (arm its sleep, then finish).
  assert.deepEqual(rows, [["boss", 1, "0", 5, true], ["worker", 3, "1", 6, true]]);
  const text = coop(["run", fw, "--until", "200ms"]).out;
  const table = text.slice(text.indexOf("slot"));
  assert.match(table, /^slot +task +spawns +polls/);
  assert.equal(table.match(/worker/g)?.length, 1, table);
  assert.match(table, /\n +1 +worker +3 +6 /);
});
