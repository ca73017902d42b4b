// `coop build`'s options: the build knobs (--use NAME=VALUE) change the
// firmware as docs/runtime.md says, bad knobs are one usage line, --speed
// builds the shrinkLevel-0 release, and an entry without the ABI export is
// told the exact import line to add (in the repo and outside it; in a
// project: init.test.ts).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { CLI, ROOT } from "./fixtures/build.js";
import { buildKnobs, projectOf, INLINE_NESTING_BUDGET } from "../../host/build.js";
import { gate } from "../../host/engines/gate.js";

const dir = mkdtempSync(join(tmpdir(), "coop-knobs-"));
const core = relative(dir, join(ROOT, "assembly", "coop")).split("\\").join("/");

function coop(args: string[], cwd = dir) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", timeout: 180_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function refuses(args: string[], re: RegExp) {
  const r = coop(args);
  assert.equal(r.code, 2, r.err);
  assert.equal(r.err.trimEnd().split("\n").length, 1, r.err);
  assert.match(r.err, re);
}

// Three tasks, each with a ticker armed at once: a table of 2 slots refuses the third spawn, a pool of 1 timer the second timer.
writeFileSync(join(dir, "three.ts"), `export * from "${core}/abi";
import { Ticker, millis, spawn } from "${core}";
async function tick(ms: i64): Promise<void> {
  const t = new Ticker(millis(ms));
  while (true) await t;
}
spawn(tick(10));
spawn(tick(20));
spawn(tick(30));
`);

function summary(wasm: string): { spawnFailures: number; timerOverflows: number; tasks: number } {
  const r = coop(["run", wasm, "--until", "100ms", "--json"]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  // The three tasks share the name "tick": one metrics row, its spawn count the tasks that got a slot.
  return { spawnFailures: j.summary.spawnFailures, timerOverflows: j.summary.timerOverflows, tasks: j.tasks.reduce((n: number, t: { spawns: number }) => n + t.spawns, 0) };
}

test("the knobs are read from assembly/coop/config.ts with their ranges", () => {
  assert.deepEqual(Object.fromEntries(buildKnobs(ROOT)), {
    COOP_TASKS: { min: 1, max: 32767 },
    COOP_TIMERS: { min: 1, max: 65534 },
    COOP_POLL_BUDGET: { min: 1, max: 1000000 },
  });
  const help = coop(["build", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.out, /^ +COOP_TASKS=1\.\.32767\n +COOP_TIMERS=1\.\.65534\n +COOP_POLL_BUDGET=1\.\.1000000$/m);
});

test("a project is the nearest folder whose node_modules/coop is this package, never above the package itself", () => {
  const outer = join(dir, "outer");
  const pkg = join(outer, "pkg"); // a coop package that sits inside a project depending on it
  mkdirSync(join(pkg, "assembly"), { recursive: true });
  mkdirSync(join(outer, "node_modules"), { recursive: true });
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "coop" }));
  symlinkSync(pkg, join(outer, "node_modules", "coop"));
  assert.equal(projectOf(join(outer, "src/deep/main.ts"), pkg), outer);
  assert.equal(projectOf(join(pkg, "assembly/main.ts"), pkg), null);
  assert.equal(projectOf(join(dir, "three.ts"), ROOT), null);
  assert.equal(projectOf(join(ROOT, "assembly/examples/blinky.ts"), ROOT), null);
});

test("--use COOP_TASKS and COOP_TIMERS change the firmware: a full table and a full timer pool show in the run summary", () => {
  const plain = coop(["build", "three.ts", "-o", "plain.wasm"]);
  assert.equal(plain.code, 0, plain.err);
  assert.deepEqual(summary("plain.wasm"), { spawnFailures: 0, timerOverflows: 0, tasks: 3 });

  const two = coop(["build", "three.ts", "-o", "two.wasm", "--use", "COOP_TASKS=2"]);
  assert.equal(two.code, 0, two.err);
  assert.match(two.out, /\(release, COOP_TASKS=2, \d+ bytes\)/);
  assert.deepEqual(summary("two.wasm"), { spawnFailures: 1, timerOverflows: 0, tasks: 2 });
  const run = coop(["run", "two.wasm", "--until", "100ms", "--quiet"]);
  assert.match(run.err, /coop: warning: 1 spawn\(s\) failed: the task table \(2 slots\) was full/);

  const timers = coop(["build", "three.ts", "-o", "timers.wasm", "-u", "COOP_TIMERS=1", "--use=COOP_POLL_BUDGET=8"]);
  assert.equal(timers.code, 0, timers.err);
  const s = summary("timers.wasm");
  assert.equal(s.spawnFailures, 0);
  assert.ok(s.timerOverflows > 0, JSON.stringify(s));
});

