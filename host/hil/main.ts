// `coop hil`: runs the HIL scenario suite (tests/hil/) against targets and
// reports per-target pass/fail with the failing step, plus JUnit XML.
// The CLI dispatches `coop hil ...` to hilMain(); `npm run hil -- ...` runs
// this file directly. Exit: 0 no failure (skips allowed), 1 a scenario failed,
// 2 usage error or a named target that ran no scenario.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { junitXml, type TargetResult } from "./junit.js";
import { runTarget } from "./runner.js";
import { ALL, TARGETS, createTarget, parseTargetSpec } from "./targets/index.js";
import type { HilContext, HilTarget } from "./targets/types.js";
import { ABI_VERSION, BOARD_IMPORT_NAMES, EngineError, checkModule } from "../engines/v8.js";
import { EXIT } from "../abi.js";
import { readBounded, INPUT_LIMITS } from "../input.js";
import { printableLines } from "../text.js";

export const HIL_USAGE = `usage: coop hil --target <sim|wasm3|native|qemu|serial:<device>[@baud]|all> [options]
  --target T        target to run (repeat or comma-separate for several; "all" = ${ALL.join(", ")})
  --suite DIR       scenario folder (default tests/hil): DIR/*.yaml on every target, DIR/<target>/*.yaml on that one
  --junit FILE      also write a JUnit XML report
  --firmware FILE   firmware under test (default build/demo.wasm; qemu-riscv: build/shell.wasm, which fits its RAM)
  --board NAME      board description for pin/channel names (default sim-devkit)
  --seed N          seed for simulated targets (default 1)
  --slack F         multiply wait-serial timeouts on real-time targets by F (default 1)
  --list            list the targets and exit
exit: 0 no failures (with "all", targets that cannot run here are skipped and listed with their install command),
      1 failures, 2 usage, or a target named with --target cannot run here or ran no scenario (all skipped),
      3 the firmware was refused (as coop run)`;

/** Exit codes: the subset of the one table (boards/abi/abi.json, docs/abi.md) that coop hil uses. */
export const HIL_EXIT = { OK: EXIT.OK, FAILED: EXIT.SCENARIO_FAILED, USAGE: EXIT.USAGE, BAD_FIRMWARE: EXIT.BAD_MODULE } as const;

/** The package root: this file is build/js/host/hil/main.js. */
function packageRoot(): string {
  const up = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
  return existsSync(resolve(up, "package.json")) ? up : process.cwd();
}

class UsageError extends Error {}

interface Args {
  targets: string[];
  suite: string;
  junit: string | null;
  firmware: string | null;
  board: string;
  seed: number;
  slack: number;
  list: boolean;
  help: boolean;
}

/** The target specs written on the command line (before "all" is expanded). */
function argvTargets(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--target" || a === "-t") out.push(...(argv[++i] ?? "").split(","));
    else if (a.startsWith("--target=")) out.push(...a.slice("--target=".length).split(","));
  }
  return out.filter((t) => t && t !== "all");
}

