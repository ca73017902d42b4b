// The AOT engine on the host (host/aot/native.ts: the firmware translated by
// wasm2c and compiled into the native runner). Each module is run by both
// engines, and the AOT runner must say what build/coop-native says, word for
// word, except for the function a trap happened in (wasm2c keeps no
// backtrace): the same output, the same one-line reports, the same exit
// statuses. What wasm3 refuses at load, the AOT build refuses before it
// compiles anything, with the gate's same rule.

import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { abiModule, assemble, oneErrorLine, runBin } from "./fixtures/native.js";
import { EXIT } from "../../host/abi.js";
import { buildNativeAot } from "../../host/aot/native.js";
import { AotRefusedError, boundStack, fixedMemoryBytes, haveWasm2c, sizeChecks, type AotModule } from "../../host/aot/translate.js";

const ROOT = resolve(process.cwd());
const WASM3 = join(ROOT, "build", "coop-native");
const DEMO = join(ROOT, "build", "demo.wasm");
const TMP = mkdtempSync(join(tmpdir(), "coop-aot-"));
const skip = haveWasm2c() ? false : "wasm2c not installed (npm run setup:mcu installs Debian's wabt)";
if (skip) console.log(`# SKIP native-aot: ${skip}`);

before(() => {
  if (skip) return;
  const r = spawnSync("sh", [join(ROOT, "boards/native/build.sh")], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, `npm run build:native failed:\n${r.stderr}`);
  assert.ok(existsSync(DEMO), "build/demo.wasm missing: run npm run build first");
});

let seq = 0;
/** The AOT runner for `wasm`, in its own folder. */
function aot(wasm: string, memoryLimit?: number): string {
  return buildNativeAot({ wasm, root: ROOT, out: join(TMP, `aot${seq++}`), quiet: true, memoryLimit }).runner;
}

