// npm run bench:breakdown: where a ping-pong round trip of coop on V8 goes
// (then on wasm3 and ahead of time, through their bench harnesses).
// Times, inside wasm: the whole round trip; a round trip with the futures
// polled by hand (no executor); an empty `step`; and a call to a board import
// (wasm to wasm, the bench board). Each is the minimum over several runs, as
// this asks for costs, not for typical times. Run `npm run bench` first (it
// builds build/bench/coop.wasm and the speed build in build/bench/coop-fast/).

import { readFileSync, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";

const N = 1_000_000, REPS = 7;

function load(dir: string) {
  const file = (n: string) => new Uint8Array(readFileSync(`${dir}/${n}.wasm`));
  const board = new WebAssembly.Instance(new WebAssembly.Module(file("board")), {});
  const b = board.exports as Record<string, WebAssembly.ExportValue>;
  const fw = new WebAssembly.Instance(new WebAssembly.Module(file("coop")), { board: b, benchctl: b } as WebAssembly.Imports);
  const x = fw.exports as Record<string, (...a: number[]) => bigint>;
  x._start();
  return { x, b: b as unknown as Record<string, () => bigint> };
}

function best(f: () => unknown): number {
  f();
  let m = Infinity;
  for (let r = 0; r < REPS; r++) {
    const t0 = process.hrtime.bigint();
    f();
    m = Math.min(m, Number(process.hrtime.bigint() - t0) / N);
  }
  return m;
}

for (const [name, dir] of [["release (as shipped)", "build/bench"], ["speed build (shrinkLevel 0)", "build/bench/coop-fast"]]) {
  if (!existsSync(`${dir}/coop.wasm`)) {
    process.stderr.write(`bench:breakdown: ${dir}/coop.wasm missing: run npm run bench first\n`);
    process.exit(2);
  }
  const { x } = load(dir);
  const whole = best(() => x.pingpong(N));
  const futures = best(() => x.pingpong_no_executor(N));
  const empty = best(() => x.step_empty(N));
  const slot = best(() => x.pingpong_slot(N));
  const call = best(() => x.board_calls(N));
  const chan = best(() => x.channel(N)), chanFut = best(() => x.channel_no_executor(N));
  const flags = process.execArgv.filter((a) => a.startsWith("--")).join(" ") || "default V8 flags";
  console.log(`coop on V8 (${flags}), ${name}: ns per round trip (min of ${REPS} x ${N})`);
  console.log(`  whole round trip (2 polls, 2 batches):      ${whole.toFixed(1)}`);
  console.log(`  futures + signals alone (no executor):      ${futures.toFixed(1)}`);
  console.log(`  one empty step (IRQ take, clock, scan, idle): ${empty.toFixed(1)}`);
  console.log(`  executor share (whole - futures):           ${(whole - futures).toFixed(1)}`);
  console.log(`  whole, with a WakerSlot signal, not sync's:  ${slot.toFixed(1)}`);
  console.log(`  one board import call (now), 4 per round trip: ${call.toFixed(1)}`);
  console.log(`  channel: ns per message, whole / futures alone: ${chan.toFixed(1)} / ${chanFut.toFixed(1)}`);
}

// The same split through the native harnesses, which take each export as a "workload":
// wasm3 (the interpreter, on both builds) and coop ahead of time (wasm2c, gcc -O2; the release build,
// the one bench/run.ts translates). Not under --experimental-wasm-inlining: that flag is V8's alone.
function harnessSplit(title: string, cmd: (fn: string, n: number) => [string, string[]], n: number): void {
  const t = (fn: string): number => {
    const [exe, args] = cmd(fn, n);
    const r = spawnSync(exe, args, { encoding: "utf8" });
    if (r.status !== 0) return NaN;
    return Math.min(...r.stdout.trim().split("\n").map((l) => JSON.parse(l).ns / n));
  };
  const whole = t("pingpong"), futures = t("pingpong_no_executor"), empty = t("step_empty"), slot = t("pingpong_slot"), call = t("board_calls"), chan = t("channel"), chanFut = t("channel_no_executor");
  console.log(`${title}: ns per round trip (min of ${REPS} x ${n})`);
  console.log(`  whole round trip (2 polls, 2 batches):      ${whole.toFixed(1)}`);
  console.log(`  futures + signals alone (no executor):      ${futures.toFixed(1)}`);
  console.log(`  one empty step (IRQ take, clock, scan, idle): ${empty.toFixed(1)}`);
  console.log(`  executor share (whole - futures):           ${(whole - futures).toFixed(1)}`);
  console.log(`  whole, with a WakerSlot signal, not sync's:  ${slot.toFixed(1)}`);
  console.log(`  one board import call (now), 4 per round trip: ${call.toFixed(1)}`);
  console.log(`  channel: ns per message, whole / futures alone: ${chan.toFixed(1)} / ${chanFut.toFixed(1)}`);
}

if (!process.execArgv.length) {
  const wasm3 = "build/bench/coop-wasm3", aot = "build/bench/coop-aot";
  if (!existsSync(wasm3)) console.log("coop on wasm3: harness not built (npm run bench builds it)");
  else {
    for (const [name, dir] of [["release (as shipped)", "build/bench"], ["speed build (shrinkLevel 0)", "build/bench/coop-fast"]]) {
      harnessSplit(`coop on wasm3, ${name}`, (fn, n) => [wasm3, [`${dir}/coop.wasm`, fn, String(n), "16", String(REPS), "1"]], N / 10);
    }
  }
  if (!existsSync(aot)) console.log("coop AOT (wasm2c, gcc -O2): harness not built (npm run bench builds it; needs wasm2c: apt-get install wabt)");
  else harnessSplit("coop AOT (wasm2c, gcc -O2), release (as shipped)", (fn, n) => [aot, [fn, String(n), "16", String(REPS), "1"]], N);
}
