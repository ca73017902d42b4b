// Turns boards/abi/abi.json (the board ABI's facts: their one definition) into the
// C header every C build includes and the AssemblyScript constants the
// firmware core imports (asc cannot read JSON). host/abi.ts reads the JSON
// itself.
//   node boards/abi/gen-abi.mjs <out-dir>   -> <out-dir>/coop_abi.h (written only when it changes,
//                                          so make-style up-to-date checks stay quiet)
//   node boards/abi/gen-abi.mjs --as        -> assembly/coop/abi_gen.ts (committed; a test fails when stale)
// boards/wasm3/gen-gate-header.mjs, which every C build already runs, calls
// writeCHeader too.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const ABI_JSON = join(here, "abi.json");
export const AS_OUT = resolve(here, "../../assembly/coop/abi_gen.ts");

const NAME = /^[A-Z][A-Z0-9_]*$/;
const SIG = /^[viIfF]\([iIfF]*\)$/;

/** boards/abi/abi.json, checked: every name a C identifier part, every value an integer in range. */
export function loadAbi(path = ABI_JSON) {
  const abi = JSON.parse(readFileSync(path, "utf8"));
  const ints = (what, o, lo, hi) => {
    for (const [k, v] of Object.entries(o)) {
      if (!NAME.test(k)) throw new Error(`abi.json: ${what} name ${k} is not UPPER_CASE`);
      if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`abi.json: ${what}.${k} = ${v} is not an integer in ${lo}..${hi}`);
    }
  };
  ints("version", { VERSION: abi.version }, 1, 0xffffffff);
  ints("errors", abi.errors, -0x80000000, -1);
  ints("irq_lines", abi.irq_lines, 0, abi.irq_line_count - 1);
  ints("counts", { IRQ_LINE_COUNT: abi.irq_line_count, GPIO_PINS: abi.gpio_pins }, 1, 32);
  if (abi.irq_lines.GPIO_BASE + abi.gpio_pins > abi.irq_line_count) throw new Error("abi.json: the GPIO lines do not fit the IRQ lines");
  ints("gpio_edges", abi.gpio_edges, 0, 3);
  ints("trace_kinds", abi.trace_kinds, 0, 0xffffffff);
  ints("wake_causes", abi.wake_causes, -0x80000000, -1);
  // IRQ line n wakes with IRQ_BASE - n: those values must stay clear of the other causes.
  if (abi.wake_causes.IRQ_BASE >= Math.min(abi.wake_causes.OTHER, abi.wake_causes.TIMER)) throw new Error("abi.json: wake_causes.IRQ_BASE must be below the other causes");
  ints("stats", abi.stats, 0, 0xffffffff);
  ints("name_kinds", abi.name_kinds, 0, 256);
  ints("task_states", abi.task_states, 0, 255);
  ints("exit_codes", Object.fromEntries(Object.entries(abi.exit_codes).map(([k, v]) => [k, v.code])), 0, 125);
  const codes = Object.values(abi.exit_codes).map((v) => v.code);
  if (new Set(codes).size !== codes.length) throw new Error("abi.json: two exit codes share a number");
  for (const t of ["imports", "exports", "optional_exports"])
    for (const [n, sig] of Object.entries(abi[t]))
      if (!/^[A-Za-z0-9_]+$/.test(n) || !SIG.test(sig)) throw new Error(`abi.json: bad ${t} entry ${n}: ${sig}`);
  // Imported globals are mutable (the board writes them) and of one value type: i, I, f or F.
  for (const [n, t] of Object.entries(abi.import_globals))
    if (!/^[A-Za-z0-9_]+$/.test(n) || !/^[iIfF]$/.test(t)) throw new Error(`abi.json: bad import_globals entry ${n}: ${t}`);
  return abi;
}

