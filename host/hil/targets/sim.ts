// The `sim` and `wasm3` HIL targets: the simulator (host/sim/) with the V8 or
// the wasm3 engine. Same board models, virtual clock and seed for both, so a
// scenario's simulated timing is the same; only the engine differs.

import { existsSync } from "node:fs";
import { loadBoard, findBoard } from "../../board-file.js";
import { SimTarget } from "../../sim/target.js";
import { createEngine } from "../../engines/index.js";
import type { Availability, HilContext, HilTarget, OpenTarget } from "./types.js";
import { readFirmware, openSimulator } from "../../firmware.js";

/** Install hints for each engine's tools. */
const ENGINE_INSTALL: Record<string, string> = {
  v8: "npm install",
  wasm3: "npm run setup:wasm3 && npm run build:wasm3-engine",
};

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0];
}

export class SimHilTarget implements HilTarget {
  readonly describe: string;
  /** The wasm3 target is the same simulated board, so it also runs the simulator-only scenarios. */
  readonly extraSuites: readonly string[];
  constructor(readonly name: string, private readonly engine: string) {
    this.describe = `the simulator (virtual time) with the ${engine} engine`;
    this.extraSuites = name === "sim" ? [] : ["sim"];
  }

  async available(ctx: HilContext): Promise<Availability> {
    const install = ENGINE_INSTALL[this.engine] ?? "npm install";
    try {
      await createEngine(this.engine);
    } catch (e) {
      return { ok: false, reason: oneLine(e), install };
    }
    // An engine that builds its native part lazily reports "not built" only at load: probe it.
    if (this.engine !== "v8" && existsSync(ctx.firmware)) {
      try {
        const t = await this.open(ctx);
        await t.close();
      } catch (e) {
        const msg = oneLine(e);
        if (/not built|not available|cannot find|no such file/i.test(msg)) return { ok: false, reason: msg, install };
      }
    }
    return { ok: true };
  }

  async open(ctx: HilContext): Promise<OpenTarget> {
    if (!existsSync(ctx.firmware)) throw new Error(`firmware ${ctx.firmware} not found (build it: npm run build)`);
    const board = loadBoard(findBoard(ctx.board, ctx.root));
    const engine = await createEngine(this.engine);
    const sim = await openSimulator(board, readFirmware(ctx.firmware), engine, { seed: ctx.seed });
    if (sim.fault) throw new Error(`firmware failed at start: ${sim.fault.kind === "name" ? "" : `${sim.fault.kind}: `}${sim.fault.message}`);
    const target = new SimTarget(sim) as SimTarget & OpenTarget;
    // Reports name the HIL target ("wasm3"), not the simulator class.
    Object.defineProperty(target, "name", { value: this.name });
    target.close = async () => {
      try {
        sim.fw?.close();
      } catch {
        /* already gone */
      }
    };
    return target;
  }
}

export function createTarget(arg: string | null): HilTarget {
  return new SimHilTarget(arg === "wasm3" ? "wasm3" : "sim", arg === "wasm3" ? "wasm3" : "v8");
}
