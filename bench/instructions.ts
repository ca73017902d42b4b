// npm run bench:instructions [-- --n 20000] [--workloads pingpong,channel]
//
// x86 instructions per operation of each bench workload, counted by
// cachegrind, for every implementation that runs the same workloads
// natively or on a JIT that valgrind can follow: the C floor, coop on V8,
// coop ahead of time (wasm2c, gcc -O2), coop on wasm3 and Embassy. Wall
// clock on the shared VM drifts by 2x between runs; instruction counts are
// the same on every run, so they compare engines (issue 14) where times
// cannot. Per op = (Ir(2n) - Ir(n)) / 2n: every harness runs one warm-up and
// one timed run (reps 1), so start-up (loading, translating, _start) cancels
// out and 2n operations are left. The same method as docs/runtime.md and
// docs/sync.md use for wasm3 alone. Run `npm run bench` first: it builds the
// harnesses and build/bench/coop.wasm. Writes build/bench/instructions.json.
// coop on V8 runs with --no-liftoff --predictable: TurboFan compiles each
// function once, on the main thread where cachegrind sees it, and V8's
// time-driven work (the memory reducer, idle-time GC) is off. With
// --single-threaded alone, three runs on a loaded machine gave 130, 137 and
// 134 per channel message; with --predictable, 135 three times.
// The ratio columns are issue 14's targets, in instructions.

import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { existsSync, mkdirSync } from "node:fs";
import { WORKLOADS, type Workload } from "./impls/proto.js";
import { writeAtomic } from "./run.js";

const OUT = "build/bench";
const T = 16, SEED = 20261121;
/** Operations per run for coop on V8 at the least (see Engine). A multiple of T. */
const V8_MIN_OPS = 600_000;

/**
 * `needs`: the file that must exist for the engine to be counted (what `npm run bench` builds).
 * `minOps`: the engine runs at least this many operations whatever n is. V8 needs long runs:
 * at 16 000 operations its per-op figure was 24 for ping-pong and negative for channel (tier-up,
 * GC and code flushing land in one run and not the other); at 160 000 fan-out and channel still
 * moved by 8% between run lengths; from 600 000 to 1 200 000 they hold within 1% (ping-pong
 * 323/321, fan-out 378/376, channel 136/135; measured with --single-threaded).
 */
interface Engine { id: string; label: string; exe: string; args: string[]; needs: string; minOps?: number }
const ENGINES: Engine[] = [
  { id: "c-floor", label: "C bitmask floor (-O2)", exe: `${OUT}/floor`, args: [], needs: `${OUT}/floor` },
  { id: "coop-v8", label: "coop on V8 (TurboFan)", exe: process.execPath, args: ["--no-liftoff", "--predictable", "build/js/bench/impls/coop_v8.js"], needs: `${OUT}/coop.wasm`, minOps: V8_MIN_OPS },
  { id: "coop-aot", label: "coop AOT (wasm2c, gcc -O2)", exe: `${OUT}/coop-aot`, args: [], needs: `${OUT}/coop-aot` },
  { id: "coop-wasm3", label: "coop on wasm3", exe: `${OUT}/coop-wasm3`, args: [`${OUT}/coop.wasm`], needs: `${OUT}/coop-wasm3` },
  { id: "embassy", label: "Embassy (Rust, host)", exe: `${OUT}/cargo/release/coop-bench-embassy`, args: [], needs: `${OUT}/cargo/release/coop-bench-embassy` },
];

function bail(msg: string): never {
  process.stderr.write(`bench:instructions: ${msg}\n`);
  process.exit(2);
}

/** Cachegrind's total instruction count ("I refs") from its summary on stderr, or null. */
export function instructionRefs(stderr: string): number | null {
  const m = /I\s+refs:\s+([\d,]+)/.exec(stderr);
  return m ? Number(m[1].replace(/,/g, "")) : null;
}

function count(e: Engine, w: Workload, n: number): number | string {
  const r = spawnSync("valgrind", ["--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
    e.exe, ...e.args, w, String(n), String(T), "1", String(SEED)], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) return r.error.message;
  if (r.status !== 0) return (r.stderr.split("\n").find((l) => /^bench:/.test(l)) ?? `exit ${r.status}`).trim();
  return instructionRefs(r.stderr) ?? "no 'I refs' line in cachegrind's output";
}

