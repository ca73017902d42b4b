// The HIL target registry: `--target <name>[:<arg>]` -> a target. Modules load
// lazily, so a target whose code or tools are missing only matters when it is
// chosen, and then it is skipped visibly, never crashing the run.
//
// To add a target: write host/hil/targets/<name>.ts exporting
// `createTarget(arg: string | null): HilTarget` (types.ts), add a line to
// TARGETS, and to ALL if `--target all` should include it. The QEMU target
// (host/hil/targets/qemu.ts) belongs to the QEMU port; its line is already here.

import type { Availability, HilContext, HilTarget, HilTargetModule, OpenTarget } from "./types.js";

interface Entry {
  describe: string;
  /** Takes an argument after a colon (serial:/dev/ttyACM0). */
  takesArg?: boolean;
  load: () => Promise<HilTargetModule>;
  /** Argument passed to createTarget when none is given (the sim module serves both engines). */
  arg?: string;
  /** Install hint when the module itself cannot be loaded. */
  install: string;
}

export const TARGETS: Record<string, Entry> = {
  sim: { describe: "the simulator, V8 engine, virtual time", load: () => import("./sim.js"), arg: "sim", install: "npm install && npm run build" },
  wasm3: { describe: "the simulator, wasm3 engine, virtual time", load: () => import("./sim.js"), arg: "wasm3", install: "npm run setup:wasm3 && npm run build:wasm3-engine" },
  native: { describe: "build/coop-native (wasm3 on the host), real time", load: () => import("./native.js"), install: "npm run build:native" },
  "native-aot": { describe: "the native runner with the firmware compiled in (wasm2c), real time", load: () => import("./native.js"), arg: "aot", install: "npm run setup:mcu (installs wabt)" },
  qemu: {
    describe: "the Cortex-M3 port under QEMU mps2-an385",
    // Loaded by path string so this file compiles before qemu.ts exists.
    load: () => import("./qemu.js" as string) as Promise<HilTargetModule>,
    install: "npm run setup:mcu",
  },
  "qemu-aot": {
    describe: "the Cortex-M3 port under QEMU, the firmware compiled in (wasm2c)",
    load: () => import("./qemu.js" as string) as Promise<HilTargetModule>,
    arg: "aot",
    install: "npm run setup:mcu",
  },
  "qemu-riscv": {
    describe: "the RISC-V port under QEMU sifive_e (16 KiB of RAM), the firmware compiled in (wasm2c)",
    load: () => import("./qemu.js" as string) as Promise<HilTargetModule>,
    arg: "riscv",
    install: "npm run setup:riscv",
  },
  serial: { describe: "a real board on a serial device: serial:<device>[@baud]", takesArg: true, load: () => import("./serial.js"), install: "connect the board" },
};

/** What `--target all` runs (serial needs a device, so it is never implied). */
export const ALL = ["sim", "wasm3", "native", "native-aot", "qemu", "qemu-aot", "qemu-riscv"];

/** A stand-in for a target whose module cannot be loaded: always unavailable, with the reason. */
class MissingTarget implements HilTarget {
  readonly extraSuites: readonly string[] = [];
  constructor(readonly name: string, readonly describe: string, private readonly why: string, private readonly install: string) {}
  async available(): Promise<Availability> {
    return { ok: false, reason: this.why, install: this.install };
  }
  async open(_ctx: HilContext): Promise<OpenTarget> {
    throw new Error(this.why);
  }
}

/** Parse "name" or "name:arg"; a one-line Error for an unknown name. */
export function parseTargetSpec(spec: string): { name: string; arg: string | null } {
  const i = spec.indexOf(":");
  const name = i < 0 ? spec : spec.slice(0, i);
  const arg = i < 0 ? null : spec.slice(i + 1);
  const e = TARGETS[name];
  if (!e) throw new Error(`unknown target "${spec}" (known: ${[...Object.keys(TARGETS), "all"].join(", ")})`);
  if (e.takesArg && !arg) throw new Error(`target ${name} needs an argument: ${name}:<device>[@baud]`);
  if (!e.takesArg && arg !== null) throw new Error(`target ${name} takes no argument`);
  return { name, arg };
}

/** Resolve a target spec to a target (or a visible stand-in when its module does not load). */
export async function createTarget(spec: string): Promise<HilTarget> {
  const { name, arg } = parseTargetSpec(spec);
  const e = TARGETS[name];
  try {
    const mod = await e.load();
    if (typeof mod.createTarget !== "function") return new MissingTarget(spec, e.describe, `host/hil/targets/${name}.ts exports no createTarget()`, e.install);
    return mod.createTarget(arg ?? e.arg ?? null);
  } catch (err) {
    const msg = (err instanceof Error ? err.message : String(err)).split("\n")[0];
    const why = /Cannot find module|ERR_MODULE_NOT_FOUND/.test(msg) ? `no target module host/hil/targets/${name}.ts in this build` : `target module failed to load: ${msg}`;
    return new MissingTarget(spec, e.describe, why, e.install);
  }
}
