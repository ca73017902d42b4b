// `coop`: the command line. `coop run <firmware.wasm>` runs firmware on a
// simulated board; `coop build <file.ts>` compiles firmware (host/build.ts);
// `coop hil ...` hands over to the HIL harness
// (host/hil/main.ts). Every failure is one line on stderr and a documented
// exit code (docs/simulator.md); no stack traces.

import { writeFileSync, existsSync, readdirSync, statSync, accessSync, constants } from "node:fs";
import { dirname, resolve, basename } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDuration, parseScenario, runScenario, formatFailure, formatTime, allProblems, ScenarioError, type Scenario } from "./scenario.js";
import { createEngine, ENGINES } from "./engines/index.js";
import { EngineError } from "./engines/v8.js";
import { BoardError } from "./sim/board.js";
import { findBoard, loadBoard } from "./board-file.js";
import { faultLine } from "./fault-report.js";
import { runLive } from "./interactive.js";
import { readFirmware, openSimulator } from "./firmware.js";
import { TraceFile } from "./trace-file.js";
import { SimTarget } from "./sim/target.js";
import { Simulator } from "./sim/simulator.js";
import { byTaskName, formatMetrics, OutputError } from "./sim/recorder.js";
import { readBounded, INPUT_LIMITS, InputError, reason } from "./input.js";
import { printable, printableLines, jsonSafe } from "./text.js";
import { EXIT } from "./abi.js";

/** Exit codes: the one table every runner shares (boards/abi/abi.json, docs/abi.md). */
export { EXIT };

/** The package root (two levels above build/js/host/, or above host/). */
export function packageRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(resolve(d, "package.json")) && existsSync(resolve(d, "boards"))) return d;
    d = dirname(d);
  }
  return process.cwd();
}

class UsageError extends Error {}

const USAGE = `usage: coop run <firmware.wasm> [options]
       coop build <file.ts> [-o out.wasm] [--use NAME=VALUE]... [--debug | --speed]   (compile firmware: coop build --help)
       coop init <dir> [--coop <path>]   (a new firmware project that depends on this package)
       coop hil <args...>        (HIL harness: coop hil --help)
       coop web <firmware.wasm> [--board NAME|file] [--script scenario.yaml] [--seed N] [--fuel N] [--port N]   (the board in a browser: coop web --help)
       coop boards               (list board files)
run options:
  --board <name|file>   board description (default sim-devkit; boards/<name>.json)
  --until <time>        stop at this simulated time (e.g. 10s, 24h; default 10s, or the scenario's end)
  --seed <n>            seed for every random source (default 1)
  --uart-in <file|->    bytes sent to UART0 from t=0 at the baud rate; "-" on a terminal is
                        live: typed lines go to UART0, time runs at wall speed, Ctrl-D/Ctrl-C end
  --uart1-in <file|->   the same for UART1 (boards with a second UART)
  --script <file>       run a scenario (YAML/JSON) and exit 0 on pass, 1 on failure
  --trace <out.json>    Chrome trace events (open in ui.perfetto.dev)
  --vcd <out.vcd>       pin, ADC and UART waveforms (open in GTKWave)
  --engine <name>       ${Object.keys(ENGINES).join(" | ")} (default v8)
  --fuel <n>            work units a task may run without returning (default 50000000); 0 = unlimited
  --quiet               print nothing but errors and failures
  --json                print one JSON object (serial output, metrics, summary) instead of text`;

interface Out {
  stdout(s: string): void;
  stderr(s: string): void;
}

const defaultOut: Out = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };

