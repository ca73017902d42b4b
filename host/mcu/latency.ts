// Benchmark: instructions from the UART0 RX interrupt's entry to the waiting
// task's poll reading the byte, on QEMU mps2-an385 (or, with --board
// sifive-e, the RISC-V port, AOT only), for the firmware on each
// engine (ISR sets the flag -> board loop -> coop_step -> IRQ dispatch -> the
// shell task's poll -> board.uart_read; wasm3 interprets it, the AOT engine
// runs it compiled) next to a plain C firmware on the same board and HAL
// (ISR sets the flag -> main loop -> hal_uart_read).
//
// How it counts: both firmwares are built with -DMPS2_LATENCY_PROBE, which
// stamps TIMER0 (25 MHz) at ISR entry and at the next UART read and prints
// the difference. QEMU runs with -icount shift=10: every instruction takes
// exactly 1024 ns of virtual time, i.e. 25.6 timer cycles, so
// instructions = cycles / 25.6, independent of the host's speed. On sifive-e
// the probe reads minstret, which QEMU -icount makes the exact instruction
// count scaled: QEMU 7.2 returns its virtual clock in ns, instructions << shift.
//
// Usage: node build/js/host/mcu/latency.js [firmware.wasm] [--bytes N] [--engine wasm3|aot|both]
//        [--board mps2-an385|sifive-e]
//        (default build/demo.wasm, 12 bytes, both engines; sifive-e:
//        build/shell.wasm, which fits its RAM, and aot). Prints min /
//        median / max per firmware and each engine's median against plain C's.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { buildBoardC, buildMcu, BuildError, type McuEngine } from "./build.js";
import { missingTools, qemuArgs } from "./qemu.js";
import { BOARDS, type McuBoard, type McuBoardName } from "./boards.js";

const SHIFT = 10;
const CYCLES_PER_INSN = (25_000_000 * 2 ** SHIFT) / 1e9; // 25.6

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sample {
  /** ISR entry -> the task's UART read. */
  total: number;
  /** ISR entry -> hal_idle returns to the board loop (ISR + wake-up; the same C code in both firmwares). */
  idle: number;
  /** ISR entry -> first hal_irq_take (C: the main loop takes the flag; wasm3: coop_step's IRQ dispatch calls board.irq_take). */
  take: number;
}

