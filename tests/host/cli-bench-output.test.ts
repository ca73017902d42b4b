// Where the bench writes, and what the AOT row and the instruction counts put there.
// `npm run bench` must not dirty a user's work tree: a full run writes its
// results under build/bench/; only `--save` updates the committed
// bench/results.json and bench/results.md. (Decided by resultPaths, which the
// runner uses for every write; a full run itself takes minutes, so it is not run here.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { parseOpts, resultPaths } from "../../bench/run.js";
import { instructionRefs } from "../../bench/instructions.js";

const HAS_WASM2C = spawnSync("wasm2c", ["--version"]).status === 0;
const HAS_VALGRIND = spawnSync("valgrind", ["--version"]).status === 0;

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

test("cachegrind's instruction total is read from its summary line, and a missing one is no figure", () => {
  assert.equal(instructionRefs("==22721== \n==22721== I   refs:      4,973,131\n"), 4973131);
  assert.equal(instructionRefs("==1== I refs: 12\n"), 12);
  assert.equal(instructionRefs("valgrind: failed to start tool 'cachegrind'\n"), null);
});

// After the partial run above (same file, so in order), which built the C floor, the AOT harness and build/bench/coop.wasm.
// Instruction counts are all but deterministic: the same figure twice within 1% (start-up varies by a few
// instructions with the address-space layout, and does not quite cancel), where wall-clock times differ by 2x.
test("bench:instructions counts the C floor, the AOT harness and coop on V8 per op, the same on every run",
  { skip: !HAS_WASM2C ? "wasm2c not installed: apt-get install wabt" : !HAS_VALGRIND ? "valgrind not installed: apt-get install valgrind" : false, timeout: 300_000 }, () => {
    const run = () => {
      const r = spawnSync(process.execPath, ["build/js/bench/instructions.js", "--n", "2000", "--workloads", "pingpong,channel"], { encoding: "utf8", timeout: 300_000 });
      assert.equal(r.status, 0, r.stderr + r.stdout);
      assert.match(r.stdout, /\| workload \| C bitmask floor \(-O2\) \| coop on V8 \(TurboFan\) \| coop AOT \(wasm2c, gcc -O2\) \| coop on wasm3 \| Embassy \(Rust, host\) \| V8 × Embassy \|/);
      return JSON.parse(readFileSync("build/bench/instructions.json", "utf8")).rows as { workload: string; impl: string; instructions_per_op: number | null }[];
    };
    const a = run(), b = run();
    // coop on V8 runs its own (long) length whatever --n is, under --predictable, which keeps V8's time-driven GC
    // work out (without it two runs differed by 6% on a loaded machine); a count under the hand-written C floor's
    // means start-up work leaked into the difference.
    for (const w of ["pingpong", "channel"]) {
      const floor = a.find((r) => r.impl === "c-floor" && r.workload === w)?.instructions_per_op ?? 0;
      const v = a.find((r) => r.impl === "coop-v8" && r.workload === w)?.instructions_per_op;
      const v2 = b.find((r) => r.impl === "coop-v8" && r.workload === w)?.instructions_per_op;
      assert.ok(typeof v === "number" && v > floor, `coop-v8 ${w}: ${v} instructions per op, C floor ${floor} (${JSON.stringify(a)})`);
      assert.ok(typeof v2 === "number" && Math.abs(v2 - v) <= 0.02 * v, `coop-v8 ${w}: ${v} then ${v2} instructions per op`);
    }
    for (const impl of ["c-floor", "coop-aot"]) {
      for (const w of ["pingpong", "channel"]) {
        const x = a.find((r) => r.impl === impl && r.workload === w)?.instructions_per_op;
        assert.ok(typeof x === "number" && x > 0, `${impl} ${w}: not counted (${JSON.stringify(a)})`);
        const y = b.find((r) => r.impl === impl && r.workload === w)?.instructions_per_op;
        assert.ok(typeof y === "number" && Math.abs(y - x) <= 0.01 * x, `${impl} ${w}: ${x} then ${y} instructions per op`);
      }
    }
  });
