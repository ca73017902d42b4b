/*
 * The wasm3 engine of the coop embedding (boards/embed/coop_board.h): the
 * board ABI v1 (docs/abi.md) over the wasm3 interpreter, which runs a .wasm
 * given as bytes at start-up (from flash, a file, or received over the air).
 *
 * Portable on purpose: no OS calls, no stdio, no allocation here (wasm3
 * allocates its own runtime through malloc). The same file builds for the
 * host (boards/native) and for Cortex-M3 with arm-none-eabi-gcc/newlib-nano.
 *
 * It uses one internal wasm3 header (m3_env.h) for what the public API does
 * not offer: walking the module's imports to find a missing one at load
 * (wasm3 itself only fails when the import is first called), and capping the
 * linear memory. Both are pinned by the fetched version (pywasm3 0.5.0).
 */
#include "coop_board.h"
#include "coop_hal.h"
#include "coop_gate.h"
#include "coop_gate_limits.h" /* generated from boards/abi/abi.json: the ABI signatures */
#include "coop_abi.h"         /* generated from boards/abi/abi.json: the ABI constants and exit codes */

#include <string.h>

#include "wasm3.h"
#include "m3_env.h"
#include "coop_memcap.h"

const char coop_engine_name[] = "wasm3";

/* ---- state (one firmware per program) ------------------------------------- */
static IM3Environment s_env;
static IM3Runtime s_rt;
static IM3Module s_mod;
static uint8_t s_dead; /* a trap or panic happened: never call into the module again */
static uint32_t s_memory_limit; /* cfg->memory_limit, named in reports where it is the likely cause */
static const char *(*s_source_at)(uint32_t offset); /* cfg->source_at */

static IM3Function f_start, f_abi_version, f_step, f_set_trace, f_task_capacity, f_task_state,
    f_task_name, f_current_task, f_stat, f_irq_deliveries, f_irq_kept;
/* The optional exports coop_heap_seal and coop_heap_top (0 when absent), and the top sealed after _start. */
static IM3Function f_heap_seal, f_heap_top;
static uint8_t s_sealed;
static uint32_t s_heap_sealed;

/* board.panic traps with s_panic_trap to unwind the wasm call (its text: coop_panic_text()). */
static const char s_panic_trap[] = "[trap] coop panic";
/* board.resolve traps with this for a name the board lacks (its text: coop_resolve_text()). */
static const char s_resolve_trap[] = "[trap] coop unknown name";

/*
 * The memory base and size are read fresh on every import call (wasm3 hands
 * `_mem` to each call, and memory.grow may move it): never cache a pointer
 * into linear memory across calls.
 */
static coop_mem mem_of(IM3Runtime rt, void *mem) {
  coop_mem m = {(uint8_t *)mem, rt->memory.mallocated ? (uint32_t)rt->memory.mallocated->length : 0};
  return m;
}

/* ---- the imports (module "board") ----------------------------------------- */

static m3ApiRawFunction(b_tick_hz) {
  m3ApiReturnType(uint32_t);
  (void)runtime; (void)_ctx; (void)_mem;
  m3ApiReturn(hal_tick_hz());
}

static m3ApiRawFunction(b_now) {
  m3ApiReturnType(int64_t);
  (void)runtime; (void)_ctx; (void)_mem;
  m3ApiReturn(hal_now());
}

static m3ApiRawFunction(b_set_alarm) {
  m3ApiGetArg(int64_t, at);
  (void)runtime; (void)_ctx; (void)_mem;
  coop_board_set_alarm(at);
  m3ApiSuccess();
}

static m3ApiRawFunction(b_irq_take) {
  m3ApiReturnType(uint32_t);
  (void)_ctx;
  m3ApiReturn(coop_board_irq_take(mem_of(runtime, _mem)));
}

static m3ApiRawFunction(b_uart_write) {
  m3ApiReturnType(int32_t);
  m3ApiGetArg(uint32_t, port);
  m3ApiGetArg(uint32_t, ptr);
  m3ApiGetArg(uint32_t, len);
  (void)_ctx;
  m3ApiReturn(coop_board_uart_write(mem_of(runtime, _mem), port, ptr, len));
}

static m3ApiRawFunction(b_uart_read) {
  m3ApiReturnType(int32_t);
  m3ApiGetArg(uint32_t, port);
  m3ApiGetArg(uint32_t, ptr);
  m3ApiGetArg(uint32_t, cap);
  (void)_ctx;
  m3ApiReturn(coop_board_uart_read(mem_of(runtime, _mem), port, ptr, cap));
}