test("npm run build -- --use applies the knob to every example; bad options are one line, exit 2", () => {
  const build = join(ROOT, "build/js/host/build.js");
  const bad = spawnSync(process.execPath, [build, "blinky", "--use", "COOP_TASK=4"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(bad.status, 2, bad.stderr);
  assert.equal(bad.stderr.trimEnd().split("\n").length, 1, bad.stderr);
  assert.match(bad.stderr, /^build: unknown build knob "COOP_TASK" in --use COOP_TASK=4; the knobs are COOP_TASKS, COOP_TIMERS, COOP_POLL_BUDGET \(usage: npm run build -- /);
  const frob = spawnSync(process.execPath, [build, "--frob"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(frob.status, 2);
  assert.match(frob.stderr, /^build: unknown option --frob \(usage: npm run build -- \[name \.\.\.\] \[--use NAME=VALUE\]\.\.\. \[--speed\]\)\n$/);
});

test("bad knobs and switches are one usage line, exit 2, before any compile", () => {
  refuses(["build", "three.ts", "--use", "COOP_TASK=2"], /^coop: unknown build knob "COOP_TASK" in --use COOP_TASK=2; the knobs are COOP_TASKS, COOP_TIMERS, COOP_POLL_BUDGET \(see coop build --help\)\n$/);
  refuses(["build", "three.ts", "--use", "abort=x/y"], /unknown build knob "abort"/);
  for (const v of ["0", "32768", "-1", "abc", "1e3", "0x10", "2.5"]) {
    refuses(["build", "three.ts", "--use", `COOP_TASKS=${v}`], new RegExp(`^coop: --use COOP_TASKS must be a whole number from 1 to 32767, got "${v.replace(".", "\\.")}"`));
  }
  refuses(["build", "three.ts", "--use", "COOP_POLL_BUDGET=0"], /COOP_POLL_BUDGET must be a whole number from 1 to 1000000, got "0"/);
  refuses(["build", "three.ts", "--use", "COOP_TASKS"], /^coop: --use needs NAME=VALUE, got "COOP_TASKS"; the knobs are COOP_TASKS, COOP_TIMERS, COOP_POLL_BUDGET \(see coop build --help\)\n$/);
  refuses(["build", "three.ts", "--use", "COOP_TASKS=2", "--use", "COOP_TASKS=3"], /^coop: --use COOP_TASKS given twice/);
  refuses(["build", "three.ts", "--use"], /^coop: option --use needs a value/);
  refuses(["build", "three.ts", "--debug", "--speed"], /^coop: --debug and --speed exclude each other/);
});

test("--speed builds the release target at shrinkLevel 0 (larger than the default release)", () => {
  const demo = join(ROOT, "assembly/examples/demo.ts");
  const rel = coop(["build", demo, "-o", join(dir, "demo.wasm")]);
  const fast = coop(["build", demo, "-o", join(dir, "demo-speed.wasm"), "--speed"]);
  assert.equal(fast.code, 0, fast.err);
  assert.match(fast.out, /\(release, speed, \d+ bytes\)/);
  assert.ok(statSync(join(dir, "demo-speed.wasm")).size > statSync(join(dir, "demo.wasm")).size * 1.1, `${rel.out}${fast.out}`);
});

/** Function names of a module's name section (a --names or debug build). */
function functionNames(wasm: string): string[] {
  const r = spawnSync("wasm-objdump", ["-x", "-j", "name", wasm], { encoding: "utf8" });
  return [...r.stdout.matchAll(/func\[\d+\] <([^>]+)>/g)].map((m) => m[1]);
}
/** The number of functions a module defines (its Function section). */
function functionCount(wasm: string): number {
  const m = /Function start=\S+ end=\S+ \(size=\S+\) count: (\d+)/.exec(spawnSync("wasm-objdump", ["-h", wasm], { encoding: "utf8" }).stdout);
  assert.ok(m, `a Function section in ${wasm}`);
  return Number(m[1]);
}
const NO_OBJDUMP = spawnSync("wasm-objdump", ["--version"]).status === 0 ? false : "wasm-objdump (wabt) is not installed: apt-get install wabt";

test("the release build inlines each task's poll into the executor's dispatch (one call per poll); --names keeps them", { skip: NO_OBJDUMP }, () => {
  const demo = join(ROOT, "assembly/examples/demo.ts");
  const rel = join(dir, "demo-release.wasm"), named = join(dir, "demo-names.wasm");
  assert.equal(coop(["build", demo, "-o", rel]).code, 0);
  assert.equal(coop(["build", demo, "-o", named, "--names"]).code, 0);
  // The demo's tasks are async functions: each lowered class's poll has one caller, the virtual-call stub, and the stub one, the step.
  const kept = functionNames(named).filter((n) => /examples\/demo\/\w+\$Future#poll$|Future#poll@override$/.test(n));
  assert.ok(kept.length >= 4, `--names keeps the task polls and the stub: ${kept.join(", ")}`);
  assert.ok(functionCount(rel) <= functionCount(named) - kept.length, `release ${functionCount(rel)} functions, --names ${functionCount(named)} with ${kept.join(", ")}`);
});

test("a firmware the release inlining would nest past its budget is built without it, and passes the module gate", { skip: NO_OBJDUMP }, () => {
  // 44 task classes: the virtual-call stub nests one block per class, and inlining the polls into it nests theirs deeper.
  const classes = Array.from({ length: 44 }, (_, i) => `class T${i} extends Future {
  n: i32 = 0;
  poll(w: Waker): bool {
    while (this.n < ${i + 3}) { if (this.n == ${i}) { this.n += 2; } else { if (this.n > 7) return true; this.n++; } }
    return false;
  }
}
spawn(new T${i}());`);
  writeFileSync(join(dir, "many.ts"), `export * from "${core}/abi";\nimport { Future, Waker, spawn } from "${core}";\n${classes.join("\n")}\n`);
  const rel = join(dir, "many.wasm"), named = join(dir, "many-names.wasm");
  assert.equal(coop(["build", join(dir, "many.ts"), "-o", rel]).code, 0);
  assert.equal(coop(["build", join(dir, "many.ts"), "-o", named, "--names"]).code, 0);
  const v = gate(new Uint8Array(readFileSync(rel)));
  assert.ok(v.ok, v.ok ? "" : v.rule);
  assert.ok(v.stats.maxNesting > INLINE_NESTING_BUDGET - 10, `the case is deep enough to test: nesting ${v.stats.maxNesting}`);
  // Built as --names is (without the inlining): the same functions.
  assert.equal(functionCount(rel), functionCount(named));
});

test("an entry without the ABI export is told the import line to add, and that line fixes it", () => {
  const body = `import { Ticker, millis, spawn } from "CORE";
async function tick(): Promise<void> {
  const t = new Ticker(millis(10));
  while (true) await t;
}
spawn(tick());
`;
  // A loose file outside the repo, and a file inside it (build/ is ignored by git and by npm run build).
  const inside = join(ROOT, "build", `noabi-${process.pid}`);
  mkdirSync(inside, { recursive: true });
  try {
    for (const where of [dir, inside]) {
      const rel = relative(where, join(ROOT, "assembly", "coop")).split("\\").join("/");
      const src = join(where, "noabi.ts");
      writeFileSync(src, body.replace("CORE", rel));
      const r = coop(["build", "noabi.ts"], where);
      assert.equal(r.code, 2, r.err);
      assert.equal(r.err.trimEnd().split("\n").length, 1, r.err);
      const line = `export * from "${rel}/abi";`;
      assert.equal(r.err, `coop: build failed: noabi.ts: the firmware entry file does not export the board ABI: add \`${line}\` at its top (it exports coop_step and the other board calls, and brings in coop's panic handler that aborts go to)\n`);
      assert.doesNotMatch(r.err, /coopAbort/);
      writeFileSync(src, `${line}\n${readFileSync(src, "utf8")}`);
      const fixed = coop(["build", "noabi.ts"], where);
      assert.equal(fixed.code, 0, fixed.err);
    }
  } finally {
    rmSync(inside, { recursive: true, force: true });
  }
});
