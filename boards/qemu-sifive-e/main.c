/*
 * Firmware entry on sifive_e: bring up the board, then run the firmware
 * through the portable embedding (boards/embed/coop_board.h). The AOT engine
 * (the module translated to C and compiled in) is the one this 16 KiB part
 * runs; build:mcu refuses wasm3 here (docs/mcu.md says why).
 *
 * Build-time knobs (-D, set by host/mcu/build.ts): COOP_TRACE (1: board.trace
 * events on QEMU's stderr), COOP_UNTIL (stop with status 0 at this tick; the
 * build's measuring runs use it). The memory and stack limits are link-time
 * constants of boards/aot/wasm_rt_static.c.
 */
#include <stdint.h>
#include "board.h"
#include "hal_sifive_e.h"
#include "coop_board.h"

#ifndef COOP_TRACE
#define COOP_TRACE 0
#endif
#ifndef COOP_UNTIL
#define COOP_UNTIL (-1)
#endif

int main(void) {
  sifive_e_hal_init();
  coop_config cfg;
  coop_default_config(&cfg);
  cfg.until = COOP_UNTIL;
  cfg.trace = COOP_TRACE;
  coop_run((const uint8_t *)0, 0, &cfg);
}
