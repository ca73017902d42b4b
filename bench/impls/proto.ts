// The protocol every bench implementation speaks, so the runner can treat a
// Node script, a C binary and a Rust binary alike:
//
//   <impl> <workload> <n> <t> <reps> <seed>
//
// runs one untimed warm-up, then `reps` timed runs of the workload, printing
// one JSON line per run: {"ns": total, "ops": n, "checksum": c}. Errors go to
// stderr as one line with exit status 2.

export const WORKLOADS = ["pingpong", "fanout", "timers", "channel"] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface Args { workload: Workload; n: number; t: number; reps: number; seed: number }

export function parseArgs(argv: string[]): Args {
  const [w, n, t, reps, seed] = argv;
  if (!WORKLOADS.includes(w as Workload)) fail(`unknown workload '${w}' (one of ${WORKLOADS.join(", ")})`);
  const nums = [n, t, reps, seed].map(Number);
  if (nums.some((x) => !Number.isInteger(x) || x < 1 || x > 0xffffffff)) fail("usage: <workload> <n> <t> <reps> <seed>, all positive integers");
  return { workload: w as Workload, n: nums[0], t: nums[1], reps: nums[2], seed: nums[3] };
}

export function fail(msg: string): never {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}

export function emit(ns: bigint, ops: number, checksum: bigint | number): void {
  process.stdout.write(JSON.stringify({ ns: Number(ns), ops, checksum: String(checksum) }) + "\n");
}

/** xorshift32, the seeded stream shared by every implementation. */
export function xorshift(x: number): number {
  x ^= x << 13; x >>>= 0;
  x ^= x >>> 17;
  x ^= x << 5; x >>>= 0;
  return x;
}

/** Operations a workload counts: round trips, interrupts, expiries, messages. */
export function opsOf(a: Args): number {
  return a.workload === "timers" ? Math.floor(a.n / a.t) * a.t : a.n;
}
