// The module gate: the TypeScript gate (host/engines/gate.ts) and the C gate
// (boards/wasm3/coop_gate.c) give the same verdict, word for word, on the
// shared table of modules (host/fuzz/cases.ts), through every way the C gate
// is reached: the coop-gate command, the native runner (which reports it as
// the device does) and the wasm3 addon. The real firmware passes with
// margin, and abi.json's signatures agree with the ABI's source
// (assembly/coop/board.ts, abi.ts).

import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ABI_EXPORTS, ABI_OPTIONAL_EXPORTS, ABI_IMPORTS, ABI_IMPORT_GLOBALS, GATE_LIMITS, gate, type GateStats } from "../../host/engines/gate.js";
import { BOARD_IMPORT_SIGNATURES, loadNative } from "../../host/engines/wasm3.js";
import { EXIT } from "../../host/abi.js";
import { INLINE_NESTING_BUDGET } from "../../host/build.js";
import { ROOT, compileFixture, ensureWasm3Built } from "../../host/engines/wasm3/testkit.js";
import { GATE_CASES, MCU_CASES, gateCase } from "../../host/fuzz/cases.js";

const TMP = mkdtempSync(join(tmpdir(), "coop-gate-"));
const GATE_BIN = join(ROOT, "build/coop-gate");
const NATIVE = join(ROOT, "build/coop-native");
const CLI = join(ROOT, "host/bin/coop.js");

before(() => {
  for (const script of ["boards/wasm3/build-gate.sh", "boards/native/build.sh"]) {
    const r = spawnSync("sh", [join(ROOT, script)], { cwd: ROOT, encoding: "utf8" });
    assert.equal(r.status, 0, `${script}: ${r.stderr}`);
  }
  ensureWasm3Built();
});

const tsVerdict = (bytes: Uint8Array, memoryLimit = 0) => {
  const v = gate(bytes, { memoryLimit });
  return v.ok ? "ok" : `refused: ${v.rule}`;
};

function cVerdicts(cases: { bytes: Uint8Array; memoryLimit?: number }[]): string[] {
  return cases.map((c) => {
    const h = Buffer.alloc(4);
    h.writeUInt32LE(c.bytes.length);
    const r = spawnSync(GATE_BIN, ["--batch", "--memory-limit", String(c.memoryLimit ?? 0)], { input: Buffer.concat([h, Buffer.from(c.bytes)]) });
    assert.equal(r.status, 0, r.stderr.toString());
    return r.stdout.toString().trim();
  });
}

test("every case of the shared table gets its expected verdict from the TypeScript gate", () => {
  for (const c of GATE_CASES) {
    const v = tsVerdict(c.bytes(), c.memoryLimit);
    if (c.expect === "ok") assert.equal(v, "ok", c.name);
    else assert.ok(v.startsWith(`refused: ${c.expect}`), `${c.name}: got "${v}", want a rule starting "${c.expect}"`);
  }
});

test("the C gate (coop-gate) gives the same verdict as the TypeScript gate, word for word, on every case", () => {
  const cases = GATE_CASES.map((c) => ({ name: c.name, bytes: c.bytes(), memoryLimit: c.memoryLimit }));
  const c = cVerdicts(cases);
  cases.forEach((k, i) => assert.equal(c[i], tsVerdict(k.bytes, k.memoryLimit), k.name));
});

test("coop-gate's exit status is the shared table's: OK, BAD_MODULE when any file is refused, USAGE", () => {
  const bad = join(TMP, "cli-refused.wasm");
  writeFileSync(bad, gateCase("block nesting 50000").bytes());
  const demo = join(ROOT, "build/demo.wasm");
  const st = (args: string[]) => spawnSync(GATE_BIN, args, { encoding: "utf8", timeout: 10_000 }).status;
  assert.equal(st([demo]), EXIT.OK);
  assert.equal(st([demo, bad]), EXIT.BAD_MODULE);
  assert.equal(st([join(TMP, "no-such.wasm")]), EXIT.USAGE);
  assert.equal(st([]), EXIT.USAGE);
});

test("the native runner refuses with the gate's rule before wasm3 parses: one line, status BAD_MODULE", () => {
  for (const name of [...MCU_CASES, "coop_step returning i32", "memory not exported", "board.now returning i32"]) {
    const c = gateCase(name);
    const f = join(TMP, `${name.replace(/[^A-Za-z0-9]+/g, "_")}.wasm`);
    writeFileSync(f, c.bytes());
    const r = spawnSync(NATIVE, [f], { encoding: "utf8", timeout: 10_000 });
    assert.equal(r.status, EXIT.BAD_MODULE, `${name}: ${r.signal ?? ""} ${r.stderr}`);
    assert.equal(r.stderr, `coop: firmware refused: ${tsVerdict(c.bytes()).slice("refused: ".length)}\n`, name);
  }
});

test("the wasm3 addon runs the C gate in create(), before wasm3 parses: same rule as the TypeScript gate", () => {
  const n = loadNative();
  for (const c of GATE_CASES) {
    const bytes = c.bytes();
    const ts = tsVerdict(bytes, c.memoryLimit);
    let got = "ok";
    try {
      const h = n.create(bytes, [], 16384, c.memoryLimit ?? 0);
      n.free(h);
    } catch (e) {
      const m = (e as Error).message;
      got = m.startsWith("firmware refused: ") ? `refused: ${m.slice(18)}` : `other: ${m}`;
    }
    // A module the gate accepts may still fail to link here (no imports passed): only refusals are compared.
    if (ts === "ok") assert.ok(!got.startsWith("refused"), `${c.name}: ${got}`);
    else assert.equal(got, ts, c.name);
  }
});

