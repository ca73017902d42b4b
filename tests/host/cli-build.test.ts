// `coop build <file.ts>`: firmware kept outside the repo compiles with the
// project's asconfig.json (same compile call as npm run build), runs under
// `coop run`, and every bad input is one `coop:` line with exit 2.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { CLI, ROOT } from "./fixtures/build.js";

const dir = mkdtempSync(join(tmpdir(), "coop-build-"));

function coop(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function refuses(args: string[], re: RegExp, cwd = ROOT) {
  const r = coop(args, cwd);
  assert.equal(r.code, 2, r.err);
  const lines = r.err.trimEnd().split("\n");
  assert.equal(lines.length, 1, r.err);
  assert.match(lines[0], /^coop: /);
  assert.match(lines[0], re);
  assert.doesNotMatch(r.err, /^\s+at /m);
}

/** The blinky example, moved out of the repo: it imports the core by a relative path to the checkout. */
function outsideFirmware(name: string): string {
  const core = relative(dir, join(ROOT, "assembly", "coop")).split("\\").join("/");
  const src = readFileSync(join(ROOT, "assembly/examples/blinky.ts"), "utf8")
    .replace('"../coop/abi"', `"${core}/abi"`)
    .replace('"../coop"', `"${core}"`);
  assert.ok(src.includes(core), "blinky.ts imports changed: update this test");
  const p = join(dir, `${name}.ts`);
  writeFileSync(p, src);
  return p;
}

test("coop build compiles a firmware file outside the repo, next to it by default, and coop run runs it", () => {
  const src = outsideFirmware("app");
  const r = coop(["build", "app.ts"], dir);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^coop build: app\.ts -> app\.wasm \(release, \d+ bytes\)$/m);
  assert.ok(existsSync(join(dir, "app.wasm")));
  // Same bytes as the in-repo example built the same way: the outside file gets the same options.
  const inRepo = coop(["build", "assembly/examples/blinky.ts", "-o", join(dir, "blinky-in-repo.wasm")]);
  assert.equal(inRepo.code, 0, inRepo.err);
  assert.deepEqual(readFileSync(join(dir, "app.wasm")), readFileSync(join(dir, "blinky-in-repo.wasm")));
  const run = coop(["run", join(dir, "app.wasm"), "--until", "2s", "--json"]);
  assert.equal(run.code, 0, run.err);
  const j = JSON.parse(run.out);
  assert.ok(j.tasks.some((t: { name: string }) => t.name === "blinky"), run.out.slice(0, 400));
  // --debug and -o
  const d = coop(["build", src, "--debug", "-o", join(dir, "out", "..", "dbg.wasm")]);
  assert.equal(d.code, 0, d.err);
  assert.ok(existsSync(join(dir, "dbg.wasm")) && existsSync(join(dir, "dbg.wasm.map")));
  assert.match(d.out, /\(debug, \d+ bytes\)/);
});

test("coop build: bad input is one line, exit 2, and leaves no output behind", () => {
  writeFileSync(join(dir, "bad.ts"), "export function f(): i32 { return nope; }\n");
  refuses(["build", "bad.ts"], /^coop: build failed: bad\.ts\(1,35\): ERROR TS2304: Cannot find name 'nope'\./, dir);
  assert.ok(!existsSync(join(dir, "bad.wasm")));
  refuses(["build", "missing.ts"], /source file not found: missing\.ts/, dir);
  refuses(["build", "app.wasm"], /build takes an AssemblyScript source file ending in \.ts/, dir);
  refuses(["build"], /build needs exactly one source file/, dir);
  refuses(["build", outsideFirmware("x"), "-o", join(dir, "no/such/dir/x.wasm")], /cannot write .*x\.wasm: folder .* does not exist/);
  refuses(["build", "x.ts", "--frob"], /unknown option --frob \(see coop build --help\)/, dir);
  refuses(["build", "x.ts", "-o"], /option --out needs a value/, dir);
});
