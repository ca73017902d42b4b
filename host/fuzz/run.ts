// The fuzz harness: seeded, deterministic cases (host/fuzz/gen.ts: mutated
// build/demo.wasm and build/blinky.wasm, structure-aware generated modules)
// plus every named case (host/fuzz/cases.ts) and every regression
// (host/fuzz/regressions.json), run against every target:
//
//   gate    the TypeScript gate and the C gate (build/coop-gate, and
//           build/coop-gate-asan under ASan/UBSan) give the same verdict, word for word
//   v8      `coop run --engine v8` (in a worker process, host/fuzz/worker.ts)
//   wasm3   `coop run --engine wasm3` (the addon, same worker)
//   native  build/coop-native
//   asan    build/coop-native-asan (ASan/UBSan build of the native runner)
//
// Oracle: every run ends within the wall-time bound with an exit code of the
// table (docs/abi.md), never a signal, never a sanitizer report, one stderr
// line on an error exit of coop run; V8 and wasm3 agree on accept/refuse
// (BAD_MODULE or not); a module the gate refuses is refused by every target
// (BAD_MODULE).
//
// Usage (after npm run build && npm run setup):
//   node build/js/host/fuzz/run.js                 bounded run (npm test): 2000 cases, seed 1
//   npm run fuzz -- --cases 50000 [--seed 7]       a long run
//   options: --cases N, --seed S, --targets gate,v8,wasm3,native,asan,
//            --sim-every K (default 8), --native-every K (default 4), --asan-every K (default 8),
//            --timeout-ms T (default 20000), --keep (keep the case files)
// Failures are written to build/fuzz/failures/ (bytes + recipe) and the run
// exits 1; add the recipe to host/fuzz/regressions.json once understood.

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { EXIT, exitMeaning } from "../abi.js";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { gate } from "../engines/gate.js";
import { GATE_CASES, LIVENESS_CASES } from "./cases.js";
import { fromRecipe, recipe } from "./gen.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const SANITIZER = /AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer|runtime error:/;

interface Case {
  id: number;
  recipe: string; // "gen:..", "mut:..", "case:<name>", "reg:<recipe>"
  bytes: Uint8Array;
  file: string;
  memoryLimit: number;
  /** The TypeScript gate's verdict: "ok" or "refused: <rule>". */
  ts: string;
  /** The same without the memory cap (the simulator has none). */
  tsSim: string;
}

interface Opts {
  cases: number;
  seed: number;
  targets: string[];
  simEvery: number;
  nativeEvery: number;
  asanEvery: number;
  timeoutMs: number;
  keep: boolean;
}

function parse(argv: string[]): Opts {
  const o: Opts = { cases: 2000, seed: 1, targets: ["gate", "v8", "wasm3", "native", "asan"], simEvery: 8, nativeEvery: 4, asanEvery: 8, timeoutMs: 20_000, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = argv[++i];
      if (!/^\d+$/.test(v ?? "")) throw new Error(`${a} needs a whole number`);
      return Number(v);
    };
    if (a === "--cases") o.cases = num();
    else if (a === "--seed") o.seed = num();
    else if (a === "--sim-every") o.simEvery = Math.max(1, num());
    else if (a === "--native-every") o.nativeEvery = Math.max(1, num());
    else if (a === "--asan-every") o.asanEvery = Math.max(1, num());
    else if (a === "--timeout-ms") o.timeoutMs = num();
    else if (a === "--keep") o.keep = true;
    else if (a === "--targets") o.targets = (argv[++i] ?? "").split(",").filter(Boolean);
    else throw new Error(`unknown option ${a} (see host/fuzz/run.ts)`);
  }
  return o;
}

type Failure = { target: string; recipe: string; why: string; file: string };

class Report {
  failures: Failure[] = [];
  info = "";
  counts = new Map<string, number>();
  count(target: string): void {
    this.counts.set(target, (this.counts.get(target) ?? 0) + 1);
  }
  fail(target: string, c: Case, why: string): void {
    this.failures.push({ target, recipe: c.recipe, why, file: c.file });
    console.log(`FAIL ${target} ${c.recipe}: ${why}`);
  }
}