/** wasm3's report without the part only an engine with a backtrace can give. */
const withoutFunction = (line: string) => line.replace(/ in (?:function #\d+|(?!task )\S+)(?: \(code offset 0x[0-9a-f]+\))?(?= in task | \(|\n|$)/, "");

test("the demo answers the same on both engines", { skip }, async () => {
  const input = "ping\nhelp\nbogus\ntasks\n";
  const [w, a] = await Promise.all([runBin(WASM3, ["--until", "400", DEMO], input), runBin(aot(DEMO), ["--until", "400"], input)]);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(w.status, 0, w.stderr);
  // The sampler's line depends on how many ADC reads real time allowed; everything else is the shell's answers.
  const shell = (s: string) => s.split("\n").filter((l) => !/^adc0 /.test(l)).join("\n");
  assert.match(a.stdout, /> ping\npong\n/);
  assert.equal(shell(a.stdout), shell(w.stdout));
});

test("EBADPTR, traps, panics and a wrong ABI version: the same reports and statuses as wasm3", { skip }, async () => {
  const cases: [string, string, ReturnType<typeof abiModule> | string][] = [
    ["badptr", "", abiModule(
      `(if (i32.eq (call $uw (i32.const 0) (i32.const 65534) (i32.const 6)) (i32.const -2))
          (then (drop (call $uw (i32.const 0) (i32.const 16) (i32.const 6)))))
       (i64.const -1)`)],
    ["unreachable", "", abiModule(`(unreachable)`)],
    ["oob", "", abiModule(`(i64.extend_i32_u (i32.load (i32.const 70000)))`)],
    ["div0", "", abiModule(`(i64.extend_i32_u (i32.div_u (i32.const 1) (i32.sub (call $uw (i32.const 0) (i32.const 16) (i32.const 0)) (i32.const 0))))`)],
    ["panic", "", abiModule(`(call $panic (i32.const 32) (i32.const 4) (i32.const 48) (i32.const 5) (i32.const 7) (i32.const 3)) (i64.const -1)`)],
    ["v2", "", abiModule(`(i64.const -1)`, { version: 2 })],
  ];
  for (const [name, , wat] of cases) {
    const f = assemble(TMP, name, wat);
    const [w, a] = await Promise.all([runBin(WASM3, [f]), runBin(aot(f), [])]);
    assert.equal(a.status, w.status, `${name}: status (aot ${a.status}, wasm3 ${w.status}): ${a.stderr}`);
    assert.equal(a.stdout, w.stdout, `${name}: stdout`);
    assert.equal(a.stderr, withoutFunction(w.stderr), `${name}: the report`);
  }
});

test("a real AssemblyScript firmware's traps and panics name the task (traps fixture, debug build)", { skip }, async () => {
  const { compileFixture } = await import("../../host/engines/wasm3/testkit.js");
  const file = join(TMP, "traps.debug.wasm");
  writeFileSync(file, await compileFixture("traps", "debug"));
  const runner = aot(file, 65536);
  for (const mode of ["1", "2", "3", "4"]) {
    const [w, a] = await Promise.all([runBin(WASM3, ["--memory", "64K", file], mode), runBin(runner, [], mode)]);
    assert.equal(a.status, w.status, `mode ${mode}: ${a.stderr}`);
    assert.equal(a.stderr, withoutFunction(w.stderr), `mode ${mode}`);
    assert.match(a.stderr, / in task 0 "trapper"\n$/);
  }
  // Unbounded recursion: the stack bound traps before the C stack runs out (a crash would be a signal, no report).
  const deep = await runBin(runner, [], "5");
  assert.equal(deep.status, EXIT.FIRMWARE_FAULT, `recursion: ${deep.signal ?? ""} ${deep.stderr}`);
  oneErrorLine(deep, /^coop: trap in coop_step: \[trap\] stack overflow \(stack limit \d+ bytes\) in task 0 "trapper"$/);
  // memory.grow past the limit fails (-1), as on wasm3 with --memory; the firmware goes on and finishes.
  const g = await runBin(runner, [], "7");
  assert.equal(g.status, 0, g.stderr);
  assert.equal(Buffer.from(g.stdout, "latin1").readInt32LE(0), -1);
});

test("an accumulating recursion (which gcc could turn into a loop) still meets the stack bound, as it meets wasm3's", { skip }, async () => {
  const f = assemble(TMP, "accumulate", abiModule(`(drop (call $deep (i32.const 0))) (i64.const -1)`, {
    extra: `(func $deep (param i32) (result i32)
    (if (result i32) (i32.eq (local.get 0) (i32.const -1)) (then (i32.const 0))
      (else (i32.add (call $deep (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))))`,
  }));
  const [w, a] = await Promise.all([runBin(WASM3, [f]), runBin(aot(f), [], "", 20_000)]);
  assert.equal(w.status, EXIT.FIRMWARE_FAULT, w.stderr);
  assert.equal(a.status, EXIT.FIRMWARE_FAULT, `aot: ${a.signal ?? ""} ${a.stderr}`);
  oneErrorLine(a, /^coop: trap in coop_step: \[trap\] stack overflow \(stack limit \d+ bytes\)$/);
});

test("what the gate refuses is refused before any C is compiled, with the gate's rule and status", { skip }, () => {
  const refused: [string, string][] = [
    ["teleport", abiModule(`(unreachable)`, { extraImports: `(import "board" "teleport" (func $t (param i32)))` })],
    ["envabort", abiModule(`(i64.const -1)`, { extraImports: `(import "env" "abort" (func $a (param i32 i32 i32 i32)))` })],
    ["badsig", abiModule(`(i64.const -1)`, { extraImports: `(import "board" "now" (func $n (result i32)))` })],
    ["nostep", abiModule(`(i64.const -1)`).replace(`(export "coop_step") `, "")],
  ];
  for (const [name, wat] of refused) {
    const f = assemble(TMP, name, wat);
    const w = spawnSync(WASM3, [f], { encoding: "utf8" });
    const rule = /^coop: firmware refused: (.*)$/m.exec(w.stderr)?.[1];
    assert.ok(rule, `${name}: wasm3 refuses it: ${w.stderr}`);
    assert.throws(() => aot(f), (e: Error) => e instanceof AotRefusedError && e.message === `firmware refused: ${rule}`, name);
    const out = join(TMP, `refused-${name}`);
    const cli = spawnSync(process.execPath, [join(ROOT, "build/js/host/aot/native.js"), f, "--out", out], { encoding: "utf8" });
    assert.equal(cli.status, EXIT.BAD_MODULE, `${name}: ${cli.stderr}`);
    assert.equal(cli.stderr, `build:native:aot: firmware refused: ${rule}\n`);
    assert.ok(!existsSync(join(out, "src", "coop_module.c")), `${name}: nothing translated`);
  }
});

test("a limit that fixes the memory makes the checks compare with it: out of bounds past the limit, inside one page, traps as on wasm3", { skip }, async () => {
  // One page declared, 32 KiB given: the memory cannot grow, so the build compiles the size in as 32768.
  for (const [name, addr] of [["in", 32760], ["past", 32768], ["page", 65000]] as const) {
    const f = assemble(TMP, `fixed-${name}`, abiModule(`(i64.extend_i32_u (i32.load (i32.const ${addr})))`));
    const [w, a] = await Promise.all([runBin(WASM3, ["--memory", "32K", f]), runBin(aot(f, 32768), [])]);
    assert.equal(a.status, w.status, `${name}: ${a.stderr}`);
    assert.equal(a.stderr, withoutFunction(w.stderr), name);
  }
  const m = { initialPages: 1, maxPages: 65536 } as AotModule;
  assert.equal(fixedMemoryBytes(m, 32768), 32768);
  assert.equal(fixedMemoryBytes(m, 65536), 65536);
  assert.equal(fixedMemoryBytes(m, 65537), null, "a limit past the initial pages leaves memory.grow a page to add");
  assert.equal(fixedMemoryBytes(m, 0), null, "no limit, no fixed size");
});

test("the memory cap: a limit below the data is refused as on wasm3; the runner has no file argument", { skip }, async () => {
  assert.throws(() => aot(DEMO, 4096), /firmware refused: .*past the memory limit 4096 bytes/);
  const r = await runBin(aot(DEMO), [DEMO]);
  assert.equal(r.status, EXIT.USAGE);
  assert.match(r.stderr, /^coop-native-aot: this runner has its firmware compiled in; no file is taken: .*\ntry: coop-native-aot --help\n$/);
});

test("the translation's stack bound replaces wasm2c's call counter, and an unknown wasm2c output is refused", () => {
  const sample = "#define TRAP(x) 0\n#if WASM_RT_USE_STACK_DEPTH_COUNT\n#define FUNC_PROLOGUE                                            \\\n  if (++wasm_rt_call_stack_depth > WASM_RT_MAX_CALL_STACK_DEPTH) \\\n    TRAP(EXHAUSTION);\n\n#define FUNC_EPILOGUE --wasm_rt_call_stack_depth\n#else\n#define FUNC_PROLOGUE\n\n#define FUNC_EPILOGUE\n#endif\n\nrest\n";
  const out = boundStack(sample);
  assert.match(out, /#define FUNC_PROLOGUE COOP_AOT_STACK_CHECK\(\)\n#define FUNC_EPILOGUE\n\nrest\n$/);
  assert.doesNotMatch(out, /wasm_rt_call_stack_depth/);
  assert.throws(() => boundStack("#define FUNC_PROLOGUE\n"), /no FUNC_PROLOGUE block/);
  const check = "#define RANGE_CHECK(mem, offset, len)               \\\n  if (UNLIKELY(offset + (uint64_t)len > mem->size)) \\\n    TRAP(OOB);\n";
  assert.match(sizeChecks(check), /> COOP_AOT_MEM_SIZE\(mem\)\)\) \\\n/);
  assert.throws(() => sizeChecks("#define RANGE_CHECK(m, o, l) 0\n"), /no RANGE_CHECK/);
  if (!skip) {
    // And the real translation of the demo has the bound in place.
    aot(DEMO);
    const c = readFileSync(join(TMP, `aot${seq - 1}`, "src", "coop_module.c"), "utf8");
    assert.match(c, /#define FUNC_PROLOGUE COOP_AOT_STACK_CHECK\(\)/);
  }
});
