// Differential check in the simulator: the demo firmware (build/demo.wasm)
// under every scenario of tests/hil/ (and tests/hil/sim/), and in a free run
// with input, on the V8 and the wasm3 engine. Same board models, clock and
// seed; the UART output, the trace (every poll, wake with its cause, IRQ
// delivery, ready-queue sample, firmware mark, GPIO write, UART line and
// scenario step, with its simulated timestamp), the
// scenario outcome and any fault must be identical. A difference fails and
// names the first diverging event.

import { test, before } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "../../host/engine.js";
import type { BoardDesc } from "../../host/sim/board.js";
import { findBoard, loadBoard } from "../../host/board-file.js";
import { parseScenario } from "../../host/scenario.js";
import { V8Engine } from "../../host/engines/v8.js";
import { Wasm3Engine } from "../../host/engines/wasm3.js";
import { runSim, diffRuns, type SimRunOptions } from "../../host/engines/wasm3/simdiff.js";
import { ROOT, compileFixture, ensureWasm3Built } from "../../host/engines/wasm3/testkit.js";
import { fixture, bytes } from "./fixtures/build.js";

let v8: Engine;
let wasm3: Engine;
let board: BoardDesc;
let demo: Uint8Array;

before(() => {
  ensureWasm3Built();
  v8 = new V8Engine();
  wasm3 = new Wasm3Engine();
  board = loadBoard(findBoard("sim-devkit", ROOT));
  const path = join(ROOT, "build/demo.wasm");
  assert.ok(existsSync(path), "build/demo.wasm is missing: run npm run build");
  demo = new Uint8Array(readFileSync(path));
});

async function same(what: string, wasm: Uint8Array, opts: SimRunOptions) {
  const a = await runSim(v8, board, wasm, opts);
  const b = await runSim(wasm3, board, wasm, opts);
  const d = diffRuns(a, b);
  assert.equal(d, null, `${what}: V8 and wasm3 differ: ${d}`);
  return a;
}

const scenarioFiles = ["tests/hil", "tests/hil/sim"].flatMap((dir) =>
  existsSync(join(ROOT, dir)) ? readdirSync(join(ROOT, dir)).filter((f) => f.endsWith(".yaml")).map((f) => join(dir, f)) : [],
);

test("there are scenarios to compare", () => {
  assert.ok(scenarioFiles.length > 0, "tests/hil/*.yaml");
});

for (const file of scenarioFiles) {
  test(`demo, scenario ${file}: identical on V8 and wasm3`, async () => {
    const scenario = parseScenario(readFileSync(join(ROOT, file), "utf8"), file);
    const r = await same(file, demo, { scenario, seed: 1 });
    assert.ok(r.events.some((e) => e.includes('"name":"poll"')), "the trace has polls");
  });
}

test("demo free run with shell input, 20 s simulated, two seeds: identical on V8 and wasm3", async () => {
  for (const seed of [1, 42]) {
    const r = await same(`free run seed ${seed}`, demo, { seed, uartIn: "help\nping\ntasks\nuptime\ntemp\nadc 0\nbogus\n", untilUs: 20_000_000 });
    assert.ok(r.serial.length > 100, "the demo printed");
    assert.equal(r.fault, null);
  }
});

test("wake causes, firmware marks, GPIO writes, UART lines and scenario steps: identical on V8 and wasm3", async () => {
  const scenario = parseScenario([
    "name: trace contents",
    "steps:",
    "  - write-serial: \"led1\\n\"",
    "  - wait-serial: ok",
    "  - set-pin: { pin: BUTTON, level: 1 }",
    "  - wait: 5ms",
    "  - expect-pin: { pin: LED2, level: 1 }",
  ].join("\n"), "trace.yaml");
  const r = await same("echo fixture", bytes(await fixture("echo")), { scenario, seed: 3, uartIn: "ping\n" });
  assert.equal(r.scenario, "passed");
  for (const want of ['"cat":"mark"', '"name":"LED=1"', '"name":"LED2=1"', '"cause":"irq UART0_RX (line 1)"', '"cause":"irq GPIO2 (line 18)"', '"name":"step 5: expect-pin"', '"name":"pong"', '"name":"led1"']) {
    assert.ok(r.events.some((e) => e.includes(want)), `the trace has ${want}`);
  }
});

test("a trapping firmware faults at the same time, in the same task, with the same error on both", async () => {
  const r = await same("traps fixture", await compileFixture("traps", "debug"), { uartIn: "2", untilUs: 100_000 });
  assert.match(r.fault ?? "", /^trap at [\d.]+ us in task 0 \(trapper\): RuntimeError: unreachable$/);
});

test("a runaway poll is stopped by fuel at the same point on both engines", async () => {
  const r = await same("runaway fixture", await compileFixture("traps", "release"), { uartIn: "9", untilUs: 100_000, fuel: 200_000 });
  assert.match(r.fault ?? "", /^runaway at [\d.]+ us in task 0 \(trapper\): did not return within 200000 work units/);
});

test("diffRuns names the first diverging trace event", async () => {
  const a = await runSim(wasm3, board, demo, { seed: 1, untilUs: 1_500_000 });
  const b = await runSim(wasm3, board, demo, { seed: 1, uartIn: "ping\n", untilUs: 1_500_000 });
  const d = diffRuns(a, b);
  assert.ok(d, "different input must show");
  assert.match(d!, /^trace event #\d+ differs:\n {2}wasm3: \{.*"ts":/);
});
