// Helpers for the wasm3 engine's tests and benchmark: make sure the addon is
// built (building it if not), and compile the fixture firmware in
// boards/wasm3-node/fixtures/ with the project's asc options.
//
// May import: host/engines/wasm3.ts; nothing imports this but tests/ and bench/.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BUILD_COMMAND, addonPath } from "../wasm3.js";

/** The repository root (this file runs from build/js/host/engines/wasm3/). */
export const ROOT = fileURLToPath(new URL("../../../../../", import.meta.url));

let built = false;

/**
 * Build the addon (sh boards/wasm3-node/build.sh: fetches wasm3, compiles
 * only when a source is newer than the addon; parallel callers wait on a
 * lock). Once per process. Throws one line naming the command when that
 * fails, so a test on a machine without the engine fails instead of passing
 * silently.
 */
export function ensureWasm3Built(): void {
  if (built) return;
  const r = spawnSync("sh", [join(ROOT, "boards/wasm3-node/build.sh")], { encoding: "utf8", cwd: ROOT });
  if (r.status !== 0 || !existsSync(addonPath())) {
    const why = (r.stderr || r.stdout || String(r.error ?? "")).trim().split("\n").pop();
    throw new Error(`the wasm3 engine is not built and building it failed (${why}); run: ${BUILD_COMMAND}`);
  }
  built = true;
}

let outDir: string | null = null;

/** Compile boards/wasm3-node/fixtures/<name>.ts (asconfig.json target "release" or "debug"); returns the bytes. */
export async function compileFixture(name: string, target: "release" | "debug" = "release"): Promise<Uint8Array> {
  const asc = (await import("assemblyscript/asc")).default;
  if (outDir === null) {
    const dir = mkdtempSync(join(tmpdir(), "coop-wasm3-fixtures-"));
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    outDir = dir;
  }
  const out = join(outDir, `${name}.${target}.wasm`);
  if (!existsSync(out)) {
    const { error, stderr } = await asc.main([
      `boards/wasm3-node/fixtures/${name}.ts`, "--baseDir", ROOT, "--config", "asconfig.json", "--target", target, "-o", out, "--sourceMap", "false",
    ]);
    if (error) throw new Error(`cannot compile fixture ${name} (${target}): ${error.message}\n${stderr.toString()}`);
  }
  return new Uint8Array(readFileSync(out));
}
