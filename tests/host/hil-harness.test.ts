// `coop hil`: the demo suite (tests/hil) on the simulator, the native runner
// and `all`; and the harness's own behaviour (skips, failures with the failing
// step, bad scenario files, JUnit XML) on a loopback target and temporary
// suites, so each outcome is produced on purpose.

import { haveWasm2c } from "../../host/aot/translate.js";
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { hilMain } from "../../host/hil/main.js";
import { runTarget } from "../../host/hil/runner.js";
import { junitXml } from "../../host/hil/junit.js";
import { StreamTarget } from "../../host/hil/stream.js";
import { ALL, TARGETS } from "../../host/hil/targets/index.js";
import type { HilContext, HilTarget, OpenTarget } from "../../host/hil/targets/types.js";

const ROOT = resolve(process.cwd());
const SUITE = join(ROOT, "tests", "hil");
const TMP = mkdtempSync(join(tmpdir(), "coop-hil-"));

before(() => {
  assert.ok(existsSync(join(ROOT, "build", "demo.wasm")), "build/demo.wasm missing: run npm run build first");
  // Rebuilds only when a C source changed (build.sh checks), so the binary under test is current.
  const r = spawnSync("sh", [join(ROOT, "boards/native/build.sh")], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, `npm run build:native failed:\n${r.stderr}`);
});

async function hil(args: string[]): Promise<{ status: number; out: string }> {
  const lines: string[] = [];
  const status = await hilMain(args, (l) => lines.push(l));
  return { status, out: lines.join("\n") };
}

const scenarioFiles = (dir: string) => readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));

/** Counts from the JUnit report: tests, failures, skipped of one <testsuite>. */
function junitCounts(xml: string, target: string): { tests: number; failures: number; skipped: number } {
  const m = new RegExp(`<testsuite name="${target}" tests="(\\d+)" failures="(\\d+)" errors="0" skipped="(\\d+)"`).exec(xml);
  assert.ok(m, `no testsuite ${target} in:\n${xml}`);
  return { tests: Number(m[1]), failures: Number(m[2]), skipped: Number(m[3]) };
}

test("coop hil --target sim passes the whole demo suite, simulator scenarios included, and writes JUnit", async () => {
  const junit = join(TMP, "sim.xml");
  const r = await hil(["--target", "sim", "--junit", junit]);
  assert.equal(r.status, 0, r.out);
  const expected = scenarioFiles(SUITE).length + scenarioFiles(join(SUITE, "sim")).length;
  assert.equal((r.out.match(/^ {2}PASS /gm) ?? []).length, expected, r.out);
  assert.deepEqual(junitCounts(readFileSync(junit, "utf8"), "sim"), { tests: expected, failures: 0, skipped: 0 });
});

test("coop hil --target native passes the serial suite on the native runner in real time", async () => {
  const r = await hil(["--target", "native", "--slack", "3"]);
  assert.equal(r.status, 0, r.out);
  assert.equal((r.out.match(/^ {2}PASS /gm) ?? []).length, scenarioFiles(SUITE).length, r.out);
  assert.match(r.out, /hil: native: \d+ passed, 0 failed, 0 skipped/);
});

test("coop hil --target native-aot passes the same serial suite with the firmware compiled in (wasm2c)", { skip: haveWasm2c() ? false : "wasm2c not installed (npm run setup:mcu)" }, async () => {
  const r = await hil(["--target", "native-aot", "--slack", "3"]);
  assert.equal(r.status, 0, r.out);
  assert.equal((r.out.match(/^ {2}PASS /gm) ?? []).length, scenarioFiles(SUITE).length, r.out);
  assert.match(r.out, /hil: native-aot: \d+ passed, 0 failed, 0 skipped/);
});

