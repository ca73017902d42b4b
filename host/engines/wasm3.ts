// The wasm3 engine: runs the firmware under the wasm3 interpreter (the same
// interpreter the native runner and the MCU port embed), driven from the V8
// simulator through a Node-API addon (boards/wasm3-node/coop_wasm3_node.c,
// built by `npm run build:wasm3-engine` into build/wasm3-node/). Board imports
// are the simulator's own JS functions, called synchronously from wasm3, so
// board models, virtual clock, scenarios and seeds are shared with the V8
// engine. Why an addon and what it costs: docs/engines.md.
//
// The static checks (magic, validity, exports, imports) are the V8 engine's
// own `checkModule`, so both engines refuse a module with the same message;
// wasm3 then parses, links and compiles every function up front, so an
// opcode wasm3 lacks fails at load, not in the middle of a run.

import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { BoardImports, Engine, Firmware, FirmwareMemory, TrapFrame } from "../engine.js";
import { ABI_VERSION, BOARD_IMPORT_NAMES, EngineError, checkModule, oneLine, readAsString } from "./v8.js";
import { ABI_IMPORTS, ABI_EXPORTS } from "../abi.js";

/** wasm3 value stack when not configured: the same as boards/wasm3/coop_wasm3.c's default. */
export const DEFAULT_STACK_BYTES = 16 * 1024;

/** The command that builds the addon; quoted in every "not built" error. */
export const BUILD_COMMAND = "npm run build:wasm3-engine";

/** wasm3 signatures of the board imports (docs/abi.md), in wasm3's notation: ret(args), i=i32, I=i64, v=void; from boards/abi/abi.json. */
export const BOARD_IMPORT_SIGNATURES: Readonly<Record<string, string>> = ABI_IMPORTS;

/** The addon's JS surface (see the header comment of coop_wasm3_node.c). */
export interface Wasm3Native {
  create(bytes: Uint8Array, imports: [string, string, string, Function][], stackBytes: number, memoryLimit: number): object;
  lookup(h: object, name: string): number;
  call(h: object, id: number, ...args: (number | bigint)[]): number | bigint | undefined;
  memSize(h: object): number;
  memRead(h: object, ptr: number, len: number): Uint8Array | null;
  memWrite(h: object, ptr: number, data: Uint8Array): boolean;
  growRefused(h: object): boolean;
  free(h: object): void;
  version(): string;
}

/** Where the addon is looked for: $COOP_WASM3_ADDON, else build/wasm3-node/coop_wasm3.node. */
export function addonPath(): string {
  if (process.env.COOP_WASM3_ADDON) return process.env.COOP_WASM3_ADDON;
  // This file runs from build/js/host/engines/; the addon is in build/wasm3-node/.
  return fileURLToPath(new URL("../../../wasm3-node/coop_wasm3.node", import.meta.url));
}

let native: Wasm3Native | null = null;

/** Load the addon once; a one-line EngineError naming the build command if it is missing or broken. */
export function loadNative(): Wasm3Native {
  if (native) return native;
  const path = addonPath();
  if (!existsSync(path)) throw new EngineError(`the wasm3 engine is not built (no ${path}); run: ${BUILD_COMMAND}`);
  try {
    native = createRequire(import.meta.url)(path) as Wasm3Native;
  } catch (e) {
    throw new EngineError(`the wasm3 engine cannot be loaded (${oneLine(e)}); rebuild it: ${BUILD_COMMAND}`);
  }
  return native;
}

/** A wasm trap inside wasm3: `trap` is wasm3's message, `func` the trapping function when wasm3 knows it. */
export interface Wasm3TrapError extends Error {
  trap?: string;
  func?: string;
  /** From the addon: the trapping function's index and module byte offset (-1 when unknown). */
  funcIndex?: number;
  offset?: number;
  frame?: TrapFrame;
}

export interface Wasm3Options {
  /**
   * wasm3's value stack in bytes. Default 16 KiB, the default of the native
   * and MCU embedding (boards/wasm3/coop_wasm3.c), so recursion that would
   * overflow on the device overflows here too (V8 allows ~9x deeper).
   */
  stackBytes?: number;
  /** Cap on linear memory in bytes, like an MCU's RAM (0 or absent: no cap beyond the module's own maximum). */
  memoryLimit?: number;
}

