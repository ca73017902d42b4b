// A flood of `ping` lines into the demo shell, faster than it answers: every
// input byte must be accounted for, either delivered in a line the shell
// echoes or reported lost (the shell's "error: uart overrun, N bytes lost;
// line ignored" lines), and no line that lost bytes may run as a command.
// On the simulator (both engines, deterministic) and on QEMU (real time: the
// board's RX ring drops what it cannot hold and counts it; docs/hil.md).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, ROOT } from "./fixtures/build.js";
import { ensureWasm3Built } from "../../host/engines/wasm3/testkit.js";
import { buildMcu } from "../../host/mcu/build.js";
import { QEMU, SETUP_HINT, missingTools, qemuArgs, parseStats } from "../../host/mcu/qemu.js";

const PINGS = 3000;
const INPUT = "ping\n".repeat(PINGS);
const dir = mkdtempSync(join(tmpdir(), "coop-flood-"));

/** What the shell made of the input: echoed lines, answers, reported losses. */
function account(serial: string) {
  const lines = serial.split(/\r?\n/);
  let delivered = 0, lost = 0, pongs = 0, ignored = 0, other = 0;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.startsWith("> ")) delivered += l.length - 2 + 1; // the line and its terminator
    else if (l === "pong") pongs++;
    else if (/^error: uart overrun, \d+ bytes lost; line ignored$/.test(l)) { ignored++; lost += Number(/(\d+)/.exec(l)![1]); }
    else if (l.startsWith("error:")) other++; // "unknown command 'pinging'": a corrupted line ran; must not happen
  }
  return { delivered, lost, pongs, ignored, other };
}

test("simulator: a ping flood is delivered or reported lost byte for byte; no corrupted line runs (both engines)", () => {
  ensureWasm3Built();
  const input = join(dir, "pings.txt");
  writeFileSync(input, INPUT);
  // After the flood a lone "\n" ends the line the last loss fell in.
  const script = join(dir, "end.yaml");
  writeFileSync(script, 'name: end\nsteps:\n  - wait: 3s\n  - write-serial: "\\n"\n  - wait: 1s\n');
  const runs = ["v8", "wasm3"].map((engine) => {
    const r = spawnSync(process.execPath, [CLI, "run", join(ROOT, "build/demo.wasm"), "--engine", engine, "--uart-in", input, "--script", script, "--json"], { cwd: ROOT, encoding: "utf8", timeout: 120_000, maxBuffer: 1 << 26 });
    assert.equal(r.status, 5, `exit 5 (overrun) on ${engine}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  });
  assert.equal(runs[0].serial, runs[1].serial, "same output on both engines");
  const j = runs[0];
  const a = account(j.serial);
  const overruns = j.summary.uart[0].overruns;
  assert.ok(overruns > 1000, `the flood overran the board: ${overruns}`);
  assert.equal(a.other, 0, "no corrupted line ran as a command");
  assert.equal(a.lost, overruns, "the shell reports exactly the bytes the board dropped");
  assert.ok(a.delivered + a.lost === INPUT.length || a.delivered + a.lost === INPUT.length + 1, `delivered ${a.delivered} + lost ${a.lost} = ${INPUT.length} (+1 for the final newline)`);
  assert.ok(a.pongs > 1000 && a.ignored > 0, `pongs ${a.pongs}, ignored ${a.ignored}`);
});

const missing = missingTools();
test("QEMU: a piped ping flood is delivered or counted and reported lost byte for byte", { skip: missing.length ? `${missing.join(" and ")} not found; install with: ${SETUP_HINT}` : false, timeout: 240_000 }, async () => {
  const { elf } = await buildMcu({ wasm: join(ROOT, "build/demo.wasm"), root: ROOT, out: join(ROOT, "build", "mcu", "flood"), quiet: true });
  const child = spawn(QEMU, qemuArgs(elf), { stdio: ["pipe", "pipe", "pipe"] });
  let uart = "", diag = "";
  child.stdout.setEncoding("latin1").on("data", (d: string) => (uart += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (diag += d));
  child.stdin.on("error", () => {});
  const quiet = async (ms: number, limitMs: number) => {
    const t0 = Date.now();
    for (let last = -1; Date.now() - t0 < limitMs; ) {
      await new Promise((r) => setTimeout(r, ms));
      if (uart.length === last) return;
      last = uart.length;
    }
  };
  try {
    child.stdin.write(INPUT);
    await quiet(3000, 150_000); // until the shell has answered what it got
    child.stdin.write("\n");
    await quiet(1000, 10_000);
  } finally {
    child.kill("SIGKILL");
    await new Promise((r) => child.on("close", r));
  }
  const a = account(uart);
  const stats = parseStats(diag);
  assert.ok(stats, `the board reports its overruns on stderr: ${diag}`);
  assert.equal(a.other, 0, "no corrupted line ran as a command");
  assert.equal(a.lost, stats!.overruns, `the shell reports exactly the bytes the board counted (${stats!.overruns})`);
  assert.ok(a.delivered + a.lost === INPUT.length || a.delivered + a.lost === INPUT.length + 1, `delivered ${a.delivered} + lost ${a.lost} = ${INPUT.length} (+1)`);
  console.log(`# qemu flood: ${a.pongs} pongs, ${a.ignored} lines ignored, ${a.lost} bytes lost (board: ${stats!.overruns})`);
});
