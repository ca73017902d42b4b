// Runs only the sync specs (npm run test:sync); npm run test:core runs them with all the others.
import base from "../as-pect.config.js";

export default {
  ...base,
  entries: [process.env.SYNC_SPEC || "tests/core/sync/**/*.spec.ts"],
};
