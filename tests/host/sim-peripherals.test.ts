// Peripheral models, event queue, PRNG and sources, driven without firmware
// through a small PeriphCtx with a hand-moved clock.

import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventQueue } from "../../host/sim/events.js";
import { Prng } from "../../host/sim/prng.js";
import { makeSource } from "../../host/sim/sources.js";
import { Alarm, Uart, Gpio, Adc, I2cBus, Ts1, type PeriphCtx } from "../../host/sim/peripherals.js";
import { ERR } from "../../host/abi.js";

const { EBADPORT, EBADPTR, EBUSY, ENOTREADY } = ERR;
import { parseBoard } from "../../host/sim/board.js";
import type { FirmwareMemory } from "../../host/engine.js";

class Mem implements FirmwareMemory {
  buf = new Uint8Array(256);
  size() { return this.buf.length; }
  read(p: number, n: number) { return p >= 0 && n >= 0 && p + n <= this.buf.length ? this.buf.slice(p, p + n) : null; }
  write(p: number, d: Uint8Array) { if (p < 0 || p + d.length > this.buf.length) return false; this.buf.set(d, p); return true; }
}

class Ctx implements PeriphCtx {
  t = 0;
  events = new EventQueue();
  raised: [number, number][] = [];
  mem = new Mem();
  now() { return this.t; }
  raise(line: number) { this.raised.push([this.t, line]); }
  memory() { return this.mem; }
  /** Run events up to time t. */
  runTo(t: number) {
    for (;;) {
      const e = this.events.popDue(t);
      if (!e) break;
      this.t = e.t;
      e.fn();
    }
    this.t = t;
  }
}

test("event queue orders by time, then by scheduling order; cancelled events are skipped", () => {
  const q = new EventQueue();
  const seen: string[] = [];
  q.at(5, () => seen.push("b"));
  q.at(3, () => seen.push("a"));
  const c = q.at(5, () => seen.push("x"));
  q.at(5, () => seen.push("c"));
  for (let i = 0; i < 50; i++) q.at(10 + (i * 7) % 13, () => seen.push(`n${(i * 7) % 13}`));
  c.cancelled = true;
  for (let e = q.popDue(Infinity); e; e = q.popDue(Infinity)) e.fn();
  assert.deepEqual(seen.slice(0, 3), ["a", "b", "c"]);
  const times = seen.slice(3).map((s) => Number(s.slice(1)));
  assert.deepEqual(times, [...times].sort((x, y) => x - y));
  assert.equal(q.nextTime(), Infinity);
});

test("PRNG: same seed, same sequence; different seed, different sequence", () => {
  const a = new Prng(42), b = new Prng(42), c = new Prng(43);
  const sa = Array.from({ length: 8 }, () => a.nextU32());
  assert.deepEqual(sa, Array.from({ length: 8 }, () => b.nextU32()));
  assert.notDeepEqual(sa, Array.from({ length: 8 }, () => c.nextU32()));
  const r = new Prng(1);
  let sum = 0;
  for (let i = 0; i < 10000; i++) { const x = r.next(); assert.ok(x >= 0 && x < 1); sum += x; }
  assert.ok(Math.abs(sum / 10000 - 0.5) < 0.02, `mean ${sum / 10000}`);
});

test("sources: constant, sine, ramp, csv, seeded noise", () => {
  const rng = new Prng(1);
  assert.equal(makeSource(7, rng).value(123), 7);
  const sine = makeSource({ type: "sine", offset: 100, amplitude: 50, period_ms: 4 }, rng);
  assert.equal(sine.value(0), 100);
  assert.ok(Math.abs(sine.value(1000) - 150) < 1e-9);
  const ramp = makeSource({ type: "ramp", from: 0, to: 1000, period_ms: 10 }, rng);
  assert.equal(ramp.value(5000), 500);
  assert.equal(ramp.value(10000), 0);
  const dir = mkdtempSync(join(tmpdir(), "coop-"));
  writeFileSync(join(dir, "s.csv"), "t,v\n0,10\n1,20\n2,30\n");
  const csv = makeSource({ type: "csv", file: "s.csv", column: 1, interval_ms: 1 }, rng, (name) => readFileSync(join(dir, name), "utf8"));
  assert.deepEqual([0, 1000, 2000, 3000].map((t) => csv.value(t)), [10, 20, 30, 10]);
  const n1 = makeSource({ type: "noise", mean: 100, amplitude: 5 }, new Prng(9));
  const n2 = makeSource({ type: "noise", mean: 100, amplitude: 5 }, new Prng(9));
  const v1 = [0, 1, 2, 3].map((t) => n1.value(t));
  assert.deepEqual(v1, [0, 1, 2, 3].map((t) => n2.value(t)));
  assert.ok(v1.every((v) => v >= 95 && v <= 105) && new Set(v1).size > 1);
  assert.throws(() => makeSource({ type: "square" }, rng), /unknown source type "square"/);
  assert.throws(() => makeSource({ type: "sine", offset: 1 }, rng), /amplitude/);
});

