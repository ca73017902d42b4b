// Board-file names (board.resolve, docs/abi.md "Names"): one firmware runs
// unchanged on boards that wire its parts to different numbers, and a name a
// board lacks stops the firmware at start-up with one line naming the kind,
// the name and the board (exit BAD_MODULE), alike on the simulator's V8 and
// wasm3 engines, the native runner (wasm3 and AOT) and the MCU under QEMU.

import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { abiModule, assemble, oneErrorLine, runBin } from "./fixtures/native.js";
import { EXIT, NAME_KIND } from "../../host/abi.js";
import { parseBoard } from "../../host/sim/board.js";
import { findBoard, loadBoard } from "../../host/board-file.js";
import { Simulator } from "../../host/sim/simulator.js";
import { V8Engine } from "../../host/engines/v8.js";
import { Wasm3Engine } from "../../host/engines/wasm3.js";
import { ROOT, ensureWasm3Built } from "../../host/engines/wasm3/testkit.js";
import { buildNativeAot } from "../../host/aot/native.js";
import { haveWasm2c } from "../../host/aot/translate.js";
import { buildMcu } from "../../host/mcu/build.js";
import { missingTools, runQemu } from "../../host/mcu/qemu.js";

const COOP = join(ROOT, "host/bin/coop.js");
const NATIVE = join(ROOT, "build", "coop-native");
const fw = (name: string) => join(ROOT, "build", `${name}.wasm`);
const TMP = mkdtempSync(join(tmpdir(), "coop-names-"));

const TINY_NO_LED2 = `board tiny-m0 has no pin named "LED2" (its pins: LED, BUTTON)`;

