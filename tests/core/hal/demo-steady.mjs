// Steady-state allocation check of the demo firmware (npm run test:hal:demo).
//
// Runs build/demo.debug.wasm on a minimal virtual-time board of its own (so it
// depends on no simulator internals) with a busy input script: every shell
// command, button edges, changing ADC values, for 60 simulated seconds. The
// module is first rewritten with binaryen (a dependency of assemblyscript) to
// export the stub runtime's bump pointer, `~lib/rt/stub/offset`; any
// allocation after `_start` moves it. Prints the figures; exits 1 if the
// pointer moved or the shell stopped answering.

import { readFileSync } from "node:fs";
import binaryen from "binaryen";

const file = process.argv[2] ?? "build/demo.debug.wasm";
const SECONDS = Number(process.argv[3] ?? 60);
const fail = (msg) => { console.error(`demo-steady: ${msg}`); process.exit(1); };

let bytes;
try { bytes = readFileSync(file); } catch { fail(`cannot read ${file} (run npm run build first)`); }
const mod = binaryen.readBinary(bytes);
if (!mod.getGlobal("~lib/rt/stub/offset")) fail(`${file} has no stub runtime offset global (not a debug build of the stub runtime?)`);
mod.addGlobalExport("~lib/rt/stub/offset", "__probe_heap_top");
const probed = mod.emitBinary();
mod.dispose();

// ---- a minimal board: 1 µs ticks, UART0 (16-byte FIFOs, 87 µs per byte), 4 pins, 4 ADC channels, TS1 at 0x48 ----
const US_PER_BYTE = 87n;
let memory;
let now = 0n, pending = 0, alarm = -1n;
const rx = [], RX_FIFO = 16; let overruns = 0;
let txCount = 0, txNext = -1n, out = "";
const TX_FIFO = 16;
const pins = [0, 0, 0, 0], armed = [0, 0, 0, 0];
let adcDone = -1n, adcCh = -1; const adcResult = new Map(); let adcValue = 2000;
let bus = null, busStatus = -4;
const events = []; // [time, fn], kept sorted
const at = (t, fn) => { events.push([t, fn]); events.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)); };
const u8 = () => new Uint8Array(memory.buffer);
const NAMES = { 0: { LED: 0, LED2: 1, BUTTON: 2, BUTTON2: 3 }, 1: { POT: 0 }, 2: { UART0: 0 }, 3: { TS1: 0x48 } };
const board = {
  tick_hz: () => 1_000_000, now: () => now, set_alarm: (t) => { alarm = t; },
  irq_take: () => { const p = pending; pending = 0; return p; },
  irq_quiet: new WebAssembly.Global({ value: "i32", mutable: true }, 0), // left at 0: the flags are taken before every batch
  uart_write: (port, ptr, len) => {
    if (port !== 0) return -1;
    const n = Math.min(len, TX_FIFO - txCount);
    out += Buffer.from(memory.buffer, ptr, n).toString("latin1");
    txCount += n;
    if (txCount > 0 && txNext < 0n) txNext = now + US_PER_BYTE;
    return n;
  },
  uart_read: (port, ptr, cap) => { if (port !== 0) return -1; let n = 0; while (n < cap && rx.length) u8()[ptr + n++] = rx.shift(); return n; },
  uart_overruns: (port) => (port === 0 ? overruns : -1),
  gpio_write: (p, l) => (p > 3 ? -1 : ((pins[p] = l ? 1 : 0), 0)),
  gpio_read: (p) => (p > 3 ? -1 : pins[p]),
  gpio_irq: (p, e) => (p > 3 ? -1 : ((armed[p] = e), 0)),
  adc_start: (ch) => { if (ch > 3) return -1; if (adcDone >= 0n) return -3; adcDone = now + 20n; adcCh = ch; return 0; },
  adc_read: (ch) => (ch > 3 ? -1 : adcResult.has(ch) ? adcResult.get(ch) : -4),
  bus_transfer: (addr, wp, wl, rp, rl) => { if (bus) return -3; bus = { addr, reg: wl > 0 ? u8()[wp] : 0, rp, rl, done: now + 300n }; busStatus = -4; return 0; },
  bus_status: () => busStatus,
  // board.resolve kinds 0 pin, 1 ADC channel, 2 UART, 3 bus device; 256 = optional (boards/abi/abi.json name_kinds).
  resolve: (kind, ptr, len) => {
    const name = Buffer.from(memory.buffer, ptr, len).toString();
    const n = NAMES[kind & 255]?.[name];
    if (n !== undefined) return n;
    if (kind & 256) return -1;
    throw new Error(`firmware asked for unknown name ${kind}:${name}`);
  },
  log: () => {}, trace: () => {},
  panic: (m, ml) => { throw new Error(`firmware panic: ${Buffer.from(memory.buffer, m, ml).toString()}`); },
};