function main(): void {
  const argv = process.argv.slice(2);
  let n = 20_000, ws: Workload[] = [...WORKLOADS];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--n") n = Number(argv[++i]);
    else if (argv[i] === "--workloads") ws = (argv[++i] ?? "").split(",").filter(Boolean) as Workload[];
    else bail(`unknown option '${argv[i]}' (use --n N, --workloads a,b)`);
  }
  // A multiple of T, so the timers workload runs exactly n operations.
  if (!(Number.isInteger(n) && n >= T && n % T === 0)) bail(`--n takes a multiple of ${T}`);
  for (const w of ws) if (!WORKLOADS.includes(w)) bail(`unknown workload '${w}' (one of ${WORKLOADS.join(", ")})`);
  if (spawnSync("valgrind", ["--version"]).status !== 0) {
    // Nothing to count with: say so, with the command, and do not fail a run that only lacks the tool.
    process.stdout.write("bench:instructions: SKIPPED: valgrind not installed (install: apt-get install valgrind)\n");
    return;
  }
  const rows: { workload: Workload; impl: string; instructions_per_op: number | null; why?: string; failed?: boolean }[] = [];
  for (const w of ws) {
    for (const e of ENGINES) {
      if (!existsSync(e.needs)) { rows.push({ workload: w, impl: e.id, instructions_per_op: null, why: `${e.needs} not built (npm run bench builds it)` }); continue; }
      const m = Math.max(n, e.minOps ?? 0);
      const a = count(e, w, m), b = count(e, w, 2 * m);
      if (typeof a === "string" || typeof b === "string") { rows.push({ workload: w, impl: e.id, instructions_per_op: null, why: String(typeof a === "string" ? a : b), failed: true }); continue; }
      rows.push({ workload: w, impl: e.id, instructions_per_op: (b - a) / (2 * m) });
    }
  }
  const per = (w: Workload, id: string) => rows.find((r) => r.workload === w && r.impl === id)?.instructions_per_op ?? null;
  const f = (x: number | null) => (x === null ? "–" : x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const ratio = (a: number | null, b: number | null) => (a === null || b === null ? "–" : (a / b).toFixed(2));
  const out = [
    `## x86 instructions per operation (cachegrind, (Ir(2n) - Ir(n)) / 2n, n = ${n} (coop on V8: ${Math.max(n, V8_MIN_OPS)}), T = ${T}, seed ${SEED})`, "",
    `| workload | ${ENGINES.map((e) => e.label).join(" | ")} | V8 × Embassy | V8 × C floor | AOT × Embassy | wasm3 × C floor |`,
    `| --- | ${ENGINES.map(() => "---:").join(" | ")} | ---: | ---: | ---: | ---: |`,
    ...ws.map((w) => `| ${w} | ${ENGINES.map((e) => f(per(w, e.id))).join(" | ")} | ${ratio(per(w, "coop-v8"), per(w, "embassy"))} | ${ratio(per(w, "coop-v8"), per(w, "c-floor"))} | ${ratio(per(w, "coop-aot"), per(w, "embassy"))} | ${ratio(per(w, "coop-wasm3"), per(w, "c-floor"))} |`),
    "",
    "per op: ping-pong per round trip, fan-out per interrupt, timers per expiry, channel per message.",
    "issue 14's targets, read in instructions: V8 × Embassy < 1; V8 × C floor <= 2 (channel 3); AOT × Embassy < 1; wasm3 × C floor <= 20.",
    ...rows.filter((r) => r.why).map((r) => `not counted: ${r.impl} ${r.workload}: ${r.why}`),
  ];
  process.stdout.write(out.join("\n") + "\n");
  mkdirSync(OUT, { recursive: true });
  writeAtomic(`${OUT}/instructions.json`, JSON.stringify({ n, t: T, seed: SEED, rows }, null, 2) + "\n");
  process.stdout.write(`\nbench:instructions: wrote ${OUT}/instructions.json\n`);
  // A harness that is not built is a visible gap, as a skipped bench row is; one that fails is an error.
  if (rows.some((r) => r.failed)) process.exitCode = 1;
}

// Run when executed; importing it (tests) runs nothing.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
