// `coop init <dir>`: a firmware project of its own, outside this checkout.
// The project depends on this package by a file: path (there is no registry
// release), which npm links into node_modules/coop; its firmware imports
// "coop", "coop/abi", "coop/hal" and "coop/sync", which asc resolves to the
// package root's index.ts, abi.ts, hal.ts and sync.ts. Its scripts call the
// package's `coop` command, so a project build is `coop build` (host/build.ts
// finds the project from the entry's node_modules/coop).

import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";

/** A project that cannot be made as asked: one line for the user. */
export class ProjectError extends Error {}

/** npm's rules for a package name, applied to a folder name: lowercase, URL-safe, not "coop" itself. */
function projectName(dir: string): string {
  const name = basename(resolve(dir)).toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[._-]+/, "").slice(0, 214);
  if (name === "") return "firmware";
  return name === "coop" ? "coop-firmware" : name;
}

/** Writes the project into `dir` (new, or empty) depending on the coop checkout `coop`; returns the files written and the dependency's path. */
export function initProject(dir: string, coop: string): { files: string[]; coop: string } {
  const target = resolve(dir);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new ProjectError(`init: ${dir} is a file, not a folder (coop init makes a project in a new or empty folder)`);
    if (readdirSync(target).length) throw new ProjectError(`init: ${dir} is not empty (coop init makes a project in a new or empty folder; nothing was written)`);
  }
  const pkg = resolve(coop);
  let pkgName: unknown;
  try {
    pkgName = (JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")) as { name?: unknown }).name;
  } catch {
    pkgName = undefined;
  }
  if (pkgName !== "coop" || !existsSync(join(pkg, "index.ts")) || !existsSync(join(pkg, "assembly/coop"))) {
    throw new ProjectError(`init: --coop ${coop} is not a coop checkout (it needs package.json named "coop", index.ts and assembly/coop/)`);
  }
  const name = projectName(dir);
  const files: Record<string, string> = {
    "package.json": JSON.stringify({
      name,
      version: "0.1.0",
      private: true,
      description: "Firmware on coop, the cooperative no-alloc async runtime",
      scripts: {
        build: "coop build src/main.ts -o build/main.wasm",
        run: "npm run build && coop run build/main.wasm --until 3s",
        test: "npm run build && coop run build/main.wasm --script tests/main.yaml",
        // Every scenario in tests/ on a HIL target (sim by default; --target wasm3, native, qemu-aot, ...).
        hil: "npm run build && coop hil --suite tests --firmware build/main.wasm --target sim",
        // tsc over the firmware, as editors see it (the checkout's TypeScript: the project installs nothing else).
        check: "node node_modules/coop/node_modules/typescript/bin/tsc -p .",
      },
      dependencies: { coop: `file:${pkg}` },
    }, null, 2) + "\n",
    // Editors and `npm run check`: AssemblyScript's types, and async functions typed as the build lowers them.
    "tsconfig.json": JSON.stringify({ extends: "./node_modules/coop/assembly/tsconfig.json", include: ["src/**/*.ts", "node_modules/coop/assembly/async.d.ts"] }, null, 2) + "\n",
    "src/main.ts": MAIN_TS,
    "tests/main.yaml": MAIN_YAML,
    "README.md": readme(name, pkg),
    ".gitignore": "node_modules/\n",
    // The only dependency is a linked folder: nothing for npm to audit or fund from the registry.
    ".npmrc": "audit=false\nfund=false\n",
    // build/ stays in git (coop build writes into an existing folder); what is built there does not.
    "build/.gitignore": "*\n!.gitignore\n",
  };
  for (const [file, text] of Object.entries(files)) {
    const p = join(target, file);
    mkdirSync(resolve(p, ".."), { recursive: true });
    writeFileSync(p, text);
  }
  return { files: Object.keys(files), coop: pkg };
}

