// The HIL target interface: what `coop hil` needs from a place firmware runs.
// A target module (host/hil/targets/<name>.ts) exports
// `createTarget(arg: string | null): HilTarget`; the registry in index.ts maps
// `--target <name>[:<arg>]` to it. Imports only host/scenario.ts types.

import type { ScenarioTarget } from "../../scenario.js";

/** Options every target gets; paths are absolute. */
export interface HilContext {
  /** The package root (where build/, boards/ and tests/ live). */
  root: string;
  /** The firmware .wasm under test (default build/demo.wasm). */
  firmware: string;
  /** True when the user named it (--firmware): a target with a default of its own (qemu-riscv) then runs this one. */
  firmwareGiven?: boolean;
  /** Board description name or path for pin/channel names (default sim-devkit). */
  board: string;
  /** Seed for simulated targets. */
  seed: number;
  /** Factor applied to wait-serial timeouts on real-time targets (>= 1): room for a loaded CI machine. */
  slack: number;
}

/** A target opened for one scenario: firmware started from reset, closed afterwards. */
export interface OpenTarget extends ScenarioTarget {
  /** Stop the firmware and release everything (child processes, devices). Never rejects. */
  close(): Promise<void>;
}

/** Whether a target can run here; when not, why and the command that installs what is missing. */
export type Availability = { ok: true } | { ok: false; reason: string; install: string };

export interface HilTarget {
  /** As shown in reports: "sim", "native", "serial:/dev/ttyACM0". */
  readonly name: string;
  readonly describe: string;
  /**
   * Scenario subfolders of the suite this target runs in addition to the
   * suite's top-level files and the subfolder named after the target itself
   * (e.g. the wasm3 target also runs `sim/`: it is the simulator).
   */
  readonly extraSuites: readonly string[];
  /** Checked once per run, before any scenario. */
  available(ctx: HilContext): Promise<Availability>;
  /** A fresh firmware instance for one scenario. Rejects with a one-line Error. */
  open(ctx: HilContext): Promise<OpenTarget>;
}

export interface HilTargetModule {
  createTarget(arg: string | null): HilTarget;
}
