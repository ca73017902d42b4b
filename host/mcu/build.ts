// `npm run build:mcu -- <app.wasm> [options]`: cross-compiles a firmware for
// an MCU port (host/mcu/boards.ts: --board mps2-an385, the default, in
// boards/qemu-mps2-an385; --board sifive-e, RISC-V, in boards/qemu-sifive-e,
// AOT only) with one of two engines:
//   --engine wasm3 (default): wasm3 + its embedding (boards/wasm3), the .wasm
//     embedded in flash as a const array, loaded at boot; writes
//     build/mcu/<name>.elf and <name>.bin;
//   --engine aot: the .wasm translated to C by wasm2c (host/aot/translate.ts)
//     and compiled in with boards/aot; writes build/mcu/<name>.aot.elf/.bin.
// Both link the shared embedding half (boards/embed) and the same HAL. Then it
// measures: it finds the smallest linear-memory limit the firmware starts
// with (the core never allocates after start-up, so what _start needs is all
// it will ever need; a firmware that does allocate after start-up is refused,
// not sized), runs the firmware under QEMU for 200 ms of virtual time
// and prints flash and RAM use, including wasm3's heap peak and the stack
// peak reported by the board at exit. Figures also go to build/mcu/<name>.json
// (<name>.aot.json for the AOT engine), with "engine".
//
// Options:
//   --board mps2-an385|sifive-e   the port (default mps2-an385)
//   --engine wasm3|aot            the engine (default wasm3: it also runs a .wasm that
//                                 arrives after flashing; aot: a fraction of the RAM and time)
//   --memory-limit <bytes>|auto   linear memory the firmware gets (default auto)
//   --stack-bytes <n>             wasm3: its value stack (default 8192); aot: the C stack
//                                 reserved, which bounds the firmware's stack (default 4096)
//   --out <dir>                   output folder (default build/mcu)
//   --no-measure                  skip the QEMU runs (limit must then be given or is 64 KiB)
//   -D<NAME>=<value>              extra C define for the board sources (tests use it)
//   --no-host-gate                test only: embed a module the module gate refuses,
//                                 to check that the firmware's own gate refuses it at boot
//
// Bad input (no file, not wasm, missing toolchain, a firmware that does not
// start) gives one line on stderr and exit status 2 (USAGE); nothing half-built
// is left under the final name. A module the module gate (host/engines/gate.ts,
// limits in boards/wasm3/gate.json) refuses is never embedded: one line
// `build:mcu: firmware refused: <rule>`, exit status 3 (BAD_MODULE). Exit
// codes: docs/abi.md.

