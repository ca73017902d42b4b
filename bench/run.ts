// npm run bench [-- --smoke] [--only a,b] [--reps N] [--save]
//
// Builds every bench implementation it has a toolchain for (skipping the
// others visibly, with the install command), runs the four workloads in each
// (ping-pong, IRQ fan-out, timers, channel; bench/README.md), checks every
// run's checksum against the value computed here, and prints a markdown table
// of median ns per operation with the ratios against the C floor and against
// coop on V8. A full run writes build/bench/results.json and results.md
// (`--save` writes the committed bench/results.json and bench/results.md
// instead, so a plain run never dirties the work tree); a smoke run (small
// sizes, for CI) writes build/bench/results-smoke.json.
// Then the footprint: release .wasm sizes, static memory, bytes per task slot,
// MCU flash/RAM.

import { AOT_FRAME_LIMIT, FRAME_LIMIT_FLAGS, aotFlags, fixedMemoryBytes, haveWasm2c, moduleFlags, runtimeDefines, stackBudgetFor, translate } from "../host/aot/translate.js";
import { FIRMWARE_TRANSFORMS } from "../host/build.js";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem, release, platform } from "node:os";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { WORKLOADS, type Workload, xorshift } from "./impls/proto.js";
import { footprint, type Footprint } from "./footprint.js";
import { instructionBreakdown } from "./breakdown.js";

const OUT = "build/bench";
const W3 = ".cache/wasm3/pywasm3-0.5.0/wasm3";

// Several people (and their `npm test`) may run the bench at once in one work
// tree: every artifact is written under a private name and renamed into place,
// so no run ever reads a half-written file.
const tmp = (path: string) => `${path}.tmp-${process.pid}`;
export function writeAtomic(path: string, data: string | Uint8Array): void {
  writeFileSync(tmp(path), data);
  renameSync(tmp(path), path);
}
/** Runs a compiler that writes `out` (passed as its argument `out`) into a private name, then renames it into place. */
function shTo(out: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): string | null {
  const why = sh(cmd, args.map((a) => (a === out ? tmp(out) : a)), env);
  if (!why) renameSync(tmp(out), out);
  return why;
}

export interface Opts { smoke: boolean; only: string[] | null; reps: number; save: boolean }

export function parseOpts(argv: string[]): Opts {
  const o: Opts = { smoke: false, only: null, reps: 0, save: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--smoke") o.smoke = true;
    else if (a === "--only") o.only = (argv[++i] ?? "").split(",").filter(Boolean);
    else if (a === "--reps") o.reps = Number(argv[++i]);
    else if (a === "--save") o.save = true;
    else bail(`unknown option '${a}' (use --smoke, --only impl,..., --reps N, --save)`);
  }
  // The committed results are full runs only: a smoke or partial table there would mislead.
  if (o.save && (o.smoke || o.only)) bail("--save updates the committed bench/results.* and needs a full run (no --smoke, no --only)");
  if (o.reps !== 0 && !(Number.isInteger(o.reps) && o.reps >= 1 && o.reps <= 101)) bail("--reps takes an integer 1..101");
  if (!o.reps) o.reps = o.smoke ? 3 : 7;
  return o;
}

function bail(msg: string): never {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}

/** Runs a command quietly; returns null on success or a one-line reason. */
function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): string | null {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  if (r.error) return `${cmd}: ${(r.error as NodeJS.ErrnoException).code === "ENOENT" ? "not installed" : r.error.message}`;
  if (r.status !== 0) {
    const lines = `${r.stderr}\n${r.stdout}`.split("\n").map((l) => l.trim()).filter(Boolean);
    const line = lines.find((l) => /error/i.test(l)) ?? lines[0] ?? `exit ${r.status}`;
    return `${cmd} failed: ${line}`;
  }
  return null;
}

function has(cmd: string): boolean {
  return spawnSync(cmd, ["--version"], { encoding: "utf8" }).status === 0;
}

function version(cmd: string, args = ["--version"]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return r.status === 0 ? r.stdout.split("\n")[0].trim() : "missing";
}

