// The ahead-of-time engine's first step: a firmware .wasm checked by the
// module gate and translated to C by wabt's wasm2c (Debian package `wabt`,
// installed by `npm run setup`), ready to compile with boards/aot/ for any
// target. The module gate runs first, with the board's memory cap: what
// wasm3 refuses at load is refused here, before a line of C exists.
//
// Output, in `dir`: coop_module.c/.h (module name "coop": its exports are
// Z_coopZ_<name>, its imports Z_boardZ_<name>), and wasm-rt.h, copied from
// the wabt installation (a cross compiler must not search the host's
// /usr/include). Files are rewritten only when their content changes, so
// builds that cache objects by modification time stay cached.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { gate } from "../engines/gate.js";

export const WASM2C = process.env.COOP_WASM2C ?? "wasm2c";
export const AOT_SETUP_HINT = "npm run setup:mcu (Debian: apt-get install wabt)";
/** Where Debian's wabt puts the runtime interface wasm2c's output includes. */
const WASM_RT_HEADERS = ["/usr/include/wasm-rt.h", "/usr/src/wasm2c/wasm-rt.h"];

/** The translation failed for a reason in the input or the machine (one line). */
export class AotError extends Error {}
/** The module gate refused the firmware: nothing was translated. */
export class AotRefusedError extends AotError {}

export interface AotModule {
  dir: string;
  /** The translated module (compile it with -w: its warnings are wasm2c's, not ours). */
  source: string;
  /** Funcref table entries the module allocates (COOP_AOT_TABLE_ELEMS). */
  tableElems: number;
  /** Function types it registers (COOP_AOT_FUNC_TYPES). */
  funcTypes: number;
  /** wasm2c's version line, for the size report. */
  wasm2cVersion: string;
  /** The module's memory: pages at the start and the most it declares (0, 0: no memory). */
  initialPages: number;
  maxPages: number;
}

/**
 * The memory size the translated code may take as a constant under
 * `limit` bytes, or null when the memory can still grow. A limit at or below
 * the module's initial pages fixes it: the cap (boards/embed/coop_memory.h)
 * never lets memory.grow pass the pages holding the limit, and those are
 * the initial ones. wasm_rt_static.c checks the claim when the module
 * allocates its memory (a mismatch traps at instantiate).
 */
export function fixedMemoryBytes(m: AotModule, limit: number): number | null {
  return limit > 0 && m.initialPages > 0 && limit <= m.initialPages * 65536 ? limit : null;
}

export function haveWasm2c(): boolean {
  return spawnSync(WASM2C, ["--version"], { stdio: "ignore" }).status === 0;
}

function writeIfChanged(path: string, text: string): void {
  if (existsSync(path) && readFileSync(path, "utf8") === text) return;
  writeFileSync(path, text);
}

/**
 * Gate and translate `bytes` (read from `from`) into `dir`. `memoryLimit`:
 * the linear memory the board will give it (0: none), checked by the gate.
 * `checkGate` false is for a harness that is not a coop board (the bench's,
 * whose firmware also imports benchctl.*): it links its own imports.
 */
