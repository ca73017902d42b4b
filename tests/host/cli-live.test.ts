// `coop run --uart-in -`: live on a terminal (typed lines reach UART0, time
// runs at wall speed, Ctrl-D / Ctrl-C end the run with its summary), and
// exactly as before when the input is piped. The terminal is a
// pseudo-terminal made by util-linux's `script`.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, ROOT } from "./fixtures/build.js";

const HAS_SCRIPT = spawnSync("script", ["--version"]).status === 0;
const NO_SCRIPT = HAS_SCRIPT ? false : "script (util-linux) is not installed: apt-get install bsdutils";

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** `coop run ...` on a pseudo-terminal: send() types, until() waits for output, done() waits for the exit. */
function onTerminal(args: string[]) {
  // exec: whatever $SHELL script starts must not stay between the terminal and
  // coop, or a non-interactive dash dies of the Ctrl-C itself (script then exits 130).
  const cmd = "exec " + [process.execPath, CLI, "run", ...args].map(q).join(" ");
  const p = spawn("script", ["-qfec", cmd, "/dev/null"], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  p.stdout.on("data", (d) => (out += d));
  p.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((res) => p.on("exit", (c) => res(c)));
  const kill = setTimeout(() => p.kill("SIGKILL"), 60_000);
  return {
    get out() { return out; },
    send: (s: string) => p.stdin.write(s),
    until: async (re: RegExp, ms = 30_000): Promise<void> => {
      const end = Date.now() + ms;
      while (!re.test(out)) {
        if (Date.now() > end) throw new Error(`no ${re} within ${ms} ms; output so far: ${JSON.stringify(out)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    done: async () => {
      const c = await exited;
      clearTimeout(kill);
      p.stdin.end();
      return c;
    },
  };
}

/** The footer's simulated and wall seconds. */
function footer(out: string): { sim: number; wall: number } {
  const m = /--- sim-devkit: ([\d.]+) s simulated in ([\d.]+) s wall/.exec(out);
  assert.ok(m, `the run summary: ${JSON.stringify(out)}`);
  return { sim: Number(m[1]), wall: Number(m[2]) };
}

test("on a terminal: type ping, see pong; time runs at wall speed; Ctrl-D ends the run with its summary", { skip: NO_SCRIPT }, async () => {
  const t0 = Date.now();
  const s = onTerminal(["build/demo.wasm", "--uart-in", "-"]);
  await s.until(/coop demo ready/);
  await s.until(/Ctrl-D or Ctrl-C ends the run/);
  s.send("ping\n");
  await s.until(/> ping\r?\npong/);
  s.send("\x04");
  assert.equal(await s.done(), 0, s.out);
  const f = footer(s.out);
  const waited = (Date.now() - t0) / 1000;
  assert.ok(f.sim > 0.05 && f.sim <= waited, `simulated ${f.sim} s while the test waited ${waited} s: paced, not the piped 10 s`);
  assert.match(s.out, /shell\s+\d+/, "the metrics table");
});

test("on a terminal: Ctrl-C ends the run cleanly with its summary", { skip: NO_SCRIPT }, async () => {
  const s = onTerminal(["build/demo.wasm", "--uart-in", "-", "--until", "1h"]);
  await s.until(/Ctrl-D or Ctrl-C ends the run/);
  await s.until(/coop demo ready/);
  s.send("\x03");
  assert.equal(await s.done(), 0, s.out);
  assert.ok(footer(s.out).sim < 60, "stopped long before --until");
  assert.doesNotMatch(s.out, /^\s+at /m, "no stack trace");
});

test("on a terminal, --uart-in - with --script is refused in one line", { skip: NO_SCRIPT }, async () => {
  const s = onTerminal(["build/demo.wasm", "--uart-in", "-", "--script", "tests/hil/ping.yaml"]);
  assert.equal(await s.done(), 2);
  assert.equal(s.out.trim(), "coop: --uart-in - on a terminal is a live session and cannot be combined with --script (pipe the input or give a file)");
});

test("piped input is read whole and runs unpaced, exactly as a file", () => {
  const input = "ping\nuptime\nbogus\n";
  const file = join(mkdtempSync(join(tmpdir(), "coop-live-")), "in.txt");
  writeFileSync(file, input);
  const run = (uartIn: string, stdin?: string) => {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [CLI, "run", "build/demo.wasm", "--uart-in", uartIn, "--until", "30s", "--json"], { cwd: ROOT, input: stdin, encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    delete j.wallSeconds;
    return { j, wall: (Date.now() - t0) / 1000 };
  };
  const piped = run("-", input), fromFile = run(file);
  assert.match(piped.j.serial, /> ping\npong\n/);
  assert.equal(piped.j.summary.timeUs, 30_000_000);
  assert.ok(piped.wall < 20, `30 simulated seconds took ${piped.wall} s: not paced to the wall clock`);
  assert.deepEqual({ ...piped.j, firmware: null }, { ...fromFile.j, firmware: null });
});