function parseArgs(argv: string[]): Args {
  const a: Args = { targets: [], suite: "tests/hil", junit: null, firmware: null, board: "sim-devkit", seed: 1, slack: 1, list: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const opt = argv[i];
    const [key, inline] = opt.startsWith("--") && opt.includes("=") ? [opt.slice(0, opt.indexOf("=")), opt.slice(opt.indexOf("=") + 1)] : [opt, null];
    const value = (): string => {
      if (inline !== null) return inline;
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${key} needs a value`);
      return v;
    };
    switch (key) {
      case "--target":
      case "-t":
        a.targets.push(...value().split(",").filter(Boolean));
        break;
      case "--suite": a.suite = value(); break;
      case "--junit": a.junit = value(); break;
      case "--firmware": a.firmware = value(); break;
      case "--board": a.board = value(); break;
      case "--seed": {
        const v = value();
        a.seed = Number(v);
        if (!Number.isInteger(a.seed) || a.seed < 0) throw new UsageError(`--seed takes a non-negative integer, got ${v}`);
        break;
      }
      case "--slack": {
        const v = value();
        a.slack = Number(v);
        if (!Number.isFinite(a.slack) || a.slack < 1 || a.slack > 100) throw new UsageError(`--slack takes a factor 1..100, got ${v}`);
        break;
      }
      case "--list": a.list = true; break;
      case "-h":
      case "--help": a.help = true; break;
      default:
        throw new UsageError(`unknown option ${opt}`);
    }
  }
  return a;
}

/**
 * The checks `coop run` makes before loading (wasm, ABI exports, board
 * imports, ABI version), done once here so a bad file is one line instead of
 * a failure per scenario per target. Returns null or the one-line reason.
 */
export function refuseFirmware(wasm: Uint8Array): string | null {
  let mod: WebAssembly.Module;
  try {
    mod = checkModule(wasm);
  } catch (e) {
    if (e instanceof EngineError) return e.message.split("\n")[0].replace(/^firmware refused: /, ""); // "firmware X refused: <rule>"
    throw e;
  }
  // The ABI version needs an instance; the board imports are stubs that are never called
  // (coop_abi_version returns a constant). If instantiating fails here, the target reports it.
  let version: number;
  try {
    const board: Record<string, () => never> = {};
    for (const n of BOARD_IMPORT_NAMES) board[n] = () => { throw new Error("not running"); };
    const inst = new WebAssembly.Instance(mod, { board });
    version = (inst.exports.coop_abi_version as () => number)() >>> 0;
  } catch {
    return null;
  }
  return version === ABI_VERSION ? null : `firmware is built for board ABI v${version}; this board implements v${ABI_VERSION}`;
}

/**
 * Entry point of `coop hil`; resolves to the exit status and never throws.
 * `print` gets the report lines, `printErr` the one-line errors (stderr by default).
 */
export async function hilMain(
  argv: string[],
  printRaw: (line: string) => void = (l) => console.log(l),
  printErrRaw: (line: string) => void = (l) => process.stderr.write(l + "\n"),
): Promise<number> {
  // Report lines quote firmware output and messages: control characters become '?' (host/text.ts).
  const print = (l: string) => printRaw(printableLines(l));
  const printErr = (l: string) => printErrRaw(printableLines(l));
  let args: Args;
  let explicit: Set<string>;
  try {
    args = parseArgs(argv);
    if (args.help) {
      print(HIL_USAGE);
      return 0;
    }
    if (args.list) {
      for (const [name, e] of Object.entries(TARGETS)) print(`${name.padEnd(8)} ${e.describe}`);
      return 0;
    }
    if (args.targets.length === 0) throw new UsageError("no --target given");
    const specs = args.targets.flatMap((t) => (t === "all" ? ALL : [t]));
    for (const s of specs) parseTargetSpec(s); // all usage errors before anything runs
    args.targets = [...new Set(specs)];
    // Targets the user named: these must run. Those that only come from "all" may be skipped.
    explicit = new Set(args.targets.filter((t) => argvTargets(argv).includes(t)));
  } catch (e) {
    printErr(`coop hil: ${(e as Error).message.split("\n")[0]}${e instanceof UsageError ? " (try: coop hil --help)" : ""}`);
    return HIL_EXIT.USAGE;
  }
  const root = packageRoot();
  // The default firmware is this checkout's demo: from anywhere else (a coop init project) it is not the user's.
  const inside = !relative(root, process.cwd()).startsWith("..") && !isAbsolute(relative(root, process.cwd()));
  if (!args.firmware && !inside && args.targets.some((t) => !t.startsWith("serial:"))) {
    printErr("coop hil: name the firmware under test with --firmware (the default, build/demo.wasm, is coop's own demo, inside its checkout); in a coop init project: coop hil --target sim --suite tests --firmware build/main.wasm (npm run hil)");
    return HIL_EXIT.USAGE;
  }
  const suite = resolve(args.suite);
  if (!existsSync(suite)) {
    printErr(`coop hil: suite folder ${args.suite} not found`);
    return HIL_EXIT.USAGE;
  }
  const ctx: HilContext = {
    root,
    firmware: args.firmware ? resolve(args.firmware) : resolve(root, "build", "demo.wasm"),
    firmwareGiven: args.firmware !== null,
    board: args.board,
    seed: args.seed,
    slack: args.slack,
  };
  // Every target but a serial board (which runs what it was flashed with) loads this file.
  const fwName = args.firmware ?? "build/demo.wasm";
  if (args.targets.some((t) => !t.startsWith("serial:"))) {
    if (!existsSync(ctx.firmware)) {
      printErr(`coop hil: firmware ${fwName} not found${args.firmware ? "" : "; build it: npm run build"}`);
      return HIL_EXIT.USAGE;
    }
    let why: string | null;
    try {
      why = refuseFirmware(new Uint8Array(readBounded(ctx.firmware, INPUT_LIMITS.firmware, "firmware")));
    } catch (e) {
      printErr(`coop hil: cannot read firmware ${fwName}: ${(e as Error).message.split("\n")[0]}`);
      return HIL_EXIT.USAGE;
    }
    if (why) {
      printErr(`coop hil: firmware ${fwName} refused: ${why}`);
      return HIL_EXIT.BAD_FIRMWARE;
    }
  }
  // A target named on the command line that cannot run here stops the run before anything
  // runs (a CI job asking for it must not pass by skipping it); targets from "all" are skipped.
  const targets: [string, HilTarget][] = [];
  for (const spec of args.targets) {
    const target = await createTarget(spec);
    if (explicit.has(spec)) {
      const avail = await target.available(ctx).catch((e) => ({ ok: false as const, reason: (e instanceof Error ? e.message : String(e)).split("\n")[0], install: "(see the target's README)" }));
      if (!avail.ok) {
        printErr(`coop hil: target ${spec} cannot run here: ${avail.reason}; install with: ${avail.install}`);
        return HIL_EXIT.USAGE;
      }
      target.available = async () => avail; // checked once; runTarget asks again
    }
    targets.push([spec, target]);
  }
  const results: TargetResult[] = [];
  for (const [spec, target] of targets) {
    try {
      results.push(await runTarget(target, { ctx, suite, print }));
    } catch (e) {
      // runTarget reports scenario errors itself; this is a harness bug, still reported on one line.
      const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0];
      print(`  FAIL ${spec}: harness error: ${msg}`);
      results.push({ target: spec, cases: [{ name: "(harness)", file: "", status: "fail", message: msg, detail: msg, seconds: 0 }] });
    }
  }
  const all = results.flatMap((r) => r.cases);
  const failed = all.filter((c) => c.status === "fail").length;
  const skipped = all.filter((c) => c.status === "skip").length;
  print(`hil: ${results.map((r) => `${r.target} ${r.cases.filter((c) => c.status === "fail").length ? "FAIL" : r.cases.every((c) => c.status === "skip") ? "SKIPPED" : "ok"}`).join(", ")}; ${all.length - failed - skipped} passed, ${failed} failed, ${skipped} skipped`);
  if (args.junit) {
    try {
      const out = resolve(args.junit);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, junitXml(results));
      print(`hil: JUnit report: ${args.junit}`);
    } catch (e) {
      printErr(`coop hil: cannot write ${args.junit}: ${(e as Error).message.split("\n")[0]}`);
      return HIL_EXIT.USAGE;
    }
  }
  // A target the user named that ran nothing must not pass: a CI job asking for it would test nothing.
  let idle = 0;
  targets.forEach(([spec], i) => {
    const cases = results[i].cases;
    if (!explicit.has(spec) || cases.some((c) => c.status !== "skip")) return;
    idle++;
    printErr(`coop hil: target ${spec} ran no scenario: ${cases.length ? `all ${cases.length} scenario(s) were skipped (steps it cannot do: see the SKIP lines)` : `the suite ${args.suite} has none for it`}`);
  });
  return failed ? HIL_EXIT.FAILED : idle ? HIL_EXIT.USAGE : HIL_EXIT.OK;
}

// `node build/js/host/hil/main.js ...` (npm run hil) runs it directly.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  hilMain(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`coop hil: ${(e as Error).message.split("\n")[0]}\n`);
      process.exit(EXIT.USAGE);
    },
  );
}
