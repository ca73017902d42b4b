// The abort handler: every failed assert, bounds check or `abort()` in the
// firmware ends here (asconfig routes AssemblyScript's abort with
// `--use abort=assembly/coop/panic/coopAbort`). It hands the message and
// location to the board's `panic` import, which reports it and stops the
// firmware; the executor state is not resumable after a trap.

import { panic } from "./board";
import { encodeUtf8, scratchA, scratchB, SCRATCH_SIZE } from "./text";

export function coopAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  const m = scratchA();
  const f = scratchB();
  const ml = message ? encodeUtf8(message, m, SCRATCH_SIZE) : 0;
  const fl = fileName ? encodeUtf8(fileName, f, SCRATCH_SIZE) : 0;
  panic(m, ml, f, fl, line, column);
  unreachable(); // in case a board's panic returns
}
