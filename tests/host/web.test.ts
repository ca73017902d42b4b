// `coop web` in a real browser: Debian's chromium, driven by puppeteer-core
// through the installed binary (nothing downloads a browser). The page runs
// build/demo.wasm; the test types at its UART, presses its button, watches
// its LED blink, runs a scenario, drops a firmware on it and saves a
// screenshot (build/web-page.png). Without chromium it skips, saying how to
// install it. The server side (refusals, port in use, Ctrl-C) is tested
// without a browser.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture, CLI, ROOT } from "./fixtures/build.js";

const CHROMIUM = "/usr/bin/chromium";
const DEMO = join(ROOT, "build/demo.wasm");
const dir = mkdtempSync(join(tmpdir(), "coop-web-"));

/** Start `coop web`; resolves with the child and the URL it printed. */
function startWeb(args: string[]): Promise<{ child: ChildProcess; url: string; exited: Promise<{ code: number | null; out: string; err: string }> }> {
  const child = spawn(process.execPath, [CLI, "web", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const exited = new Promise<{ code: number | null; out: string; err: string }>((r) => child.on("close", (code) => r({ code, out, err })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`coop web printed no URL within 20 s: ${out}${err}`)), 20_000);
    child.stderr!.on("data", (d) => (err += d));
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /coop web: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], exited });
      }
    });
    void exited.then((r) => {
      clearTimeout(timer);
      reject(new Error(`coop web exited ${r.code}: ${r.err}`));
    });
  });
}

test("coop web: bad firmware gets coop run's line and exit code; a port in use is one line, exit 2; Ctrl-C stops it", { timeout: 60_000 }, async () => {
  const bad = join(dir, "text.wasm");
  writeFileSync(bad, "hello, I am not wasm");
  const web = spawnSync(process.execPath, [CLI, "web", bad, "--port", "0"], { cwd: ROOT, encoding: "utf8", timeout: 20_000 });
  const run = spawnSync(process.execPath, [CLI, "run", bad], { cwd: ROOT, encoding: "utf8", timeout: 20_000 });
  assert.equal(web.status, 3, web.stderr);
  assert.equal(web.stderr, run.stderr);
  assert.match(web.stderr, /^coop: firmware refused: not a WebAssembly module[^\n]*\n$/);

  const missing = spawnSync(process.execPath, [CLI, "web", join(dir, "nope.wasm")], { cwd: ROOT, encoding: "utf8", timeout: 20_000 });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^coop: firmware file not found: .*nope\.wasm\n$/);

  // A port already taken: one line naming it, exit 2 (the documented usage code).
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
  try {
    const port = (blocker.address() as { port: number }).port;
    const taken = spawnSync(process.execPath, [CLI, "web", DEMO, "--port", String(port)], { cwd: ROOT, encoding: "utf8", timeout: 20_000 });
    assert.equal(taken.status, 2, taken.stderr);
    assert.equal(taken.stderr, `coop: web: port ${port} is in use (another coop web?): pick one with --port N, or --port 0 for any free port\n`);
  } finally {
    blocker.close();
  }

  // It serves only on 127.0.0.1, the page and its files; SIGINT (Ctrl-C) ends it with exit 0.
  const { child, url, exited } = await startWeb([DEMO, "--port", "0"]);
  try {
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<script type="module" src="\/page.js">/);
    const fw = new Uint8Array(await (await fetch(new URL("/firmware.wasm", url))).arrayBuffer());
    assert.deepEqual(fw.slice(0, 4), Uint8Array.of(0, 0x61, 0x73, 0x6d));
    assert.equal((await fetch(new URL("/page.js", url))).status, 200);
    assert.equal((await fetch(new URL("/binaryen.js", url))).status, 200);
    assert.equal((await fetch(new URL("/../package.json", url))).status, 404);
  } finally {
    child.kill("SIGINT");
  }
  const r = await exited;
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /coop web: stopped\n$/);
});

