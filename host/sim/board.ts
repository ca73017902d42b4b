// Board description files (boards/*.json): pins, IRQ-relevant peripherals,
// clocks. A board is data; this module only parses and checks it (reading
// the file is the host's: host/board-file.ts).

import { NAME_KIND } from "../abi.js";

export interface PinDesc { pin: number; name: string; dir: "in" | "out"; initial: 0 | 1 }
export interface UartDesc { port: number; name: string; baud: number; rx_fifo: number; tx_fifo: number }
export interface AdcChannelDesc { channel: number; name: string; source: unknown }
export interface I2cDeviceDesc { type: "ts1"; name: string; addr: number; source: unknown }
export interface BoardDesc {
  name: string;
  description: string;
  /** The file it was read from (for messages). */
  file: string;
  /**
   * Reads a file the board file names (a CSV source), relative to the board
   * file; set by whoever read the board (host/board-file.ts). Without it a
   * CSV source is refused with one line.
   */
  readFile?: (name: string) => string;
  clocks: { tick_hz: number; cpu_hz: number };
  /** Virtual cost of firmware work: fixed per poll, and per fuel unit (function entry or loop iteration). */
  cost: { poll_ns: number; unit_ns: number; slow_poll_us: number };
  uarts: UartDesc[];
  pins: PinDesc[];
  adc: { conversion_us: number; channels: AdcChannelDesc[] };
  i2c: { clock_hz: number; devices: I2cDeviceDesc[] };
}

export class BoardError extends Error {}

function int(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw new Error(`${what} must be an integer ${min}..${max}, got ${JSON.stringify(v)}`);
  return v;
}

/** Keys a source object may have, per type (host/sim/sources.ts reads them). */
const SOURCE_KEYS: Record<string, string[]> = {
  constant: ["value"],
  sine: ["offset", "amplitude", "period_ms", "phase_deg"],
  ramp: ["from", "to", "period_ms"],
  csv: ["file", "column", "interval_ms"],
  noise: ["mean", "amplitude"],
};

/**
 * Refuse keys the simulator does not read: a misspelt field (`uart` for
 * `uarts`) would otherwise be ignored and the board silently lose a part.
 */
function onlyKeys(v: unknown, allowed: readonly string[], where: string): void {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    if (v !== undefined) throw new Error(`${where} must be an object`);
    return;
  }
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) throw new Error(`unknown field \`${where ? `${where}.` : ""}${k}\` (known: ${allowed.join(", ")})`);
  }
}

function sourceKeys(src: unknown, where: string): void {
  if (typeof src !== "object" || src === null) return; // a number, or a bad value sources.ts reports
  const type = (src as Record<string, unknown>).type;
  // Unknown types are reported by sources.ts with the list of types.
  if (typeof type === "string" && Object.hasOwn(SOURCE_KEYS, type)) onlyKeys(src, ["type", ...SOURCE_KEYS[type], ...(type === "noise" ? [] : ["noise"])], where);
}

const list = (v: unknown, where: string): unknown[] => {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new Error(`\`${where}\` must be a list`);
  return v;
};