/** Entry point; returns the exit code. */
export async function main(argv: string[], raw: Out = defaultOut): Promise<number> {
  // Everything on stderr is a report: control characters from firmware text
  // (or a file name) become '?' (host/text.ts). stdout carries the UART0 byte
  // stream as the device sent it; its other lines are made printable where written.
  const out: Out = { stdout: raw.stdout, stderr: (s) => raw.stderr(printableLines(s)) };
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case "run":
        return await runCmd(rest, out);
      case "hil":
        return await hilCmd(rest, out);
      case "web":
        return await webCmd(rest, out);
      case "build":
        return await buildCmd(rest, out);
      case "init":
        return await initCmd(rest, out);
      case "boards": {
        const dir = resolve(packageRoot(), "boards");
        for (const f of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
          try {
            const b = loadBoard(resolve(dir, f));
            out.stdout(`${basename(f, ".json").padEnd(14)} ${b.description}\n`);
          } catch (e) {
            out.stdout(`${basename(f, ".json").padEnd(14)} (invalid: ${(e as Error).message})\n`);
          }
        }
        return EXIT.OK;
      }
      case undefined:
      case "-h":
      case "--help":
      case "help":
        // No command is a usage error: the usage goes to stderr (stdout stays clean), exit 2.
        if (cmd === undefined) out.stderr(USAGE + "\n");
        else out.stdout(USAGE + "\n");
        return cmd === undefined ? EXIT.USAGE : EXIT.OK;
      default:
        out.stderr(`coop: unknown command "${cmd}" (coop --help lists the commands)\n`);
        return EXIT.USAGE;
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    if (e instanceof ScenarioError) {
      // Every problem of the scenario, one line each, in file order.
      for (const p of e.problems) out.stderr(`coop: ${p}\n`);
      return EXIT.USAGE;
    }
    if (e instanceof UsageError || e instanceof BoardError || e instanceof ScenarioError || e instanceof InputError || e instanceof OutputError) {
      out.stderr(`coop: ${msg}\n`);
      return EXIT.USAGE;
    }
    if (e instanceof EngineError) {
      out.stderr(`coop: ${msg}\n`);
      return EXIT.BAD_MODULE;
    }
    out.stderr(`coop: internal error: ${msg}\n`);
    return EXIT.INTERNAL;
  }
}

const BUILD_USAGE = `usage: coop build <file.ts> [-o out.wasm] [--use NAME=VALUE]... [--debug | --speed | --names]
  Compiles an AssemblyScript firmware file (in this repo, in a project made by coop init,
  or anywhere else) with the package's asconfig.json: the release target, or the debug
  target with --debug.
  -o, --out <file>      output (default: next to the source, <name>.wasm or <name>.debug.wasm)
  -u, --use NAME=VALUE  a build knob (repeatable; what each sizes and its default:
                        docs/runtime.md, "Build knobs"):
KNOBS
  --debug               debug target (names, source map <out>.map, await sites for "waiting at")
  --speed               release target with shrinkLevel 0: faster, larger (docs/runtime.md)
  --names               release target with its name section kept (same code): traps on an MCU name the function
  async functions are lowered into Future classes; COOP_ASYNC_PRINT=1 prints the generated code
exit: 0 built, 2 bad input (missing file, bad option or knob, compile error: the first error on one line)`;