/** Boots `elf`, waits for its first UART output (+ settle), sends `n` bytes one at a time, returns the probe's figures in instructions. */
async function measure(board: McuBoard, elf: string, n: number, settleMs: number): Promise<Sample[]> {
  const child = spawn(board.qemu, qemuArgs(elf, [], `shift=${SHIFT}`, board), { stdio: ["pipe", "pipe", "pipe"] });
  let uart = "", diag = "";
  child.stdout.setEncoding("latin1").on("data", (d: string) => (uart += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (diag += d));
  child.stdin.on("error", () => {});
  const done = new Promise<void>((r) => child.on("close", () => r()));
  try {
    for (let t = 0; uart.length === 0 && t < 30_000; t += 50) await sleep(50);
    await sleep(settleMs);
    for (let i = 0; i < n; i++) {
      child.stdin.write("a");
      await sleep(120);
    }
    await sleep(300);
  } finally {
    child.kill("SIGKILL");
    await done;
  }
  const got = [...diag.matchAll(/\[mcu\] rx-latency (cycles|instret) (\d+) idle-return (\d+) irq-take (\d+)/g)].map((m) => {
    const per = m[1] === "cycles" ? CYCLES_PER_INSN : 2 ** SHIFT;
    return { total: Number(m[2]) / per, idle: Number(m[3]) / per, take: Number(m[4]) / per };
  });
  if (got.length === 0) throw new BuildError(`no latency figures from ${elf} (uart: ${uart.trim().split("\n").at(-1) ?? ""})`);
  return got;
}

const stats = (samples: Sample[]) => {
  const s = [...samples].sort((a, b) => a.total - b.total);
  const med = s[s.length >> 1];
  return { n: s.length, min: s[0].total, median: med.total, max: s[s.length - 1].total, medIdle: med.idle, medTake: med.take };
};
const f = (x: number) => x.toFixed(0);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let wasm: string | null = null, bytes = 12;
  let engines: McuEngine[] | null = null;
  let board = BOARDS["mps2-an385"];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--bytes") bytes = Number(args[++i]);
    else if (args[i] === "--board") {
      const v = args[++i];
      if (!(v in BOARDS)) throw new BuildError(`--board takes ${Object.keys(BOARDS).join(" or ")}, not '${v}'`);
      board = BOARDS[v as McuBoardName];
    }
    else if (args[i] === "--engine") {
      const v = args[++i];
      if (v === "both") engines = ["wasm3", "aot"];
      else if (v === "wasm3" || v === "aot") engines = [v];
      else throw new BuildError(`--engine takes wasm3, aot or both, not '${v}'`);
    } else if (args[i].startsWith("-")) throw new BuildError(`unknown option ${args[i]}`);
    else wasm = args[i];
  }
  if (!Number.isInteger(bytes) || bytes < 1) throw new BuildError("--bytes takes a positive whole number");
  wasm ??= board.name === "sifive-e" ? "build/shell.wasm" : "build/demo.wasm";
  engines ??= board.engines;
  const refused = engines.find((e) => !board.engines.includes(e));
  if (refused) throw new BuildError(`the ${board.name} runs only --engine ${board.engines.join(" or ")}, not ${refused}`);
  const missing = missingTools(board);
  if (missing.length) throw new BuildError(`${missing.join(", ")} not found; install with ${board.setupHint}`);
  if (!existsSync(wasm)) throw new BuildError(`no such file: ${wasm} (build it: npm run build)`);
  // Two builds of each: endpoints only (the headline), and with the
  // intermediate marks, whose own cost (a few instructions each) inflates them.
  const run = async (split: boolean) => {
    const out = join("build", "mcu", split ? "bench-split" : "bench", ...(board.name === "mps2-an385" ? [] : [board.name]));
    const defs = [`-D${board.probe}_LATENCY_PROBE`, ...(split ? [`-D${board.probe}_LATENCY_SPLIT`] : [])];
    const cElf = await buildBoardC(".", out, "c_rx", [board.cRx], defs, board.name);
    const c = stats(await measure(board, cElf, bytes, 100));
    const byEngine: [McuEngine, ReturnType<typeof stats>][] = [];
    for (const engine of engines!) {
      const elf = (await buildMcu({ wasm: wasm!, out, defines: defs, quiet: true, engine, board: board.name })).elf;
      byEngine.push([engine, stats(await measure(board, elf, bytes, 1500))]);
    }
    return { c, byEngine, cElf };
  };
  const plain = await run(false);
  const split = await run(true);
  const { c } = plain;
  const label = (e: string) => `coop+${e}`.padEnd(10);
  console.log(`rx latency on ${board.name}, UART0 RX interrupt entry -> the waiting task reads the byte (instructions, QEMU -icount shift=${SHIFT}, ${bytes} bytes each):`);
  console.log(`  plain C    (${plain.cElf}): min ${f(c.min)}, median ${f(c.median)}, max ${f(c.max)} (n=${c.n})`);
  for (const [e, w] of plain.byEngine)
    console.log(`  ${label(e)} (${wasm}): min ${f(w.min)}, median ${f(w.median)}, max ${f(w.max)} (n=${w.n}); ${(w.median / c.median).toFixed(1)}x plain C`);
  console.log(`split (medians, from ISR entry; this build's marks add their own instructions):`);
  for (const [l, s] of [["plain C   ", split.c] as const, ...split.byEngine.map(([e, s]) => [label(e), s] as const)])
    console.log(`  ${l}: ISR + wake-up back in the board loop ${f(s.medIdle)}, first irq_take ${f(s.medTake)}, the task's uart_read ${f(s.median)}`);
}

main().catch((e: Error) => {
  process.stderr.write(`latency: ${e instanceof BuildError ? e.message : `unexpected error: ${e.message}`}\n`);
  process.exit(1);
});
