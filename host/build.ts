// Compiles firmware with the project's asconfig.json. `compileFirmware` is the
// one compile call, shared by `npm run build` (every entry under
// assembly/examples/ into build/<name>.wasm and build/<name>.debug.wasm) and
// `coop build <file.ts>` (host/cli.ts), so both get the same options.
// Usage: node build/js/host/build.js [name ...] [--use NAME=VALUE]... [--speed]
import asc from "assemblyscript/asc";
import { readdirSync, mkdirSync, existsSync, readFileSync, realpathSync } from "node:fs";
import { basename, dirname, join, relative, resolve, isAbsolute, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import AsyncTransform from "./async/transform.js";
import { EXIT } from "./abi.js";
import { gate, GATE_LIMITS } from "./engines/gate.js";

/** The package root: this file is build/js/host/build.js (or host/build.ts). */
export function packageRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(resolve(d, "asconfig.json")) && existsSync(resolve(d, "assembly"))) return d;
    d = dirname(d);
  }
  return process.cwd();
}

export interface CompileResult {
  ok: boolean;
  /** On failure: one line (the first compiler error with its file and position, and how many there were). */
  message: string;
  /** The compiler's full output, for callers that show it (npm run build). */
  stderr: string;
}

/** How to compile: `coop build`'s and `npm run build`'s options. */
export interface BuildOptions {
  /** asconfig.json's debug target (names, source map) instead of release. */
  debug?: boolean;
  /** The release target with shrinkLevel 0: faster, larger (docs/runtime.md, "Release build settings"). */
  speed?: boolean;
  /** Build knobs, NAME=VALUE, already checked by parseKnobs. */
  use?: string[];
  /** The release target with its name section kept and each task's poll a function of its own (no InlineSingleCallers), so a trap on an MCU names the task's function (KeepNames). */
  names?: boolean;
}

/** A build option that is wrong as given: the caller prints it as one usage line (exit USAGE). */
export class BuildUsageError extends Error {}

/**
 * The build knobs `--use NAME=VALUE` may set, read from their one definition,
 * assembly/coop/config.ts: each knob there is an `isDefined(NAME)` with a
 * compile-time range check `ERROR("NAME must be between MIN and MAX")`.
 */
export function buildKnobs(root = packageRoot()): Map<string, { min: number; max: number }> {
  const text = readFileSync(resolve(root, "assembly/coop/config.ts"), "utf8");
  const knobs = new Map<string, { min: number; max: number }>();
  for (const m of text.matchAll(/ERROR\("(COOP_\w+) must be between (\d+) and (\d+)"\)/g)) knobs.set(m[1], { min: Number(m[2]), max: Number(m[3]) });
  for (const m of text.matchAll(/isDefined\((\w+)\)/g)) {
    if (!knobs.has(m[1])) throw new Error(`assembly/coop/config.ts: knob ${m[1]} has no range check ERROR("${m[1]} must be between MIN and MAX")`);
  }
  return knobs;
}

/** Checks `--use` values against buildKnobs: an unknown name, a value that is not a whole number in range, or a knob given twice is a BuildUsageError. */
export function parseKnobs(uses: string[], root = packageRoot()): string[] {
  const knobs = buildKnobs(root);
  const names = [...knobs.keys()].join(", ");
  const seen = new Set<string>();
  return uses.map((u) => {
    const m = /^([^=]*)=(.*)$/.exec(u);
    if (!m) throw new BuildUsageError(`--use needs NAME=VALUE, got "${u}"; the knobs are ${names}`);
    const [, name, value] = m;
    const k = knobs.get(name);
    if (!k) throw new BuildUsageError(`unknown build knob "${name}" in --use ${u}; the knobs are ${names}`);
    if (!/^[0-9]+$/.test(value) || Number(value) < k.min || Number(value) > k.max) {
      throw new BuildUsageError(`--use ${name} must be a whole number from ${k.min} to ${k.max}, got "${value}"`);
    }
    if (seen.has(name)) throw new BuildUsageError(`--use ${name} given twice`);
    seen.add(name);
    return `${name}=${Number(value)}`;
  });
}

const toPosix = (p: string) => p.split(sep).join("/");

