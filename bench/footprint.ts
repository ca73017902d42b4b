// The footprint half of the bench: code size of the core alone and of the
// demo, static memory, bytes per task slot (measured by building the core at
// two table sizes and diffing the heap after start-up), and the MCU firmware's
// flash and RAM as `npm run build:mcu` recorded them in build/mcu/demo.json.

import { FIRMWARE_TRANSFORMS } from "../host/build.js";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { unkeptIrqQuiet } from "../host/abi.js";

export interface Footprint {
  entries: { what: string; bytes: number | null; how: string }[];
}

const OUT = "build/bench/footprint";

async function compile(entry: string, out: string, extra: string[] = []): Promise<string | null> {
  const asc = await import("assemblyscript/asc");
  // Private name, then rename: concurrent bench runs never read a half-written module.
  const tmp = `${out}.tmp-${process.pid}`;
  const { error, stderr } = await asc.main([entry, "--config", "asconfig.json", "--target", "release", "-o", tmp, ...extra], { transforms: FIRMWARE_TRANSFORMS } as unknown as Parameters<typeof asc.main>[1]);
  if (error) return `${error.message} ${stderr.toString().split("\n").find((l) => /ERROR/.test(l)) ?? ""}`;
  renameSync(tmp, out);
  return null;
}

/** Reads a LEB128 unsigned integer at p; returns [value, next position]. */
function leb(b: Uint8Array, p: number): [number, number] {
  let v = 0, shift = 0;
  for (;;) {
    const c = b[p++];
    v += (c & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(c & 0x80)) return [v, p];
  }
}

/** Total bytes of a module's data segments (section 11). */
export function dataBytes(wasm: Uint8Array): number {
  let p = 8, total = 0;
  while (p < wasm.length) {
    const id = wasm[p++];
    let size: number;
    [size, p] = leb(wasm, p);
    const end = p + size;
    if (id === 11) {
      let count: number, q = p;
      [count, q] = leb(wasm, q);
      for (let i = 0; i < count; i++) {
        let flags: number;
        [flags, q] = leb(wasm, q);
        if (flags === 2) [, q] = leb(wasm, q); // explicit memory index
        if (flags !== 1) { while (wasm[q] !== 0x0b) q++; q++; } // offset expression, up to `end`
        let len: number;
        [len, q] = leb(wasm, q);
        total += len;
        q += len;
      }
    }
    p = end;
  }
  return total;
}

interface Probe { base: number; top: number }

async function probe(extra: string[], tag: string): Promise<Probe | string> {
  const out = `${OUT}/probe-${tag}.wasm`;
  const why = await compile("bench/as/core-probe.ts", out, extra);
  if (why) return why;
  const mod = new WebAssembly.Module(readFileSync(out));
  // Any board: the probe only runs _start, which calls no import but possibly the clock.
  const imports: Record<string, Record<string, (() => number | bigint) | WebAssembly.Global>> = {};
  for (const i of WebAssembly.Module.imports(mod)) {
    (imports[i.module] ??= {})[i.name] = i.kind === "global" ? unkeptIrqQuiet()
      : i.name === "now" || i.name === "set_alarm" ? () => 0n : () => 0;
  }
  const inst = new WebAssembly.Instance(mod, imports);
  const x = inst.exports as Record<string, () => number>;
  x._start();
  return { base: x.heap_base(), top: x.heap_top() };
}

