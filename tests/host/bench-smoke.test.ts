// The bench never rots: `npm run bench -- --smoke` (small sizes) must build
// and run every implementation whose toolchain is present, with every run's
// checksum matching the value the runner computes independently.
// Figures are not asserted: speed is reported by the full run, not tested.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const WORKLOADS = ["pingpong", "fanout", "timers", "channel"];
// The AOT row needs wabt's wasm2c; without it the row must be a visible skip, here and in the bench.
const HAS_WASM2C = spawnSync("wasm2c", ["--version"]).status === 0;

interface SmokeRow { impl: string; workload: string; ns_per_op: number; ratio_vs_c: number | null }
interface Smoke { mode: string; failures: string[]; rows: SmokeRow[]; skipped: { impl: string; reason: string; install: string }[] }
let smoke: { res: Smoke; stdout: string } | null = null;

test("bench --smoke runs every available implementation on every workload", { timeout: 900_000 }, () => {
  const r = spawnSync(process.execPath, ["build/js/bench/run.js", "--smoke"], { encoding: "utf8", timeout: 900_000 });
  // The results are written before a failed run exits: read them first, so the tests below can say which row is missing.
  const res: Smoke = JSON.parse(readFileSync("build/bench/results-smoke.json", "utf8"));
  smoke = { res, stdout: r.stdout };
  assert.equal(r.status, 0, `bench --smoke failed:\n${r.stderr}`);
  assert.equal(res.mode, "smoke");
  assert.deepEqual(res.failures, []);
  const ran = new Set<string>(res.rows.map((x: { impl: string }) => x.impl));
  // coop on V8 needs only what `npm ci` installs, so it must always run.
  assert.ok(ran.has("coop-v8"), "coop on V8 did not run");
  for (const impl of ran) {
    const ws = res.rows.filter((x: { impl: string }) => x.impl === impl).map((x: { workload: string }) => x.workload);
    assert.deepEqual(ws.sort(), [...WORKLOADS].sort(), `${impl} ran ${ws.join(",")}`);
  }
  for (const row of res.rows) assert.ok(row.ns_per_op > 0, `${row.impl} ${row.workload}: no time measured`);
  // Skipped implementations are named with an install command, never dropped silently.
  for (const s of res.skipped) assert.ok(s.install && s.reason, JSON.stringify(s));
  assert.equal(ran.size + res.skipped.length, 9);
  assert.match(r.stdout, /\| workload \| implementation \| ns\/op/);
  assert.match(r.stdout, /executor bytes per task slot/);
});

// Runs after the smoke run above (node:test runs a file's tests in order) and reads what it left.
test("the coop AOT row (wasm2c, gcc -O2) runs all four workloads, checksums checked, next to the C floor",
  { skip: HAS_WASM2C ? false : "wasm2c not installed: apt-get install wabt" }, () => {
    assert.ok(smoke, "the smoke run did not complete (see the test above)");
    const { res, stdout } = smoke;
    const aot = res.rows.filter((x) => x.impl === "coop-aot");
    // A wrong checksum would be a failure and no row (run.ts compares it with expected()).
    assert.deepEqual(aot.map((x) => x.workload).sort(), [...WORKLOADS].sort(), `AOT rows: ${JSON.stringify(aot)}; skipped: ${JSON.stringify(res.skipped)}`);
    const floor = res.rows.some((x) => x.impl === "c-floor");
    for (const row of aot) {
      assert.ok(row.ns_per_op > 0, `${row.workload}: no time measured`);
      if (floor) assert.ok(row.ratio_vs_c !== null && row.ratio_vs_c > 0, `${row.workload}: no ratio to the C floor`);
    }
    for (const w of WORKLOADS) assert.match(stdout, new RegExp(`\\| ${w} \\| coop AOT \\(wasm2c, gcc -O2\\) \\| [0-9.]+ \\|`));
  });

test("without wasm2c the AOT row is skipped with the install command, never dropped", { timeout: 300_000 }, () => {
  // A PATH whose wasm2c fails as a missing one would, ahead of the real one (if any).
  const dir = mkdtempSync(join(tmpdir(), "no-wasm2c-"));
  writeFileSync(join(dir, "wasm2c"), "#!/bin/sh\nexit 127\n", { mode: 0o755 });
  const r = spawnSync(process.execPath, ["build/js/bench/run.js", "--smoke", "--only", "coop-aot"],
    { encoding: "utf8", timeout: 300_000, env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
  rmSync(dir, { recursive: true, force: true });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /bench: SKIPPED coop AOT \(wasm2c, gcc -O2\): wasm2c: not installed \(install: apt-get install gcc wabt\)/);
  assert.match(r.stdout, /\| all \| coop-aot: SKIPPED \(wasm2c: not installed; install: apt-get install gcc wabt\)/);
});

test("bench rejects a bad option with one line and exit status 2", () => {
  const r = spawnSync(process.execPath, ["build/js/bench/run.js", "--reps", "many"], { encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split("\n").length, 1);
  assert.match(r.stderr, /--reps/);
});

test("an implementation rejects an unknown workload with one line, no stack trace", () => {
  const r = spawnSync(process.execPath, ["build/js/bench/impls/coop_v8.js", "nope", "10", "4", "1", "1"], { encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split("\n").length, 1);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
});