/** True if `out` is missing or older than any of `inputs` (files or folders, one level deep). */
function stale(out: string, inputs: string[]): boolean {
  if (!existsSync(out)) return true;
  const t = statSync(out).mtimeMs;
  const times = inputs.flatMap((p) => {
    if (!existsSync(p)) return [];
    const s = statSync(p);
    return s.isDirectory() ? readdirSync(p).map((f) => statSync(`${p}/${f}`).mtimeMs) : [s.mtimeMs];
  });
  return times.some((m) => m > t);
}

// ---- the implementations ------------------------------------------------

interface Impl {
  id: string;
  label: string;
  /** Scales n: slow implementations run fewer operations (per-op time does not depend on n). */
  scale: number;
  /** Builds; returns null when ready, or why it is skipped. */
  build(): string | null;
  install: string;
  argv(w: Workload, n: number, t: number, reps: number, seed: number): [string, string[]];
}

const node = process.execPath;
const proto = (w: Workload, n: number, t: number, reps: number, seed: number) => [w, n, t, reps, seed].map(String);

async function buildWasm(): Promise<string | null> {
  let asc: typeof import("assemblyscript/asc");
  try { asc = await import("assemblyscript/asc"); } catch { return "assemblyscript is not installed"; }
  mkdirSync(OUT, { recursive: true });
  const jobs: [string, string[]][] = [
    ["board", ["bench/as/board.ts", "--config", "bench/as/board.asconfig.json", "-o", `${OUT}/board.wasm`]],
    // As shipped: the project's release target (asconfig.json).
    ["coop", ["bench/as/bench.ts", "--config", "asconfig.json", "--target", "release", "-o", `${OUT}/coop.wasm`]],
    // The same code optimised for speed instead of size (shrinkLevel 0): shows what inlining buys.
    ["coop-fast", ["bench/as/bench.ts", "--config", "asconfig.json", "--target", "release", "--shrinkLevel", "0", "-o", `${OUT}/coop-fast/coop.wasm`]],
  ];
  mkdirSync(`${OUT}/coop-fast`, { recursive: true });
  for (const [name, args] of jobs) {
    const out = args[args.indexOf("-o") + 1];
    // Every firmware build runs the async lowering (bench.ts's ping-pong is written with async functions).
    const { error, stderr } = await asc.main(args.map((a) => (a === out ? tmp(out) : a)), { transforms: FIRMWARE_TRANSFORMS } as unknown as Parameters<typeof asc.main>[1]);
    if (error) return `asc ${name}: ${error.message}: ${stderr.toString().split("\n").find((l) => /ERROR/.test(l)) ?? ""}`;
    renameSync(tmp(out), out);
  }
  writeAtomic(`${OUT}/coop-fast/board.wasm`, readFileSync(`${OUT}/board.wasm`));
  return null;
}

/**
 * coop ahead of time: the bench firmware translated as the AOT engine
 * translates a firmware (host/aot/translate.ts: the module gate, wasm2c, the
 * stack bound), compiled at -O2 with bench/aot/harness.c and the project's
 * static wasm-rt (boards/aot/wasm_rt_static.c: explicit bounds checks, as on
 * an MCU) into `exe`. Everything but the executable is made in a private
 * folder, so concurrent runs never share a half-written translation.
 */
