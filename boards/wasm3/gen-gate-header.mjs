// Turns boards/wasm3/gate.json (the module gate's limits and the board ABI
// signatures: their one definition) into the C header coop_gate.c includes.
// Run by every C build (boards/native/build.sh, boards/wasm3-node/build.sh,
// host/mcu/build.ts, boards/wasm3/build-gate.sh); writes only when the
// content changes, so make-style up-to-date checks stay quiet.
// Usage: node boards/wasm3/gen-gate-header.mjs <out-dir>   -> <out-dir>/coop_gate_limits.h
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const spec = JSON.parse(readFileSync(join(here, "gate.json"), "utf8"));
const outDir = process.argv[2];
if (!outDir) {
  console.error("gen-gate-header: usage: node boards/wasm3/gen-gate-header.mjs <out-dir>");
  process.exit(1);
}
const lines = [
  "/* Generated from boards/wasm3/gate.json by boards/wasm3/gen-gate-header.mjs: do not edit. */",
  "#ifndef COOP_GATE_LIMITS_H",
  "#define COOP_GATE_LIMITS_H",
];
for (const [k, v] of Object.entries(spec.limits)) {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`gate.json: ${k} must be a u32`);
  lines.push(`#define COOP_GATE_${k.toUpperCase()} ${v}u`);
}
const table = (name, o) => {
  lines.push(`#define COOP_GATE_${name}_COUNT ${Object.keys(o).length}u`);
  lines.push(`#define COOP_GATE_${name}_TABLE \\`);
  for (const [n, sig] of Object.entries(o)) {
    if (!/^[A-Za-z0-9_]+$/.test(n) || !/^[viIfF]\([iIfF]*\)$/.test(sig)) throw new Error(`gate.json: bad ABI entry ${n}: ${sig}`);
    lines.push(`  {"${n}", "${sig}"}, \\`);
  }
  lines.push("");
};
table("IMPORTS", spec.imports);
table("EXPORTS", spec.exports);
lines.push("#endif", "");
const text = lines.join("\n");
mkdirSync(outDir, { recursive: true });
const out = join(outDir, "coop_gate_limits.h");
if (!existsSync(out) || readFileSync(out, "utf8") !== text) writeFileSync(out, text);
