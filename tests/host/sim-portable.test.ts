// host/sim runs in Node and in the page's bundle (coop web): it must use no
// Node API and import no engine, and the bundle must reach nothing of Node.
// Also the serial cursor every scenario target shares.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./fixtures/build.js";
import { SerialCursor } from "../../host/sim/serial-cursor.js";

/** The code of a TypeScript file without its comments (a comment may name Buffer or node:fs). */
function code(path: string): string {
  return readFileSync(path, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

test("host/sim uses no Node API and imports no engine", () => {
  const dir = join(ROOT, "host/sim");
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
  assert.ok(files.length >= 10, `host/sim files: ${files}`);
  for (const f of files) {
    const c = code(join(dir, f));
    assert.doesNotMatch(c, /from\s+["']node:|import\(\s*["']node:/, `${f} imports a node: module`);
    assert.doesNotMatch(c, /\bBuffer\b|\bprocess\.|\brequire\(/, `${f} uses a Node global`);
    assert.doesNotMatch(c, /from\s+["']\.\.\/engines\/|import\(\s*["']\.\.\/engines\//, `${f} imports an engine`);
    assert.doesNotMatch(c, /from\s+["']\.\.\/(cli|hil\/|web\/|input|firmware|board-file|trace-file)/, `${f} imports host-side code`);
  }
});

test("the page bundle reaches no Node module; its one external import is binaryen", () => {
  const bundle = join(ROOT, "build/web/page.js");
  assert.ok(existsSync(bundle), "build/web/page.js (npm run build)");
  const js = readFileSync(bundle, "utf8");
  const imports = [...js.matchAll(/^\s*import\s[^;]*?from\s*"([^"]+)"|^\s*import\s*"([^"]+)"/gm)].map((m) => m[1] ?? m[2]);
  assert.deepEqual([...new Set(imports)], ["binaryen"]);
  assert.doesNotMatch(js, /["']node:[a-z_]+["']/);
});

test("serial cursor: a match moves past itself, split UTF-8 decodes, only WINDOW characters are kept", () => {
  const c = new SerialCursor();
  const enc = new TextEncoder();
  const bytes = enc.encode("temp 21.5 °C\nok\n");
  const cut = bytes.indexOf(0xb0); // inside the two bytes of "°"
  c.feed(bytes.subarray(0, cut));
  c.feed(bytes.subarray(cut));
  assert.equal(c.fed, bytes.length);
  assert.equal(c.match(/\d+\.\d °C/), "21.5 °C");
  assert.equal(c.match(/\d+\.\d °C/), null, "the same text is not matched twice");
  assert.equal(c.match(/ok\n/), "ok\n");
  c.feed(enc.encode("head" + "x".repeat(SerialCursor.WINDOW) + "tail"));
  assert.equal(c.match(/head/), null, "the oldest characters were dropped");
  assert.equal(c.match(/x{100}tail$/), "x".repeat(100) + "tail");
});