export async function footprint(): Promise<Footprint> {
  mkdirSync(OUT, { recursive: true });
  const e: Footprint["entries"] = [];
  const coreWasm = `${OUT}/core.wasm`;
  const why = await compile("bench/as/core.ts", coreWasm);
  if (why) {
    e.push({ what: "core alone, release .wasm", bytes: null, how: `build failed: ${why}` });
    return { entries: e };
  }
  const core = new Uint8Array(readFileSync(coreWasm));
  e.push({ what: "core alone, release .wasm", bytes: core.length, how: "bench/as/core.ts (the ABI exports, no tasks), asconfig.json release target" });
  const fastWasm = `${OUT}/core-fast.wasm`;
  const whyFast = await compile("bench/as/core.ts", fastWasm, ["--shrinkLevel", "0"]);
  e.push({ what: "core alone, speed build .wasm", bytes: whyFast ? null : statSync(fastWasm).size, how: whyFast ? `build failed: ${whyFast}` : "the same with --shrinkLevel 0 (what the *-fast bench rows run)" });
  e.push({ what: "demo, release .wasm", bytes: existsSync("build/demo.wasm") ? statSync("build/demo.wasm").size : null, how: "build/demo.wasm (npm run build)" });
  e.push({ what: "core: static data segments", bytes: dataBytes(core), how: "sum of the core .wasm's data segments" });

  const d = await probe([], "default");
  const a = await probe(["--use", "COOP_TASKS=64", "--use", "COOP_TIMERS=32"], "t64");
  const b = await probe(["--use", "COOP_TASKS=32", "--use", "COOP_TIMERS=32"], "t32");
  const c = await probe(["--use", "COOP_TASKS=64"], "t64all");
  if (typeof d === "string" || typeof a === "string" || typeof b === "string" || typeof c === "string") {
    e.push({ what: "static memory", bytes: null, how: `probe failed: ${[d, a, b, c].find((x) => typeof x === "string")}` });
  } else {
    e.push({ what: "core: heap base (end of static data)", bytes: d.base, how: "__heap_base of the core with 32 task slots" });
    e.push({ what: "core: heap used at start-up (all tables, 32 tasks)", bytes: d.top - d.base, how: "heap top after _start minus heap base; never grows after (checked by every bench run)" });
    e.push({ what: "core: RAM total at start-up (32 tasks)", bytes: d.top, how: "heap top after _start: data + tables; the wasm value stack is the engine's, not linear memory" });
    e.push({ what: "executor bytes per task slot", bytes: +((a.top - b.top) / 32).toFixed(2), how: "(heap after _start at 64 − at 32 task slots) / 32, timer pool fixed at 32" });
    e.push({ what: "bytes per task slot incl. its timer entry", bytes: +((c.top - d.top) / 32).toFixed(2), how: "same, with the timer pool sized to the task table (the default)" });
  }
  // The demo on the Cortex-M3, with each engine, as `npm run build:mcu` last recorded it.
  for (const [mcu, engine] of [["build/mcu/demo.json", "wasm3"], ["build/mcu/demo.aot.json", "aot"]] as const) {
    const build = `npm run build:mcu -- build/demo.wasm${engine === "aot" ? " --engine aot" : ""}`;
    if (!existsSync(mcu)) {
      e.push({ what: `MCU demo firmware (${engine}) flash / RAM`, bytes: null, how: `not built (npm run setup:mcu && ${build})` });
      continue;
    }
    try {
      const m = JSON.parse(readFileSync(mcu, "utf8"));
      if (engine === "wasm3") {
        e.push({ what: "MCU demo firmware flash (wasm3 + board + demo.wasm)", bytes: m.flash ?? null, how: `${mcu} (${build}): text + data; the .wasm is ${m.wasmBytes} B of it` });
        e.push({ what: "MCU demo firmware RAM (wasm3)", bytes: m.ramTotal ?? null, how: `${mcu}: data + bss + wasm3 heap peak ${m.heapPeak} (value stack ${m.stackBytes}) + C stack peak ${m.stackPeak}` });
      } else {
        e.push({ what: "MCU demo firmware flash (AOT: the demo compiled in + board)", bytes: m.flash ?? null, how: `${mcu} (${build}): text + data, gcc -${m.aotOpt}` });
        e.push({ what: "MCU demo firmware RAM (AOT)", bytes: m.ramTotal ?? null, how: `${mcu}: data + bss (${m.memoryLimit} B linear memory) + heap ${m.heapPeak} + C stack peak ${m.stackPeak} (of ${m.stackBytes} reserved)` });
      }
      e.push({ what: `MCU stack peak (${engine})`, bytes: m.stackPeak ?? null, how: `${mcu}: measured under QEMU` });
    } catch {
      e.push({ what: `MCU firmware (${engine})`, bytes: null, how: `${mcu} unreadable` });
    }
  }
  return { entries: e };
}
