// Differential check at the ABI: the same firmware, the same scripted board
// (host/engines/wasm3/recorder.ts), V8 and wasm3. Every import call (with its
// arguments, result and virtual time), every coop_step return and the UART
// output must be identical; a difference fails naming the first diverging
// event. Runs every firmware in build/ plus the workload and trap fixtures.

import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "../../host/engine.js";
import { V8Engine } from "../../host/engines/v8.js";
import { Wasm3Engine } from "../../host/engines/wasm3.js";
import { record, firstDifference, type RecordOptions, type Recording, type Stimulus } from "../../host/engines/wasm3/recorder.js";
import { ROOT, compileFixture, ensureWasm3Built } from "../../host/engines/wasm3/testkit.js";
import { unkeptIrqQuiet } from "../../host/abi.js";

let v8: Engine;
let wasm3: Engine;
before(() => {
  ensureWasm3Built();
  v8 = new V8Engine();
  wasm3 = new Wasm3Engine();
});

// Input on every channel the recording board has, spread over the run.
const STIMULI: Stimulus[] = [
  { at: 1_000, uart: "hello" },
  { at: 5_000, pin: 2, level: 1 },
  { at: 9_000, pin: 2, level: 0 },
  { at: 20_000, adc: 0, value: 1234 },
  { at: 123_457, uart: "ping\n" },
  { at: 400_000, pin: 2, level: 1 },
  { at: 400_001, pin: 2, level: 0 },
  { at: 777_777, uart: "x" },
];

function explain(name: string, a: Recording, b: Recording): string | null {
  const d = firstDifference(a, b);
  if (!d) return null;
  return `${name}: V8 and wasm3 diverge at event #${d.index}:\n  v8:    ${d.a}\n  wasm3: ${d.b}\n  (previous: ${a.events[d.index - 1] ?? "<start>"})`;
}

async function same(name: string, wasm: Uint8Array, opts: RecordOptions): Promise<Recording> {
  const a = await record(v8, wasm, opts);
  const b = await record(wasm3, wasm, opts);
  const diff = explain(name, a, b);
  assert.equal(diff, null, diff ?? "");
  return a;
}

test("the workload fixture gives identical import calls, traces and UART output (release and debug)", async () => {
  for (const target of ["release", "debug"] as const) {
    const r = await same(`workload.${target}`, await compileFixture("workload", target), { untilUs: 2_000_000, stimuli: STIMULI, seed: 7 });
    assert.equal(r.end, "time");
    // The run really exercised every task: arithmetic, echo, edges, ADC, yields.
    for (const tag of ["C ", "E ", "G ", "A ", "Y "]) assert.ok(r.uart.includes(`\n${tag}`) || r.uart.startsWith(tag), `UART has ${tag.trim()} lines`);
    assert.ok(r.importCalls > 10_000, `import calls: ${r.importCalls}`);
  }
});

test("every firmware in build/ behaves identically on V8 and wasm3", async () => {
  const mods = readdirSync(join(ROOT, "build")).filter((f) => f.endsWith(".wasm"));
  assert.ok(mods.length > 0, "npm run build produced firmware");
  for (const f of mods) {
    const wasm = new Uint8Array(readFileSync(join(ROOT, "build", f)));
    if (!(await loads(wasm))) continue; // not a board-ABI firmware (benchmarks, fixtures): the refusal itself is compared below
    await same(f, wasm, { untilUs: 3_000_000, stimuli: STIMULI, seed: 3, maxSteps: 200_000 });
  }
});

async function loads(wasm: Uint8Array): Promise<boolean> {
  const msg = async (e: Engine) => {
    try { (await e.load(wasm, stubImports())).close(); return null; }
    catch (err) { return (err as Error).message; }
  };
  const [a, b] = [await msg(v8), await msg(wasm3)];
  assert.equal(b, a, "both engines accept or refuse the module alike");
  return a === null;
}

function stubImports() {
  const n = () => 0;
  return {
    tick_hz: () => 1_000_000, now: () => 0n, set_alarm: () => {}, irq_take: n, uart_write: n, uart_read: n,
    uart_overruns: n, gpio_write: n, gpio_read: n, gpio_irq: n, adc_start: n, adc_read: n, bus_transfer: n,
    bus_status: n, resolve: n, log: () => {}, trace: () => {}, panic: () => { throw new Error("panic"); },
    irq_quiet: unkeptIrqQuiet(), // left at 0: both engines take the flags before every batch
  };
}

test("traps and panics end both runs at the same event, with the same kind of failure", async () => {
  for (const mode of "01234567") {
    for (const target of ["release", "debug"] as const) {
      const r = await same(`traps ${mode} (${target})`, await compileFixture("traps", target), { untilUs: 100_000, stimuli: [{ at: 10, uart: mode }] });
      if ("12345".includes(mode)) assert.match(r.end, /^error: (trap|panic)/, `mode ${mode} fails`);
      else assert.equal(r.end, "time", `mode ${mode} runs on`);
    }
  }
});

test("the comparison is sensitive: a different seed or one changed event is reported", async () => {
  const wasm = await compileFixture("workload");
  const a = await record(wasm3, wasm, { untilUs: 300_000, stimuli: STIMULI, seed: 7 });
  const b = await record(wasm3, wasm, { untilUs: 300_000, stimuli: STIMULI, seed: 8 });
  const d = firstDifference(a, b);
  assert.ok(d, "different ADC samples must show");
  assert.match(d!.a, /adc_read 0 -> \d+/);
  const c = { ...a, events: [...a.events] };
  c.events[100] += " changed";
  assert.equal(firstDifference(a, c)?.index, 100);
  assert.match(explain("x", a, c) ?? "", /diverge at event #100/);
});