test("coop run refuses the deep nest under both engines with exit 3 and the rule (it crashed Node under wasm3)", () => {
  const f = join(TMP, "nest50000.wasm");
  writeFileSync(f, gateCase("block nesting 50000").bytes());
  for (const engine of ["v8", "wasm3"]) {
    const r = spawnSync(process.execPath, [CLI, "run", f, "--engine", engine], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 3, `${engine}: ${r.signal ?? ""} ${r.stderr}`);
    assert.equal(r.stderr, `coop: firmware refused: block nesting 50000 exceeds the limit ${GATE_LIMITS.max_nesting} (function 3)\n`);
  }
});

test("the real firmware passes the gate with margin: every figure at most half its limit (nesting: within the release inlining's budget)", async () => {
  const files = ["demo", "blinky", "demo.debug", "blinky.debug"].map((n) => join(ROOT, "build", `${n}.wasm`));
  const mods: [string, Uint8Array][] = files.map((f) => [f, new Uint8Array(readFileSync(f))]);
  for (const fx of ["workload", "traps", "bench"]) mods.push([fx, await compileFixture(fx)]);
  const pairs: [keyof GateStats, keyof typeof GATE_LIMITS][] = [
    ["bytes", "max_module_bytes"], ["types", "max_types"], ["imports", "max_imports"], ["functions", "max_functions"],
    ["globals", "max_globals"], ["exports", "max_exports"], ["dataSegments", "max_data_segments"],
    ["customSections", "max_custom_sections"], ["initialPages", "max_initial_pages"], ["tableElements", "max_table_elements"],
    ["maxNesting", "max_nesting"], ["maxLocals", "max_locals"], ["maxFunctionBytes", "max_function_bytes"],
    ["maxBrTable", "max_br_table"], ["maxNameBytes", "max_name_bytes"],
  ];
  for (const [name, bytes] of mods) {
    const v = gate(bytes);
    assert.ok(v.ok, `${name}: ${v.ok ? "" : v.rule}`);
    for (const [stat, limit] of pairs) {
      // Nesting: the release build's inlining may use up to its budget (three quarters of the limit; host/build.ts), the rest half.
      if (stat === "maxNesting") assert.ok(v.stats.maxNesting <= INLINE_NESTING_BUDGET, `${name}: maxNesting ${v.stats.maxNesting} is over the release inlining's budget ${INLINE_NESTING_BUDGET}`);
      else assert.ok(v.stats[stat] * 2 <= GATE_LIMITS[limit], `${name}: ${stat} ${v.stats[stat]} is over half of ${limit} ${GATE_LIMITS[limit]}`);
    }
  }
});

test("abi.json's signatures are the ABI's source: assembly/coop/board.ts imports, abi.ts exports, the wasm3 engine's table", () => {
  const sig = (params: string, ret: string) => {
    const t = (x: string) => (/^(u32|i32|usize|bool)$/.test(x.trim()) ? "i" : x.trim() === "i64" || x.trim() === "u64" ? "I" : x.trim() === "void" ? "v" : "?");
    const ps = params.split(",").map((p) => p.split(":")[1]).filter(Boolean).map(t).join("");
    return `${t(ret)}(${ps})`;
  };
  const board = readFileSync(join(ROOT, "assembly/coop/board.ts"), "utf8");
  const imports: Record<string, string> = {};
  for (const m of board.matchAll(/@external\("board", "(\w+)"\) export declare function \w+\(([^)]*)\): (\w+);/g)) imports[m[1]] = sig(m[2], m[3]);
  assert.deepEqual(imports, { ...ABI_IMPORTS });
  const globals: Record<string, string> = {};
  for (const m of board.matchAll(/@external\("board", "(\w+)"\) export declare let \w+: (\w+);/g)) globals[m[1]] = sig("", m[2]).slice(0, 1);
  assert.deepEqual(globals, { ...ABI_IMPORT_GLOBALS });
  const abi = readFileSync(join(ROOT, "assembly/coop/abi.ts"), "utf8");
  const exports: Record<string, string> = {};
  for (const m of abi.matchAll(/^export function (\w+)\(([^)]*)\): (\w+)/gm)) exports[m[1]] = sig(m[2], m[3]);
  exports._start = "v()"; // asconfig.json's --exportStart _start
  assert.deepEqual(exports, { ...ABI_EXPORTS, ...ABI_OPTIONAL_EXPORTS });
  assert.deepEqual({ ...BOARD_IMPORT_SIGNATURES }, { ...ABI_IMPORTS });
  // The generated C header carries the same limits.
  const h = readFileSync(join(ROOT, "build/gen/coop_gate_limits.h"), "utf8");
  for (const [k, v] of Object.entries(GATE_LIMITS)) assert.match(h, new RegExp(`#define COOP_GATE_${k.toUpperCase()} ${v}u\\n`), k);
  assert.ok(existsSync(GATE_BIN));
});