static m3ApiRawFunction(b_uart_overruns) {
  m3ApiReturnType(int32_t);
  m3ApiGetArg(uint32_t, port);
  (void)runtime; (void)_ctx; (void)_mem;
  m3ApiReturn(hal_uart_overruns(port));
}

static m3ApiRawFunction(b_gpio_write) {
  m3ApiReturnType(int32_t);
  m3ApiGetArg(uint32_t, pin);
  m3ApiGetArg(uint32_t, level);
  (void)runtime; (void)_ctx; (void)_mem;
  m3ApiReturn(coop_board_gpio_write(pin, level));
}

static m3ApiRawFunction(b_gpio_read) {
  m3ApiReturnType(int32_t);
  m3ApiGetArg(uint32_t, pin);
  (void)runtime; (void)_ctx; (void)_mem;
  m3ApiReturn(hal_gpio_read(pin));
}

static m3ApiRawFunction(b_gpio_irq) {
  m3ApiReturnType(int32_t);
  m3ApiGetArg(uint32_t, pin);
  m3ApiGetArg(uint32_t, edges);
  (void)runtime; (void)_ctx; (void)_mem;
  m3ApiReturn(hal_gpio_irq(pin, edges));
}

static m3ApiRawFunction(b_adc_start) {
  m3ApiReturnType(int32_t);
  m3ApiGetArg(uint32_t, ch);
  (void)runtime; (void)_ctx; (void)_mem;
  m3ApiReturn(hal_adc_start(ch));
}

static m3ApiRawFunction(b_adc_read) {
  m3ApiReturnType(int32_t);
  m3ApiGetArg(uint32_t, ch);
  (void)runtime; (void)_ctx; (void)_mem;
  m3ApiReturn(hal_adc_read(ch));
}

static m3ApiRawFunction(b_bus_transfer) {
  m3ApiReturnType(int32_t);
  m3ApiGetArg(uint32_t, addr);
  m3ApiGetArg(uint32_t, wptr);
  m3ApiGetArg(uint32_t, wlen);
  m3ApiGetArg(uint32_t, rptr);
  m3ApiGetArg(uint32_t, rlen);
  (void)_ctx;
  m3ApiReturn(coop_board_bus_transfer(mem_of(runtime, _mem), addr, wptr, wlen, rptr, rlen));
}

static m3ApiRawFunction(b_bus_status) {
  m3ApiReturnType(int32_t);
  (void)_ctx;
  m3ApiReturn(coop_board_bus_status(mem_of(runtime, _mem)));
}

static m3ApiRawFunction(b_log) {
  m3ApiGetArg(uint32_t, ptr);
  m3ApiGetArg(uint32_t, len);
  (void)_ctx;
  coop_board_log(mem_of(runtime, _mem), ptr, len);
  m3ApiSuccess();
}

static m3ApiRawFunction(b_trace) {
  m3ApiGetArg(uint32_t, kind);
  m3ApiGetArg(int32_t, a);
  m3ApiGetArg(int32_t, b);
  (void)runtime; (void)_ctx; (void)_mem;
  hal_trace(kind, a, b);
  m3ApiSuccess();
}

/*
 * The panic text is assembled here, but reported only after the wasm call
 * has unwound: the report wants coop_current_task(), and wasm3 is not
 * re-entrant, so it cannot be called from inside an import.
 */
static m3ApiRawFunction(b_panic) {
  m3ApiGetArg(uint32_t, msg);
  m3ApiGetArg(uint32_t, msg_len);
  m3ApiGetArg(uint32_t, file);
  m3ApiGetArg(uint32_t, file_len);
  m3ApiGetArg(uint32_t, line);
  m3ApiGetArg(uint32_t, col);
  (void)_ctx;
  coop_board_panic(mem_of(runtime, _mem), msg, msg_len, file, file_len, line, col);
  m3ApiTrap(s_panic_trap);
}

static m3ApiRawFunction(b_resolve) {
  m3ApiReturnType(int32_t);
  m3ApiGetArg(uint32_t, kind);
  m3ApiGetArg(uint32_t, ptr);
  m3ApiGetArg(uint32_t, len);
  (void)_ctx;
  int32_t r = coop_board_resolve(mem_of(runtime, _mem), kind, ptr, len);
  if (r == COOP_RESOLVE_STOP) m3ApiTrap(s_resolve_trap);
  m3ApiReturn(r);
}

