import { createFakeBoard } from "./fake-board.js";

export default {
  entries: ["tests/core/**/*.spec.ts"],
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
