// Allocation after start-up and out of memory, on every board: the simulator
// on V8 and on wasm3, the native runner with wasm3 and with the AOT engine,
// and the QEMU MCU image with both engines. The same two fixtures
// (boards/wasm3-node/fixtures/leak.ts, oom.ts) meet each; each board must stop
// with FIRMWARE_FAULT and one line naming the task, the bytes (or the memory)
// and the time. build:mcu must refuse to size memory for the leaking firmware.

import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import asc from "assemblyscript/asc";
import { CLI } from "./fixtures/build.js";
import { oneErrorLine, runBin } from "./fixtures/native.js";
import { ROOT, ensureWasm3Built } from "../../host/engines/wasm3/testkit.js";
import { haveWasm2c } from "../../host/aot/translate.js";
import { buildNativeAot } from "../../host/aot/native.js";
import { buildMcu } from "../../host/mcu/build.js";
import { SETUP_HINT, missingTools, runQemu } from "../../host/mcu/qemu.js";
import { EXIT } from "../../host/abi.js";

const TMP = mkdtempSync(join(tmpdir(), "coop-alloc-"));
const LIMIT = 65536;

/** The leak line of every board; the simulator's time is exact (virtual), the others' real. */
const LEAK = /^coop: firmware fault: task "logger" allocated 128 bytes after start-up at t=\d+\.\d{3} ms \(heap 0x[0-9a-f]+ -> 0x[0-9a-f]+\); the core must not allocate once running: see docs\/runtime\.md$/m;
const OOM = /^coop: firmware fault: out of memory: task "hog" at t=\d+\.\d{3} ms: linear memory cannot grow past 65536 bytes; see docs\/runtime\.md$/m;

/** Compiles a fixture with the project's release options (oom: with a declared 1-page maximum, the only limit V8 knows). */
async function compile(name: string, extra: string[] = []): Promise<string> {
  const out = join(TMP, `${name}.wasm`);
  const { error, stderr } = await asc.main([
    `boards/wasm3-node/fixtures/${name}.ts`, "--baseDir", ROOT, "--config", "asconfig.json", "--target", "release", "-o", out, "--sourceMap", "false", ...extra,
  ]);
  if (error) throw new Error(`cannot compile ${name}: ${error.message}\n${stderr.toString()}`);
  return out;
}

let leak = "", oom = "";
before(async () => {
  leak = await compile("leak");
  oom = await compile("oom", ["--maximumMemory", "1"]);
});

function sim(wasm: string, engine: string, extra: string[] = []) {
  return spawnSync(process.execPath, [CLI, "run", wasm, "--until", "100ms", "--engine", engine, ...extra], {
    encoding: "utf8", timeout: 60_000, env: { ...process.env, COOP_WASM3_MEMORY_LIMIT: String(LIMIT) },
  });
}

test("simulator, V8 and wasm3: the first poll that allocates stops the run, naming the task, the bytes and the virtual time", () => {
  ensureWasm3Built();
  for (const engine of ["v8", "wasm3"]) {
    const r = sim(leak, engine, ["--quiet"]);
    assert.equal(r.status, EXIT.FIRMWARE_FAULT, `${engine}: ${r.stderr}`);
    assert.match(r.stderr, LEAK, engine);
    // Virtual time: the 12th tick, on both engines alike.
    assert.match(r.stderr, / at t=12\.000 ms \(heap 0x1070 -> 0x10f0\)/, engine);
    const j = JSON.parse(sim(leak, engine, ["--json"]).stdout) as { exitCode: number; fault: { kind: string; taskName: string; heap: { sealed: number; now: number } } };
    assert.equal(j.exitCode, EXIT.FIRMWARE_FAULT);
    assert.equal(j.fault.kind, "alloc");
    assert.equal(j.fault.taskName, "logger");
    assert.equal(j.fault.heap.now - j.fault.heap.sealed, 128);
  }
});

test("simulator, V8 and wasm3: out of memory says out of memory, not unreachable", () => {
  ensureWasm3Built();
  for (const engine of ["v8", "wasm3"]) {
    const r = sim(oom, engine, ["--quiet"]);
    assert.equal(r.status, EXIT.FIRMWARE_FAULT, `${engine}: ${r.stderr}`);
    assert.match(r.stderr, OOM, engine);
    assert.doesNotMatch(r.stderr, /unreachable/, engine);
  }
});

test("native runner, wasm3: the same two faults, one line each", async () => {
  ensureWasm3Built();
  const b = spawnSync("sh", [join(ROOT, "boards/native/build.sh")], { cwd: ROOT, encoding: "utf8" });
  assert.equal(b.status, 0, b.stderr);
  const bin = join(ROOT, "build/coop-native");
  const l = await runBin(bin, ["--memory", "64K", "--until", "1000", leak]);
  assert.equal(l.status, EXIT.FIRMWARE_FAULT, l.stderr);
  oneErrorLine(l, LEAK);
  const o = await runBin(bin, ["--memory", "64K", oom]);
  assert.equal(o.status, EXIT.FIRMWARE_FAULT, o.stderr);
  oneErrorLine(o, OOM);
});

const noAot = haveWasm2c() ? false : "wasm2c not installed (npm run setup:mcu installs Debian's wabt)";

test("native runner, AOT: the same two faults, one line each (the stub runtime's grow fails in wasm_rt_static.c)", { skip: noAot }, async () => {
  for (const [wasm, line] of [[leak, LEAK], [oom, OOM]] as const) {
    const runner = buildNativeAot({ wasm, root: ROOT, out: join(TMP, `aot-${line === LEAK ? "leak" : "oom"}`), quiet: true, memoryLimit: LIMIT }).runner;
    const r = await runBin(runner, ["--until", "1000"]);
    assert.equal(r.status, EXIT.FIRMWARE_FAULT, r.stderr);
    oneErrorLine(r, line);
  }
});

const missing = missingTools();
const noQemu = missing.length ? `${missing.join(" and ")} not found; install with: ${SETUP_HINT}` : false;

test("QEMU MCU, wasm3 and AOT: the same two faults on the board's UART, exit status FIRMWARE_FAULT", { skip: noQemu || noAot, timeout: 300_000 }, async () => {
  for (const engine of ["wasm3", "aot"] as const) {
    for (const [wasm, line] of [[leak, LEAK], [oom, OOM]] as const) {
      const r = await buildMcu({ wasm, root: ROOT, out: join(TMP, `mcu-${engine}`), quiet: true, engine, memoryLimit: LIMIT, measure: false });
      const q = await runQemu(r.elf, { timeoutMs: 30_000 });
      assert.equal(q.status, EXIT.FIRMWARE_FAULT, `${engine}: ${q.uart}`);
      const faults = q.uart.split("\n").filter((s) => s.startsWith("coop: "));
      assert.equal(faults.length, 1, `${engine}: ${q.uart}`);
      assert.match(faults[0], line, engine);
    }
  }
});

test("build:mcu refuses to size linear memory for a firmware that allocates after start-up", { skip: noQemu, timeout: 300_000 }, () => {
  const r = spawnSync(process.execPath, [join(ROOT, "build/js/host/mcu/build.js"), leak, "--out", join(TMP, "mcu-auto")], { encoding: "utf8", timeout: 240_000 });
  assert.equal(r.status, EXIT.USAGE, r.stderr);
  const lines = r.stderr.split("\n").filter(Boolean);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^build:mcu: \S+leak\.wasm allocates after start-up, so no memory limit fits it; not sized: coop: firmware fault: task "logger" allocated 128 bytes after start-up /);
});
