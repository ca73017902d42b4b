// Firmware text with control characters (an ANSI "clear screen", a bell, a
// newline inside a log line, DEL, the C1 CSI) must not reach the terminal
// raw from any report: board.log lines, panic messages, task names in the
// metrics table and in fault lines, --json, scenario failure tails. Like the
// C embedding, each becomes '?'. UART0 output on stdout is the device's own
// byte stream and stays as sent.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { CLI, ROOT } from "./fixtures/build.js";
import { watFixture } from "./fixtures/wat.js";
import { formatFailure, type Scenario } from "../../host/scenario.js";
import { printable } from "../../host/text.js";

// ESC [ 2 J, BEL, "evil", LF, "line", DEL, U+009B (C2 9B in UTF-8), TAB
const EVIL = "\\1b[2J\\07evil\\0aline\\7f\\c2\\9b\\09end";
const EVIL_LEN = 4 + 1 + 4 + 1 + 4 + 1 + 2 + 1 + 3;
const IMPORTS = `(import "board" "log" (func $log (param i32 i32)))
  (import "board" "panic" (func $panic (param i32 i32 i32 i32 i32 i32)))
  (import "board" "trace" (func $trace (param i32 i32 i32)))`;
// A task name in UTF-16LE at 64 (byte length at 60): ESC "[" "1" "m" "x" = 5 code units.
const DATA = `(data (i32.const 16) "${EVIL}") (data (i32.const 60) "\\0a\\00\\00\\00\\1b\\00[\\001\\00m\\00x\\00")`;
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/; // any control character but the line break

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("board.log and panic text: control characters become '?', each report is one line, on both engines", () => {
  const fw = watFixture("evil-text", {
    imports: IMPORTS, extra: DATA,
    start: `(call $trace (i32.const 4) (i32.const 0) (i32.const 0)) (call $log (i32.const 16) (i32.const ${EVIL_LEN}))`,
    currentTask: "(i32.const 0)", taskName: "(i32.const 64)",
    step: `(call $panic (i32.const 16) (i32.const ${EVIL_LEN}) (i32.const 16) (i32.const 4) (i32.const 1) (i32.const 2)) (i64.const -1)`,
  });
  for (const engine of ["v8", "wasm3"]) {
    const r = run(["run", fw, "--engine", engine]);
    assert.equal(r.code, 4, r.err);
    assert.doesNotMatch(r.err, RAW, "no raw control character on stderr");
    assert.doesNotMatch(r.out, RAW, "none on stdout (metrics table)");
    const lines = r.err.trimEnd().split("\n");
    assert.equal(lines.length, 2, `a log line and a fault line: ${r.err}`);
    assert.equal(lines[0], "[log 0.000000 s] ?[2J?evil?line???end");
    assert.match(lines[1], /^coop: firmware panic in task "\?\[1mx" \(slot 0\) at t=0\.000000 s: \?\[2J\?evil\?line\?\?\?end at \?\[2J:1:2$/);
    assert.match(r.out, /\?\[1mx/, "task name in the metrics table");
  }
});

test("--json keeps the panic text (escaped as JSON) with no raw DEL or C1 byte", () => {
  const fw = watFixture("evil-json", { imports: IMPORTS, extra: DATA, step: `(call $panic (i32.const 16) (i32.const ${EVIL_LEN}) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)) (i64.const -1)` });
  const r = run(["run", fw, "--json"]);
  assert.equal(r.code, 4, r.err);
  assert.doesNotMatch(r.out, RAW);
  assert.match(r.out, /\\u007f\\u009b/);
  assert.equal(JSON.parse(r.out).fault.message, "\u001b[2J\u0007evil\nline\u007f\u009b\tend", "the value itself is unchanged");
});

test("scenario failure reports: quoted serial lines and messages are made printable", () => {
  const sc: Scenario = { name: "n\u001b", file: "s.yaml", steps: [{ kind: "wait", us: 1, line: 3, text: "{\"wait\":1}" }] };
  const report = formatFailure(sc, { ok: false, passed: 0, timeUs: 0, tail: ["\u001b[31mred\u0007"], failure: { index: 0, step: sc.steps[0], message: "boom\u009b" } });
  assert.doesNotMatch(report, RAW);
  assert.match(report, /scenario "n\?" failed .*: boom\?, at t=/);
  assert.match(report, /  \| \?\[31mred\?$/);
  assert.equal(printable("a\tb\u0085c\u00e9"), "a?b?c\u00e9", "printable letters (é) stay");
});
