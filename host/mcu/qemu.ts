// Running firmware ELFs under QEMU (mps2-an385 by default; every board of
// boards.ts, e.g. sifive-e with qemu-system-riscv32): the command line,
// tool discovery, and a one-shot run that collects UART0 (stdout) and the
// board's semihosting diagnostics (stderr). Used by the build command's
// measuring run, the `qemu` HIL target, the latency benchmark and the tests.
// Imports only node: modules.

import { spawn, spawnSync } from "node:child_process";
import { BOARDS, type McuBoard } from "./boards.js";

const MPS2 = BOARDS["mps2-an385"];
/** The Debian packages `npm run setup:mcu` installs. */
export const MCU_PACKAGES = MPS2.packages;
export const SETUP_HINT = MPS2.setupHint;

export const QEMU = MPS2.qemu;
export const CC = MPS2.cc;

/** True if `cmd --version` runs. */
export function haveTool(cmd: string): boolean {
  const r = spawnSync(cmd, ["--version"], { stdio: "ignore" });
  return r.status === 0;
}

/** Names of the missing tools among the board's QEMU and cross compiler (empty: all there). */
export function missingTools(board: McuBoard = MPS2): string[] {
  return [board.qemu, board.cc].filter((t) => !haveTool(t));
}

/**
 * The documented command: UART0 on stdio, exit status through semihosting,
 * -icount shift=0 so every instruction takes 1 ns of virtual time and
 * instruction counts are repeatable. `extra` goes before -kernel.
 * UART0 is `-serial stdio` with no monitor rather than `-nographic`:
 * -nographic multiplexes stdio with the monitor, and that multiplexer keeps
 * bytes that arrive before the firmware enables the UART in its own buffer
 * until more input comes (seen: 1 boot in 10 lost a "ping" written at once);
 * it would also treat a 0x01 byte as its escape key.
 */
export function qemuArgs(elf: string, extra: string[] = [], icount = "shift=0", board: McuBoard = MPS2): string[] {
  return [...board.machine, "-display", "none", "-serial", "stdio", "-monitor", "none",
    "-semihosting-config", "enable=on,target=native", "-icount", icount, ...extra, "-kernel", elf];
}

export interface QemuRun {
  /** Semihosting exit status, or null if QEMU was killed (timeout). */
  status: number | null;
  timedOut: boolean;
  /** UART0 output. */
  uart: string;
  /** QEMU's stderr: the firmware's semihosting lines ("[mcu] ...", "[log] ...") and QEMU's own messages. */
  diag: string;
}

/** Run an ELF to completion (or until `timeoutMs` of wall time), feeding `input` to UART0. */
export function runQemu(elf: string, opts: { input?: string; timeoutMs?: number; extra?: string[]; board?: McuBoard } = {}): Promise<QemuRun> {
  const board = opts.board ?? MPS2;
  return new Promise((resolve, reject) => {
    const child = spawn(board.qemu, qemuArgs(elf, opts.extra, "shift=0", board), { stdio: ["pipe", "pipe", "pipe"] });
    let uart = "";
    let diag = "";
    let timedOut = false;
    child.stdout.setEncoding("latin1").on("data", (d: string) => (uart += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (diag += d));
    child.on("error", (e) => reject(new Error(`cannot run ${board.qemu}: ${e.message}; install it with ${board.setupHint}`)));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs ?? 20_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ status: timedOut ? null : code, timedOut, uart, diag });
    });
    child.stdin.on("error", () => {}); // QEMU may exit before reading all input
    if (opts.input) child.stdin.write(opts.input);
    // Keep stdin open: QEMU would otherwise see EOF on the serial port, which is fine, but a
    // firmware waiting for input should wait, not spin on a closed port.
  });
}

/** Parses the last "[mcu] <when>: heap peak N B, stack peak N B, uart0 overruns N" line of a run. */
export function parseStats(diag: string): { heapPeak: number; stackPeak: number; overruns: number } | null {
  const all = [...diag.matchAll(/\[mcu\] \w+: heap peak (\d+) B, stack peak (\d+) B, uart0 overruns (\d+)/g)];
  const m = all.at(-1);
  return m ? { heapPeak: Number(m[1]), stackPeak: Number(m[2]), overruns: Number(m[3]) } : null;
}
