// The demo's line reader (assembly/hal/uart.ts, inside build/demo.wasm)
// against an adversarial UART: a 256-byte board RX buffer, like QEMU's ring,
// whose "ISR" delivers (or, when full, drops and counts) input bytes at
// seeded random moments inside the board calls themselves: before a read's
// snapshot, while it copies (the slots still count as taken), after it, and
// inside uart_overruns. Whatever the interleaving, a line that lost bytes
// must never run as a command, and every dropped byte is reported once.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./fixtures/build.js";
import { Simulator } from "../../host/sim/simulator.js";
import { loadBoard, findBoard } from "../../host/board-file.js";
import { V8Engine } from "../../host/engines/v8.js";

async function flood(seed: number, everyUs: number) {
  let s = seed >>> 0 || 1;
  const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
  const ids: string[] = [];
  for (let i = 0; i < 3000; i++) ids.push(`p${i}`); // unique lines: any splice of two is detectable
  const input = Buffer.from(ids.map((x) => x + "\n").join(""));
  const board = loadBoard(findBoard("sim-devkit", ROOT));
  board.uarts[0].rx_fifo = 256;
  const sim = new Simulator(board, { fuel: false });
  await sim.load(new V8Engine(), new Uint8Array(readFileSync(join(ROOT, "build/demo.wasm"))));
  const u = sim.uarts.get(0)!;
  let ip = 0, dropped = 0, ended = false;
  const deliver = (b: number) => {
    if (u.rx.length < 256) u.rx.push(b);
    else dropped++;
    sim.raise(u.rxLine);
  };
  const burst = (p: number) => {
    const k = rnd() < p ? Math.floor(rnd() * 8) : 0;
    for (let i = 0; i < k && ip < input.length; i++) deliver(input[ip++]);
  };
  Object.defineProperty(u, "overruns", { get: () => { burst(0.05); return dropped; }, set: () => {} });
  u.read = (ptr: number, cap: number): number => {
    burst(0.05);
    const n = Math.min(cap, u.rx.length);
    const snap = Uint8Array.from(u.rx.slice(0, n));
    burst(0.05); // during the copy
    if (!sim.fw!.memory.write(ptr, snap)) return -2;
    u.rx.splice(0, n);
    burst(0.05);
    return n;
  };
  const tick = () => {
    burst(0.3); // with the bursts inside calls, about as fast as the shell answers: losses come and go
    if (ip < input.length) sim.events.at(sim.now() + everyUs, tick);
    else if (!ended && u.rx.length === 0) { ended = true; deliver(0x0a); } // ends the line the last loss fell in
    else if (!ended) sim.events.at(sim.now() + everyUs, tick);
  };
  sim.events.at(sim.now() + 87, tick);
  sim.run(600_000_000);
  let last = -1, corrupted = 0, intact = 0, ignored = 0, reported = 0;
  for (const l of Buffer.from(sim.serial).toString("latin1").split("\n")) {
    const m = /^error: unknown command '(.*)' \(try help\)$/.exec(l); // each intact line is an unknown command
    if (m) {
      const i = ids.indexOf(m[1]);
      if (i <= last) corrupted++;
      else { last = i; intact++; }
    }
    const o = /^error: uart overrun, (\d+) bytes lost; line ignored$/.exec(l);
    if (o) { ignored++; reported += Number(o[1]); }
  }
  return { dropped, corrupted, intact, ignored, reported, ended };
}

test("adversarial ISR timing: no line that lost bytes runs, every dropped byte is reported once", async () => {
  let anyLoss = false;
  // Input about as fast as the shell answers (losses come and go), and a flood.
  for (const [seed, everyUs] of [[1, 1000], [0x2545f491, 1000], [0x9e3779b9, 200], [12345, 200]]) {
    const r = await flood(seed, everyUs);
    console.log(`# seed ${seed}, a burst every ${everyUs} us: ${JSON.stringify(r)}`);
    assert.ok(r.ended, `seed ${seed}: the input was all offered`);
    assert.equal(r.corrupted, 0, `seed ${seed}: a spliced line ran as a command (${JSON.stringify(r)})`);
    assert.equal(r.reported, r.dropped, `seed ${seed}: reported lost = dropped (${JSON.stringify(r)})`);
    assert.ok(r.intact > 0, `seed ${seed}: some lines get through`);
    if (r.dropped > 0) anyLoss = r.ignored > 0;
  }
  assert.ok(anyLoss, "the flood overran the board buffer");
});
