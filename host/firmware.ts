// Opening a simulator on a firmware file: the one way `coop run`, `coop web`
// and the HIL `sim`/`wasm3` targets do it. Reads the module (bounded) and the
// source map its debug build names, builds the Simulator for a board, and
// loads the firmware (which runs _start). The page does the same steps with
// fetched bytes (host/web/page.ts), through the same Simulator.load.

import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { readBounded, INPUT_LIMITS, InputError } from "./input.js";
import { BoardError, type BoardDesc } from "./sim/board.js";
import { Simulator, type SimOptions } from "./sim/simulator.js";
import { sourceMapUrl } from "./sim/symbols.js";
import type { Engine } from "./engine.js";

export interface FirmwareFile {
  path: string;
  wasm: Uint8Array;
  /** The source map named by the module's sourceMappingURL section, when it is a readable file next to it. */
  sourceMap: string | null;
}

/** Read a firmware file ("-": standard input); one-line InputError when it is missing, a directory or too large. */
export function readFirmware(path: string): FirmwareFile {
  if (path !== "-" && !existsSync(path)) throw new InputError(`firmware file not found: ${path}`);
  const wasm = new Uint8Array(readBounded(path, INPUT_LIMITS.firmware, "firmware file"));
  return { path, wasm, sourceMap: readSourceMap(path, wasm) };
}

/**
 * The firmware's source map (the debug build writes one next to the .wasm and
 * names it in a sourceMappingURL section), to put file:line in a trap report;
 * null when there is none or it cannot be read: the report then names the
 * function only.
 */
export function readSourceMap(fwPath: string, wasm: Uint8Array): string | null {
  const url = sourceMapUrl(wasm);
  if (url === null || /^[a-z][a-z0-9+.-]*:/i.test(url)) return null; // no map, or not a file next to the module
  try {
    const path = resolve(dirname(fwPath), url);
    return statSync(path).size <= 64 * 1024 * 1024 ? readFileSync(path, "utf8") : null; // a map past 64 MiB is not read
  } catch {
    return null;
  }
}

/**
 * A Simulator for `board` with `fw` loaded (its _start has run; a fault there
 * is in sim.fault). `beforeLoad` sees the simulator before any firmware code
 * runs (coop run checks its scenario against the board there). A module the
 * engine refuses rejects with its EngineError; a streamed trace is completed
 * first, so its file stays valid.
 */
export async function openSimulator(board: BoardDesc, fw: FirmwareFile, engine: Engine, opts: SimOptions = {}, beforeLoad?: (sim: Simulator) => void): Promise<Simulator> {
  let sim: Simulator;
  try {
    sim = new Simulator(board, opts);
  } catch (e) {
    // Bad source parameters in the board file (a CSV that cannot be read, a bad sine).
    throw new BoardError((e as Error).message.split("\n")[0]);
  }
  beforeLoad?.(sim);
  try {
    await sim.load(engine, fw.wasm, fw.sourceMap);
  } catch (e) {
    try {
      sim.chrome?.finish();
    } catch {
      /* the refusal is the error to report */
    }
    throw e;
  }
  return sim;
}
