// The sifive-e (RISC-V) port under QEMU: the bare C self-test (UART0 RX/TX
// interrupts through the PLIC, the mtimecmp alarm, GPIO edges, RX overrun
// counting, the trap vector, semihosting exit status), the firmware's failure
// paths on the AOT engine (trap, panic) with the mps2-an385 fault fixture
// (board-independent wasm), and build:mcu's answers for this board: wasm3
// refused with the RAM it needs, an image too big for the 16 KiB refused with
// the overflow. Skips visibly, with the install command, when QEMU, the cross
// toolchain or wasm2c is missing.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";
import { buildBoardC, buildMcu } from "../../host/mcu/build.js";
import { BOARDS } from "../../host/mcu/boards.js";
import { missingTools, runQemu } from "../../host/mcu/qemu.js";
import { haveWasm2c } from "../../host/aot/translate.js";
import { EXIT } from "../../host/abi.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const out = join(root, "build", "mcu", "test-riscv");
const board = BOARDS["sifive-e"];
const missing = missingTools(board);
const skip = missing.length ? `${missing.join(" and ")} not found; install with: ${board.setupHint}` : false;
const opts = { skip, timeout: 120_000 };
const aotOpts = { skip: skip || (haveWasm2c() ? false : `wasm2c not found; install with: ${board.setupHint}`), timeout: 180_000 };
const cli = join(root, "build/js/host/mcu/build.js");

let selftest: Promise<string> | null = null;
const selftestElf = () => (selftest ??= buildBoardC(root, out, "selftest", ["selftest/selftest.c"], [], "sifive-e"));

let fault: ReturnType<typeof buildMcu> | null = null;
const faultBuild = () =>
  (fault ??= (async () => {
    mkdirSync(out, { recursive: true });
    const wasm = join(out, "fault.wasm");
    const { error, stderr } = await asc.main([
      join(root, "boards/qemu-mps2-an385/fixtures/fault.ts"), "--config", join(root, "asconfig.json"), "--target", "release", "-o", wasm,
    ]);
    if (error) throw new Error(`fixture does not compile: ${stderr.toString()}`);
    return buildMcu({ wasm, root, out, quiet: true, board: "sifive-e" });
  })());

test("setup:riscv is idempotent and says what it did", { skip }, () => {
  const r = spawnSync("sh", [join(root, "boards/qemu-sifive-e/setup.sh")], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^setup:riscv: (ready|SKIP|installed)/m);
});

test("sifive-e self-test: echo over the PLIC's UART0 interrupts, alarm sleep on mtimecmp, GPIO edges, exit status", opts, async () => {
  const r = await runQemu(await selftestElf(), { input: "eZcsgx7", timeoutMs: 20_000, board });
  assert.equal(r.status, 7, `semihosting status; uart: ${r.uart} diag: ${r.diag}`);
  assert.match(r.uart, /^selftest ready\n/);
  assert.match(r.uart, /^echo Z$/m);
  // QEMU 7.2 runs sifive_e's mtime at 10 MHz: hal_now() = mtime / 10 is in microseconds iff 1 000
  // ticks pass per 1 000 000 instructions at -icount shift=0 (1 ns each).
  const clock = /^clock (\d+) ticks in (\d+) instructions$/m.exec(r.uart);
  assert.ok(clock, `no clock line in: ${r.uart}`);
  const [ticks, insns] = [Number(clock[1]), Number(clock[2])];
  assert.ok(insns > 1_000_000 && Math.abs(ticks - insns / 1000) <= 2, `${ticks} ticks in ${insns} instructions (1 ns each): not microseconds`);
  const slept = Number(/^slept (\d+) woke by alarm$/m.exec(r.uart)?.[1]);
  // Never early (mtime / 10 is the microsecond clock); late only by host scheduling of idle time.
  assert.ok(slept >= 50_000 && slept < 500_000, `slept ${slept} us for a 50 ms alarm`);
  // Both edges of a pin the firmware drives arrive as the pin's GPIO line, through the PLIC.
  assert.match(r.uart, /^gpio edges 2 level 0$/m);
  assert.match(r.diag, /\[mcu\] exit: heap peak 0 B, stack peak \d+ B, uart0 overruns 0/);
});

test("sifive-e self-test: an RX flood while the app does not read is counted as overruns, no hang", opts, async () => {
  const flood = "A".repeat(1000);
  const r = await runQemu(await selftestElf(), { input: "o" + flood, timeoutMs: 5_000, board });
  const m = /overruns (\d+) kept (\d+)/.exec(r.uart);
  assert.ok(m, `no overrun report in: ${r.uart}`);
  const [over, kept] = [Number(m[1]), Number(m[2])];
  assert.equal(kept, 128, "the RX ring (128 B) is full when the app resumes");
  assert.equal(over + kept, flood.length, "every byte is either kept or counted as dropped");
});

