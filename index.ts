// The package's entry for firmware projects: `import { spawn } from "coop"`.
// asc 0.27 resolves a bare import "coop" to node_modules/coop/index.ts and
// "coop/<x>" to node_modules/coop/<x>.ts (it reads no package.json field), so
// the package's AssemblyScript entry points sit here at its root.
export * from "./assembly/coop/index";
