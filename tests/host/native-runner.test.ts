// The native runner (build/coop-native, boards/native + boards/wasm3): the
// demo firmware on real time, and a clear one-line error with the documented
// exit status for each kind of bad firmware. Small test modules are written
// in WebAssembly text and assembled with binaryen (AssemblyScript's own
// dependency), so each failure is produced on purpose, not found by luck.

import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { abiModule, assemble as assembleIn, oneErrorLine, runBin, type Run } from "./fixtures/native.js";
import { EXIT, WAKE } from "../../host/abi.js";

const ROOT = resolve(process.cwd());
const BIN = join(ROOT, "build", "coop-native");
const DEMO = join(ROOT, "build", "demo.wasm");
const BLINKY = join(ROOT, "build", "blinky.wasm");
const TMP = mkdtempSync(join(tmpdir(), "coop-native-"));

before(() => {
  // Rebuilds only when a C source changed (build.sh checks), so the binary under test is current.
  const r = spawnSync("sh", [join(ROOT, "boards/native/build.sh")], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, `npm run build:native failed:\n${r.stderr}`);
  assert.ok(existsSync(DEMO), "build/demo.wasm missing: run npm run build first");
});

const run = (args: string[], input = "", timeoutMs = 10_000): Promise<Run> => runBin(BIN, args, input, timeoutMs);
const assemble = (name: string, wat: string): string => assembleIn(TMP, name, wat);

test("the demo answers ping on stdin/stdout and stops at --until with status 0", async () => {
  const r = await run(["--until", "400", DEMO], "ping\n");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /coop demo ready/);
  assert.match(r.stdout, /> ping\npong\n/);
});

test("a module that finishes all its tasks exits 0; writing with an out-of-range pointer gets EBADPTR, not a crash", async () => {
  // coop_step writes "hello\n" only if uart_write(0, 65534, 6) returned -2 (EBADPTR).
  const f = assemble("badptr", abiModule(
    `(if (i32.eq (call $uw (i32.const 0) (i32.const 65534) (i32.const 6)) (i32.const -2))
        (then (drop (call $uw (i32.const 0) (i32.const 16) (i32.const 6)))))
     (i64.const -1)`));
  const r = await run([f]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "hello\n");
});

test("a trap is reported with its message and the function it happened in, status FIRMWARE_FAULT (a trap)", async () => {
  const f = assemble("trap", abiModule(`(unreachable)`));
  const r = await run([f]);
  assert.equal(r.status, EXIT.FIRMWARE_FAULT);
  const line = oneErrorLine(r, /^coop: trap in coop_step: /);
  assert.match(line, /unreachable/);
  assert.match(line, / in step_impl \(code offset 0x[0-9a-f]+\)/);
});

test("an out-of-bounds access traps, status FIRMWARE_FAULT", async () => {
  const f = assemble("oob", abiModule(`(i64.extend_i32_u (i32.load (i32.const 70000)))`));
  const r = await run([f]);
  assert.equal(r.status, EXIT.FIRMWARE_FAULT);
  assert.match(oneErrorLine(r, /^coop: trap/), /out of bounds memory access/);
});

test("board.panic is reported with message and source location, status FIRMWARE_FAULT (a panic)", async () => {
  const f = assemble("panic", abiModule(
    `(call $panic (i32.const 32) (i32.const 4) (i32.const 48) (i32.const 5) (i32.const 7) (i32.const 3)) (i64.const -1)`));
  const r = await run([f]);
  assert.equal(r.status, EXIT.FIRMWARE_FAULT);
  assert.equal(oneErrorLine(r, /^coop: panic: /), "coop: panic: boom at fw.ts:7:3");
});

test("an import the board does not provide is refused by the module gate before _start, and named, status BAD_MODULE", async () => {
  const f = assemble("missing", abiModule(`(unreachable)`, { extraImports: `(import "board" "teleport" (func $t (param i32)))` }));
  const r = await run([f]);
  assert.equal(r.status, EXIT.BAD_MODULE);
  assert.match(oneErrorLine(r, /^coop: firmware refused: /), /imports board\.teleport \(function\), which this board does not provide/);
  const g = assemble("envabort", abiModule(`(i64.const -1)`, { extraImports: `(import "env" "abort" (func $a (param i32 i32 i32 i32)))` }));
  const r2 = await run([g]);
  assert.equal(r2.status, EXIT.BAD_MODULE);
  assert.match(oneErrorLine(r2, /^coop: firmware refused: /), /imports env\.abort \(function\)/);
});

