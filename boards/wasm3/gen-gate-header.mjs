// Writes the C headers every C build includes (boards/native/build.sh,
// boards/wasm3-node/build.sh, host/mcu/build.ts, boards/wasm3/build-gate.sh
// run it): coop_gate_limits.h, the module gate's limits (boards/wasm3/gate.json)
// and the ABI's import/export signatures (boards/abi/abi.json), and coop_abi.h, the
// ABI's constants and exit codes (boards/abi/gen-abi.mjs). Each is written only
// when its content changes, so make-style up-to-date checks stay quiet.
// Usage: node boards/wasm3/gen-gate-header.mjs <out-dir>
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadAbi, writeCHeader, writeIfChanged } from "../abi/gen-abi.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.argv[2];
if (!outDir) {
  console.error("gen-gate-header: usage: node boards/wasm3/gen-gate-header.mjs <out-dir>");
  process.exit(2); // USAGE (boards/abi/abi.json)
}
try {
  const limits = JSON.parse(readFileSync(join(here, "gate.json"), "utf8")).limits;
  const abi = loadAbi();
  const lines = [
    "/* Generated from boards/wasm3/gate.json and boards/abi/abi.json by boards/wasm3/gen-gate-header.mjs: do not edit. */",
    "#ifndef COOP_GATE_LIMITS_H",
    "#define COOP_GATE_LIMITS_H",
  ];
  for (const [k, v] of Object.entries(limits)) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`gate.json: ${k} must be a u32`);
    lines.push(`#define COOP_GATE_${k.toUpperCase()} ${v}u`);
  }
  const table = (name, o) => {
    lines.push(`#define COOP_GATE_${name}_COUNT ${Object.keys(o).length}u`);
    lines.push(`#define COOP_GATE_${name}_TABLE \\`);
    for (const [n, sig] of Object.entries(o)) lines.push(`  {"${n}", "${sig}"}, \\`);
    lines.push("");
  };
  table("IMPORTS", abi.imports);
  table("IMPORT_GLOBALS", abi.import_globals);
  table("EXPORTS", abi.exports);
  lines.push("#endif", "");
  writeIfChanged(join(outDir, "coop_gate_limits.h"), lines.join("\n"));
  writeCHeader(outDir);
} catch (e) {
  console.error(`gen-gate-header: ${e.message}`);
  process.exit(2);
}
