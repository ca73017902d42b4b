// The package's own data files (boards/abi/abi.json, boards/wasm3/gate.json),
// read once at start-up by the modules that define their facts. In Node they
// are read from the checkout; the page's bundle (host/web/bundle.ts) replaces
// this module with one that has the same files inlined, so nothing else in
// host/ needs to know where it runs.

import { readFileSync } from "node:fs";

/** The JSON file at `rel` (from the package root). This module runs as build/js/host/package-file.js or host/package-file.ts. */
export function readPackageJson(rel: string): unknown {
  for (const up of ["../../../", "../"]) {
    try {
      return JSON.parse(readFileSync(new URL(up + rel, import.meta.url), "utf8"));
    } catch {
      /* try the next */
    }
  }
  throw new Error(`${rel} not found in the package`);
}
