/*
 * The linear-memory cap, one rule for every engine (docs/engines.md): the
 * wasm3 embedding (boards/wasm3/coop_memcap.h, also the simulator's addon)
 * and the AOT runtime (boards/aot/wasm_rt_static.c). `limit` is in bytes,
 * 0 = none. Header-only, so the Node addon uses it without the rest of the
 * embedding.
 */
#ifndef COOP_MEMORY_H
#define COOP_MEMORY_H

#include <stdint.h>

#define COOP_WASM_PAGE 65536u

/*
 * The page count memory.grow may reach under `limit`: enough pages to hold
 * the limit (rounded up: a partial last page), never fewer than the module
 * starts with, never more than it declares.
 */
static inline uint32_t coop_memory_max_pages(uint32_t limit, uint32_t initial_pages, uint32_t declared_max_pages) {
  if (!limit) return declared_max_pages;
  uint32_t pages = (uint32_t)(((uint64_t)limit + COOP_WASM_PAGE - 1) / COOP_WASM_PAGE);
  if (pages < initial_pages) pages = initial_pages;
  return pages < declared_max_pages ? pages : declared_max_pages;
}

/* Bytes that exist at `pages` pages under `limit`: a partial last page below a whole one (an access above it traps). */
static inline uint32_t coop_memory_bytes(uint32_t pages, uint32_t limit) {
  uint64_t bytes = (uint64_t)pages * COOP_WASM_PAGE;
  if (limit && bytes > limit) bytes = limit;
  return bytes > 0xffffffffu ? 0xffffffffu : (uint32_t)bytes;
}

/* Only the data needs to fit under a limit, not the declared initial pages: AssemblyScript declares 1 page and puts its data at the bottom. */
static inline int coop_memory_data_fits(uint64_t data_bytes, uint32_t initial_pages, uint32_t limit) {
  return !limit || (uint64_t)initial_pages * COOP_WASM_PAGE <= limit || data_bytes <= limit;
}

#endif
