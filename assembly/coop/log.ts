import { log as boardLog } from "./board";
import { encodeUtf8, scratchA, SCRATCH_SIZE } from "./text";

/** Write one line to the board's debug log (cut at 256 bytes). Never allocates. */
export function log(s: string): void {
  const p = scratchA();
  boardLog(p, encodeUtf8(s, p, SCRATCH_SIZE));
}