/** The C gate's verdicts on many modules through one `coop-gate --batch` per memory limit. */
function cGate(bin: string, cases: Case[]): { verdicts: Map<number, string>; stderr: string; status: number | null } {
  const verdicts = new Map<number, string>();
  let stderr = "";
  let status: number | null = 0;
  const byLimit = new Map<number, Case[]>();
  for (const c of cases) byLimit.set(c.memoryLimit, [...(byLimit.get(c.memoryLimit) ?? []), c]);
  for (const [limit, group] of byLimit) {
    for (let k = 0; k < group.length; k += 500) {
      const chunk = group.slice(k, k + 500);
      const parts: Buffer[] = [];
      for (const c of chunk) {
        const h = Buffer.alloc(4);
        h.writeUInt32LE(c.bytes.length);
        parts.push(h, Buffer.from(c.bytes));
      }
      const r = spawnSync(bin, ["--batch", "--memory-limit", String(limit)], { input: Buffer.concat(parts), maxBuffer: 256 << 20, env: { ...process.env, ASAN_OPTIONS: "detect_leaks=0" } });
      stderr += r.stderr?.toString() ?? "";
      if (r.status !== 0) status = r.status ?? -1;
      const lines = (r.stdout?.toString() ?? "").split("\n");
      chunk.forEach((c, i) => verdicts.set(c.id, lines[i] ?? `<no answer: ${r.signal ?? r.status}>`));
    }
  }
  return { verdicts, stderr, status };
}

/** A worker running `coop run` in-process; restarted after a timeout or a crash. */
class SimWorker {
  private child: ChildProcessWithoutNullStreams | null = null;
  /** The case in flight: its id, the child it was sent to, and how to answer it. */
  private waiting: { id: number; child: ChildProcessWithoutNullStreams; done: (r: SimResult) => void } | null = null;
  constructor(private readonly engine: string) {}
  private answer(child: ChildProcessWithoutNullStreams, id: number | null, r: SimResult): void {
    const w = this.waiting;
    if (!w || w.child !== child || (id !== null && w.id !== id)) return; // a stale line or a killed child's exit
    this.waiting = null;
    w.done(r);
  }
  private start(): ChildProcessWithoutNullStreams {
    const c = spawn(process.execPath, [join(ROOT, "build/js/host/fuzz/worker.js")], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    createInterface({ input: c.stdout }).on("line", (line) => {
      const [id, code, lines, first] = line.split("\t");
      this.answer(c, Number(id), { code: Number(code), lines: Number(lines), first: first ?? "" });
    });
    c.stderr.on("data", () => {});
    c.stdin.on("error", () => {});
    c.on("exit", (code, signal) => {
      if (this.child === c) this.child = null;
      this.answer(c, null, { dead: signal ? `worker killed by ${signal}` : `worker exited ${code}` });
    });
    return c;
  }
  run(c: Case, timeoutMs: number): Promise<SimResult> {
    if (!this.child) this.child = this.start();
    const child = this.child;
    return new Promise((res) => {
      const t = setTimeout(() => {
        this.answer(child, c.id, { dead: `no answer within ${timeoutMs} ms (hang)` });
        if (this.child === child) this.child = null;
        child.kill("SIGKILL");
      }, timeoutMs);
      this.waiting = { id: c.id, child, done: (r) => { clearTimeout(t); res(r); } };
      child.stdin.write(`${c.id}\t${this.engine}\t${c.file}\n`);
    });
  }
  stop(): void {
    this.child?.kill("SIGKILL");
  }
}

type SimResult = { code: number; lines: number; first: string } | { dead: string };

function runBin(bin: string, c: Case, timeoutMs: number): Promise<{ status: number | null; signal: string | null; stderr: string; timedOut: boolean }> {
  return new Promise((res) => {
    const args = ["--until", "20", ...(c.memoryLimit ? ["--memory", String(c.memoryLimit)] : []), c.file];
    const p = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ASAN_OPTIONS: "detect_leaks=0:abort_on_error=0", UBSAN_OPTIONS: "print_stacktrace=1" } });
    let stderr = "";
    let timedOut = false;
    p.stderr.setEncoding("utf8").on("data", (d: string) => { if (stderr.length < 20000) stderr += d; });
    const t = setTimeout(() => { timedOut = true; p.kill("SIGKILL"); }, timeoutMs);
    p.on("close", (status, signal) => {
      clearTimeout(t);
      res({ status, signal, stderr, timedOut });
    });
  });
}

