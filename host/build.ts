// Builds every firmware entry under assembly/examples/ into build/<name>.wasm
// (release) and build/<name>.debug.wasm (debug), with the options in
// asconfig.json. Usage: node build/js/host/build.js [name ...]
import asc from "assemblyscript/asc";
import { readdirSync, mkdirSync } from "node:fs";
import { basename, join } from "node:path";

const examples = "assembly/examples";
const only = process.argv.slice(2);
const entries = readdirSync(examples)
  .filter((f) => f.endsWith(".ts"))
  .map((f) => basename(f, ".ts"))
  .filter((name) => only.length === 0 || only.includes(name));

mkdirSync("build", { recursive: true });
let failed = 0;
for (const name of entries) {
  for (const target of ["release", "debug"] as const) {
    const out = target === "release" ? `build/${name}.wasm` : `build/${name}.debug.wasm`;
    const { error, stderr } = await asc.main([join(examples, `${name}.ts`), "--config", "asconfig.json", "--target", target, "-o", out]);
    if (error) {
      failed++;
      process.stderr.write(`build: ${name} (${target}) failed: ${error.message}\n${stderr.toString()}`);
    }
  }
}
if (failed) process.exit(1);
console.log(`build: ${entries.length} firmware module(s) -> build/`);
