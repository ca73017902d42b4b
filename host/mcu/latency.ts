// Benchmark: instructions from the UART0 RX interrupt's entry to the waiting
// task's poll reading the byte, on QEMU mps2-an385, for the wasm3 firmware
// (coop in wasm: ISR sets the flag -> board loop -> coop_step -> IRQ dispatch
// -> the shell task's poll -> board.uart_read) next to a plain C firmware on
// the same board and HAL (ISR sets the flag -> main loop -> hal_uart_read).
//
// How it counts: both firmwares are built with -DMPS2_LATENCY_PROBE, which
// stamps TIMER0 (25 MHz) at ISR entry and at the next UART read and prints
// the difference. QEMU runs with -icount shift=10: every instruction takes
// exactly 1024 ns of virtual time, i.e. 25.6 timer cycles, so
// instructions = cycles / 25.6, independent of the host's speed.
//
// Usage: node build/js/host/mcu/latency.js [firmware.wasm] [--bytes N]
//        (default build/demo.wasm, 12 bytes). Prints min / median / max per
//        firmware and the ratio of the medians.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { buildBoardC, buildMcu, BuildError } from "./build.js";
import { QEMU, SETUP_HINT, missingTools, qemuArgs } from "./qemu.js";

const SHIFT = 10;
const CYCLES_PER_INSN = (25_000_000 * 2 ** SHIFT) / 1e9; // 25.6

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Boots `elf`, waits for its first UART output (+ settle), sends `n` bytes one at a time, returns the probe's figures in instructions. */
async function measure(elf: string, n: number, settleMs: number): Promise<number[]> {
  const child = spawn(QEMU, qemuArgs(elf, [], `shift=${SHIFT}`), { stdio: ["pipe", "pipe", "pipe"] });
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
  const got = [...diag.matchAll(/\[mcu\] rx-latency cycles (\d+)/g)].map((m) => Number(m[1]) / CYCLES_PER_INSN);
  if (got.length === 0) throw new BuildError(`no latency figures from ${elf} (uart: ${uart.trim().split("\n").at(-1) ?? ""})`);
  return got;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, min: s[0], median: s[s.length >> 1], max: s[s.length - 1] };
};
const f = (x: number) => x.toFixed(0);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let wasm = "build/demo.wasm", bytes = 12;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--bytes") bytes = Number(args[++i]);
    else wasm = args[i];
  }
  if (!Number.isInteger(bytes) || bytes < 1) throw new BuildError("--bytes takes a positive whole number");
  const missing = missingTools();
  if (missing.length) throw new BuildError(`${missing.join(", ")} not found; install with ${SETUP_HINT}`);
  if (!existsSync(wasm)) throw new BuildError(`no such file: ${wasm} (build it: npm run build)`);
  const out = join("build", "mcu", "bench");
  const probe = ["-DMPS2_LATENCY_PROBE"];
  const cElf = await buildBoardC(".", out, "c_rx", ["bench/c_rx.c"], probe);
  const wasmElf = (await buildMcu({ wasm, out, defines: probe, quiet: true })).elf;
  const c = stats(await measure(cElf, bytes, 100));
  const w = stats(await measure(wasmElf, bytes, 1500));
  console.log(`rx latency, UART0 RX interrupt entry -> task reads the byte (instructions, QEMU -icount shift=${SHIFT}, ${bytes} bytes each):`);
  console.log(`  plain C  (${cElf}): min ${f(c.min)}, median ${f(c.median)}, max ${f(c.max)} (n=${c.n})`);
  console.log(`  coop+wasm3 (${wasm}): min ${f(w.min)}, median ${f(w.median)}, max ${f(w.max)} (n=${w.n})`);
  console.log(`  ratio (median): ${(w.median / c.median).toFixed(1)}x`);
}

main().catch((e: Error) => {
  process.stderr.write(`latency: ${e instanceof BuildError ? e.message : `unexpected error: ${e.message}`}\n`);
  process.exit(1);
});
