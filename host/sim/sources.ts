// Signal sources for ADC channels and the temperature sensor: a value as a
// function of simulated time (µs). Parsed from board files; bad parameters
// give a one-line error.

import type { Prng } from "./prng.js";

export interface Source {
  /** Value at simulated time t (µs). May draw from the PRNG (noise). */
  value(t: number): number;
  /** For messages and --json. */
  describe: string;
}

export type SourceSpec = Record<string, unknown> & { type: string };

const num = (spec: SourceSpec, key: string, def?: number): number => {
  const v = spec[key] ?? def;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`source ${spec.type}: \`${key}\` must be a number`);
  return v;
};

export function constant(value: number): Source {
  return { value: () => value, describe: `constant ${value}` };
}

/** Build a source from a board-file spec. `readFile` reads a CSV source's file (relative to the board file; BoardDesc.readFile). */
export function makeSource(spec: unknown, rng: Prng, readFile?: (name: string) => string): Source {
  if (typeof spec === "number") return constant(spec);
  if (typeof spec !== "object" || spec === null || typeof (spec as SourceSpec).type !== "string")
    throw new Error(`a source is a number or { type: constant|sine|ramp|csv|noise, ... }`);
  const s = spec as SourceSpec;
  let src: Source;
  switch (s.type) {
    case "constant":
      src = constant(num(s, "value"));
      break;
    case "sine": {
      const off = num(s, "offset"), amp = num(s, "amplitude"), per = num(s, "period_ms") * 1000, ph = (num(s, "phase_deg", 0) * Math.PI) / 180;
      if (per <= 0) throw new Error("source sine: period_ms must be > 0");
      src = { value: (t) => off + amp * Math.sin((2 * Math.PI * t) / per + ph), describe: `sine ${off}±${amp} /${per / 1000}ms` };
      break;
    }
    case "ramp": {
      const from = num(s, "from"), to = num(s, "to"), per = num(s, "period_ms") * 1000;
      if (per <= 0) throw new Error("source ramp: period_ms must be > 0");
      src = { value: (t) => from + ((to - from) * (t % per)) / per, describe: `ramp ${from}->${to} /${per / 1000}ms` };
      break;
    }
    case "csv": {
      if (typeof s.file !== "string") throw new Error("source csv: `file` must be a path");
      if (!readFile) throw new Error(`source csv: cannot read ${s.file}: this board was not read from a file`);
      let text: string;
      try {
        text = readFile(s.file);
      } catch (e) {
        throw new Error(`source csv: ${(e as Error).message}`);
      }
      const col = num(s, "column", 0), iv = num(s, "interval_ms") * 1000;
      if (iv <= 0) throw new Error("source csv: interval_ms must be > 0");
      const samples: number[] = [];
      for (const line of text.split(/\r?\n/)) {
        const cell = line.split(",")[col];
        if (cell === undefined || cell.trim() === "") continue;
        const v = Number(cell);
        if (Number.isFinite(v)) samples.push(v);
      }
      if (!samples.length) throw new Error(`source csv: no numbers in column ${col} of ${s.file}`);
      src = { value: (t) => samples[Math.floor(t / iv) % samples.length], describe: `csv ${s.file} (${samples.length} samples)` };
      break;
    }
    case "noise": {
      const mean = num(s, "mean"), amp = num(s, "amplitude");
      src = { value: () => mean + amp * (2 * rng.next() - 1), describe: `noise ${mean}±${amp}` };
      break;
    }
    default:
      throw new Error(`unknown source type "${s.type}" (constant, sine, ramp, csv, noise)`);
  }
  if (s.noise !== undefined && s.type !== "noise") {
    const amp = num(s, "noise");
    const base = src;
    src = { value: (t) => base.value(t) + amp * (2 * rng.next() - 1), describe: `${base.describe} + noise ±${amp}` };
  }
  return src;
}
