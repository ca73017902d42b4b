// Our patches to wasm3 0.5.0 (boards/wasm3/patches/, applied by
// boards/wasm3/fetch.sh after the sha256-checked extraction): each one's
// behaviour, checked on every wasm3 build we ship (the simulator's wasm3
// engine and the native runner) against V8. Each test fails on an
// unpatched wasm3.

import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import binaryen from "binaryen";
import { abiModule } from "./fixtures/native.js";
import { ROOT, ensureWasm3Built } from "../../host/engines/wasm3/testkit.js";

const TMP = mkdtempSync(join(tmpdir(), "coop-patches-"));
const CLI = join(ROOT, "host/bin/coop.js");
const NATIVE = join(ROOT, "build/coop-native");

before(() => {
  ensureWasm3Built();
  const r = spawnSync("sh", [join(ROOT, "boards/native/build.sh")], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});

/**
 * 0001-memory-grow-u64.patch. coop_step calls memory.grow with `delta` and
 * writes on UART0 what came back and the size after it: `grow=<r> pages=<n>`
 * as two decimal digits each (r + 1 and n, so -1 prints 00), once.
 */
function growModule(delta: number): string {
  return abiModule(
    `(drop (call $take)) ;; take the UART TX interrupts the write raises
     (if (i32.eqz (global.get $done)) (then
       (global.set $done (i32.const 1))
       (call $digits (i32.const 21) (i32.add (memory.grow (i32.const ${delta})) (i32.const 1)))
       (call $digits (i32.const 30) (memory.size))
       (drop (call $uw (i32.const 0) (i32.const 16) (i32.const 17)))))
     ;; next deadline at 1 s: every run below ends before it
     (i64.const 1000000)`,
    {
      extraImports: `(import "board" "irq_take" (func $take (result i32)))`,
      memory: "1 4",
      data: `(data (i32.const 16) "grow=00 pages=00\\n")`,
      extra: `(func $digits (param $at i32) (param $v i32)
   (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.div_u (local.get $v) (i32.const 10))))
   (i32.store8 (i32.add (local.get $at) (i32.const 1)) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10)))))
 (global $done (mut i32) (i32.const 0))`,
    },
  );
}

function assemble(name: string, wat: string): string {
  const m = binaryen.parseText(wat);
  assert.ok(m.validate(), `${name} does not validate`);
  const file = join(TMP, `${name}.wasm`);
  writeFileSync(file, m.emitBinary());
  m.dispose();
  return file;
}

/** UART0 output of one step of the module on each engine. */
function outputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const engine of ["v8", "wasm3"]) {
    // 20 ms of virtual time: the simulated UART sends the 17 bytes at its baud rate.
    const r = spawnSync(process.execPath, [CLI, "run", file, "--engine", engine, "--until", "20ms", "--fuel", "0"], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, `${engine}: ${r.stderr}`);
    out[engine] = /^grow=.*$/m.exec(r.stdout)?.[0] ?? r.stdout;
  }
  const n = spawnSync(NATIVE, ["--until", "100", file], { encoding: "utf8", timeout: 10_000 });
  assert.equal(n.status, 0, `native: ${n.stderr}`);
  out.native = n.stdout.trim();
  return out;
}

test("memory.grow with a negative delta fails with -1 and leaves memory alone, on V8, the wasm3 engine and the native runner", () => {
  // Unpatched wasm3 computes 1 + 0xffffffff = 0 pages in u32: memory shrinks and grow "succeeds" (returns 1).
  const want = "grow=00 pages=01";
  assert.deepEqual(outputs(assemble("grow-minus-1", growModule(-1))), { v8: want, wasm3: want, native: want });
  assert.deepEqual(outputs(assemble("grow-minus-2", growModule(-2))), { v8: want, wasm3: want, native: want });
});

test("memory.grow within and past the declared maximum still behaves as on V8", () => {
  assert.deepEqual(outputs(assemble("grow-2", growModule(2))), { v8: "grow=02 pages=03", wasm3: "grow=02 pages=03", native: "grow=02 pages=03" });
  const past = "grow=00 pages=01"; // 1 + 4 > maximum 4
  assert.deepEqual(outputs(assemble("grow-4", growModule(4))), { v8: past, wasm3: past, native: past });
});
