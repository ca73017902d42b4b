// A firmware fault as one line, the way `coop run` prints it on stderr and
// the page (host/web/page.ts) shows it: who (task name and slot), what, when.

import type { Fault } from "./sim/simulator.js";
import { formatTime } from "./scenario.js";
import { printable } from "./text.js";

export function faultLine(f: Fault): string {
  const who = f.task >= 0 ? `task "${printable(f.taskName ?? "?")}" (slot ${f.task})` : "code outside any task (_start or the scheduler)";
  if (f.kind === "name") return `coop: ${printable(f.message)}`;
  if (f.kind === "alloc" || f.kind === "oom") return memoryFaultLine(f);
  if (f.kind === "runaway") return `coop: runaway: ${who} did not return${f.task >= 0 ? " from its poll" : ""} ${f.message.replace(/^did not return /, "")}, at t=${formatTime(f.tUs)}`;
  return `coop: firmware ${f.kind} in ${who} at t=${formatTime(f.tUs)}: ${printable(f.message)}${f.where ? ` ${printable(f.where)}` : ""}${f.site ? ` (after its await at ${printable(f.site)})` : ""}`;
}

/**
 * The one line for an allocation after start-up or an out-of-memory trap,
 * worded as every board words it (boards/embed/coop_board.c), so a firmware's
 * report reads the same in the simulator and on the MCU.
 */
function memoryFaultLine(f: Fault): string {
  const who = f.task >= 0 ? `task "${printable(f.taskName ?? "?")}"` : f.heap ? "code outside any task" : "_start";
  const at = `t=${(f.tUs / 1000).toFixed(3)} ms`;
  const hex = (n: number) => `0x${n.toString(16)}`;
  if (f.kind === "oom") return `coop: firmware fault: out of memory: ${who} at ${at}: ${printable(f.message)}; see docs/runtime.md`;
  const span = f.heap && f.heap.now !== null ? ` (heap ${hex(f.heap.sealed)} -> ${hex(f.heap.now)})` : "";
  return `coop: firmware fault: ${who} ${f.message} at ${at}${span}; the core must not allocate once running: see docs/runtime.md`;
}
