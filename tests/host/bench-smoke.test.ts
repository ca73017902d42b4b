// The bench never rots: `npm run bench -- --smoke` (small sizes) must build
// and run every implementation whose toolchain is present, with every run's
// checksum matching the value the runner computes independently.
// Figures are not asserted: speed is reported by the full run, not tested.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const WORKLOADS = ["pingpong", "fanout", "timers", "channel"];

test("bench --smoke runs every available implementation on every workload", { timeout: 900_000 }, () => {
  const r = spawnSync(process.execPath, ["build/js/bench/run.js", "--smoke"], { encoding: "utf8", timeout: 900_000 });
  assert.equal(r.status, 0, `bench --smoke failed:\n${r.stderr}`);
  const res = JSON.parse(readFileSync("build/bench/results-smoke.json", "utf8"));
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
  assert.equal(ran.size + res.skipped.length, 8);
  assert.match(r.stdout, /\| workload \| implementation \| ns\/op/);
  assert.match(r.stdout, /executor bytes per task slot/);
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
