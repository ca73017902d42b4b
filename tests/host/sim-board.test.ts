// Board files: a misspelt or unknown field is refused with one line naming
// the field and the file (it used to be ignored, so `uart` instead of `uarts`
// silently gave a board without a UART). Every shipped board still loads.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BoardError } from "../../host/sim/board.js";
import { loadBoard } from "../../host/board-file.js";
import { ROOT } from "./fixtures/build.js";

const dir = mkdtempSync(join(tmpdir(), "coop-board-"));
const write = (name: string, board: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(board));
  return p;
};

/** loadBoard refuses `board` with one line naming the file and matching `re`. */
function refused(name: string, board: unknown, re: RegExp) {
  const p = write(name, board);
  assert.throws(() => loadBoard(p), (e: Error) => {
    assert.ok(e instanceof BoardError, String(e));
    assert.ok(!e.message.includes("\n"), e.message);
    assert.ok(e.message.includes(p), `names the file: ${e.message}`);
    assert.match(e.message, re);
    return true;
  });
}

test("every shipped board file still loads", () => {
  const files = readdirSync(join(ROOT, "boards")).filter((f) => f.endsWith(".json"));
  assert.ok(files.length >= 2);
  for (const f of files) assert.equal(typeof loadBoard(join(ROOT, "boards", f)).name, "string", f);
});

test("unknown fields are refused at every level, naming the field and the file", () => {
  refused("top.json", { name: "b", uart: [{ port: 0 }] }, /unknown field `uart` \(known: .*uarts/);
  refused("clocks.json", { name: "b", clocks: { cpu_mhz: 48 } }, /unknown field `clocks\.cpu_mhz`/);
  refused("cost.json", { name: "b", cost: { poll_us: 2 } }, /unknown field `cost\.poll_us`/);
  refused("uarts.json", { name: "b", uarts: [{ port: 0, baudrate: 9600 }] }, /unknown field `uarts\[0\]\.baudrate`/);
  refused("pins.json", { name: "b", pins: [{ pin: 0, name: "LED", dir: "out", pull: "up" }] }, /unknown field `pins\[0\]\.pull`/);
  refused("adc.json", { name: "b", adc: { conversion_us: 20, chanels: [] } }, /unknown field `adc\.chanels`/);
  refused("ch.json", { name: "b", adc: { channels: [{ channel: 0, name: "POT", src: 5 }] } }, /unknown field `adc\.channels\[0\]\.src`/);
  refused("src.json", { name: "b", adc: { channels: [{ channel: 0, name: "POT", source: { type: "sine", offset: 1, amplitude: 1, period: 5 } }] } }, /unknown field `adc\.channels\[0\]\.source\.period`/);
  refused("i2c.json", { name: "b", i2c: { devices: [{ type: "ts1", address: 72 }] } }, /unknown field `i2c\.devices\[0\]\.address`/);
  refused("list.json", { name: "b", pins: { pin: 0 } }, /`pins` must be a list/);
});

test("every documented field, noise on a source included, is still accepted", () => {
  const p = write("full.json", {
    name: "full", description: "d", clocks: { tick_hz: 1_000_000, cpu_hz: 8_000_000 }, cost: { poll_ns: 5, unit_ns: 1, slow_poll_us: 9 },
    uarts: [{ port: 0, baud: 9600, rx_fifo: 4, tx_fifo: 4 }], pins: [{ pin: 1, name: "LED", dir: "out", initial: 1 }],
    adc: { conversion_us: 10, channels: [{ channel: 0, name: "POT", source: { type: "ramp", from: 0, to: 9, period_ms: 5, noise: 2 } }] },
    i2c: { clock_hz: 100_000, devices: [{ type: "ts1", addr: 72, source: 20 }] },
  });
  const b = loadBoard(p);
  assert.equal(b.uarts[0].baud, 9600);
  assert.equal(b.pins[0].initial, 1);
});
