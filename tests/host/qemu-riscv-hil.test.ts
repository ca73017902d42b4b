// The HIL suite's serial scenarios (tests/hil/*.yaml) on the `qemu-riscv`
// target: build/shell.wasm translated by wasm2c and compiled into RV32
// firmware for QEMU sifive_e (16 KiB of RAM), as `coop hil --target
// qemu-riscv` runs it. Also: the CLI runs the same target end to end. Skips,
// visibly and with the install command, when QEMU, the cross toolchain or
// wasm2c is missing.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseScenario, runScenario, checkScenario, formatFailure } from "../../host/scenario.js";
import { QemuHilTarget } from "../../host/hil/targets/qemu.js";
import type { HilContext } from "../../host/hil/targets/types.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
// As the CLI sets it without --firmware: the target picks build/shell.wasm itself.
const ctx: HilContext = { root, firmware: join(root, "build", "demo.wasm"), firmwareGiven: false, board: "sim-devkit", seed: 1, slack: 3 };
const target = new QemuHilTarget("aot", "sifive-e");
const avail = await target.available(ctx);
const skip = avail.ok ? false : `qemu-riscv target unavailable: ${avail.reason}; install with: ${avail.install}`;

const suite = join(root, "tests", "hil");
const files = readdirSync(suite).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(suite, f)).sort();

test("qemu-riscv: the target is named, runs the shell firmware unless told otherwise", () => {
  assert.equal(target.name, "qemu-riscv");
  assert.equal(target.firmwareFor(ctx), join(root, "build", "shell.wasm"));
  assert.equal(target.firmwareFor({ ...ctx, firmwareGiven: true }), ctx.firmware);
  assert.ok(files.length >= 4, `expected the suite's serial scenarios in ${suite}, found ${files.length}`);
});

for (const file of files) {
  const sc = parseScenario(readFileSync(file, "utf8"), file);
  test(`qemu-riscv: ${sc.name} (${file.slice(root.length + 1)})`, { skip, timeout: 180_000 }, async () => {
    const t = await target.open(ctx);
    try {
      assert.deepEqual(checkScenario(sc, t), [], "the scenario uses only serial steps and waits");
      const r = await runScenario(sc, t);
      assert.ok(r.ok, formatFailure(sc, r));
      assert.equal(r.passed, sc.steps.length);
    } finally {
      await t.close();
    }
    // The AOT firmware has no heap; the board reports 0 whenever it reports.
    const peaks = new Set([...t.diagnostics().matchAll(/heap peak (\d+) B/g)].map((m) => m[1]));
    assert.ok(peaks.size === 0 || (peaks.size === 1 && peaks.has("0")), `heap peaks ${[...peaks].join(", ")}`);
  });
}

test("coop hil --target qemu-riscv: the CLI runs the suite on the RISC-V board and passes", { skip, timeout: 300_000 }, () => {
  const r = spawnSync(process.execPath, [join(root, "host/bin/coop.js"), "hil", "--target", "qemu-riscv", "--slack", "3"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^hil: target qemu-riscv: .*sifive_e/m);
  assert.match(r.stdout, new RegExp(`^hil: qemu-riscv ok; ${files.length} passed, 0 failed, 0 skipped$`, "m"));
});
