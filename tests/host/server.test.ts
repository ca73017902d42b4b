// assembly/examples/server.ts: one async function, two tasks, two UARTs. Each
// task has its own machine (its own line count) and the two are served at
// once: a line on UART1 is answered while UART0's task waits for its own.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, ROOT } from "./fixtures/build.js";

const dir = mkdtempSync(join(tmpdir(), "coop-server-"));

test("one async function serves UART0 and UART1 at once, each task with its own state", () => {
  const fw = join(ROOT, "build/server.wasm");
  assert.ok(existsSync(fw), "build/server.wasm (npm run build)");
  const scenario = join(dir, "two.yaml");
  writeFileSync(scenario, `name: two ports, one function
steps:
  - write-serial: "hello\\n"
    port: 1
  - wait-serial: "u1 hello"
    port: 1
    timeout: 20ms
  - write-serial: "a\\n"
  - wait-serial: "u0 a"
    timeout: 20ms
  - write-serial: "b\\n"
    port: 1
  - write-serial: "count\\n"
  - wait-serial: "lines 2"
    timeout: 20ms
  - write-serial: "count\\n"
    port: 1
  - wait-serial: "u1 b\\nlines 3"
    port: 1
    timeout: 20ms
  - write-serial: "total\\n"
    port: 1
  - wait-serial: "lines 6"
    port: 1
    timeout: 20ms
`);
  const r = spawnSync(process.execPath, [CLI, "run", fw, "--script", scenario, "--json"], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const j = JSON.parse(r.stdout) as { tasks: { name: string; polls: number }[]; serial: string; serial1: string };
  const names = j.tasks.map((t) => t.name);
  assert.ok(names.includes("serve0") && names.includes("serve1"), names.join(","));
  // Each port's answers went out on that port only.
  assert.doesNotMatch(j.serial, /u1 /);
  assert.doesNotMatch(j.serial1, /u0 /);
});
