// Simulator-level engine comparison: run one firmware in the real simulator
// (host/sim/: same board models, virtual clock, seed, scenario) on a given
// engine, and collect what a user sees: UART0 output, the task-level Chrome
// trace (polls, wakes, IRQ deliveries, ready-queue counter, with simulated
// timestamps), the scenario's outcome and any fault. `diffRuns` names the
// first event where two runs differ.
//
// May import: host/engine.ts, host/sim/*, host/scenario.ts.

import type { Engine } from "../../engine.js";
import type { BoardDesc } from "../../sim/board.js";
import { Simulator } from "../../sim/simulator.js";
import { SimTarget } from "../../sim/target.js";
import { runScenario, type Scenario } from "../../scenario.js";

export interface SimRunOptions {
  seed?: number;
  scenario?: Scenario;
  /** Bytes sent to UART0 right after start. */
  uartIn?: string;
  /** Run on until this simulated time (µs), after the scenario if any. */
  untilUs?: number;
  /** The simulator's fuel per step (default: the simulator's). */
  fuel?: number | false;
}

export interface SimRun {
  engine: string;
  /** Chrome trace events, one JSON object per entry, in emission order. */
  events: string[];
  serial: string;
  /** "passed" / "failed at step N: message" / "none". */
  scenario: string;
  fault: string | null;
  steps: number;
  endUs: number;
  /** Wall time of load + run, milliseconds. */
  wallMs: number;
}

export async function runSim(engine: Engine, board: BoardDesc, wasm: Uint8Array, opts: SimRunOptions = {}): Promise<SimRun> {
  const t0 = performance.now();
  const sim = new Simulator(board, { seed: opts.seed ?? 1, trace: true, fuel: opts.fuel });
  let scenario = "none";
  try {
    await sim.load(engine, wasm);
    if (opts.uartIn && !sim.fault) sim.uarts.get(0)?.send(Buffer.from(opts.uartIn, "latin1"));
    if (opts.scenario && !sim.fault) {
      const target = new SimTarget(sim);
      const r = await runScenario(opts.scenario, target, target);
      scenario = r.ok ? "passed" : `failed at step ${(r.failure?.index ?? -1) + 1}: ${r.failure?.message}`;
    }
    if (!sim.fault && opts.untilUs !== undefined && sim.now() < opts.untilUs) sim.run(opts.untilUs);
  } finally {
    sim.flushTrace(); // reads task names: before close
    sim.fw?.close();
  }
  const wallMs = performance.now() - t0;
  const f = sim.fault;
  const trace = JSON.parse(sim.chrome!.toJSON()) as { traceEvents: unknown[] };
  return {
    engine: engine.name,
    events: trace.traceEvents.map((e) => JSON.stringify(e)),
    serial: Buffer.from(sim.serial).toString("latin1"),
    scenario,
    // The trap text differs by engine after V8's wording (docs/engines.md); compare up to " (wasm3: ".
    fault: f ? `${f.kind} at ${f.tUs} us in task ${f.task} (${f.taskName}): ${f.message.replace(/ \(wasm3: .*$/, "")}` : null,
    steps: sim.steps,
    endUs: sim.now(),
    wallMs,
  };
}

/** The first difference between two runs as one readable paragraph, or null when they agree. */
export function diffRuns(a: SimRun, b: SimRun): string | null {
  const n = Math.max(a.events.length, b.events.length);
  for (let i = 0; i < n; i++) {
    if (a.events[i] !== b.events[i]) {
      return `trace event #${i} differs:\n  ${a.engine}: ${a.events[i] ?? "<no more events>"}\n  ${b.engine}: ${b.events[i] ?? "<no more events>"}\n  previous: ${a.events[i - 1] ?? "<start>"}`;
    }
  }
  if (a.serial !== b.serial) {
    let i = 0;
    while (i < a.serial.length && a.serial[i] === b.serial[i]) i++;
    const ctx = (s: string) => JSON.stringify(s.slice(Math.max(0, i - 20), i + 20));
    return `UART0 output differs at byte ${i}:\n  ${a.engine}: ${ctx(a.serial)}\n  ${b.engine}: ${ctx(b.serial)}`;
  }
  if (a.scenario !== b.scenario) return `scenario outcome differs:\n  ${a.engine}: ${a.scenario}\n  ${b.engine}: ${b.scenario}`;
  if (a.fault !== b.fault) return `fault differs:\n  ${a.engine}: ${a.fault}\n  ${b.engine}: ${b.fault}`;
  if (a.endUs !== b.endUs || a.steps !== b.steps) return `run length differs: ${a.engine} ${a.steps} steps to ${a.endUs} us, ${b.engine} ${b.steps} steps to ${b.endUs} us`;
  return null;
}
