/*
 * Link-time facts of an AOT firmware, defined in wasm_rt_static.c (the only
 * file compiled with the build's sizes). Force-included (gcc -include) into
 * the translated module too: its call-depth check compares against a
 * constant fixed at link time, so the module is compiled once, before its
 * frame sizes (gcc -fstack-usage) decide the limit that keeps it inside the
 * board's stack (host/aot/translate.ts, callDepthFor).
 */
#ifndef COOP_AOT_LINK_H
#define COOP_AOT_LINK_H
#include <stdint.h>
extern const uint32_t coop_aot_max_call_depth;
/* Bytes of the static linear memory (the board's memory cap). */
extern const uint32_t coop_aot_memory_bytes;
#define WASM_RT_MAX_CALL_STACK_DEPTH coop_aot_max_call_depth
#endif