/** The package's name (package.json), the name a project's node_modules holds it under. */
function packageName(root: string): string {
  return (JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")) as { name: string }).name;
}

/**
 * The firmware project an entry belongs to: the nearest folder above it whose
 * node_modules/<package name> is this package (npm links a file: dependency),
 * or null. The search stops at this package's root, so the package's own
 * files never count as a project that happens to hold the checkout.
 */
export function projectOf(entry: string, root = packageRoot()): string | null {
  const name = packageName(root);
  const self = realpathSync(root);
  for (let d = dirname(resolve(entry)); ; d = dirname(d)) {
    if (existsSync(d) && realpathSync(d) === self) return null;
    const dep = join(d, "node_modules", name);
    try {
      if (realpathSync(dep) === self) return d;
    } catch {
      // not here: look further up
    }
    if (dirname(d) === d) return null;
  }
}

/**
 * Compile one AssemblyScript entry file to `out` with asconfig.json's
 * `release` target (or `debug`). Paths may be relative to the current
 * directory. Three places an entry can be, each compiled from its own base
 * folder, since the compiler names files by their path from it and the
 * config's `use` alias (abort -> assembly/coop/panic/coopAbort) names a file
 * by its path from the package root:
 * - in a firmware project (`coop init`): from the project folder; the entry
 *   imports "coop", which asc finds in node_modules and names
 *   `~lib/coop/...`, so the alias becomes `~lib/coop/assembly/...`;
 * - in this package: from the package root, as the config says;
 * - a loose file elsewhere: from its folder, the alias re-anchored to the
 *   path the entry's own relative imports of the core resolve to.
 */
export async function compileFirmware(entry: string, out: string, opts: BuildOptions = {}, root = packageRoot()): Promise<CompileResult> {
  const src = resolve(entry);
  const dst = resolve(out);
  const config = resolve(root, "asconfig.json");
  const project = projectOf(src, root);
  const name = packageName(root);
  const inside = !project && !relative(root, src).startsWith("..") && !isAbsolute(relative(root, src));
  const base = project ?? (inside ? root : dirname(src));
  const anchor = (dir: string): string => (project ? `~lib/${name}/${dir}` : toPosix(relative(base, resolve(root, dir))));
  const readFile = async (file: string, baseDir: string): Promise<string | null> => {
    const p = resolve(baseDir, file);
    let text: string;
    try {
      text = readFileSync(p, "utf8");
    } catch {
      return null;
    }
    if (p !== config || inside) return text;
    const cfg = JSON.parse(text) as { options?: { use?: string[] } };
    if (cfg.options?.use) {
      cfg.options.use = cfg.options.use.map((u) => {
        const i = u.indexOf("=");
        const target = u.slice(i + 1);
        const cut = target.lastIndexOf("/");
        if (i < 0 || cut < 0) return u; // a plain global name: nothing to re-anchor
        return `${u.slice(0, i)}=${anchor(target.slice(0, cut))}${target.slice(cut)}`;
      });
    }
    return JSON.stringify(cfg);
  };
  const args = [toPosix(relative(base, src)), "--baseDir", base, "--config", config, "--target", opts.debug ? "debug" : "release", "-o", dst];
  if (opts.speed) args.push("--shrinkLevel", "0");
  for (const u of opts.use ?? []) args.push("--use", u);
  // The async lowering (host/async/) runs in every firmware build.
  const compile = (transforms: unknown[]) => asc.main(args, { readFile, transforms } as unknown as Parameters<typeof asc.main>[1]);
  const inlining = !opts.debug && !opts.names;
  let { error, stderr } = await compile(opts.names && !opts.debug ? [AsyncTransform, KeepNames] : inlining ? FIRMWARE_TRANSFORMS : [AsyncTransform]);
  // Inlining every task's poll into the dispatch nests their blocks inside the
  // dispatch's (one block per task class): past the budget, build without it.
  if (!error && inlining && nestingOf(readFileSync(dst)) > INLINE_NESTING_BUDGET) ({ error, stderr } = await compile([AsyncTransform]));
  const text = stderr.toString();
  if (!error) return { ok: true, message: "", stderr: text };
  // What a missing ABI export looks like to the entry's author: the import line, as this entry would write it.
  const abiImport = project ? `${name}/abi` : toPosix(relative(dirname(src), resolve(root, "assembly/coop/abi"))).replace(/^(?!\.)/, "./");
  const where = (file: string) => toPosix(relative(process.cwd(), file.startsWith(`~lib/${name}/`) && project ? join(base, "node_modules", file.slice(5)) : resolve(base, file)));
  return { ok: false, message: firstError(text, error.message, where, `${toPosix(relative(process.cwd(), src))}: the firmware entry file does not export the board ABI: add \`export * from "${abiImport}";\` at its top (it exports coop_step and the other board calls, and brings in coop's panic handler that aborts go to)`), stderr: text };
}

/**
 * `names`: the release build with its name section (function names only),
 * and without InlineSingleCallers, so that a trap in a task's poll is in a
 * function of the task's own, not in the executor's step; so a trap on an MCU names the
 * function (docs/mcu.md, "Trap reports"). asc's optimize turns binaryen's
 * debug info off, which drops the names at emit; this turns it on for the
 * emit only. asc gives a transform class `binaryen` on its prototype.
 */
class KeepNames {
  declare binaryen: { setDebugInfo(on: boolean): void };
  afterCompile(module: { emitBinary: (...a: unknown[]) => unknown }): void {
    const b = this.binaryen;
    const emit = module.emitBinary.bind(module);
    module.emitBinary = (...a: unknown[]) => {
      b.setDebugInfo(true);
      try {
        return emit(...a);
      } finally {
        b.setDebugInfo(false);
      }
    };
  }
}

/**
 * The release build's change to asc's optimiser: a function with a single
 * caller is inlined into it whatever its size, as it is in no build of asc's
 * own (its limit is 80 at shrinkLevel 1, 200 at 0), and the smallest
 * functions at every call (ALWAYS_INLINE_MAX). The case that matters is
 * poll dispatch: `Future#poll@override`, the stub asc writes for the virtual
 * call in the executor's step, is each task class's only caller, and the step
 * the stub's, so with both inlined a poll is a branch of the class switch
 * inside the step instead of two calls. Inlining a function into its only
 * caller removes the function and the call, so that part does not make the
 * module larger; the small-function part adds about 1% (docs/runtime.md,
 * "Release build settings", has the figures). compileFirmware keeps the
 * result only within INLINE_NESTING_BUDGET.
 * Applied after each of asc's optimize rounds, by the same pass asc runs
 * (`inlining-optimizing`), with asc's other settings unchanged; debug builds
 * (optimizeLevel 0) are left alone.
 */
export class InlineSingleCallers {
  declare binaryen: { setOneCallerInlineMaxSize(n: number): void; getOneCallerInlineMaxSize(): number; setAlwaysInlineMaxSize(n: number): void; getAlwaysInlineMaxSize(): number };
  declare program: { options: { optimizeLevelHint: number } };
  // asc hands transforms binaryen.js's wrapper of the module, while it
  // optimizes through its own; it calls this wrapper's runPasses (with
  // --runPasses' list, usually empty) after each of its optimize rounds.
  afterCompile(module: { runPasses(passes: string[]): void }): void {
    if (this.program.options.optimizeLevelHint <= 0) return;
    const b = this.binaryen;
    const runPasses = module.runPasses.bind(module);
    module.runPasses = (passes: string[]) => {
      runPasses(passes);
      const was = b.getOneCallerInlineMaxSize(), always = b.getAlwaysInlineMaxSize();
      b.setOneCallerInlineMaxSize(ONE_CALLER_INLINE_MAX);
      b.setAlwaysInlineMaxSize(ALWAYS_INLINE_MAX);
      try {
        runPasses(["inlining-optimizing"]);
      } finally {
        b.setOneCallerInlineMaxSize(was);
        b.setAlwaysInlineMaxSize(always);
      }
    };
  }
}
/** Binaryen's size units (roughly wasm instructions): larger than any function firmware has. */
const ONE_CALLER_INLINE_MAX = 1 << 20;
/**
 * Functions this small are inlined at every call (asc: 6 at shrinkLevel 1):
 * 8 takes in StaticArray's element setter, which the size optimiser otherwise
 * merges into one out-of-line function for every element type (fan-out:
 * -6% instructions on wasm3, +1% demo size; 12 measured +3% size).
 */
const ALWAYS_INLINE_MAX = 8;

/**
 * The deepest block nesting compileFirmware lets the release inlining reach:
 * three quarters of the module gate's limit (boards/wasm3/gate.json, set by
 * wasm3's recursive compiler on the MCU), so a firmware it inlines keeps a
 * quarter of the limit free, and one it would take deeper is built without
 * it (docs/runtime.md, "Release build settings").
 */
export const INLINE_NESTING_BUDGET = Math.floor(GATE_LIMITS.max_nesting * 3 / 4);

/** A module's deepest block nesting, as the module gate counts it (past the limit if the gate refuses the nesting; 0 if it refuses the module for another reason). */
function nestingOf(bytes: Uint8Array): number {
  const v = gate(bytes);
  if (v.ok) return v.stats.maxNesting;
  return /block nesting/.test(v.rule) ? Infinity : 0;
}

/** The transforms of every firmware build: the async lowering, then the release inlining. */
export const FIRMWARE_TRANSFORMS = [AsyncTransform, InlineSingleCallers];

/**
 * "file.ts(12,5): ERROR TS2304: Cannot find name 'x'. (3 errors)" from asc's
 * report; `where` makes a compiler path one the user can open. The abort
 * route's target is missing when the entry does not export coop/abi (the
 * only import that loads coop's panic module): asc says "Element
 * '.../coopAbort' not found", which names no file of the user's; when that is
 * the only error, `noAbi` says what is missing instead.
 */
function firstError(text: string, summary: string, where: (file: string) => string, noAbi: string): string {
  const lines = text.split("\n").map((l) => l.replace(/\x1b\[[0-9;]*m/g, ""));
  const errors = lines.map((l, i) => (/^ERROR /.test(l) ? i : -1)).filter((i) => i >= 0);
  if (!errors.length) return summary;
  const missingAbort = (k: number) => /AS111: Element '.*coopAbort' not found/.test(lines[k]);
  const i = errors.find((k) => !missingAbort(k));
  if (i === undefined) return noAbi;
  let at = "";
  for (let j = i + 1; j < lines.length && !/^(ERROR|WARNING) /.test(lines[j]); j++) {
    const m = /└─ in (.+)$/.exec(lines[j]);
    if (m) {
      const file = /^(.*)\((\d+),(\d+)\)$/.exec(m[1].trim());
      at = file ? `${where(file[1])}(${file[2]},${file[3]}): ` : `${m[1].trim()}: `;
      break;
    }
  }
  // asc counts the async lowering's refusals as parse errors: they are errors in the user's code like any other.
  return `${at}${lines[i].trim()} (${summary.replace("parse error(s)", "error(s)")})`;
}

const EXAMPLES_USAGE = "usage: npm run build -- [name ...] [--use NAME=VALUE]... [--speed]";

/** `npm run build [-- name ... --use NAME=VALUE --speed]`: the named examples (default every one), both targets, with the knobs. */
function examplesArgs(argv: string[], root: string): { only: string[]; opts: BuildOptions } {
  const only: string[] = [];
  const use: string[] = [];
  let speed = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--speed") speed = true;
    else if (a === "--use" || a === "-u") {
      if (argv[i + 1] === undefined) throw new BuildUsageError("--use needs NAME=VALUE");
      use.push(argv[++i]);
    } else if (a.startsWith("--use=")) use.push(a.slice(6));
    else if (a.startsWith("-")) throw new BuildUsageError(`unknown option ${a}`);
    else only.push(a);
  }
  return { only, opts: { speed, use: parseKnobs(use, root) } };
}

// `npm run build`: every example, both targets.
async function buildExamples(argv: string[]): Promise<number> {
  const root = packageRoot();
  let args: { only: string[]; opts: BuildOptions };
  try {
    args = examplesArgs(argv, root);
  } catch (e) {
    if (!(e instanceof BuildUsageError)) throw e;
    process.stderr.write(`build: ${e.message} (${EXAMPLES_USAGE})\n`);
    return EXIT.USAGE;
  }
  const { only, opts } = args;
  const examples = join(root, "assembly/examples");
  const entries = readdirSync(examples)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => basename(f, ".ts"))
    .filter((name) => only.length === 0 || only.includes(name));
  const unknown = only.filter((n) => !entries.includes(n));
  if (unknown.length) {
    process.stderr.write(`build: no firmware ${unknown.join(", ")} in assembly/examples/ (${EXAMPLES_USAGE})\n`);
    return EXIT.USAGE;
  }
  mkdirSync(join(root, "build"), { recursive: true });
  let failed = 0;
  for (const name of entries) {
    for (const debug of [false, true]) {
      const out = join(root, "build", debug ? `${name}.debug.wasm` : `${name}.wasm`);
      const r = await compileFirmware(join(examples, `${name}.ts`), out, { ...opts, debug, speed: opts.speed && !debug }, root);
      if (!r.ok) {
        failed++;
        process.stderr.write(`build: ${name} (${debug ? "debug" : "release"}) failed: ${r.message}\n${r.stderr}`);
      }
    }
  }
  if (failed) return 1;
  const knobs = [...(opts.use ?? []), ...(opts.speed ? ["speed"] : [])];
  console.log(`build: ${entries.length} firmware module(s) -> build/${knobs.length ? ` (${knobs.join(", ")})` : ""}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await buildExamples(process.argv.slice(2));
}