test("an import with the wrong signature is refused, status BAD_MODULE", async () => {
  const f = assemble("badsig", abiModule(`(i64.const -1)`, { extraImports: `(import "board" "now" (func $n (result i32)))` }));
  const r = await run([f]);
  assert.equal(r.status, EXIT.BAD_MODULE);
  assert.match(oneErrorLine(r, /^coop: firmware refused: /), /import board\.now has the wrong signature \(\) -> i32, board ABI v1 has \(\) -> i64/);
});

test("a wrong ABI version and a missing export are refused, status BAD_MODULE", async () => {
  const v = await run([assemble("v2", abiModule(`(i64.const -1)`, { version: 2 }))]);
  assert.equal(v.status, EXIT.BAD_MODULE);
  assert.match(oneErrorLine(v, /^coop: bad module: /), /board ABI v2, this board implements v1/);
  const noStep = abiModule(`(i64.const -1)`).replace(`(export "coop_step") `, "");
  const e = await run([assemble("nostep", noStep)]);
  assert.equal(e.status, EXIT.BAD_MODULE);
  assert.match(oneErrorLine(e, /^coop: firmware refused: /), /missing ABI export coop_step/);
});

test("a file that is not wasm, and a missing file, get one line each", async () => {
  const junk = join(TMP, "junk.wasm");
  writeFileSync(junk, "this is not wasm at all");
  const r = await run([junk]);
  assert.equal(r.status, EXIT.BAD_MODULE);
  oneErrorLine(r, /^coop: firmware refused: not a WebAssembly module/);
  const truncated = join(TMP, "truncated.wasm");
  writeFileSync(truncated, Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 0x7f]));
  const t = await run([truncated]);
  assert.equal(t.status, EXIT.BAD_MODULE);
  oneErrorLine(t, /^coop: firmware refused: type section at byte 8: its size 127 runs past the end of the module$/);
  const m = await run([join(TMP, "nope.wasm")]);
  assert.equal(m.status, EXIT.USAGE);
  oneErrorLine(m, /^coop-native: cannot open .*nope\.wasm/);
});

test("usage errors exit USAGE with a hint", async () => {
  for (const args of [[], ["--bogus", DEMO], ["--memory", "lots", DEMO], ["--until"]]) {
    const r = await run(args);
    assert.equal(r.status, EXIT.USAGE, `args ${args.join(" ")}`);
    assert.match(r.stderr, /^coop-native: .*\ntry: coop-native --help\n$/);
  }
});

test("--memory caps linear memory: too small for the demo's data is refused at load, a small MCU size still runs", async () => {
  const small = await run(["--memory", "4K", DEMO]);
  assert.equal(small.status, EXIT.BAD_MODULE);
  assert.match(oneErrorLine(small, /^coop: firmware refused: /), /past the memory limit 4096 bytes/);
  const ok = await run(["--memory", "32K", "--until", "300", DEMO], "ping\n");
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /pong/);
});

