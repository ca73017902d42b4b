/*
 * The engine-independent half of a coop embedding (docs/abi.md): what every
 * engine that runs a coop firmware shares, so a rule is written once.
 *
 *   - the board.* imports with their pointer checks (coop_board_*), given a
 *     view of the module's linear memory read fresh at each call;
 *   - the bounded one-line report builder (coop_line_*);
 *   - the board loop (coop_run): load, start, step, idle without losing a
 *     wake-up, exit with the documented status.
 *
 * An engine (boards/wasm3/coop_wasm3.c: the interpreter; boards/aot/coop_aot.c:
 * the module translated to C by wasm2c) implements the coop_engine_* functions
 * below; a program links exactly one engine. Boards implement coop_hal.h.
 * No allocation, no OS calls: the same code builds for the host and an MCU.
 */
#ifndef COOP_BOARD_H
#define COOP_BOARD_H

#include <stdint.h>

/* The ABI's constants and the exit statuses given to hal_exit(), generated from boards/abi/abi.json. */
#include "coop_abi.h"
#include "coop_memory.h"

typedef struct coop_config {
  /*
   * Bytes of linear memory the firmware may use; 0 = whatever the module
   * declares (AssemblyScript: 1 page, growing on demand). memory.grow beyond
   * the limit fails (the stub runtime then panics "out of memory"). A limit
   * that is not a multiple of 64 KiB makes the last page partial: only
   * `memory_limit` bytes exist and an access above them traps. A module whose
   * data does not fit is refused at load (COOP_EXIT_BAD_MODULE).
   * The AOT engine's memory is a static array: there the limit is fixed when
   * the firmware is built (COOP_AOT_MEMORY_BYTES) and this field is ignored.
   */
  uint32_t memory_limit;
  /* wasm3's value stack in bytes (0 = 16 KiB). Too small: trap "stack overflow". Unused by AOT. */
  uint32_t stack_bytes;
  /* Stop with COOP_EXIT_OK once hal_now() >= until (ticks); -1 = run until the firmware is done. */
  int64_t until;
  /* Call coop_set_trace(1) before _start, so board.trace reaches hal_trace(). */
  uint8_t trace;
  /*
   * wasm3 only. 0 (default): compile every function at load, so a function
   * wasm3 cannot compile is a load error and nothing is allocated once _start
   * runs. 1: compile each function on its first call (less RAM for unused code).
   */
  uint8_t lazy_compile;
  /*
   * Optional: `file:line:col` of a module byte offset, from the build's
   * source map, for trap reports (the native runner's reads the map; 0 =
   * none, the report names the function only). wasm3 with backtraces only.
   */
  const char *(*source_at)(uint32_t offset);
} coop_config;

/* Defaults: no memory limit, 16 KiB stack, no time limit, no trace, compile at load. */
void coop_default_config(coop_config *cfg);

/* ---- what an engine implements (one per program) ------------------------- */

/* The engine's name in reports and size tables: "wasm3" or "aot". */
extern const char coop_engine_name[];

/*
 * Load a module (wasm3: from `wasm`, which must stay valid while it runs; AOT:
 * the translated module linked into the program, `wasm` unused), check every
 * import is board.* with the ABI signature and every ABI export is there,
 * check the ABI version. 0, or a COOP_EXIT_* status after reporting why.
 */
int coop_engine_load(const uint8_t *wasm, uint32_t len, const coop_config *cfg);
/* Call _start once (after a successful load). 0, or a COOP_EXIT_* status after reporting. */
int coop_engine_start(void);
/*
 * One coop_step(): runs every ready task. Stores the next deadline (ticks, -1
 * none, <= now() for "call again") in *deadline. 0, or a COOP_EXIT_* status
 * after reporting a trap or panic (the module is dead afterwards).
 */
int coop_engine_step(int64_t *deadline);
/* coop_stat(id) of the loaded module (docs/abi.md), or -1 when none is loaded. */
int64_t coop_engine_stat(uint32_t id);
/* Current size of the firmware's linear memory in bytes (0 before load). */
uint32_t coop_engine_memory_size(void);

/*
 * Load, start and drive the firmware: step; if nothing is ready, hal_idle()
 * until the deadline or an interrupt; repeat. Ends with hal_exit(): 0 when no
 * task is live and no timer is armed (nothing can ever happen again) or when
 * cfg->until is reached, otherwise the COOP_EXIT_* status of the failure.
 */
void coop_run(const uint8_t *wasm, uint32_t len, const coop_config *cfg) __attribute__((noreturn));

/* ---- the board.* imports, checked -------------------------------------- */

/* The module's linear memory at the moment of an import call. Never kept across calls: memory.grow may move it. */
typedef struct coop_mem {
  uint8_t *base;
  uint32_t size;
} coop_mem;

