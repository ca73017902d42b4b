// Runs only the sync specs (npm run test:sync); npm run test:core runs them with all the others.
import { createFakeBoard } from "../fake-board.js";

export default {
  entries: [process.env.SYNC_SPEC || "tests/core/sync/**/*.spec.ts"],
  include: [],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    let instance;
    const { board, fake } = createFakeBoard(() => instance.exports.memory);
    instance = await instantiate(binary, createImports({ env: { memory }, board, fake }));
    return instance;
  },
  outputBinary: false,
};
