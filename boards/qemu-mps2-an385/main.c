/*
 * Firmware entry: bring up the board, then hand the embedded .wasm (a const
 * array in flash, generated at build time by `npm run build:mcu` into
 * build/mcu/<name>_wasm.c) to the portable wasm3 embedding, which loads it,
 * checks the ABI, runs _start and drives the board loop forever.
 * Exit statuses (semihosting) are coop_abi.h's COOP_EXIT_* (docs/abi.md); a
 * hard fault exits COOP_EXIT_INTERNAL after printing "[mcu] fatal: ..." on UART0.
 *
 * Build-time knobs (-D, set by host/mcu/build.ts):
 *   COOP_MEMORY_LIMIT  bytes of linear memory the firmware gets (0 = module's own)
 *   COOP_STACK_BYTES   wasm3 value stack (0 = embedding default, 16 KiB)
 *   COOP_LAZY_COMPILE  1: wasm3 compiles each function at its first call
 *                      (less RAM for code never run; allocation then
 *                      continues after _start), 0 (default): all at load
 *   COOP_TRACE         1: coop_set_trace(1) before _start; events go to
 *                      QEMU's stderr as "[trace] kind a b" (docs/abi.md)
 *   COOP_UNTIL         stop with status 0 at this tick (-1 = never; the
 *                      build's memory probe uses it)
 */
#include <stdint.h>
#include "board.h"
#include "hal_mps2.h"
#include "coop_wasm3.h"

#ifndef COOP_MEMORY_LIMIT
#define COOP_MEMORY_LIMIT 0
#endif
#ifndef COOP_STACK_BYTES
#define COOP_STACK_BYTES 0
#endif
#ifndef COOP_LAZY_COMPILE
#define COOP_LAZY_COMPILE 0
#endif
#ifndef COOP_TRACE
#define COOP_TRACE 0
#endif
#ifndef COOP_UNTIL
#define COOP_UNTIL (-1)
#endif

extern const uint8_t coop_firmware_wasm[];
extern const uint32_t coop_firmware_wasm_len;

int main(void) {
  mps2_hal_init();
  coop_wasm3_config cfg;
  coop_wasm3_default_config(&cfg);
  cfg.memory_limit = COOP_MEMORY_LIMIT;
  cfg.stack_bytes = COOP_STACK_BYTES;
  cfg.until = COOP_UNTIL;
  cfg.lazy_compile = COOP_LAZY_COMPILE;
  cfg.trace = COOP_TRACE;
  coop_wasm3_run(coop_firmware_wasm, coop_firmware_wasm_len, &cfg);
}
