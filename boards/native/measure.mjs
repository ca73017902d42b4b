// Figures for the native runner (prints, asserts nothing): binary size,
// start-up to the demo's banner, ping->pong round trips, alarm lateness, and
// the CPU time and memory of a mostly idle run. Usage, after
// npm run build && npm run build:native:
//   node boards/native/measure.mjs [--pings N] [--firmware build/demo.wasm]
import { spawn, spawnSync } from "node:child_process";
import { statSync, existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : def;
};
const BIN = "build/coop-native";
const DEMO = opt("--firmware", "build/demo.wasm");
const PINGS = Number(opt("--pings", "50"));
for (const f of [BIN, DEMO, "build/blinky.wasm"]) {
  if (!existsSync(f)) {
    console.error(`measure: ${f} missing (npm run build && npm run build:native)`);
    process.exit(1);
  }
}

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (us) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(0)} µs`);
const summary = (xs) => {
  if (!xs.length) return "no samples";
  const s = [...xs].sort((a, b) => a - b);
  return `median ${fmt(pct(s, 50))}, p90 ${fmt(pct(s, 90))}, max ${fmt(s[s.length - 1])} (n=${s.length})`;
};

console.log(`machine: ${cpus().length} CPU(s), load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
const size = statSync(BIN).size;
const stripped = spawnSync("sh", ["-c", `strip -o /tmp/coop-native.stripped.$$ ${BIN} && wc -c < /tmp/coop-native.stripped.$$; rm -f /tmp/coop-native.stripped.$$`], { encoding: "utf8" });
console.log(`binary: ${BIN} ${size} B${stripped.status === 0 ? `, stripped ${stripped.stdout.trim()} B` : ""}`);

// Start-up and ping round trips: one runner, stdin/stdout pipes.
{
  const t0 = process.hrtime.bigint();
  const c = spawn(BIN, [DEMO], { stdio: ["pipe", "pipe", "ignore"] });
  let out = "";
  let waiter = null;
  c.stdout.setEncoding("utf8").on("data", (d) => {
    out += d;
    if (waiter && waiter.re.test(out)) {
      const w = waiter;
      waiter = null;
      w.resolve();
    }
  });
  const until = (re) => new Promise((resolve) => (re.test(out) ? resolve() : (waiter = { re, resolve })));
  await until(/ready/);
  const startUs = Number(process.hrtime.bigint() - t0) / 1000;
  console.log(`start-up: spawn to the demo's banner ${fmt(startUs)} (exec, wasm3 load + compile of all functions, _start, first step)`);
  const rtt = [];
  for (let i = 0; i < PINGS; i++) {
    out = "";
    const a = process.hrtime.bigint();
    c.stdin.write("ping\n");
    await until(/pong\n/);
    rtt.push(Number(process.hrtime.bigint() - a) / 1000);
  }
  console.log(`ping -> pong round trip through pipes: ${summary(rtt)}`);
  c.kill("SIGTERM");
  await new Promise((r) => c.on("close", r));
}

// Alarm lateness: with --trace the runner prints "alarm <now> <due>" when the alarm fires.
{
  const r = spawnSync(BIN, ["--trace", "--until", "5300", "build/blinky.wasm"], { encoding: "utf8" });
  const late = [...r.stderr.matchAll(/^alarm (\d+) (\d+)$/gm)].map((m) => Number(m[1]) - Number(m[2]));
  console.log(`alarm lateness (blinky, 10 alarms 500 ms apart; due -> seen by the board loop): ${summary(late)}`);
}

// CPU and memory of a 3 s demo run with a few commands: the idle wait must not spin.
{
  const r = spawnSync("bash", ["-c", `(printf 'ping\\ntasks\\nuptime\\n'; sleep 3) | /usr/bin/time -f 'cpu %U %S rss %M' ${BIN} --until 3000 ${DEMO} > /dev/null`], { encoding: "utf8" });
  const m = /cpu ([\d.]+) ([\d.]+) rss (\d+)/.exec(r.stderr);
  if (m) console.log(`3 s demo run: CPU ${(Number(m[1]) + Number(m[2])).toFixed(2)} s, max RSS ${m[3]} KB`);
  else console.log(`3 s demo run: /usr/bin/time not available (${(r.stderr || "").trim().split("\n")[0]})`);
}