test("sifive-e: an exception in the board's C code is reported with mcause and pc, exit INTERNAL", opts, async () => {
  const r = await runQemu(await selftestElf(), { input: "f", timeoutMs: 20_000, board });
  assert.equal(r.status, EXIT.INTERNAL, `uart: ${r.uart}`);
  assert.match(r.uart, /^\[mcu\] fatal: exception, mcause=0x2 at pc=0x204[0-9a-f]{5}$/m);
});

test("sifive-e AOT firmware: memory search inside the RAM, no heap; trap and panic reported, exit FIRMWARE_FAULT", aotOpts, async () => {
  const b = await faultBuild();
  assert.equal(b.board, "sifive-e");
  assert.equal(b.engine, "aot");
  assert.match(b.elf, /fault\.sifive-e\.aot\.elf$/);
  assert.ok(b.memoryLimit > 0 && b.memoryLimit % 256 === 0 && b.memoryLimit < board.ramBytes!, `limit ${b.memoryLimit}`);
  assert.ok(b.data + b.bss + b.stackBytes <= board.ramBytes!, "the image fits the 16 KiB");
  assert.equal(b.heapPeak, 0);
  // 256 B less than the search found does not start.
  await assert.rejects(
    buildMcu({ wasm: join(out, "fault.wasm"), root, out: join(out, "small"), quiet: true, board: "sifive-e", memoryLimit: b.memoryLimit - 256 }),
    new RegExp(`the firmware stopped with status ${EXIT.FIRMWARE_FAULT} in the measuring run: coop: trap in _start`),
  );
  const t = await runQemu(b.elf, { input: "t", timeoutMs: 30_000, board });
  assert.equal(t.status, EXIT.FIRMWARE_FAULT, `uart: ${t.uart}`);
  assert.match(t.uart, /fault fixture ready\n/);
  assert.match(t.uart, /coop: trap in coop_step: .*out of bounds memory access.* in task 0 "fault"\n/);
  const p = await runQemu(b.elf, { input: "p", timeoutMs: 30_000, board });
  assert.equal(p.status, EXIT.FIRMWARE_FAULT, `uart: ${p.uart}`);
  assert.match(p.uart, /coop: panic: fixture asked to panic at .*fault\.ts:\d+:\d+ in task 0 "fault"\n/);
});

test("build:mcu --board sifive-e: wasm3, an image over the RAM and an unknown board get one line and status USAGE", aotOpts, () => {
  const demo = join(root, "build", "demo.wasm");
  for (const [args, re] of [
    [[demo, "--board", "sifive-e", "--engine", "wasm3"], /^build:mcu: --engine wasm3 does not fit the sifive-e's 16384 B of RAM: wasm3 needs at least \d+ B for this \d+ B module \(compiled code about 2\.7x the module, plus the 8192 B value stack\) before its runtime and the linear memory; use --engine aot\n$/],
    [[demo, "--board", "sifive-e", "--memory-limit", "12288", "--no-measure", "--out", join(out, "big")], /^build:mcu: .*demo\.wasm does not fit the sifive-e's 16384 B of RAM with 12288 B of linear memory and a 4096 B stack: \d+ B over\n$/],
    [[demo, "--board", "esp32"], /^build:mcu: --board takes mps2-an385 or sifive-e, not 'esp32'\n$/],
  ] as const) {
    const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8" });
    assert.equal(r.status, EXIT.USAGE, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
});

test("build:mcu --board sifive-e: the demo's memory search ends in a refusal that says what it needs and by how much it is over", aotOpts, async () => {
  await assert.rejects(
    buildMcu({ wasm: join(root, "build", "demo.wasm"), root, out: join(out, "demo"), quiet: true, board: "sifive-e" }),
    /demo\.wasm does not fit the sifive-e's 16384 B of RAM: it needs more than \d+ B of linear memory, and already with \d+ B the image \(linear memory, statics, the 4096 B stack\) is \d+ B over$/,
  );
});

test("build:mcu: a firmware asking for a part the board does not name is refused in one line, not sized (blinky: LED2 on sifive-e, LED on mps2-an385)", aotOpts, () => {
  const blinky = join(root, "build", "blinky.wasm");
  for (const [b, line] of [
    ["sifive-e", 'coop: board sifive-e has no pin named "LED2" (its pins: LED)'],
    ["mps2-an385", 'coop: board mps2-an385 has no pin named "LED" (it has no pins)'],
  ]) {
    const r = spawnSync(process.execPath, [cli, blinky, "--board", b, "--engine", "aot", "--out", join(out, `blinky-${b}`)], { encoding: "utf8" });
    assert.equal(r.status, EXIT.BAD_MODULE, r.stderr);
    assert.equal(r.stderr.trim(), `build:mcu: ${blinky} cannot run on the ${b}: ${line}`);
  }
});