typedef struct {
  const char *name;
  M3RawCall fn;
} import_t;

/* The board's implementation of each import; the signatures come from boards/abi/abi.json
 * (coop_gate_limits.h), the one definition the module gate checks every import against. */
static const import_t k_imports[] = {
    {"tick_hz", b_tick_hz},
    {"now", b_now},
    {"set_alarm", b_set_alarm},
    {"irq_take", b_irq_take},
    {"uart_write", b_uart_write},
    {"uart_read", b_uart_read},
    {"uart_overruns", b_uart_overruns},
    {"gpio_write", b_gpio_write},
    {"gpio_read", b_gpio_read},
    {"gpio_irq", b_gpio_irq},
    {"adc_start", b_adc_start},
    {"adc_read", b_adc_read},
    {"bus_transfer", b_bus_transfer},
    {"bus_status", b_bus_status},
    {"resolve", b_resolve},
    {"log", b_log},
    {"trace", b_trace},
    {"panic", b_panic},
};

typedef struct {
  const char *name;
  const char *sig;
} abi_sig_t;
static const abi_sig_t k_import_sigs[] = {COOP_GATE_IMPORTS_TABLE};

/* wasm3 signature of board.<name> (board ABI v1), or 0 when abi.json has no such import. */
static const char *import_sig(const char *name) {
  for (uint32_t i = 0; i < sizeof k_import_sigs / sizeof k_import_sigs[0]; i++)
    if (strcmp(k_import_sigs[i].name, name) == 0) return k_import_sigs[i].sig;
  return 0;
}
#define N_IMPORTS (sizeof k_imports / sizeof k_imports[0])

/* ---- exports -------------------------------------------------------------- */

typedef struct {
  const char *name;
  IM3Function *slot;
  uint8_t nargs;
  M3ValueType ret; /* c_m3Type_none for no result */
} export_t;

static const export_t k_exports[] = {
    {"_start", &f_start, 0, c_m3Type_none},
    {"coop_abi_version", &f_abi_version, 0, c_m3Type_i32},
    {"coop_step", &f_step, 0, c_m3Type_i64},
    {"coop_set_trace", &f_set_trace, 1, c_m3Type_none},
    {"coop_task_capacity", &f_task_capacity, 0, c_m3Type_i32},
    {"coop_task_state", &f_task_state, 1, c_m3Type_i32},
    {"coop_task_name", &f_task_name, 1, c_m3Type_i32},
    {"coop_current_task", &f_current_task, 0, c_m3Type_i32},
    {"coop_stat", &f_stat, 1, c_m3Type_i64},
    {"coop_irq_deliveries", &f_irq_deliveries, 1, c_m3Type_i32},
    {"coop_irq_kept", &f_irq_kept, 1, c_m3Type_i32},
};
#define N_EXPORTS (sizeof k_exports / sizeof k_exports[0])

/* ---- calling in ------------------------------------------------------------ */

/* Small typed wrappers: wasm3's varargs calls return an error string or NULL. */
static M3Result call_i32(IM3Function f, int32_t *out, int has_arg, uint32_t arg) {
  M3Result r = has_arg ? m3_CallV(f, arg) : m3_CallV(f);
  if (!r) {
    uint32_t v = 0;
    r = m3_GetResultsV(f, &v);
    *out = (int32_t)v;
  }
  return r;
}

static M3Result calcoop_line_i64(IM3Function f, int64_t *out, int has_arg, uint32_t arg) {
  M3Result r = has_arg ? m3_CallV(f, arg) : m3_CallV(f);
  if (!r) {
    int64_t v = 0;
    r = m3_GetResultsV(f, &v);
    *out = v;
  }
  return r;
}

/* Append ` in task N "name"` from coop_current_task()/coop_task_name(), when the module can tell. */
static void l_task(coop_line *l) {
  int32_t task = -1, ptr = 0;
  if (!f_current_task || call_i32(f_current_task, &task, 0, 0) || task < 0) return;
  if (call_i32(f_task_name, &ptr, 1, (uint32_t)task)) ptr = 0;
  uint32_t size = 0;
  uint8_t *mem = m3_GetMemory(s_rt, &size, 0); /* re-read: the call may have moved memory */
  coop_mem m = {mem, mem ? size : 0};
  coop_line_task(l, task, m, ptr);
}