function buildAot(wasm: string, exe: string): string | null {
  if (!has("gcc")) return "gcc: not installed";
  if (!haveWasm2c()) return "wasm2c: not installed";
  const srcs = ["bench/aot/harness.c", "boards/aot/wasm_rt_static.c"];
  if (!stale(exe, [wasm, ...srcs, "boards/aot", "boards/embed", "boards/abi"])) return null;
  const dir = `${OUT}/aot-${process.pid}`;
  mkdirSync(dir, { recursive: true });
  try {
    // The one page the bench firmware starts with and keeps to (the harness checks heap_top never moves):
    // the memory cannot grow, so its bounds checks compare with a constant, as in an MCU build.
    const memory = 65536;
    // Not through the module gate: the bench board has its own imports (benchctl.*), which no coop board has.
    const m = translate(new Uint8Array(readFileSync(wasm)), wasm, `${dir}/src`, memory, false);
    const gen = sh(process.execPath, ["boards/wasm3/gen-gate-header.mjs", `${dir}/gen`]);
    if (gen) return gen;
    const flags = ["-O2", ...aotFlags("boards/aot"), `-I${m.dir}`, "-Iboards/embed", `-I${dir}/gen`];
    const fixed = fixedMemoryBytes(m, memory);
    const fixedDefs = fixed === null ? [] : [`-DCOOP_AOT_FIXED_MEMORY_BYTES=${fixed}u`];
    const why = sh("gcc", [...flags, ...moduleFlags("boards/aot"), ...FRAME_LIMIT_FLAGS, ...fixedDefs, "-c", m.source, "-o", `${dir}/coop_module.o`]);
    if (why) return why;
    // The main thread's stack, as the native AOT runner counts on it.
    const budget = stackBudgetFor(4 << 20, AOT_FRAME_LIMIT, 64 << 10);
    const why2 = sh("gcc", [...flags, ...runtimeDefines(m, memory, budget), ...fixedDefs, "-Wall", "-Wextra", "-o", `${dir}/coop-aot`, ...srcs, `${dir}/coop_module.o`]);
    if (why2) return why2;
    renameSync(`${dir}/coop-aot`, exe);
    return null;
  } catch (e) {
    return (e as Error).message.split("\n")[0];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const IMPLS: Impl[] = [
  {
    id: "c-floor", label: "C bitmask floor (-O2)", scale: 1, install: "apt-get install gcc",
    build: () => (has("gcc") ? (stale(`${OUT}/floor`, ["bench/c/floor.c"]) ? shTo(`${OUT}/floor`, "gcc", ["-O2", "-o", `${OUT}/floor`, "bench/c/floor.c"]) : null) : "gcc: not installed"),
    argv: (...a) => [`${OUT}/floor`, proto(...a)],
  },
  {
    id: "coop-v8", label: "coop on V8", scale: 1, install: "npm ci",
    build: () => null, // built by buildWasm() before the run
    argv: (...a) => [node, ["build/js/bench/impls/coop_v8.js", ...proto(...a)]],
  },
  {
    id: "coop-v8-fast", label: "coop on V8, speed build", scale: 1, install: "npm ci",
    build: () => null,
    argv: (...a) => [node, ["build/js/bench/impls/coop_v8.js", ...proto(...a)]],
  },
  {
    id: "coop-wasm3", label: "coop on wasm3", scale: 0.1, install: "apt-get install gcc python3-pip && npm run setup:wasm3",
    build: () => {
      if (!has("gcc")) return "gcc: not installed";
      if (!existsSync(`${W3}/wasm3.h`)) {
        const why = sh("sh", ["boards/wasm3/fetch.sh"]);
        if (why) return `fetching wasm3: ${why}`;
      }
      if (!stale(`${OUT}/coop-wasm3`, ["bench/wasm3/harness.c", W3])) return null;
      const srcs = readdirSync(W3).filter((f) => /^m3_.*\.c$/.test(f)).map((f) => `${W3}/${f}`);
      return shTo(`${OUT}/coop-wasm3`, "gcc", ["-O3", "-g0", "-fomit-frame-pointer", "-fno-stack-check", "-fno-stack-protector", "-DNASSERTS",
        `-I${W3}`, "-o", `${OUT}/coop-wasm3`, "bench/wasm3/harness.c", ...srcs, "-lm"]);
    },
    argv: (...a) => [`${OUT}/coop-wasm3`, [`${OUT}/coop.wasm`, ...proto(...a)]],
  },
  {
    id: "coop-wasm3-fast", label: "coop on wasm3, speed build", scale: 0.1, install: "apt-get install gcc python3-pip && npm run setup:wasm3",
    build: () => (existsSync(`${OUT}/coop-wasm3`) ? null : "the wasm3 harness did not build (see coop-wasm3)"),
    argv: (...a) => [`${OUT}/coop-wasm3`, [`${OUT}/coop-fast/coop.wasm`, ...proto(...a)]],
  },
  {
    id: "coop-aot", label: "coop AOT (wasm2c, gcc -O2)", scale: 1, install: "apt-get install gcc wabt",
    build: () => buildAot(`${OUT}/coop.wasm`, `${OUT}/coop-aot`),
    argv: (...a) => [`${OUT}/coop-aot`, proto(...a)],
  },
  {
    id: "embassy", label: "Embassy executor (Rust, host)", scale: 1,
    install: "Rust >= 1.87 with cargo (rustup; Debian 12's rustc 1.63 is too old for these crates)",
    build: () => {
      if (!has("cargo")) return "cargo: not installed";
      return sh("cargo", ["build", "--release", "--locked", "--quiet", "--manifest-path", "bench/embassy/Cargo.toml"],
        { CARGO_TARGET_DIR: `${OUT}/cargo` });
    },
    argv: (...a) => [`${OUT}/cargo/release/coop-bench-embassy`, proto(...a)],
  },
  {
    id: "localpool", label: "futures LocalPool (Rust, host)", scale: 1,
    install: "Rust >= 1.87 with cargo (rustup; Debian 12's rustc 1.63 is too old for these crates)",
    build: () => {
      if (!has("cargo")) return "cargo: not installed";
      // Same crate as the Embassy row (src/bin/localpool.rs); cargo's lock makes a concurrent build safe.
      return sh("cargo", ["build", "--release", "--locked", "--quiet", "--manifest-path", "bench/embassy/Cargo.toml"],
        { CARGO_TARGET_DIR: `${OUT}/cargo` });
    },
    argv: (...a) => [`${OUT}/cargo/release/localpool`, proto(...a)],
  },
  {
    id: "js-promises", label: "JS async/await (Node)", scale: 0.25, install: "(Node itself)",
    build: () => null,
    argv: (...a) => [node, ["build/js/bench/impls/promises.js", ...proto(...a)]],
  },
];

// ---- expected checksums, computed independently of every implementation ----

function expected(w: Workload, n: number, t: number, seed: number): bigint {
  switch (w) {
    case "pingpong": return BigInt(n) * 2n;
    case "channel": return (BigInt(n) * BigInt(n + 1)) / 2n;
    case "fanout": {
      let x = seed, s = 0;
      for (let i = 0; i < n; i++) { x = xorshift(x); s += (x % t) + 1; }
      return BigInt(s);
    }
    case "timers": {
      // Each sleep starts at the deadline of the one before, so a task ends at the sum of its durations.
      const k = Math.floor(n / t);
      let s = 0;
      for (let i = 0; i < t; i++) {
        let x = ((seed + Math.imul(i, 0x9e3779b9)) | 1) >>> 0;
        for (let j = 0; j < k; j++) { x = xorshift(x); s += 1 + (x % 1000); }
      }
      return BigInt(s);
    }
  }
}

// ---- running ----------------------------------------------------------------

interface Row {
  workload: Workload; impl: string; label: string; n: number; reps: number;
  ns_per_op: number; min_ns_per_op: number; max_ns_per_op: number;
  ratio_vs_c: number | null; ratio_vs_coop_v8: number | null;
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

function runOne(impl: Impl, w: Workload, n: number, t: number, reps: number, seed: number): { perOp: number[] } | string {
  const [cmd, args] = impl.argv(w, n, t, reps, seed);
  const env = impl.id === "coop-v8-fast" ? { ...process.env, COOP_BENCH_DIR: `${OUT}/coop-fast` } : process.env;
  const r = spawnSync(cmd, args, { encoding: "utf8", env, timeout: 600_000 });
  if (r.error) return `${cmd}: ${r.error.message}`;
  if (r.status !== 0) return (r.stderr.trim().split("\n")[0] || `exit ${r.status ?? r.signal}`).replace(/^bench: /, "");
  const want = expected(w, n, t, seed);
  const perOp: number[] = [];
  for (const line of r.stdout.trim().split("\n")) {
    let o: { ns: number; ops: number; checksum: string };
    try { o = JSON.parse(line); } catch { return `unreadable output: ${line.slice(0, 80)}`; }
    if (BigInt(o.checksum) !== want) return `wrong checksum ${o.checksum}, expected ${want}`;
    perOp.push(o.ns / o.ops);
  }
  if (perOp.length !== reps) return `printed ${perOp.length} runs, expected ${reps}`;
  return { perOp };
}

function fmt(x: number | null, digits = 1): string {
  if (x === null) return "–";
  return x >= 100 ? x.toFixed(0) : x.toFixed(digits);
}

async function main(): Promise<void> {
  const o = parseOpts(process.argv.slice(2));
  const sizes: Record<Workload, number> = o.smoke
    ? { pingpong: 2000, fanout: 2000, timers: 1600, channel: 2000 }
    : { pingpong: 1_000_000, fanout: 1_000_000, timers: 320_000, channel: 1_000_000 };
  const T = 16, SEED = 20261121;
  const impls = IMPLS.filter((i) => !o.only || o.only.includes(i.id));
  if (o.only) for (const id of o.only) if (!IMPLS.some((i) => i.id === id)) bail(`unknown implementation '${id}' (one of ${IMPLS.map((i) => i.id).join(", ")})`);

  const wasmWhy = await buildWasm();
  const skipped: { impl: string; reason: string; install: string }[] = [];
  const ready: Impl[] = [];
  for (const impl of impls) {
    const why = impl.id.startsWith("coop") && wasmWhy ? wasmWhy : impl.build();
    if (why) {
      skipped.push({ impl: impl.id, reason: why, install: impl.install });
      process.stderr.write(`bench: SKIPPED ${impl.label}: ${why} (install: ${impl.install})\n`);
    } else ready.push(impl);
  }

  const load0 = loadavg()[0];
  const rows: Row[] = [];
  const failures: string[] = [];
  for (const w of WORKLOADS) {
    for (const impl of ready) {
      const n = Math.max(T, Math.round(sizes[w] * (o.smoke ? 1 : impl.scale)));
      const res = runOne(impl, w, n, T, o.reps, SEED);
      if (typeof res === "string") {
        failures.push(`${impl.id} ${w}: ${res}`);
        process.stderr.write(`bench: FAILED ${impl.label} ${w}: ${res}\n`);
        continue;
      }
      rows.push({
        workload: w, impl: impl.id, label: impl.label, n, reps: o.reps,
        ns_per_op: median(res.perOp), min_ns_per_op: Math.min(...res.perOp), max_ns_per_op: Math.max(...res.perOp),
        ratio_vs_c: null, ratio_vs_coop_v8: null,
      });
    }
  }
  for (const r of rows) {
    const c = rows.find((x) => x.workload === r.workload && x.impl === "c-floor");
    const v = rows.find((x) => x.workload === r.workload && x.impl === "coop-v8");
    r.ratio_vs_c = c ? r.ns_per_op / c.ns_per_op : null;
    r.ratio_vs_coop_v8 = v ? r.ns_per_op / v.ns_per_op : null;
  }

  const fp: Footprint = await footprint();
  const machine = {
    cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memory_gib: +(totalmem() / 2 ** 30).toFixed(1),
    os: `${platform()} ${release()}`, load_avg_1min_start: +load0.toFixed(2), load_avg_1min_end: +loadavg()[0].toFixed(2),
  };
  const versions = {
    node: process.version, assemblyscript: pkgVersion("assemblyscript"), gcc: version("gcc"), rustc: version("rustc"),
    wasm3: "pywasm3 0.5.0 sdist (wasm3 core)", wasm2c: version("wasm2c"), embassy: lockVersions(["embassy-executor", "embassy-sync", "embassy-time", "embassy-time-queue-utils"]),
  };
  const md = table(rows, o, sizes, T, SEED, machine, skipped) + "\n" + footprintTable(fp);
  // Where a coop operation's instructions go (counted with valgrind; bench/breakdown.ts): full runs only.
  const counts = o.smoke || o.only ? "" : "\n" + (await instructionBreakdown());
  process.stdout.write(md + counts);
  const result = {
    mode: o.smoke ? "smoke" : "full", date: new Date().toISOString(), machine, versions, t: T, seed: SEED, reps: o.reps,
    rows: rows.map(({ label: _l, ...r }) => ({ ...r, ns_per_op: +r.ns_per_op.toFixed(2), min_ns_per_op: +r.min_ns_per_op.toFixed(2), max_ns_per_op: +r.max_ns_per_op.toFixed(2), ratio_vs_c: r.ratio_vs_c && +r.ratio_vs_c.toFixed(2), ratio_vs_coop_v8: r.ratio_vs_coop_v8 && +r.ratio_vs_coop_v8.toFixed(2) })),
    skipped, failures, footprint: fp,
  };
  const paths = resultPaths(o);
  mkdirSync(OUT, { recursive: true });
  writeAtomic(paths.json, JSON.stringify(result, null, 2) + "\n");
  if (paths.md) writeAtomic(paths.md, md + counts);
  process.stdout.write(`\nbench: wrote ${paths.json}${paths.md ? ` and ${paths.md}` : ""}${paths.md && !o.save ? " (--save writes bench/results.json and bench/results.md)" : ""}\n`);
  if (failures.length) bail(`${failures.length} run(s) failed (above)`);
}

/** Where a run's results go: build/bench/ unless a full run is saved with --save. */
export function resultPaths(o: Opts): { json: string; md: string | null } {
  if (o.smoke || o.only) return { json: `${OUT}/results-${o.smoke ? "smoke" : "partial"}.json`, md: null };
  return o.save ? { json: "bench/results.json", md: "bench/results.md" } : { json: `${OUT}/results.json`, md: `${OUT}/results.md` };
}

function pkgVersion(name: string): string {
  try { return JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8")).version; } catch { return "missing"; }
}

function lockVersions(names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  let lock = "";
  try { lock = readFileSync("bench/embassy/Cargo.lock", "utf8"); } catch { /* reported as missing below */ }
  for (const n of names) {
    const m = lock.match(new RegExp(`name = "${n}"\\nversion = "([^"]+)"`));
    out[n] = m ? m[1] : "missing";
  }
  return out;
}

function table(rows: Row[], o: Opts, sizes: Record<Workload, number>, t: number, seed: number,
  machine: Record<string, unknown>, skipped: { impl: string; reason: string; install: string }[]): string {
  const out: string[] = [];
  out.push(`## Bench (${o.smoke ? "smoke: small sizes, figures not meaningful" : "full"}), median of ${o.reps} runs`);
  out.push("");
  out.push(`${machine.cpu}, ${machine.cores} cores, load ${machine.load_avg_1min_start} → ${machine.load_avg_1min_end}; T = ${t} tasks, seed ${seed}; ` +
    `n = ${WORKLOADS.map((w) => `${w} ${sizes[w]}`).join(", ")} (wasm3 ×0.1, Promises ×0.25 in full runs)`);
  out.push("");
  out.push("| workload | implementation | ns/op | min–max | × C floor | × coop/V8 |");
  out.push("| --- | --- | ---: | ---: | ---: | ---: |");
  for (const r of rows) {
    out.push(`| ${r.workload} | ${r.label} | ${fmt(r.ns_per_op)} | ${fmt(r.min_ns_per_op)}–${fmt(r.max_ns_per_op)} | ${fmt(r.ratio_vs_c, 2)} | ${fmt(r.ratio_vs_coop_v8, 2)} |`);
  }
  for (const s of skipped) out.push(`| all | ${s.impl}: SKIPPED (${s.reason}; install: ${s.install}) | – | – | – | – |`);
  out.push("");
  out.push("ns/op: ping-pong per round trip, fan-out per interrupt, timers per expiry, channel per message.");
  return out.join("\n") + "\n";
}

function footprintTable(f: Footprint): string {
  const o: string[] = ["## Footprint", "", "| what | bytes | how measured |", "| --- | ---: | --- |"];
  for (const e of f.entries) o.push(`| ${e.what} | ${e.bytes === null ? "not built" : e.bytes} | ${e.how} |`);
  return o.join("\n") + "\n";
}

// Run when executed (node build/js/bench/run.js); importing it (tests) runs nothing.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main().catch((e: Error) => bail(e.message));
