// The HIL suite's serial scenarios (tests/hil/*.yaml, plus tests/hil/qemu/ if
// present) on the `qemu` target: the demo firmware inside wasm3 inside
// Cortex-M3 firmware on QEMU mps2-an385. Skips, visibly and with the install
// command, when QEMU or the cross toolchain is missing.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseScenario, runScenario, checkScenario, formatFailure } from "../../host/scenario.js";
import { QemuHilTarget } from "../../host/hil/targets/qemu.js";
import type { HilContext } from "../../host/hil/targets/types.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const target = new QemuHilTarget();
const ctx: HilContext = { root, firmware: join(root, "build", "demo.wasm"), board: "sim-devkit", seed: 1, slack: 3 };
const avail = await target.available(ctx);
const skip = avail.ok ? false : `qemu target unavailable: ${avail.reason}; install with: ${avail.install}`;

const suite = join(root, "tests", "hil");
const files = [
  ...readdirSync(suite).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(suite, f)),
  ...(existsSync(join(suite, "qemu")) ? readdirSync(join(suite, "qemu")).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(suite, "qemu", f)) : []),
].sort();

test("the HIL suite has serial scenarios for the qemu target", () => {
  assert.ok(files.length >= 4, `expected the suite's scenarios in ${suite}, found ${files.length}`);
});

let reported = 0;
for (const file of files) {
  const sc = parseScenario(readFileSync(file, "utf8"), file);
  test(`qemu: ${sc.name} (${file.slice(root.length + 1)})`, { skip, timeout: 120_000 }, async () => {
    const refused = checkScenario(sc, await target.open(ctx).then(async (t) => { await t.close(); return t; }));
    assert.deepEqual(refused, [], `scenario uses steps the qemu target cannot do: ${refused.join("; ")}`);
    const t = await target.open(ctx);
    try {
      const r = await runScenario(sc, t);
      assert.ok(r.ok, formatFailure(sc, r));
      assert.equal(r.passed, sc.steps.length);
    } finally {
      await t.close();
    }
    // No allocation after start-up, on the real firmware: the board reports
    // the heap peak whenever it grows (first at its first idle, which a short
    // scenario may end before), so all reports must show one value.
    const peaks = new Set([...t.diagnostics().matchAll(/heap peak (\d+) B/g)].map((m) => m[1]));
    assert.ok(peaks.size <= 1, `heap peak changed during the scenario: ${[...peaks].join(", ")} B`);
    reported += peaks.size;
  });
}

test("qemu: the board reported its heap peak in the scenarios above", { skip }, () => {
  assert.ok(reported > 0, "no [mcu] heap peak report in any scenario's diagnostics");
});
