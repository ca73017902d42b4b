// Extends the core's fake board (../fake-board.js, not edited here) with the
// peripherals the HAL specs need: UART RX bytes, a TX FIFO that accepts a
// chosen number of bytes, overrun counts, an ADC with explicit conversion
// ends, GPIO edge arming and inputs, and an I2C device with a register file.
// The specs drive it through the "halfake" import module (halfake.ts).

import { createFakeBoard } from "../fake-board.js";

const EBADPORT = -1, EBADPTR = -2, EBUSY = -3, ENOTREADY = -4;
const IRQ_UART_RX = (port) => 1 + 2 * port;
const IRQ_ADC = 5, IRQ_BUS = 6, IRQ_GPIO = 16;

export function createHalFakeBoard(getMemory) {
  const { board, fake, state } = createFakeBoard(getMemory);
  const mem = () => new Uint8Array(getMemory().buffer);
  const raise = (line) => { state.pending |= 1 << line; };
  const h = {
    rx: [[], []],
    tx: [[], []],
    txRoom: [Infinity, Infinity], // bytes uart_write may still accept
    overruns: [0, 0],
    adcValues: new Map(),
    adcResults: new Map(),
    adcRunning: -1,
    adcStarts: 0,
    gpioIrq: new Map(),
    gpioIn: new Map(),
    bus: { running: null, status: ENOTREADY, regs: new Map(), ptr: 0, transfers: 0, addr: 0x48 },
  };
  const okPtr = (p, n) => p >= 0 && n >= 0 && p + n <= getMemory().buffer.byteLength;

  board.uart_read = (port, ptr, cap) => {
    if (port > 1) return EBADPORT;
    if (!okPtr(ptr, cap)) return EBADPTR;
    const q = h.rx[port];
    let n = 0;
    while (n < cap && q.length) mem()[ptr + n++] = q.shift();
    return n;
  };
  board.uart_write = (port, ptr, len) => {
    if (port > 1) return EBADPORT;
    if (!okPtr(ptr, len)) return EBADPTR;
    const n = Math.min(len, h.txRoom[port]);
    for (let i = 0; i < n; i++) h.tx[port].push(mem()[ptr + i]);
    h.txRoom[port] -= n;
    return n;
  };
  board.uart_overruns = (port) => (port > 1 ? EBADPORT : h.overruns[port]);

  board.adc_start = (ch) => {
    if (ch >>> 0 > 3) return EBADPORT; // a u32 on the ABI: ABSENT (0xFFFFFFFF) arrives as -1
    if (h.adcRunning >= 0) return EBUSY;
    h.adcRunning = ch;
    h.adcStarts++;
    return 0;
  };
  board.adc_read = (ch) => (ch >>> 0 > 3 ? EBADPORT : h.adcResults.has(ch) ? h.adcResults.get(ch) : ENOTREADY);

  const gpioWrite = board.gpio_write;
  board.gpio_irq = (pin, edges) => {
    if (pin > 15) return EBADPORT;
    h.gpioIrq.set(pin, edges);
    return 0;
  };
  board.gpio_read = (pin) => (pin > 15 ? EBADPORT : h.gpioIn.has(pin) ? h.gpioIn.get(pin) : state.gpio.get(pin) ?? 0);
  board.gpio_write = (pin, level) => gpioWrite(pin, level);

  board.bus_transfer = (addr, wptr, wlen, rptr, rlen) => {
    if (h.bus.running) return EBUSY;
    if (!okPtr(wptr, wlen) || !okPtr(rptr, rlen)) return EBADPTR;
    h.bus.running = { addr, w: Array.from(mem().slice(wptr, wptr + wlen)), rptr, rlen };
    h.bus.status = ENOTREADY;
    h.bus.transfers++;
    return 0;
  };
  board.bus_status = () => h.bus.status;

  // board.resolve (kinds 0 pin, 1 ADC, 2 UART, 3 bus; 256 optional): tiny-m0-like numbers, so a
  // spec sees the number came from the board. A real board stops the firmware on an unknown name.
  const names = { 0: { LED: 5, BUTTON: 6 }, 1: { POT: 2 }, 2: { UART0: 0, UART1: 1 }, 3: { TS1: 0x48 } };
  board.resolve = (kind, ptr, len) => {
    const name = Buffer.from(mem().slice(ptr, ptr + len)).toString();
    const n = names[kind & 255]?.[name];
    if (n !== undefined) return n;
    if (kind & 256) return EBADPORT;
    throw new Error(`unknown name ${name}`);
  };

  const halfake = {
    rx_push: (port, byte) => { h.rx[port].push(byte & 255); raise(IRQ_UART_RX(port)); },
    tx_room: (port, n) => { h.txRoom[port] = n < 0 ? Infinity : n; },
    tx_len: (port) => h.tx[port].length,
    tx_byte: (port, i) => h.tx[port][i] ?? -1,
    tx_clear: (port) => { h.tx[port] = []; },
    overrun_add: (port, n) => { h.overruns[port] += n; },
    adc_set: (ch, v) => { h.adcValues.set(ch, v); },
    adc_running: () => h.adcRunning,
    adc_starts: () => h.adcStarts,
    adc_finish: () => {
      if (h.adcRunning < 0) return 0;
      h.adcResults.set(h.adcRunning, h.adcValues.get(h.adcRunning) ?? 0);
      h.adcRunning = -1;
      raise(IRQ_ADC);
      return 1;
    },
    gpio_irq_mode: (pin) => h.gpioIrq.get(pin) ?? 0,
    gpio_input: (pin, level) => {
      const old = board.gpio_read(pin);
      h.gpioIn.set(pin, level);
      const mode = h.gpioIrq.get(pin) ?? 0;
      if ((level && !old && mode & 1) || (!level && old && mode & 2)) raise(IRQ_GPIO + pin);
    },
    bus_addr: (a) => { h.bus.addr = a; },
    bus_reg: (r, v) => { h.bus.regs.set(r, v); },
    bus_transfers: () => h.bus.transfers,
    bus_running: () => (h.bus.running ? 1 : 0),
    bus_finish: () => {
      const t = h.bus.running;
      if (!t) return 0;
      h.bus.running = null;
      if (t.addr !== h.bus.addr) h.bus.status = EBADPORT;
      else {
        if (t.w.length) h.bus.ptr = t.w[0];
        for (let i = 0; i < t.rlen; i++) mem()[t.rptr + i] = h.bus.regs.get(h.bus.ptr++) ?? 0xff;
        h.bus.status = t.rlen;
      }
      raise(IRQ_BUS);
      return 1;
    },
  };
  return { board, fake, halfake, state };
}
