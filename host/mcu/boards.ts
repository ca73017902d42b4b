// The MCU boards `npm run build:mcu -- --board <name>` builds for and QEMU
// runs: their folder, cross compiler, flags, sources, QEMU machine and the
// setup step that installs their tools. One entry per port; build.ts,
// qemu.ts, latency.ts and the QEMU HIL targets read nothing board-specific
// elsewhere. Imports only node: modules.

export type McuBoardName = "mps2-an385" | "sifive-e";
export type McuEngine = "wasm3" | "aot";

export interface McuBoard {
  name: McuBoardName;
  /** The port's folder (relative to the package root). */
  dir: string;
  /** Cross compiler (size, objcopy: the same prefix). */
  cc: string;
  /** QEMU binary and its machine arguments (before -kernel). */
  qemu: string;
  machine: string[];
  /** Target and libc flags for every C file of the image. */
  arch: string[];
  /** Board sources besides main.c (relative to dir). */
  srcs: string[];
  /** Engines this board can hold; the first is the default. */
  engines: McuEngine[];
  /** The part's RAM when the image must fit it (the memory search stays inside); null: QEMU's is larger than any firmware. */
  ramBytes: number | null;
  /** Prefix of the latency probe's defines (-D<P>_LATENCY_PROBE, -D<P>_LATENCY_SPLIT). */
  probe: string;
  /** Plain-C reference for the latency benchmark (relative to dir). */
  cRx: string;
  /** How to install the tools (Debian packages), for missing-tool messages and skips. */
  setupHint: string;
  packages: string[];
}

export const BOARDS: Record<McuBoardName, McuBoard> = {
  "mps2-an385": {
    name: "mps2-an385",
    dir: "boards/qemu-mps2-an385",
    cc: process.env.COOP_ARM_CC ?? "arm-none-eabi-gcc",
    qemu: process.env.COOP_QEMU ?? "qemu-system-arm",
    machine: ["-M", "mps2-an385"],
    arch: ["-mcpu=cortex-m3", "-mthumb", "--specs=nano.specs"],
    srcs: ["startup.c", "semihost.c", "uart_polled.c", "syscalls.c", "hal.c"],
    engines: ["wasm3", "aot"],
    ramBytes: null,
    probe: "MPS2",
    cRx: "bench/c_rx.c",
    packages: ["gcc-arm-none-eabi", "libnewlib-arm-none-eabi", "qemu-system-arm", "wabt"],
    setupHint: "npm run setup:mcu (Debian: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm wabt)",
  },
  "sifive-e": {
    name: "sifive-e",
    dir: "boards/qemu-sifive-e",
    cc: process.env.COOP_RISCV_CC ?? "riscv64-unknown-elf-gcc",
    qemu: process.env.COOP_QEMU_RISCV ?? "qemu-system-riscv32",
    machine: ["-M", "sifive_e"],
    // -misa-spec=2.2: the CSR instructions are part of rv32imac, as picolibc's multilib was built (with 20191213, gas wants _zicsr and the multilib no longer matches).
    arch: ["-march=rv32imac", "-mabi=ilp32", "-misa-spec=2.2", "-mcmodel=medany", "--specs=picolibc.specs"],
    srcs: ["start.S", "semihost.c", "hal.c"],
    engines: ["aot"],
    ramBytes: 16384,
    probe: "SIFIVE",
    cRx: "bench/c_rx.c",
    packages: ["gcc-riscv64-unknown-elf", "picolibc-riscv64-unknown-elf", "qemu-system-misc", "wabt"],
    setupHint: "npm run setup:riscv (Debian: apt-get install gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc wabt)",
  },
};

export const DEFAULT_BOARD: McuBoardName = "mps2-an385";

/** The board of that name, or a one-line Error naming the known ones. */
export function boardByName(name: string): McuBoard {
  const b = (BOARDS as Record<string, McuBoard>)[name];
  if (!b) throw new Error(`unknown board '${name}' (known: ${Object.keys(BOARDS).join(", ")})`);
  return b;
}