/*
 * A call into the module failed: report the panic or trap, with the function
 * it happened in (from the backtrace, else patch 0002) and the task being polled.
 */
static void l_limit(coop_line *l) { coop_line_limit(l, "memory limit", s_memory_limit); }

/*
 * A trap right after a refused memory.grow (patches/0002) is the allocator out
 * of memory; a panic or trap after the heap moved past its seal is an
 * allocation after start-up (the core panics at the end of that poll). Reports
 * either and returns 1; 0 for any other failure.
 */
static int memory_fault(const char *what, M3Result r) {
  int oom = r == m3Err_trapUnreachable && s_rt->memory.growRefused;
  int32_t top = 0;
  if (!oom && (!s_sealed || call_i32(f_heap_top, &top, 0, 0) || (uint32_t)top == s_heap_sealed)) return 0;
  int32_t task = -1, ptr = 0;
  if (f_current_task && !call_i32(f_current_task, &task, 0, 0) && task >= 0 && call_i32(f_task_name, &ptr, 1, (uint32_t)task)) ptr = 0;
  uint32_t size = 0;
  uint8_t *base = m3_GetMemory(s_rt, &size, 0);
  coop_mem m = {base, base ? size : 0};
  if (oom) coop_report_oom(what, task, m, ptr);
  else coop_report_alloc(task, m, ptr, s_heap_sealed, (uint32_t)top);
  return 1;
}

static int fail_call(const char *what, M3Result r) {
  if (r == s_resolve_trap) { /* the firmware does not fit this board: refused, not faulted */
    s_dead = 1;
    hal_report(coop_resolve_text());
    return COOP_EXIT_BAD_MODULE;
  }
  coop_line l;
  coop_line_init(&l);
  const int status = COOP_EXIT_FIRMWARE_FAULT; /* a trap and a panic alike; the line says which */
  M3ErrorInfo info;
  m3_GetErrorInfo(s_rt, &info);
  coop_line_fault(&l, what, r == s_panic_trap ? 0 : r);
  if (r != s_panic_trap) {
    if (info.message && info.message[0] && strcmp(info.message, r) != 0) {
      coop_line_str(&l, " (");
      coop_line_str(&l, info.message);
      coop_line_str(&l, ")");
    }
    IM3BacktraceInfo bt = m3_GetBacktrace(s_rt);
    /* The first frame recorded is the innermost: where the trap happened. Without a
     * function (e.g. a stack overflow caught at a call) its offset is not meaningful.
     * Without backtraces (the MCU build) our patch 0002 still records the function. */
    IM3BacktraceFrame fr = (bt && bt->frames != M3_BACKTRACE_TRUNCATED) ? bt->frames : 0;
    IM3Function fn = fr && fr->function ? fr->function : s_rt->trapFunction;
    if (fn) {
      const char *name = m3_GetFunctionName(fn);
      const int has_offset = fr && fr->function;
      coop_line_code(&l, strcmp(name, "<unnamed>") ? name : 0, fn->module ? (int32_t)(fn - fn->module->functions) : -1,
                     has_offset ? fr->moduleOffset : COOP_NO_OFFSET, has_offset && s_source_at ? s_source_at(fr->moduleOffset) : 0);
    }
    if (r == m3Err_trapOutOfBoundsMemoryAccess) l_limit(&l);
  }
  /* After the trap the runtime is still usable for these reads (wasm3 unwinds cleanly); they
   * come after the error info and backtrace above were read, which a call resets. */
  s_dead = 1;
  if (memory_fault(what, r)) return status;
  l_task(&l);
  hal_report(l.buf);
  return status;
}

/* ---- load ----------------------------------------------------------------- */

static int bad_module(const char *what, const char *a, const char *b) {
  coop_line l;
  coop_line_init(&l);
  coop_line_str(&l, "bad module: ");
  coop_line_str(&l, what);
  coop_line_str(&l, a);
  coop_line_str(&l, b);
  return coop_report(COOP_EXIT_BAD_MODULE, l.buf, 0);
}

