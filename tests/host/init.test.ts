// `coop init <dir>`: a firmware project outside the checkout that depends on
// it by a file: path, installs offline (npm links the folder), builds, passes
// its scenario, and reports a compile error, a missing ABI export and a
// scenario failure with paths from the project folder.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, ROOT } from "./fixtures/build.js";

const dir = mkdtempSync(join(tmpdir(), "coop-init-"));

function coop(args: string[], cwd = dir) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// npm as a user runs it in the project, without what an enclosing `npm test` set (npm_config_*, npm_package_*),
// and with a registry nothing listens on: an install that tried the network would fail, not hang.
const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== "INIT_CWD"));
env.npm_config_registry = "http://127.0.0.1:9/";
function npm(args: string[], cwd: string) {
  const r = spawnSync("npm", args, { cwd, env, encoding: "utf8", timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("coop init refuses a non-empty folder, a file and a --coop path that is not coop, in one line, writing nothing", () => {
  const full = join(dir, "full");
  mkdirSync(full);
  writeFileSync(join(full, "notes.txt"), "mine\n");
  for (const [args, re] of [
    [["init", "full"], /^coop: init: full is not empty \(coop init makes a project in a new or empty folder; nothing was written\)\n$/],
    [["init", "full/notes.txt"], /^coop: init: full\/notes\.txt is a file, not a folder/],
    [["init", "other", "--coop", dir], /^coop: init: --coop .* is not a coop checkout \(it needs package\.json named "coop", index\.ts and assembly\/coop\/\)\n$/],
    [["init"], /^coop: init needs exactly one folder: coop init <dir> \[--coop <path>\]\n$/],
  ] as [string[], RegExp][]) {
    const r = coop(args);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, re);
  }
  assert.deepEqual(readdirSync(full), ["notes.txt"]);
  assert.ok(!readdirSync(dir).includes("other"));
});

test("coop init --coop names the checkout the project depends on", () => {
  const link = join(dir, "coop-checkout");
  symlinkSync(ROOT, link);
  const r = coop(["init", "elsewhere", "--coop", link]);
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(readFileSync(join(dir, "elsewhere/package.json"), "utf8")).dependencies.coop, `file:${link}`);
});

test("a project made by coop init installs offline, builds, runs its scenario, and reports errors from its own folder", () => {
  const made = coop(["init", "My Firmware"]);
  assert.equal(made.code, 0, made.err);
  assert.match(made.out, /^coop init: made 8 files in My Firmware \(depends on coop at .*\)\nnext: cd "My Firmware" && npm install && npm test\n$/);
  const proj = join(dir, "My Firmware");
  const pkg = JSON.parse(readFileSync(join(proj, "package.json"), "utf8"));
  assert.equal(pkg.name, "my-firmware");
  assert.equal(pkg.dependencies.coop, `file:${ROOT}`);
  assert.deepEqual(Object.keys(pkg.scripts).sort(), ["build", "check", "hil", "run", "test"]);
  const main = readFileSync(join(proj, "src/main.ts"), "utf8");
  assert.match(main, /^export \* from "coop\/abi";/m);
  assert.match(main, /^import .* from "coop";$/m);
  assert.doesNotMatch(main, /\.\.\//, "the example imports the package by name, not a path into the checkout");
  assert.match(readFileSync(join(proj, "README.md"), "utf8"), new RegExp(`"coop": "file:${ROOT.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`));

  const install = npm(["install", "--offline"], proj);
  assert.equal(install.code, 0, install.err);
  assert.ok(lstatSync(join(proj, "node_modules/coop")).isSymbolicLink(), "a file: dependency is linked, not copied or fetched");
  assert.equal(realpathSync(join(proj, "node_modules/coop")), realpathSync(ROOT));

  const t = npm(["test"], proj);
  assert.equal(t.code, 0, t.out + t.err);
  assert.match(t.out, /coop build: src\/main\.ts -> build\/main\.wasm \(release, \d+ bytes\)/);
  assert.match(t.out, /^pong$/m);
  assert.match(t.err, /scenario "main says ready, answers ping and reports the LED": passed 7 steps/);
  // The example names its parts as board files do: the same build passes on tiny-m0 (LED on pin 5, 9600 baud).
  const tiny = npm(["test", "--", "--board", "tiny-m0"], proj);
  assert.equal(tiny.code, 0, tiny.out + tiny.err);
  assert.match(tiny.err, /scenario "main says ready, answers ping and reports the LED": passed 7 steps/);

  // coop hil from the project needs the project's firmware: `npm run hil` names it, a bare call is told to.
  const hil = npm(["run", "hil"], proj);
  assert.equal(hil.code, 0, hil.out + hil.err);
  assert.match(hil.out + hil.err, /1 passed/);
  const bare = spawnSync(process.execPath, [CLI, "hil", "--target", "sim", "--suite", "tests"], { cwd: proj, encoding: "utf8" });
  assert.equal(bare.status, 2, bare.stderr);
  assert.match(bare.stderr, /^coop hil: name the firmware under test with --firmware .*--firmware build\/main\.wasm \(npm run hil\)$/m);

  // Running the source instead of the build says how to build it.
  const src = spawnSync(process.execPath, [CLI, "run", "src/main.ts"], { cwd: proj, encoding: "utf8" });
  assert.equal(src.status, 2, src.stderr);
  assert.equal(src.stderr.trim(), "coop: run takes the built firmware (.wasm), not its source src/main.ts: build it first (coop build src/main.ts -o build/main.wasm), then coop run build/main.wasm");

  // A compile error names the project's file and line.
  const lineNo = main.split("\n").findIndex((l) => l.includes("    led.toggle();")) + 1;
  assert.ok(lineNo > 0, "the example changed: update this test");
  writeFileSync(join(proj, "src/main.ts"), main.replace("    led.toggle();", "    led.set(nope);"));
  const broken = npm(["run", "build"], proj);
  assert.notEqual(broken.code, 0);
  assert.match(broken.err, new RegExp(`^coop: build failed: src/main\\.ts\\(${lineNo},13\\): ERROR TS2304: Cannot find name 'nope'\\. \\(1 compile error\\(s\\)\\)$`, "m"));
  // tsc, as an editor sees the project, finds the same error (and none in the example: checked below).
  const typeErr = npm(["run", "check"], proj);
  assert.notEqual(typeErr.code, 0);
  assert.match(typeErr.out, new RegExp(`^src/main\\.ts\\(${lineNo},13\\): error TS2304: Cannot find name 'nope'\\.$`, "m"));

  // A missing ABI export says the line to add, as a project writes it.
  writeFileSync(join(proj, "src/main.ts"), main.replace(/^export \* from "coop\/abi";.*\n/m, ""));
  const noAbi = npm(["run", "build"], proj);
  assert.notEqual(noAbi.code, 0);
  assert.match(noAbi.err, /^coop: build failed: src\/main\.ts: the firmware entry file does not export the board ABI: add `export \* from "coop\/abi";` at its top/m);

  // A failing scenario step names the scenario file from the project.
  writeFileSync(join(proj, "src/main.ts"), main);
  const typed = npm(["run", "check"], proj);
  assert.equal(typed.code, 0, typed.out + typed.err);
  writeFileSync(join(proj, "tests/main.yaml"), readFileSync(join(proj, "tests/main.yaml"), "utf8").replace('"led 1\\\\n"', '"led 7\\\\n"'));
  const failing = npm(["test"], proj);
  assert.notEqual(failing.code, 0);
  assert.match(failing.err + failing.out, /failed at step 6\/7 \(tests\/main\.yaml:11\)/);

  // The knobs go through the project's build script.
  const knob = npm(["run", "build", "--", "--use", "COOP_TASKS=1"], proj);
  assert.equal(knob.code, 0, knob.err);
  assert.match(knob.out, /\(release, COOP_TASKS=1, \d+ bytes\)/);
  const run = coop(["run", "build/main.wasm", "--until", "100ms", "--quiet"], proj);
  assert.match(run.err, /coop: warning: 1 spawn\(s\) failed: the task table \(1 slots\) was full/);
});
