// `import { Uart } from "coop/hal"`: the HAL drivers (see index.ts).
export * from "./assembly/hal/index";
