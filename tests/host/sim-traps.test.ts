// A trap names the code on both simulator engines: the AssemblyScript
// function (name section) and, with the debug build's source map, the
// file:line:col; the release build (no name section) gives the function's
// index in the module as built, not in the fuel-instrumented rewrite the
// engines run.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import asc from "assemblyscript/asc";
import { CLI, ROOT } from "./fixtures/build.js";
import { ensureWasm3Built } from "../../host/engines/wasm3/testkit.js";
import { unkeptIrqQuiet } from "../../host/abi.js";

const dir = mkdtempSync(join(tmpdir(), "coop-traps-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

async function build(target: "debug" | "release"): Promise<string> {
  const out = join(dir, `traps.${target}.wasm`);
  const { error, stderr } = await asc.main(["boards/wasm3-node/fixtures/traps.ts", "--baseDir", ROOT, "--config", "asconfig.json", "--target", target, "-o", out]);
  if (error) throw new Error(`traps fixture (${target}): ${error.message}\n${stderr.toString()}`);
  return out;
}

/** The fault line of a run that sends `mode` to the traps fixture. */
function faultLine(wasm: string, engine: string, mode: string, ...extra: string[]): string {
  const input = join(dir, `in.${mode}`);
  writeFileSync(input, mode);
  const r = spawnSync(process.execPath, [CLI, "run", wasm, "--engine", engine, "--uart-in", input, "--until", "1s", "--quiet", ...extra], { encoding: "utf8", cwd: ROOT });
  assert.equal(r.status, 4, `exit 4 (firmware fault): ${r.stderr}`);
  const line = r.stderr.split("\n").find((l) => l.startsWith("coop: firmware trap"));
  assert.ok(line, `a trap line: ${r.stderr}`);
  return line;
}

/** Line of the first occurrence of `text` in the fixture's source, 1-based. */
function lineOf(text: string): number {
  const src = readFileSync(join(ROOT, "boards/wasm3-node/fixtures/traps.ts"), "utf8").split("\n");
  const i = src.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, text);
  return i + 1;
}

test("debug build: a trap names the function and its file:line on V8 and wasm3, with and without fuel metering", async () => {
  ensureWasm3Built();
  const wasm = await build("debug");
  const src = "boards/wasm3-node/fixtures/traps.ts";
  const cases: [string, string, RegExp][] = [
    ["2", "unreachable", new RegExp(`unreachable(?: \\(wasm3: [^)]*\\))? at ${src}:${lineOf("unreachable();")}:\\d+ \\(traps/Trapper#poll, called from coop_step\\)`)],
    ["1", "out of bounds", new RegExp(`memory access out of bounds(?: \\(wasm3: [^)]*\\))? at ${src}:${lineOf("0xfffffff0")}:\\d+ \\(traps/Trapper#poll, called from coop_step\\)`)],
    ["3", "divide", new RegExp(`divide by zero(?: \\(wasm3: [^)]*\\))? at ${src}:${lineOf("function divide")}:\\d+ \\(traps/divide, called from coop_step\\)`)],
  ];
  for (const [mode, what, re] of cases) {
    const lines = new Set<string>();
    for (const engine of ["v8", "wasm3"]) {
      for (const fuel of [[], ["--fuel", "0"]]) {
        const line = faultLine(wasm, engine, mode, ...fuel);
        assert.match(line, re, `${what} on ${engine} ${fuel.join(" ")}`);
        lines.add(line.replace(/ \(wasm3: [^)]*\)/, ""));
      }
    }
    assert.equal(lines.size, 1, `the same place on every engine, metered or not: ${[...lines].join(" | ")}`);
  }
});

test("release build: no name section, so the function's index in the module as built", async () => {
  ensureWasm3Built();
  const wasm = await build("release");
  // V8 without fuel metering runs the module unchanged: its stack's index is the truth.
  const bytes = readFileSync(wasm);
  let sent = false;
  let inst: WebAssembly.Instance;
  const quiet = unkeptIrqQuiet(); // board.irq_quiet, left at 0
  const board = new Proxy({}, {
    get: (_t, name) => name === "irq_quiet" ? quiet : (...a: number[]) => {
      if (name === "uart_read" && !sent) {
        sent = true;
        new Uint8Array((inst.exports.memory as WebAssembly.Memory).buffer)[a[1]] = 50;
        return 1;
      }
      return name === "now" ? 0n : 0;
    },
  });
  inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { board } as WebAssembly.Imports);
  (inst.exports._start as () => void)();
  let stack = "";
  try {
    for (let i = 0; i < 3; i++) (inst.exports.coop_step as () => bigint)();
  } catch (e) {
    stack = (e as Error).stack ?? "";
  }
  const index = /wasm-function\[(\d+)\]/.exec(stack)?.[1];
  assert.ok(index, `V8 names the trapping function's index: ${stack}`);
  for (const engine of ["v8", "wasm3"]) {
    assert.match(faultLine(wasm, engine, "2"), new RegExp(`unreachable(?: \\(wasm3: [^)]*\\))? \\(in function #${index}, called from coop_step\\)$`), engine);
  }
});
