// as-pect config for the HAL driver specs (npm run test:hal): the core's fake
// board plus the HAL peripherals of fake-hal.js. Spec files end in
// .halspec.ts so the core's config (tests/core/**/*.spec.ts), which lacks the
// "halfake" imports, does not pick them up.
import { createHalFakeBoard } from "./fake-hal.js";

export default {
  entries: ["tests/core/hal/**/*.halspec.ts"],
  include: [],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    let instance;
    const { board, fake, halfake } = createHalFakeBoard(() => instance.exports.memory);
    // The loader's instantiate is async: await it, or `instance` would be a
    // Promise when the fake board first touches memory.
    instance = await instantiate(binary, createImports({ env: { memory }, board, fake, halfake }));
    return instance;
  },
  outputBinary: false,
};
