// wait-serial regexes run on V8's linear-time engine: a pattern that
// backtracks exponentially on V8's default engine (`(a+)+b`) answers in
// time linear in the text, patterns that need backtracking are refused at
// load with the step's line, and every shipped HIL scenario still loads.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileSerialPattern, parseScenario, ScenarioError } from "../../host/scenario.js";
import { fixture, CLI, ROOT } from "./fixtures/build.js";

const dir = mkdtempSync(join(tmpdir(), "coop-regex-"));

test("(a+)+b against a run of a's: no match, in linear time", () => {
  const re = compileSerialPattern("(a+)+b");
  assert.ok(re.flags.includes("l"), "compiled for the linear-time engine");
  for (const n of [26, 1000, 65536]) {
    const t0 = performance.now();
    assert.equal(re.exec("a".repeat(n) + "c"), null);
    // V8's backtracking engine needs over a minute at n = 26; linear is milliseconds.
    assert.ok(performance.now() - t0 < 2000, `n=${n}: ${performance.now() - t0} ms`);
  }
  assert.deepEqual(compileSerialPattern("(a+)+b").exec("xaab")?.[0], "aab", "still a regex");
});

test("patterns that need backtracking are refused at load (exit 2), naming the line", () => {
  for (const [src, what] of [["(a)\\\\1", "backreference"], ["(?=a)a", "lookahead"], ["(?<!x)y", "lookbehind"]]) {
    assert.throws(() => parseScenario(`name: x\nsteps:\n  - wait-serial: "${src}"\n`, "r.yaml"),
      (e: Error) => e instanceof ScenarioError && /^r\.yaml:3: wait-serial: regex .* cannot be matched in linear time: backreferences, lookahead and lookbehind are not supported/.test(e.message), what);
  }
  const p = join(dir, "backref.yaml");
  writeFileSync(p, 'name: x\nsteps:\n  - wait-serial: "(p)\\\\1ong"\n');
  const r = spawnSync(process.execPath, [CLI, "run", join(ROOT, "build/demo.wasm"), "--script", p], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr.trimEnd(), /^coop: .*backref\.yaml:3: wait-serial: regex "\(p\)\\\\1ong" cannot be matched in linear time/);
});

test("a catastrophic pattern in a running scenario times out in simulated time, not wall minutes", async () => {
  const echo = await fixture("echo");
  const p = join(dir, "redos.yaml");
  writeFileSync(p, `name: redos\nsteps:\n  - write-serial: "${"a".repeat(40)}\\n"\n  - wait-serial: "(a+)+b"\n    timeout: 200ms\n`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, "run", echo, "--script", p, "--quiet"], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.signal, null, `killed after ${Date.now() - t0} ms`);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /no serial output matched \/\(a\+\)\+b\/ within 200 ms/);
  assert.ok(Date.now() - t0 < 30_000);
});

test("every shipped HIL scenario compiles for the linear-time engine", () => {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith(".yaml")) files.push(p);
    }
  };
  walk(join(ROOT, "tests/hil"));
  assert.ok(files.length >= 10);
  for (const f of files) parseScenario(readFileSync(f, "utf8"), f);
});
