// Engine registry: a name -> a lazily imported module exporting
// `createEngine(): Engine` (or a class default). Lazy, so a missing or broken
// engine (e.g. wasm3 before its native part is built) only matters when chosen.
//
// To add an engine: write host/engines/<name>.ts exporting
// `createEngine(): Engine | Promise<Engine>`, and add a line below.

import type { Engine } from "../engine.js";

type EngineModule = { createEngine?: () => Engine | Promise<Engine> };

export const ENGINES: Record<string, { describe: string; load: () => Promise<EngineModule> }> = {
  v8: { describe: "Node's V8 WebAssembly (default)", load: () => import("./v8.js") },
  wasm3: { describe: "the wasm3 interpreter (host/engines/wasm3.ts)", load: () => import(/* owned by the wasm3 engineer */ "./wasm3.js" as string) as Promise<EngineModule> },
};

/** Create an engine by name; rejects with a one-line Error for an unknown or unloadable engine. */
export async function createEngine(name: string): Promise<Engine> {
  const entry = ENGINES[name];
  if (!entry) throw new Error(`unknown engine "${name}" (known: ${Object.keys(ENGINES).join(", ")})`);
  let mod: EngineModule;
  try {
    mod = await entry.load();
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new Error(`engine "${name}" is not available: ${msg}`);
  }
  if (typeof mod.createEngine === "function") return await mod.createEngine();
  // Also accept a module that exports an Engine class (any constructor whose instances have load()).
  for (const v of Object.values(mod as Record<string, unknown>)) {
    if (typeof v === "function" && v.prototype && typeof v.prototype.load === "function") return new (v as new () => Engine)();
  }
  throw new Error(`engine "${name}" exports neither createEngine() nor an Engine class`);
}
