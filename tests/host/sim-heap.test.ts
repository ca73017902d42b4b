// Nothing may allocate after start-up. The build refuses what it can see in
// an async function's running code; what it cannot see (an allocating helper
// function) the core's heap seal stops at the end of that poll, and the
// simulator reports it as a firmware fault, on both engines (every board:
// tests/host/alloc-fault.test.ts).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { CLI, ROOT } from "./fixtures/build.js";
import { EXIT } from "../../host/abi.js";

const dir = mkdtempSync(join(tmpdir(), "coop-heap-"));
const core = relative(dir, join(ROOT, "assembly")).split("\\").join("/");

function run(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: "utf8", timeout: 120_000 });
}

test("allocation after start-up that the build cannot see is a firmware fault on stderr and in --json, on both engines", () => {
  writeFileSync(join(dir, "leak.ts"), `export * from "${core}/coop/abi";
import { spawn, Ticker, millis } from "${core}/coop";
function label(n: i32): string { return "tick " + n.toString(); } // allocates, out of the build's sight
async function t(): Promise<void> {
  const tick = new Ticker(millis(1));
  let n: i32 = 0;
  while (true) {
    await tick;
    n++;
    if (label(n).length == 0) return;
  }
}
spawn(t());
`);
  const b = run(["build", "leak.ts"]);
  assert.equal(b.status, 0, b.stderr);
  for (const engine of ["v8", "wasm3"]) {
    const r = run(["run", "leak.wasm", "--until", "100ms", "--quiet", "--engine", engine]);
    if (engine === "wasm3" && /build:wasm3-engine/.test(r.stderr)) continue; // engine not built: covered by its own tests
    assert.equal(r.status, EXIT.FIRMWARE_FAULT, r.stderr);
    assert.match(r.stderr, /^coop: firmware fault: task "t" allocated \d+ bytes after start-up at t=1\.\d{3} ms \(heap 0x[0-9a-f]+ -> 0x[0-9a-f]+\)/m, engine);
    const j = JSON.parse(run(["run", "leak.wasm", "--until", "100ms", "--json", "--engine", engine]).stdout) as { fault: { kind: string; taskName: string }; summary: { heapGrowth: number | null } };
    assert.equal(j.fault.kind, "alloc", engine);
    assert.equal(j.fault.taskName, "t", engine);
  }
  // The demo allocates nothing after start-up: no warning.
  const demo = spawnSync(process.execPath, [CLI, "run", "build/demo.wasm", "--script", "tests/hil/ping.yaml", "--json"], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  assert.equal(demo.status, 0, demo.stderr);
  assert.doesNotMatch(demo.stderr, /warning/);
  assert.equal((JSON.parse(demo.stdout) as { summary: { heapGrowth: number } }).summary.heapGrowth, 0);
});

// A task aborting itself changes the seal word the executor reads after each
// poll (one check for both, seal.ts): the task must still end after that poll,
// and an allocation in the same poll, before or after the abort, must still be
// the fault.
test("under the seal, a task that aborts itself ends after that poll, and an allocation in the same poll, before or after the abort, is still the fault", () => {
  for (const order of ["none", "before", "after"]) {
    writeFileSync(join(dir, `self-${order}.ts`), `export * from "${core}/coop/abi";
import { spawn, abort, Sleep, millis, TaskId } from "${core}/coop";
function label(n: i32): string { return "tick " + n.toString(); } // allocates, out of the build's sight
let me: TaskId = -1;
async function t(): Promise<void> {
  const first = new Sleep(millis(1));
  const second = new Sleep(millis(2));
  await first;
  ${order === "before" ? "if (label(1).length == 0) return;" : ""}
  abort(me);
  ${order === "after" ? "if (label(2).length == 0) return;" : ""}
  await second;
  if (label(3).length == 0) return; // reached only if the abort did not end the task
}
me = spawn(t());
`);
    const b = run(["build", `self-${order}.ts`]);
    assert.equal(b.status, 0, b.stderr);
    for (const engine of ["v8", "wasm3"]) {
      const r = run(["run", `self-${order}.wasm`, "--until", "10ms", "--quiet", "--engine", engine]);
      if (engine === "wasm3" && /build:wasm3-engine/.test(r.stderr)) continue; // engine not built: covered by its own tests
      if (order === "none") {
        assert.equal(r.status, 0, `${engine}: ${r.stderr}`);
        assert.doesNotMatch(r.stderr, /fault/, engine);
      } else {
        assert.equal(r.status, EXIT.FIRMWARE_FAULT, `${engine} ${order}: ${r.stderr}`);
        assert.match(r.stderr, /^coop: firmware fault: task "t" allocated \d+ bytes after start-up at t=1\.\d{3} ms/m, `${engine} ${order}`);
      }
    }
  }
});
