// The module gate on the Cortex-M3 (QEMU mps2-an385): build:mcu refuses the
// hand-made hostile modules before embedding them (exit BAD_MODULE, one line, no
// image written), and the firmware's own gate (boards/wasm3/coop_gate.c,
// run by coop_wasm3.c before wasm3 parses a byte) refuses them at boot when
// the host gate is bypassed (build:mcu --no-host-gate, test only): one line
// on UART0 and the documented exit status BAD_MODULE, no hard fault, no endless loop.
// A module right at the nesting limit runs, and its C stack peak shows the
// margin the limit leaves in the board's 64 KiB stack.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildMcu } from "../../host/mcu/build.js";
import { SETUP_HINT, missingTools, runQemu, parseStats } from "../../host/mcu/qemu.js";
import { GATE_LIMITS, gate } from "../../host/engines/gate.js";
import { EXIT } from "../../host/abi.js";
import { MCU_CASES, gateCase } from "../../host/fuzz/cases.js";
import { buildModule, nest, sleb } from "../../host/fuzz/wasm.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const out = join(root, "build", "mcu", "gate-test");
const missing = missingTools();
const skip = missing.length ? `${missing.join(" and ")} not found; install with: ${SETUP_HINT}` : false;
const file = (name: string, bytes: Uint8Array) => {
  mkdirSync(out, { recursive: true });
  const p = join(out, `${name.replace(/[^A-Za-z0-9]+/g, "_")}.wasm`);
  writeFileSync(p, bytes);
  return p;
};

// Needs no toolchain: the gate runs before anything is compiled.
test("build:mcu refuses the hostile modules before embedding: exit BAD_MODULE, one line naming the rule, no image", () => {
  const cli = join(root, "build/js/host/mcu/build.js");
  for (const name of MCU_CASES) {
    const c = gateCase(name);
    const wasm = file(name, c.bytes());
    const dir = join(out, "refused");
    rmSync(dir, { recursive: true, force: true });
    const r = spawnSync(process.execPath, [cli, wasm, "--out", dir, "--no-measure"], { cwd: root, encoding: "utf8" });
    assert.equal(r.status, EXIT.BAD_MODULE, `${name}: ${r.stderr}`);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, `${name}: one line, got ${r.stderr}`);
    assert.ok(lines[0].startsWith(`build:mcu: firmware refused: ${c.expect}`), `${name}: ${lines[0]}`);
    const made = existsSync(dir) ? readdirSync(dir).filter((f) => /\.(elf|bin|c|o|json)$/.test(f)) : [];
    assert.deepEqual(made, [], `${name}: nothing embedded or built`);
  }
});

test("the MCU's own gate refuses each hostile module at boot (host gate bypassed): status BAD_MODULE, one report line", { skip, timeout: 600_000 }, async () => {
  for (const name of MCU_CASES) {
    const c = gateCase(name);
    const wasm = file(`boot-${name}`, c.bytes());
    const r = await buildMcu({ wasm, root, out, quiet: true, measure: false, memoryLimit: 65536, skipHostGate: true });
    const run = await runQemu(r.elf, { timeoutMs: 30_000 });
    assert.equal(run.status, EXIT.BAD_MODULE, `${name}: status ${run.status}, UART: ${run.uart}\n${run.diag}`);
    const report = run.uart.split("\n").filter((l) => l.startsWith("coop:"));
    assert.deepEqual(report.map((l) => l.trim()), [`coop: firmware refused: ${(gate(c.bytes()) as { rule: string }).rule}`], name);
    assert.doesNotMatch(run.uart + run.diag, /hard fault|fatal/, name);
  }
});

test(`a module nested ${GATE_LIMITS.max_nesting} deep (the limit) compiles and runs on the MCU with stack to spare`, { skip, timeout: 300_000 }, async () => {
  const n = GATE_LIMITS.max_nesting;
  const wasm = file("nest-limit", buildModule({ exportBody: { coop_step: [...nest(n, [], 0x02), ...nest(n, [], 0x03), 0x42, ...sleb(-1)] } }));
  const r = await buildMcu({ wasm, root, out, quiet: true, measure: false, memoryLimit: 65536 });
  const run = await runQemu(r.elf, { timeoutMs: 30_000 });
  assert.equal(run.status, 0, `UART: ${run.uart}\n${run.diag}`);
  const st = parseStats(run.diag);
  assert.ok(st, `board stats line: ${run.diag}`);
  // The board's stack is 64 KiB (link.ld); the limit must leave most of it.
  assert.ok(st!.stackPeak < 32 * 1024, `C stack peak ${st!.stackPeak} B at nesting ${n}`);
  console.log(`# MCU C stack peak at nesting ${n}: ${st!.stackPeak} B (heap peak ${st!.heapPeak} B)`);
});
