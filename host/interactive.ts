// `coop run --uart-in -` on a terminal: the simulated board runs live. Virtual
// time is paced to wall time (a simulated device that answers in 1 ms answers
// in 1 ms), each line typed goes to UART0 when Enter is pressed (the terminal
// stays in its line mode, so it echoes and edits the line), and Ctrl-C or
// Ctrl-D ends the run, which then reports as any other. Piped input never
// comes here: it is read whole and runs unpaced (host/cli.ts).

import type { Simulator } from "./sim/simulator.js";

/** Wall time between two slices of simulation: input and output are handled between them. */
const SLICE_MS = 10;
/** After Ctrl-D, simulated time given to the firmware to answer the last line. */
const EOF_GRACE_US = 100_000;

/** Why a live run ended. */
export type LiveEnd = "until" | "fault" | "interrupted" | "eof";

/**
 * Run `sim` paced to wall time, feeding `input`'s bytes to UART0, until
 * simulated time `untilUs` (null: no limit), a fault, Ctrl-C (SIGINT) or the
 * end of `input` (Ctrl-D). `flush` writes the serial output so far.
 */
export async function runLive(sim: Simulator, input: NodeJS.ReadableStream, untilUs: number | null, flush: () => void): Promise<LiveEnd> {
  const uart = sim.uarts.get(0);
  if (!uart) throw new Error(`board ${sim.board.name} has no UART0 for --uart-in`);
  let interrupted = false;
  let eofAt: number | null = null;
  const onData = (d: Buffer | string) => uart.send(typeof d === "string" ? Buffer.from(d) : new Uint8Array(d));
  const onEnd = () => {
    eofAt ??= sim.now();
  };
  const onSigint = () => {
    interrupted = true;
  };
  input.on("data", onData);
  input.on("end", onEnd);
  process.on("SIGINT", onSigint);
  const v0 = sim.now();
  const w0 = performance.now();
  try {
    for (;;) {
      let target = v0 + (performance.now() - w0) * 1000;
      if (untilUs !== null) target = Math.min(target, untilUs);
      const r = sim.run(target);
      flush();
      if (r === "fault") return "fault";
      if (untilUs !== null && sim.now() >= untilUs) return "until";
      if (interrupted) return "interrupted";
      // Ctrl-D: let the firmware answer what was typed before, then stop.
      if (eofAt !== null && uart.inputPending === 0 && sim.now() >= eofAt + EOF_GRACE_US) return "eof";
      await new Promise((r) => setTimeout(r, SLICE_MS));
    }
  } finally {
    input.off("data", onData);
    input.off("end", onEnd);
    process.off("SIGINT", onSigint);
    (input as NodeJS.ReadStream).destroy?.(); // let the process exit: a terminal stream keeps it alive
  }
}