int coop_engine_load(const uint8_t *wasm, uint32_t len, const coop_config *cfg) {
  coop_config defaults;
  if (!cfg) {
    coop_default_config(&defaults);
    cfg = &defaults;
  }
  if (s_rt) return coop_report(COOP_EXIT_BAD_MODULE, "a module is already loaded", 0);
  /*
   * The module gate (coop_gate.c) before wasm3 parses a byte: wasm3 0.5.0's
   * parser and compiler trust their input (its compiler recurses once per
   * block level; on 32-bit targets its bounds arithmetic wraps), so nothing
   * reaches them unchecked. Same rules and wording as host/engines/gate.ts.
   */
  {
    static char why[240];
    if (coop_gate_check(wasm, len, cfg->memory_limit, why, sizeof why)) return coop_report(COOP_EXIT_BAD_MODULE, "firmware refused", why);
  }

  s_env = m3_NewEnvironment();
  if (!s_env) return coop_report(COOP_EXIT_NO_MEMORY, "out of memory creating the wasm3 environment", 0);
  s_rt = m3_NewRuntime(s_env, cfg->stack_bytes ? cfg->stack_bytes : 16384, 0);
  if (!s_rt) return coop_report(COOP_EXIT_NO_MEMORY, "out of memory creating the wasm3 runtime", 0);
  s_rt->trapFunction = 0; /* patch 0002: set by the first trap, read by fail_call */

  M3Result r = m3_ParseModule(s_env, &s_mod, wasm, len);
  if (r) {
    s_mod = 0;
    return bad_module("does not parse: ", r, "");
  }
  if (s_mod->memoryImported) return bad_module("imports its memory; a coop board provides none (the module must define and export it)", "", "");
  /*
   * The one global a module may import is board.irq_quiet (the gate checked
   * its name and type). This board leaves it at 0, "flags may be pending", so
   * the executor takes the flags before every batch: the interrupt handlers
   * would have to clear it themselves for the saving (docs/abi.md).
   */
  for (uint32_t i = 0; i < s_mod->numGlobals; i++)
    if (s_mod->globals[i].imported) {
      if (!s_mod->globals[i].import.fieldUtf8 || strcmp(s_mod->globals[i].import.fieldUtf8, "irq_quiet") != 0)
        return bad_module("imports global ", s_mod->globals[i].import.fieldUtf8 ? s_mod->globals[i].import.fieldUtf8 : "?", "; a coop board provides only board.* functions and board.irq_quiet");
      s_mod->globals[i].intValue = 0;
    }
  if (coop_memcap_before_load(s_rt, s_mod, cfg->memory_limit)) return bad_module("its data does not fit the memory limit", "", "");

  s_memory_limit = cfg->memory_limit;
  s_source_at = cfg->source_at;
  r = m3_LoadModule(s_rt, s_mod);
  if (r) {
    m3_FreeModule(s_mod); /* not owned by the runtime when loading failed */
    s_mod = 0;
    if (r == m3Err_mallocFailed) return coop_report(COOP_EXIT_NO_MEMORY, "out of memory loading the module", 0);
    coop_line l;
    coop_line_init(&l);
    coop_line_str(&l, r);
    l_limit(&l);
    return bad_module("does not load: ", l.buf, "");
  }
  if (!s_rt->memory.mallocated) return bad_module("has no linear memory (the ABI needs an exported `memory`)", "", "");
  coop_memcap_after_load(s_rt, cfg->memory_limit);

  /* Link before the first function lookup (wasm3 runs the start function at the first lookup). */
  for (uint32_t i = 0; i < N_IMPORTS; i++) {
    const char *sig = import_sig(k_imports[i].name);
    if (!sig) return coop_report(COOP_EXIT_BAD_MODULE, "board import missing from boards/abi/abi.json", k_imports[i].name);
    r = m3_LinkRawFunction(s_mod, "board", k_imports[i].name, sig, k_imports[i].fn);
    if (r && r != m3Err_functionLookupFailed) { /* "lookup failed" = the module does not use it: fine */
      coop_line l;
      coop_line_init(&l);
      coop_line_str(&l, k_imports[i].name);
      coop_line_str(&l, " has the wrong signature (board ABI v1: ");
      coop_line_str(&l, sig);
      coop_line_str(&l, ")");
      return bad_module("import board.", l.buf, "");
    }
  }
  /* wasm3 would fail only when an unlinked import is first called: find them all now. */
  for (uint32_t i = 0; i < s_mod->numFuncImports; i++) {
    IM3Function f = &s_mod->functions[i];
    if (!f->compiled) {
      coop_line l;
      coop_line_init(&l);
      coop_line_str(&l, f->import.moduleUtf8 ? f->import.moduleUtf8 : "?");
      coop_line_str(&l, ".");
      coop_line_str(&l, f->import.fieldUtf8 ? f->import.fieldUtf8 : "?");
      return bad_module("missing import ", l.buf,
                        strcmp(f->import.moduleUtf8 ? f->import.moduleUtf8 : "", "board") == 0
                            ? " (not in board ABI v1)"
                            : " (a coop board provides only board.*; build with asconfig.json's --use abort=...)");
    }
  }
  if (!cfg->lazy_compile) {
    r = m3_CompileModule(s_mod);
    if (r) {
      if (r == m3Err_mallocFailed || r == m3Err_mallocFailedCodePage) return coop_report(COOP_EXIT_NO_MEMORY, "out of memory compiling the module", r);
      return bad_module("does not compile: ", r, "");
    }
  }
  for (uint32_t i = 0; i < N_EXPORTS; i++) {
    const export_t *e = &k_exports[i];
    IM3Function f = 0;
    r = m3_FindFunction(&f, s_rt, e->name);
    if (r || !f) return bad_module("missing export ", e->name, " (board ABI v1, docs/abi.md)");
    if (m3_GetArgCount(f) != e->nargs || m3_GetRetCount(f) != (e->ret == c_m3Type_none ? 0u : 1u) ||
        (e->ret != c_m3Type_none && m3_GetRetType(f, 0) != e->ret) || (e->nargs && m3_GetArgType(f, 0) != c_m3Type_i32))
      return bad_module("export ", e->name, " has the wrong signature (docs/abi.md)");
    *e->slot = f;
  }

  int32_t version = 0;
  r = call_i32(f_abi_version, &version, 0, 0);
  if (r) return fail_call("coop_abi_version", r);
  if ((uint32_t)version != COOP_ABI_VERSION) {
    coop_line l;
    coop_line_init(&l);
    coop_line_str(&l, "bad module: built for board ABI v");
    coop_line_u64(&l, (uint32_t)version);
    coop_line_str(&l, ", this board implements v");
    coop_line_u64(&l, COOP_ABI_VERSION);
    return coop_report(COOP_EXIT_BAD_MODULE, l.buf, 0);
  }
  if (cfg->trace) {
    r = m3_CallV(f_set_trace, (uint32_t)1);
    if (r) return fail_call("coop_set_trace", r);
  }
  return 0;
}

