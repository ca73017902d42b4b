// npm run bench:breakdown (or node build/js/bench/breakdown.js --instructions
// for the counted part alone): where coop's time and
// instructions go.
// 1. Times, inside wasm: the whole ping-pong round trip; a round trip with the
//    futures polled by hand (no executor); an empty `step`; and a call to a
//    board import (wasm to wasm, the bench board), on V8, then on wasm3 and ahead
//    of time through their bench harnesses. Each is the minimum over several
//    runs, as this asks for costs, not for typical times.
// 2. For every workload, the instructions of one operation, counted (see
//    instructionBreakdown below); also written to build/bench/breakdown.md,
//    which `npm run bench` appends to its table. `--instructions` runs only
//    this part.
// Run `npm run bench` first (it builds build/bench/coop.wasm, the speed build
// in build/bench/coop-fast/ and the wasm3 harness).

import { readFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { WORKLOADS } from "./impls/proto.js";

const N = 1_000_000, REPS = 7;

function load(dir: string) {
  const file = (n: string) => new Uint8Array(readFileSync(`${dir}/${n}.wasm`));
  const board = new WebAssembly.Instance(new WebAssembly.Module(file("board")), {});
  const b = board.exports as Record<string, WebAssembly.ExportValue>;
  const fw = new WebAssembly.Instance(new WebAssembly.Module(file("coop")), { board: b, benchctl: b } as WebAssembly.Imports);
  const x = fw.exports as Record<string, (...a: number[]) => bigint>;
  x._start();
  return { x, b: b as unknown as Record<string, () => bigint> };
}

function best(f: () => unknown): number {
  f();
  let m = Infinity;
  for (let r = 0; r < REPS; r++) {
    const t0 = process.hrtime.bigint();
    f();
    m = Math.min(m, Number(process.hrtime.bigint() - t0) / N);
  }
  return m;
}

function timings(): void {
for (const [name, dir] of [["release (as shipped)", "build/bench"], ["speed build (shrinkLevel 0)", "build/bench/coop-fast"]]) {
  if (!existsSync(`${dir}/coop.wasm`)) {
    process.stderr.write(`bench:breakdown: ${dir}/coop.wasm missing: run npm run bench first\n`);
    process.exit(2);
  }
  const { x } = load(dir);
  const whole = best(() => x.pingpong(N));
  const futures = best(() => x.pingpong_no_executor(N));
  const empty = best(() => x.step_empty(N));
  const slot = best(() => x.pingpong_slot(N));
  const call = best(() => x.board_calls(N));
  const chan = best(() => x.channel(N)), chanFut = best(() => x.channel_no_executor(N));
  const flags = process.execArgv.filter((a) => a.startsWith("--")).join(" ") || "default V8 flags";
  printSplit(`coop on V8 (${flags}), ${name}: ns per round trip (min of ${REPS} x ${N})`, { whole, futures, empty, slot, call, chan, chanFut });
}

// The same split through the native harnesses, which take each export as a "workload":
// wasm3 (the interpreter, on both builds) and coop ahead of time (wasm2c, gcc -O2; the release build,
// the one bench/run.ts translates). Not under --experimental-wasm-inlining: that flag is V8's alone.
function harnessSplit(title: string, cmd: (fn: string, n: number) => [string, string[]], n: number): void {
  const t = (fn: string): number => {
    const [exe, args] = cmd(fn, n);
    const r = spawnSync(exe, args, { encoding: "utf8" });
    if (r.status !== 0) return NaN;
    return Math.min(...r.stdout.trim().split("\n").map((l) => JSON.parse(l).ns / n));
  };
  printSplit(`${title}: ns per round trip (min of ${REPS} x ${n})`, {
    whole: t("pingpong"), futures: t("pingpong_no_executor"), empty: t("step_empty"), slot: t("pingpong_slot"),
    call: t("board_calls"), chan: t("channel"), chanFut: t("channel_no_executor"),
  });
}

/** One implementation's split, in ns. */
function printSplit(title: string, v: { whole: number; futures: number; empty: number; slot: number; call: number; chan: number; chanFut: number }): void {
  console.log(title);
  console.log(`  whole round trip (2 polls, 2 batches):      ${v.whole.toFixed(1)}`);
  console.log(`  futures + signals alone (no executor):      ${v.futures.toFixed(1)}`);
  console.log(`  one empty step (IRQ take, clock, scan, idle): ${v.empty.toFixed(1)}`);
  console.log(`  executor share (whole - futures):           ${(v.whole - v.futures).toFixed(1)}`);
  console.log(`  whole, with a WakerSlot signal, not sync's:  ${v.slot.toFixed(1)}`);
  console.log(`  one board import call (now), 4 per round trip: ${v.call.toFixed(1)}`);
  console.log(`  channel: ns per message, whole / futures alone: ${v.chan.toFixed(1)} / ${v.chanFut.toFixed(1)}`);
}

if (!process.execArgv.length) {
  const wasm3 = "build/bench/coop-wasm3", aot = "build/bench/coop-aot";
  if (!existsSync(wasm3)) console.log("coop on wasm3: harness not built (npm run bench builds it)");
  else {
    for (const [name, dir] of [["release (as shipped)", "build/bench"], ["speed build (shrinkLevel 0)", "build/bench/coop-fast"]]) {
      harnessSplit(`coop on wasm3, ${name}`, (fn, n) => [wasm3, [`${dir}/coop.wasm`, fn, String(n), "16", String(REPS), "1"]], N / 10);
    }
  }
  if (!existsSync(aot)) console.log("coop AOT (wasm2c, gcc -O2): harness not built (npm run bench builds it; needs wasm2c: apt-get install wabt)");
  else harnessSplit("coop AOT (wasm2c, gcc -O2), release (as shipped)", (fn, n) => [aot, [fn, String(n), "16", String(REPS), "1"]], N);
}
}

// ---- where the instructions go (counted, not timed) -------------------------
//
// For each workload, per coop operation: the x86 instructions wasm3 executes
// (cachegrind, the difference of two run sizes, so start-up and the harness
// cancel out), split by the kind of wasm3 operation that executes them; and
// the instructions of the same module compiled ahead of time (wasm2c, gcc -O2
// with no inlining across functions), charged by callgrind to the wasm
// function they belong to, with its calls per operation. Counts are exact and
// repeatable on a loaded machine, which timings are not. Needs valgrind
// (apt-get install valgrind) and, for the per-function split, wasm2c (Debian
// wabt); either missing is said, not skipped silently.

const PROF = "build/bench/profile";
const W3 = ".cache/wasm3/pywasm3-0.5.0/wasm3";
type Counts = Map<string, number>;

/** Self cost per function from a cachegrind or callgrind output file (uncompressed names), and callgrind's calls per callee. */
function parseGrind(file: string): { self: Counts; calls: Counts } {
  const self: Counts = new Map(), calls: Counts = new Map();
  let fn = "", cfn = "", afterCalls = false;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^fn=(?:\(\d+\) )?(.*)$/))) { fn = m[1]; continue; }
    if ((m = line.match(/^cfn=(?:\(\d+\) )?(.*)$/))) { cfn = m[1]; continue; }
    if ((m = line.match(/^calls=(\d+)/))) { afterCalls = true; calls.set(cfn, (calls.get(cfn) ?? 0) + Number(m[1])); continue; }
    if ((m = line.match(/^[+-]?\d+\s+(\d+)/))) {
      if (afterCalls) { afterCalls = false; continue; } // the inclusive cost of the call just named
      self.set(fn, (self.get(fn) ?? 0) + Number(m[1]));
    }
  }
  return { self, calls };
}

