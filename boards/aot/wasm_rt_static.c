/*
 * The wasm-rt interface (wabt's wasm-rt.h, the runtime wasm2c's output calls)
 * for one module on a microcontroller: linear memory and tables are static
 * arrays sized when the firmware is built, traps unwind with longjmp to the
 * embedding's target, and the stack is bounded by a stack-pointer compare
 * in every translated function (coop_aot_link.h) instead of guard pages or
 * signals. No mmap, no malloc, no signals: wabt's own wasm-rt-impl.c needs
 * all three.
 *
 * Build-time sizes (-D, set by host/aot/translate.ts from the module):
 *   COOP_AOT_MEMORY_BYTES  bytes of linear memory (the board's memory cap)
 *   COOP_AOT_MEMORY_LIMIT  the same if it was asked for as a limit, else 0
 *   COOP_AOT_TABLE_ELEMS   funcref table entries (the module's table maximum or size)
 *   COOP_AOT_FUNC_TYPES    distinct function types the module registers
 *   COOP_AOT_FIXED_MEMORY_BYTES  (optional) the memory size, when it cannot grow:
 *                          the module was compiled to compare with it
 *   COOP_AOT_STACK_BUDGET  stack bytes the translated code may use below the
 *                          load point (coop_aot_link.h)
 * The memory cap follows coop_memory_max_pages()/coop_memory_bytes(), the
 * rule the wasm3 engine applies too (boards/embed/coop_board.c).
 */
#include "coop_aot_link.h"
#include "wasm-rt.h"
#include "coop_board.h"
#include "coop_hal.h"

#include <stdarg.h>

#ifndef COOP_AOT_MEMORY_BYTES
#error "COOP_AOT_MEMORY_BYTES (linear memory bytes) must be defined by the build"
#endif
#if COOP_AOT_MEMORY_BYTES == 0
#error "COOP_AOT_MEMORY_BYTES is 0: a static memory needs its size (0, no limit, exists only on wasm3)"
#endif
#ifndef COOP_AOT_TABLE_ELEMS
#define COOP_AOT_TABLE_ELEMS 0
#endif
#ifndef COOP_AOT_FUNC_TYPES
#define COOP_AOT_FUNC_TYPES 256
#endif

#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
#error "build with -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0: this runtime has no guard pages, every access is bounds-checked"
#endif

#ifndef COOP_AOT_STACK_BUDGET
#error "COOP_AOT_STACK_BUDGET (stack bytes for the translated code) must be defined by the build"
#endif

/* 0 until load sets it (coop_aot.c): no translated code runs before that. */
uintptr_t coop_aot_stack_limit;
const uint32_t coop_aot_stack_budget = COOP_AOT_STACK_BUDGET;
const uint32_t coop_aot_memory_bytes = COOP_AOT_MEMORY_BYTES;
#ifndef COOP_AOT_MEMORY_LIMIT
#define COOP_AOT_MEMORY_LIMIT COOP_AOT_MEMORY_BYTES
#endif
const uint32_t coop_aot_memory_limit = COOP_AOT_MEMORY_LIMIT;

static uint8_t s_memory[COOP_AOT_MEMORY_BYTES] __attribute__((aligned(8)));
static uint8_t s_memory_taken;
#if COOP_AOT_TABLE_ELEMS > 0
static wasm_rt_funcref_t s_table[COOP_AOT_TABLE_ELEMS];
#endif
static uint8_t s_table_taken;
static WASM_RT_UNWIND_TARGET *s_unwind;
static uint8_t s_initialized;

void wasm_rt_init(void) { s_initialized = 1; }
bool wasm_rt_is_initialized(void) { return s_initialized; }
void wasm_rt_free(void) { s_initialized = 0; }

void wasm_rt_set_unwind_target(WASM_RT_UNWIND_TARGET *target) { s_unwind = target; }
WASM_RT_UNWIND_TARGET *wasm_rt_get_unwind_target(void) { return s_unwind; }