/** `coop build`: one firmware file, compiled by host/build.ts's compileFirmware (the same call npm run build makes). */
async function buildCmd(args: string[], out: Out): Promise<number> {
  const parsed = parseOptions(args, { out: "string", use: "strings", debug: "boolean", speed: "boolean", names: "boolean", help: "boolean" }, "build", { o: "out", u: "use" });
  const { compileFirmware, parseKnobs, buildKnobs, BuildUsageError } = await import("./build.js");
  if (parsed.values.help) {
    // The knobs and their ranges as assembly/coop/config.ts defines them.
    const knobs = [...buildKnobs(packageRoot())].map(([name, k]) => `                          ${name}=${k.min}..${k.max}`).join("\n");
    out.stdout(BUILD_USAGE.replace("KNOBS", knobs) + "\n");
    return EXIT.OK;
  }
  if (parsed.positionals.length !== 1) throw new UsageError("build needs exactly one source file: coop build <file.ts> [-o out.wasm] [--use NAME=VALUE]... [--debug | --speed]");
  const src = parsed.positionals[0];
  const debug = parsed.values.debug === true;
  const speed = parsed.values.speed === true;
  if (debug && speed) throw new UsageError("--debug and --speed exclude each other: --speed is the release target with shrinkLevel 0 (see coop build --help)");
  let use: string[];
  try {
    use = parseKnobs((parsed.values.use as string[] | undefined) ?? [], packageRoot());
  } catch (e) {
    if (e instanceof BuildUsageError) throw new UsageError(`${e.message} (see coop build --help)`);
    throw e;
  }
  if (!src.endsWith(".ts")) throw new UsageError(`build takes an AssemblyScript source file ending in .ts, got ${src}`);
  if (!existsSync(src)) throw new UsageError(`source file not found: ${src}`);
  if (!statSync(src).isFile()) throw new UsageError(`not a file: ${src}`);
  const dst = (parsed.values.out as string | undefined) ?? src.replace(/\.ts$/, debug ? ".debug.wasm" : ".wasm");
  if (dst === "" || dst.endsWith("/") || (existsSync(dst) && statSync(dst).isDirectory())) throw new UsageError(`-o needs a file name, got "${dst}"`);
  if (!existsSync(dirname(resolve(dst)))) throw new UsageError(`cannot write ${dst}: folder ${dirname(dst)} does not exist`);
  try {
    accessSync(dirname(resolve(dst)), constants.W_OK);
  } catch {
    throw new UsageError(`cannot write ${dst}: folder ${dirname(dst)} is not writable`);
  }
  const r = await compileFirmware(src, dst, { debug, speed, use, names: parsed.values.names === true }, packageRoot());
  if (!r.ok) throw new UsageError(`build failed: ${r.message}`);
  if (!existsSync(dst)) throw new UsageError(`cannot write ${dst}`);
  const how = [debug ? "debug" : speed ? "release, speed" : "release", ...(parsed.values.names === true && !debug ? ["names"] : []), ...use].join(", ");
  out.stdout(`coop build: ${src} -> ${dst} (${how}, ${statSync(dst).size} bytes)\n`);
  return EXIT.OK;
}

const INIT_USAGE = `usage: coop init <dir> [--coop <path>]
  Makes a firmware project in <dir> (new, or an empty folder): src/main.ts (an example
  task), tests/main.yaml (a scenario), package.json with build, run and test scripts,
  and a README. The project depends on this package as "coop": "file:<path>" (no registry
  release exists); --coop <path> names another checkout of coop to depend on.
  Then: cd <dir> && npm install && npm test
exit: 0 made, 2 bad input (a non-empty <dir>, a --coop path that is not a coop checkout)`;

/** `coop init <dir>`: a firmware project of its own (host/project.ts). */
async function initCmd(args: string[], out: Out): Promise<number> {
  const parsed = parseOptions(args, { coop: "string", help: "boolean" }, "init");
  if (parsed.values.help) {
    out.stdout(INIT_USAGE + "\n");
    return EXIT.OK;
  }
  if (parsed.positionals.length !== 1) throw new UsageError("init needs exactly one folder: coop init <dir> [--coop <path>]");
  const { initProject, ProjectError } = await import("./project.js");
  try {
    const dir = parsed.positionals[0];
    const made = initProject(dir, (parsed.values.coop as string | undefined) ?? packageRoot());
    const cd = /[^\w./-]/.test(dir) ? JSON.stringify(dir) : dir;
    out.stdout(`coop init: made ${made.files.length} files in ${dir} (depends on coop at ${made.coop})\nnext: cd ${cd} && npm install && npm test\n`);
  } catch (e) {
    if (e instanceof ProjectError) throw new UsageError(e.message);
    throw e;
  }
  return EXIT.OK;
}