export function cHeader(abi = loadAbi()) {
  const l = [
    "/* Generated from boards/abi/abi.json by boards/abi/gen-abi.mjs: do not edit. Meanings: docs/abi.md. */",
    "#ifndef COOP_ABI_H",
    "#define COOP_ABI_H",
    "",
    "/* The ABI version this board implements (coop_abi_version() must return it). */",
    `#define COOP_ABI_VERSION ${abi.version}u`,
    "",
    "/* Error codes the imports return (negative i32). */",
  ];
  for (const [k, v] of Object.entries(abi.errors)) l.push(`#define COOP_${k} (${v})`);
  l.push("", "/* Logical IRQ lines; bit n of irq_take()'s flags is line n. */");
  for (const [k, v] of Object.entries(abi.irq_lines)) l.push(`#define COOP_IRQ_${k} ${v}u`);
  l.push(`#define COOP_IRQ_LINE_COUNT ${abi.irq_line_count}u`, `#define COOP_GPIO_PINS ${abi.gpio_pins}u`);
  l.push("#define COOP_IRQ_BIT(line) (1u << (line))");
  l.push("", "/* gpio_irq edge selections (a bit set: rising 1, falling 2). */");
  for (const [k, v] of Object.entries(abi.gpio_edges)) l.push(`#define COOP_EDGE_${k} ${v}u`);
  l.push("", "/* board.trace kinds. */");
  for (const [k, v] of Object.entries(abi.trace_kinds)) l.push(`#define COOP_TRACE_${k} ${v}u`);
  l.push("", "/* A TRACE_WAKE's b outside a poll: who woke the task (IRQ line n: COOP_WAKE_IRQ_BASE - n). */");
  for (const [k, v] of Object.entries(abi.wake_causes)) l.push(`#define COOP_WAKE_${k} (${v})`);
  l.push("", "/* coop_stat ids. */");
  for (const [k, v] of Object.entries(abi.stats)) l.push(`#define COOP_STAT_${k} ${v}u`);
  l.push("", "/* board.resolve kinds: what a board-file name names; OPTIONAL is a flag or-ed into one. */");
  for (const [k, v] of Object.entries(abi.name_kinds)) l.push(`#define COOP_NAME_${k} ${v}u`);
  l.push("", "/* coop_task_state values. */");
  for (const [k, v] of Object.entries(abi.task_states)) l.push(`#define COOP_TASK_${k} ${v}u`);
  l.push("", "/* Exit statuses of every runner (coop run, coop hil, coop-native, the MCU, build:mcu, coop-gate). */");
  for (const [k, v] of Object.entries(abi.exit_codes)) l.push(`#define COOP_EXIT_${k} ${v.code} /* ${v.meaning.replace(/\*\//g, "* /")} */`);
  l.push("", "#endif", "");
  return l.join("\n");
}

export function asSource(abi = loadAbi()) {
  const l = [
    "// Generated from boards/abi/abi.json by boards/abi/gen-abi.mjs (node boards/abi/gen-abi.mjs --as): do not edit.",
    "// Board ABI facts for the firmware core; meanings in docs/abi.md.",
    "",
    "/** The ABI version this module is built for; the board checks it first. */",
    `export const ABI_VERSION: u32 = ${abi.version};`,
    "",
    "// Error codes the imports return (negative i32).",
  ];
  for (const [k, v] of Object.entries(abi.errors)) l.push(`export const BOARD_${k}: i32 = ${v};`);
  l.push("", "// Logical interrupt lines (bit n of irq_take() is line n); GPIO pin p is line IRQ_GPIO_BASE + p.");
  for (const [k, v] of Object.entries(abi.irq_lines)) l.push(`export const IRQ_${k}: i32 = ${v};`);
  l.push(`export const IRQ_LINES: i32 = ${abi.irq_line_count};`, `export const GPIO_PINS: u32 = ${abi.gpio_pins};`);
  l.push("", "// gpio_irq edge selections (a bit set: rising 1, falling 2).");
  for (const [k, v] of Object.entries(abi.gpio_edges)) l.push(`export const EDGE_${k}: u32 = ${v};`);
  l.push("", "// board.trace kinds.");
  for (const [k, v] of Object.entries(abi.trace_kinds)) l.push(`export const TRACE_${k}: u32 = ${v};`);
  l.push("", "// A TRACE_WAKE's b outside a poll: who woke the task (IRQ line n: WAKE_IRQ_BASE - n).");
  for (const [k, v] of Object.entries(abi.wake_causes)) l.push(`export const WAKE_${k}: i32 = ${v};`);
  l.push("", "// coop_stat ids.");
  for (const [k, v] of Object.entries(abi.stats)) l.push(`export const STAT_${k}: u32 = ${v};`);
  l.push("", "// board.resolve kinds: what a board-file name names; OPTIONAL is a flag or-ed into one.");
  for (const [k, v] of Object.entries(abi.name_kinds)) l.push(`export const NAME_${k}: u32 = ${v};`);
  l.push("", "// coop_task_state values.");
  for (const [k, v] of Object.entries(abi.task_states)) l.push(`export const TASK_${k}: u8 = ${v};`);
  l.push("");
  return l.join("\n");
}

/** Writes text to path unless it already holds exactly that; true when it wrote. */
export function writeIfChanged(path, text) {
  if (existsSync(path) && readFileSync(path, "utf8") === text) return false;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return true;
}

export function writeCHeader(outDir) {
  return writeIfChanged(join(outDir, "coop_abi.h"), cHeader());
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = process.argv[2];
  try {
    if (arg === "--as") writeIfChanged(AS_OUT, asSource());
    else if (arg && !arg.startsWith("-")) writeCHeader(arg);
    else {
      console.error("gen-abi: usage: node boards/abi/gen-abi.mjs <out-dir> | --as");
      process.exit(2); // USAGE; literal because abi.json itself may be what is broken
    }
  } catch (e) {
    console.error(`gen-abi: ${e.message}`);
    process.exit(2);
  }
}