export function translate(bytes: Uint8Array, from: string, dir: string, memoryLimit = 0, checkGate = true): AotModule {
  const v = checkGate ? gate(bytes, { memoryLimit }) : { ok: true as const };
  if (!v.ok) throw new AotRefusedError(`firmware refused: ${v.rule}`);
  if (!haveWasm2c()) throw new AotError(`${WASM2C} not found; install with ${AOT_SETUP_HINT}`);
  const header = WASM_RT_HEADERS.find((h) => existsSync(h));
  if (!header) throw new AotError(`wasm-rt.h not found (looked in ${WASM_RT_HEADERS.join(", ")}); install with ${AOT_SETUP_HINT}`);
  mkdirSync(dir, { recursive: true });
  // Translate into a scratch folder, then copy what changed into place.
  const tmp = mkdtempSync(join(dir, ".wasm2c-"));
  try {
    const r = spawnSync(WASM2C, [from, "-n", "coop", "-o", join(tmp, "coop_module.c")], { encoding: "utf8" });
    if (r.status !== 0) throw new AotError(`wasm2c failed on ${from}: ${(r.stderr || r.stdout || `exit ${r.status}`).trim().split("\n")[0]}`);
    const c = sizeChecks(boundStack(readFileSync(join(tmp, "coop_module.c"), "utf8")));
    const h = readFileSync(join(tmp, "coop_module.h"), "utf8");
    writeIfChanged(join(dir, "coop_module.c"), c);
    writeIfChanged(join(dir, "coop_module.h"), h);
    writeIfChanged(join(dir, "wasm-rt.h"), readFileSync(header, "utf8"));
    const funcTypes = (c.match(/wasm_rt_register_func_type\(/g) ?? []).length;
    const mem = /wasm_rt_allocate_memory\([^,]+,\s*(\d+)u?,\s*(\d+)u?\)/.exec(c);
    let tableElems = 0;
    for (const m of c.matchAll(/wasm_rt_allocate_funcref_table\([^,]+,\s*(\d+)u?,/g)) tableElems = Math.max(tableElems, Number(m[1]));
    const ver = spawnSync(WASM2C, ["--version"], { encoding: "utf8" }).stdout.trim();
    return {
      dir, source: join(dir, "coop_module.c"), tableElems, funcTypes: Math.max(funcTypes, 1), wasm2cVersion: ver,
      initialPages: mem ? Number(mem[1]) : 0, maxPages: mem ? Number(mem[2]) : 0,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** wasm2c 1.0.32's call-counter prologue (under WASM_RT_USE_STACK_DEPTH_COUNT), the block boundStack replaces. */
const PROLOGUE_BLOCK = /#if WASM_RT_USE_STACK_DEPTH_COUNT\n#define FUNC_PROLOGUE[^]*?#define FUNC_EPILOGUE\n#endif\n/;

/**
 * Replaces the call counter in wasm2c's output with a stack-pointer bound
 * (boards/aot/coop_aot_link.h): one compare per call instead of a counter's
 * load-add-store-compare and its decrement. A translation without the block
 * where wasm2c 1.0.32 writes it is an error, not an unbounded stack.
 */
export function boundStack(c: string): string {
  if (!PROLOGUE_BLOCK.test(c)) throw new AotError("wasm2c's output has no FUNC_PROLOGUE block where wasm2c 1.0.32 writes one; this wasm2c is not supported (Debian bookworm's wabt 1.0.32 is)");
  return c.replace(PROLOGUE_BLOCK, "/* coop (host/aot/translate.ts): the stack-pointer bound of boards/aot/coop_aot_link.h, not a call counter */\n#define FUNC_PROLOGUE COOP_AOT_STACK_CHECK()\n#define FUNC_EPILOGUE\n");
}

/** wasm2c 1.0.32's bounds check: every load, store and bulk access goes through it. */
const RANGE_CHECK = "if (UNLIKELY(offset + (uint64_t)len > mem->size))";

/**
 * Routes the bounds check's memory size through COOP_AOT_MEM_SIZE
 * (boards/aot/coop_aot_link.h): `mem->size` as before, or a constant when
 * the build fixes the memory (fixedMemoryBytes), which saves the load and
 * turns the check into a compare with an immediate. Refused like
 * boundStack when the check is not where wasm2c 1.0.32 writes it.
 */
export function sizeChecks(c: string): string {
  if (!c.includes(RANGE_CHECK)) throw new AotError("wasm2c's output has no RANGE_CHECK where wasm2c 1.0.32 writes it; this wasm2c is not supported (Debian bookworm's wabt 1.0.32 is)");
  return c.replace(RANGE_CHECK, "if (UNLIKELY(offset + (uint64_t)len > COOP_AOT_MEM_SIZE(mem)))");
}

/**
 * The C flags of every AOT build, for the translated module and boards/aot/
 * alike (`aotDir`: boards/aot). The module's own sizes and the call-depth
 * limit are link-time facts: they go only to wasm_rt_static.c (runtimeDefines).
 */
export function aotFlags(aotDir: string): string[] {
  return [
    "-DCOOP_ENGINE_AOT=1",
    "-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0", // explicit bounds checks: no guard pages on an MCU
    // Keep recursion recursive: gcc turns some (an accumulating return) into loops, and then a
    // runaway recursion wasm3 traps as a stack overflow would spin instead of meeting the bound.
    "-fno-optimize-sibling-calls",
    "-DWASM_RT_USE_STACK_DEPTH_COUNT=0", // the stack bound replaces the counter (boundStack)
    "-DNDEBUG", // wasm2c's asserts would pull in stdio on an MCU
    `-I${aotDir}`,
  ];
}

/** Extra flags for compiling the translated module itself (its warnings are wasm2c's, not ours). */
export function moduleFlags(aotDir: string): string[] {
  return ["-w", "-include", join(aotDir, "coop_aot_link.h")];
}

/** Defines for wasm_rt_static.c: the static arrays' sizes and the stack budget. */
export function runtimeDefines(m: AotModule, memoryBytes: number, stackBudget: number, limitGiven = true): string[] {
  return [
    `-DCOOP_AOT_MEMORY_BYTES=${memoryBytes}u`,
    // Named in an out-of-bounds report, as wasm3 names a --memory limit, only when one was asked for.
    `-DCOOP_AOT_MEMORY_LIMIT=${limitGiven ? memoryBytes : 0}u`,
    `-DCOOP_AOT_TABLE_ELEMS=${m.tableElems}`,
    `-DCOOP_AOT_FUNC_TYPES=${m.funcTypes}`,
    `-DCOOP_AOT_STACK_BUDGET=${stackBudget}u`,
  ];
}

/**
 * The largest stack frame any C function of an AOT firmware may have: gcc
 * enforces it when it generates code (at the link, under LTO), so the stack
 * budget below can count on it. A larger frame fails the build with gcc's
 * own line naming the function ("stack usage is N bytes").
 */
export const AOT_FRAME_LIMIT = 512;
export const FRAME_LIMIT_FLAGS = [`-Werror=stack-usage=${AOT_FRAME_LIMIT}`];

/**
 * Stack bytes the translated code may use below the load point, out of
 * `stackBytes`: what is left after the deepest frame (AOT_FRAME_LIMIT: the
 * one whose prologue finds the limit crossed is already allocated) and
 * `reserve` bytes for the board (imports, HAL, an interrupt, the frames above
 * the load).
 */
export function stackBudgetFor(stackBytes: number, frameBytes: number, reserve: number): number {
  const budget = stackBytes - frameBytes - reserve;
  if (budget < 4 * frameBytes) throw new AotError(`a ${stackBytes}-byte stack leaves ${Math.max(budget, 0)} bytes for the firmware after its largest frame (${frameBytes} B) and ${reserve} B for the board; give a larger --stack-bytes`);
  return budget;
}
