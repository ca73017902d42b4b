/*
 * The portable embedding of the coop board ABI v1 (docs/abi.md) over the
 * wasm3 interpreter. A board implements coop_hal.h, puts the firmware's .wasm
 * bytes somewhere in memory (a file read on the host, a const array in flash
 * on an MCU), fills a coop_wasm3_config and calls coop_wasm3_run().
 *
 * One firmware instance per program: the state is static (no allocation in
 * this file; wasm3 itself allocates its runtime, compiled code and linear
 * memory with malloc, all during load unless lazy_compile is set).
 *
 * Errors are reported through hal_report() as one line starting "coop: " and
 * end in hal_exit() with one of the COOP_EXIT_* statuses of coop_abi.h, the
 * one exit-code table of every runner (docs/abi.md): BAD_MODULE (refused at
 * load), FIRMWARE_FAULT (a trap or a panic; the line says which), NO_MEMORY
 * (wasm3's runtime or the module does not fit the heap). Boards use USAGE for
 * their own errors (bad option, unreadable file).
 */
#ifndef COOP_WASM3_H
#define COOP_WASM3_H

#include <stdint.h>
#include "coop_abi.h" /* generated from boards/abi/abi.json: COOP_ABI_VERSION, COOP_EXIT_* */

typedef struct coop_wasm3_config {
  /*
   * Bytes of linear memory the firmware may use; 0 = whatever the module
   * declares (AssemblyScript: 1 page, growing on demand). memory.grow beyond
   * the limit fails (the stub runtime then panics "out of memory"). A limit
   * that is not a multiple of 64 KiB makes the last page partial: wasm3
   * allocates only `memory_limit` bytes and an access above them traps.
   * A module whose data does not fit is refused at load (COOP_EXIT_BAD_MODULE).
   */
  uint32_t memory_limit;
  /* wasm3's value stack in bytes (0 = 16 KiB). Too small: trap "stack overflow". */
  uint32_t stack_bytes;
  /* Stop with COOP_EXIT_OK once hal_now() >= until (ticks); -1 = run until the firmware is done. */
  int64_t until;
  /* Call coop_set_trace(1) before _start, so board.trace reaches hal_trace(). */
  uint8_t trace;
  /*
   * 0 (default): compile every function at load, so a function wasm3 cannot
   * compile is a load error and nothing is allocated once _start runs.
   * 1: compile each function on its first call (less RAM for unused code).
   */
  uint8_t lazy_compile;
} coop_wasm3_config;

/* Defaults: no memory limit, 16 KiB stack, no time limit, no trace, compile at load. */
void coop_wasm3_default_config(coop_wasm3_config *cfg);

/*
 * Parse and load a module from bytes (which must stay valid while it runs),
 * link every board.* import, refuse a module that imports anything else or
 * lacks an ABI export, check the ABI version. Returns 0, or a COOP_EXIT_*
 * status after reporting the reason through hal_report().
 */
int coop_wasm3_load(const uint8_t *wasm, uint32_t len, const coop_wasm3_config *cfg);

/* Call _start once (after a successful load). 0, or a COOP_EXIT_* status after reporting. */
int coop_wasm3_start(void);

/*
 * One coop_step(): runs every ready task. Stores the next deadline (ticks, -1
 * none, <= now() for "call again") in *deadline. 0, or a COOP_EXIT_* status
 * after reporting a trap or panic (the module is dead afterwards).
 */
int coop_wasm3_step(int64_t *deadline);

/* coop_stat(id) of the loaded module (docs/abi.md), or -1 when none is loaded. */
int64_t coop_wasm3_stat(uint32_t id);

/* Current size of the firmware's linear memory in bytes (0 before load). */
uint32_t coop_wasm3_memory_size(void);

/*
 * Load, start and drive the firmware: step; if nothing is ready, hal_idle()
 * until the deadline or an interrupt; repeat. Ends with hal_exit(): 0 when no
 * task is live and no timer is armed (nothing can ever happen again) or when
 * cfg->until is reached, otherwise the COOP_EXIT_* status of the failure.
 */
void coop_wasm3_run(const uint8_t *wasm, uint32_t len, const coop_wasm3_config *cfg) __attribute__((noreturn));

#endif
