// `npm run bench` must not dirty a user's work tree: a full run writes its
// results under build/bench/; only `--save` updates the committed
// bench/results.json and bench/results.md. (Decided by resultPaths, which the
// runner uses for every write; a full run itself takes minutes, so it is not run here.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { parseOpts, resultPaths } from "../../bench/run.js";

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
