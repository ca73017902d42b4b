// Bounded reads of user-supplied input files. Every file the CLI, the
// simulator and the HIL harness read on the user's behalf (firmware, board
// file, scenario, --uart-in, a CSV source) goes through readBounded: it reads
// at most the documented limit (docs/simulator.md, Input limits) plus one
// byte, so /dev/zero, an endless pipe or a huge file is refused with one line
// instead of exhausting memory or never returning. "-" is standard input.

import { openSync, readSync, fstatSync, closeSync } from "node:fs";

const MiB = 1024 * 1024;

/** Largest input of each kind, in bytes. */
export const INPUT_LIMITS = {
  firmware: 16 * MiB,
  board: 1 * MiB,
  scenario: 1 * MiB,
  uartIn: 16 * MiB,
  csv: 16 * MiB,
} as const;

/** An input that cannot be used; the message is one line naming the file. */
export class InputError extends Error {}

/** "16 MiB", "1 MiB", or bytes. */
export function formatLimit(n: number): string {
  return n % MiB === 0 ? `${n / MiB} MiB` : `${n} bytes`;
}

/** A system error as a short phrase ("no space left on device"), else its first line. */
export function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const phrases: Record<string, string> = {
    ENOSPC: "no space left on device", EISDIR: "is a directory", EACCES: "permission denied", ENOENT: "no such file",
    EROFS: "read-only file system", EDQUOT: "disk quota exceeded", EFBIG: "file too large", EIO: "input/output error", EPIPE: "broken pipe",
  };
  if (err && typeof err.code === "string" && phrases[err.code]) return phrases[err.code];
  return (err instanceof Error ? err.message : String(e)).split("\n")[0];
}

/** Sleep without an event loop (stdin set non-blocking by a parent answers EAGAIN). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Read `path` ("-" for standard input) whole, refusing more than `limit`
 * bytes and directories. Throws InputError with "<what> <path>: ..." .
 */
export function readBounded(path: string, limit: number, what: string): Buffer {
  const stdin = path === "-";
  const label = stdin ? `${what} (standard input)` : `${what} ${path}`;
  let fd: number;
  try {
    fd = stdin ? 0 : openSync(path, "r");
  } catch (e) {
    throw new InputError(`cannot read ${label}: ${reason(e)}`);
  }
  try {
    if (!stdin && fstatSync(fd).isDirectory()) throw new InputError(`cannot read ${label}: is a directory`);
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(Math.min(limit + 1, 1 << 20));
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, Math.min(buf.length, limit + 1 - total), null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") { pause(2); continue; }
        if (code === "EOF") break;
        throw new InputError(`cannot read ${label}: ${reason(e)}`);
      }
      if (n === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
      total += n;
      if (total > limit) throw new InputError(`${label} is larger than the limit of ${formatLimit(limit)} (docs/simulator.md, Input limits)`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    if (!stdin) closeSync(fd);
  }
}
