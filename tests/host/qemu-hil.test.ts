// The HIL suite's serial scenarios (tests/hil/*.yaml, plus tests/hil/qemu/ if
// present) on the `qemu` and `qemu-aot` targets: the demo firmware inside
// Cortex-M3 firmware on QEMU mps2-an385, interpreted by wasm3 or translated
// by wasm2c and compiled in. Both must pass and print the same UART output.
// Skips, visibly and with the install command, when QEMU, the cross
// toolchain or wasm2c is missing.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseScenario, runScenario, checkScenario, formatFailure } from "../../host/scenario.js";
import { QemuHilTarget } from "../../host/hil/targets/qemu.js";
import type { HilContext } from "../../host/hil/targets/types.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const ctx: HilContext = { root, firmware: join(root, "build", "demo.wasm"), board: "sim-devkit", seed: 1, slack: 3 };
const targets = [new QemuHilTarget("wasm3"), new QemuHilTarget("aot")];
const skips = new Map<string, string | false>();
for (const t of targets) {
  const avail = await t.available(ctx);
  skips.set(t.name, avail.ok ? false : `${t.name} target unavailable: ${avail.reason}; install with: ${avail.install}`);
}

const suite = join(root, "tests", "hil");
const files = [
  ...readdirSync(suite).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(suite, f)),
  ...(existsSync(join(suite, "qemu")) ? readdirSync(join(suite, "qemu")).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(suite, "qemu", f)) : []),
].sort();

test("the HIL suite has serial scenarios for the qemu target", () => {
  assert.ok(files.length >= 4, `expected the suite's scenarios in ${suite}, found ${files.length}`);
});

/**
 * Per scenario and target: the UART output, numbers blanked (uptime differs
 * from run to run) and without the watchdog's warnings, which come on a
 * timer: how many fit before the scenario ends depends on how fast the host
 * runs QEMU, not on the engine.
 */
const transcripts = new Map<string, Map<string, string>>();
let reported = 0;
for (const target of targets) {
  const skip = skips.get(target.name) ?? false;
  for (const file of files) {
    const sc = parseScenario(readFileSync(file, "utf8"), file);
    test(`${target.name}: ${sc.name} (${file.slice(root.length + 1)})`, { skip, timeout: 120_000 }, async () => {
      const refused = checkScenario(sc, await target.open(ctx).then(async (t) => { await t.close(); return t; }));
      assert.deepEqual(refused, [], `scenario uses steps the ${target.name} target cannot do: ${refused.join("; ")}`);
      const t = await target.open(ctx);
      try {
        const r = await runScenario(sc, t);
        assert.ok(r.ok, formatFailure(sc, r));
        assert.equal(r.passed, sc.steps.length);
      } finally {
        await t.close();
      }
      const seen = transcripts.get(file) ?? new Map<string, string>();
      seen.set(target.name, t.serialTail(1000).filter((l) => !/^warning: /.test(l)).join("\n").replace(/\d+/g, "#"));
      transcripts.set(file, seen);
      // No allocation after start-up, on the real firmware: the board reports
      // the heap peak whenever it grows (first at its first idle, which a short
      // scenario may end before), so all reports must show one value.
      const peaks = new Set([...t.diagnostics().matchAll(/heap peak (\d+) B/g)].map((m) => m[1]));
      assert.ok(peaks.size <= 1, `heap peak changed during the scenario: ${[...peaks].join(", ")} B`);
      if (target.engine === "aot") assert.deepEqual([...peaks], peaks.size ? ["0"] : [], "the AOT firmware never allocates: its heap stays empty");
      reported += peaks.size;
    });
  }
}

test("qemu: the board reported its heap peak in the scenarios above", { skip: skips.get("qemu") ?? false }, () => {
  assert.ok(reported > 0, "no [mcu] heap peak report in any scenario's diagnostics");
});

test("qemu-aot prints the same UART output as qemu in every scenario", { skip: skips.get("qemu") || skips.get("qemu-aot") || false }, () => {
  assert.equal(transcripts.size, files.length, "every scenario ran on both targets");
  for (const [file, seen] of transcripts) {
    assert.ok(seen.get("qemu")?.includes(">"), `${file}: the wasm3 transcript has the shell's prompt`);
    assert.equal(seen.get("qemu-aot"), seen.get("qemu"), `${file}: UART output differs between the engines`);
  }
});