function grind(tool: "cachegrind" | "callgrind", cmd: string, args: string[]): { self: Counts; calls: Counts } | string {
  const out = `${PROF}/${tool}.out.${process.pid}`;
  const extra = tool === "cachegrind" ? ["--cache-sim=no", `--cachegrind-out-file=${out}`] : [`--callgrind-out-file=${out}`, "--compress-strings=no", "--compress-pos=no"];
  const r = spawnSync("valgrind", [`--tool=${tool}`, ...extra, cmd, ...args], { encoding: "utf8" });
  if (r.status !== 0) return (r.stderr || r.error?.message || `exit ${r.status}`).trim().split("\n").slice(-1)[0];
  const g = parseGrind(out);
  rmSync(out, { force: true });
  return g;
}

/** (b - a) / ops per function. */
function perOp(a: Counts, b: Counts, ops: number): Counts {
  const d: Counts = new Map();
  for (const [k, v] of b) { const x = (v - (a.get(k) ?? 0)) / ops; if (Math.abs(x) >= 0.05) d.set(k, x); }
  return d;
}

/** The kind of a wasm3 operation handler (m3_exec.h names), or of other code. */
function w3Kind(fn: string): string {
  if (/^(b_|c_)/.test(fn) || fn === "op_CallRawFunction") return "board imports (call + host function)";
  if (/^op_(Call|Entry|Return|CallIndirect)\b|memset|memcpy|memmove/.test(fn)) return "wasm calls (op_Call, op_Entry's frame clear and constant copy)";
  if (/^op_.*(Load|Store)/.test(fn)) return "memory loads and stores";
  if (/^op_(If|Loop|Branch|BranchIf|BranchTable|ContinueLoop|Select|Unreachable)/.test(fn)) return "control (if, loop, br, br_table, select)";
  if (/^op_(SetSlot|CopySlot|PreserveSetSlot|PreserveCopySlot|SetRegister|SetGlobal|GetGlobal|Const)/.test(fn)) return "locals, globals, constants";
  if (/^op_/.test(fn)) return "arithmetic and compares";
  return "other (interpreter loop, harness)";
}

