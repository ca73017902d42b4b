/* The build's source map for the native runner's trap reports (sourcemap.c). */
#ifndef COOP_NATIVE_SOURCEMAP_H
#define COOP_NATIVE_SOURCEMAP_H
#include <stdint.h>

/* Read the map the module names (sourceMappingURL, relative to `wasm_path`); 0 when there is none or it cannot be read. */
int native_sourcemap_load(const char *wasm_path, const uint8_t *wasm, uint32_t len);
/* `file:line:col` of a module byte offset (a static buffer), or 0. */
const char *native_source_at(uint32_t offset);

#endif
