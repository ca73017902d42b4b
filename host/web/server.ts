// `coop web`: serves the page (host/web/page.ts, bundled into build/web/ by
// host/web/bundle.ts) on 127.0.0.1 only, with the firmware, the board file
// and the scenario it was started with. The simulation runs in the page; this
// server only hands out files. It stops on SIGINT/SIGTERM (Ctrl-C).

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { InputError } from "../input.js";

/** The port `coop web` listens on unless --port says otherwise (docs/web.md). */
export const DEFAULT_WEB_PORT = 8357;

export interface WebSite {
  root: string;
  firmwareName: string;
  firmware: Uint8Array;
  board: { name: string; path: string; text: string };
  scenario: { name: string; text: string } | null;
  seed: number;
  /** --fuel as given (0: unlimited), or null for the simulator's default. */
  fuel: number | null;
  port: number;
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>coop web</title><link rel="icon" href="data:,">
<script type="importmap">{"imports":{"binaryen":"/binaryen.js"}}</script>
<style>
body{font:14px system-ui,sans-serif;margin:12px;background:#fafafa;color:#222}
body.drag{outline:4px dashed #26a}
header{display:flex;gap:12px;align-items:center;flex-wrap:wrap}
#controls button.on{background:#26a;color:#fff}
#clock{font:16px monospace}
#fault{color:#b00;font-family:monospace;white-space:pre-wrap}
.panel{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px;margin:8px 0}
.row{display:flex;gap:8px;flex-wrap:wrap}
.pin{display:flex;align-items:center;gap:6px;margin:4px 12px 4px 0}
.led{width:18px;height:18px;border-radius:50%;background:#400;border:1px solid #222}
.led[data-level="1"]{background:#f33;box-shadow:0 0 8px #f33}
.btn[data-level="1"]{background:#fc3}
.adc{display:flex;gap:8px;align-items:center;margin:2px 0}
.adc .name{width:110px}
.uart{flex:1;min-width:320px}
.term{background:#111;color:#ddd;height:180px;overflow:auto;margin:4px 0;padding:4px}
.uart input{width:100%;font-family:monospace}
.panel:has(> #log:empty){display:none}
#metrics,#log{font:12px monospace;white-space:pre;overflow:auto}
canvas{width:100%;display:block;background:#fff}
#scenario-text{width:100%;height:90px;font-family:monospace}
li[data-state="pass"]{color:#080}li[data-state="pass"]::after{content:"  pass"}
li[data-state="fail"]{color:#b00}li[data-state="fail"]::after{content:"  FAIL"}
li[data-state="running"]{color:#26a}
.pass{color:#080}.fail{color:#b00;white-space:pre-wrap;font-family:monospace}
</style></head>
<body data-state="loading">
<header><strong>coop web</strong> <span id="firmware"></span>
<span id="controls"></span> <span id="clock">0 s</span> <span id="ratio"></span> <span id="started"></span>
<button id="download-trace">trace (Perfetto)</button><button id="download-vcd">VCD (GTKWave)</button></header>
<div id="fault"></div>
<div class="panel"><div class="row" id="pins"></div><div id="adc"></div><div id="i2c"></div></div>
<div class="row" id="uarts"></div>
<div class="panel"><pre id="log"></pre></div>
<div class="panel">timeline (polls, wakes, ISRs) and pins, last
<select id="window"><option value="100000">100 ms</option><option value="1000000" selected>1 s</option><option value="10000000">10 s</option></select> of simulated time
<canvas id="timeline"></canvas><canvas id="waves"></canvas></div>
<div class="panel"><pre id="metrics"></pre></div>
<div class="panel">scenario <span id="scenario-name"></span> <button id="scenario-run">run scenario</button> <span id="regex-note"></span>
<textarea id="scenario-text" spellcheck="false"></textarea><ol id="scenario-steps"></ol><div id="scenario-result"></div></div>
<p>Drop a .wasm on the page to run it on this board.</p>
<script type="module" src="/page.js"></script>
</body></html>
`;

/** The files the page needs besides what it is given: its bundle and binaryen's browser build. */
function pageFiles(root: string): Record<string, { path: string; type: string }> {
  const bundle = `${root}/build/web/page.js`;
  if (!existsSync(bundle)) throw new InputError(`web: the page bundle ${bundle} is missing (run npm run build)`);
  return {
    "/page.js": { path: bundle, type: "text/javascript" },
    "/page.js.map": { path: `${bundle}.map`, type: "application/json" },
    "/binaryen.js": { path: fileURLToPath(import.meta.resolve("binaryen")), type: "text/javascript" },
  };
}

/**
 * Serve the page until SIGINT/SIGTERM. `onListening` gets the URL once the
 * port is bound. A port in use (or not allowed) is an InputError, one line.
 */
export async function serveWeb(site: WebSite, onListening: (url: string) => void): Promise<void> {
  const files = pageFiles(site.root);
  const config = JSON.stringify({
    firmwareName: site.firmwareName, board: site.board, scenario: site.scenario, seed: site.seed, fuel: site.fuel,
  });
  const send = (res: ServerResponse, status: number, type: string, body: string | Uint8Array) => {
    res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
    res.end(body);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "only GET\n");
    if (path === "/" || path === "/index.html") return send(res, 200, "text/html; charset=utf-8", PAGE);
    if (path === "/config.json") return send(res, 200, "application/json", config);
    if (path === "/firmware.wasm") return send(res, 200, "application/wasm", site.firmware);
    const f = Object.hasOwn(files, path) ? files[path] : undefined;
    if (!f) return send(res, 404, "text/plain", "not found\n");
    try {
      send(res, 200, f.type, readFileSync(f.path));
    } catch {
      send(res, 404, "text/plain", "not found\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EADDRINUSE") reject(new InputError(`web: port ${site.port} is in use (another coop web?): pick one with --port N, or --port 0 for any free port`));
      else reject(new InputError(`web: cannot listen on 127.0.0.1:${site.port}: ${e.message.split("\n")[0]}`));
    });
    server.listen(site.port, "127.0.0.1", () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : site.port;
  onListening(`http://127.0.0.1:${port}/`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