test("alarm: fires at its time, replacing re-arms, -1 disarms, a past time fires now", () => {
  const ctx = new Ctx();
  const a = new Alarm(ctx);
  a.set(100);
  a.set(200);
  ctx.runTo(150);
  assert.deepEqual(ctx.raised, []);
  ctx.runTo(250);
  assert.deepEqual(ctx.raised, [[200, 0]]);
  a.set(300);
  a.set(-1);
  ctx.runTo(400);
  assert.equal(ctx.raised.length, 1);
  a.set(10); // in the past
  ctx.runTo(400);
  assert.deepEqual(ctx.raised[1], [400, 0]);
});

test("UART RX: bytes arrive one per byte time; a full FIFO drops and counts overruns", () => {
  const ctx = new Ctx();
  const u = new Uart(ctx, 0, 100_000, 4, 4, () => {}); // 100 µs per byte
  u.send(new TextEncoder().encode("abcdef"));
  ctx.runTo(99);
  assert.equal(u.rx.length, 0);
  ctx.runTo(100);
  assert.deepEqual(u.rx, [97]);
  assert.deepEqual(ctx.raised, [[100, 1]]);
  ctx.runTo(1000);
  assert.deepEqual(u.rx, [97, 98, 99, 100]);
  assert.equal(u.overruns, 2);
  assert.equal(ctx.raised.length, 6, "every arrival raises RX, dropped ones too");
  ctx.mem.buf.fill(0);
  assert.equal(u.read(10, 3), 3);
  assert.deepEqual([...ctx.mem.buf.slice(10, 13)], [97, 98, 99]);
  assert.equal(u.read(10, 8), 1);
  assert.equal(u.read(10, 8), 0);
  assert.equal(u.read(250, 10), EBADPTR);
});

test("UART TX: accepts up to the free FIFO space, sends at the baud rate, raises TX when drained or no longer full", () => {
  const ctx = new Ctx();
  const sent: [number, number][] = [];
  const u = new Uart(ctx, 1, 115200, 16, 4, (b) => sent.push([ctx.t, b]));
  ctx.mem.buf.set(new TextEncoder().encode("hello!"), 0);
  assert.equal(u.write(0, 6), 4, "only 4 fit");
  assert.equal(u.write(4, 2), 0, "full");
  assert.equal(u.write(300, 1), EBADPTR);
  const byte = 10e6 / 115200;
  ctx.runTo(byte * 1.5);
  assert.equal(sent.length, 1);
  assert.ok(Math.abs(sent[0][0] - byte) < 1e-6);
  assert.deepEqual(ctx.raised.map((r) => r[1]), [4], "room again after full -> UART1_TX (line 4)");
  ctx.runTo(byte * 10);
  assert.equal(String.fromCharCode(...sent.map((s) => s[1])), "hell");
  assert.deepEqual(ctx.raised.map((r) => r[1]), [4, 4], "drained -> TX again");
});

test("GPIO: outputs recorded, input edges raise the armed edge's line, unknown pins refused", () => {
  const ctx = new Ctx();
  const changes: string[] = [];
  const g = new Gpio(ctx, new Map([[0, { dir: "out" as const, initial: 0 as const }], [2, { dir: "in" as const, initial: 0 as const }]]), (p, l) => changes.push(`${p}=${l}`));
  assert.equal(g.write(0, 5), 0);
  assert.equal(g.read(0), 1);
  assert.equal(g.write(7, 1), EBADPORT);
  assert.equal(g.read(7), EBADPORT);
  assert.equal(g.arm(7, 1), EBADPORT);
  g.drive(2, 1); // not armed
  assert.deepEqual(ctx.raised, []);
  assert.equal(g.arm(2, 2), 0); // falling only
  g.drive(2, 1); // no change
  g.drive(2, 0);
  assert.deepEqual(ctx.raised, [[0, 18]]);
  g.arm(2, 3);
  g.drive(2, 1);
  assert.equal(ctx.raised.length, 2);
  assert.equal(g.read(2), 1);
  assert.deepEqual(changes, ["0=1", "2=1", "2=0", "2=1"]);
  assert.throws(() => g.drive(0, 1), /output/);
});

