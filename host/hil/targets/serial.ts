// The `serial:<device>[@baud]` HIL target: a real board on a serial device
// file (e.g. serial:/dev/ttyACM0@115200), running the firmware already. Only
// serial steps and waits are possible: scenarios that drive or read pins or
// ADC inputs are skipped for this target. There is no reset: each scenario
// starts wherever the board is, so serial scenarios must not assume a fresh
// boot (the top-level suite files do not).

import { spawnSync } from "node:child_process";
import { closeSync, constants, existsSync, openSync } from "node:fs";
import { Socket } from "node:net";
import tty from "node:tty";
import type { Readable, Writable } from "node:stream";
import { StreamTarget } from "../stream.js";
import type { Availability, HilContext, HilTarget, OpenTarget } from "./types.js";

export class SerialHilTarget implements HilTarget {
  readonly name: string;
  readonly describe: string;
  readonly extraSuites: readonly string[] = [];
  readonly device: string;
  readonly baud: number | null;

  constructor(arg: string) {
    const m = /^(.*?)(?:@(\d+))?$/.exec(arg)!;
    this.device = m[1];
    this.baud = m[2] ? Number(m[2]) : null;
    this.name = `serial:${arg}`;
    this.describe = `a board on ${this.device} (serial steps only, no reset)`;
  }

  async available(): Promise<Availability> {
    if (!this.device) return { ok: false, reason: "no device given (serial:<device>[@baud])", install: "coop hil --target serial:/dev/ttyACM0" };
    if (!existsSync(this.device)) return { ok: false, reason: `no device ${this.device}`, install: `connect the board; look for it with: ls /dev/ttyACM* /dev/ttyUSB*` };
    try {
      closeSync(openSync(this.device, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK));
    } catch (e) {
      return { ok: false, reason: `cannot open ${this.device}: ${(e as Error).message.split("\n")[0]}`, install: `give yourself access: sudo usermod -aG dialout $USER (then log in again)` };
    }
    if (this.baud !== null && spawnSync("stty", ["--version"], { stdio: "ignore" }).status !== 0)
      return { ok: false, reason: "setting the baud rate needs stty", install: "apt-get install coreutils" };
    return { ok: true };
  }

  async open(ctx: HilContext): Promise<OpenTarget> {
    const flags = constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK;
    let rfd: number, wfd: number;
    try {
      rfd = openSync(this.device, flags);
      wfd = openSync(this.device, flags);
    } catch (e) {
      throw new Error(`cannot open ${this.device}: ${(e as Error).message.split("\n")[0]}`);
    }
    let input: Readable, output: Writable;
    if (tty.isatty(rfd)) {
      const r = new tty.ReadStream(rfd);
      r.setRawMode(true); // bytes as they come: no line editing, no echo, no signals
      input = r;
      output = new tty.WriteStream(wfd);
      if (this.baud !== null) {
        const s = spawnSync("stty", ["-F", this.device, String(this.baud)], { encoding: "utf8" });
        if (s.status !== 0) {
          r.destroy();
          output.destroy();
          throw new Error(`stty could not set ${this.baud} baud on ${this.device}: ${(s.stderr || "").trim().split("\n")[0]}`);
        }
      }
    } else {
      input = new Socket({ fd: rfd, readable: true, writable: false });
      output = new Socket({ fd: wfd, readable: false, writable: true });
    }
    const target = new StreamTarget({
      name: this.name,
      supports: new Set(["write-serial", "wait-serial", "no-serial", "wait"] as const),
      slack: ctx.slack,
      io: {
        write: (data) =>
          new Promise<void>((res, rej) => output.write(data, (err) => (err ? rej(new Error(`cannot write ${this.device}: ${err.message}`)) : res()))),
      },
    }) as StreamTarget & OpenTarget;
    input.on("data", (d: Buffer) => target.push(d));
    input.on("error", (e) => target.end(`${this.device}: ${e.message}`));
    input.on("end", () => target.end(`${this.device} closed`));
    output.on("error", (e) => target.end(`${this.device}: ${e.message}`));
    target.close = async () => {
      input.removeAllListeners("data");
      input.destroy();
      output.destroy();
    };
    return target;
  }
}

export function createTarget(arg: string | null): HilTarget {
  return new SerialHilTarget(arg ?? "");
}