/* The same words as wasm3's traps, so a report reads the same on both engines. */
const char *wasm_rt_strerror(wasm_rt_trap_t trap) {
  switch (trap) {
    case WASM_RT_TRAP_OOB: return "[trap] out of bounds memory access";
    case WASM_RT_TRAP_INT_OVERFLOW: return "[trap] integer overflow";
    case WASM_RT_TRAP_DIV_BY_ZERO: return "[trap] integer divide by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION: return "[trap] invalid conversion to integer";
    case WASM_RT_TRAP_UNREACHABLE: return "[trap] unreachable executed";
    case WASM_RT_TRAP_CALL_INDIRECT: return "[trap] indirect call type mismatch";
    case WASM_RT_TRAP_EXHAUSTION: return "[trap] stack overflow";
    default: return "[trap] unknown";
  }
}

void wasm_rt_trap(wasm_rt_trap_t trap) {
  if (s_unwind) longjmp(*s_unwind, (int)trap);
  /* A trap outside any guarded call cannot happen with coop_aot.c; stop rather than run on. */
  hal_report("coop: trap outside a guarded call");
  hal_exit(COOP_EXIT_FIRMWARE_FAULT);
}

/*
 * call_indirect compares registered ids, so equal signatures must get equal
 * ids. A signature is packed into 64 bits exactly (3 bits per value type,
 * the gate allows at most 16 parameters and 1 result), so no two differ in
 * the table while comparing equal.
 */
static uint64_t s_types[COOP_AOT_FUNC_TYPES];
static uint32_t s_ntypes;

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  if (params > 16 || results > 1) wasm_rt_trap(WASM_RT_TRAP_CALL_INDIRECT);
  uint64_t key = ((uint64_t)params << 53) | ((uint64_t)results << 52);
  va_list ap;
  va_start(ap, results);
  for (uint32_t i = 0; i < params + results; i++) key |= (uint64_t)(va_arg(ap, int) & 7) << (3 * i);
  va_end(ap);
  for (uint32_t i = 0; i < s_ntypes; i++)
    if (s_types[i] == key) return i;
  /* More types than the build counted: only a mismatched translation can do this. */
  if (s_ntypes >= COOP_AOT_FUNC_TYPES) wasm_rt_trap(WASM_RT_TRAP_CALL_INDIRECT);
  s_types[s_ntypes] = key;
  return s_ntypes++;
}

void wasm_rt_allocate_memory(wasm_rt_memory_t *mem, uint32_t initial_pages, uint32_t max_pages) {
  /* One module, one memory (the gate refuses more). */
  if (s_memory_taken) wasm_rt_trap(WASM_RT_TRAP_OOB);
  s_memory_taken = 1;
  mem->data = s_memory;
  mem->pages = initial_pages;
  mem->max_pages = coop_memory_max_pages(COOP_AOT_MEMORY_BYTES, initial_pages, max_pages);
  mem->size = coop_memory_bytes(initial_pages, COOP_AOT_MEMORY_BYTES);
#ifdef COOP_AOT_FIXED_MEMORY_BYTES
  /* The module's checks take the size as this constant: it must be, and stay, the size. */
  if (mem->size != COOP_AOT_FIXED_MEMORY_BYTES || mem->max_pages != initial_pages) wasm_rt_trap(WASM_RT_TRAP_OOB);
#endif
}

uint8_t coop_aot_grow_refused;

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *mem, uint32_t delta) {
  uint32_t old = mem->pages;
  uint64_t pages = (uint64_t)old + delta;
  coop_aot_grow_refused = pages > mem->max_pages;
  if (coop_aot_grow_refused) return (uint32_t)-1;
  /* The static array starts zeroed and memory never shrinks: new pages are already zero. */
  mem->pages = (uint32_t)pages;
  mem->size = coop_memory_bytes(mem->pages, COOP_AOT_MEMORY_BYTES);
  return old;
}

void wasm_rt_free_memory(wasm_rt_memory_t *mem) {
  mem->data = 0;
  mem->size = mem->pages = 0;
  s_memory_taken = 0;
}

void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t *table, uint32_t elements, uint32_t max_elements) {
  (void)max_elements;
  if (s_table_taken || elements > COOP_AOT_TABLE_ELEMS) wasm_rt_trap(WASM_RT_TRAP_OOB);
  s_table_taken = 1;
#if COOP_AOT_TABLE_ELEMS > 0
  table->data = s_table;
#else
  table->data = 0;
#endif
  table->size = elements;
  table->max_size = elements; /* table.grow is not in the gate's opcode set: the size is fixed */
}

void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t *table) {
  table->data = 0;
  table->size = 0;
  s_table_taken = 0;
}