test("ADC: conversion takes its time, samples at the end, EBUSY while running, ENOTREADY before the first", () => {
  const ctx = new Ctx();
  const src = makeSource({ type: "ramp", from: 0, to: 4000, period_ms: 4 }, new Prng(1));
  const adc = new Adc(ctx, new Map([[0, src], [1, makeSource(99999, new Prng(1))]]), 20, () => {});
  assert.equal(adc.read(0), ENOTREADY);
  assert.equal(adc.read(5), EBADPORT);
  assert.equal(adc.start(5), EBADPORT);
  ctx.t = 1000;
  assert.equal(adc.start(0), 0);
  assert.equal(adc.start(1), EBUSY);
  ctx.runTo(1019);
  assert.equal(adc.read(0), ENOTREADY);
  ctx.runTo(1020);
  assert.equal(adc.read(0), 1020, "sampled at t=1020 µs on a 1 count/µs ramp");
  assert.deepEqual(ctx.raised, [[1020, 5]]);
  adc.start(1);
  ctx.runTo(2000);
  assert.equal(adc.read(1), 4095, "clamped to 12 bits");
});

test("TS1 sensor: register map, pointer auto-increment, config write, shutdown holds the sample", () => {
  let temp = 23.45;
  const s = new Ts1({ value: () => temp, describe: "test" });
  assert.deepEqual([...s.transfer(Uint8Array.of(0x00), 2, 0)], [0x09, 0x29]);
  temp = -2;
  assert.deepEqual([...s.transfer(Uint8Array.of(0x00), 4, 0)], [0xff, 0x38, 0x00, 0x54], "TEMP_H, TEMP_L, CONFIG, ID");
  assert.deepEqual([...s.transfer(Uint8Array.of(0x03), 2, 0)], [0x54, 0xff]);
  s.transfer(Uint8Array.of(0x02, 0x01), 0, 0); // shutdown
  temp = 50;
  assert.deepEqual([...s.transfer(Uint8Array.of(0x00), 2, 0)], [0xff, 0x38], "held while shut down");
  assert.deepEqual([...s.transfer(new Uint8Array(0), 1, 0)], [0x01], "wlen 0 reads from the pointer (CONFIG)");
  s.transfer(Uint8Array.of(0x02, 0x00), 0, 0);
  assert.deepEqual([...s.transfer(Uint8Array.of(0x00), 2, 0)], [0x13, 0x88]);
});

test("I2C bus: timing, read bytes land before BUS, missing device -> EBADPORT, busy, bad pointers", () => {
  const ctx = new Ctx();
  const bus = new I2cBus(ctx, new Map([[0x48, new Ts1({ value: () => 23.45, describe: "" })]]), 100_000);
  assert.equal(bus.status, ENOTREADY);
  ctx.mem.buf[0] = 0x00;
  assert.equal(bus.transfer(0x48, 0, 1, 8, 2), 0);
  assert.equal(bus.transfer(0x48, 0, 1, 8, 2), EBUSY);
  const done = (1 + 1 + 1 + 2) * 90; // addr+reg, addr+2 data bytes, 90 µs each at 100 kHz
  ctx.runTo(done - 1);
  assert.equal(bus.status, ENOTREADY);
  ctx.runTo(done);
  assert.equal(bus.status, 2);
  assert.deepEqual([...ctx.mem.buf.slice(8, 10)], [0x09, 0x29]);
  assert.deepEqual(ctx.raised, [[done, 6]]);
  assert.equal(bus.transfer(0x11, 0, 1, 8, 2), 0);
  ctx.runTo(done + 90);
  assert.equal(bus.status, EBADPORT);
  assert.equal(bus.transfer(0x48, 250, 10, 8, 2), EBADPTR);
  assert.equal(bus.transfer(0x48, 0, 1, 255, 2), EBADPTR);
});

test("board files: both shipped boards parse; bad fields give one-line errors", async () => {
  const { loadBoard, findBoard } = await import("../../host/board-file.js");
  const { ROOT } = await import("./fixtures/build.js");
  const dev = loadBoard(findBoard("sim-devkit", ROOT));
  const tiny = loadBoard(findBoard("tiny-m0", ROOT));
  assert.equal(dev.pins.find((p) => p.name === "LED")!.pin, 0);
  assert.equal(tiny.pins.find((p) => p.name === "LED")!.pin, 5);
  assert.throws(() => parseBoard({ name: "x", pins: [{ pin: 16, name: "P", dir: "out" }] }, "x.json"), /pins\[0\]\.pin must be an integer 0\.\.15/);
  assert.throws(() => parseBoard({ name: "x", pins: [{ pin: 1, name: "P", dir: "out" }, { pin: 2, name: "P", dir: "in" }] }, "x.json"), /used twice/);
  assert.throws(() => loadBoard("/nonexistent/board.json"), /board file not found/);
});
