// Engine benchmark: prints the figures docs/engines.md quotes.
//   node build/js/host/engines/wasm3/bench.js [simulated seconds, default 60]
// 1. cost of one board import call, V8 vs wasm3 (loop with the call minus the same loop without);
// 2. raw compute speed (a loop with no imports);
// 3. the floor of the rejected design (pywasm3 in a helper process): one pipe round trip Node <-> Python;
// 4. the demo in the simulator: same simulated run on V8 and on wasm3, wall time (median of 5).
// Figures are wall-clock and vary with the machine; nothing here asserts them.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { BoardImports, Engine, Firmware } from "../../engine.js";
import { V8Engine } from "../v8.js";
import { Wasm3Engine, loadNative, BOARD_IMPORT_SIGNATURES } from "../wasm3.js";
import { findBoard, loadBoard } from "../../board-file.js";
import { Simulator } from "../../sim/simulator.js";
import { ROOT, compileFixture, ensureWasm3Built } from "./testkit.js";
import { unkeptIrqQuiet } from "../../abi.js";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function stubImports(): Record<string, ((...a: never[]) => unknown) | WebAssembly.Global> {
  const n = () => 0;
  return {
    tick_hz: () => 1_000_000, now: () => 12345n, set_alarm: () => {}, irq_take: n, uart_write: n, uart_read: n,
    uart_overruns: n, gpio_write: n, gpio_read: n, gpio_irq: n, adc_start: n, adc_read: n, bus_transfer: n,
    bus_status: n, resolve: n, log: () => {}, trace: () => {}, panic: () => { throw new Error("panic"); },
    irq_quiet: unkeptIrqQuiet(),
  };
}

type Runner = (fn: string, n: number) => number; // returns ms

async function v8Runner(wasm: Uint8Array): Promise<Runner> {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>), { board: stubImports() as WebAssembly.ModuleImports });
  const x = inst.exports as Record<string, (n: number) => bigint>;
  return (fn, n) => { const t = performance.now(); x[fn](n); return performance.now() - t; };
}

function wasm3Runner(wasm: Uint8Array): Runner {
  const nat = loadNative();
  const imps = stubImports();
  const h = nat.create(wasm, Object.entries(BOARD_IMPORT_SIGNATURES).map(([k, sig]) => ["board", k, sig, imps[k] as Function]), 64 * 1024, 0);
  const ids = new Map<string, number>();
  return (fn, n) => {
    if (!ids.has(fn)) ids.set(fn, nat.lookup(h, fn));
    const t = performance.now();
    nat.call(h, ids.get(fn)!, n);
    return performance.now() - t;
  };
}

function perCall(run: Runner, fn: string, n: number): { total: number; ns: number } {
  run(fn, 1000); run("bench_empty", 1000); // warm up (V8 tiers up; wasm3 compiled at load)
  const withCall = median([0, 1, 2, 3, 4].map(() => run(fn, n)));
  const without = median([0, 1, 2, 3, 4].map(() => run("bench_empty", n)));
  return { total: withCall, ns: ((withCall - without) * 1e6) / n };
}

/** Round trips over a pipe to a Python process: the least each import would cost in option (b). */
function pipeRoundTrip(n: number): Promise<number | null> {
  const py = `
import sys, time
out, inp = sys.stdout.buffer, sys.stdin.buffer
t = time.perf_counter()
for i in range(${n}):
    out.write(b"now\\n"); out.flush()
    inp.readline()
sys.stderr.write("%f\\n" % ((time.perf_counter() - t) / ${n} * 1e6)); sys.stderr.flush()
`;
  return new Promise((resolve) => {
    const child = spawn("python3", ["-c", py], { stdio: ["pipe", "pipe", "pipe"] });
    let err = "";
    let buf = "";
    child.on("error", () => resolve(null));
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString("latin1");
      let k;
      while ((k = buf.indexOf("\n")) >= 0) { buf = buf.slice(k + 1); child.stdin.write("12345\n"); }
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (code) => resolve(code === 0 ? Number(err.trim()) : null));
  });
}

