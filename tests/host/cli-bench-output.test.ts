// `npm run bench` must not dirty a user's work tree: a full run writes its
// results under build/bench/; only `--save` updates the committed
// bench/results.json and bench/results.md. (Decided by resultPaths, which the
// runner uses for every write; a full run itself takes minutes, so it is not run here.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { parseOpts, resultPaths } from "../../bench/run.js";

const HAS_WASM2C = spawnSync("wasm2c", ["--version"]).status === 0;

test("a full bench run writes build/bench/, --save the committed bench/results.*", () => {
  assert.deepEqual(resultPaths(parseOpts([])), { json: "build/bench/results.json", md: "build/bench/results.md" });
  assert.deepEqual(resultPaths(parseOpts(["--reps", "3"])), { json: "build/bench/results.json", md: "build/bench/results.md" });
  assert.deepEqual(resultPaths(parseOpts(["--save"])), { json: "bench/results.json", md: "bench/results.md" });
  assert.deepEqual(resultPaths(parseOpts(["--smoke"])), { json: "build/bench/results-smoke.json", md: null });
  assert.deepEqual(resultPaths(parseOpts(["--only", "c-floor"])), { json: "build/bench/results-partial.json", md: null });
});

test("--save with --smoke or --only is refused in one line, exit 2", () => {
  for (const args of [["--save", "--smoke"], ["--only", "c-floor", "--save"]]) {
    const r = spawnSync(process.execPath, ["build/js/bench/run.js", ...args], { encoding: "utf8" });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /^bench: --save .* needs a full run/);
  }
});

// A partial run at full sizes: the AOT row lands in build/bench/results-partial.json with its ratio to
// the C floor of the same run, and the committed results are left alone. (No figure is asserted.)
test("a partial run with the AOT row writes it to results-partial.json only, with its ratio to the C floor",
  { skip: HAS_WASM2C ? false : "wasm2c not installed: apt-get install wabt", timeout: 600_000 }, () => {
    const before = statSync("bench/results.json").mtimeMs;
    const r = spawnSync(process.execPath, ["build/js/bench/run.js", "--only", "c-floor,coop-aot", "--reps", "1"], { encoding: "utf8", timeout: 600_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /bench: wrote build\/bench\/results-partial\.json\n/);
    const res = JSON.parse(readFileSync("build/bench/results-partial.json", "utf8"));
    const aot = res.rows.filter((x: { impl: string }) => x.impl === "coop-aot");
    assert.equal(aot.length, 4, JSON.stringify(res));
    for (const row of aot) {
      assert.equal(row.n, row.workload === "timers" ? 320_000 : 1_000_000, `${row.workload}: the AOT row runs the full size (scale 1)`);
      assert.ok(row.ratio_vs_c > 0, `${row.workload}: no ratio to the C floor`);
    }
    assert.equal(statSync("bench/results.json").mtimeMs, before, "a partial run touched bench/results.json");
  });
