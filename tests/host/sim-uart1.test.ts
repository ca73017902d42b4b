// The second UART of sim-devkit: the simulator models UART1 like UART0
// (FIFOs, baud rate, its own IRQ lines 3/4), scenarios name it with
// `port: 1`, and `coop run` feeds it with --uart1-in and reports it in --json.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Simulator } from "../../host/sim/simulator.js";
import { SimTarget } from "../../host/sim/target.js";
import { loadBoard, findBoard } from "../../host/board-file.js";
import { V8Engine } from "../../host/engines/v8.js";
import { parseScenario, runScenario, checkScenario, formatFailure, ScenarioError } from "../../host/scenario.js";
import { fixture, bytes, ROOT, CLI } from "./fixtures/build.js";

const devkit = () => loadBoard(findBoard("sim-devkit", ROOT));

test("sim-devkit has UART1 on lines 3/4, with the same FIFOs and baud rate as UART0", () => {
  const b = devkit();
  assert.deepEqual(b.uarts.map((u) => u.port), [0, 1]);
  const sim = new Simulator(b);
  const u1 = sim.uarts.get(1)!;
  assert.equal(u1.rxLine, 3);
  assert.equal(u1.txLine, 4);
  assert.equal(u1.byteUs, sim.uarts.get(0)!.byteUs);
  assert.equal(u1.rxDepth, 16);
  assert.equal(u1.txDepth, 16);
});

test("one firmware serves both UARTs; each port's input and output are separate", async () => {
  const sim = new Simulator(devkit());
  await sim.load(new V8Engine(), bytes(await fixture("uart2")));
  const t = new SimTarget(sim);
  assert.deepEqual([...t.serialPorts], [0, 1]);
  await t.writeSerial(new TextEncoder().encode("hello\n"), 1);
  await t.writeSerial(new TextEncoder().encode("ping\n"), 0);
  assert.equal(await t.waitSerial(/u1 hello\n/, 10_000, 1), "u1 hello\n");
  assert.equal(await t.waitSerial(/pong\n/, 10_000, 0), "pong\n");
  assert.equal(Buffer.from(sim.serial).toString(), "pong\n");
  assert.equal(Buffer.from(sim.serial1).toString(), "u1 hello\n");
  const s = sim.summary() as { uart: { port: number; sent: number; received: number }[] };
  assert.deepEqual(s.uart.map((u) => [u.port, u.received, u.sent]), [[0, 5, 5], [1, 6, 9]]);
  // Output of one port never satisfies a wait on the other.
  assert.equal(await t.waitSerial(/u1 hello/, 5_000, 0), null);
});

test("UART1 runs at the baud rate: 10 bits per byte at 115200", async () => {
  const sim = new Simulator(devkit());
  await sim.load(new V8Engine(), bytes(await fixture("uart2")));
  const t = new SimTarget(sim);
  const t0 = t.now();
  await t.writeSerial(new TextEncoder().encode("0123456789\n"), 1); // 11 bytes in
  assert.ok(await t.waitSerial(/u1 0123456789\n/, 100_000, 1));
  const dt = t.now() - t0;
  const byteUs = 10e6 / 115200;
  // 11 bytes in, 14 out, one after the other: at least the wire time of 25 bytes.
  assert.ok(dt >= 24 * byteUs && dt < 40 * byteUs, `took ${dt} µs`);
});

test("scenarios: write-serial and wait-serial take `port` (default 0); a port the target lacks is refused before running", async () => {
  const sc = parseScenario(`name: two uarts
steps:
  - write-serial: "a\\n"
    port: 1
  - wait-serial: "u1 a"
    port: 1
    timeout: 10ms
  - write-serial: "b\\n"
  - wait-serial: "u0 b"
`, "two.yaml");
  assert.equal(sc.steps[0].kind === "write-serial" && sc.steps[0].port, 1);
  assert.equal(sc.steps[2].kind === "write-serial" && sc.steps[2].port, 0);
  const sim = new Simulator(devkit());
  await sim.load(new V8Engine(), bytes(await fixture("uart2")));
  const r = await runScenario(sc, new SimTarget(sim));
  assert.equal(r.ok, true, r.failure?.message);

  // A board with one UART: refused with the step's line.
  const tiny = new Simulator(loadBoard(findBoard("tiny-m0", ROOT)));
  assert.deepEqual(checkScenario(sc, new SimTarget(tiny)), ["two.yaml:3: target sim has no UART1", "two.yaml:5: target sim has no UART1"]);
  await assert.rejects(runScenario(sc, new SimTarget(tiny)), ScenarioError);
  // A target that is one serial line (no serialPorts, as the HIL stream targets): "does not support", which the HIL runner skips.
  const oneLine = { ...new SimTarget(sim), name: "serial", serialPorts: undefined } as unknown as SimTarget;
  assert.deepEqual(checkScenario(sc, oneLine), [
    "two.yaml:3: target serial does not support UART1 (write-serial port: 1)",
    "two.yaml:5: target serial does not support UART1 (wait-serial port: 1)",
  ]);
  assert.throws(() => parseScenario("name: x\nsteps:\n  - write-serial: \"a\"\n    port: 2\n", "x.yaml"), /x\.yaml:3: write-serial: port must be 0 or 1/);
  assert.throws(() => parseScenario("name: x\nsteps:\n  - wait: 1ms\n    port: 1\n", "x.yaml"), /wait: unexpected key port/);
});

test("a failed wait on UART1 reports UART1's last lines", async () => {
  const sim = new Simulator(devkit());
  await sim.load(new V8Engine(), bytes(await fixture("uart2")));
  const sc = parseScenario(`name: f
steps:
  - write-serial: "x\\n"
    port: 1
  - wait-serial: "nope"
    port: 1
    timeout: 5ms
`, "f.yaml");
  const r = await runScenario(sc, new SimTarget(sim));
  assert.equal(r.ok, false);
  assert.match(r.failure!.message, /no UART1 output matched \/nope\//);
  assert.match(formatFailure(sc, r), /last UART1 lines:\n {2}\| u1 x/);
});

test("coop run --uart1-in feeds UART1; --json reports serial1", async () => {
  const fw = await fixture("uart2");
  const dir = mkdtempSync(join(tmpdir(), "coop-uart1-"));
  writeFileSync(join(dir, "in0"), "ping\n");
  writeFileSync(join(dir, "in1"), "abc\n");
  const r = spawnSync(process.execPath, [CLI, "run", fw, "--uart-in", join(dir, "in0"), "--uart1-in", join(dir, "in1"), "--until", "50ms", "--json"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.serial, "pong\n");
  assert.equal(j.serial1, "u1 abc\n");
  const bad = spawnSync(process.execPath, [CLI, "run", fw, "--board", "tiny-m0", "--uart1-in", join(dir, "in1")], { encoding: "utf8" });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^coop: board tiny-m0 has no UART1 for --uart1-in/m);
});
