// Bundles the page (host/web/page.ts and the host/sim code it imports) into
// build/web/page.js with esbuild. What Node-only code the page's imports
// still reach is replaced here, at bundle time, and nowhere else:
// - host/package-file.ts reads boards/abi/abi.json and boards/wasm3/gate.json
//   from disk: the bundle gets those two files inlined instead;
// - node:v8 (scenario.ts turns on V8's linear-time regex engine with it): a
//   browser has no V8 flags, so setFlagsFromString throws and the page falls
//   back as docs/web.md says;
// - binaryen (the fuel rewrite, host/sim/fuel.ts) stays external: the page
//   loads binaryen's own browser build from node_modules through an import
//   map (host/web/server.ts serves it), instead of copying 8 MB into the bundle.
// Run: node build/js/host/web/bundle.js (npm run build does).

import { build, type Plugin } from "esbuild";
import { readFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const INLINED_JSON = ["boards/abi/abi.json", "boards/wasm3/gate.json"];

const browserPlugin: Plugin = {
  name: "coop-browser",
  setup(b) {
    b.onResolve({ filter: /package-file\.js$/ }, () => ({ path: "package-file", namespace: "coop" }));
    b.onResolve({ filter: /^node:v8$/ }, () => ({ path: "v8", namespace: "coop" }));
    b.onLoad({ filter: /^package-file$/, namespace: "coop" }, () => {
      const files = Object.fromEntries(INLINED_JSON.map((f) => [f, JSON.parse(readFileSync(resolve(ROOT, f), "utf8"))]));
      return {
        loader: "js",
        contents: `const FILES = ${JSON.stringify(files)};
export function readPackageJson(rel) {
  if (!(rel in FILES)) throw new Error(rel + " is not in the page's bundle (host/web/bundle.ts INLINED_JSON)");
  return FILES[rel];
}`,
      };
    });
    b.onLoad({ filter: /^v8$/, namespace: "coop" }, () => ({
      loader: "js",
      contents: `export function setFlagsFromString() { throw new Error("a browser has no V8 flags"); }`,
    }));
  },
};

/** Bundle the page; returns the output path. */
export async function bundlePage(outDir = resolve(ROOT, "build/web")): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const outfile = resolve(outDir, "page.js");
  await build({
    entryPoints: [resolve(ROOT, "host/web/page.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    sourcemap: true,
    external: ["binaryen"],
    plugins: [browserPlugin],
    logLevel: "warning",
  });
  return outfile;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  bundlePage().then(
    (out) => console.log(`web: page bundle -> ${out.slice(ROOT.length + 1)}`),
    (e) => {
      console.error(`web: bundle failed: ${(e as Error).message.split("\n")[0]}`);
      process.exit(1);
    },
  );
}