import { execFile, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { promisify } from "node:util";
import { haveTool, missingTools, runQemu, parseStats } from "./qemu.js";
import { BOARDS, DEFAULT_BOARD, type McuBoard, type McuBoardName, type McuEngine } from "./boards.js";
import { gate } from "../engines/gate.js";
import { AOT_FRAME_LIMIT, AotError, AotRefusedError, FRAME_LIMIT_FLAGS, aotFlags, fixedMemoryBytes, moduleFlags, runtimeDefines, stackBudgetFor, translate } from "../aot/translate.js";
import { EXIT } from "../abi.js";

const exec = promisify(execFile);

const WASM3_DIR = ".cache/wasm3/pywasm3-0.5.0/wasm3";
const EMBED_DIR = "boards/wasm3";
const SHARED_DIR = "boards/embed";
const AOT_DIR = "boards/aot";
/** C stack the AOT engine leaves for the board on top of the firmware's frames: HAL, imports, the guard's jmp_buf, an ISR. */
const AOT_BOARD_STACK = 1024;
/** Virtual time the measuring run lasts (µs ticks). */
const MEASURE_UNTIL = 200_000;

/** Flags of every C file of an image for `board` (its target and libc, then ours). */
const common = (board: McuBoard) => [...board.arch, "-Os", "-g", "-std=gnu11", "-ffunction-sections", "-fdata-sections"];
// wasm3 for a microcontroller (see docs/mcu.md): small code pages, a small
// per-function stack height, terse error strings, no logging, no WASI/libc IO.
const WASM3_DEFS = [
  "-Dd_m3CodePageAlignSize=1024",
  "-Dd_m3MaxFunctionStackHeight=128",
  "-Dd_m3VerboseErrorMessages=0",
  "-Dd_m3LogOutput=0",
  "-Dd_m3HasWASI=0",
  "-Dd_m3HasUVWASI=0",
  "-Dd_m3HasMetaWASI=0",
  // No backtraces: their code-offset maps cost 2x the compiled code in RAM
  // (measured: 120 KB of the demo's 220 KB heap); a trap report then names
  // the task and the message but not the wasm function.
  "-Dd_m3RecordBacktraces=0",
];

export class BuildError extends Error {}

/** Writes the generated C headers (gate limits, ABI constants and exit codes) into <out>/gen; returns that folder. */
function genHeaders(root: string, out: string): string {
  const GEN = join(out, "gen");
  const gen = spawnSync(process.execPath, [join(root, EMBED_DIR, "gen-gate-header.mjs"), GEN], { encoding: "utf8" });
  if (gen.status !== 0) throw new BuildError((gen.stderr || "cannot generate coop_gate_limits.h and coop_abi.h").trim().split("\n")[0]);
  return GEN;
}
/** The module gate refused the firmware: nothing was embedded (exit status BAD_MODULE). */
export class RefusedError extends BuildError {}

export type { McuEngine, McuBoardName };

export interface McuBuildOptions {
  wasm: string;
  /** Default mps2-an385. */
  board?: McuBoardName;
  /** Default: the board's first engine (mps2-an385: wasm3; sifive-e: aot). */
  engine?: McuEngine;
  out?: string;
  memoryLimit?: number | "auto";
  stackBytes?: number;
  measure?: boolean;
  defines?: string[];
  quiet?: boolean;
  /** Package root the boards/ and .cache/ paths are relative to (default: the current directory). */
  root?: string;
  /** Test only: skip the host-side module gate, so the firmware's own gate (coop_gate.c) meets the module. */
  skipHostGate?: boolean;
}

export interface McuBuildResult {
  name: string;
  board: McuBoardName;
  engine: McuEngine;
  elf: string;
  bin: string;
  wasmBytes: number;
  text: number;
  data: number;
  bss: number;
  flash: number;
  memoryLimit: number;
  stackBytes: number;
  heapPeak: number | null;
  stackPeak: number | null;
  ramTotal: number | null;
  /** AOT only: stack bytes the firmware may use (the rest of the reserve: room for one frame at the frame bound, and the board's), and the bound. */
  stackBudget?: number;
  frameLimit?: number;
}

/** The image does not fit the part's RAM: ld's overflow, in bytes. */
class RamOverflowError extends BuildError {
  constructor(readonly bytes: number) {
    super(`the image overflows the RAM by ${bytes} B`);
  }
}

async function cc(compiler: string, args: string[]): Promise<void> {
  try {
    await exec(compiler, args, { maxBuffer: 16 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    const over = /region `RAM' overflowed by (\d+) bytes/.exec(err.stderr ?? "");
    if (over) throw new RamOverflowError(Number(over[1]));
    const first = (err.stderr ?? err.message).split("\n").find((l) => /error/.test(l)) ?? (err.stderr ?? err.message).split("\n")[0];
    throw new BuildError(`compile failed: ${first.trim()}`);
  }
}

/** Newest modification time of the .h files in `dirs` (an object older than that is rebuilt). */
function newestHeader(dirs: string[]): number {
  let t = 0;
  for (const d of dirs) for (const f of readdirSync(d)) if (f.endsWith(".h")) t = Math.max(t, statSync(join(d, f)).mtimeMs);
  return t;
}

/**
 * Compiles `srcs` into `objDir` unless an object is newer than its source and
 * than every header in `headerDirs`, and the flags are unchanged.
 */
async function compileAll(compiler: string, srcs: string[], objDir: string, flags: string[], headerDirs: string[]): Promise<string[]> {
  const headers = newestHeader(headerDirs);
  mkdirSync(objDir, { recursive: true });
  const stamp = join(objDir, ".flags");
  const sig = flags.join(" ");
  const same = existsSync(stamp) && readFileSync(stamp, "utf8") === sig;
  const objs = srcs.map((s) => join(objDir, basename(s).replace(/\.[cS]$/, ".o")));
  await Promise.all(
    srcs.map(async (src, i) => {
      const o = objs[i];
      if (same && existsSync(o) && statSync(o).mtimeMs >= Math.max(statSync(src).mtimeMs, headers)) return;
      await cc(compiler, [...flags, "-c", src, "-o", o]);
    }),
  );
  writeFileSync(stamp, sig);
  return objs;
}

/** The .wasm as a C array in flash. */
function wasmAsC(bytes: Uint8Array, from: string): string {
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) rows.push("  " + Array.from(bytes.subarray(i, i + 16), (b) => `0x${b.toString(16).padStart(2, "0")}`).join(", ") + ",");
  return `/* Generated by host/mcu/build.ts from ${from}; do not edit. */\n#include <stdint.h>\n` +
    `__attribute__((aligned(4))) const uint8_t coop_firmware_wasm[${bytes.length}] = {\n${rows.join("\n")}\n};\n` +
    `const uint32_t coop_firmware_wasm_len = ${bytes.length};\n`;
}

function sizes(compiler: string, elf: string): { text: number; data: number; bss: number } {
  const size = compiler.replace(/gcc$/, "size");
  const r = spawnSync(size, ["-B", elf], { encoding: "utf8" });
  const m = /^\s*(\d+)\s+(\d+)\s+(\d+)/m.exec(r.stdout ?? "");
  if (!m) throw new BuildError(`cannot read section sizes of ${elf}`);
  // A board that reserves its stack as a section (sifive-e: so ld reports an overflow) counts it in bss: it is the stack.
  const stack = /^\.stack\s+(\d+)/m.exec(spawnSync(size, ["-A", elf], { encoding: "utf8" }).stdout ?? "");
  return { text: Number(m[1]), data: Number(m[2]), bss: Number(m[3]) - (stack ? Number(stack[1]) : 0) };
}

/**
 * One build at a time per output folder, across processes (the HIL CLI and
 * the tests may build the same firmware into build/mcu/hil at once, and two
 * compilers writing one object file corrupt it). A lock left by a dead
 * process is taken over.
 */
async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, ".lock");
  for (let waited = 0; ; waited += 200) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let holder = NaN;
      try { holder = Number(readFileSync(lock, "utf8")); } catch { /* just released */ }
      let alive = true;
      if (Number.isInteger(holder) && holder > 0) {
        try { process.kill(holder, 0); } catch (k) { alive = (k as NodeJS.ErrnoException).code === "EPERM"; }
      }
      if (!alive) { rmSync(lock, { force: true }); continue; }
      if (waited > 300_000) throw new BuildError(`${dir} is locked by process ${holder} for more than 5 minutes (remove ${lock} if it is stale)`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

export async function buildMcu(o: McuBuildOptions): Promise<McuBuildResult> {
  return withLock(o.out ?? join(o.root ?? ".", "build", "mcu"), () => buildMcuUnlocked(o));
}

async function buildMcuUnlocked(o: McuBuildOptions): Promise<McuBuildResult> {
  const say = (s: string) => { if (!o.quiet) console.log(s); };
  // The user's input first, then the machine: a wrong path is reported as such even without a toolchain.
  if (!existsSync(o.wasm)) throw new BuildError(`no such file: ${o.wasm}`);
  if (!statSync(o.wasm).isFile()) throw new BuildError(`${o.wasm} is not a file`);
  // The AOT engine's memory is a static array of exactly the limit: "no limit" (0) cannot be built.
  if (o.engine === "aot" && o.memoryLimit === 0) throw new BuildError("--memory-limit 0 means no limit, which only wasm3 can give; the AOT engine's memory is a static array: give its size in bytes, or auto");
  const bytes = new Uint8Array(readFileSync(o.wasm));
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw new BuildError(`${o.wasm} is not a WebAssembly module (no \\0asm header)`);
  if (!o.skipHostGate) {
    // Refuse before embedding: the same gate the firmware runs at boot, with its memory cap when one is given.
    const v = gate(bytes, { memoryLimit: typeof o.memoryLimit === "number" ? o.memoryLimit : 0 });
    if (!v.ok) throw new RefusedError(`firmware refused: ${v.rule}`);
  }
  const board = BOARDS[o.board ?? DEFAULT_BOARD];
  const engine: McuEngine = o.engine ?? board.engines[0];
  if (!board.engines.includes(engine)) {
    // wasm3's heap holds its compiled code (about 2.7x the module) and its value stack before the
    // runtime and the linear memory (docs/mcu.md, measured on mps2-an385): a floor, not an estimate.
    const floor = Math.round(bytes.length * 2.7) + (o.stackBytes ?? 8192);
    throw new BuildError(`--engine ${engine} does not fit the ${board.name}'s ${board.ramBytes} B of RAM: wasm3 needs at least ${floor} B for this ${bytes.length} B module (compiled code about 2.7x the module, plus the ${o.stackBytes ?? 8192} B value stack) before its runtime and the linear memory; use --engine ${board.engines.join(" or ")}`);
  }
  const CC = board.cc, COMMON = common(board);
  const missing = missingTools(board);
  if (missing.includes(CC) || (o.measure !== false && missing.length)) throw new BuildError(`${missing.join(", ")} not found; install with ${board.setupHint}`);

  const root = o.root ?? ".";
  const BOARD = join(root, board.dir), EMBED = join(root, EMBED_DIR), SHARED = join(root, SHARED_DIR), AOT = join(root, AOT_DIR), W3 = join(root, WASM3_DIR);
  const out = o.out ?? join(root, "build", "mcu");
  const GEN = genHeaders(root, out);
  const base = basename(o.wasm).replace(/\.wasm$/, "").replace(/[^A-Za-z0-9_.-]/g, "_");
  const name = `${base}${board.name === DEFAULT_BOARD ? "" : `.${board.name}`}${engine === "aot" ? ".aot" : ""}`;
  mkdirSync(out, { recursive: true });
  const boardSrcs = [...board.srcs.map((f) => join(BOARD, f)), join(SHARED, "coop_board.c")];
  /** Object folders per board: two boards built into one --out never share an object. */
  const obj = (...p: string[]) => join(out, "obj", ...(board.name === DEFAULT_BOARD ? [] : [board.name]), ...p);

  /** Objects and flags for the final link, per engine; `linkExtra(limit)` adds what depends on the memory limit. */
  let ourFlags: string[], objs: string[], linkExtra: (limit: number, stack: number) => Promise<string[]>;
  let stackBudget: number | undefined;
  const stack = o.stackBytes ?? (engine === "aot" ? 4096 : 8192);
  if (engine === "wasm3") {
    const fetch = spawnSync("sh", [join(EMBED, "fetch.sh")], { encoding: "utf8" });
    if (fetch.status !== 0) throw new BuildError((fetch.stderr || fetch.stdout || "fetching wasm3 failed").trim().split("\n")[0]);
    if (!existsSync(join(EMBED, "coop_wasm3.c"))) throw new BuildError(`${EMBED_DIR}/coop_wasm3.c is missing`);
    const w3srcs = readdirSync(W3).filter((f) => /^m3_.*\.c$/.test(f)).map((f) => join(W3, f));
    // wasm3 is third-party: its warnings are not ours to fix (-w); our files get -Wall -Wextra.
    const w3objs = await compileAll(CC, w3srcs, obj("wasm3"), [...COMMON, ...WASM3_DEFS, "-w", `-I${W3}`], [W3]);
    ourFlags = [...COMMON, ...WASM3_DEFS, "-Wall", "-Wextra", `-I${W3}`, `-I${SHARED}`, `-I${EMBED}`, `-I${BOARD}`, `-I${GEN}`, ...(o.defines ?? [])];
    const boardObjs = await compileAll(
      CC,
      [...boardSrcs, join(EMBED, "coop_wasm3.c"), join(EMBED, "coop_gate.c")],
      obj("board"),
      ourFlags,
      [W3, SHARED, EMBED, BOARD, GEN],
    );
    const wasmC = join(out, `${name}_wasm.c`);
    writeFileSync(wasmC, wasmAsC(bytes, o.wasm));
    const wasmObj = obj(`${name}_wasm.o`);
    await cc(CC, [...COMMON, "-c", wasmC, "-o", wasmObj]);
    objs = [...boardObjs, ...w3objs, wasmObj];
    linkExtra = async (limit, stk) => [`-DCOOP_MEMORY_LIMIT=${limit}u`, `-DCOOP_STACK_BYTES=${stk}u`];
  } else {
    // Translate (the module gate runs first, with the memory cap when one is given), then compile the module once.
    let m;
    try {
      m = translate(bytes, o.wasm, join(out, "aot", base), typeof o.memoryLimit === "number" ? o.memoryLimit : 0);
    } catch (e) {
      if (e instanceof AotRefusedError) throw new RefusedError(e.message);
      if (e instanceof AotError) throw new BuildError(e.message);
      throw e;
    }
    // Link-time optimisation: the board's imports inline into the translated code and what the
    // board never calls is dropped (measured on the demo: 9% fewer instructions from RX interrupt
    // to task, a quarter less flash). gcc then generates the code at the link, and enforces the
    // frame bound there (FRAME_LIMIT_FLAGS), on every function of the image.
    ourFlags = [...COMMON, "-flto", ...aotFlags(AOT), "-Wall", "-Wextra", `-I${SHARED}`, `-I${BOARD}`, `-I${GEN}`, ...(o.defines ?? [])];
    const boardObjs = await compileAll(CC, boardSrcs, obj("board-aot"), ourFlags, [SHARED, BOARD, AOT, GEN]);
    const modDir = obj(`aot-${base}`);
    const modFlags = [...ourFlags, `-I${m.dir}`];
    const [engObj] = await compileAll(CC, [join(AOT, "coop_aot.c")], join(modDir, "engine"), modFlags, [m.dir, AOT, SHARED]);
    const rt = join(AOT, "wasm_rt_static.c");
    const mod = m;
    try {
      stackBudget = stackBudgetFor(stack, AOT_FRAME_LIMIT, AOT_BOARD_STACK);
    } catch (e) {
      throw new BuildError((e as Error).message);
    }
    /** The module compiled for a memory limit: with its size as a constant when the memory cannot grow under it. */
    const moduleFor = async (limit: number) => {
      const fixed = fixedMemoryBytes(mod, limit);
      const defs = fixed === null ? [] : [`-DCOOP_AOT_FIXED_MEMORY_BYTES=${fixed}u`];
      const [obj] = await compileAll(CC, [mod.source], join(modDir, fixed === null ? "any" : `fixed-${fixed}`), [...modFlags, ...moduleFlags(AOT), "-O2", ...defs], [mod.dir, AOT]);
      return { obj, defs };
    };
    objs = [...boardObjs, engObj];
    linkExtra = async (limit) => {
      const c = await moduleFor(limit);
      return [...runtimeDefines(mod, limit, stackBudget!), ...c.defs, ...FRAME_LIMIT_FLAGS, `-I${mod.dir}`, `-Wl,--defsym=STACK_SIZE=${stack}`, rt, c.obj];
    };
  }

  const link = async (elf: string, limit: number, stk: number, until: number): Promise<void> => {
    await cc(CC, [
      ...ourFlags, ...(await linkExtra(limit, stk)), `-DCOOP_UNTIL=(${until}LL)`,
      "-nostartfiles", "-T", join(BOARD, "link.ld"), "-Wl,--gc-sections", `-Wl,-Map=${elf}.map`,
      join(BOARD, "main.c"), ...objs, "-lm", "-o", elf,
    ]);
  };
  const measure = o.measure !== false;
  const probeElf = join(out, `${name}.probe.elf`);
  /** Runs the firmware for MEASURE_UNTIL of virtual time with this limit; status 0 = it started and ran. */
  const probe = async (limit: number) => {
    await link(probeElf, limit, stack, MEASURE_UNTIL);
    return runQemu(probeElf, { timeoutMs: 30_000, board });
  };

  /**
   * A firmware that allocates once running needs more memory the longer it
   * runs: no limit fits it, so sizing one would only hide the leak (the board
   * stops it at the first such poll with the allocation line; docs/runtime.md).
   */
  const refuseAllocating = (uart: string) => {
    const line = /^coop: firmware fault: .* allocated \d+ bytes after start-up .*$/m.exec(uart);
    if (line) throw new BuildError(`${o.wasm} allocates after start-up, so no memory limit fits it; not sized: ${line[0]}`);
  };
  /**
   * A firmware the board refuses at start-up (it asks for a pin, channel,
   * UART or device by a name the board does not have: exit BAD_MODULE with
   * the board's line) fails with every memory limit; that is no memory size,
   * so the search stops and says why. (A data segment past a small limit is
   * BAD_MODULE too, but the search must go on past it: only the name line
   * stops it.)
   */
  const refuseUnfit = (r: { status: number | null; uart: string }) => {
    refuseAllocating(r.uart);
    const name = r.status === EXIT.BAD_MODULE ? /^coop: board \S+ has no .* named ".*$/m.exec(r.uart) : null;
    if (name) throw new RefusedError(`${o.wasm} cannot run on the ${board.name}: ${name[0]}`);
  };

  let limit: number;
  if (typeof o.memoryLimit === "number") limit = o.memoryLimit;
  else if (!measure) limit = 65536;
  else if (board.ramBytes !== null) {
    // Smallest limit, in 256 B steps (a small part's RAM is tight), at which the firmware runs,
    // inside the part's RAM: an image that does not link (ld: RAM overflowed) counts with the
    // limits that are large enough, so the search ends on the smallest limit that does not fail
    // at run time, and says if that one fits.
    const STEP = 256, maxSteps = board.ramBytes / STEP;
    const fails = async (steps: number) => {
      try {
        const r = await probe(steps * STEP);
        refuseUnfit(r);
        return r.status !== 0;
      } catch (e) {
        if (e instanceof RamOverflowError) return false;
        throw e;
      }
    };
    let lo = 0, hi = maxSteps + 1; // lo fails; hi does not fail at run time (or is past the RAM)
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (await fails(mid)) lo = mid; else hi = mid;
    }
    if (hi > maxSteps) throw new BuildError(`${o.wasm} does not run on the ${board.name} with any linear memory that fits its ${board.ramBytes} B of RAM (it fails with ${lo * STEP} B)`);
    try {
      await probe(hi * STEP);
    } catch (e) {
      if (!(e instanceof RamOverflowError)) throw e;
      throw new BuildError(`${o.wasm} does not fit the ${board.name}'s ${board.ramBytes} B of RAM: it needs more than ${lo * STEP} B of linear memory, and already with ${hi * STEP} B the image (linear memory, statics, the ${stack} B stack) is ${e.bytes} B over`);
    }
    limit = hi * STEP;
    say(`build:mcu: linear memory: the firmware runs with ${limit} B (does not with ${lo * STEP} B); limit set to ${limit} B`);
  } else {
    // Smallest limit, in 1 KiB steps, at which the firmware runs: bisect over 1..64 KiB.
    const first = await probe(65536);
    refuseUnfit(first);
    if (first.status !== 0) throw new BuildError(`${o.wasm} does not run on the board even with 64 KiB of linear memory: ${(first.uart.trim().split("\n").at(-1) ?? "").trim() || `exit status ${first.status}`}`);
    let lo = 0, hi = 64; // hi KiB works, lo KiB does not
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((await probe(mid * 1024)).status === 0) hi = mid; else lo = mid;
    }
    limit = hi * 1024;
    say(`build:mcu: linear memory: the firmware runs with ${hi} KiB (does not with ${lo} KiB); limit set to ${hi} KiB`);
  }

  let heapPeak: number | null = null, stackPeak: number | null = null;
  if (measure) {
    const run = await probe(limit);
    refuseUnfit(run);
    if (run.status !== 0) throw new BuildError(`the firmware stopped with status ${run.status} in the measuring run: ${run.uart.trim().split("\n").at(-1) ?? ""}`);
    const st = parseStats(run.diag);
    if (st) ({ heapPeak, stackPeak } = st);
  }

  // Link to temporary names, then rename: a failed build never leaves a stale-but-new-looking ELF.
  const elf = join(out, `${name}.elf`), bin = join(out, `${name}.bin`);
  try {
    await link(`${elf}.tmp`, limit, stack, -1);
  } catch (e) {
    if (e instanceof RamOverflowError) throw new BuildError(`${o.wasm} does not fit the ${board.name}'s ${board.ramBytes} B of RAM with ${limit} B of linear memory and a ${stack} B stack: ${e.bytes} B over`);
    throw e;
  }
  const oc = spawnSync(CC.replace(/gcc$/, "objcopy"), ["-O", "binary", `${elf}.tmp`, `${bin}.tmp`], { encoding: "utf8" });
  if (oc.status !== 0) throw new BuildError(`objcopy failed: ${(oc.stderr ?? "").split("\n")[0]}`);
  renameSync(`${elf}.tmp`, elf);
  renameSync(`${bin}.tmp`, bin);
  renameSync(`${elf}.tmp.map`, `${elf}.map`);

  const s = sizes(CC, elf);
  const flash = s.text + s.data;
  const ramTotal = heapPeak !== null && stackPeak !== null ? s.data + s.bss + heapPeak + stackPeak : null;
  const res: McuBuildResult = {
    name, board: board.name, engine, elf, bin, wasmBytes: bytes.length, ...s, flash, memoryLimit: limit, stackBytes: stack, heapPeak, stackPeak, ramTotal,
    ...(engine === "aot" ? { stackBudget, frameLimit: AOT_FRAME_LIMIT } : {}),
  };
  writeFileSync(join(out, `${name}.json`), JSON.stringify(res, null, 2) + "\n");
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  say(`build:mcu: ${elf}, ${bin}`);
  if (engine === "wasm3") {
    say(`  flash: ${flash} B (${kb(flash)}): text ${s.text} + data ${s.data}; the embedded .wasm is ${bytes.length} B of it`);
    say(`  RAM:   data ${s.data} + bss ${s.bss}` +
      (heapPeak !== null ? ` + wasm3 heap peak ${heapPeak} (runtime, compiled code, ${kb(limit)} linear memory, ${kb(stack)} value stack)` : " + wasm3 heap (not measured: --no-measure)") +
      (stackPeak !== null ? ` + C stack peak ${stackPeak}` : "") +
      (ramTotal !== null ? ` = ${ramTotal} B (${kb(ramTotal)})` : ""));
  } else {
    say(`  engine: aot (wasm2c, gcc -O2 -flto; the ${bytes.length} B .wasm compiled in); ${kb(stack)} C stack reserved: ${stackBudget} B for the firmware, ${AOT_FRAME_LIMIT} B for one frame past it (every frame at most that), ${AOT_BOARD_STACK} B for the board`);
    say(`  flash: ${flash} B (${kb(flash)}): text ${s.text} + data ${s.data}`);
    say(`  RAM:   data ${s.data} + bss ${s.bss} (of it ${kb(limit)} linear memory)` +
      (heapPeak !== null ? ` + heap peak ${heapPeak}` : "") +
      (stackPeak !== null ? ` + C stack peak ${stackPeak} (of ${stack} reserved)` : "") +
      (ramTotal !== null ? ` = ${ramTotal} B (${kb(ramTotal)})` : ""));
  }
  return res;
}

/**
 * A C-only firmware in a board's folder (the mps2-an385 self-test, the
 * plain-C latency references), no engine: `srcs` relative to the board
 * folder, linked with its HAL (and boards/embed/coop_board.c, whose report
 * formatting a HAL may use). Returns the ELF path.
 */
export async function buildBoardC(root: string, out: string, name: string, srcs: string[], defines: string[] = [], boardName: McuBoardName = DEFAULT_BOARD): Promise<string> {
  const board = BOARDS[boardName];
  if (!haveTool(board.cc)) throw new BuildError(`${board.cc} not found; install with ${board.setupHint}`);
  const BOARD = join(root, board.dir), SHARED = join(root, SHARED_DIR);
  mkdirSync(out, { recursive: true });
  const GEN = genHeaders(root, out);
  const elf = join(out, `${name}.elf`);
  await cc(board.cc, [
    ...common(board), ...defines, "-Wall", "-Wextra", `-I${BOARD}`, `-I${SHARED}`, `-I${GEN}`, "-nostartfiles", "-T", join(BOARD, "link.ld"), "-Wl,--gc-sections",
    ...[...board.srcs, ...srcs].map((f) => join(BOARD, f)), join(SHARED, "coop_board.c"), "-o", `${elf}.tmp`,
  ]);
  renameSync(`${elf}.tmp`, elf);
  return elf;
}

const USAGE = `usage: npm run build:mcu -- <app.wasm> [options]
  --board mps2-an385|sifive-e   the port (default mps2-an385: Cortex-M3; sifive-e: RISC-V with 16 KiB of RAM, aot only)
  --engine wasm3|aot            wasm3 (default on mps2-an385): the interpreter loads the .wasm at boot; aot: translated by wasm2c and compiled in
  --memory-limit <bytes>|auto   linear memory (default auto: the smallest, in 1 KiB steps, the firmware runs with)
  --stack-bytes <n>             wasm3: its value stack (default 8192); aot: the C stack reserved (default 4096, at least ${4 * AOT_FRAME_LIMIT + 512 + 1024})
  --out <dir>                   output folder (default build/mcu)
  --no-measure                  no QEMU runs (the limit must then be given, or is 64 KiB)
  -D<NAME>=<value>              a C define for the board sources
writes <dir>/<name>.elf/.bin/.json (aot: <name>.aot.elf/.bin/.json); docs/mcu.md`;

function parseArgs(argv: string[]): McuBuildOptions & { help?: boolean } {
  const o: McuBuildOptions & { help?: boolean } = { wasm: "", defines: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new BuildError(`${a} needs a value`);
      return v;
    };
    const num = (v: string) => {
      if (!/^\d+$/.test(v)) throw new BuildError(`${a} takes a whole number of bytes, not '${v}'`);
      return Number(v);
    };
    if (a === "-h" || a === "--help") { o.help = true; return o; }
    if (a === "--memory-limit") { const v = val(); o.memoryLimit = v === "auto" ? "auto" : num(v); }
    else if (a === "--stack-bytes") o.stackBytes = num(val());
    else if (a === "--board") {
      const v = val();
      if (!(v in BOARDS)) throw new BuildError(`--board takes ${Object.keys(BOARDS).join(" or ")}, not '${v}'`);
      o.board = v as McuBoardName;
    }
    else if (a === "--engine") {
      const v = val();
      if (v !== "wasm3" && v !== "aot") throw new BuildError(`--engine takes wasm3 or aot, not '${v}'`);
      o.engine = v;
    }
    else if (a === "--out") o.out = val();
    else if (a === "--no-measure") o.measure = false;
    else if (a === "--no-host-gate") o.skipHostGate = true;
    else if (a.startsWith("-D")) o.defines!.push(a);
    else if (a.startsWith("-")) throw new BuildError(`unknown option ${a} (build:mcu --help lists the options)`);
    else if (!o.wasm) o.wasm = a;
    else throw new BuildError(`one firmware .wasm at a time (got '${o.wasm}' and '${a}')`);
  }
  if (!o.wasm) throw new BuildError("usage: npm run build:mcu -- <app.wasm> [--board mps2-an385|sifive-e] [--engine wasm3|aot] [--memory-limit <bytes>|auto] [--stack-bytes <n>] [--out <dir>] [--no-measure] (--help lists them)");
  return o;
}

const isMain = process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isMain) {
  try {
    const o = parseArgs(process.argv.slice(2));
    if (o.help) console.log(USAGE);
    else await buildMcu(o);
  } catch (e) {
    const msg = e instanceof BuildError ? e.message : `unexpected error: ${(e as Error).message}`;
    process.stderr.write(`build:mcu: ${msg.split("\n")[0]}\n`);
    process.exit(e instanceof RefusedError ? EXIT.BAD_MODULE : e instanceof BuildError ? EXIT.USAGE : EXIT.INTERNAL);
  }
}
