// A Chrome trace streamed to a file (coop run --trace): the Node side of
// host/sim/recorder.ts's TraceSink.

import { openSync, writeSync, closeSync } from "node:fs";
import { reason } from "./input.js";
import type { TraceSink } from "./sim/recorder.js";

export class TraceFile implements TraceSink {
  private fd: number;
  /** Opens (truncates) `path` now, so an unwritable path is refused before anything runs. */
  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, "w");
    } catch (e) {
      throw new Error(`cannot write trace file ${path}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  write(text: string): void {
    try {
      writeSync(this.fd, text);
    } catch (e) {
      throw new Error(`cannot write trace file ${this.path}: ${reason(e)}`);
    }
  }
  close(): void {
    try {
      closeSync(this.fd);
    } catch (e) {
      throw new Error(`cannot write trace file ${this.path}: ${reason(e)}`);
    }
  }
}
