// The capacity run: the specs that fill the task table, built with
// --use COOP_TASKS=256 (tests/core/as-pect.capacity.asconfig.json).
import base from "./as-pect.config.js";

export default {
  ...base,
  entries: ["tests/core/capacity.spec.ts", "tests/core/ram.spec.ts", "tests/core/stress.spec.ts"],
};
