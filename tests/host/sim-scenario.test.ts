// Scenario parsing (errors with line numbers) and the runner's failure
// reports, against a scripted fake target and against the simulator.

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseScenario, runScenario, formatFailure, parseDuration, checkScenario, ScenarioError, STEP_KINDS, type ScenarioTarget } from "../../host/scenario.js";
import { fixture, bytes, ROOT } from "./fixtures/build.js";
import { Simulator } from "../../host/sim/simulator.js";
import { SimTarget } from "../../host/sim/target.js";
import { loadBoard, findBoard } from "../../host/board-file.js";
import { V8Engine } from "../../host/engines/v8.js";

test("durations", () => {
  assert.equal(parseDuration("500ms"), 500_000);
  assert.equal(parseDuration("1.5s"), 1_500_000);
  assert.equal(parseDuration("20us"), 20);
  assert.equal(parseDuration("24h"), 86_400_000_000);
  assert.equal(parseDuration(100), 100_000);
  assert.equal(parseDuration("fast"), null);
  assert.equal(parseDuration(-1), null);
});

test("parses every step kind, YAML and JSON", () => {
  const sc = parseScenario(`name: all
steps:
  - write-serial: "ping\\n"
  - wait-serial: "po+ng"
    timeout: 500ms
  - set-pin: { pin: BUTTON, level: 1 }
  - expect-pin: { pin: 0, level: high }
  - set-adc: { channel: POT, value: 2048 }
  - wait: 100ms
  - no-serial: "error"
    for: 500ms
  - expect-toggles: { pin: LED, count: "8..12", within: 1s }
  - expect-period: { pin: LED, period: 100ms, tolerance: 5% }
`, "all.yaml");
  assert.deepEqual(sc.steps.map((s) => s.kind), STEP_KINDS);
  assert.deepEqual(sc.steps.map((s) => s.line), [3, 4, 6, 7, 8, 9, 10, 12, 13]);
  const ws = sc.steps[1];
  assert.ok(ws.kind === "wait-serial" && ws.timeoutUs === 500_000 && ws.pattern.test("pooong"));
  const j = parseScenario(JSON.stringify({ name: "j", steps: [{ wait: "1s" }] }), "j.json");
  assert.equal(j.steps[0].kind, "wait");
});

test("errors name the file and line", () => {
  const bad = (src: string, re: RegExp) => assert.throws(() => parseScenario(src, "s.yaml"), (e: Error) => e instanceof ScenarioError && re.test(e.message) && !e.message.includes("\n"));
  bad("name: x\nsteps:\n  - wait: [1, 2\n", /^s\.yaml:\d+: does not parse/);
  bad("name: x\nsteps:\n  - wait: 1s\n  - jump: 3\n", /^s\.yaml:4: unknown step \(keys: jump\)/);
  bad("name: x\nsteps:\n  - wait-serial: \"(unclosed\"\n", /^s\.yaml:3: wait-serial: regex "\(unclosed" does not compile/);
  bad("name: x\nsteps:\n  - wait: soon\n", /^s\.yaml:3: wait: "soon" is not a duration/);
  bad("name: x\nsteps:\n  - set-pin: { pin: LED }\n", /^s\.yaml:3: set-pin: missing `level`/);
  bad("name: x\nsteps:\n  - set-adc: { channel: 0, value: 5000 }\n", /0\.\.4095/);
  bad("name: x\n", /`steps` must be a list/);
  bad("- wait: 1s\n", /a scenario is a mapping/);
});

test("a YAML syntax error names the line it is on, not line 0", () => {
  const lineOf = (src: string) => {
    try {
      parseScenario(src, "f.yaml");
    } catch (e) {
      return /^f\.yaml:(\d+): does not parse/.exec((e as Error).message)?.[1];
    }
    return "parsed";
  };
  // The unclosed quote opens on line 3; the parser only notices at the end of the file.
  assert.equal(lineOf('name: x\nsteps:\n  - write-serial: "ping\n  - wait: 10ms\n'), "3");
  assert.equal(lineOf("name: x\nsteps:\n  - wait: 1s\n  - write-serial: 'ping\n  - wait: 10ms\n"), "4");
  assert.equal(lineOf("name: x\nsteps:\n  - wait: 1s\n   - oops: 1\n"), "4");
});