/** A wasm2c function name back in the source's terms. */
function w2cName(fn: string): string {
  if (fn.startsWith("Z_boardZ_")) return `board.${fn.slice(9)} (import)`;
  if (fn.startsWith("Z_benchctlZ_")) return `benchctl.${fn.slice(12)} (the bench world)`;
  return fn.replace(/^w2c_/, "").replace(/^assembly_coop_/, "coop/").replace(/^assembly_sync_/, "sync/").replace(/^bench_as_bench_/, "bench/")
    .replace(/^_lib_/, "~lib/").replace(/_u32_/g, "<u32>");
}

async function buildProfile(): Promise<string | null> {
  let asc: typeof import("assemblyscript/asc");
  try { asc = await import("assemblyscript/asc"); } catch { return "assemblyscript is not installed"; }
  const { FIRMWARE_TRANSFORMS } = await import("../host/build.js");
  mkdirSync(PROF, { recursive: true });
  // The release target as shipped, plus the name section (--debug adds names only: the code is the same).
  const { error, stderr } = await asc.main(["bench/as/bench.ts", "--config", "asconfig.json", "--target", "release", "--debug", "-o", `${PROF}/coop.wasm`],
    { transforms: FIRMWARE_TRANSFORMS } as unknown as Parameters<typeof asc.main>[1]);
  if (error) return `asc: ${error.message}: ${stderr.toString().split("\n").find((l) => /ERROR/.test(l)) ?? ""}`;
  const w2c = spawnSync("wasm2c", [`${PROF}/coop.wasm`, "-n", "coop", "-o", `${PROF}/coop.c`], { encoding: "utf8" });
  if (w2c.error || w2c.status !== 0) return `wasm2c: ${w2c.error ? "not installed (apt-get install wabt)" : w2c.stderr.trim()}`;
  const rt = ["/usr/src/wasm2c", "/usr/share/wabt/wasm2c"].find((d) => existsSync(`${d}/wasm-rt-impl.c`));
  if (!rt) return "wasm2c's runtime (wasm-rt-impl.c) not found (apt-get install wabt)";
  const cc = spawnSync("gcc", ["-O2", "-g", "-fno-inline-functions", "-fno-inline-small-functions", "-fno-inline-functions-called-once", "-fno-ipa-sra",
    `-I${rt}`, `-I${PROF}`, "-o", `${PROF}/breakdown-prof`, "bench/breakdown.c", `${PROF}/coop.c`, `${rt}/wasm-rt-impl.c`, "-lm"], { encoding: "utf8" });
  if (cc.error || cc.status !== 0) return `gcc: ${cc.error?.message ?? cc.stderr.trim().split("\n")[0]}`;
  return null;
}

const SIZES: Record<string, [number, number]> = { pingpong: [2000, 12000], fanout: [2000, 12000], timers: [1600, 11200], channel: [4000, 24000] };
const OPS = (w: string, n: number) => (w === "timers" ? Math.floor(n / 16) * 16 : n);

