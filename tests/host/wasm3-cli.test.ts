// `coop run --engine wasm3` end to end, as a user runs it: the demo under the
// ping scenario, with --json, on both engines. The JSON reports must agree on
// everything but the engine's name and the wall time.

import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT, ensureWasm3Built } from "../../host/engines/wasm3/testkit.js";

before(() => ensureWasm3Built());

function run(engine: string, extra: string[] = []): { code: number | null; json: Record<string, unknown> | null; stderr: string } {
  const r = spawnSync(process.execPath, [
    join(ROOT, "build/js/host/cli.js"), "run", join(ROOT, "build/demo.wasm"), "--engine", engine,
    "--script", join(ROOT, "tests/hil/ping.yaml"), "--until", "3s", "--seed", "5", "--json", ...extra,
  ], { encoding: "utf8", cwd: ROOT });
  let json: Record<string, unknown> | null = null;
  try { json = JSON.parse(r.stdout); } catch { /* reported below */ }
  return { code: r.status, json, stderr: r.stderr };
}

test("coop run --engine wasm3 gives the same --json report as V8 (demo, ping scenario)", () => {
  const a = run("v8");
  const b = run("wasm3");
  assert.equal(b.code, 0, `wasm3 exit ${b.code}: ${b.stderr}`);
  assert.equal(a.code, 0, `v8 exit ${a.code}: ${a.stderr}`);
  assert.ok(a.json && b.json, "both print JSON");
  assert.equal(b.json.engine, "wasm3");
  assert.equal(a.json.engine, "v8");
  for (const key of ["serial", "fault", "scenario", "summary", "tasks", "exitCode"]) {
    assert.deepEqual(b.json[key], a.json[key], `--json field ${key}`);
  }
  assert.match(String(b.json.serial), /pong/);
});

test("coop run --engine wasm3 with a memory cap too small for the module's data: refused by the gate in the addon, one line, exit 3", () => {
  const r = spawnSync(process.execPath, [join(ROOT, "build/js/host/cli.js"), "run", join(ROOT, "build/demo.wasm"), "--engine", "wasm3", "--until", "1s"], {
    encoding: "utf8", cwd: ROOT, env: { ...process.env, COOP_WASM3_MEMORY_LIMIT: "1000" },
  });
  assert.equal(r.status, 3, r.stderr);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^coop: firmware refused: data segment \d+ ends at byte \d+, past the memory limit 1000 bytes$/);
});