test("the page in chromium: UART terminal, button, LED blink, scenario, dropped firmware, runaway line, screenshot", { timeout: 90_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`chromium not installed (${CHROMIUM}): npm run setup:browser, or sudo apt-get update && sudo apt-get install -y chromium`);
    return;
  }
  const { default: puppeteer } = await import("puppeteer-core");
  const echo = await fixture("echo");
  const { child, url, exited } = await startWeb([DEMO, "--port", "0", "--script", "tests/hil/ping.yaml", "--fuel", "1000000"]);
  // The V8 flag gives the page the same linear-time wait-serial engine as coop run.
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--headless=new", "--js-flags=--enable-experimental-regexp-engine"] });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push((e as Error).message));
    await page.setViewport({ width: 1100, height: 900 });
    await page.goto(url);
    await page.waitForSelector("body[data-state=running]", { timeout: 20_000 });
    const startedMs = Number(await page.$eval("body", (b) => b.dataset.startedMs));
    t.diagnostic(`page start (navigation to firmware running): ${startedMs} ms`);
    assert.ok(startedMs > 0 && startedMs < 20_000);

    // The UART terminal: type ping, see the demo's pong.
    const out = () => page.$eval("#uart0-out", (e) => e.textContent ?? "");
    await page.waitForFunction(() => document.getElementById("uart0-out")!.textContent!.includes("coop demo ready"), { timeout: 10_000 });
    await page.type("#uart0-in", "ping");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => /> ping\npong\n/.test(document.getElementById("uart0-out")!.textContent!), { timeout: 10_000 });

    // The button: pressed by mouse, the demo prints its level on each edge; released, it prints 0.
    const button = (await page.$("#pin-BUTTON"))!;
    const box = (await button.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.waitForFunction(() => document.getElementById("uart0-out")!.textContent!.includes("button 1\n"), { timeout: 10_000 });
    await page.mouse.up();
    await page.waitForFunction(() => document.getElementById("uart0-out")!.textContent!.includes("button 0\n"), { timeout: 10_000 });
    // And by keyboard: key 1 is the first input pin.
    const before = (await out()).split("button 1\n").length;
    await page.keyboard.down("1");
    await page.waitForFunction((n) => document.getElementById("uart0-out")!.textContent!.split("button 1\n").length > n, { timeout: 10_000 }, before);
    await page.keyboard.up("1");

    // The LED: its element changes at the blink period (500 ms of simulated time), paced at 1x.
    const changes = new Set<number>();
    const levels = new Set<string>();
    const until = Date.now() + 8_000;
    while (changes.size < 4 && Date.now() < until) {
      const { at, level } = await page.$eval("#pin-LED", (e) => ({ at: Number((e as HTMLElement).dataset.changedAt), level: (e as HTMLElement).dataset.level ?? "" }));
      if (Number.isFinite(at)) changes.add(at);
      levels.add(level);
      await new Promise((r) => setTimeout(r, 100));
    }
    const times = [...changes].sort((a, b) => a - b);
    assert.ok(times.length >= 3, `LED changes seen: ${times.join(", ")}`);
    for (let i = 1; i < times.length; i++) assert.ok(Math.abs(times[i] - times[i - 1] - 500_000) <= 20_000, `LED period: ${times.join(", ")}`);
    assert.deepEqual([...levels].sort(), ["0", "1"]);
    const ratio1x = Number(await page.$eval("body", (b) => b.dataset.ratio));
    assert.ok(ratio1x > 0.5 && ratio1x < 1.5, `1x runs near real time, got ${ratio1x}`);

    // The scenario from --script, run from the page, each step passing.
    await page.click("#scenario-run");
    await page.waitForSelector("body[data-scenario=pass], body[data-scenario=fail]", { timeout: 20_000 });
    assert.equal(await page.$eval("body", (b) => b.dataset.scenario), "pass", await page.$eval("#scenario-result", (e) => e.textContent ?? ""));
    assert.deepEqual(await page.$$eval("#scenario-steps li", (l) => l.map((e) => (e as HTMLElement).dataset.state)), ["pass", "pass"]);
    assert.match(await page.$eval("#scenario-result", (e) => e.textContent ?? ""), /^scenario "shell answers ping": passed 2 steps at t=/);

    // The metrics table is coop run's (same columns).
    assert.match(await page.$eval("#metrics", (e) => e.textContent ?? ""), /slot\s+task\s+spawns\s+polls[\s\S]*blinky/);

    // As fast as it goes: the simulated seconds per second, for the report.
    await page.click("#speed-max");
    await new Promise((r) => setTimeout(r, 3_500));
    const ratioMax = Number(await page.$eval("body", (b) => b.dataset.ratio));
    t.diagnostic(`page at max: ${ratioMax} simulated s per wall s`);
    assert.ok(ratioMax > 10 * ratio1x, `max is faster than 1x: ${ratioMax}`);
    await page.click("#speed-1x");
    await page.screenshot({ path: join(ROOT, "build/web-page.png"), fullPage: true });
    assert.ok(existsSync(join(ROOT, "build/web-page.png")));

    // A dropped .wasm loads: the echo fixture, whose shell task spins on "spin"; the page shows
    // coop run's runaway line, naming the task, with --fuel's budget (the time differs: here it was typed later).
    const cli = spawnSync(process.execPath, [CLI, "run", echo, "--uart-in", "-", "--quiet", "--fuel", "1000000"], { cwd: ROOT, input: "spin\n", encoding: "utf8", timeout: 60_000 });
    assert.equal(cli.status, 4, cli.stderr);
    const bytesB64 = readFileSync(echo).toString("base64");
    await page.evaluate((b64) => {
      const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bin], "echo.wasm"));
      document.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, bytesB64);
    await page.waitForFunction(() => document.getElementById("firmware")!.textContent === "echo.wasm" && document.body.dataset.state === "running", { timeout: 20_000 });
    await page.type("#uart0-in", "spin");
    await page.keyboard.press("Enter");
    await page.waitForSelector("body[data-state=fault]", { timeout: 30_000 });
    const shown = await page.$eval("#fault", (e) => e.textContent ?? "");
    assert.match(shown, /^coop: runaway: task "shell" \(slot 0\) did not return from its poll within 1000000 work units/);
    const withoutTime = (line: string) => line.trimEnd().replace(/, at t=[0-9.]+ s$/, "");
    assert.equal(withoutTime(shown), withoutTime(cli.stderr));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    child.kill("SIGINT");
    await exited;
  }
});
