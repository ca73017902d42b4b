// `coop run` against inputs a user can hand it by mistake: special files
// (/dev/zero never ends), directories, oversized files, empty option values,
// a full disk for the output files and standard output, no arguments at all.
// Each is one `coop:` line on stderr with exit 2, within bounded time.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture, CLI, ROOT } from "./fixtures/build.js";
import { INPUT_LIMITS, readBounded, InputError } from "../../host/input.js";

const dir = mkdtempSync(join(tmpdir(), "coop-inputs-"));
const DEMO = join(ROOT, "build/demo.wasm");

function coop(args: string[], input?: string) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, input, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr, ms: Date.now() - t0 };
}

function refuses(args: string[], code: number, re: RegExp) {
  const r = coop(args);
  assert.equal(r.signal, null, `${args.join(" ")}: killed after ${r.ms} ms`);
  assert.equal(r.code, code, `exit code for ${args.join(" ")}: ${r.err}`);
  const lines = r.err.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line, got: ${r.err}`);
  assert.match(lines[0], re);
  return r;
}

test("/dev/zero as board file, UART input, CSV source or firmware: refused at the documented limit, exit 2", () => {
  refuses(["run", DEMO, "--board", "/dev/zero"], 2, /^coop: board file \/dev\/zero is larger than the limit of 1 MiB/);
  refuses(["run", DEMO, "--uart-in", "/dev/zero"], 2, /^coop: UART input file \/dev\/zero is larger than the limit of 16 MiB/);
  refuses(["run", "/dev/zero"], 2, /^coop: firmware file \/dev\/zero is larger than the limit of 16 MiB/);
  refuses(["run", DEMO, "--script", "/dev/zero"], 2, /^coop: scenario file \/dev\/zero is larger than the limit of 1 MiB/);
  const board = join(dir, "csv-zero.json");
  writeFileSync(board, JSON.stringify({ name: "z", adc: { channels: [{ channel: 0, name: "X", source: { type: "csv", file: "/dev/zero", interval_ms: 1 } }] } }));
  refuses(["run", DEMO, "--board", board], 2, /^coop: board z: ADC channel X: source csv: file \/dev\/zero is larger than the limit of 16 MiB/);
  refuses(["run", DEMO, "--uart-in", dir], 2, /^coop: cannot read UART input file .*: is a directory$/);
});

test("readBounded: a file of exactly the limit is read, one byte more is refused", () => {
  const p = join(dir, "limit.bin");
  writeFileSync(p, Buffer.alloc(1000, 7));
  assert.equal(readBounded(p, 1000, "x").length, 1000);
  assert.throws(() => readBounded(p, 999, "x"), (e) => e instanceof InputError && /x .*limit\.bin is larger than the limit of 999 bytes/.test(e.message));
  assert.ok(INPUT_LIMITS.uartIn >= 1 << 20);
});

test("--uart-in - still reads ordinary standard input", () => {
  const r = coop(["run", DEMO, "--uart-in", "-", "--until", "300ms", "--json"], "ping\n");
  assert.equal(r.code, 0, r.err);
  assert.match(JSON.parse(r.out).serial, /> ping\npong\n/);
});

test("empty option values are refused instead of meaning a default; numbers are decimal only", async () => {
  const echo = await fixture("echo");
  for (const opt of ["seed", "fuel", "until", "board", "engine", "uart-in", "script", "trace", "vcd"]) {
    refuses(["run", echo, `--${opt}=`], 2, new RegExp(`^coop: option --${opt} needs a value, got an empty one`));
    refuses(["run", echo, `--${opt}`, " "], 2, new RegExp(`^coop: option --${opt} needs a value, got an empty one`));
  }
  for (const bad of ["0x10", "1e3", " 1", "1.0", "+1"]) refuses(["run", echo, "--seed", bad], 2, /^coop: --seed must be an integer 0\.\.4294967295/);
  refuses(["run", echo, "--fuel", "1e6"], 2, /^coop: --fuel must be an integer/);
  // A good value still works.
  assert.equal(coop(["run", echo, "--seed", "7", "--fuel", "1000000", "--until", "10ms", "--quiet"]).code, 0);
});

test("a full disk for --trace, --vcd or standard output: one line naming the file, exit 2", { skip: !existsSync("/dev/full") && "no /dev/full" }, () => {
  refuses(["run", DEMO, "--until", "1s", "--quiet", "--trace", "/dev/full"], 2, /^coop: cannot write trace file \/dev\/full: no space left on device$/);
  refuses(["run", DEMO, "--until", "1s", "--quiet", "--vcd", "/dev/full"], 2, /^coop: cannot write VCD file \/dev\/full: no space left on device$/);
  const r = spawnSync("sh", ["-c", `"${process.execPath}" "${CLI}" run "${DEMO}" --until 1s > /dev/full`], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr.trimEnd(), /^coop: cannot write standard output: no space left on device$/);
});

test("coop with no arguments: usage on stderr, nothing on stdout, exit 2", () => {
  const r = coop([]);
  assert.equal(r.code, 2);
  assert.equal(r.out, "");
  assert.match(r.err, /^usage: coop run <firmware\.wasm>/);
  assert.equal(coop(["--help"]).code, 0, "--help still prints to stdout and exits 0");
});