test("timers run on real time: blinky wakes at 500 ms steps, never early, and the idle wait does not spin", async () => {
  // bash's `time` gives the child's CPU time; a busy-waiting idle would use about the whole run.
  const r = spawnSync("bash", ["-c", `TIMEFORMAT='cpu %U %S'; time "${BIN}" --trace --until 1300 "${BLINKY}"`], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  // trace <tick> 3 <task> <cause>: wakes of task 0 (blinky) by the timer (cause WAKE.TIMER).
  const wakes = [...r.stderr.matchAll(new RegExp(`^trace (\\d+) 3 0 ${WAKE.TIMER}$`, "gm"))].map((m) => Number(m[1]));
  const timerWakes = wakes.filter((t) => t > 100_000);
  assert.equal(timerWakes.length, 2, `wakes: ${wakes.join(", ")}`);
  timerWakes.forEach((t, i) => {
    const due = (i + 1) * 500_000;
    assert.ok(t >= due, `wake ${i + 1} at ${t} µs, before its deadline ${due}`);
    assert.ok(t < due + 100_000, `wake ${i + 1} at ${t} µs, far after its deadline ${due}`);
  });
  const cpu = /^cpu ([\d.]+) ([\d.]+)$/m.exec(r.stderr);
  assert.ok(cpu, r.stderr);
  const used = Number(cpu[1]) + Number(cpu[2]);
  assert.ok(used < 0.6, `used ${used} s of CPU in a 1.3 s run: the idle wait spins`);
});

test("SIGINT stops the runner with status 130 and one line", async () => {
  const c = spawn(BIN, [DEMO], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  c.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  c.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  await new Promise<void>((res) => {
    const poll = setInterval(() => {
      if (out.includes("ready")) {
        clearInterval(poll);
        res();
      }
    }, 10);
  });
  c.kill("SIGINT");
  const status = await new Promise<number | null>((res) => c.on("close", (s) => res(s)));
  assert.equal(status, 130);
  assert.equal(err, "coop-native: stopped by SIGINT\n");
});

test("the control descriptor drives pins and ADC: button edges and adc readings reach the demo", async () => {
  const c = spawn(BIN, ["--control-fd", "3", DEMO], { stdio: ["pipe", "pipe", "pipe", "pipe"] });
  const ctl = c.stdio[3] as import("node:net").Socket;
  let out = "";
  let replies = "";
  c.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  ctl.setEncoding("utf8").on("data", (d: string) => (replies += d));
  const until = (what: () => boolean, ms = 3000) =>
    new Promise<void>((res, rej) => {
      const t0 = Date.now();
      const poll = setInterval(() => {
        if (what()) (clearInterval(poll), res());
        else if (Date.now() - t0 > ms) (clearInterval(poll), rej(new Error(`timeout; stdout:\n${out}\nreplies:\n${replies}`)));
      }, 5);
    });
  try {
    await until(() => out.includes("ready"));
    ctl.write("pin 2 1\n");
    await until(() => /button 1\n/.test(out));
    ctl.write("adc 0 1234\n");
    await until(() => (replies.match(/ok\n/g) ?? []).length === 2);
    c.stdin!.write("adc 0\n");
    await until(() => /adc 0 = 1234\n/.test(out));
    ctl.write("get 2\nget 99\nfly\n");
    await until(() => replies.includes("error unknown command\n"));
    assert.equal(replies, "ok\nok\npin 2 1\nerror bad pin\nerror unknown command\n");
  } finally {
    c.kill("SIGTERM");
    await new Promise((res) => c.on("close", res));
  }
});

test("a real AssemblyScript firmware's traps and panics name the function and the task (traps fixture, debug build)", async () => {
  const { compileFixture } = await import("../../host/engines/wasm3/testkit.js");
  const file = join(TMP, "traps.debug.wasm");
  writeFileSync(file, await compileFixture("traps", "debug"));
  const cases: [string, number, RegExp][] = [
    ["1", EXIT.FIRMWARE_FAULT, /^coop: trap in coop_step: \[trap\] out of bounds memory access in traps\/Trapper#poll \(code offset 0x[0-9a-f]+\) in task 0 "trapper"$/],
    ["2", EXIT.FIRMWARE_FAULT, /^coop: trap in coop_step: \[trap\] unreachable executed in traps\/Trapper#poll \(code offset 0x[0-9a-f]+\) in task 0 "trapper"$/],
    ["3", EXIT.FIRMWARE_FAULT, /^coop: trap in coop_step: \[trap\] integer divide by zero in traps\/divide \(code offset 0x[0-9a-f]+\) in task 0 "trapper"$/],
    ["4", EXIT.FIRMWARE_FAULT, /^coop: panic: fixture assert at \S*traps\.ts:\d+:\d+ in task 0 "trapper"$/],
    // wasm3's backtrace has no function for an overflow caught at a call: patch 0002 (boards/wasm3/patches) names it.
    ["5", EXIT.FIRMWARE_FAULT, /^coop: trap in coop_step: \[trap\] stack overflow in traps\/recurse in task 0 "trapper"$/],
  ];
  for (const [mode, status, line] of cases) {
    const r = await run([file], mode);
    assert.equal(r.status, status, `mode ${mode}: ${r.stderr}`);
    oneErrorLine(r, line);
  }
  // A release build has no name section: the function's index, as wasm-objdump numbers it.
  const rel = join(TMP, "traps.release.wasm");
  writeFileSync(rel, await compileFixture("traps", "release"));
  oneErrorLine(await run([rel], "2"), /^coop: trap in coop_step: \[trap\] unreachable executed in function #\d+ \(code offset 0x[0-9a-f]+\) in task 0 "trapper"$/);
  // `coop build --names`: the release build with each task's poll kept a function of its own
  // (the release build inlines it into the executor's step), plus the name section.
  const named = join(TMP, "traps.names.wasm");
  const b = spawnSync(process.execPath, [join(ROOT, "host/bin/coop.js"), "build", "boards/wasm3-node/fixtures/traps.ts", "--names", "-o", named], { cwd: ROOT, encoding: "utf8" });
  assert.equal(b.status, 0, b.stderr);
  oneErrorLine(await run([named], "2"), /^coop: trap in coop_step: \[trap\] unreachable executed in traps\/Trapper#poll \(code offset 0x[0-9a-f]+\) in task 0 "trapper"$/);
  // With the debug build's source map next to the module: file:line:col, the place the simulator names.
  const mapped = join(TMP, "traps.mapped.wasm");
  const d = spawnSync(process.execPath, [join(ROOT, "host/bin/coop.js"), "build", "boards/wasm3-node/fixtures/traps.ts", "--debug", "-o", mapped], { cwd: ROOT, encoding: "utf8" });
  assert.equal(d.status, 0, d.stderr);
  for (const mode of ["1", "2", "3"]) {
    const at = /^coop: trap in coop_step: \[trap\] [^(]* at (boards\/wasm3-node\/fixtures\/traps\.ts:\d+:\d+) \(traps\/(?:Trapper#poll|divide)\) in task 0 "trapper"$/.exec(oneErrorLine(await run([mapped], mode), /^coop: trap/));
    assert.ok(at, `mode ${mode}: a source position`);
    writeFileSync(join(TMP, "mode"), mode);
    const sim = spawnSync(process.execPath, [join(ROOT, "host/bin/coop.js"), "run", mapped, "--uart-in", join(TMP, "mode"), "--until", "1s", "--quiet"], { cwd: ROOT, encoding: "utf8" });
    assert.ok(sim.stderr.includes(` at ${at[1]} (`), `mode ${mode}: the simulator names ${at[1]} too: ${sim.stderr}`);
  }
  // memory.grow past --memory fails (-1) instead of taking host memory; the firmware goes on and finishes.
  const g = await run(["--memory", "64K", file], "7");
  assert.equal(g.status, 0, g.stderr);
  assert.equal(Buffer.from(g.stdout, "latin1").readInt32LE(0), -1);
});

test("SIGUSR1 is the SOFT interrupt: it wakes the idle runner, and the firmware sees line 7", async () => {
  // Stays live (coop_stat(1) = 1) until a step takes IRQ line 7; then writes "hello\n" and is done.
  const wat = abiModule(
    `(if (i32.and (call $take) (i32.const 128)) (then (drop (call $uw (i32.const 0) (i32.const 16) (i32.const 6))) (global.set $done (i32.const 1))))
     (i64.const -1)`,
    { extraImports: `(import "board" "irq_take" (func $take (result i32)))` },
  ).replace(
    `(func (export "coop_stat") (param i32) (result i64) (i64.const 0))`,
    `(global $done (mut i32) (i32.const 0))
     (func (export "coop_stat") (param i32) (result i64) (if (result i64) (global.get $done) (then (i64.const 0)) (else (i64.const 1))))`,
  );
  const f = assemble("soft", wat);
  const c = spawn(BIN, [f], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  c.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(out, "", "wrote before the interrupt");
  assert.equal(c.exitCode, null, "exited before the interrupt");
  c.kill("SIGUSR1");
  const status = await new Promise<number | null>((res) => c.on("close", (s) => res(s)));
  assert.equal(status, 0);
  assert.equal(out, "hello\n");
});

test("SIGTERM stops a firmware stuck in an endless loop inside wasm", async () => {
  const f = assemble("spin", abiModule(`(loop $l (br $l)) (i64.const -1)`));
  const c = spawn(BIN, [f], { stdio: ["pipe", "pipe", "pipe"] });
  let err = "";
  c.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  await new Promise((r) => setTimeout(r, 200));
  c.kill("SIGTERM");
  const status = await new Promise<number | null>((res) => {
    const t = setTimeout(() => (c.kill("SIGKILL"), res(-1)), 3000);
    c.on("close", (s) => (clearTimeout(t), res(s)));
  });
  assert.equal(status, 143, "did not stop on SIGTERM");
  assert.equal(err, "coop-native: stopped by SIGTERM\n");
});