export function parseBoard(raw: unknown, file: string): BoardDesc {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error("a board is a JSON object");
  const b = raw as Record<string, any>;
  onlyKeys(b, ["name", "description", "clocks", "cost", "uarts", "pins", "adc", "i2c"], "");
  onlyKeys(b.clocks, ["tick_hz", "cpu_hz"], "clocks");
  onlyKeys(b.cost, ["poll_ns", "unit_ns", "slow_poll_us"], "cost");
  list(b.uarts, "uarts").forEach((u, i) => onlyKeys(u, ["port", "name", "baud", "rx_fifo", "tx_fifo"], `uarts[${i}]`));
  list(b.pins, "pins").forEach((p, i) => onlyKeys(p, ["pin", "name", "dir", "initial"], `pins[${i}]`));
  onlyKeys(b.adc, ["conversion_us", "channels"], "adc");
  list(b.adc?.channels, "adc.channels").forEach((c, i) => {
    onlyKeys(c, ["channel", "name", "source"], `adc.channels[${i}]`);
    sourceKeys((c as Record<string, unknown>).source, `adc.channels[${i}].source`);
  });
  onlyKeys(b.i2c, ["clock_hz", "devices"], "i2c");
  list(b.i2c?.devices, "i2c.devices").forEach((d, i) => {
    onlyKeys(d, ["type", "name", "addr", "source"], `i2c.devices[${i}]`);
    sourceKeys((d as Record<string, unknown>).source, `i2c.devices[${i}].source`);
  });
  if (typeof b.name !== "string") throw new Error("`name` must be a string");
  const clocks = { tick_hz: 1_000_000, cpu_hz: 48_000_000, ...(b.clocks ?? {}) };
  if (clocks.tick_hz !== 1_000_000) throw new Error("clocks.tick_hz: the simulator runs at 1000000 ticks/s (1 tick = 1 µs)");
  int(clocks.cpu_hz, "clocks.cpu_hz", 1, 10 ** 10);
  const cost = { poll_ns: 2000, unit_ns: 50, slow_poll_us: 50, ...(b.cost ?? {}) };
  int(cost.poll_ns, "cost.poll_ns", 1, 10 ** 9); // > 0: a task that keeps yielding must still move the clock
  int(cost.unit_ns, "cost.unit_ns", 0, 10 ** 9);
  int(cost.slow_poll_us, "cost.slow_poll_us", 0, 10 ** 9);
  // One namespace per board: firmware resolves these names (board.resolve, docs/abi.md).
  const names = new Set<string>();
  const unique = (n: unknown, what: string): string => {
    if (typeof n !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new Error(`${what} must be an identifier, got ${JSON.stringify(n)}`);
    if (names.has(n)) throw new Error(`name ${n} is used twice`);
    names.add(n);
    return n;
  };
  const uarts: UartDesc[] = (b.uarts ?? []).map((u: any, i: number) => ({
    port: int(u.port, `uarts[${i}].port`, 0, 1),
    name: unique(u.name ?? `UART${u.port}`, `uarts[${i}].name`),
    baud: int(u.baud ?? 115200, `uarts[${i}].baud`, 300, 10_000_000),
    rx_fifo: int(u.rx_fifo ?? 16, `uarts[${i}].rx_fifo`, 1, 65536),
    tx_fifo: int(u.tx_fifo ?? 16, `uarts[${i}].tx_fifo`, 1, 65536),
  }));
  const pins: PinDesc[] = (b.pins ?? []).map((p: any, i: number) => {
    if (p.dir !== "in" && p.dir !== "out") throw new Error(`pins[${i}].dir must be "in" or "out"`);
    return { pin: int(p.pin, `pins[${i}].pin`, 0, 15), name: unique(p.name, `pins[${i}].name`), dir: p.dir, initial: int(p.initial ?? 0, `pins[${i}].initial`, 0, 1) as 0 | 1 };
  });
  const adc = b.adc ?? { conversion_us: 20, channels: [] };
  const channels: AdcChannelDesc[] = (adc.channels ?? []).map((c: any, i: number) => ({
    channel: int(c.channel, `adc.channels[${i}].channel`, 0, 31), name: unique(c.name, `adc.channels[${i}].name`), source: c.source ?? 0,
  }));
  const i2c = b.i2c ?? { clock_hz: 100_000, devices: [] };
  const devices: I2cDeviceDesc[] = (i2c.devices ?? []).map((d: any, i: number) => {
    if (d.type !== "ts1") throw new Error(`i2c.devices[${i}].type: only "ts1" (the TS1 temperature sensor) is modelled`);
    return { type: "ts1", name: unique(d.name ?? "TS1", `i2c.devices[${i}].name`), addr: int(d.addr, `i2c.devices[${i}].addr`, 0, 127), source: d.source ?? 23.45 };
  });
  const dup = <T>(xs: T[], key: (x: T) => number, what: string) => {
    const seen = new Set<number>();
    for (const x of xs) { if (seen.has(key(x))) throw new Error(`${what} ${key(x)} is described twice`); seen.add(key(x)); }
  };
  dup(uarts, (u) => u.port, "uart port");
  dup(pins, (p) => p.pin, "pin");
  dup(channels, (c) => c.channel, "ADC channel");
  dup(devices, (d) => d.addr, "I2C address");
  return {
    name: b.name, description: String(b.description ?? ""), file, clocks, cost, uarts, pins,
    adc: { conversion_us: int(adc.conversion_us ?? 20, "adc.conversion_us", 1, 10 ** 7), channels },
    i2c: { clock_hz: int(i2c.clock_hz ?? 100_000, "i2c.clock_hz", 1000, 10 ** 7), devices },
  };
}

/** What a board.resolve kind names, for reports ("pin", "ADC channel", ...), by kind number. */
export const NAME_KIND_WORDS: Readonly<Record<number, readonly [string, string]>> = {
  [NAME_KIND.PIN]: ["pin", "pins"],
  [NAME_KIND.ADC]: ["ADC channel", "ADC channels"],
  [NAME_KIND.UART]: ["UART", "UARTs"],
  [NAME_KIND.BUS]: ["bus device", "bus devices"],
};

/** The board file's names of one kind, with the number each stands for (pin, channel, port, 7-bit address). */
export function namesOf(board: BoardDesc, kind: number): [string, number][] {
  switch (kind) {
    case NAME_KIND.PIN: return board.pins.map((p) => [p.name, p.pin]);
    case NAME_KIND.ADC: return board.adc.channels.map((c) => [c.name, c.channel]);
    case NAME_KIND.UART: return board.uarts.map((u) => [u.name, u.port]);
    case NAME_KIND.BUS: return board.i2c.devices.map((d) => [d.name, d.addr]);
    default: return [];
  }
}