async function pool<T>(items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

export async function fuzz(o: Opts): Promise<{ report: Report; cases: number }> {
  const dir = mkdtempSync(join(tmpdir(), "coop-fuzz-"));
  const report = new Report();
  const all: Case[] = [];
  const add = (rec: string, bytes: Uint8Array, memoryLimit = 0) => {
    const id = all.length;
    const file = join(dir, `${id}.wasm`);
    const verdict = (limit: number) => { const v = gate(bytes, { memoryLimit: limit }); return v.ok ? "ok" : `refused: ${v.rule}`; };
    const ts = verdict(memoryLimit);
    all.push({ id, recipe: rec, bytes, file, memoryLimit, ts, tsSim: memoryLimit ? verdict(0) : ts });
  };
  // Named cases and regressions first: every target sees all of them.
  for (const c of GATE_CASES) add(`case:${c.name}`, c.bytes(), c.memoryLimit ?? 0);
  const regFile = join(ROOT, "host/fuzz/regressions.json");
  const regs = existsSync(regFile) ? (JSON.parse(readFileSync(regFile, "utf8")) as { recipe: string }[]) : [];
  for (const r of regs) add(`reg:${r.recipe}`, fromRecipe(ROOT, r.recipe));
  // The simulator's stall detection (host/sim/simulator.ts) ends these within a bounded wall time.
  for (const c of LIVENESS_CASES) add(`liveness:${c.name}`, c.bytes());
  const fixed = all.length;
  for (let i = 0; i < o.cases; i++) {
    const rec = recipe(o.seed, i);
    add(rec, fromRecipe(ROOT, rec));
  }
  const pick = (every: number) => all.filter((c, i) => i < fixed || (i - fixed) % every === 0);
  const need = new Set<Case>();
  if (o.targets.some((t) => t === "v8" || t === "wasm3")) pick(o.simEvery).forEach((c) => need.add(c));
  if (o.targets.includes("native")) pick(o.nativeEvery).forEach((c) => need.add(c));
  if (o.targets.includes("asan")) pick(o.asanEvery).forEach((c) => need.add(c));
  for (const c of need) writeFileSync(c.file, c.bytes);
  const saveFailure = (f: Failure) => {
    const out = join(ROOT, "build/fuzz/failures");
    mkdirSync(out, { recursive: true });
    const base = `${f.target}-${f.recipe.replace(/[^A-Za-z0-9_.-]+/g, "_")}`.slice(0, 120);
    const c = all.find((k) => k.recipe === f.recipe);
    if (c) writeFileSync(join(out, `${base}.wasm`), c.bytes);
    writeFileSync(join(out, `${base}.txt`), `${f.recipe}\n${f.why}\n`);
  };

  const tasks: Promise<void>[] = [];
  // gate: TS vs C (and C under ASan/UBSan)
  if (o.targets.includes("gate")) {
    for (const bin of ["coop-gate", "coop-gate-asan"]) {
      const path = join(ROOT, "build", bin);
      if (!existsSync(path)) {
        if (bin === "coop-gate") throw new Error("build/coop-gate is missing: run npm run build:gate");
        console.log(`fuzz: SKIP ${bin}: not built (the compiler has no -fsanitize=address,undefined)`);
        continue;
      }
      const r = cGate(path, all);
      const name = bin === "coop-gate" ? "gate" : "gate-asan";
      if (r.status !== 0 || SANITIZER.test(r.stderr)) report.failures.push({ target: name, recipe: "(batch)", why: `status ${r.status}: ${r.stderr.split("\n").slice(0, 3).join(" | ")}`, file: "" });
      for (const c of all) {
        report.count(name);
        const cv = r.verdicts.get(c.id);
        if (cv !== c.ts) report.fail(name, c, `TS gate "${c.ts}" but C gate "${cv}"`);
      }
    }
  }
  // simulator engines, one worker each, in parallel; then compare accept/refuse
  const sim = new Map<string, Map<number, number>>();
  for (const engine of ["v8", "wasm3"]) {
    if (!o.targets.includes(engine)) continue;
    const results = new Map<number, number>();
    sim.set(engine, results);
    tasks.push((async () => {
      const w = new SimWorker(engine);
      for (const c of pick(o.simEvery)) {
        report.count(engine);
        const r = await w.run(c, o.timeoutMs);
        if ("dead" in r) { report.fail(engine, c, r.dead); continue; }
        results.set(c.id, r.code);
        if (exitMeaning(r.code) === undefined) report.fail(engine, c, `exit ${r.code} (undocumented for a module): ${r.first}`);
        else if (r.code !== 0 && r.lines !== 1) report.fail(engine, c, `exit ${r.code} with ${r.lines} stderr lines`);
        else if (c.tsSim !== "ok" && r.code !== EXIT.BAD_MODULE) report.fail(engine, c, `the gate refuses it (${c.tsSim}) but coop run exited ${r.code}`);
      }
      w.stop();
    })());
  }
  // native runners
  const nativeStatus = new Map<number, number | null>();
  for (const [target, bin, every] of [["native", "coop-native", o.nativeEvery], ["asan", "coop-native-asan", o.asanEvery]] as const) {
    if (!o.targets.includes(target)) continue;
    const path = join(ROOT, "build", bin);
    if (!existsSync(path)) {
      if (target === "native") throw new Error("build/coop-native is missing: run npm run build:native");
      console.log(`fuzz: SKIP ${target}: ${bin} not built (the compiler has no -fsanitize=address,undefined)`);
      continue;
    }
    tasks.push(pool(pick(every), 1, async (c) => {
      report.count(target);
      const r = await runBin(path, c, target === "asan" ? o.timeoutMs * 2 : o.timeoutMs);
      if (target === "native") nativeStatus.set(c.id, r.status);
      if (r.timedOut) report.fail(target, c, `no exit within the time bound (hang)`);
      else if (r.signal) report.fail(target, c, `killed by ${r.signal}: ${r.stderr.split("\n")[0]}`);
      else if (SANITIZER.test(r.stderr)) report.fail(target, c, `sanitizer report: ${(r.stderr.split("\n").find((l) => SANITIZER.test(l)) ?? "").trim()}`);
      else if (r.status === null || exitMeaning(r.status) === undefined) report.fail(target, c, `exit ${r.status}: ${r.stderr.split("\n")[0]}`);
      else if (c.ts !== "ok" && r.status !== EXIT.BAD_MODULE) report.fail(target, c, `the gate refuses it (${c.ts}) but the runner exited ${r.status}`);
    }));
  }
  await Promise.all(tasks);
  const v8 = sim.get("v8"), w3 = sim.get("wasm3");
  if (v8 && w3) {
    for (const c of pick(o.simEvery)) {
      const a = v8.get(c.id), b = w3.get(c.id);
      if (a === undefined || b === undefined) continue;
      report.count("v8=wasm3");
      if ((a === EXIT.BAD_MODULE) !== (b === EXIT.BAD_MODULE)) report.fail("v8=wasm3", c, `V8 exited ${a}, wasm3 ${b}: they disagree on accept/refuse`);
    }
  }
  // Not an oracle failure, a figure: modules that pass the gate, that V8's full validation refuses,
  // and that the native runner's wasm3 loads anyway (the gate does not type-check; docs/engines.md).
  const looser: string[] = [];
  if (v8) for (const [id, st] of nativeStatus) if (all[id].ts === "ok" && v8.get(id) === EXIT.BAD_MODULE && st !== EXIT.BAD_MODULE) looser.push(all[id].recipe);
  const v8Refused = v8 ? [...v8].filter(([id, code]) => all[id].tsSim === "ok" && code === EXIT.BAD_MODULE).length : 0;
  report.info = `${v8Refused} module(s) passed the gate and were refused by V8 (type errors and the like); ` +
    `${looser.length} passed the gate, were refused by V8 and loaded by the native runner's wasm3${looser.length ? ` (e.g. ${looser.slice(0, 3).join(", ")})` : ""}`;
  for (const f of report.failures) saveFailure(f);
  if (!o.keep) rmSync(dir, { recursive: true, force: true });
  return { report, cases: all.length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let o: Opts;
  try {
    o = parse(process.argv.slice(2));
  } catch (e) {
    console.error(`fuzz: ${(e as Error).message}`);
    process.exit(EXIT.USAGE);
  }
  const t0 = Date.now();
  let result: Awaited<ReturnType<typeof fuzz>>;
  try {
    result = await fuzz(o);
  } catch (e) {
    console.error(`fuzz: ${(e as Error).message.split("\n")[0]}`);
    process.exit(EXIT.USAGE);
  }
  const { report, cases } = result;
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  const per = [...report.counts].map(([t, n]) => `${t} ${n}`).join(", ");
  if (report.info) console.log(`fuzz: info: ${report.info}`);
  console.log(`fuzz: seed ${o.seed}, ${cases} cases (${o.cases} generated/mutated + named cases and regressions) in ${secs} s; runs per target: ${per}; failures: ${report.failures.length}`);
  writeFileSync(join(ROOT, "build/fuzz-summary.json"), JSON.stringify({ seed: o.seed, cases, generated: o.cases, seconds: Number(secs), runs: Object.fromEntries(report.counts), failures: report.failures, info: report.info }, null, 2) + "\n");
  process.exitCode = report.failures.length ? 1 : 0;
}