test("the native runner also passes the simulator's pin and ADC scenarios it can do", async () => {
  // Not part of the default native suite (tests/hil/sim/ is the simulated board's), but the
  // control descriptor makes button and ADC possible on real time. (blinky.yaml passes too on
  // an idle machine, but its 250 ms margins in wall time are not safe on a loaded CI box.)
  const suite = join(TMP, "native-pins");
  mkdirSync(join(suite, "native"), { recursive: true });
  for (const f of ["button.yaml", "adc.yaml"]) writeFileSync(join(suite, "native", f), readFileSync(join(SUITE, "sim", f)));
  const r = await hil(["--target", "native", "--suite", suite, "--slack", "3"]);
  assert.equal(r.status, 0, r.out);
  assert.equal((r.out.match(/^ {2}PASS native\//gm) ?? []).length, 2, r.out);
});

test("coop hil --target all: every target either passes or is skipped visibly with its install command", async () => {
  const junit = join(TMP, "all.xml");
  const r = await hil(["--target", "all", "--junit", junit, "--slack", "3"]);
  assert.equal(r.status, 0, r.out);
  for (const t of ["sim", "wasm3", "native", "qemu"]) assert.match(r.out, new RegExp(`^hil: target ${t}: `, "m"));
  for (const skip of r.out.matchAll(/^ {2}SKIP all \d+ scenario\(s\): .*\n^ {7}install with: (.+)$/gm)) assert.ok(skip[1].length > 0);
  const xml = readFileSync(junit, "utf8");
  for (const t of ["sim", "wasm3", "native", "qemu"]) assert.equal(junitCounts(xml, t).failures, 0);
  assert.ok(junitCounts(xml, "sim").tests > 0);
});

async function hilErr(args: string[]): Promise<{ status: number; out: string; err: string[] }> {
  const lines: string[] = [];
  const err: string[] = [];
  const status = await hilMain(args, (l) => lines.push(l), (l) => err.push(l));
  return { status, out: lines.join("\n"), err };
}

test("a firmware that is not a coop module is refused once, before any scenario, with coop run's exit code 3", async () => {
  const junk = join(TMP, "junk.wasm");
  writeFileSync(junk, "not wasm");
  for (const target of ["sim", "native", "sim,native"]) {
    const r = await hilErr(["--target", target, "--firmware", junk]);
    assert.equal(r.status, 3, r.out + r.err.join("\n"));
    assert.deepEqual(r.err, [`coop hil: firmware ${junk} refused: not a WebAssembly module (no \\0asm header)`]);
    assert.equal(r.out, "", "nothing ran");
  }
  // A module with the wasm header but none of the ABI exports: the same check as coop run.
  const plain = join(TMP, "plain.wasm");
  writeFileSync(plain, Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0));
  const r = await hilErr(["--target", "sim", "--firmware", plain]);
  assert.equal(r.status, 3);
  assert.match(r.err[0], /refused: not a coop firmware/);
});

test("a target named with --target that cannot run here exits 2 with the reason, before anything runs", async () => {
  const r = await hilErr(["--target", "serial:/dev/coop-no-such-device"]);
  assert.equal(r.status, 2, r.out);
  assert.equal(r.err.length, 1, r.err.join("\n"));
  assert.match(r.err[0], /^coop hil: target serial:\/dev\/coop-no-such-device cannot run here: no device \/dev\/coop-no-such-device; install with: connect the board/);
  assert.equal(r.out, "", "nothing ran");
  // Named next to a target that can run: still refused up front, not half a run.
  const both = await hilErr(["--target", "sim,serial:/dev/coop-no-such-device"]);
  assert.equal(both.status, 2);
  assert.doesNotMatch(both.out, /PASS/);
});

test("a registered target whose module is missing: named, it exits 2; under all, it is skipped visibly", async () => {
  TARGETS.ghost = { describe: "a target not built here", load: () => import("./no-such-target-module.js" as string), install: "npm run build:ghost" };
  const allTargets = [...ALL];
  try {
    const named = await hilErr(["--target", "ghost"]);
    assert.equal(named.status, 2, named.out);
    assert.match(named.err[0], /target ghost cannot run here: no target module host\/hil\/targets\/ghost\.ts in this build; install with: npm run build:ghost/);
    // Under "all" it is skipped and the run exits 0. ("all" is cut down to the ghost so the test stays quick.)
    ALL.splice(0, ALL.length, "ghost");
    const r = await hil(["--target", "all", "--suite", suite("ghost-all", { "a.yaml": "name: a\nsteps:\n  - wait: 1ms\n" })]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /SKIP all \d+ scenario\(s\): no target module host\/hil\/targets\/ghost\.ts in this build/);
    assert.match(r.out, /install with: npm run build:ghost/);
    assert.match(r.out, /ghost SKIPPED/);
    assert.doesNotMatch(r.out, /ghost FAIL/);
  } finally {
    delete TARGETS.ghost;
    ALL.splice(0, ALL.length, ...allTargets);
  }
});

test("usage errors exit 2 before anything runs", async () => {
  assert.equal((await hil([])).status, 2);
  assert.equal((await hil(["--target", "toaster"])).status, 2);
  assert.equal((await hil(["--target", "serial"])).status, 2);
  assert.equal((await hil(["--target", "sim", "--suite", join(TMP, "no-such-suite")])).status, 2);
  assert.equal((await hil(["--target", "sim", "--slack", "0"])).status, 2);
  assert.equal((await hil(["--target", "sim", "--firmware", join(TMP, "no-such.wasm")])).status, 2);
});

// ---- the harness itself, on a loopback board: UART0 output = what was written to it ----

class Loopback implements HilTarget {
  readonly describe = "test loopback (serial echo, no pins)";
  readonly extraSuites: readonly string[] = [];
  constructor(readonly name = "loop", private readonly dieAfterMs: number | null = null) {}
  async available() {
    return { ok: true as const };
  }
  async open(): Promise<OpenTarget> {
    const t = new StreamTarget({
      name: this.name,
      supports: new Set(["write-serial", "wait-serial", "wait"] as const),
      io: { write: async (d) => void setTimeout(() => t.push(d), 5) },
    }) as StreamTarget & OpenTarget;
    const timer = this.dieAfterMs === null ? null : setTimeout(() => t.end("firmware exited (status 4): coop: trap in coop_step"), this.dieAfterMs);
    t.close = async () => {
      if (timer) clearTimeout(timer);
    };
    return t;
  }
}

const CTX: HilContext = { root: ROOT, firmware: join(ROOT, "build", "demo.wasm"), board: "sim-devkit", seed: 1, slack: 1 };

function suite(name: string, files: Record<string, string>): string {
  const dir = join(TMP, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(dir, f, ".."), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return dir;
}

test("runner: pass, visible per-scenario skip, failing step with file:line, bad file: each reported, none crashes", async () => {
  const dir = suite("mixed", {
    "a-pass.yaml": `name: echo\nsteps:\n  - write-serial: "hi\\n"\n  - wait-serial: "hi\\n"\n    timeout: 1s\n`,
    "b-pins.yaml": `name: needs pins\nsteps:\n  - set-pin: { pin: 1, level: 1 }\n`,
    "c-fail.yaml": `name: never\nsteps:\n  - write-serial: "x"\n  - wait-serial: "never"\n    timeout: 50ms\n`,
    "d-bad.yaml": `name: broken\nsteps:\n  - fly: away\n`,
    "loop/e-own.yaml": `name: own folder\nsteps:\n  - wait: 1ms\n`,
    "other/f-not-mine.yaml": `name: not for loop\nsteps:\n  - wait: 1ms\n`,
  });
  const lines: string[] = [];
  const r = await runTarget(new Loopback(), { ctx: CTX, suite: dir, print: (l) => lines.push(l) });
  const out = lines.join("\n");
  assert.deepEqual(r.cases.map((c) => [c.file, c.status]), [
    ["a-pass.yaml", "pass"],
    ["b-pins.yaml", "skip"],
    ["c-fail.yaml", "fail"],
    ["d-bad.yaml", "fail"],
    ["loop/e-own.yaml", "pass"],
  ]);
  assert.match(out, /SKIP b-pins\.yaml \(needs pins\): b-pins\.yaml:3: target loop does not support set-pin/);
  assert.match(out, /failed at step 2\/2 \(c-fail\.yaml:4\)/);
  assert.match(out, /no serial output matched \/never\/ within 50 ms/);
  assert.match(out, /FAIL d-bad\.yaml \(broken\): d-bad\.yaml:3: unknown step/);
  assert.match(out, /hil: loop: 2 passed, 2 failed, 1 skipped/);

  const xml = junitXml([r]);
  assert.deepEqual(junitCounts(xml, "loop"), { tests: 5, failures: 2, skipped: 1 });
  assert.match(xml, /<failure message="step 2 \(c-fail\.yaml:4\) [^"]*never[^"]*">/);
  assert.match(xml, /<skipped message="b-pins\.yaml:3: target loop does not support set-pin"\/>/);
});

test("runner: a firmware that dies mid-scenario fails the step with the reason, at once", async () => {
  const dir = suite("dies", { "x.yaml": `name: dies\nsteps:\n  - wait-serial: "never"\n    timeout: 10s\n` });
  const lines: string[] = [];
  const t0 = Date.now();
  const r = await runTarget(new Loopback("loop", 30), { ctx: CTX, suite: dir, print: (l) => lines.push(l) });
  assert.ok(Date.now() - t0 < 5000, "waited for the timeout instead of failing when the firmware died");
  assert.equal(r.cases[0].status, "fail");
  assert.match(lines.join("\n"), /firmware exited \(status 4\): coop: trap in coop_step/);
});

test("junit: output bytes that XML cannot hold are escaped", () => {
  const xml = junitXml([{ target: "t<1>", cases: [{ name: `a "b" & c`, file: "f.yaml", status: "fail", message: "bad \x01 byte <here>", detail: "x\x1by", seconds: 0.5 }] }]);
  assert.match(xml, /<testsuite name="t&lt;1&gt;"/);
  assert.match(xml, /name="a &quot;b&quot; &amp; c"/);
  assert.match(xml, /message="bad \? byte &lt;here&gt;"/);
  assert.ok(!/[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(xml));
});