const { instance } = await WebAssembly.instantiate(probed, { board });
const x = instance.exports;
memory = x.memory;
const top = () => x.__probe_heap_top.value;
x._start();
const heapAfterStart = top();

// The input script: a command every 50 ms (cycling), a button edge every 700 ms, a new ADC value every 300 ms.
const commands = ["ping", "uptime", "tasks", "stats", "adc 0", "adc 7", "temp", "help", "nope", "   ", "x".repeat(80), "adc", "adc 2"];
let sent = 0;
for (let t = 20_000n, i = 0; t < BigInt(SECONDS) * 1_000_000n; t += 50_000n, i++) {
  let bt = t;
  for (const c of Buffer.from(commands[i % commands.length] + "\n")) {
    at(bt, () => { if (rx.length >= RX_FIFO) overruns++; else rx.push(c); pending |= 1 << 1; });
    bt += US_PER_BYTE;
  }
  sent++;
}
for (let t = 35_000n; t < BigInt(SECONDS) * 1_000_000n; t += 700_000n) {
  at(t, () => { pins[2] ^= 1; if (armed[2] & (pins[2] ? 1 : 2)) pending |= 1 << 18; });
}
for (let t = 0n, v = 0; t < BigInt(SECONDS) * 1_000_000n; t += 300_000n, v = (v + 577) % 4096) at(t, () => { adcValue = v; });

const until = BigInt(SECONDS) * 1_000_000n;
let steps = 0;
const t0 = process.hrtime.bigint();
while (now < until) {
  const d = x.coop_step();
  steps++;
  if (pending) continue;
  if (d >= 0n && d <= now) continue;
  let next = until;
  for (const t of [alarm, txNext, adcDone, bus ? bus.done : -1n, events.length ? events[0][0] : -1n]) if (t >= 0n && t < next) next = t;
  if (next > now) now = next;
  if (alarm >= 0n && alarm <= now) { pending |= 1; alarm = -1n; }
  if (txNext >= 0n && txNext <= now) {
    const wasFull = txCount === TX_FIFO;
    txCount--;
    txNext = txCount > 0 ? now + US_PER_BYTE : -1n;
    if (wasFull || txCount === 0) pending |= 1 << 2;
  }
  if (adcDone >= 0n && adcDone <= now) { adcResult.set(adcCh, adcValue); adcDone = -1n; pending |= 1 << 5; }
  if (bus && bus.done <= now) {
    const regs = [0x09, 0x29, 0x00, 0x54];
    if (bus.addr !== 0x48) busStatus = -1;
    else { for (let i = 0; i < bus.rl; i++) u8()[bus.rp + i] = regs[bus.reg + i] ?? 0xff; busStatus = bus.rl; }
    bus = null;
    pending |= 1 << 6;
  }
  while (events.length && events[0][0] <= now) events.shift()[1]();
}
const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
const heapAtEnd = top();
const pongs = out.split("\npong\n").length - 1;
const avgs = (out.match(/adc0 avg \d+ n=\d+\n/g) ?? []).length;
const buttons = (out.match(/button [01]\n/g) ?? []).length;

console.log(`demo-steady: ${file}, ${SECONDS} s simulated in ${wallMs.toFixed(0)} ms wall, ${steps} steps`);
console.log(`  heap top after _start: ${heapAfterStart} B; at the end: ${heapAtEnd} B (moved ${heapAtEnd - heapAfterStart} B)`);
console.log(`  linear memory: ${memory.buffer.byteLength} B; ${sent} commands sent, ${pongs} pongs, ${avgs} averages, ${buttons} button lines, ${overruns} RX overruns, ${out.length} B of output`);
if (heapAtEnd !== heapAfterStart) fail(`the firmware allocated ${heapAtEnd - heapAfterStart} B after start-up`);
const expectedPongs = Math.ceil(sent / commands.length);
if (pongs < expectedPongs - 1) fail(`only ${pongs} of ${expectedPongs} pings were answered`);
if (avgs < SECONDS - 1) fail(`only ${avgs} one-second averages in ${SECONDS} s`);
if (buttons < Math.floor(SECONDS / 0.7) - 1) fail(`only ${buttons} button lines`);
console.log("demo-steady: ok, no allocation after start-up");
