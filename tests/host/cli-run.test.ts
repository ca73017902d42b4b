// The `coop` CLI as a user meets it: exit codes, one-line errors for every
// kind of bad input (never a stack trace), scenario reports, output files.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync, readFileSync, mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture, CLI, ROOT } from "./fixtures/build.js";

const dir = mkdtempSync(join(tmpdir(), "coop-cli-"));
const file = (name: string, text: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

function coop(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, input, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A refusal: the expected exit code, exactly one stderr line matching `re`, no stack trace. */
function refuses(args: string[], code: number, re: RegExp, input?: string) {
  const r = coop(args, input);
  assert.equal(r.code, code, `exit code for ${args.join(" ")}: ${r.err}`);
  const lines = r.err.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line, got: ${r.err}`);
  assert.match(lines[0], /^coop: /);
  assert.match(lines[0], re);
  assert.doesNotMatch(r.err, /^\s+at /m);
  return r;
}

test("bad firmware files: missing, not wasm, not a coop module, wrong ABI, foreign import", async () => {
  refuses(["run", join(dir, "nope.wasm")], 2, /firmware file not found: .*nope\.wasm/);
  refuses(["run", file("text.wasm", "hello, I am not wasm")], 3, /not a WebAssembly module/);
  refuses(["run", file("broken.wasm", Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 99, 1))], 3, /^coop: firmware refused: unknown section id 99 at byte 8$/);
  refuses(["run", await fixture("noabi", false)], 3, /not a coop firmware: none of the board ABI exports/);
  refuses(["run", await fixture("badabi", false)], 3, /built for board ABI v2; this board implements v1/);
  refuses(["run", await fixture("envimport")], 3, /imports env\.mystery .*which this board does not provide/);
});

test("bad options: unknown option, bad --until, unknown engine, unknown board, bad seed", async () => {
  const echo = await fixture("echo");
  refuses(["run", echo, "--frobnicate"], 2, /^coop: unknown option --frobnicate \(see coop run --help\)$/);
  refuses(["run", echo, "--until", "soon"], 2, /--until "soon" is not a duration/);
  refuses(["run", echo, "--engine", "quantum"], 2, /unknown engine "quantum" \(known: v8, wasm3\)/);
  refuses(["run", echo, "--board", "atari"], 2, /board file not found: .*atari\.json/);
  refuses(["run", echo, "--seed", "x3"], 2, /--seed must be an integer/);
  refuses(["run", echo, "--uart-in", join(dir, "none.txt")], 2, /UART input file not found/);
  refuses(["launch"], 2, /unknown command "launch"/);
  refuses(["run", echo, "--trace", join(dir, "no/such/dir/t.json")], 2, /cannot write trace file .*t\.json/);
  refuses(["run", echo, "--vcd", join(dir, "no/such/dir/w.vcd")], 2, /cannot write VCD file .*w\.vcd/);
  refuses(["run", echo, "--board", file("badsrc.json", JSON.stringify({ name: "b", adc: { channels: [{ channel: 0, name: "X", source: { type: "sine" } }] } }))], 2, /board b: ADC channel X: source sine: `offset` must be a number/);
  refuses(["run", echo, "--board", file("badjson.json", "{ nope")], 2, /board file .*badjson\.json is not valid JSON/);
});

test("every option error is one coop: line with exit 2; negative numbers reach the range check", async () => {
  const echo = await fixture("echo");
  // "--fuel -5" used to be Node's "argument is ambiguous"; now it gets the same range message as --fuel=-5.
  refuses(["run", echo, "--fuel", "-5"], 2, /^coop: --fuel must be an integer 0\.\.2147483647, got "-5"$/);
  refuses(["run", echo, "--fuel=-5"], 2, /^coop: --fuel must be an integer 0\.\.2147483647, got "-5"$/);
  refuses(["run", echo, "--seed", "-1"], 2, /^coop: --seed must be an integer/);
  refuses(["run", echo, "--frob"], 2, /^coop: unknown option --frob \(see coop run --help\)$/);
  refuses(["run", echo, "--frob=3"], 2, /^coop: unknown option --frob \(see coop run --help\)$/);
  refuses(["run", echo, "-x"], 2, /^coop: unknown option -x \(see coop run --help\)$/);
  refuses(["run", echo, "--until"], 2, /^coop: option --until needs a value \(see coop run --help\)$/);
  refuses(["run", echo, "--script", "--quiet"], 2, /^coop: option --script needs a value/);
  refuses(["run", echo, "--quiet=yes"], 2, /^coop: option --quiet takes no value/);
  // The hint it gives works.
  const help = coop(["run", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.out, /^usage: coop run <firmware\.wasm>/);
});

test("a YAML syntax error in --script names its real line", async () => {
  const echo = await fixture("echo");
  refuses(["run", echo, "--script", file("q.yaml", 'name: x\nsteps:\n  - write-serial: "ping\n  - wait: 10ms\n')], 2, /^coop: .*q\.yaml:3: does not parse: Missing closing "quote$/);
});

test("the footer's speed ratio is never 0x for a short run", async () => {
  const { formatSpeed } = await import("../../host/cli.js");
  assert.equal(formatSpeed(0.018771 / 0.749), "0.025x");
  assert.equal(formatSpeed(1.2345), "1.2x");
  assert.equal(formatSpeed(25.4), "25x");
  assert.equal(formatSpeed(1234.5), "1235x");
  const r = coop(["run", await fixture("echo"), "--until", "1ms"]);
  assert.equal(r.code, 0, r.err);
  const m = /simulated in [\d.]+ s wall \(([\d.e-]+)x\)/.exec(r.out);
  assert.ok(m, r.out);
  assert.ok(Number(m[1]) > 0, `speed shown as ${m[1]}x`);
});

test("bad scenarios: does not parse (with line), bad regex, unknown pin, unknown channel", async () => {
  const echo = await fixture("echo");
  refuses(["run", echo, "--script", file("p.yaml", "name: x\nsteps:\n  - wait: 1s\n   - oops: [\n")], 2, /p\.yaml:\d+: does not parse/);
  refuses(["run", echo, "--script", file("r.yaml", 'name: x\nsteps:\n  - wait-serial: "a[b"\n')], 2, /r\.yaml:3: wait-serial: regex "a\[b" does not compile/);
  refuses(["run", echo, "--script", file("pin.yaml", "name: x\nsteps:\n  - wait: 1ms\n  - set-pin: { pin: TURBO, level: 1 }\n")], 2, /pin\.yaml:4: unknown pin "TURBO"/);
  refuses(["run", echo, "--script", file("ch.yaml", "name: x\nsteps:\n  - set-adc: { channel: 9, value: 1 }\n")], 2, /ch\.yaml:3: unknown ADC channel 9/);
  refuses(["run", echo, "--script", join(dir, "missing.yaml")], 2, /scenario file not found/);
});

test("firmware faults: runaway task named, panic named, exit 4", async () => {
  const echo = await fixture("echo");
  refuses(["run", echo, "--uart-in", "-", "--quiet", "--fuel", "1000000"], 4, /runaway: task "shell" \(slot 0\) did not return from its poll within 1000000 work units/, "spin\n");
  refuses(["run", echo, "--uart-in", "-", "--quiet"], 4, /firmware panic in task "shell" \(slot 0\) at t=0\.\d+ s: Index out of range/, "crash\n");
  refuses(["run", await fixture("runaway-start"), "--quiet", "--fuel", "100000"], 4, /runaway: code outside any task/);
});

test("UART input faster than the firmware reads: overrun counted and reported, exit 5", async () => {
  const echo = await fixture("echo");
  const r = refuses(["run", echo, "--uart-in", file("flood.txt", "stall\n" + "y".repeat(200) + "\nping\n"), "--until", "3s", "--quiet"], 5, /UART RX overrun: 190 input byte\(s\) dropped/);
  assert.equal(r.out, "");
});

test("scenario failure: step, simulated time and last serial lines; exit 1", async () => {
  const echo = await fixture("echo");
  const sc = file("fail.yaml", 'name: wants bye\nsteps:\n  - write-serial: "one\\ntwo\\nping\\n"\n  - wait-serial: "pong"\n  - wait-serial: "bye"\n    timeout: 250ms\n');
  const r = coop(["run", echo, "--script", sc, "--quiet"]);
  assert.equal(r.code, 1);
  assert.match(r.err, /scenario "wants bye" failed at step 3\/3 \(.*fail\.yaml:5\) .*no serial output matched \/bye\/ within 250 ms, at t=0\.2\d+ s/);
  assert.match(r.err, /last serial lines:\n {2}\| one\n {2}\| two\n {2}\| pong/);
  // --json numbers the failing step as the text does (from 1).
  const j = JSON.parse(coop(["run", echo, "--script", sc, "--json"]).out) as { scenario: { failure: { number: number; line: number } } };
  assert.deepEqual([j.scenario.failure.number, j.scenario.failure.line], [3, 5]);
  const ok = coop(["run", echo, "--script", file("ok.yaml", 'name: ok\nsteps:\n  - write-serial: "ping\\n"\n  - wait-serial: "pong"\n')]);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /pong\n/);
  assert.match(ok.out, /slot +task +spawns +polls +busy/);
});

test("--json, --trace and --vcd; the same seed gives byte-identical trace files", async () => {
  const echo = await fixture("echo");
  const input = file("in.txt", "ping\nadc0\nadc1\ntemp\n");
  const run = (seed: string, tag: string) => {
    const r = coop(["run", echo, "--uart-in", input, "--until", "2s", "--seed", seed, "--json", "--trace", join(dir, `${tag}.json`), "--vcd", join(dir, `${tag}.vcd`)]);
    assert.equal(r.code, 0, r.err);
    return JSON.parse(r.out);
  };
  const j = run("5", "a");
  run("5", "b");
  run("6", "c");
  assert.match(j.serial, /^pong\nadc=\d+\nadc=\d+\ntemp=\d+\n$/);
  assert.equal(j.summary.timeUs, 2_000_000);
  assert.deepEqual(j.tasks.map((t: { name: string }) => t.name), ["shell", "mirror"]);
  const a = readFileSync(join(dir, "a.json")), b = readFileSync(join(dir, "b.json")), c = readFileSync(join(dir, "c.json"));
  assert.ok(a.equals(b), "same seed -> identical trace");
  assert.ok(!a.equals(c), "other seed -> other ADC noise");
  assert.ok(JSON.parse(a.toString()).traceEvents.length > 20);
  const vcd = readFileSync(join(dir, "a.vcd"), "utf8");
  assert.match(vcd, /\$timescale 1 us \$end/);
  assert.match(vcd, /\$var reg 12 \S+ adc_POT \$end/);
  assert.match(vcd, /\nb[01]+ \S+\n/);
  const times = [...vcd.matchAll(/^#(\d+)$/gm)].map((m) => Number(m[1]));
  assert.deepEqual(times, [...times].sort((x, y) => x - y), "VCD time never goes backwards");
});

test("coop boards lists both boards; coop --help", () => {
  const r = coop(["boards"]);
  assert.equal(r.code, 0);
  assert.match(r.out, /sim-devkit/);
  assert.match(r.out, /tiny-m0/);
  assert.match(coop(["--help"]).out, /coop run <firmware\.wasm>/);
});

test("VCD survives GTKWave's own parser (vcd2fst + fst2vcd), when gtkwave is installed", async (t) => {
  const have = spawnSync("vcd2fst", ["--help"], { encoding: "utf8" });
  if (have.error) {
    t.skip("vcd2fst not installed: npm run setup:viewers (as root), or sudo apt-get install -y --no-install-recommends gtkwave");
    return;
  }
  const blinky = join(ROOT, "build/blinky.wasm");
  const vcd = join(dir, "blinky.vcd"), fst = join(dir, "blinky.fst");
  const r = coop(["run", blinky, "--until", "2s", "--vcd", vcd, "--quiet"]);
  assert.equal(r.code, 0, r.err);
  const conv = spawnSync("vcd2fst", [vcd, fst], { encoding: "utf8" });
  assert.equal(conv.status, 0, conv.stderr);
  const back = spawnSync("fst2vcd", [fst], { encoding: "utf8" }).stdout;
  assert.match(back, /\$var wire 1 (\S+) LED \$end/);
  const id = /\$var wire 1 (\S+) LED \$end/.exec(back)![1];
  const esc = id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  assert.match(back, new RegExp(`#0\\n\\$dumpvars[^]*\\n0${esc}\\n[^]*\\$end`), "initial LED level kept");
  assert.match(back, new RegExp(`#500000\\n1${esc}\\n#1000000\\n0${esc}\\n#1500000\\n1${esc}`), "LED toggles every 500 ms");
});

test("engine-agnostic: V8 and wasm3 give byte-identical traces and the same runaway report (skipped without wasm3)", async (t) => {
  const echo = await fixture("echo");
  const probe = coop(["run", echo, "--engine", "wasm3", "--until", "1ms", "--quiet"]);
  if (probe.code !== 0) {
    t.skip(`wasm3 engine not available: ${probe.err.trim()}`);
    return;
  }
  const input = file("engines.txt", "ping\nadc0\ntemp\nid\nhello\n");
  for (const e of ["v8", "wasm3"]) {
    const r = coop(["run", echo, "--engine", e, "--uart-in", input, "--until", "1s", "--seed", "3", "--trace", join(dir, `eng-${e}.json`), "--quiet"]);
    assert.equal(r.code, 0, r.err);
  }
  assert.ok(readFileSync(join(dir, "eng-v8.json")).equals(readFileSync(join(dir, "eng-wasm3.json"))), "fuel counts and cost model are the same on both engines");
  refuses(["run", echo, "--engine", "wasm3", "--uart-in", "-", "--quiet", "--fuel", "1000000"], 4, /runaway: task "shell" \(slot 0\) did not return from its poll within 1000000 work units.*t=0\.000434 s/, "spin\n");
});

test("npm start's run: the demo answers ping under tests/hil/ping.yaml and prints the metrics table", () => {
  const demo = join(ROOT, "build/demo.wasm");
  assert.ok(existsSync(demo), "build/demo.wasm missing: run npm run build first");
  const r = coop(["run", demo, "--script", "tests/hil/ping.yaml", "--until", "5s"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /pong\n/);
  assert.match(r.err, /scenario "shell answers ping": passed 2 steps/);
  assert.match(r.out, /--- sim-devkit: 5\.000000 s simulated in [\d.]+ s wall \([\d.]+x\), \d+ steps ---/);
  for (const task of ["blinky", "shell"]) assert.match(r.out, new RegExp(`^ +\\d+  ${task} +\\d+ `, "m"));
});
