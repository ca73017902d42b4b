/*
 * Link-time facts of an AOT firmware and the stack bound of its translated
 * code. Force-included (gcc -include) into the translated module, included
 * first by the C files of boards/aot.
 *
 * The stack bound: host/aot/translate.ts replaces wasm2c's call counter
 * (an increment, a compare and a decrement of a global around every call)
 * with one compare of the stack pointer against coop_aot_stack_limit in each
 * translated function's prologue. The limit is set at load to the stack
 * pointer there minus COOP_AOT_STACK_BUDGET bytes (wasm_rt_static.c); the
 * build keeps, below the limit, room for one frame at the frame bound (gcc
 * enforces it: -Werror=stack-usage) plus the board's own (imports, HAL, an interrupt), so a
 * runaway recursion traps "stack overflow" before it can write past the stack.
 */
#ifndef COOP_AOT_LINK_H
#define COOP_AOT_LINK_H
#include <stdint.h>

extern uintptr_t coop_aot_stack_limit;
/* Bytes of the static linear memory (the board's memory cap). */
extern const uint32_t coop_aot_memory_bytes;
/* The same when the build was given it as a limit, 0 when it is only a default (reports name a limit). */
extern const uint32_t coop_aot_memory_limit;
/* 1 when the last memory.grow was refused (wasm_rt_static.c): a trap now is the allocator out of memory. */
extern uint8_t coop_aot_grow_refused;
/* Bytes of stack the translated code may use below the load point. */
extern const uint32_t coop_aot_stack_budget;

static inline __attribute__((always_inline)) uintptr_t coop_aot_sp(void) {
  uintptr_t sp;
#if defined(__arm__) || defined(__thumb__)
  __asm__("mov %0, sp" : "=r"(sp));
#elif defined(__x86_64__)
  __asm__("mov %%rsp, %0" : "=r"(sp));
#elif defined(__riscv)
  __asm__("mv %0, sp" : "=r"(sp));
#else
  sp = (uintptr_t)__builtin_frame_address(0);
#endif
  return sp;
}

/*
 * The memory size every bounds check of the translated module compares
 * with (host/aot/translate.ts, sizeChecks). A build whose memory cannot grow
 * compiles the module with COOP_AOT_FIXED_MEMORY_BYTES, and each check is
 * then a compare with a constant; wasm_rt_static.c traps at instantiate if
 * the module's memory would not be exactly that.
 */
#ifdef COOP_AOT_FIXED_MEMORY_BYTES
#define COOP_AOT_MEM_SIZE(mem) ((uint64_t)COOP_AOT_FIXED_MEMORY_BYTES)
#else
#define COOP_AOT_MEM_SIZE(mem) ((mem)->size)
#endif

/* Used by the translated module's FUNC_PROLOGUE (TRAP and UNLIKELY are its own macros). */
#define COOP_AOT_STACK_CHECK() \
  if (UNLIKELY(coop_aot_sp() < coop_aot_stack_limit)) TRAP(EXHAUSTION);

#endif