/** Wraps an engine to count board import calls. */
function counting(engine: Engine, counter: { n: number }): Engine {
  return {
    name: engine.name,
    check: (wasm) => engine.check(wasm),
    load(wasm: Uint8Array, imports: BoardImports): Promise<Firmware> {
      const wrapped: Record<string, unknown> = {};
      for (const [k, f] of Object.entries(imports)) wrapped[k] = (...a: unknown[]) => { counter.n++; return (f as (...x: unknown[]) => unknown)(...a); };
      return engine.load(wasm, wrapped as unknown as BoardImports);
    },
  };
}

async function demoRun(engine: Engine, wasm: Uint8Array, untilUs: number): Promise<{ loadMs: number; runMs: number; steps: number; serial: number }> {
  const board = loadBoard(findBoard("sim-devkit", ROOT));
  const sim = new Simulator(board, { seed: 1 });
  const t0 = performance.now();
  await sim.load(engine, wasm);
  const t1 = performance.now();
  sim.uarts.get(0)?.send(Buffer.from("help\nping\ntasks\nuptime\ntemp\nadc 0\n"));
  sim.run(untilUs);
  const t2 = performance.now();
  sim.fw?.close();
  if (sim.fault) throw new Error(`demo faulted on ${engine.name}: ${sim.fault.message}`);
  return { loadMs: t1 - t0, runMs: t2 - t1, steps: sim.steps, serial: sim.serial.length };
}

async function main(): Promise<void> {
  ensureWasm3Built();
  const seconds = Number(process.argv[2] ?? 60);
  const wasm = await compileFixture("bench");
  const v8 = await v8Runner(wasm);
  const w3 = wasm3Runner(wasm);
  const N = 500_000;
  console.log(`wasm3 ${loadNative().version()} via Node-API addon; Node ${process.version}`);
  console.log(`\n1. import call cost (${N} calls, median of 5, loop cost subtracted)`);
  for (const fn of ["bench_now", "bench_gpio"]) {
    const a = perCall(v8, fn, N);
    const b = perCall(w3, fn, N);
    console.log(`  ${fn.padEnd(11)} V8 ${a.ns.toFixed(1).padStart(6)} ns/call   wasm3 ${b.ns.toFixed(1).padStart(6)} ns/call`);
  }
  const CN = 20_000_000;
  const cv = median([0, 1, 2].map(() => v8("bench_compute", CN)));
  const cw = median([0, 1, 2].map(() => w3("bench_compute", CN)));
  console.log(`\n2. compute loop, ${CN} rounds: V8 ${cv.toFixed(0)} ms, wasm3 ${cw.toFixed(0)} ms (wasm3 ${(cw / cv).toFixed(1)}x slower)`);
  const rt = await pipeRoundTrip(20_000);
  console.log(`\n3. option (b) floor, one Node<->Python pipe round trip: ${rt === null ? "python3 not available" : `${rt.toFixed(1)} us`}`);

  const demo = new Uint8Array(readFileSync(join(ROOT, "build/demo.wasm")));
  const counter = { n: 0 };
  // Also warms up binaryen (fuel instrumentation), so the first engine measured is not charged for it.
  await demoRun(counting(new V8Engine(), counter), demo, seconds * 1e6);
  console.log(`\n4. demo (build/demo.wasm) in the simulator, ${seconds} s simulated, seed 1, shell input; ${counter.n} import calls`);
  for (const engine of [new V8Engine(), new Wasm3Engine()]) {
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await demoRun(engine, demo, seconds * 1e6));
    const r = runs[0];
    console.log(`  ${engine.name.padEnd(5)} load+instrument ${median(runs.map((x) => x.loadMs)).toFixed(0).padStart(5)} ms, run ${median(runs.map((x) => x.runMs)).toFixed(0).padStart(5)} ms (${r.steps} steps, ${r.serial} UART bytes)`);
  }
}

main().catch((e) => {
  process.stderr.write(`bench: ${(e as Error).message.split("\n")[0]}\n`);
  process.exit(1);
});
