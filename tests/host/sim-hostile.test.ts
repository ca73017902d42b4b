// Hostile firmware against `coop run` on both engines: modules written in
// WebAssembly text (tests/host/fixtures/wat.ts) that keep virtual time from
// advancing, trap or loop in the exports the board calls outside a step, or
// break the ABI's signatures. Every one must end within a bounded wall time
// with a documented exit: 3 (refused) or 4 (fault), never a hang or 6.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, ROOT } from "./fixtures/build.js";
import { watFixture, watSource } from "./fixtures/wat.js";
import { ensureWasm3Built } from "../../host/engines/wasm3/testkit.js";
import { STALL_STEPS } from "../../host/sim/simulator.js";

const ENGINES = ["v8", "wasm3"];
const dir = mkdtempSync(join(tmpdir(), "coop-hostile-"));

function coop(args: string[], timeout = 60_000) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr, ms: Date.now() - t0 };
}

/** The run ends by itself (no timeout kill) with `code` and one `coop:` stderr line matching `re`. */
function ends(args: string[], code: number, re: RegExp) {
  const r = coop(args);
  assert.equal(r.signal, null, `${args.join(" ")} was killed after ${r.ms} ms (hang)`);
  assert.equal(r.code, code, `exit code for ${args.join(" ")}: ${r.err}`);
  const lines = r.err.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one stderr line, got: ${r.err}`);
  assert.match(lines[0], /^coop: /);
  assert.match(lines[0], re);
  return r;
}

const TRACE = '(import "board" "trace" (func $trace (param i32 i32 i32)))';

test("liveness: a step that polls nothing and asks to be called again is a stall (exit 4), on both engines", () => {
  ensureWasm3Built();
  const spin = watFixture("spin", { step: "(i64.const 0)" });
  const atNow = watFixture("step-at-now", { step: "(call $now)" });
  const noTake = watFixture("irq-never-taken", { start: "(call $set_alarm (i64.const 0))" });
  for (const engine of ENGINES) {
    // Fuel on and off, --until short and long: neither used to stop it.
    for (const extra of [["--until", "1s"], ["--until", "24h", "--fuel", "0"]]) {
      const r = ends(["run", spin, "--engine", engine, "--quiet", ...extra], 4, /^coop: firmware stall .*virtual time stopped: \d+ consecutive coop_step calls polled no task and the clock did not advance; coop_step kept returning a deadline at or before now \(0 <= 0\)$/);
      assert.ok(r.ms < 20_000, `${engine}: took ${r.ms} ms`);
    }
    ends(["run", atNow, "--engine", engine, "--quiet"], 4, /stall .*deadline at or before now/);
    ends(["run", noTake, "--engine", engine, "--quiet"], 4, /stall .*IRQ ALARM stayed pending \(never taken with irq_take\)$/);
  }
});

test("liveness: the stall limit counts consecutive no-progress steps only; --json reports the fault kind", () => {
  // A step that polls nothing but lets the clock move every other call (it
  // returns a deadline 1 µs ahead on odd calls) is not a stall: the run ends at --until.
  const alternate = watFixture("alternate", {
    step: "(global.set $g (i32.xor (global.get $g) (i32.const 1))) (if (result i64) (global.get $g) (then (i64.add (call $now) (i64.const 1))) (else (call $now)))",
  });
  const ok = coop(["run", alternate, "--until", "5ms", "--json"]);
  assert.equal(ok.code, 0, ok.err);
  const j = JSON.parse(ok.out);
  assert.equal(j.summary.timeUs, 5000);
  // Exactly STALL_STEPS steps before the fault: the count is the documented limit.
  const spin = watFixture("spin-json", { step: "(i64.const 0)" });
  const r = coop(["run", spin, "--json"]);
  assert.equal(r.code, 4);
  const s = JSON.parse(r.out);
  assert.equal(s.fault.kind, "stall");
  assert.equal(s.summary.steps, STALL_STEPS);
});

test("liveness: bit flips in the demo's coop_step export index end in 0, 3 or 4 within bounded time, never 6 or a hang", () => {
  const demo = new Uint8Array(readFileSync(join(ROOT, "build/demo.wasm")));
  // Find the export entry "coop_step" (name length, name, kind 0, LEB index).
  const name = Buffer.from("coop_step");
  let at = -1;
  for (let i = 0; i + name.length + 2 < demo.length; i++) {
    if (demo[i] === name.length && Buffer.from(demo.subarray(i + 1, i + 1 + name.length)).equals(name) && demo[i + 1 + name.length] === 0) { at = i + 2 + name.length; break; }
  }
  assert.ok(at > 0, "coop_step export found");
  let indexBytes = 1;
  while (demo[at + indexBytes - 1] & 0x80) indexBytes++;
  const codes = new Map<number, number>();
  for (let byte = 0; byte < indexBytes; byte++) {
    for (let bit = 0; bit < 7; bit++) { // bit 7 is the LEB continuation: it changes the section layout, not the index
      const m = demo.slice();
      m[at + byte] ^= 1 << bit;
      const p = join(dir, `demo-flip-${byte}-${bit}.wasm`);
      writeFileSync(p, m);
      for (const engine of ENGINES) {
        const r = coop(["run", p, "--engine", engine, "--until", "2s", "--quiet"]);
        assert.equal(r.signal, null, `flip ${byte}.${bit} on ${engine}: killed after ${r.ms} ms (hang)`);
        assert.ok([0, 3, 4].includes(r.code!), `flip ${byte}.${bit} on ${engine}: exit ${r.code}: ${r.err}`);
        if (r.code !== 0) assert.match(r.err.trimEnd(), /^coop: [^\n]+$/, `flip ${byte}.${bit}: one line`);
        codes.set(r.code!, (codes.get(r.code!) ?? 0) + 1);
      }
    }
  }
  assert.ok((codes.get(3) ?? 0) + (codes.get(4) ?? 0) > 0, `some flips are refused or fault: ${[...codes]}`);
});

test("exports the board calls outside a step: a trapping task-name read is a fault (4), a version export that traps, loops or is not a function is refused (3)", () => {
  const nameTraps = watFixture("name-traps", { imports: TRACE, start: "(call $trace (i32.const 4) (i32.const 0) (i32.const 0))", taskName: "(unreachable)" });
  const abiTraps = watFixture("abi-traps", { abi: "(unreachable)" });
  const abiLoops = watFixture("abi-loops", { abi: "(loop $l (br $l)) (i32.const 1)" });
  const abiGlobal = watFixture("abi-global", watSource().replace('(export "coop_abi_version" (func $abi))', '(export "coop_abi_version" (global $g))'));
  for (const engine of ENGINES) {
    ends(["run", nameTraps, "--engine", engine], 4, /^coop: firmware trap .*unreachable/);
    ends(["run", abiTraps, "--engine", engine], 3, /^coop: cannot read the firmware's ABI version: .*unreachable/);
    ends(["run", abiLoops, "--engine", engine, "--fuel", "100000"], 3, /^coop: cannot read the firmware's ABI version: coop_abi_version did not return within 100000 work units/);
    ends(["run", abiGlobal, "--engine", engine], 3, /^coop: firmware refused: export coop_abi_version is not a function$/);
  }
});

test("signatures, start function, initial memory: refused (3) before any firmware code runs, on both engines", () => {
  const base = watSource();
  const cases: [string, string, RegExp][] = [
    ["step-i32", base.replace("(func $step (result i64) (i64.const -1))", "(func $step (result i64) (i64.const -1)) (func $step32 (result i32) (i32.const 0))").replace('(export "coop_step" (func $step))', '(export "coop_step" (func $step32))'),
      /^coop: firmware refused: export coop_step has the wrong signature \(\) -> i32, board ABI v1 has \(\) -> i64$/],
    ["import-i64", watSource({ imports: '(import "board" "gpio_write" (func $gw (param i64) (result i32)))' }), /^coop: firmware refused: import board\.gpio_write has the wrong signature \(i64\) -> i32, board ABI v1 has \(i32, i32\) -> i32$/],
    ["memory-4g", watSource({ memory: "(memory $mem 65536)" }), /^coop: firmware refused: memory 0: initial size 65536 pages exceeds the limit 256 pages$/],
    // The start function would panic if it ran: the refusal must come first.
    ["start-fn", watSource({ imports: '(import "board" "panic" (func $panic (param i32 i32 i32 i32 i32 i32)))', extra: "(func $early (call $panic (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))) (start $early)" }),
      /^coop: firmware refused: the module has a wasm start function \(function \d+\); a coop board calls _start itself, after the ABI version check$/],
  ];
  for (const [name, text, re] of cases) {
    const p = watFixture(name, text);
    for (const engine of ENGINES) ends(["run", p, "--engine", engine], 3, re);
  }
});