export async function instructionBreakdown(): Promise<string> {
  const out: string[] = ["## Where a coop operation's instructions go", ""];
  if (spawnSync("valgrind", ["--version"]).status !== 0) {
    out.push("valgrind is not installed (apt-get install valgrind): no instruction counts.");
    return out.join("\n") + "\n";
  }
  const harness = "build/bench/coop-wasm3";
  const haveW3 = existsSync(harness) && existsSync("build/bench/coop.wasm");
  const why = await buildProfile();
  out.push("Per operation (ping-pong: a round trip; fan-out: an interrupt; timers: an expiry; channel: a message), counted with valgrind as the difference of two run sizes. " +
    "wasm3: x86 instructions of `build/bench/coop-wasm3 build/bench/coop.wasm <workload> <n> 16 1 20261121` (release build as shipped), split by the wasm3 operation that executes them. " +
    "AOT: the same module translated by wasm2c and compiled with gcc -O2 without inlining across functions, each instruction charged to its wasm function (self cost), with that function's calls per operation.");
  out.push("");
  for (const w of WORKLOADS) {
    const [a, b] = SIZES[w];
    out.push(`### ${w}`, "");
    if (haveW3) {
      const ga = grind("cachegrind", harness, ["build/bench/coop.wasm", w, String(a), "16", "1", "20261121"]);
      const gb = grind("cachegrind", harness, ["build/bench/coop.wasm", w, String(b), "16", "1", "20261121"]);
      if (typeof ga === "string" || typeof gb === "string") out.push(`wasm3: cachegrind failed: ${typeof ga === "string" ? ga : gb}`, "");
      else {
        const d = perOp(ga.self, gb.self, 2 * (OPS(w, b) - OPS(w, a))); // the harness runs a warm-up and one timed run
        const kinds: Counts = new Map();
        let total = 0;
        for (const [f, x] of d) { kinds.set(w3Kind(f), (kinds.get(w3Kind(f)) ?? 0) + x); total += x; }
        out.push(`wasm3: **${total.toFixed(0)}** x86 instructions per op`, "", "| wasm3 work | instr/op | share |", "| --- | ---: | ---: |");
        for (const [k, x] of [...kinds].sort((p, q) => q[1] - p[1])) out.push(`| ${k} | ${x.toFixed(0)} | ${((100 * x) / total).toFixed(0)}% |`);
        out.push("");
      }
    } else out.push("wasm3: build/bench/coop-wasm3 not built (npm run bench builds it)", "");
    if (why) { out.push(`AOT per-function split: ${why}`, ""); continue; }
    const pa = grind("callgrind", `${PROF}/breakdown-prof`, [w, String(a)]);
    const pb = grind("callgrind", `${PROF}/breakdown-prof`, [w, String(b)]);
    if (typeof pa === "string" || typeof pb === "string") { out.push(`AOT: callgrind failed: ${typeof pa === "string" ? pa : pb}`, ""); continue; }
    const ops = OPS(w, b) - OPS(w, a);
    const self = perOp(pa.self, pb.self, ops), calls = perOp(pa.calls, pb.calls, ops);
    let total = 0;
    for (const x of self.values()) total += x;
    out.push(`AOT: **${total.toFixed(0)}** x86 instructions per op`, "", "| wasm function | instr/op | calls/op |", "| --- | ---: | ---: |");
    for (const [f, x] of [...self].filter(([, x]) => x >= 0.5).sort((p, q) => q[1] - p[1])) out.push(`| ${w2cName(f)} | ${x.toFixed(1)} | ${(calls.get(f) ?? 0).toFixed(2)} |`);
    out.push("");
  }
  return out.join("\n") + "\n";
}

async function main(): Promise<void> {
  const onlyCounts = process.argv.includes("--instructions");
  if (!onlyCounts) timings();
  if (process.execArgv.length) return; // the second, flagged V8 run of npm run bench:breakdown: timings only
  const md = await instructionBreakdown();
  mkdirSync("build/bench", { recursive: true });
  writeFileSync("build/bench/breakdown.md", md);
  process.stdout.write("\n" + md + "\nbench:breakdown: wrote build/bench/breakdown.md\n");
}

// Run when executed; importing it (tests) runs nothing.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main().catch((e: Error) => { process.stderr.write(`bench:breakdown: ${e.message}\n`); process.exit(2); });
