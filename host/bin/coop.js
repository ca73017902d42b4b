#!/usr/bin/env node
// The package's `coop` command: a shim that runs the compiled CLI
// (build/js/host/cli.js, produced by `npm run build`).
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { resolve, dirname } from "node:path";

const cli = resolve(dirname(fileURLToPath(import.meta.url)), "../../build/js/host/cli.js");
if (!existsSync(cli)) {
  // Named by folder: from a firmware project (coop init) the package is a linked checkout elsewhere.
  process.stderr.write(`coop: not built yet: run \`npm run build\` in ${resolve(dirname(fileURLToPath(import.meta.url)), "../..")} first\n`);
  // USAGE, from the one exit-code table (docs/abi.md); the compiled host/abi.js is what is missing.
  process.exit(JSON.parse(readFileSync(new URL("../../boards/abi/abi.json", import.meta.url), "utf8")).exit_codes.USAGE.code);
}
const { main } = await import(pathToFileURL(cli).href);
process.exitCode = await main(process.argv.slice(2)); // not exit(): let piped stdout drain
