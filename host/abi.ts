// The board ABI's facts for the host side, read from boards/abi/abi.json, their
// one definition (boards/abi/gen-abi.mjs turns the same file into the C header
// and the AssemblyScript constants). Nothing in host/ repeats these numbers.

import { readPackageJson } from "./package-file.js";

interface ExitCode { code: number; meaning: string }
interface AbiSpec {
  version: number;
  errors: Record<"EBADPORT" | "EBADPTR" | "EBUSY" | "ENOTREADY", number>;
  irq_lines: Record<"ALARM" | "UART0_RX" | "UART0_TX" | "UART1_RX" | "UART1_TX" | "ADC" | "BUS" | "SOFT" | "GPIO_BASE", number>;
  irq_line_count: number;
  gpio_pins: number;
  gpio_edges: Record<"OFF" | "RISING" | "FALLING" | "BOTH", number>;
  trace_kinds: Record<"POLL_BEGIN" | "POLL_END" | "WAKE" | "SPAWN" | "EXIT" | "IRQ" | "STEP_END" | "MARK", number>;
  wake_causes: Record<"OTHER" | "TIMER" | "IRQ_BASE", number>;
  stats: Record<"POLLS" | "LIVE_TASKS" | "SPAWN_FAILURES" | "TIMER_OVERFLOWS" | "TIMERS_ARMED", number>;
  name_kinds: Record<"PIN" | "ADC" | "UART" | "BUS" | "OPTIONAL", number>;
  task_states: Record<"FREE" | "LIVE" | "ABORTING", number>;
  exit_codes: Record<ExitName, ExitCode>;
  imports: Record<string, string>;
  import_globals: Record<string, string>;
  exports: Record<string, string>;
  optional_exports: Record<string, string>;
}
export type ExitName = "OK" | "SCENARIO_FAILED" | "USAGE" | "BAD_MODULE" | "FIRMWARE_FAULT" | "UART_OVERRUN" | "INTERNAL" | "NO_MEMORY";

export const ABI: Readonly<AbiSpec> = readPackageJson("boards/abi/abi.json") as AbiSpec;
export const ABI_VERSION = ABI.version;
/** Error codes the imports return. */
export const ERR = ABI.errors;
/** Logical IRQ line numbers (GPIO pin p is IRQ.GPIO_BASE + p). */
export const IRQ = ABI.irq_lines;
export const IRQ_LINE_COUNT = ABI.irq_line_count;
export const GPIO_PINS = ABI.gpio_pins;
export const EDGE = ABI.gpio_edges;
export const TRACE = ABI.trace_kinds;
/** A TRACE_WAKE's b outside a poll: who woke the task (IRQ line n: WAKE.IRQ_BASE - n). */
export const WAKE = ABI.wake_causes;
export const STAT = ABI.stats;
export const TASK_STATE = ABI.task_states;
/** board.resolve kinds: what a board-file name names (pin, ADC channel, UART, bus device); OPTIONAL is a flag or-ed into one. */
export const NAME_KIND = ABI.name_kinds;
/** Board ABI import signatures, wasm3 notation (result(params)). */
export const ABI_IMPORTS: Readonly<Record<string, string>> = ABI.imports;
/** Board ABI globals the firmware imports: name to value type (wasm3 notation); every one is mutable (docs/abi.md, Imported globals). */
export const ABI_IMPORT_GLOBALS: Readonly<Record<string, string>> = ABI.import_globals;
/**
 * board.irq_quiet for a board that does not keep it: a mutable i32 left at 0, so the executor
 * calls irq_take before every batch (docs/abi.md). What test, tool and recording boards hand over.
 */
export function unkeptIrqQuiet(): WebAssembly.Global {
  return new WebAssembly.Global({ value: "i32", mutable: true }, 0);
}
/** Required exports (functions) and their signatures. */
export const ABI_EXPORTS: Readonly<Record<string, string>> = ABI.exports;
/** Exports a board may use when present. */
export const ABI_OPTIONAL_EXPORTS: Readonly<Record<string, string>> = ABI.optional_exports;

/** The exit status of every runner, by name (docs/abi.md, Exit codes). */
export const EXIT = Object.fromEntries(Object.entries(ABI.exit_codes).map(([k, v]) => [k, v.code])) as Readonly<Record<ExitName, number>>;
/** What an exit status means, for messages ("status 4 (firmware fault)"); undefined for one outside the table. */
export function exitMeaning(code: number): string | undefined {
  return Object.values(ABI.exit_codes).find((e) => e.code === code)?.meaning;
}

const IRQ_NAMES: readonly string[] = Array.from({ length: IRQ_LINE_COUNT }, (_, line) => {
  const named = Object.entries(IRQ).find(([k, v]) => v === line && k !== "GPIO_BASE");
  if (named) return named[0];
  if (line >= IRQ.GPIO_BASE && line < IRQ.GPIO_BASE + GPIO_PINS) return `GPIO${line - IRQ.GPIO_BASE}`;
  return `IRQ${line}`;
});
/** The ABI's name for an IRQ line (UART0_RX, GPIO3), or IRQ<n> for a board-specific one. */
export const irqName = (line: number): string => IRQ_NAMES[line] ?? `IRQ${line}`;
