// `import { Channel } from "coop/sync"`: channels, mutexes, signals, streams (see index.ts).
export * from "./assembly/sync/index";
