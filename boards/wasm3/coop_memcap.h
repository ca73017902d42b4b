/*
 * The linear-memory cap of a wasm3 board (an MCU's RAM), in one place so that
 * every embedding gives the same verdict for the same module and limit: the
 * device embedding (coop_wasm3.c: MCU firmware, coop-native) and the
 * simulator's wasm3 engine (boards/wasm3-node). `limit` is in bytes, 0 = none.
 * Header-only: each embedding already compiles against wasm3's internal
 * m3_env.h (the runtime's memory fields are not public API).
 */
#ifndef COOP_MEMCAP_H
#define COOP_MEMCAP_H

#include <stdint.h>
#include "m3_env.h"
#include "coop_memory.h" /* the rule itself, shared with the AOT engine */

/*
 * Before m3_LoadModule: caps wasm3's allocation at the limit (a limit that is
 * not a multiple of 64 KiB makes the last page partial; an access above it
 * traps). Returns 1 when the module's data cannot fit (the caller refuses the
 * module), else 0. Only the data needs to fit, not the declared initial
 * pages: AssemblyScript declares 1 page and puts its data at the bottom.
 */
static inline int coop_memcap_before_load(IM3Runtime rt, IM3Module mod, uint32_t limit) {
  rt->memoryLimit = limit;
  uint64_t need = 0;
  for (uint32_t i = 0; i < mod->numDataSegments; i++) need += mod->dataSegments[i].size;
  return !coop_memory_data_fits(need, mod->memoryInfo.initPages, limit);
}

/*
 * After m3_LoadModule: memory.grow fails (returns -1) past the limit, rounded
 * up to whole pages, instead of "succeeding" into host memory the MCU would
 * not have (wasm3's memoryLimit alone only clamps the allocation).
 */
static inline void coop_memcap_after_load(IM3Runtime rt, uint32_t limit) {
  if (limit) rt->memory.maxPages = coop_memory_max_pages(limit, rt->memory.numPages, rt->memory.maxPages);
}

#endif
