// Compiles firmware with the project's asconfig.json. `compileFirmware` is the
// one compile call, shared by `npm run build` (every entry under
// assembly/examples/ into build/<name>.wasm and build/<name>.debug.wasm) and
// `coop build <file.ts>` (host/cli.ts), so both get the same options.
// Usage: node build/js/host/build.js [name ...]
import asc from "assemblyscript/asc";
import { readdirSync, mkdirSync, existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, isAbsolute, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import AsyncTransform from "./async/transform.js";

/** The package root: this file is build/js/host/build.js (or host/build.ts). */
export function packageRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(resolve(d, "asconfig.json")) && existsSync(resolve(d, "assembly"))) return d;
    d = dirname(d);
  }
  return process.cwd();
}

export interface CompileResult {
  ok: boolean;
  /** On failure: one line (the first compiler error with its file and position, and how many there were). */
  message: string;
  /** The compiler's full output, for callers that show it (npm run build). */
  stderr: string;
}

const toPosix = (p: string) => p.split(sep).join("/");

/**
 * Compile one AssemblyScript entry file to `out` with asconfig.json's
 * `release` target (or `debug`). Paths may be relative to the current
 * directory. An entry outside the package is compiled from its own folder:
 * the compiler names files by their path from its base folder, and the
 * config's `use` aliases (abort -> assembly/coop/panic/coopAbort) name a
 * file by its path from the package root, so they are re-anchored to the
 * entry's folder (the path the entry's own imports of the core resolve to).
 */
export async function compileFirmware(entry: string, out: string, debug = false, root = packageRoot(), names = false): Promise<CompileResult> {
  const src = resolve(entry);
  const dst = resolve(out);
  const config = resolve(root, "asconfig.json");
  const inside = !relative(root, src).startsWith("..") && !isAbsolute(relative(root, src));
  const base = inside ? root : dirname(src);
  const readFile = async (file: string, baseDir: string): Promise<string | null> => {
    const p = resolve(baseDir, file);
    let text: string;
    try {
      text = readFileSync(p, "utf8");
    } catch {
      return null;
    }
    if (p !== config || inside) return text;
    const cfg = JSON.parse(text) as { options?: { use?: string[] } };
    if (cfg.options?.use) {
      cfg.options.use = cfg.options.use.map((u) => {
        const i = u.indexOf("=");
        const target = u.slice(i + 1);
        const cut = target.lastIndexOf("/");
        if (i < 0 || cut < 0) return u; // a plain global name: nothing to re-anchor
        return `${u.slice(0, i)}=${toPosix(relative(base, resolve(root, target.slice(0, cut))))}${target.slice(cut)}`;
      });
    }
    return JSON.stringify(cfg);
  };
  const { error, stderr } = await asc.main(
    [toPosix(relative(base, src)), "--baseDir", base, "--config", config, "--target", debug ? "debug" : "release", "-o", dst],
    // The async lowering (host/async/) runs in every firmware build.
    { readFile, transforms: names && !debug ? [AsyncTransform, KeepNames] : [AsyncTransform] } as unknown as Parameters<typeof asc.main>[1],
  );
  const text = stderr.toString();
  if (!error) return { ok: true, message: "", stderr: text };
  return { ok: false, message: firstError(text, error.message, base), stderr: text };
}

/**
 * `names`: the release build with its name section (function names only: the
 * code is byte for byte the release build's), so a trap on an MCU names the
 * function (docs/mcu.md, "Trap reports"). asc's optimize turns binaryen's
 * debug info off, which drops the names at emit; this turns it on for the
 * emit only. asc gives a transform class `binaryen` on its prototype.
 */
class KeepNames {
  declare binaryen: { setDebugInfo(on: boolean): void };
  afterCompile(module: { emitBinary: (...a: unknown[]) => unknown }): void {
    const b = this.binaryen;
    const emit = module.emitBinary.bind(module);
    module.emitBinary = (...a: unknown[]) => {
      b.setDebugInfo(true);
      try {
        return emit(...a);
      } finally {
        b.setDebugInfo(false);
      }
    };
  }
}

/** "file.ts(12,5): ERROR TS2304: Cannot find name 'x'. (3 errors)" from asc's report. */
function firstError(text: string, summary: string, base: string): string {
  const lines = text.split("\n").map((l) => l.replace(/\x1b\[[0-9;]*m/g, ""));
  // The missing abort route is only the cause when it is the only error (a file that imports nothing of coop).
  const errors = lines.map((l, i) => (/^ERROR /.test(l) ? i : -1)).filter((i) => i >= 0);
  if (!errors.length) return summary;
  const i = errors.find((k) => !/AS111: Element '.*coopAbort' not found/.test(lines[k])) ?? errors[0];
  let where = "";
  for (let j = i + 1; j < lines.length && !/^(ERROR|WARNING) /.test(lines[j]); j++) {
    const m = /└─ in (.+)$/.exec(lines[j]);
    if (m) {
      const file = /^(.*)\((\d+),(\d+)\)$/.exec(m[1].trim());
      where = file ? `${toPosix(relative(process.cwd(), resolve(base, file[1])))}(${file[2]},${file[3]}): ` : `${m[1].trim()}: `;
      break;
    }
  }
  let msg = lines[i].trim();
  if (/AS111: Element '.*coopAbort' not found/.test(msg)) msg += " (a firmware entry file must export the board ABI: `export * from \"<path to assembly>/coop/abi\"`, which also brings in coop's panic handler that aborts are routed to)";
  // asc counts the async lowering's refusals as parse errors: they are errors in the user's code like any other.
  return `${where}${msg} (${summary.replace("parse error(s)", "error(s)")})`;
}

// `npm run build`: every example, both targets.
async function buildExamples(only: string[]): Promise<number> {
  const root = packageRoot();
  const examples = join(root, "assembly/examples");
  const entries = readdirSync(examples)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => basename(f, ".ts"))
    .filter((name) => only.length === 0 || only.includes(name));
  mkdirSync(join(root, "build"), { recursive: true });
  let failed = 0;
  for (const name of entries) {
    for (const debug of [false, true]) {
      const out = join(root, "build", debug ? `${name}.debug.wasm` : `${name}.wasm`);
      const r = await compileFirmware(join(examples, `${name}.ts`), out, debug, root);
      if (!r.ok) {
        failed++;
        process.stderr.write(`build: ${name} (${debug ? "debug" : "release"}) failed: ${r.message}\n${r.stderr}`);
      }
    }
  }
  if (failed) return 1;
  console.log(`build: ${entries.length} firmware module(s) -> build/`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await buildExamples(process.argv.slice(2));
}
