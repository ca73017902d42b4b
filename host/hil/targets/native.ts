// The `native` and `native-aot` HIL targets: the native runner
// (boards/native) as a child process, in real time. `native` runs
// build/coop-native (wasm3) on the firmware file; `native-aot` builds the
// runner with the firmware translated by wasm2c and compiled in
// (host/aot/native.ts, once per firmware and cached) and runs that. UART0 is
// its stdin/stdout; pins and ADC inputs go through its control descriptor
// (fd 3, protocol in boards/native/README.md).

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import type { Duplex } from "node:stream";
import { PIN_WATCH_STEPS, STEP_KINDS } from "../../scenario.js";
import { loadBoard, findBoard } from "../../board-file.js";
import { StreamTarget, stopChild } from "../stream.js";
import { buildNativeAot } from "../../aot/native.js";
import { AOT_SETUP_HINT, haveWasm2c } from "../../aot/translate.js";
import type { Availability, HilContext, HilTarget, OpenTarget } from "./types.js";

export const NATIVE_INSTALL = "npm run build:native";

export function nativeBinary(root: string): string {
  return process.env.COOP_NATIVE ?? join(root, "build", "coop-native");
}

/** Pin and channel names from the board description; none if it cannot be read (numbers still work). */
function boardNames(ctx: HilContext): { pins: Map<string, number>; channels: Map<string, number> } {
  const pins = new Map<string, number>();
  const channels = new Map<string, number>();
  try {
    const b = loadBoard(findBoard(ctx.board, ctx.root));
    for (const p of b.pins) pins.set(p.name, p.pin);
    for (const c of b.adc.channels) channels.set(c.name, c.channel);
  } catch {
    /* no board file: numeric pins only */
  }
  return { pins, channels };
}

/** Line-based request/reply over the control descriptor: one reply line per command, in order. */
class Control {
  private buf = "";
  private queue: { resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  private closed: string | null = null;
  constructor(private readonly sock: Duplex) {
    sock.setEncoding("utf8");
    sock.on("data", (d: string) => {
      this.buf += d;
      let nl: number;
      while ((nl = this.buf.indexOf("\n")) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        this.queue.shift()?.resolve(line);
      }
    });
    sock.on("error", () => this.fail("control channel error"));
    sock.on("close", () => this.fail("control channel closed"));
  }
  fail(reason: string): void {
    if (this.closed === null) this.closed = reason;
    for (const q of this.queue.splice(0)) q.reject(new Error(this.closed));
  }
  request(cmd: string): Promise<string> {
    if (this.closed !== null) return Promise.reject(new Error(this.closed));
    return new Promise((resolve, reject) => {
      this.queue.push({ resolve, reject });
      this.sock.write(`${cmd}\n`);
    });
  }
  async expectOk(cmd: string): Promise<void> {
    const r = await this.request(cmd);
    if (r !== "ok") throw new Error(`native runner refused "${cmd}": ${r}`);
  }
}

export class NativeHilTarget implements HilTarget {
  readonly name: string;
  readonly describe: string;
  readonly extraSuites: readonly string[];
  /** AOT: the runner built for each firmware path. */
  private runners = new Map<string, string>();

  constructor(readonly engine: "wasm3" | "aot" = "wasm3") {
    this.name = engine === "aot" ? "native-aot" : "native";
    this.extraSuites = engine === "aot" ? ["native"] : [];
    this.describe = engine === "aot"
      ? "the native runner with the firmware compiled in (wasm2c, gcc -O2), real time, UART0 on stdio"
      : "build/coop-native: wasm3 on the host, real time, UART0 on stdio";
  }

  async available(ctx: HilContext): Promise<Availability> {
    if (this.engine === "aot") {
      if (!haveWasm2c()) return { ok: false, reason: "wasm2c not found", install: AOT_SETUP_HINT };
      return { ok: true };
    }
    const bin = nativeBinary(ctx.root);
    if (!existsSync(bin)) return { ok: false, reason: `${bin} is not built`, install: NATIVE_INSTALL };
    return { ok: true };
  }

