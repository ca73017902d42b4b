// The demo written as async functions (assembly/examples/demo.ts) against the
// same demo written as hand-written Future classes
// (tests/host/fixtures/as/demo_handwritten.ts): under every HIL scenario that
// runs on the simulator, the UART output, the VCD of the pins and each task's
// polls and wakes must be the same. The lowering may change code size and
// the cost model's busy times, not behaviour.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture, CLI, ROOT } from "./fixtures/build.js";

const dir = mkdtempSync(join(tmpdir(), "coop-async-demo-"));

interface Run { serial: string; vcd: string; tasks: string; exitCode: number }

function run(fw: string, scenario: string, tag: string): Run {
  const vcd = join(dir, `${tag}.vcd`);
  const r = spawnSync(process.execPath, [CLI, "run", fw, "--script", scenario, "--json", "--vcd", vcd], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
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
