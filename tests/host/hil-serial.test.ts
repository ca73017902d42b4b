// The serial:<device> HIL target against a stand-in board: the native runner
// with its stdio on the master side of a pseudo-terminal, so the harness
// opens a real tty device file (/dev/pts/N) exactly as it would a USB serial
// adapter. Python's pty module creates the pair (no extra package needed).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { hilMain } from "../../host/hil/main.js";

const ROOT = resolve(process.cwd());
const BIN = join(ROOT, "build", "coop-native");
const HAVE_PYTHON = spawnSync("python3", ["--version"], { stdio: "ignore" }).status === 0;

// Raw mode on the slave: no echo (it would loop the firmware's output back into
// its input) and no CR/LF translation. SIGTERM is passed on to the runner.
const PTY_BOARD = `
import os, pty, signal, subprocess, sys, tty
master, slave = pty.openpty()
tty.setraw(slave)
p = subprocess.Popen(sys.argv[1:], stdin=master, stdout=master)
signal.signal(signal.SIGTERM, lambda *a: p.terminate())
print(os.ttyname(slave), flush=True)
sys.exit(p.wait())
`;

let board: ChildProcess | null = null;
let device = "";

before(async () => {
  if (!HAVE_PYTHON) return;
  // Rebuilds only when a C source changed (build.sh checks), so the binary under test is current.
  const r = spawnSync("sh", [join(ROOT, "boards/native/build.sh")], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, `npm run build:native failed:\n${r.stderr}`);
  board = spawn("python3", ["-c", PTY_BOARD, BIN, join(ROOT, "build", "demo.wasm")], { stdio: ["ignore", "pipe", "inherit"] });
  device = await new Promise<string>((res, rej) => {
    let buf = "";
    board!.stdout!.setEncoding("utf8").on("data", (d: string) => {
      buf += d;
      if (buf.includes("\n")) res(buf.trim());
    });
    board!.on("exit", (c) => rej(new Error(`pty board exited early (${c})`)));
  });
});

after(async () => {
  if (board && board.exitCode === null) {
    board.kill("SIGTERM");
    await new Promise((res) => board!.on("exit", res));
  }
});

async function hil(args: string[]): Promise<{ status: number; out: string }> {
  const lines: string[] = [];
  const status = await hilMain(args, (l) => lines.push(l));
  return { status, out: lines.join("\n") };
}

test("serial:<tty> runs the serial suite against a board on a tty device", { skip: !HAVE_PYTHON && "python3 not found (needed to make a pty)" }, async () => {
  const r = await hil(["--target", `serial:${device}`, "--slack", "3"]);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /hil: serial:\/dev\/\S+: 5 passed, 0 failed, 0 skipped/);
});

test("serial: no-serial runs on the tty; pin watches are skipped, and a suite of only those exits 2", { skip: !HAVE_PYTHON && "python3 not found (needed to make a pty)" }, async () => {
  const suite = mkdtempSync(join(tmpdir(), "coop-hil-serial-"));
  mkdirSync(join(suite, "serial"));
  writeFileSync(join(suite, "serial", "quiet.yaml"), 'name: no error\nsteps:\n  - write-serial: "ping\\n"\n  - no-serial: "error"\n    for: 300ms\n  - wait-serial: "pong"\n');
  writeFileSync(join(suite, "serial", "wrong.yaml"), 'name: error seen\nsteps:\n  - write-serial: "bogus\\n"\n  - no-serial: "error"\n    for: 3s\n');
  writeFileSync(join(suite, "serial", "toggles.yaml"), "name: toggles\nsteps:\n  - expect-toggles: { pin: LED, count: 2, within: 1s }\n");
  const r = await hil(["--target", `serial:${device}`, "--suite", suite, "--slack", "3"]);
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /PASS serial\/quiet\.yaml/);
  assert.match(r.out, /serial output matched \/error\/ at t=\d+\.\d+ s \(must not within 3000 ms\): "error: unknown command 'bogus' \(try help\)"/);
  assert.match(r.out, /SKIP serial\/toggles\.yaml \(toggles\): serial\/toggles\.yaml:3: target serial:\S+ does not support expect-toggles/);
  const only = mkdtempSync(join(tmpdir(), "coop-hil-serial-"));
  writeFileSync(join(only, "toggles.yaml"), readFileSync(join(suite, "serial", "toggles.yaml")));
  const err: string[] = [];
  assert.equal(await hilMain(["--target", `serial:${device}`, "--suite", only], () => {}, (l) => err.push(l)), 2);
  assert.match(err.join("\n"), /^coop hil: target serial:\S+ ran no scenario: all 1 scenario\(s\) were skipped/);
});

test("serial: a scenario that drives pins is skipped visibly for that scenario only", { skip: !HAVE_PYTHON && "python3 not found (needed to make a pty)" }, async () => {
  const suite = mkdtempSync(join(tmpdir(), "coop-hil-serial-"));
  writeFileSync(join(suite, "ping.yaml"), readFileSync(join(ROOT, "tests/hil/ping.yaml")));
  mkdirSync(join(suite, "serial"));
  writeFileSync(join(suite, "serial", "button.yaml"), readFileSync(join(ROOT, "tests/hil/sim/button.yaml")));
  const r = await hil(["--target", `serial:${device}`, "--suite", suite, "--slack", "3"]);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /PASS ping\.yaml/);
  assert.match(r.out, /SKIP serial\/button\.yaml \(button edges are reported\): serial\/button\.yaml:\d+: target serial:\S+ does not support set-pin/);
});
