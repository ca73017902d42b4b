// coop on V8: the bench firmware (build/bench/coop.wasm, from bench/as/)
// linked to the in-wasm bench board (build/bench/board.wasm), so every board
// call is wasm-to-wasm and the loop never leaves wasm during a run.
// Usage: node build/js/bench/impls/coop_v8.js <workload> <n> <t> <reps> <seed>

import { readFileSync } from "node:fs";
import { parseArgs, emit, fail, opsOf } from "./proto.js";

const args = parseArgs(process.argv.slice(2));
const dir = process.env.COOP_BENCH_DIR ?? "build/bench";

function load(name: string): Uint8Array<ArrayBuffer> {
  try { return new Uint8Array(readFileSync(`${dir}/${name}.wasm`)); } catch { return fail(`${dir}/${name}.wasm missing: run npm run bench (it builds it)`); }
}

const board = new WebAssembly.Instance(new WebAssembly.Module(load("board")), {});
const b = board.exports as Record<string, WebAssembly.ExportValue>;
const fw = new WebAssembly.Instance(new WebAssembly.Module(load("coop")), { board: b, benchctl: b } as WebAssembly.Imports);
const x = fw.exports as Record<string, (...a: number[]) => bigint | number>;
(x._start as () => void)();

const run = (): bigint => {
  switch (args.workload) {
    case "pingpong": return x.pingpong(args.n) as bigint;
    case "fanout": return x.fanout(args.n, args.t, args.seed) as bigint;
    case "timers": return x.timers(args.n, args.t, args.seed) as bigint;
    case "channel": return x.channel(args.n) as bigint;
  }
};

try {
  const h0 = x.heap_top();
  if (run() < 0n) fail(`${args.workload}: the firmware reported a stall or a bad argument`);
  const h1 = x.heap_top();
  for (let r = 0; r < args.reps; r++) {
    const t0 = process.hrtime.bigint();
    const c = run();
    const t1 = process.hrtime.bigint();
    emit(t1 - t0, opsOf(args), c);
  }
  // The first run may allocate nothing either; later runs must not move the heap.
  if (x.heap_top() !== h1) fail(`${args.workload}: the heap grew during the timed runs (${h1} -> ${x.heap_top()})`);
  void h0;
} catch (e) {
  fail(`${args.workload}: firmware trapped: ${(e as Error).message}`);
}
