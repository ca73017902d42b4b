// The wasm3 engine on its own: loading and refusing modules, running
// firmware, trap reports, memory access, the memory cap, re-entrancy, and the
// "not built" message. The addon is built first if missing (a failure names
// `npm run build:wasm3-engine`), so these tests never pass without wasm3.

import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { BoardImports, Engine, Firmware } from "../../host/engine.js";
import { V8Engine } from "../../host/engines/v8.js";
import { Wasm3Engine, type Wasm3TrapError } from "../../host/engines/wasm3.js";
import { record } from "../../host/engines/wasm3/recorder.js";
import { ROOT, compileFixture, ensureWasm3Built } from "../../host/engines/wasm3/testkit.js";
import { unkeptIrqQuiet } from "../../host/abi.js";

let wasm3: Engine;
before(() => {
  ensureWasm3Built();
  wasm3 = new Wasm3Engine();
});

/** A board whose imports do nothing useful; `over` replaces some. */
function stubBoard(over: Partial<BoardImports> = {}): BoardImports {
  const b: BoardImports = {
    tick_hz: () => 1_000_000, now: () => 0n, set_alarm: () => {}, irq_take: () => 0,
    uart_write: (_p, _ptr, len) => len, uart_read: () => 0, uart_overruns: () => 0,
    gpio_write: () => 0, gpio_read: () => 0, gpio_irq: () => 0, adc_start: () => 0, adc_read: () => 0,
    bus_transfer: () => 0, bus_status: () => -4, resolve: () => 0, log: () => {}, trace: () => {},
    panic: () => { throw new Error("panic"); },
    irq_quiet: unkeptIrqQuiet(),
  };
  return Object.assign(b, over);
}

/** Hand-assembled module: one import env.foo () -> (), nothing else. */
const ENV_IMPORT = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
  0x02, 0x0b, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x03, 0x66, 0x6f, 0x6f, 0x00, 0x00,
]);

async function refusal(engine: Engine, wasm: Uint8Array, board = stubBoard()): Promise<string> {
  try {
    const fw = await engine.load(wasm, board);
    fw.close();
  } catch (e) {
    return (e as Error).message;
  }
  return "<loaded>";
}

test("wasm3 runs blinky: LED 0 toggles every 500 ms of virtual time", async () => {
  const wasm = new Uint8Array(readFileSync(join(ROOT, "build/blinky.wasm")));
  const r = await record(wasm3, wasm, { untilUs: 2_600_000 });
  assert.equal(r.end, "time");
  const writes = r.events.filter((e) => / gpio_write 0 /.test(e)).map((e) => e.split(" "));
  assert.equal(writes.length, 5, `LED writes: ${writes.map((w) => w.join(" ")).join("; ")}`);
  for (let i = 1; i < writes.length; i++) {
    assert.equal(BigInt(writes[i][0]) - BigInt(writes[i - 1][0]), 500_000n, "500 ms apart");
    assert.notEqual(writes[i][3], writes[i - 1][3], "level alternates");
  }
});

test("wasm3 refuses bad modules with the same one-line messages as V8", async () => {
  const v8 = new V8Engine();
  const cases: [string, Uint8Array][] = [
    ["not wasm", new TextEncoder().encode("hello, not a module")],
    ["truncated", (await compileFixture("workload")).slice(0, 200)],
    ["foreign import", ENV_IMPORT],
  ];
  for (const [what, bytes] of cases) {
    const a = await refusal(v8, bytes);
    const b = await refusal(wasm3, bytes);
    assert.notEqual(b, "<loaded>", `${what}: wasm3 loaded it`);
    assert.equal(b, a, what);
    assert.ok(!b.includes("\n"), `${what}: one line`);
  }
});

test("wasm3 names a board import that is not a function", async () => {
  const board = stubBoard();
  (board as unknown as Record<string, unknown>).gpio_irq = 42;
  assert.match(await refusal(wasm3, await compileFixture("workload"), board), /board import gpio_irq is not a function/);
});

