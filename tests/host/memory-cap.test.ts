// The linear-memory cap: the simulator's wasm3 engine (the addon,
// boards/wasm3-node) and the device embedding (boards/wasm3/coop_wasm3.c, run
// here as coop-native, the same C the MCU runs) share one implementation
// (boards/wasm3/coop_memcap.h), so the same module and limit get the same
// verdict: refused with the same words, or loaded with memory.grow giving the
// same answer. The modules are made so that the module gate passes them and
// the cap's own rules decide.

import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import binaryen from "binaryen";
import { abiModule } from "./fixtures/native.js";
import { loadNative } from "../../host/engines/wasm3.js";
import { ROOT, ensureWasm3Built } from "../../host/engines/wasm3/testkit.js";
import { ABI_IMPORTS, EXIT } from "../../host/abi.js";

const NATIVE = join(ROOT, "build/coop-native");
const TMP = mkdtempSync(join(tmpdir(), "coop-memcap-"));

before(() => {
  ensureWasm3Built();
  const r = spawnSync("sh", [join(ROOT, "boards/native/build.sh")], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});

/** An ABI module whose coop_step writes memory.grow(delta)'s result (i32, 4 bytes) to UART0 and has nothing left to do. */
function growModule(initPages: number, delta: number, data = ""): Uint8Array {
  const m = binaryen.parseText(abiModule(
    `(i32.store (i32.const 8) (memory.grow (i32.const ${delta})))
     (drop (call $uw (i32.const 0) (i32.const 8) (i32.const 4)))
     (i64.const -1)`, { memory: String(initPages), data }));
  assert.ok(m.validate());
  const b = m.emitBinary();
  m.dispose();
  return b;
}

type Verdict = { refused: string } | { grow: number };

/** coop-native --memory <limit>: the MCU's embedding. */
function device(wasm: Uint8Array, limit: number): Verdict {
  const f = join(TMP, `m${Math.random().toString(36).slice(2)}.wasm`);
  writeFileSync(f, wasm);
  const r = spawnSync(NATIVE, ["--memory", String(limit), f], { encoding: "latin1", timeout: 10_000 });
  if (r.status === EXIT.OK) return { grow: Buffer.from(r.stdout, "latin1").readInt32LE(0) };
  assert.equal(r.status, EXIT.BAD_MODULE, r.stderr);
  return { refused: r.stderr.trim().replace(/^coop: /, "") };
}

/** The simulator's wasm3 engine: the addon's create() with the same limit. */
function addon(wasm: Uint8Array, limit: number): Verdict {
  const n = loadNative();
  let out: number | null = null;
  const uartWrite = (_port: number, ptr: number, len: number) => {
    out = Buffer.from(n.memRead(h, ptr, len)!).readInt32LE(0);
    return len;
  };
  let h: object;
  try {
    h = n.create(wasm, [["board", "uart_write", ABI_IMPORTS.uart_write, uartWrite]], 16384, limit);
  } catch (e) {
    return { refused: (e as Error).message };
  }
  n.call(h, n.lookup(h, "coop_step"));
  n.free(h);
  assert.notEqual(out, null);
  return { grow: out! };
}

const cases: { name: string; wasm: () => Uint8Array; limit: number; want: Verdict }[] = [
  // A limit that is not whole pages rounds up: the last page is partial, so growing into it succeeds.
  { name: "1 page, limit 1.5 pages, grow 1", wasm: () => growModule(1, 1), limit: 98304, want: { grow: 1 } },
  { name: "1 page, limit 1 page, grow 1", wasm: () => growModule(1, 1), limit: 65536, want: { grow: -1 } },
  { name: "1 page, limit 3 pages, grow 2", wasm: () => growModule(1, 2), limit: 3 * 65536, want: { grow: 1 } },
  { name: "1 page, limit 3 pages, grow 3", wasm: () => growModule(1, 3), limit: 3 * 65536, want: { grow: -1 } },
  // Declared pages above the limit are fine while the data fits: it loads, and cannot grow.
  { name: "2 pages declared, limit 1 page, small data", wasm: () => growModule(2, 1, `(data (i32.const 64) "hi")`), limit: 65536, want: { grow: -1 } },
  // Data that cannot fit (two overlapping 40 000-byte segments: each ends inside the limit, so the gate lets them by).
  {
    name: "2 pages declared, limit 1 page, 80 000 bytes of data",
    wasm: () => growModule(2, 1, `(data (i32.const 0) "${"a".repeat(40000)}") (data (i32.const 0) "${"b".repeat(40000)}")`),
    limit: 65536,
    want: { refused: "bad module: its data does not fit the memory limit" },
  },
];

for (const c of cases) {
  test(`memory cap, ${c.name}: the device embedding and the wasm3 engine agree`, () => {
    const wasm = c.wasm();
    const d = device(wasm, c.limit);
    assert.deepEqual(d, c.want, "device (coop-native)");
    assert.deepEqual(addon(wasm, c.limit), d, "wasm3 engine (addon) vs device");
  });
}