const MAIN_TS = `// The firmware: two tasks. \`blink\` toggles the LED every 500 ms; \`shell\`
// answers lines on UART0: "ping" -> "pong", "led" -> "led <level>".
// Each task is an async function: the code before its first await runs once,
// at start-up, and builds what the task waits on; nothing may allocate after.
// Build: npm run build (build/main.wasm). Guide: node_modules/coop/README.md.

export * from "coop/abi"; // the board ABI exports (coop_step, ...): every firmware entry file needs this
import { Ticker, millis, spawn } from "coop";
import { OutputPin, Uart, UartReadLine, UartWrite, OK } from "coop/hal";

// Parts by the board file's names (node_modules/coop/boards/*.json), so the
// same build runs on every board that has them: the LED is pin 0 on
// sim-devkit and pin 5 on tiny-m0. A board without one stops the firmware at
// start-up, naming it.
const led = OutputPin.named("LED");
const uart0 = Uart.named("UART0", 64);

async function blink(): Promise<void> {
  const tick = new Ticker(millis(500)); // built once, when blink() is called
  while (true) {
    await tick; // the ticker wakes the task at the next tick
    led.toggle();
  }
}

async function shell(): Promise<void> {
  const rl = new UartReadLine(uart0, 64);
  const out = new UartWrite(uart0, 64);
  await out.str("ready").nl();
  while (true) {
    await rl; // one line from UART0, without its line ending
    if (rl.error != OK) {
      await out.str("error: the line lost bytes or was too long").nl();
      continue;
    }
    const line = rl.line;
    if (line.equals("ping")) await out.str("pong").nl();
    else if (line.equals("led")) await out.str("led ").uint(led.level).nl();
    else await out.str("unknown: ").slice(line).nl();
  }
}

// Top-level code runs once, at start-up; each task is named after its function.
spawn(blink());
spawn(shell());
`;

const MAIN_YAML = `name: main says ready, answers ping and reports the LED
description: The shell's answers on UART0 and the LED after the first 500 ms tick.
steps:
  - wait-serial: "ready\\\\n"
    timeout: 1s
  - write-serial: "ping\\n"
  - wait-serial: "pong\\\\n"
    timeout: 1s
  - wait: 600ms
  - write-serial: "led\\n"
  - wait-serial: "led 1\\\\n"
    timeout: 1s
  - expect-pin: { pin: LED, level: 1 }
`;

function readme(name: string, pkg: string): string {
  return `# ${name}

Firmware on [coop](${pkg}/README.md), the cooperative no-alloc async runtime
for microcontrollers. Made by \`coop init\`.

\`\`\`sh
npm install          # links coop into node_modules (see "The coop dependency")
npm test             # build, then run tests/main.yaml on the simulated board
npm run run          # build, then run 3 simulated seconds (UART output, metrics)
npm run build        # src/main.ts -> build/main.wasm
npm run check        # tsc over src/ (what an editor shows; tsconfig.json)
npm run hil          # every scenario in tests/ with coop hil (-- --target wasm3,native,qemu-aot for more)
\`\`\`

| file | what |
| --- | --- |
| \`src/main.ts\` | the firmware entry: tasks as \`async function\`s, spawned at start-up |
| \`tests/main.yaml\` | a scenario: serial writes and waits, pin checks (\`coop run --script\`) |
| \`build/\` | what \`npm run build\` writes |
| \`.npmrc\` | no registry audit or fund calls: the only dependency is a linked folder |
| \`tsconfig.json\` | for editors and \`npm run check\`: AssemblyScript's types, async functions as the build types them |

Firmware imports the runtime from \`"coop"\`, the HAL drivers from
\`"coop/hal"\`, channels and other primitives from \`"coop/sync"\`; the entry
file also has \`export * from "coop/abi";\` (the board ABI exports). Errors
name files from this folder (\`src/main.ts(12,5): ...\`).

## Options

Arguments after \`--\` go to the last command of a script:

\`\`\`sh
npm run build -- --use COOP_TASKS=8 --use COOP_TIMERS=16   # build knobs: task slots, timer pool
npm run build -- --use COOP_POLL_BUDGET=64                 # polls per step call
npm run build -- --speed                                   # shrinkLevel 0: faster, larger
npx coop build src/main.ts -o build/main.debug.wasm --debug
npm test -- --engine wasm3        # the interpreter the MCU runs (npm run build:wasm3-engine in the checkout first)
npx coop run build/main.wasm --trace trace.json --vcd pins.vcd   # a Perfetto trace, GTKWave waveforms
npx coop --help
\`\`\`

To keep a knob, add it to the \`build\` script in package.json (\`npm run
run\` and \`npm test\` rebuild with that script).

## The coop dependency

coop has no registry release: package.json depends on a checkout on this
machine, \`"coop": "file:${pkg}"\`. npm links that folder into
\`node_modules/coop\` (nothing is downloaded), and the checkout must be built
(\`npm install && npm run build\` there). To use another checkout, change the
path in package.json and run \`npm install\` again, or make the project with
\`coop init <dir> --coop <path>\`.

The runtime's guide: \`node_modules/coop/README.md\` and
\`node_modules/coop/docs/\` (runtime.md: tasks, timers, knobs; sync.md;
simulator.md: \`coop run\` and scenarios).
`;
}
