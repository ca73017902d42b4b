// The demo written as async functions (assembly/examples/demo.ts) against the
// same demo written as hand-written Future classes
// (tests/host/fixtures/as/demo_handwritten.ts): under every HIL scenario that
// runs on the simulator, the UART output, the VCD of the pins and each task's
// polls and wakes must be the same. The lowering may change code size and
// the cost model's busy times, not behaviour: the simulator charges each poll
// for its work units (function entries, loop iterations), which differ between
// the two forms and move events by a microsecond or two, so the comparison
// runs on sim-devkit with work units made free (a poll still costs poll_ns).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, mkdtempSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fixture, CLI, ROOT } from "./fixtures/build.js";

const dir = mkdtempSync(join(tmpdir(), "coop-async-demo-"));
const devkit = JSON.parse(readFileSync(join(ROOT, "boards/sim-devkit.json"), "utf8")) as { cost: { unit_ns: number } };
devkit.cost.unit_ns = 0;
const board = join(dir, "devkit-free-units.json");
writeFileSync(board, JSON.stringify(devkit));

interface Run { serial: string; vcd: string; tasks: string; exitCode: number }

function run(fw: string, scenario: string, tag: string): Run {
  const vcd = join(dir, `${tag}.vcd`);
  const r = spawnSync(process.execPath, [CLI, "run", fw, "--board", board, "--script", scenario, "--json", "--vcd", vcd], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  assert.ok(r.stdout, `no output from ${fw} under ${scenario}: ${r.stderr}`);
  const j = JSON.parse(r.stdout) as { exitCode: number; serial: unknown; tasks: { slot: number; name: string; polls: number; wakes: number }[] };
  return {
    exitCode: j.exitCode,
    serial: JSON.stringify(j.serial),
    vcd: readFileSync(vcd, "utf8"),
    tasks: JSON.stringify(j.tasks.map((t) => [t.slot, t.name, t.polls, t.wakes])),
  };
}

const scenarios = [
  ...readdirSync(join(ROOT, "tests/hil")).filter((f) => f.endsWith(".yaml")).map((f) => join(ROOT, "tests/hil", f)),
  ...readdirSync(join(ROOT, "tests/hil/sim")).filter((f) => f.endsWith(".yaml")).map((f) => join(ROOT, "tests/hil/sim", f)),
];

test("the async demo behaves like the hand-written demo under every simulator scenario", async () => {
  const asyncDemo = join(ROOT, "build/demo.wasm");
  assert.ok(existsSync(asyncDemo), "build/demo.wasm (npm run build)");
  const hand = await fixture("demo_handwritten");
  assert.ok(scenarios.length >= 8, `scenarios found: ${scenarios.length}`);
  for (const s of scenarios) {
    const name = s.slice(ROOT.length + 1);
    const a = run(asyncDemo, s, "async");
    const h = run(hand, s, "hand");
    assert.equal(a.exitCode, h.exitCode, `${name}: exit code`);
    assert.equal(a.serial, h.serial, `${name}: UART output`);
    assert.equal(a.vcd, h.vcd, `${name}: VCD`);
    assert.equal(a.tasks, h.tasks, `${name}: per-task polls and wakes`);
  }
});

test("a debug build says where each async task waits (metrics, --json) and which await a trapping task last passed", () => {
  const src = readFileSync(join(ROOT, "assembly/examples/demo.ts"), "utf8").split("\n");
  const lineOf = (text: string, after: string) => {
    const from = src.findIndex((l) => l.includes(after));
    const i = src.findIndex((l, k) => k > from && l.includes(text));
    assert.ok(from >= 0 && i > from, `${text} after ${after} in demo.ts`);
    return i + 1;
  };
  const runJson = (fw: string) => {
    const r = spawnSync(process.execPath, [CLI, "run", join(ROOT, fw), "--until", "1s", "--json"], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    return (JSON.parse(r.stdout) as { tasks: { name: string; waitingAt?: string }[] }).tasks;
  };
  const debug = runJson("build/demo.debug.wasm");
  assert.equal(debug.find((t) => t.name === "blinky")?.waitingAt, `demo.ts:${lineOf("await tick;", "async function blinky")}`);
  assert.equal(debug.find((t) => t.name === "shell")?.waitingAt, `demo.ts:${lineOf("await rl;", "async function shell")}`);
  assert.equal(debug.find((t) => t.name === "uart0-rx")?.waitingAt, undefined); // a hand-written driver future
  assert.ok(runJson("build/demo.wasm").every((t) => t.waitingAt === undefined), "release builds leave the sites out");

  const core = relative(dir, join(ROOT, "assembly", "coop")).split("\\").join("/");
  writeFileSync(join(dir, "trapper.ts"), `export * from "${core}/abi";
import { spawn, Sleep, millis } from "${core}";
async function trapper(): Promise<void> {
  const nap = new Sleep(millis(5));
  await nap;
  unreachable();
}
spawn(trapper());
`);
  const b = spawnSync(process.execPath, [CLI, "build", "trapper.ts", "--debug", "-o", "trapper.wasm"], { cwd: dir, encoding: "utf8", timeout: 120_000 });
  assert.equal(b.status, 0, b.stderr);
  const r = spawnSync(process.execPath, [CLI, "run", "trapper.wasm", "--until", "1s", "--quiet"], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 4, r.stderr);
  assert.match(r.stderr, /^coop: firmware trap in task "trapper" \(slot 0\) at t=0\.005\d* s: RuntimeError: unreachable at trapper\.ts:6:3 \(trapper\/trapper\$Future#poll, called from coop_step\) \(after its await at trapper\.ts:5\)$/m);
});