  /** The command line that runs ctx.firmware. */
  private command(ctx: HilContext): string[] {
    if (this.engine === "wasm3") return [nativeBinary(ctx.root), "--control-fd", "3", ctx.firmware];
    let runner = this.runners.get(ctx.firmware);
    if (!runner) {
      try {
        runner = buildNativeAot({ wasm: ctx.firmware, root: ctx.root, out: join(ctx.root, "build", "aot", "hil", basename(ctx.firmware).replace(/\.wasm$/, "")), quiet: true }).runner;
      } catch (e) {
        throw new Error(`cannot build the native AOT runner: ${(e as Error).message}`);
      }
      this.runners.set(ctx.firmware, runner);
    }
    return [runner, "--control-fd", "3"];
  }

  open(ctx: HilContext): Promise<OpenTarget> {
    if (!existsSync(ctx.firmware)) return Promise.reject(new Error(`firmware ${ctx.firmware} not found (build it: npm run build)`));
    const names = boardNames(ctx);
    let cmd: string[];
    try {
      cmd = this.command(ctx);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
      const child: ChildProcess = spawn(cmd[0], cmd.slice(1), { stdio: ["pipe", "pipe", "pipe", "pipe"] });
      const control = new Control(child.stdio[3] as Duplex);
      let stderr = "";
      let exited = false;
      const target = new StreamTarget({
        name: this.name,
        // Pins are read through the control fd on request: no history to watch them over a window.
        supports: new Set(STEP_KINDS.filter((k) => !PIN_WATCH_STEPS.includes(k))),
        pinNames: names.pins,
        pinCount: 16,
        channelNames: names.channels,
        channelCount: 8,
        slack: ctx.slack,
        io: {
          write: (data) =>
            new Promise<void>((res, rej) => {
              child.stdin!.write(data, (err) => (err ? rej(new Error(`cannot write to the native runner: ${err.message}`)) : res()));
            }),
          setPin: (pin, level) => control.expectOk(`pin ${pin} ${level}`),
          readPin: async (pin) => {
            const r = await control.request(`get ${pin}`);
            const m = /^pin (\d+) ([01])$/.exec(r);
            if (!m) throw new Error(`native runner answered "${r}" to "get ${pin}"`);
            return Number(m[2]) as 0 | 1;
          },
          setAdc: (ch, v) => control.expectOk(`adc ${ch} ${v}`),
        },
      }) as StreamTarget & OpenTarget;
      child.stdout!.on("data", (d: Buffer) => target.push(d));
      child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.stdin!.on("error", () => {}); // EPIPE after the runner exited: reported through exit
      child.on("error", (e) => {
        exited = true;
        reject(new Error(`cannot run ${cmd[0]}: ${e.message} (build it: ${this.engine === "aot" ? "npm run build:native:aot -- <app.wasm>" : NATIVE_INSTALL})`));
      });
      const exitedP = new Promise<void>((res) =>
        child.on("exit", (code, signal) => {
          exited = true;
          const last = stderr.trim().split("\n").filter(Boolean).at(-1);
          target.end(`firmware exited (${signal ?? `status ${code}`})${last ? `: ${last}` : ""}`);
          control.fail("native runner exited");
          res();
        }),
      );
      target.close = () => (exited ? Promise.resolve() : stopChild(child, exitedP));
      // Ready when the board loop answers on the control descriptor: the module has loaded and
      // _start has run, so scenario time starts with the firmware, not with the exec.
      child.on("spawn", () => {
        control.request("now").then(
          () => resolve(target),
          () => {
            void exitedP.then(() => reject(new Error(target.endReason ?? "native runner did not start")));
          },
        );
      });
    });
  }
}

export function createTarget(arg: string | null = null): HilTarget {
  return new NativeHilTarget(arg === "aot" ? "aot" : "wasm3");
}
