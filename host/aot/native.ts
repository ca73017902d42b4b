// `npm run build:native:aot -- <app.wasm> [--out <dir>] [--memory-limit <bytes>]`:
// the native runner (boards/native) with the AOT engine: the firmware
// translated by wasm2c (translate.ts) and compiled in with the host's C
// compiler at -O2, into <out>/coop-native-aot (default out:
// build/aot/<name>/). Same options, HAL, reports and exit statuses as
// build/coop-native, minus the file argument and the wasm3-only options.
//
// A build whose inputs (the .wasm, our C sources, the flags) are unchanged is
// not redone: HIL runs call this for every firmware they test.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { EXIT } from "../abi.js";
import { AOT_FRAME_LIMIT, AotError, AotRefusedError, FRAME_LIMIT_FLAGS, aotFlags, fixedMemoryBytes, moduleFlags, runtimeDefines, stackBudgetFor, translate } from "./translate.js";

const HOST_CC = process.env.CC ?? "cc";
/** Linear memory of the native AOT runner: a static array the OS maps lazily (untouched pages cost nothing). */
export const NATIVE_AOT_MEMORY = 16 << 20;
/** The main thread's stack the firmware may use (Linux gives 8 MiB by default), and what is kept for the runner itself. */
const NATIVE_STACK = 4 << 20, NATIVE_RESERVE = 64 << 10;

export interface NativeAotOptions {
  wasm: string;
  out?: string;
  /** Package root (boards/ is relative to it); default the current directory. */
  root?: string;
  memoryLimit?: number;
  quiet?: boolean;
}

export interface NativeAotResult {
  runner: string;
  stackBudget: number;
  memoryBytes: number;
  rebuilt: boolean;
}

function cc(args: string[]): void {
  const r = spawnSync(HOST_CC, args, { encoding: "utf8", maxBuffer: 16 << 20 });
  if (r.error) throw new AotError(`cannot run the C compiler ${HOST_CC}: ${r.error.message} (Debian: apt-get install gcc)`);
  if (r.status !== 0) {
    const first = (r.stderr ?? "").split("\n").find((l) => /error/.test(l)) ?? (r.stderr ?? "").split("\n")[0];
    throw new AotError(`compile failed: ${first.trim()}`);
  }
}

export function buildNativeAot(o: NativeAotOptions): NativeAotResult {
  const root = o.root ?? ".";
  if (!existsSync(o.wasm)) throw new AotError(`no such file: ${o.wasm}`);
  const bytes = new Uint8Array(readFileSync(o.wasm));
  const name = basename(o.wasm).replace(/\.wasm$/, "").replace(/[^A-Za-z0-9_.-]/g, "_");
  const out = o.out ?? join(root, "build", "aot", name);
  const memoryBytes = o.memoryLimit ?? NATIVE_AOT_MEMORY;
  if (!Number.isInteger(memoryBytes) || memoryBytes < 1) throw new AotError(`the memory limit must be a whole number of bytes above 0 (the AOT memory is a static array), not ${memoryBytes}`);
  const AOT = join(root, "boards", "aot"), SHARED = join(root, "boards", "embed"), NATIVE = join(root, "boards", "native");
  const ours = [join(AOT, "coop_aot.c"), join(AOT, "wasm_rt_static.c"), join(SHARED, "coop_board.c"), join(NATIVE, "hal_native.c"), join(NATIVE, "main.c")];

  const hash = createHash("sha256").update(bytes).update(String(memoryBytes)).update(HOST_CC);
  for (const d of [AOT, SHARED, NATIVE, join(root, "boards", "abi")]) for (const f of readdirSync(d).sort()) if (/\.([ch]|json|mjs)$/.test(f)) hash.update(f).update(readFileSync(join(d, f)));
  const key = hash.digest("hex");
  const runner = join(out, "coop-native-aot"), stamp = join(out, ".inputs");
  if (existsSync(runner) && existsSync(stamp)) {
    const [k, budget] = readFileSync(stamp, "utf8").split(" ");
    if (k === key) return { runner, stackBudget: Number(budget), memoryBytes, rebuilt: false };
  }

  const m = translate(bytes, o.wasm, join(out, "src"), memoryBytes);
  // The ABI's constants and exit codes (coop_abi.h), generated from boards/abi/abi.json.
  const GEN = join(out, "gen");
  const gen = spawnSync(process.execPath, [join(root, "boards", "wasm3", "gen-gate-header.mjs"), GEN], { encoding: "utf8" });
  if (gen.status !== 0) throw new AotError((gen.stderr || "cannot generate coop_abi.h").trim().split("\n")[0]);
  const flags = ["-std=gnu11", "-O2", ...aotFlags(AOT), `-I${m.dir}`, `-I${SHARED}`, `-I${NATIVE}`, `-I${GEN}`];
  mkdirSync(out, { recursive: true });
  const obj = join(out, "coop_module.o");
  // A limit that fixes the memory (fixedMemoryBytes) makes every bounds check a compare with a constant, as on the MCU.
  const fixed = fixedMemoryBytes(m, memoryBytes);
  const fixedDefs = fixed === null ? [] : [`-DCOOP_AOT_FIXED_MEMORY_BYTES=${fixed}u`];
  cc([...flags, ...moduleFlags(AOT), ...FRAME_LIMIT_FLAGS, ...fixedDefs, "-c", m.source, "-o", obj]);
  const stackBudget = stackBudgetFor(NATIVE_STACK, AOT_FRAME_LIMIT, NATIVE_RESERVE);
  cc([...flags, ...runtimeDefines(m, memoryBytes, stackBudget, o.memoryLimit !== undefined), ...fixedDefs, "-Wall", "-Wextra", "-Werror", ...ours, obj, "-lm", "-o", `${runner}.tmp`]);
  renameSync(`${runner}.tmp`, runner);
  writeFileSync(stamp, `${key} ${stackBudget}`);
  if (!o.quiet) console.log(`build:native:aot: ${runner} (${statSync(runner).size} B; ${stackBudget} B of stack for the firmware, frames at most ${AOT_FRAME_LIMIT} B, ${memoryBytes} B linear memory)`);
  return { runner, stackBudget, memoryBytes, rebuilt: true };
}

function parseArgs(argv: string[]): NativeAotOptions {
  const o: NativeAotOptions = { wasm: "" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new AotError(`${a} needs a value`);
      return v;
    };
    if (a === "--out") o.out = val();
    else if (a === "--memory-limit") {
      const v = val();
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 0xffff_0000) throw new AotError(`--memory-limit takes a whole number of bytes, not '${v}'`);
      o.memoryLimit = Number(v);
    } else if (a.startsWith("-")) throw new AotError(`unknown option ${a} (see host/aot/native.ts)`);
    else if (!o.wasm) o.wasm = a;
    else throw new AotError(`one firmware .wasm at a time (got '${o.wasm}' and '${a}')`);
  }
  if (!o.wasm) throw new AotError("usage: npm run build:native:aot -- <app.wasm> [--out <dir>] [--memory-limit <bytes>]");
  return o;
}

const isMain = process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isMain) {
  try {
    buildNativeAot(parseArgs(process.argv.slice(2)));
  } catch (e) {
    const msg = e instanceof AotError ? e.message : `unexpected error: ${(e as Error).message}`;
    process.stderr.write(`build:native:aot: ${msg.split("\n")[0]}\n`);
    process.exit(e instanceof AotRefusedError ? EXIT.BAD_MODULE : e instanceof AotError ? EXIT.USAGE : EXIT.INTERNAL);
  }
}
