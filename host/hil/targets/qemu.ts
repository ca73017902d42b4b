// The `qemu`, `qemu-aot` and `qemu-riscv` HIL targets: the firmware in MCU
// firmware under QEMU, in real time. `qemu` and `qemu-aot`: the mps2-an385
// (an emulated Cortex-M3, boards/qemu-mps2-an385, qemu-system-arm); `qemu`
// embeds the .wasm for wasm3, `qemu-aot` compiles it in, translated by wasm2c
// (npm run build:mcu -- --engine aot). `qemu-riscv`: the sifive-e (RV32,
// 16 KiB of RAM, boards/qemu-sifive-e, qemu-system-riscv32), AOT only; without
// --firmware it runs build/shell.wasm, since the demo does not fit its RAM.
// UART0 is QEMU's stdio. No pins or ADC can be driven from outside QEMU, so
// only serial steps and waits are supported; a scenario with pin or ADC steps
// is refused before it starts.
// The ELF is built once per process (npm run build:mcu's code, into
// build/mcu/hil/), then every scenario boots a fresh QEMU from reset.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { StepKind } from "../../scenario.js";
import { StreamTarget, stopChild } from "../stream.js";
import { buildMcu, BuildError } from "../../mcu/build.js";
import { missingTools, qemuArgs } from "../../mcu/qemu.js";
import { BOARDS, type McuBoard, type McuBoardName } from "../../mcu/boards.js";
import { AOT_SETUP_HINT, haveWasm2c } from "../../aot/translate.js";
import type { Availability, HilContext, HilTarget, OpenTarget } from "./types.js";

const SUPPORTS: ReadonlySet<StepKind> = new Set<StepKind>(["write-serial", "wait-serial", "no-serial", "wait"]);

/** An open QEMU target also exposes the board's semihosting diagnostics ("[mcu] ..." lines, QEMU's stderr). */
export interface QemuOpenTarget extends OpenTarget {
  diagnostics(): string;
}

export class QemuHilTarget implements HilTarget {
  readonly name: string;
  readonly describe: string;
  readonly extraSuites: readonly string[];
  private built = new Map<string, Promise<string>>();

  private readonly board: McuBoard;

  constructor(readonly engine: "wasm3" | "aot" = "wasm3", boardName: McuBoardName = "mps2-an385") {
    this.board = BOARDS[boardName];
    if (this.board.name === "sifive-e") {
      this.name = "qemu-riscv";
      this.extraSuites = [];
      this.describe = `the firmware compiled in (wasm2c) in RV32 firmware on QEMU sifive_e (16 KiB of RAM, real interrupts, UART0 on stdio; build/shell.wasm unless --firmware), real time`;
    } else {
      this.name = engine === "aot" ? "qemu-aot" : "qemu";
      // The same board, so the same board-specific scenarios (tests/hil/qemu/).
      this.extraSuites = engine === "aot" ? ["qemu"] : [];
      this.describe = `${engine === "aot" ? "the firmware compiled in (wasm2c)" : "wasm3"} in Cortex-M3 firmware on QEMU mps2-an385 (real interrupts, UART0 on stdio), real time`;
    }
  }

  /** The .wasm this target runs: the one given, else the board's own (sifive-e: the shell, which fits). */
  firmwareFor(ctx: HilContext): string {
    return this.board.name === "sifive-e" && !ctx.firmwareGiven ? join(ctx.root, "build", "shell.wasm") : ctx.firmware;
  }

  async available(_ctx: HilContext): Promise<Availability> {
    const missing = missingTools(this.board);
    if (missing.length) return { ok: false, reason: `${missing.join(" and ")} not found`, install: this.board.setupHint };
    if (this.engine === "aot" && !haveWasm2c()) return { ok: false, reason: "wasm2c not found", install: AOT_SETUP_HINT };
    return { ok: true };
  }

  /** Builds (once per firmware path) the ELF that embeds the firmware. */
  elfFor(ctx: HilContext): Promise<string> {
    const firmware = this.firmwareFor(ctx);
    let p = this.built.get(firmware);
    if (!p) {
      p = buildMcu({ wasm: firmware, root: ctx.root, out: join(ctx.root, "build", "mcu", "hil"), quiet: true, engine: this.engine, board: this.board.name }).then(
        (r) => r.elf,
        (e: Error) => {
          throw new Error(`cannot build the QEMU firmware: ${e instanceof BuildError ? e.message : e.message}`);
        },
      );
      this.built.set(firmware, p);
    }
    return p;
  }

  async open(ctx: HilContext): Promise<QemuOpenTarget> {
    const firmware = this.firmwareFor(ctx);
    if (!existsSync(firmware)) throw new Error(`firmware ${firmware} not found (build it: npm run build)`);
    const elf = await this.elfFor(ctx);
    const { qemu } = this.board;
    return new Promise((resolve, reject) => {
      const child = spawn(qemu, qemuArgs(elf, [], "shift=0", this.board), { stdio: ["pipe", "pipe", "pipe"] });
      let diag = "";
      let exited = false;
      const target = new StreamTarget({
        name: this.name,
        supports: SUPPORTS,
        slack: ctx.slack,
        io: {
          write: (data) =>
            new Promise<void>((res, rej) => {
              child.stdin.write(data, (err) => (err ? rej(new Error(`cannot write to QEMU: ${err.message}`)) : res()));
            }),
        },
      }) as StreamTarget & QemuOpenTarget;
      target.diagnostics = () => diag;
      child.stdout.on("data", (d: Buffer) => target.push(d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (diag += d));
      child.stdin.on("error", () => {}); // EPIPE after QEMU exited: reported through exit
      child.on("error", (e) => {
        exited = true;
        reject(new Error(`cannot run ${qemu}: ${e.message} (install: ${this.board.setupHint})`));
      });
      // "close" (not "exit"): all of QEMU's output has been read by then.
      const exitedP = new Promise<void>((res) =>
        child.on("close", (code, signal) => {
          exited = true;
          const last = target.serialTail(1)[0] ?? diag.trim().split("\n").at(-1) ?? "";
          target.end(`firmware exited (${signal ?? `semihosting status ${code}`})${last ? `: ${last.trim()}` : ""}`);
          res();
        }),
      );
      target.close = () => (exited ? Promise.resolve() : stopChild(child, exitedP));
      child.on("spawn", () => resolve(target));
    });
  }
}

export function createTarget(arg: string | null = null): HilTarget {
  if (arg === "riscv") return new QemuHilTarget("aot", "sifive-e");
  return new QemuHilTarget(arg === "aot" ? "aot" : "wasm3");
}