int coop_range_ok(coop_mem m, uint32_t ptr, uint32_t len);

void coop_board_set_alarm(int64_t at);
uint32_t coop_board_irq_take(coop_mem m);
int32_t coop_board_uart_write(coop_mem m, uint32_t port, uint32_t ptr, uint32_t len);
int32_t coop_board_uart_read(coop_mem m, uint32_t port, uint32_t ptr, uint32_t cap);
int32_t coop_board_gpio_write(uint32_t pin, uint32_t level);
int32_t coop_board_bus_transfer(coop_mem m, uint32_t addr, uint32_t wptr, uint32_t wlen, uint32_t rptr, uint32_t rlen);
int32_t coop_board_bus_status(coop_mem m);
void coop_board_log(coop_mem m, uint32_t ptr, uint32_t len);
/*
 * board.resolve: the number of a name in the board's table (hal_names), or,
 * for a name asked with COOP_NAME_OPTIONAL that the board lacks, COOP_EBADPORT.
 * Any other failure (an unknown name, an unknown kind, a name outside memory)
 * returns COOP_RESOLVE_STOP after building the report (coop_resolve_text()):
 * the engine must then unwind the wasm call and stop the firmware with
 * COOP_EXIT_BAD_MODULE, so no code runs on with a wrong number.
 */
#define COOP_RESOLVE_STOP (-0x7fffffff - 1)
int32_t coop_board_resolve(coop_mem m, uint32_t kind, uint32_t ptr, uint32_t len);
const char *coop_resolve_text(void);
/*
 * board.panic: builds the report text (message, file:line:col) now, while the
 * pointers are valid; the engine then unwinds the wasm call and reports it
 * with the task's name (coop_panic_text()). Returns nothing: the engine traps.
 */
void coop_board_panic(coop_mem m, uint32_t msg, uint32_t msg_len, uint32_t file, uint32_t file_len, uint32_t line, uint32_t col);
const char *coop_panic_text(void);

/* ---- a bounded one-line report (no snprintf: keeps MCU flash small) ------ */

typedef struct coop_line {
  char buf[400];
  uint32_t len;
} coop_line;

void coop_line_init(coop_line *l);
void coop_line_str(coop_line *l, const char *s);
/* Firmware bytes may hold anything: control characters become '?', so a report stays one line. */
void coop_line_bytes(coop_line *l, const uint8_t *p, uint32_t n);
void coop_line_u64(coop_line *l, uint64_t v);
void coop_line_i64(coop_line *l, int64_t v);
void coop_line_hex(coop_line *l, uint32_t v);
/* ` in task N "name"`: the name is the AssemblyScript string at `name_ptr` (UTF-16LE, length at ptr-4). */
void coop_line_task(coop_line *l, int32_t task, coop_mem m, int32_t name_ptr);
/* `"name"`, the string at `name_ptr`; nothing when it is not a string inside memory. */
void coop_line_name(coop_line *l, coop_mem m, int32_t name_ptr);
/* The start of a fault report: `coop: panic: <coop_panic_text()>` when `trap` is null, else `coop: trap in <what>: <trap>`. */
void coop_line_fault(coop_line *l, const char *what, const char *trap);
/*
 * Where a trap happened: ` at <source> (<file/Fn>)` with a source position,
 * else ` in <file/Fn> (code offset 0x..)`, ` in function #N (...)` without a
 * name (no name section), nothing without either. The offset (module bytes,
 * as wasm-objdump and the source map count them) is left out when
 * COOP_NO_OFFSET.
 */
#define COOP_NO_OFFSET 0xffffffffu
void coop_line_code(coop_line *l, const char *name, int32_t index, uint32_t offset, const char *source);
/* ` (<label> N bytes)`, the limit a trap likely ran into; nothing when `bytes` is 0 (no limit). */
void coop_line_limit(coop_line *l, const char *label, uint32_t bytes);
/*
 * The memory faults (docs/runtime.md), worded as the simulator words them
 * (host/cli.ts), each one line, returning COOP_EXIT_FIRMWARE_FAULT:
 *   coop: firmware fault: task "name" allocated N bytes after start-up at t=12.003 ms (heap 0x.. -> 0x..); ...
 *     the heap top moved from `sealed` (coop_heap_seal after _start) to `top` (coop_heap_top now);
 *   coop: firmware fault: out of memory: task "name" at t=12.003 ms: linear memory cannot grow past N bytes; ...
 *     a trap right after a refused memory.grow (`what`: the call, when no task was being polled).
 */
int coop_report_alloc(int32_t task, coop_mem m, int32_t name_ptr, uint32_t sealed, uint32_t top);
int coop_report_oom(const char *what, int32_t task, coop_mem m, int32_t name_ptr);
/* hal_report("coop: <what>[: <detail>]") and return `status`. */
int coop_report(int status, const char *what, const char *detail);

#endif