/** Load the trap fixture on `engine`, feed `mode` as the first UART byte, run one step. */
async function trapRun(engine: Engine, mode: string, target: "release" | "debug", over: Partial<BoardImports> = {}): Promise<{ err: unknown; out: number[] }> {
  const out: number[] = [];
  let fw: Firmware | null = null;
  let sent = false;
  const board = stubBoard({
    irq_take: () => (sent ? 0 : 1 << 1),
    uart_read: (_port, ptr) => {
      if (sent) return 0;
      sent = true;
      fw!.memory.write(ptr, new TextEncoder().encode(mode));
      return 1;
    },
    uart_write: (_port, ptr, len) => {
      out.push(...fw!.memory.read(ptr, len)!);
      return len;
    },
    ...over,
  });
  try {
    fw = await engine.load(await compileFixture("traps", target), board);
    fw.start();
    fw.step();
    fw.step();
    return { err: null, out };
  } catch (e) {
    return { err: e, out };
  } finally {
    fw?.close();
  }
}

test("a wasm3 trap says what, and where in `func` and `frame` (function name in debug builds, index in release)", async () => {
  const dbg = await trapRun(wasm3, "1", "debug");
  const e = dbg.err as Wasm3TrapError;
  assert.ok(e instanceof WebAssembly.RuntimeError, `a RuntimeError, as under V8: ${String(e)}`);
  assert.equal(e.message, "memory access out of bounds (wasm3: [trap] out of bounds memory access)");
  assert.match(e.func ?? "", /Trapper#poll/);
  assert.ok(e.frame && e.frame.func > 0 && e.frame.offset !== null && e.frame.offset > 0, `the trapping function's index and offset: ${JSON.stringify(e.frame)}`);
  assert.equal(e.trap, "[trap] out of bounds memory access");
  const rel = await trapRun(wasm3, "3", "release");
  assert.equal((rel.err as Error).message, "divide by zero (wasm3: [trap] integer divide by zero)");
  assert.match((rel.err as Wasm3TrapError).func ?? "", /^function #\d+$/);
  const so = await trapRun(wasm3, "5", "release");
  assert.ok(so.err instanceof RangeError, "stack overflow is a RangeError, as under V8");
  assert.match((so.err as Error).message, /^Maximum call stack size exceeded \(wasm3: .*stack overflow/);
});

test("trap errors have the same class and leading words on V8 and wasm3", async () => {
  for (const mode of "1235") {
    const a = (await trapRun(new V8Engine(), mode, "release")).err as Error;
    const b = (await trapRun(wasm3, mode, "release")).err as Error;
    assert.equal(b.constructor.name, a.constructor.name, `mode ${mode}`);
    assert.ok(b.message.startsWith(`${a.message} (wasm3: `), `mode ${mode}: v8 "${a.message}", wasm3 "${b.message}"`);
  }
});

test("an exception thrown by a board import comes out of wasm3 unchanged (as under V8)", async () => {
  for (const engine of [new V8Engine(), wasm3]) {
    const mine = new Error("board says stop");
    const r = await trapRun(engine, "4", "release", { panic: () => { throw mine; } });
    assert.equal(r.err, mine, engine.name);
  }
});

test("wasm3 refuses a call into the firmware from inside an import", async () => {
  let fw: Firmware | null = null;
  let inner: unknown = null;
  const board = stubBoard({
    trace: () => {
      if (inner) return;
      try { fw!.stat(0); } catch (e) { inner = e; }
    },
  });
  fw = await wasm3.load(await compileFixture("workload"), board);
  fw.setTrace(true);
  fw.start();
  fw.close();
  assert.match(String((inner as Error)?.message), /re-entrant call/);
});

test("firmware memory access is range-checked and agrees with V8", async () => {
  const wasm = await compileFixture("workload");
  for (const engine of [new V8Engine(), wasm3]) {
    const fw = await engine.load(wasm, stubBoard());
    const m = fw.memory;
    const size = m.size();
    assert.equal(size, 65536, engine.name);
    assert.equal(m.write(size - 4, new Uint8Array([1, 2, 3, 4])), true);
    assert.deepEqual([...m.read(size - 4, 4)!], [1, 2, 3, 4]);
    assert.equal(m.read(size - 3, 4), null);
    assert.equal(m.read(-1, 1), null);
    assert.equal(m.read(0.5, 1), null);
    assert.equal(m.write(size - 1, new Uint8Array(2)), false);
    assert.equal(m.write(2 ** 32 - 1, new Uint8Array(2)), false);
    assert.equal(m.read(size, 0)?.length, 0);
    fw.close();
  }
});

test("the memory cap makes memory.grow fail like on an MCU (V8 and uncapped wasm3 grow)", async () => {
  const grow = (out: number[]) => new DataView(Uint8Array.from(out).buffer).getInt32(0, true);
  assert.equal(grow((await trapRun(new V8Engine(), "7", "release")).out), 1, "V8: previous size 1 page");
  assert.equal(grow((await trapRun(wasm3, "7", "release")).out), 1, "wasm3 uncapped");
  assert.equal(grow((await trapRun(new Wasm3Engine({ memoryLimit: 65536 }), "7", "release")).out), -1, "wasm3 capped at 64 KiB");
});

test("recursion 3000 deep: fine on V8, stack overflow on wasm3's default 16 KiB stack (as on the device), fine with 256 KiB", async () => {
  const out = (r: { out: number[] }) => new DataView(Uint8Array.from(r.out).buffer).getInt32(0, true);
  const a = await trapRun(new V8Engine(), "8", "release");
  assert.equal(a.err, null);
  assert.equal(out(a), 3000);
  const b = await trapRun(wasm3, "8", "release");
  assert.ok(b.err instanceof RangeError, String(b.err));
  const c = await trapRun(new Wasm3Engine({ stackBytes: 256 * 1024 }), "8", "release");
  assert.equal(c.err, null);
  assert.equal(out(c), 3000);
});

test("odd i32 import results (too big, fractional, NaN, boolean, string, undefined) convert as V8 converts them", async () => {
  const wasm = await compileFixture("workload");
  // The workload's edge task prints gpio_read's result (as u32, hex) after a GPIO 2 edge.
  const seen = async (engine: Engine, value: unknown): Promise<string> => {
    let out = "";
    let fired = false;
    let fw: Firmware | null = null;
    const board = stubBoard({
      irq_take: () => (fired ? 0 : ((fired = true), 1 << 18)),
      gpio_read: (() => value) as unknown as (pin: number) => number,
      uart_write: (_p, ptr, len) => { out += Buffer.from(fw!.memory.read(ptr, len)!).toString("latin1"); return len; },
    });
    fw = await engine.load(wasm, board);
    fw.start();
    fw.step();
    fw.close();
    return out.split("\n").find((l) => l.startsWith("G ")) ?? `<no G line in ${JSON.stringify(out)}>`;
  };
  for (const v of [2 ** 32 + 5, -1.5, 3.99, NaN, Infinity, true, "7", undefined, null, 2 ** 31]) {
    const a = await seen(new V8Engine(), v);
    const b = await seen(wasm3, v);
    assert.match(a, /^G [0-9a-f]{16}$/);
    assert.equal(b, a, `gpio_read returning ${String(v)}`);
  }
});

test("an i64 import returning a Number is a TypeError on both engines", async () => {
  for (const engine of [new V8Engine(), wasm3]) {
    const r = await trapRun(engine, "0", "release", { now: (() => 5) as unknown as () => bigint });
    assert.ok(r.err instanceof TypeError, `${engine.name}: ${String(r.err)}`);
  }
});

test("without the addon, choosing wasm3 fails with one line naming the build command", () => {
  const script = `import("${join(ROOT, "build/js/host/engines/index.js")}").then(m => m.createEngine("wasm3")).then(() => console.log("created"), e => { console.log("ERR " + e.message); process.exit(3); })`;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env: { ...process.env, COOP_WASM3_ADDON: "/nonexistent/coop_wasm3.node" } });
  assert.equal(r.status, 3, r.stdout + r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^ERR .*not built.*run: npm run build:wasm3-engine$/);
  assert.ok(existsSync(join(ROOT, "boards/wasm3-node/build.sh")), "the named build exists");
});