function coop(args: string[]) {
  const r = spawnSync(process.execPath, [COOP, ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * A module whose _start resolves one name (kind, the bytes at `ptr`/`len`)
 * and prints the result as one character on UART0: '0' + number ('/' is -1,
 * EBADPORT); coop_step only takes the IRQs. The names sit at 64 ("LED"),
 * 80 ("NOPE").
 */
function resolveModule(kind: number, ptr: number, len: number): string {
  return abiModule("(drop (call $irq_take)) (i64.const -1)", {
    extraImports: `(import "board" "resolve" (func $resolve (param i32 i32 i32) (result i32)))
 (import "board" "irq_take" (func $irq_take (result i32)))`,
    data: `(data (i32.const 64) "LED")
 (data (i32.const 80) "NOPE")`,
    start: `(i32.store8 (i32.const 100) (i32.add (i32.const 48) (call $resolve (i32.const ${kind}) (i32.const ${ptr}) (i32.const ${len}))))
  (drop (call $uw (i32.const 0) (i32.const 100) (i32.const 1)))`,
  });
}

const CASES = {
  led: resolveModule(NAME_KIND.PIN, 64, 3),
  optional: resolveModule(NAME_KIND.PIN | NAME_KIND.OPTIONAL, 80, 4),
  unknown: resolveModule(NAME_KIND.PIN, 80, 4),
  badKind: resolveModule(7, 64, 3),
  badPtr: resolveModule(NAME_KIND.ADC, 70000, 4),
};
const mods: Record<keyof typeof CASES, string> = {} as never;

before(() => {
  ensureWasm3Built();
  for (const [k, wat] of Object.entries(CASES)) mods[k as keyof typeof CASES] = assemble(TMP, k, wat);
  for (const f of ["anyboard", "blinky", "server"]) assert.ok(existsSync(fw(f)), `${fw(f)} missing: npm run build`);
});

async function simRun(engine: "v8" | "wasm3", board: string, wasm: string, untilUs: number) {
  const sim = new Simulator(loadBoard(findBoard(board, ROOT)), { seed: 1 });
  const e = engine === "v8" ? new V8Engine() : new Wasm3Engine();
  await sim.load(e, new Uint8Array(readFileSync(wasm)));
  if (!sim.fault) sim.run(untilUs);
  const out = { fault: sim.fault, pins: new Map(sim.pinChanges), serial: Buffer.from(sim.serial).toString("latin1") };
  sim.fw?.close();
  return out;
}

for (const engine of ["v8", "wasm3"] as const) {
  test(`the same anyboard.wasm blinks pin 0 on sim-devkit and pin 5 on tiny-m0 (${engine})`, async () => {
    const dev = await simRun(engine, "sim-devkit", fw("anyboard"), 3_100_000);
    const tiny = await simRun(engine, "tiny-m0", fw("anyboard"), 3_100_000);
    assert.equal(dev.fault, null);
    assert.equal(tiny.fault, null);
    // 500 ms ticks over 3.1 s: six level changes, on the board's own LED pin only.
    assert.deepEqual([...dev.pins], [[0, 6]]);
    assert.deepEqual([...tiny.pins], [[5, 6]]);
    // The POT channel by name too: tiny-m0's is a constant 1234.
    assert.match(tiny.serial, /^pot 1234\npot 1234\npot 1234\n$/);
    assert.match(dev.serial, /^(pot \d+\n){3}$/);
  });

  test(`an unknown name stops the firmware at start-up, naming kind, name and board (${engine})`, async () => {
    const r = await simRun(engine, "tiny-m0", fw("blinky"), 1_000_000);
    assert.equal(r.fault?.kind, "name");
    assert.equal(r.fault?.message, TINY_NO_LED2);
    assert.equal(r.fault?.tUs, 0);
    assert.deepEqual([...r.pins], [], "nothing ran on after the unknown name");
    const c = coop(["run", fw("blinky"), "--board", "tiny-m0", "--engine", engine, "--until", "1s", "--quiet"]);
    assert.equal(c.code, EXIT.BAD_MODULE, c.err);
    assert.equal(c.err, `coop: ${TINY_NO_LED2}\n`);
  });

  test(`resolve's other answers: found, optional, unknown kind, name outside memory (${engine})`, async () => {
    // --json: the UART output is in `serial` (the JSON document alone is on stdout).
    const run = (name: keyof typeof CASES, board = "tiny-m0") => {
      const r = coop(["run", mods[name], "--board", board, "--engine", engine, "--until", "10ms", "--json", "--fuel", "0"]);
      const j = JSON.parse(r.out) as { serial: string; exitCode: number; fault: { kind: string } | null };
      assert.equal(j.exitCode, r.code);
      if (r.code === EXIT.BAD_MODULE) assert.equal(j.fault?.kind, "name");
      return { code: r.code, out: j.serial, err: r.err };
    };
    let r = run("led");
    assert.deepEqual([r.code, r.out], [EXIT.OK, "5"], r.err);
    r = run("led", "sim-devkit");
    assert.deepEqual([r.code, r.out], [EXIT.OK, "0"], r.err);
    r = run("optional");
    assert.deepEqual([r.code, r.out], [EXIT.OK, "/"], r.err); // EBADPORT (-1): the firmware asked to be told
    r = run("unknown");
    assert.deepEqual([r.code, r.out, r.err], [EXIT.BAD_MODULE, "", `coop: board tiny-m0 has no pin named "NOPE" (its pins: LED, BUTTON)\n`]);
    r = run("badKind");
    assert.deepEqual([r.code, r.err], [EXIT.BAD_MODULE, "coop: board tiny-m0: resolve of unknown kind 7 (docs/abi.md, Names)\n"]);
    r = run("badPtr");
    assert.deepEqual([r.code, r.err], [EXIT.BAD_MODULE, "coop: board tiny-m0: resolve of a ADC channel name outside the firmware's memory (70000+4)\n"]);
  });
}

test("board files: UART and bus-device names default to UART<port> and TS1, and every name is unique", () => {
  const b = parseBoard({ name: "t", uarts: [{ port: 1 }], i2c: { devices: [{ type: "ts1", addr: 72 }] } }, "t.json");
  assert.deepEqual([b.uarts[0].name, b.i2c.devices[0].name], ["UART1", "TS1"]);
  assert.throws(() => parseBoard({ name: "t", uarts: [{ port: 0, name: "LED" }], pins: [{ pin: 0, name: "LED", dir: "out" }] }, "t.json"), /name LED is used twice/);
});

/** The native runners: the same answers, word for word, as the simulator (board "native": sim-devkit's names). */
async function nativeCases(bin: (wasm: string) => string[]) {
  let r = await runBin(bin(mods.led)[0], bin(mods.led).slice(1));
  assert.deepEqual([r.status, r.stdout], [EXIT.OK, "0"], r.stderr);
  r = await runBin(bin(mods.optional)[0], bin(mods.optional).slice(1));
  assert.deepEqual([r.status, r.stdout], [EXIT.OK, "/"], r.stderr);
  r = await runBin(bin(mods.unknown)[0], bin(mods.unknown).slice(1));
  assert.equal(r.status, EXIT.BAD_MODULE);
  assert.equal(oneErrorLine(r, /^coop: /), `coop: board native has no pin named "NOPE" (its pins: LED, LED2, BUTTON, BUTTON2)`);
  r = await runBin(bin(mods.badKind)[0], bin(mods.badKind).slice(1));
  assert.equal(oneErrorLine(r, /^coop: /), "coop: board native: resolve of unknown kind 7 (docs/abi.md, Names)");
  r = await runBin(bin(mods.badPtr)[0], bin(mods.badPtr).slice(1));
  assert.equal(oneErrorLine(r, /^coop: /), "coop: board native: resolve of a ADC channel name outside the firmware's memory (70000+4)");
  assert.equal(r.status, EXIT.BAD_MODULE);
}

test("native runner (wasm3): resolve's answers and the unknown-name report; server.wasm needs UART1", async () => {
  assert.ok(existsSync(NATIVE), "build/coop-native missing: npm run setup");
  await nativeCases((w) => [NATIVE, w]);
  const r = await runBin(NATIVE, [fw("server")]);
  assert.equal(r.status, EXIT.BAD_MODULE);
  assert.equal(oneErrorLine(r, /^coop: /), `coop: board native has no UART named "UART1" (its UARTs: UART0)`);
  const ok = await runBin(NATIVE, ["--until", "1100", fw("anyboard")]);
  assert.deepEqual([ok.status, ok.stdout], [EXIT.OK, "pot 0\n"], ok.stderr);
});

const aotSkip = haveWasm2c() ? false : "wasm2c not installed (npm run setup:mcu installs Debian's wabt)";
test("native runner (AOT): the same answers as wasm3", { skip: aotSkip }, async () => {
  let seq = 0;
  await nativeCases((w) => [buildNativeAot({ wasm: w, root: ROOT, out: join(TMP, `aot${seq++}`), quiet: true }).runner]);
});

const qemuSkip = missingTools().length ? `missing ${missingTools().join(", ")} (npm run setup:mcu)` : false;
test("MCU under QEMU: blinky.wasm asks for LED, which mps2-an385 does not wire: exit BAD_MODULE, the report on UART0", { skip: qemuSkip, timeout: 240_000 }, async () => {
  const out = join(TMP, "mcu");
  const built = await buildMcu({ wasm: fw("blinky"), out, root: ROOT, memoryLimit: 65536, measure: false, quiet: true });
  const r = await runQemu(built.elf, { timeoutMs: 60_000 });
  assert.equal(r.status, EXIT.BAD_MODULE, r.uart + r.diag);
  assert.equal(r.uart, `coop: board mps2-an385 has no pin named "LED" (it has no pins)\n`);
});
