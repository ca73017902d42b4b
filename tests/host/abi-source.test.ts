// boards/abi/abi.json is the one definition of the board ABI's facts (docs/abi.md).
// This test fails when a copy drifts: the committed AssemblyScript constants
// or the generated C header differ from what boards/abi/gen-abi.mjs makes of the
// JSON, a source in assembly/, host/ or boards/ defines one of the facts
// again as a literal, or docs/abi.md's exit-code table disagrees with it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { spawnSync } from "node:child_process";
import { ROOT } from "./fixtures/build.js";
import { ABI, EXIT, ERR, IRQ, TRACE, WAKE, STAT, TASK_STATE, irqName } from "../../host/abi.js";

interface Gen {
  loadAbi(path?: string): typeof ABI;
  cHeader(abi?: typeof ABI): string;
  asSource(abi?: typeof ABI): string;
}
const gen = (await import(pathToFileURL(join(ROOT, "boards/abi/gen-abi.mjs")).href)) as Gen;
const abi = gen.loadAbi();

test("the committed assembly/coop/abi_gen.ts is what boards/abi/gen-abi.mjs makes of boards/abi/abi.json", () => {
  const committed = readFileSync(join(ROOT, "assembly/coop/abi_gen.ts"), "utf8");
  assert.equal(committed, gen.asSource(abi), "stale: run node boards/abi/gen-abi.mjs --as and commit assembly/coop/abi_gen.ts");
});

