// What the async lowering refuses: each rule is one compile error at the
// user's file:line:column (the position of the offending text), saying the
// rule and the way around it. Run through `coop build`, as a user meets it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { CLI, ROOT } from "./fixtures/build.js";

const dir = mkdtempSync(join(tmpdir(), "coop-async-err-"));
const core = relative(dir, join(ROOT, "assembly", "coop")).split("\\").join("/");
const header = `export * from "${core}/abi";\nimport { spawn, Sleep, millis } from "${core}";\nconst nap = new Sleep(millis(1));\n`;
const HEADER_LINES = 3;

/** Compiles `body` (after a 3-line header) and returns coop build's one stderr line. */
function build(name: string, body: string): { code: number | null; line: string } {
  writeFileSync(join(dir, `${name}.ts`), header + body);
  const r = spawnSync(process.execPath, [CLI, "build", `${name}.ts`], { cwd: dir, encoding: "utf8", timeout: 120_000 });
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  return { code: r.status, line: lines[0] };
}

/** Expects a refusal at body line `line` (1-based), column `col`, matching `re`. */
function refuses(name: string, body: string, line: number, col: number, re: RegExp): void {
  const r = build(name, body);
  assert.equal(r.code, 2, r.line);
  assert.match(r.line, new RegExp(`^coop: build failed: ${name}\\.ts\\(${line + HEADER_LINES},${col}\\): ERROR AS109: Transform 'async': `), r.line);
  assert.match(r.line, re);
}

test("allocation after the first await is refused where it is written", () => {
  refuses("newInRun", `async function t(): Promise<void> {
  await nap;
  const s = new Sleep(millis(2));
}
spawn(t());
`, 3, 13, /`new` in the running part allocates on every pass: declare the object among t's leading declarations/);
  refuses("concat", `async function t(): Promise<void> {
  await nap;
  const s: string = "a" + "b";
}
spawn(t());
`, 3, 21, /string concatenation allocates/);
  refuses("literal", `async function t(): Promise<void> {
  await nap;
  const a: i32[] = [1, 2];
}
spawn(t());
`, 3, 20, /array or object literal in the running part allocates/);
  refuses("unawaited", `async function u(): Promise<void> { await nap; }
async function t(): Promise<void> {
  await nap;
  spawn(u());
}
spawn(t());
`, 4, 9, /calling async function u in the running part builds a new state machine \(an allocation\): await it/);
});

test("await is allowed only where the state machine can stop", () => {
  refuses("cond", `async function v(): Promise<bool> { await nap; return true; }
async function t(): Promise<void> {
  await nap;
  if (await v()) return;
}
spawn(t());
`, 4, 7, /await may stand only as a statement .* or after return/);
  refuses("outside", `function t(): void {
  await nap;
}
`, 2, 3, /await is only allowed inside an `async function`/);
  refuses("arrow", `const f = async (): Promise<void> => { };
`, 1, 11, /only top-level `async function` declarations are supported \(no async methods or arrow functions\)/);
  refuses("gen", `function t(): void { yield 1; }
`, 1, 22, /AssemblyScript has no generators/);
});

test("signatures, types, closures and recursion", () => {
  refuses("noPromise", `async function t(): void {
  await nap;
}
`, 1, 21, /an async function returns Promise<T>: write `async function t\(\.\.\.\): Promise<void>`/);
  refuses("untyped", `function get(): i32 { return 3; }
async function t(): Promise<void> {
  const n = get();
  await nap;
  if (n > 2) return;
}
spawn(t());
`, 3, 9, /'n' is used after t's leading declarations, so it becomes a field of its state machine and needs a type: write `const n: <Type> = \.\.\.`/);
  refuses("closure", `async function t(): Promise<void> {
  await nap;
  const f = (x: i32): i32 => x + 1;
}
spawn(t());
`, 3, 13, /closures and class expressions are not supported in async functions/);
  refuses("recursion", `async function t(n: i32): Promise<void> {
  await nap;
  if (n > 0) await t(n - 1);
}
spawn(t(3));
`, 3, 20, /t awaits t, which leads back to t: recursion would need a machine inside itself \(unbounded memory\); write it as a loop/);
  refuses("lateArg", `async function p(d: i32): Promise<void> {
  const s = new Sleep(millis(d));
  await s;
}
async function t(): Promise<void> {
  await nap;
  let d: i32 = 5;
  await p(d);
}
spawn(t());
`, 8, 11, /p builds its resources from its parameters \(its declarations before its first await\), so t builds it at init with these arguments: 'd' is not known then/);
  refuses("changing", `async function p(d: i32): Promise<void> {
  const s = new Sleep(millis(d));
  await s;
}
async function t(d: i32): Promise<void> {
  await nap;
  d = d + 1;
  await p(d + 2);
}
spawn(t(1));
`, 8, 11, /'d' changes after start-up, so p's resources would keep its first value/);
});

test("an async function with more states than boards nest is refused at the build, not at the board", () => {
  const awaits = Array.from({ length: 70 }, () => "  await nap;\n").join("");
  refuses("huge", `async function huge(): Promise<void> {
${awaits}}
spawn(huge());
`, 1, 16, /huge has \d+ states .* boards refuse nesting deeper than 64 \(boards\/wasm3\/gate.json\): split it into async helper functions/);
});

test("a firmware that follows the rules builds", () => {
  const r = build("fine", `async function p(d: i32): Promise<i32> {
  await nap;
  return d + 1;
}
async function t(): Promise<void> {
  let total: i32 = 0;
  while (total < 100) {
    const v = await p(total);
    total += v;
  }
}
spawn(t());
`);
  assert.equal(r.code, 0, r.line);
});

test("a firmware file that forgets the ABI export is told to add it, in one line", () => {
  writeFileSync(join(dir, "noabi.ts"), `import { spawn, Sleep, millis } from "${core}";
async function t(): Promise<void> { const nap = new Sleep(millis(1)); await nap; }
spawn(t());
`);
  const r = spawnSync(process.execPath, [CLI, "build", "noabi.ts"], { cwd: dir, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 2, r.stderr);
  // The line to add, with the path this file would import the core by.
  assert.equal(r.stderr.trim().split("\n")[0].replace(/ \(it exports .*$/, ""), `coop: build failed: noabi.ts: the firmware entry file does not export the board ABI: add \`export * from "${core}/abi";\` at its top`);
  assert.equal(r.stderr.trim().split("\n").length, 1);
});