const WEB_USAGE = `usage: coop web <firmware.wasm> [--board <name|file>] [--script <scenario.yaml>] [--seed <n>] [--fuel <n>] [--port <n>]
  Serves a page on 127.0.0.1 that runs the firmware on the simulated board in the browser
  (docs/web.md): LEDs, buttons, ADC sliders, UART terminals, metrics, a timeline, downloads
  of the trace and the VCD, the scenario step by step. Prints the page's URL; Ctrl-C stops.
  --board, --seed, --fuel   as for coop run (default sim-devkit, seed 1, fuel 50000000; 0 = unlimited)
  --script <file>    a scenario the page can run (the page's "run scenario")
  --port <n>         the port (default DEFAULT_PORT; 0 = any free port)
exit: 0 stopped by Ctrl-C, 2 bad input (a port in use too), 3 firmware refused`;

/**
 * \`coop web\`: check the firmware, board and scenario as coop run does (the
 * same loading, in Node, so bad input gets the same line), then serve the page.
 */
async function webCmd(args: string[], out: Out): Promise<number> {
  const { serveWeb, DEFAULT_WEB_PORT } = await import("./web/server.js");
  const parsed = parseOptions(args, { board: "string", script: "string", seed: "string", fuel: "string", port: "string", help: "boolean" }, "web");
  if (parsed.values.help) {
    out.stdout(WEB_USAGE.replace("DEFAULT_PORT", String(DEFAULT_WEB_PORT)) + "\n");
    return EXIT.OK;
  }
  if (parsed.positionals.length !== 1) throw new UsageError("web needs exactly one firmware file: coop web <firmware.wasm>");
  const fwPath = parsed.positionals[0];
  const num = (name: string, v: string | undefined, def: number, max: number): number => {
    if (v === undefined) return def;
    if (!/^[0-9]+$/.test(v) || Number(v) > max) throw new UsageError(`--${name} must be an integer 0..${max}, got "${v}"`);
    return Number(v);
  };
  const seed = num("seed", parsed.values.seed as string | undefined, 1, 0xffffffff);
  const port = num("port", parsed.values.port as string | undefined, DEFAULT_WEB_PORT, 65535);
  const fuelArg = parsed.values.fuel as string | undefined;
  const fuel = fuelArg === undefined ? null : num("fuel", fuelArg, 0, 2 ** 31 - 1);
  const boardPath = findBoard((parsed.values.board as string | undefined) ?? "sim-devkit", packageRoot());
  const board = loadBoard(boardPath);
  if (/\.ts$/.test(fwPath)) throw new UsageError(`web takes the built firmware (.wasm), not its source ${fwPath}: build it first (coop build ${fwPath})`);
  const firmware = readFirmware(fwPath);
  let scenario: { name: string; text: string } | null = null;
  const scriptPath = parsed.values.script as string | undefined;
  if (scriptPath !== undefined) {
    const text = readInput(scriptPath, "scenario file", INPUT_LIMITS.scenario).toString("utf8");
    const sc = parseScenario(text, scriptPath); // a scenario with problems is refused here, all of them
    const problems = allProblems(sc, new SimTarget(new Simulator(board, { fuel: false })));
    if (problems.length) throw new ScenarioError(problems);
    scenario = { name: basename(scriptPath), text };
  }
  // The firmware is loaded once here with the engine the page uses, so a module coop run refuses is refused with its line.
  const sim = await openSimulator(board, firmware, await createEngine("v8"), { seed, fuel: fuel === null ? undefined : fuel === 0 ? false : fuel });
  sim.fw?.close();
  await serveWeb({
    root: packageRoot(), firmwareName: basename(fwPath), firmware: firmware.wasm,
    board: { name: board.name, path: basename(boardPath), text: readInput(boardPath, "board file", INPUT_LIMITS.board).toString("utf8") },
    scenario, seed, fuel, port,
  }, (url) => out.stdout(`coop web: ${url} (${basename(fwPath)} on ${board.name}; Ctrl-C stops)\n`));
  out.stdout("coop web: stopped\n");
  return EXIT.OK;
}