// wasm3's trap messages and V8's (WebAssembly.RuntimeError) messages, for
// the traps an AssemblyScript firmware can hit.
const V8_WORDING: [RegExp, string][] = [
  [/unreachable/, "unreachable"],
  [/out of bounds memory access/, "memory access out of bounds"],
  [/integer divide by zero/, "divide by zero"],
  [/integer overflow/, "divide result unrepresentable"],
  [/invalid conversion to integer/, "float unrepresentable in integer range"],
  [/indirect call type mismatch|signature mismatch/, "null function or function signature mismatch"],
  [/undefined element|table index is out of bounds/, "table index is out of bounds"],
  [/null table element/, "null function or function signature mismatch"],
];

/**
 * A wasm3 trap thrown as V8 throws a trap: a WebAssembly.RuntimeError worded
 * like V8's (a stack overflow is a RangeError, as in V8), with wasm3's own
 * message after it; the trapping function is in `func` and `frame`. Code that reports
 * `${e.constructor.name}: ${e.message}` then reads the same on both engines up
 * to the parenthesis. Anything else (an import's exception) passes unchanged.
 */
export function asV8Trap(e: unknown): unknown {
  const t = e as Wasm3TrapError;
  if (!(e instanceof Error) || typeof t.trap !== "string") return e;
  // The addon's "(in <function>, called from <export>)" tail is left out: the
  // function is in `func` and `frame`, and the simulator names it (with the
  // source line) the same way for every engine (host/sim/symbols.ts).
  const detail = t.message.replace(/^wasm3 trap: /, "").replace(/ \(in .*, called from [^()]*\)$/, "");
  let out: Wasm3TrapError;
  if (/stack overflow/.test(t.trap)) out = new RangeError(`Maximum call stack size exceeded (wasm3: ${detail})`);
  else {
    const v8 = V8_WORDING.find(([re]) => re.test(t.trap!))?.[1] ?? t.trap.replace(/^\[trap\] /, "");
    out = new WebAssembly.RuntimeError(`${v8} (wasm3: ${detail})`);
  }
  out.trap = t.trap;
  if (t.func) out.func = t.func;
  if (typeof t.funcIndex === "number") out.frame = { func: t.funcIndex, offset: typeof t.offset === "number" && t.offset >= 0 ? t.offset : null };
  return out;
}

class Wasm3Memory implements FirmwareMemory {
  constructor(private readonly n: Wasm3Native, private readonly h: object) {}
  size(): number {
    return this.n.memSize(this.h);
  }
  // The addon checks the range against the current size and copies, because
  // wasm3's memory may move when it grows.
  read(ptr: number, len: number): Uint8Array | null {
    if (!Number.isInteger(ptr) || !Number.isInteger(len)) return null;
    return this.n.memRead(this.h, ptr, len);
  }
  write(ptr: number, data: Uint8Array): boolean {
    if (!Number.isInteger(ptr)) return false;
    return this.n.memWrite(this.h, ptr, data);
  }
}

/** The required function exports (boards/abi/abi.json), looked up once at load. */
const EXPORTS: readonly string[] = Object.keys(ABI_EXPORTS);
type ExportName = string;

/**
 * A firmware instance under wasm3. Values are converted exactly as the V8
 * engine converts them (u32 results with >>> 0, i64 as bigint), so callers
 * cannot tell the engines apart except by speed and by trap messages.
 */
class Wasm3Firmware implements Firmware {
  readonly memory: FirmwareMemory;
  private closed = false;
  constructor(private readonly n: Wasm3Native, private readonly h: object, private readonly ids: Record<ExportName, number>) {
    this.memory = new Wasm3Memory(n, h);
  }
  /** The optional exports coop_task_site's, coop_heap_top's and coop_heap_seal's ids, or -1 when the module lacks them. */
  siteId = -1;
  heapId = -1;
  sealId = -1;
  private call(name: ExportName, ...args: (number | bigint)[]): number | bigint | undefined {
    if (this.closed) throw new EngineError("firmware already closed");
    try {
      return this.n.call(this.h, this.ids[name], ...args);
    } catch (e) {
      throw asV8Trap(e);
    }
  }
  abiVersion(): number { return (this.call("coop_abi_version") as number) >>> 0; }
  start(): void { this.call("_start"); }
  step(): bigint { return this.call("coop_step") as bigint; }
  setTrace(on: boolean): void { this.call("coop_set_trace", on ? 1 : 0); }
  taskCapacity(): number { return (this.call("coop_task_capacity") as number) >>> 0; }
  taskState(slot: number): number { return (this.call("coop_task_state", slot) as number) >>> 0; }
  taskName(slot: number): string | null { return readAsString(this.memory, (this.call("coop_task_name", slot) as number) >>> 0); }
  heapTop(): number | null { return this.optionalI32(this.heapId); }
  heapSeal(): number | null { return this.optionalI32(this.sealId); }
  growRefused(): boolean { return !this.closed && this.n.growRefused(this.h); }
  private optionalI32(id: number): number | null {
    if (id < 0 || this.closed) return null;
    try {
      return (this.n.call(this.h, id) as number) >>> 0;
    } catch (e) {
      throw asV8Trap(e);
    }
  }
  taskSite(slot: number): string | null {
    if (this.siteId < 0 || this.closed) return null;
    try {
      return readAsString(this.memory, (this.n.call(this.h, this.siteId, slot) as number) >>> 0);
    } catch (e) {
      throw asV8Trap(e);
    }
  }
  currentTask(): number { return (this.call("coop_current_task") as number) | 0; }
  stat(id: number): bigint { return this.call("coop_stat", id) as bigint; }
  irqDeliveries(line: number): number { return (this.call("coop_irq_deliveries", line) as number) >>> 0; }
  irqKept(line: number): number { return (this.call("coop_irq_kept", line) as number) >>> 0; }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.n.free(this.h);
  }
}