test("the generated C header carries every fact with its value, and the builds' copy is current", () => {
  const h = gen.cHeader(abi);
  const defs = new Map([...h.matchAll(/^#define (COOP_\w+) \(?(-?\d+)u?\)?/gm)].map((m) => [m[1], Number(m[2])]));
  const want: [string, number][] = [
    ["COOP_ABI_VERSION", abi.version],
    ...Object.entries(abi.errors).map(([k, v]) => [`COOP_${k}`, v] as [string, number]),
    ...Object.entries(abi.irq_lines).map(([k, v]) => [`COOP_IRQ_${k}`, v] as [string, number]),
    ...Object.entries(abi.gpio_edges).map(([k, v]) => [`COOP_EDGE_${k}`, v] as [string, number]),
    ...Object.entries(abi.trace_kinds).map(([k, v]) => [`COOP_TRACE_${k}`, v] as [string, number]),
    ...Object.entries(abi.stats).map(([k, v]) => [`COOP_STAT_${k}`, v] as [string, number]),
    ...Object.entries(abi.task_states).map(([k, v]) => [`COOP_TASK_${k}`, v] as [string, number]),
    ...Object.entries(abi.exit_codes).map(([k, v]) => [`COOP_EXIT_${k}`, v.code] as [string, number]),
  ];
  for (const [name, v] of want) assert.equal(defs.get(name), v, name);
  // What the C compiler sees: the header, preprocessed, gives the same numbers.
  const dir = mkdtempSync(join(tmpdir(), "coop-abi-"));
  const r = spawnSync(process.execPath, [join(ROOT, "boards/wasm3/gen-gate-header.mjs"), dir], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const cc = spawnSync(process.env.CC ?? "cc", ["-E", "-P", "-I", dir, "-x", "c", "-"], {
    input: `#include "coop_abi.h"\n${want.map(([n]) => `v_${n}=${n};`).join("\n")}\nBIT=COOP_IRQ_BIT(COOP_IRQ_BUS);\n`,
    encoding: "utf8",
  });
  if (cc.status === 0) {
    for (const [n, v] of want) assert.match(cc.stdout, new RegExp(`^v_${n}=\\(?${v}u?\\)?;$`, "m"), n);
    assert.match(cc.stdout, /^BIT=\(1u << \(6u\)\);$/m);
  }
  for (const out of ["build/gen", "build/mcu/gen"]) {
    const f = join(ROOT, out, "coop_abi.h");
    if (existsSync(f)) assert.equal(readFileSync(f, "utf8"), h, `${out}/coop_abi.h is stale (every C build regenerates it)`);
  }
});

test("host/abi.ts reads the same facts", () => {
  assert.equal(ABI.version, abi.version);
  assert.deepEqual({ ...ERR }, abi.errors);
  assert.deepEqual({ ...IRQ }, abi.irq_lines);
  assert.deepEqual({ ...TRACE }, abi.trace_kinds);
  assert.deepEqual({ ...WAKE }, abi.wake_causes);
  assert.deepEqual({ ...STAT }, abi.stats);
  assert.deepEqual({ ...TASK_STATE }, abi.task_states);
  assert.deepEqual({ ...EXIT }, Object.fromEntries(Object.entries(abi.exit_codes).map(([k, v]) => [k, v.code])));
  assert.equal(irqName(abi.irq_lines.UART1_TX), "UART1_TX");
  assert.equal(irqName(abi.irq_lines.GPIO_BASE + 3), "GPIO3");
  assert.equal(irqName(9), "IRQ9");
});

// ---- literal re-definitions --------------------------------------------------

/** Patterns that catch a fact written again by hand, with the value of boards/abi/abi.json. */
function driftPatterns(a: typeof ABI): { what: string; re: RegExp }[] {
  const out: { what: string; re: RegExp }[] = [];
  const num = (v: number) => `\\(?\\s*${v < 0 ? `-\\s*${-v}` : v}u?\\b(?![.\\w])`;
  const bitOrNum = (v: number) => `\\(?\\s*(?:1u?\\s*<<\\s*)?\\(?${v}u?\\b(?![.\\w])`;
  const fact = (what: string, nameRe: string, valueRe: string) => {
    // TS/AS `const X: i32 = v`, `X = v`, an object member `X: v`; C `#define X v`.
    out.push({ what, re: new RegExp(`\\b${nameRe}\\b\\s*(?::\\s*[A-Za-z_]\\w*\\s*)?[=:]\\s*${valueRe}`) });
    out.push({ what, re: new RegExp(`#define\\s+${nameRe}\\b(?:\\([^)]*\\))?\\s+${valueRe}`) });
  };
  fact("ABI version", "\\w*ABI_VERSION\\w*", num(a.version));
  for (const [k, v] of Object.entries(a.errors)) fact(`error ${k}`, `\\w*${k}\\w*`, num(v));
  for (const [k, v] of Object.entries(a.irq_lines)) fact(`IRQ line ${k}`, `\\w*(?:IRQ|LINE)_${k}\\w*`, bitOrNum(v));
  for (const [k, v] of Object.entries(a.gpio_edges)) fact(`edge ${k}`, `\\w*EDGE_${k}\\w*`, num(v));
  for (const [k, v] of Object.entries(a.trace_kinds)) fact(`trace kind ${k}`, `\\w*TRACE_${k}\\w*`, num(v));
  for (const [k, v] of Object.entries(a.wake_causes)) fact(`wake cause ${k}`, `\\w*WAKE_${k}\\w*`, num(v));
  for (const [k, v] of Object.entries(a.stats)) fact(`stat ${k}`, `\\w*STAT_${k}\\w*`, num(v));
  for (const [k, v] of Object.entries(a.task_states)) fact(`task state ${k}`, `\\w*TASK_${k}\\w*`, num(v));
  fact("IRQ line count", "\\w*IRQ_LINES\\w*", num(a.irq_line_count));
  // Exit codes: a table of numbers, a COOP_EXIT_-style define, a literal status given to an exit call.
  out.push({ what: "exit-code table", re: /\b\w*EXIT\w*\s*=\s*\{\s*\w+\s*:\s*\d/ });
  const names = [...Object.keys(a.exit_codes), "TRAP", "PANIC"].join("|"); // and the names the C table had before
  out.push({ what: "exit code", re: new RegExp(`#define\\s+\\w*EXIT_(?:${names})\\s+\\(?\\d`) });
  // 1 stays a dev tool's plain "failed" (bench, fuzz); every other status has a name.
  out.push({ what: "literal exit status", re: /\b(?:process\.exit|hal_exit|semihost_exit|_exit|exit)\(\s*[2-9]\d*\s*\)/ });
  out.push({ what: "literal exit status", re: /\bprocess\.exit\([^)]*\?\s*[2-9]\d*\s*:/ });
  out.push({ what: "literal exit status", re: /\bexitCode\s*=\s*[2-9]\b/ });
  // Signatures: `name: "i(iii)"` or `{"name", "i(iii)"}` for an ABI function.
  for (const [n, sig] of [...Object.entries(a.imports), ...Object.entries(a.exports), ...Object.entries(a.optional_exports)]) {
    const s = sig.replace(/[()]/g, "\\$&");
    out.push({ what: `signature of ${n}`, re: new RegExp(`["']?\\b${n}["']?\\s*[:,]\\s*["']${s}["']`) });
  }
  // The IRQ lines' names as a string table (the simulator's names come from host/abi.ts).
  out.push({ what: "IRQ name table", re: /"UART0_RX"\s*,\s*"UART0_TX"/ });
  return out;
}

/** Files that define the facts (the generator, its outputs, this test) or use a status on purpose. */
const EXEMPT = new Set([
  "boards/abi/gen-abi.mjs", // the generator: its usage exit cannot depend on the JSON it failed to read
  "boards/wasm3/gen-gate-header.mjs", // likewise
  "assembly/coop/abi_gen.ts", // generated
  "boards/qemu-mps2-an385/selftest/selftest.c", // exits 7 on purpose: checks a status reaches the shell
]);

function sources(): string[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(join(ROOT, d))) {
      const rel = `${d}/${e}`;
      if (e === "node_modules" || e.startsWith(".")) continue;
      const st = statSync(join(ROOT, rel));
      if (st.isDirectory()) walk(rel);
      else if (/\.(ts|c|h|mjs|js)$/.test(e) && !EXEMPT.has(rel)) files.push(rel);
    }
  };
  // bench/ is left out: its wasm3 harness still links the board imports with its own signature strings (to do).
  for (const d of ["assembly", "host", "boards"]) walk(d);
  return files;
}

function findDrift(files: { name: string; text: string }[], pats = driftPatterns(abi)): string[] {
  const hits: string[] = [];
  for (const f of files)
    f.text.split("\n").forEach((line, i) => {
      const code = line.replace(/\/\/.*$|\/\*.*?\*\/|^\s*\*.*$/g, ""); // what comments say is not a definition
      for (const p of pats) if (p.re.test(code)) hits.push(`${f.name}:${i + 1}: ${p.what}: ${line.trim()}`);
    });
  return hits;
}

test("the drift scan catches each kind of hand copy (so a clean scan means something)", () => {
  const copies = [
    "#define EBADPORT_ (-1)",
    "#define EBADPTR (-2)",
    "export const BOARD_ENOTREADY: i32 = -4;",
    "export const EBADPORT = -1, EBADPTR = -2;",
    "#define LINE_UART0_TX (1u << 2)",
    "#define LINE_ALARM 0",
    "#define IRQ_BUS_BIT (1u << 6)",
    "export const IRQ_GPIO_BASE: i32 = 16;",
    "const IRQ_ALARM = 0, IRQ_ADC = 5;",
    "const TRACE_POLL_BEGIN = 1, TRACE_POLL_END = 2;",
    "const STAT_LIVE_TASKS: u32 = 1;",
    "#define STAT_LIVE_TASKS 1u",
    "export const TASK_ABORTING: u8 = 2;",
    "export const EDGE_FALLING: u32 = 2;",
    "export const ABI_VERSION = 1;",
    "#define COOP_ABI_VERSION 1u",
    "export const IRQ_LINES: i32 = 32;",
    "export const HIL_EXIT = { OK: 0, FAILED: 1 } as const;",
    "#define COOP_EXIT_TRAP 3",
    "#define COOP_EXIT_USAGE 2",
    "  semihost_exit(3);",
    "    process.exit(e instanceof RefusedError ? 3 : 1);",
    "  process.exit(2);",
    '  coop_step: "I()", coop_set_trace: "v(i)",',
    '  {"bus_transfer", "i(iiiii)"},',
    'export const IRQ_NAMES = ["ALARM", "UART0_RX", "UART0_TX"];',
  ];
  for (const c of copies) assert.equal(findDrift([{ name: "x", text: c }]).length > 0, true, `not caught: ${c}`);
  // Uses are not copies.
  const uses = [
    "if (flags & IRQ_BUS_BIT) bus_copy_in(runtime, _mem);",
    "#define EBADPTR COOP_EBADPTR",
    "#define LINE_ALARM COOP_IRQ_BIT(COOP_IRQ_ALARM)",
    "this.ctx.raise(IRQ.ADC);",
    "if (r == BOARD_EBUSY) { this.state = WAIT_FREE; continue; }",
    "process.exit(EXIT.USAGE);",
    "exit(COOP_EXIT_OK);",
    "  _exit(128 + sig);",
    "#define SYS_EXIT_EXTENDED 0x20",
    "  process.exit(1);",
    "const TASK_RUNNING: u8 = 3;",
  ];
  for (const u of uses) assert.deepEqual(findDrift([{ name: "x", text: u }]), [], u);
});

test("no source in assembly/, host/ or boards/ re-defines an ABI fact by hand", () => {
  const files = sources().map((name) => ({ name, text: readFileSync(join(ROOT, name), "utf8") }));
  assert.ok(files.some((f) => f.name === "boards/wasm3/coop_wasm3.c") && files.some((f) => f.name === "host/sim/simulator.ts"), "the scan reads the sources");
  const hits = findDrift(files);
  assert.deepEqual(hits, [], `hand copies of boards/abi/abi.json (use the generated coop_abi.h, assembly/coop/abi_gen.ts or host/abi.ts):\n${hits.join("\n")}`);
});

test("docs/abi.md's exit-code table is boards/abi/abi.json's, row for row", () => {
  const doc = readFileSync(join(ROOT, "docs/abi.md"), "utf8");
  const section = doc.slice(doc.indexOf("\n## Exit codes"), doc.indexOf("\n## ", doc.indexOf("\n## Exit codes") + 1));
  const rows = [...section.matchAll(/^\| (\d+) \| `(\w+)` \|/gm)].map((m) => [m[2], Number(m[1])]);
  assert.deepEqual(rows, Object.entries(abi.exit_codes).map(([k, v]) => [k, v.code]));
  // Each runner's page points to the table instead of repeating it.
  for (const f of ["README.md", "docs/simulator.md", "docs/hil.md", "docs/engines.md", "docs/mcu.md", "boards/native/README.md"]) {
    const text = readFileSync(join(ROOT, f), "utf8");
    assert.match(text, /docs\/abi\.md|abi\.md#exit-codes|\(abi\.md/, `${f} points to the exit-code table`);
  }
});
