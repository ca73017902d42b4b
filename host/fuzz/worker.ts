// The fuzz harness's simulator worker: runs `coop run` in-process (host/cli.ts
// main, the code path a user's `coop run` takes) on one case after another,
// so Node starts once per target, not once per case. Protocol, one line each:
//   stdin:  <id>\t<engine>\t<file>
//   stdout: <id>\t<exit code>\t<first stderr line>
// The parent (host/fuzz/run.ts) enforces the wall-time bound: it kills and
// restarts a worker whose case does not answer in time, and a worker that
// dies by a signal is a failure of the case it was running.
import { createInterface } from "node:readline";
import { main } from "../cli.js";

const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  const [id, engine, file] = line.split("\t");
  let err = "";
  const code = await main(["run", file, "--engine", engine, "--until", "50ms", "--quiet", "--fuel", "1000000"], {
    stdout: () => {},
    stderr: (s) => { err += s; },
  });
  const lines = err.split("\n").filter(Boolean);
  process.stdout.write(`${id}\t${code}\t${lines.length}\t${(lines[0] ?? "").replace(/\t/g, " ")}\n`);
}