export class Wasm3Engine implements Engine {
  readonly name = "wasm3";
  private readonly n: Wasm3Native;
  constructor(private readonly opts: Wasm3Options = {}) {
    this.n = loadNative(); // fail at engine creation, before any firmware work, if the addon is missing
  }

  /** The wasm3 version the addon was built from. */
  get wasm3Version(): string {
    return this.n.version();
  }

  check(wasm: Uint8Array): void {
    checkModule(wasm);
  }

  async load(wasm: Uint8Array, imports: BoardImports): Promise<Firmware> {
    checkModule(wasm); // same refusals, same messages as the V8 engine
    // Functions only: the module's board.irq_quiet stays wasm3's own 0 (a
    // board global the addon does not share), so the executor takes the
    // flags before every batch, exactly as on the MCU's wasm3 (docs/abi.md).
    const table: [string, string, string, Function][] = [];
    for (const name of BOARD_IMPORT_NAMES) {
      // Passed unbound, exactly as the V8 engine passes them to WebAssembly.Instance.
      const fn = (imports as unknown as Record<string, unknown>)[name];
      if (typeof fn !== "function") throw new EngineError(`cannot instantiate firmware: board import ${name} is not a function`);
      table.push(["board", name, BOARD_IMPORT_SIGNATURES[name], fn as Function]);
    }
    let h: object;
    try {
      h = this.n.create(wasm, table, this.opts.stackBytes ?? DEFAULT_STACK_BYTES, this.opts.memoryLimit ?? 0);
    } catch (e) {
      throw new EngineError(oneLine(e));
    }
    const ids = {} as Record<ExportName, number>;
    try {
      for (const name of EXPORTS) {
        const id = this.n.lookup(h, name);
        if (id < 0) throw new EngineError(`not a coop firmware: missing ABI export ${name}`);
        ids[name] = id;
      }
    } catch (e) {
      this.n.free(h);
      throw e instanceof EngineError ? e : new EngineError(`cannot instantiate firmware: ${oneLine(e)}`);
    }
    const fw = new Wasm3Firmware(this.n, h, ids);
    fw.siteId = this.n.lookup(h, "coop_task_site");
    fw.heapId = this.n.lookup(h, "coop_heap_top");
    fw.sealId = this.n.lookup(h, "coop_heap_seal");
    let v: number;
    try {
      v = fw.abiVersion();
    } catch (e) {
      fw.close();
      throw new EngineError(`cannot read the firmware's ABI version: ${oneLine(e)}`);
    }
    if (v !== ABI_VERSION) {
      fw.close();
      throw new EngineError(`firmware is built for board ABI v${v}; this board implements v${ABI_VERSION}`);
    }
    return fw;
  }
}

/** Registry entry point (host/engines/index.ts); options from COOP_WASM3_MEMORY_LIMIT / COOP_WASM3_STACK (bytes). */
export function createEngine(): Engine {
  const limit = Number(process.env.COOP_WASM3_MEMORY_LIMIT ?? 0);
  const stack = Number(process.env.COOP_WASM3_STACK ?? 0);
  return new Wasm3Engine({
    memoryLimit: Number.isInteger(limit) && limit > 0 ? limit : undefined,
    stackBytes: Number.isInteger(stack) && stack > 0 ? stack : undefined,
  });
}