/* An optional export of type i32(): the function, or 0 when the module lacks it or has another type. */
static IM3Function optional_i32(const char *name) {
  IM3Function f = 0;
  if (m3_FindFunction(&f, s_rt, name) || !f) {
    m3_ResetErrorInfo(s_rt); /* a missing optional export is not news for a later trap report */
    return 0;
  }
  return m3_GetArgCount(f) == 0 && m3_GetRetCount(f) == 1 && m3_GetRetType(f, 0) == c_m3Type_i32 ? f : 0;
}

int coop_engine_start(void) {
  if (!f_start || s_dead) return coop_report(COOP_EXIT_BAD_MODULE, "no module loaded", 0);
  M3Result r = m3_CallV(f_start);
  if (r) return fail_call("_start", r);
  /* Seal the heap: from here on the core panics at the end of a poll that allocated (docs/runtime.md). */
  f_heap_seal = optional_i32("coop_heap_seal");
  f_heap_top = optional_i32("coop_heap_top");
  if (f_heap_seal && f_heap_top) {
    int32_t top = 0;
    r = call_i32(f_heap_seal, &top, 0, 0);
    if (r) return fail_call("coop_heap_seal", r);
    s_heap_sealed = (uint32_t)top;
    s_sealed = 1;
  }
  return 0;
}

int coop_engine_step(int64_t *deadline) {
  if (!f_step || s_dead) return coop_report(COOP_EXIT_BAD_MODULE, "no module loaded", 0);
  M3Result r = calcoop_line_i64(f_step, deadline, 0, 0);
  return r ? fail_call("coop_step", r) : 0;
}

int64_t coop_engine_stat(uint32_t id) {
  int64_t v = -1;
  if (!f_stat || s_dead || calcoop_line_i64(f_stat, &v, 1, id)) return -1;
  return v;
}

uint32_t coop_engine_memory_size(void) {
  return (s_rt && s_rt->memory.mallocated) ? (uint32_t)s_rt->memory.mallocated->length : 0;
}
