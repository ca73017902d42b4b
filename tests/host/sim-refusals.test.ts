// A full task table or timer pool refuses inside the firmware (spawn returns
// SPAWN_FULL, a timer cannot be armed) and the firmware may not look: the
// simulator says so at the end of the run, on stderr and in --json, on both
// engines, from coop_stat's counters.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { CLI, ROOT } from "./fixtures/build.js";

const dir = mkdtempSync(join(tmpdir(), "coop-refusals-"));
const core = relative(dir, join(ROOT, "assembly")).split("\\").join("/");
const SPAWNED = 40;

function run(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: "utf8", timeout: 120_000 });
}

type Summary = { spawnFailures: number; timerOverflows: number };

test("spawns into a full task table and timers past the pool are reported, not passed in silence", () => {
  // Every task holds two timers at once: the pool (one per slot) runs out while the table fills and overflows.
  writeFileSync(join(dir, "crowd.ts"), `export * from "${core}/coop/abi";
import { spawn, Sleep, Join2, millis } from "${core}/coop";
async function pair(): Promise<void> {
  const j = new Join2<Sleep, Sleep>(new Sleep(millis(5)), new Sleep(millis(7)));
  await j;
}
for (let i = 0; i < ${SPAWNED}; i++) spawn(pair());
`);
  const b = run(["build", "crowd.ts"]);
  assert.equal(b.status, 0, b.stderr);
  for (const engine of ["v8", "wasm3"]) {
    const r = run(["run", "crowd.wasm", "--until", "50ms", "--quiet", "--engine", engine]);
    if (engine === "wasm3" && /build:wasm3-engine/.test(r.stderr)) continue; // engine not built: covered by its own tests
    assert.equal(r.status, 0, r.stderr);
    const m = /^coop: warning: (\d+) spawn\(s\) failed: the task table \((\d+) slots\) was full/m.exec(r.stderr);
    assert.ok(m, `${engine}: ${r.stderr}`);
    assert.equal(Number(m[1]), SPAWNED - Number(m[2]), `${engine}: every spawn past the table's slots is counted`);
    assert.match(r.stderr, /^coop: warning: \d+ timer\(s\) could not be armed: the timer pool was full/m, engine);
    const j = JSON.parse(run(["run", "crowd.wasm", "--until", "50ms", "--json", "--engine", engine]).stdout) as { summary: Summary };
    assert.equal(j.summary.spawnFailures, Number(m[1]), engine);
    assert.ok(j.summary.timerOverflows > 0, `${engine}: ${j.summary.timerOverflows}`);
  }
  // The demo fits its table and pool: no warning, zeros in --json.
  const demo = spawnSync(process.execPath, [CLI, "run", "build/demo.wasm", "--script", "tests/hil/ping.yaml", "--json"], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  assert.equal(demo.status, 0, demo.stderr);
  assert.doesNotMatch(demo.stderr, /warning/);
  const s = (JSON.parse(demo.stdout) as { summary: Summary }).summary;
  assert.deepEqual([s.spawnFailures, s.timerOverflows], [0, 0]);
});