async function hilCmd(args: string[], out: Out): Promise<number> {
  let mod: { hilMain?: (a: string[]) => Promise<number> };
  try {
    mod = await import("./hil/main.js" as string);
  } catch (e) {
    out.stderr(`coop: the HIL harness is not available (host/hil/main.js: ${(e as Error).message.split("\n")[0]})\n`);
    return EXIT.USAGE;
  }
  if (typeof mod.hilMain !== "function") {
    out.stderr("coop: host/hil/main.js does not export hilMain\n");
    return EXIT.USAGE;
  }
  return await mod.hilMain(args);
}

/** Read an input file ("-": standard input), at most `limit` bytes (host/input.ts); one-line errors, exit 2. */
function readInput(path: string, what: string, limit: number): Buffer {
  if (path !== "-" && !existsSync(path)) throw new UsageError(`${what} not found: ${path}`);
  return readBounded(path, limit, what);
}

/** Open a --trace file now (before anything runs), as a usage error when it cannot be written. */
function traceFile(path: string): TraceFile {
  try {
    return new TraceFile(path);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/**
 * Simulated seconds per wall second for the run footer: whole numbers from
 * 100x up, two significant digits below (a short run is "0.025x", not "0x").
 */
export function formatSpeed(ratio: number): string {
  if (!Number.isFinite(ratio) || ratio <= 0) return "0x";
  return ratio >= 100 ? `${ratio.toFixed(0)}x` : `${Number(ratio.toPrecision(2))}x`;
}

/** How long a --script run goes on after the scenario to finish a UART0 line it ended in. */
const LINE_END_US = 100_000;

/** The options of `coop run`: string options take a value, boolean ones do not. */
const RUN_OPTIONS: Record<string, "string" | "boolean"> = {
  board: "string", until: "string", seed: "string", "uart-in": "string", "uart1-in": "string", script: "string", trace: "string",
  vcd: "string", engine: "string", fuel: "string", quiet: "boolean", json: "boolean", help: "boolean",
};

/**
 * Split `coop <cmd>` arguments into options and positionals, with one-line
 * errors that name the option. Not node:util parseArgs: it refuses values that
 * start with "-" (`--fuel -5` became "argument is ambiguous" instead of the
 * range message) and its unknown-option text is a paragraph.
 */
export function parseOptions(args: string[], spec: Record<string, "string" | "boolean" | "strings">, cmd: string, short: Record<string, string> = {}): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  const values: Record<string, string | boolean | string[] | undefined> = {};
  const positionals: string[] = [];
  const hint = ` (see coop ${cmd} --help)`;
  for (let i = 0; i < args.length; i++) {
    let a = args[i];
    if (/^-[a-zA-Z]$/.test(a) && Object.hasOwn(short, a.slice(1))) a = `--${short[a.slice(1)]}`;
    if (a === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (a === "-h") {
      values.help = true;
      continue;
    }
    if (!a.startsWith("-") || a === "-") {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.startsWith("--") ? a.slice(2, eq < 0 ? undefined : eq) : "";
    const type = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!type) throw new UsageError(`unknown option ${eq < 0 ? a : a.slice(0, eq)}${hint}`);
    if (type === "boolean") {
      if (eq >= 0) throw new UsageError(`option --${name} takes no value${hint}`);
      values[name] = true;
      continue;
    }
    let v: string | undefined;
    if (eq >= 0) v = a.slice(eq + 1);
    else {
      v = args[i + 1];
      // The next word is this option's value unless it looks like an option: "-5" and "-" (stdin) are values.
      if (v === undefined || v.startsWith("--") || v === "-h") throw new UsageError(`option --${name} needs a value${hint}`);
      i++;
    }
    // "--seed=" or --seed " " must not quietly mean a default (Number("") is 0).
    if (v.trim() === "") throw new UsageError(`option --${name} needs a value, got an empty one${hint}`);
    // "strings" options may be given again and again (--use A=1 --use B=2).
    values[name] = type === "strings" ? [...((values[name] as string[] | undefined) ?? []), v] : v;
  }
  return { values, positionals };
}

async function runCmd(args: string[], out: Out): Promise<number> {
  const parsed = parseOptions(args, RUN_OPTIONS, "run");
  if (parsed.values.help) {
    out.stdout(USAGE + "\n");
    return EXIT.OK;
  }
  const defaults = { board: "sim-devkit", seed: "1", engine: "v8", quiet: false, json: false };
  const o = { ...defaults, ...parsed.values } as {
    board: string; until?: string; seed: string; "uart-in"?: string; "uart1-in"?: string; script?: string; trace?: string;
    vcd?: string; engine: string; fuel?: string; quiet: boolean; json: boolean;
  };
  if (parsed.positionals.length !== 1) throw new UsageError("run needs exactly one firmware file: coop run <firmware.wasm>");
  const fwPath = parsed.positionals[0];
  // Decimal digits only: Number() would also take " 1", "0x10", "1e3".
  const decimal = (v: string): number => (/^-?[0-9]+$/.test(v) ? Number(v) : NaN);
  const seed = decimal(o.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed must be an integer 0..4294967295, got "${o.seed}"`);
  let until: number | null = null;
  if (o.until !== undefined) {
    until = parseDuration(o.until);
    if (until === null) throw new UsageError(`--until "${o.until}" is not a duration (e.g. 10s, 500ms, 24h)`);
  }
  let fuel: number | false | undefined;
  if (o.fuel !== undefined) {
    const f = decimal(o.fuel);
    if (!Number.isInteger(f) || f < 0 || f > 2 ** 31 - 1) throw new UsageError(`--fuel must be an integer 0..2147483647, got "${o.fuel}"`);
    fuel = f === 0 ? false : f;
  }

  // Read and check everything before running anything.
  const board = loadBoard(findBoard(o.board, packageRoot()));
  // The source instead of the build: the gate would only say "not a WebAssembly module".
  if (/\.ts$/.test(fwPath)) throw new UsageError(`run takes the built firmware (.wasm), not its source ${fwPath}: build it first (coop build ${fwPath} -o build/${basename(fwPath, ".ts")}.wasm), then coop run build/${basename(fwPath, ".ts")}.wasm`);
  const firmware = readFirmware(fwPath);
  // A scenario with step problems is kept (with the steps that parsed) until the target can check them too.
  let script: Scenario | ScenarioError | null = null;
  if (o.script !== undefined) {
    try {
      script = parseScenario(readInput(o.script, "scenario file", INPUT_LIMITS.scenario).toString("utf8"), o.script);
    } catch (e) {
      if (!(e instanceof ScenarioError && e.partial)) throw e;
      script = e;
    }
  }
  const scenario = script instanceof ScenarioError ? null : script;
  if (o["uart-in"] === "-" && o["uart1-in"] === "-") throw new UsageError("--uart-in and --uart1-in cannot both read stdin (-)");
  // "-" on a terminal is a live session (host/interactive.ts); piped or a file, the input is read whole first.
  const live = o["uart-in"] === "-" && process.stdin.isTTY === true;
  if (live && scenario) throw new UsageError("--uart-in - on a terminal is a live session and cannot be combined with --script (pipe the input or give a file)");
  if (live && !board.uarts.some((u) => u.port === 0)) throw new UsageError(`board ${board.name} has no UART0 for --uart-in`);
  const uartIn = o["uart-in"] !== undefined && !live ? readInput(o["uart-in"], "UART input file", INPUT_LIMITS.uartIn) : null;
  const uart1In = o["uart1-in"] !== undefined ? readInput(o["uart1-in"], "UART1 input file", INPUT_LIMITS.uartIn) : null;
  if (uart1In && !board.uarts.some((u) => u.port === 1)) throw new UsageError(`board ${board.name} has no UART1 for --uart1-in`);
  const engine = await createEngine(o.engine).catch((e: Error) => {
    throw new UsageError(e.message);
  });

  const quiet = o.quiet || o.json;
  let serialBuf = "";
  const flush = () => {
    if (serialBuf) out.stdout(serialBuf);
    serialBuf = "";
  };
  // Output files are opened before running, so an unwritable path is an input error, not a lost run.
  if (o.vcd !== undefined) {
    try {
      writeFileSync(o.vcd, "");
    } catch (e) {
      throw new UsageError(`cannot write VCD file ${o.vcd}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  const target: { t: SimTarget | null } = { t: null };
  const wall0 = performance.now();
  const sim = await openSimulator(board, firmware, engine, {
    seed,
    fuel,
    trace: o.trace !== undefined ? traceFile(o.trace) : false,
    vcd: o.vcd !== undefined,
    onUart: quiet ? undefined : (port, b) => {
      if (port !== 0) return;
      serialBuf += String.fromCharCode(b);
      if (serialBuf.length > 4096) flush();
    },
    onLog: quiet ? undefined : (line, t) => {
      flush();
      out.stderr(`[log ${formatTime(t)}] ${printable(line)}\n`);
    },
  }, (s) => {
    target.t = new SimTarget(s);
    if (script) {
      // Step problems, unknown pins/channels and unsupported steps are input errors: all of them, before loading.
      const problems = allProblems(script, target.t);
      if (problems.length) throw new ScenarioError(problems);
    }
  });
  const simTarget = target.t!;
  if (uartIn && !sim.fault) {
    const u = sim.uarts.get(0);
    if (!u) throw new UsageError(`board ${board.name} has no UART0 for --uart-in`);
    u.send(uartIn);
  }
  if (uart1In && !sim.fault) sim.uarts.get(1)!.send(uart1In);
  let code: number = EXIT.OK;
  let scenarioReport: Record<string, unknown> | null = null;
  if (scenario && !sim.fault) {
    const r = await runScenario(scenario, simTarget, simTarget);
    // The scenario may end in the middle of a UART0 line (wait-serial matched before its newline):
    // run on until the line ends, for at most LINE_END_US, so the output is not cut (docs/simulator.md).
    const unfinished = () => sim.serial.length > 0 && sim.serial[sim.serial.length - 1] !== 0x0a;
    let lineUnfinished = false;
    if (until === null && !sim.fault && unfinished()) {
      sim.run(sim.now() + LINE_END_US, () => !unfinished());
      lineUnfinished = !sim.fault && unfinished();
    }
    scenarioReport = { name: scenario.name, ok: r.ok, passed: r.passed, steps: scenario.steps.length, timeUs: r.timeUs, failure: r.failure ? { number: r.failure.index + 1, line: r.failure.step.line, step: r.failure.step.text, message: r.failure.message } : null, tail: r.tail, lineUnfinished };
    flush();
    if (lineUnfinished && !quiet) out.stdout("\n");
    if (!r.ok) {
      code = EXIT.SCENARIO_FAILED;
      out.stderr(formatFailure(scenario, r) + "\n");
    } else if (!quiet) out.stderr(`scenario "${scenario.name}": passed ${r.passed} steps at t=${formatTime(r.timeUs)}\n`);
    if (lineUnfinished && !quiet) out.stderr(`coop: UART0's last line is unfinished: no newline within ${LINE_END_US / 1000} ms after the scenario ended (stdout got a newline after it)\n`);
  }
  const end = until ?? (scenario ? 0 : 10_000_000);
  if (live && !sim.fault) {
    if (!quiet) out.stderr("coop: live: each line you type goes to UART0 (time runs at wall speed); Ctrl-D or Ctrl-C ends the run\n");
    await runLive(sim, process.stdin, until, flush);
  } else if (!sim.fault && code === EXIT.OK && sim.now() < end) sim.run(end);
  flush();
  const wall = (performance.now() - wall0) / 1000;

  // Nothing may allocate after start-up. The core stops at the first poll that
  // does (a fault, below); growth seen only now came from outside any poll, or
  // from a firmware built without the seal: the same fault, without a task.
  const grown = sim.heapGrowth();
  if (grown !== null && grown > 0) sim.fault = { kind: "alloc", message: `allocated ${grown} bytes after start-up`, task: -1, taskName: null, tUs: sim.now(), heap: sim.heapSpan() };
  // A full task table or timer pool refuses quietly inside the firmware (spawn returns SPAWN_FULL): say it here.
  const refused = sim.refusals();
  if (refused && refused.spawnFailures > 0) {
    let cap: number | null = null;
    try { cap = sim.fw ? sim.fw.taskCapacity() : null; } catch { /* the firmware cannot say: the count alone */ }
    out.stderr(`coop: warning: ${refused.spawnFailures} spawn(s) failed: the task table${cap !== null ? ` (${cap} slots)` : ""} was full (fewer tasks at once, or build with more slots: COOP_TASKS, docs/runtime.md)\n`);
  }
  if (refused && refused.timerOverflows > 0) {
    out.stderr(`coop: warning: ${refused.timerOverflows} timer(s) could not be armed: the timer pool was full (build with more timers: COOP_TIMERS, docs/runtime.md)\n`);
  }
  const f = sim.fault;
  if (f) {
    out.stderr(faultLine(f) + "\n");
    code = f.kind === "name" ? EXIT.BAD_MODULE : EXIT.FIRMWARE_FAULT;
  }
  const overruns = [...sim.uarts.values()].reduce((n, u) => n + u.overruns, 0);
  if (overruns > 0) {
    out.stderr(`coop: UART RX overrun: ${overruns} input byte(s) dropped because the RX FIFO was full (input faster than the firmware reads)\n`);
    if (code === EXIT.OK) code = EXIT.UART_OVERRUN;
  }
  // Output files: a write failure (a full disk) is one line and exit 2 unless
  // the run already failed (1) or faulted (4), which stay the exit code.
  const outputError = (msg: string) => {
    out.stderr(`coop: ${msg}\n`);
    if (code === EXIT.OK || code === EXIT.UART_OVERRUN) code = EXIT.USAGE;
  };
  if (o.trace) {
    try {
      sim.flushTrace();
      sim.chrome!.finish();
    } catch (e) {
      outputError((e as Error).message);
    }
  }
  if (o.vcd) {
    try {
      writeFileSync(o.vcd, sim.vcd!.toString(sim.now()));
    } catch (e) {
      outputError(`cannot write VCD file ${o.vcd}: ${reason(e)}`);
    }
  }

  const metrics = byTaskName(sim.taskMetrics());
  const simS = sim.now() / 1e6;
  if (o.json) {
    out.stdout(jsonSafe(JSON.stringify({
      firmware: fwPath, board: board.name, engine: engine.name, seed, exitCode: code,
      serial: Buffer.from(sim.serial).toString("utf8"),
      ...(board.uarts.some((u) => u.port === 1) ? { serial1: Buffer.from(sim.serial1).toString("utf8") } : {}),
      fault: f, scenario: scenarioReport, summary: sim.summary(), tasks: metrics,
      wallSeconds: wall,
    }, null, 1)) + "\n");
  } else if (!o.quiet) {
    out.stdout(`\n--- ${board.name}: ${formatTime(sim.now())} simulated in ${wall.toFixed(3)} s wall (${formatSpeed(simS / Math.max(wall, 1e-9))}), ${sim.steps} steps ---\n`);
    out.stdout(printableLines(formatMetrics(metrics, sim.now())) + "\n");
  }
  for (const fw of [sim.fw]) fw?.close();
  return code;
}

// Run when executed directly (node build/js/host/cli.js ...).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Output we cannot write (a full disk, a closed pipe) is the user's
  // environment, not a simulator bug: one line, exit 2.
  for (const [stream, name] of [[process.stdout, "standard output"], [process.stderr, "standard error"]] as const) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (stream !== process.stderr) process.stderr.write(`coop: cannot write ${name}: ${reason(e)}\n`);
      process.exit(EXIT.USAGE);
    });
  }
  process.on("uncaughtException", (e) => {
    process.stderr.write(`coop: internal error: ${printable(e.message.split("\n")[0])}\n`);
    process.exit(EXIT.INTERNAL);
  });
  // exitCode, not exit(): let piped stdout drain first.
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}