function fakeTarget(out: string): ScenarioTarget & { log: string[] } {
  let t = 0;
  const log: string[] = [];
  return {
    name: "fake", log,
    supports: new Set(["write-serial", "wait-serial", "wait", "expect-pin"]),
    resolvePin: (p) => (p === "LED" || p === 0 ? 0 : null),
    resolveChannel: () => null,
    now: () => t,
    writeSerial: async (d) => { log.push(`w:${new TextDecoder().decode(d)}`); },
    waitSerial: async (re, to) => { const m = re.exec(out); if (m) return m[0]; t += to; return null; },
    setPin: async () => {}, readPin: async () => 1, setAdc: async () => {},
    wait: async (us) => { t += us; },
    serialTail: (n) => out.split("\n").slice(-n),
  };
}

test("runner: passes, or stops at the first failing step with index, time and last serial lines", async () => {
  const ok = parseScenario('name: ok\nsteps:\n  - write-serial: "a\\n"\n  - wait-serial: "hello"\n  - expect-pin: { pin: LED, level: 1 }\n');
  assert.equal((await runScenario(ok, fakeTarget("hello\n"))).ok, true);
  const sc = parseScenario('name: bad\nsteps:\n  - wait: 1s\n  - wait-serial: "bye"\n    timeout: 2s\n  - wait: 1s\n', "bad.yaml");
  const ft = fakeTarget("line one\nline two");
  const r = await runScenario(sc, ft);
  assert.equal(r.ok, false);
  assert.equal(r.failure!.index, 1);
  assert.equal(r.timeUs, 3_000_000);
  const text = formatFailure(sc, r);
  assert.match(text, /failed at step 2\/3 \(bad\.yaml:4\) .*wait-serial.*no serial output matched \/bye\/ within 2000 ms, at t=3\.000000 s/);
  assert.match(text, /\| line two/);
  const pinFail = parseScenario("name: p\nsteps:\n  - expect-pin: { pin: LED, level: 0 }\n");
  assert.match((await runScenario(pinFail, ft)).failure!.message, /pin "LED" is 1, expected 0/);
});

test("runner refuses unsupported steps and unknown pins/channels before running anything", async () => {
  const ft = fakeTarget("");
  const sc = parseScenario("name: x\nsteps:\n  - write-serial: \"a\"\n  - set-adc: { channel: 0, value: 1 }\n  - expect-pin: { pin: NOPE, level: 1 }\n", "x.yaml");
  assert.deepEqual(checkScenario(sc, ft), ["x.yaml:4: target fake does not support set-adc", "x.yaml:4: unknown ADC channel 0", "x.yaml:5: unknown pin \"NOPE\""]);
  await assert.rejects(runScenario(sc, ft), /does not support set-adc/);
  assert.deepEqual(ft.log, []);
});

test("simulator target runs a scenario in simulated time", async () => {
  const sim = new Simulator(loadBoard(findBoard("sim-devkit", ROOT)));
  await sim.load(new V8Engine(), bytes(await fixture("echo")));
  const sc = parseScenario(`name: echo
steps:
  - write-serial: "ping\\n"
  - wait-serial: "pong"
    timeout: 10ms
  - set-pin: { pin: BUTTON, level: 1 }
  - wait: 1ms
  - expect-pin: { pin: LED2, level: 1 }
  - set-adc: { channel: LIGHT, value: 77 }
  - write-serial: "adc2\\n"
  - wait-serial: "adc=77"
  - wait: 24h
`);
  const r = await runScenario(sc, new SimTarget(sim));
  assert.equal(r.ok, true, r.failure?.message);
  assert.ok(r.timeUs >= 86_400e6 && r.timeUs < 86_401e6);
});
