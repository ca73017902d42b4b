/*
 * The coop board ABI v1 (docs/abi.md) over wasm3 and coop_hal.h.
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
#include "coop_wasm3.h"
#include "coop_hal.h"
#include "coop_gate.h"
#include "coop_gate_limits.h" /* generated from boards/abi/abi.json: the ABI signatures */
#include "coop_abi.h"         /* generated from boards/abi/abi.json: the ABI constants and exit codes */

#include <string.h>

#include "wasm3.h"
#include "m3_env.h"
#include "coop_memcap.h"

/* ---- short names for boards/abi/abi.json's constants --------------------------- */
#define EBADPTR COOP_EBADPTR
#define IRQ_BUS_BIT COOP_IRQ_BIT(COOP_IRQ_BUS)
#define STAT_LIVE_TASKS COOP_STAT_LIVE_TASKS

/* ---- state (one firmware per program) ------------------------------------- */
static IM3Environment s_env;
static IM3Runtime s_rt;
static IM3Module s_mod;
static uint8_t s_dead; /* a trap or panic happened: never call into the module again */
static uint32_t s_memory_limit; /* cfg->memory_limit, named in reports where it is the likely cause */

static IM3Function f_start, f_abi_version, f_step, f_set_trace, f_task_capacity, f_task_state,
    f_task_name, f_current_task, f_stat, f_irq_deliveries, f_irq_kept;

/* A bus transfer whose read bytes still have to be copied into the firmware's memory. */
static uint32_t s_bus_rptr, s_bus_rlen;
static uint8_t s_bus_pending;

/* board.panic copies its report here, then traps with s_panic_trap to unwind the wasm call. */
static const char s_panic_trap[] = "[trap] coop panic";
static char s_panic_text[200];

/* ---- a bounded string builder (no snprintf: keeps MCU flash small) -------- */
typedef struct {
  char buf[400];
  uint32_t len;
} line_t;

static void l_init(line_t *l) {
  l->len = 0;
  l->buf[0] = 0;
}

static void l_str(line_t *l, const char *s) {
  while (s && *s && l->len + 1 < sizeof l->buf) l->buf[l->len++] = *s++;
  l->buf[l->len] = 0;
}

/* Firmware bytes may hold anything: control characters become '?', so a report stays one line. */
static void l_bytes(line_t *l, const uint8_t *p, uint32_t n) {
  for (uint32_t i = 0; i < n && l->len + 1 < sizeof l->buf; i++) {
    uint8_t c = p[i];
    l->buf[l->len++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
  }
  l->buf[l->len] = 0;
}

static void l_u64(line_t *l, uint64_t v) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n && l->len + 1 < sizeof l->buf) l->buf[l->len++] = tmp[--n];
  l->buf[l->len] = 0;
}

static void l_i64(line_t *l, int64_t v) {
  if (v < 0) {
    l_str(l, "-");
    l_u64(l, (uint64_t)(-(v + 1)) + 1);
  } else {
    l_u64(l, (uint64_t)v);
  }
}

static void l_hex(line_t *l, uint32_t v) {
  static const char digits[] = "0123456789abcdef";
  char tmp[8];
  int n = 0;
  do {
    tmp[n++] = digits[v & 15];
    v >>= 4;
  } while (v);
  l_str(l, "0x");
  while (n && l->len + 1 < sizeof l->buf) l->buf[l->len++] = tmp[--n];
  l->buf[l->len] = 0;
}

static int report(int status, const char *what, const char *detail) {
  line_t l;
  l_init(&l);
  l_str(&l, "coop: ");
  l_str(&l, what);
  if (detail) {
    l_str(&l, ": ");
    l_str(&l, detail);
  }
  hal_report(l.buf);
  return status;
}

/* ---- checked access to linear memory -------------------------------------- */

/*
 * The memory base and size are read fresh on every import call (wasm3 hands
 * `_mem` to each call, and memory.grow may move it): never cache a pointer
 * into linear memory across calls.
 */
static int range_ok(IM3Runtime rt, uint32_t ptr, uint32_t len) {
  uint64_t size = rt->memory.mallocated ? rt->memory.mallocated->length : 0;
  return (uint64_t)ptr + (uint64_t)len <= size;
}

static uint8_t *mem_at(void *mem, uint32_t ptr) { return (uint8_t *)mem + ptr; }

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
  hal_set_alarm(at < 0 ? -1 : at);
  m3ApiSuccess();
}

/* Copy a finished bus transfer's bytes in before the firmware can see the BUS flag. */
static void bus_copy_in(IM3Runtime rt, void *mem) {
  if (!s_bus_pending) return;
  s_bus_pending = 0;
  /* The pointer was checked at bus_transfer; memory only grows, but check again. */
  if (s_bus_rlen && range_ok(rt, s_bus_rptr, s_bus_rlen)) hal_bus_result(mem_at(mem, s_bus_rptr), s_bus_rlen);
}

static m3ApiRawFunction(b_irq_take) {
  m3ApiReturnType(uint32_t);
  (void)_ctx;
  uint32_t flags = hal_irq_take();
  if (flags & IRQ_BUS_BIT) bus_copy_in(runtime, _mem);
  m3ApiReturn(flags);
}

static m3ApiRawFunction(b_uart_write) {
  m3ApiReturnType(int32_t);
  m3ApiGetArg(uint32_t, port);
  m3ApiGetArg(uint32_t, ptr);
  m3ApiGetArg(uint32_t, len);
  (void)_ctx;
  if (!range_ok(runtime, ptr, len)) m3ApiReturn(EBADPTR);
  m3ApiReturn(hal_uart_write(port, mem_at(_mem, ptr), len));
}

static m3ApiRawFunction(b_uart_read) {
  m3ApiReturnType(int32_t);
  m3ApiGetArg(uint32_t, port);
  m3ApiGetArg(uint32_t, ptr);
  m3ApiGetArg(uint32_t, cap);
  (void)_ctx;
  if (!range_ok(runtime, ptr, cap)) m3ApiReturn(EBADPTR);
  m3ApiReturn(hal_uart_read(port, mem_at(_mem, ptr), cap));
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
  m3ApiReturn(hal_gpio_write(pin, level ? 1u : 0u));
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
  /* Both ranges are checked before anything happens (docs/abi.md: EBADPTR, nothing read or written). */
  if (!range_ok(runtime, wptr, wlen) || !range_ok(runtime, rptr, rlen)) m3ApiReturn(EBADPTR);
  int32_t r = hal_bus_transfer(addr, mem_at(_mem, wptr), wlen, rlen);
  if (r == 0) {
    s_bus_rptr = rptr;
    s_bus_rlen = rlen;
    s_bus_pending = 1;
  }
  m3ApiReturn(r);
}

static m3ApiRawFunction(b_bus_status) {
  m3ApiReturnType(int32_t);
  (void)_ctx;
  int32_t r = hal_bus_status();
  /* A firmware that polls the status instead of waiting for BUS also gets its bytes. */
  if (r >= 0) bus_copy_in(runtime, _mem);
  m3ApiReturn(r);
}

static m3ApiRawFunction(b_log) {
  m3ApiGetArg(uint32_t, ptr);
  m3ApiGetArg(uint32_t, len);
  (void)_ctx;
  if (range_ok(runtime, ptr, len)) hal_log((const char *)mem_at(_mem, ptr), len);
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
  line_t l;
  l_init(&l);
  if (range_ok(runtime, msg, msg_len)) l_bytes(&l, mem_at(_mem, msg), msg_len > 120 ? 120 : msg_len);
  else l_str(&l, "(message outside memory)");
  if (file_len && range_ok(runtime, file, file_len)) {
    l_str(&l, " at ");
    l_bytes(&l, mem_at(_mem, file), file_len > 60 ? 60 : file_len);
    l_str(&l, ":");
    l_u64(&l, line);
    l_str(&l, ":");
    l_u64(&l, col);
  }
  memcpy(s_panic_text, l.buf, l.len + 1 < sizeof s_panic_text ? l.len + 1 : sizeof s_panic_text);
  s_panic_text[sizeof s_panic_text - 1] = 0;
  m3ApiTrap(s_panic_trap);
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

static M3Result call_i64(IM3Function f, int64_t *out, int has_arg, uint32_t arg) {
  M3Result r = has_arg ? m3_CallV(f, arg) : m3_CallV(f);
  if (!r) {
    int64_t v = 0;
    r = m3_GetResultsV(f, &v);
    *out = v;
  }
  return r;
}

/* Append ` in task N "name"` from coop_current_task()/coop_task_name(), when the module can tell. */
static void l_task(line_t *l) {
  int32_t task = -1;
  if (!f_current_task || call_i32(f_current_task, &task, 0, 0) || task < 0) return;
  l_str(l, " in task ");
  l_i64(l, task);
  int32_t ptr = 0;
  if (call_i32(f_task_name, &ptr, 1, (uint32_t)task) || ptr < 4) return;
  uint32_t size = 0;
  uint8_t *mem = m3_GetMemory(s_rt, &size, 0); /* re-read: the call may have moved memory */
  if (!mem || (uint64_t)(uint32_t)ptr > size) return;
  uint32_t bytes;
  memcpy(&bytes, mem + (uint32_t)ptr - 4, 4);
  if ((uint64_t)(uint32_t)ptr + bytes > size) return;
  /* UTF-16LE from AssemblyScript's string layout; non-ASCII units become '?'. */
  l_str(l, " \"");
  for (uint32_t i = 0; i + 1 < bytes && i < 64; i += 2) {
    uint16_t u = (uint16_t)(mem[(uint32_t)ptr + i] | (mem[(uint32_t)ptr + i + 1] << 8));
    char c[2] = {(u >= 0x20 && u < 0x7f) ? (char)u : '?', 0};
    l_str(l, c);
  }
  l_str(l, "\"");
}

/*
 * A call into the module failed: report the panic or trap, with the function
 * wasm3 saw it in (when it recorded a backtrace) and the task being polled.
 */
static void l_limit(line_t *l) {
  if (!s_memory_limit) return;
  l_str(l, " (memory limit ");
  l_u64(l, s_memory_limit);
  l_str(l, " bytes)");
}

static int fail_call(const char *what, M3Result r) {
  line_t l;
  l_init(&l);
  int status;
  M3ErrorInfo info;
  m3_GetErrorInfo(s_rt, &info);
  if (r == s_panic_trap) {
    status = COOP_EXIT_FIRMWARE_FAULT;
    l_str(&l, "coop: panic: ");
    l_str(&l, s_panic_text);
  } else {
    status = COOP_EXIT_FIRMWARE_FAULT;
    l_str(&l, "coop: trap in ");
    l_str(&l, what);
    l_str(&l, ": ");
    l_str(&l, r);
    if (info.message && info.message[0] && strcmp(info.message, r) != 0) {
      l_str(&l, " (");
      l_str(&l, info.message);
      l_str(&l, ")");
    }
    IM3BacktraceInfo bt = m3_GetBacktrace(s_rt);
    /* The first frame recorded is the innermost: where the trap happened. Without a
     * function (e.g. a stack overflow caught at a call) its offset is not meaningful. */
    IM3BacktraceFrame fr = (bt && bt->frames != M3_BACKTRACE_TRUNCATED) ? bt->frames : 0;
    if (fr && fr->function) {
      l_str(&l, " at function ");
      l_str(&l, m3_GetFunctionName(fr->function));
      l_str(&l, " (code offset ");
      l_hex(&l, fr->moduleOffset);
      l_str(&l, ")");
    }
    if (r == m3Err_trapOutOfBoundsMemoryAccess) l_limit(&l);
  }
  /* After the trap the runtime is still usable for these two reads (wasm3 unwinds cleanly). */
  l_task(&l);
  s_dead = 1;
  hal_report(l.buf);
  return status;
}

/* ---- load ----------------------------------------------------------------- */

void coop_wasm3_default_config(coop_wasm3_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->until = -1;
}

static int bad_module(const char *what, const char *a, const char *b) {
  line_t l;
  l_init(&l);
  l_str(&l, "bad module: ");
  l_str(&l, what);
  l_str(&l, a);
  l_str(&l, b);
  return report(COOP_EXIT_BAD_MODULE, l.buf, 0);
}

int coop_wasm3_load(const uint8_t *wasm, uint32_t len, const coop_wasm3_config *cfg) {
  coop_wasm3_config defaults;
  if (!cfg) {
    coop_wasm3_default_config(&defaults);
    cfg = &defaults;
  }
  if (s_rt) return report(COOP_EXIT_BAD_MODULE, "a module is already loaded", 0);
  /*
   * The module gate (coop_gate.c) before wasm3 parses a byte: wasm3 0.5.0's
   * parser and compiler trust their input (its compiler recurses once per
   * block level; on 32-bit targets its bounds arithmetic wraps), so nothing
   * reaches them unchecked. Same rules and wording as host/engines/gate.ts.
   */
  {
    static char why[240];
    if (coop_gate_check(wasm, len, cfg->memory_limit, why, sizeof why)) return report(COOP_EXIT_BAD_MODULE, "firmware refused", why);
  }

  s_env = m3_NewEnvironment();
  if (!s_env) return report(COOP_EXIT_NO_MEMORY, "out of memory creating the wasm3 environment", 0);
  s_rt = m3_NewRuntime(s_env, cfg->stack_bytes ? cfg->stack_bytes : 16384, 0);
  if (!s_rt) return report(COOP_EXIT_NO_MEMORY, "out of memory creating the wasm3 runtime", 0);

  M3Result r = m3_ParseModule(s_env, &s_mod, wasm, len);
  if (r) {
    s_mod = 0;
    return bad_module("does not parse: ", r, "");
  }
  if (s_mod->memoryImported) return bad_module("imports its memory; a coop board provides none (the module must define and export it)", "", "");
  for (uint32_t i = 0; i < s_mod->numGlobals; i++)
    if (s_mod->globals[i].imported)
      return bad_module("imports global ", s_mod->globals[i].import.fieldUtf8 ? s_mod->globals[i].import.fieldUtf8 : "?", "; a coop board provides only board.* functions");
  if (coop_memcap_before_load(s_rt, s_mod, cfg->memory_limit)) return bad_module("its data does not fit the memory limit", "", "");

  s_memory_limit = cfg->memory_limit;
  r = m3_LoadModule(s_rt, s_mod);
  if (r) {
    m3_FreeModule(s_mod); /* not owned by the runtime when loading failed */
    s_mod = 0;
    if (r == m3Err_mallocFailed) return report(COOP_EXIT_NO_MEMORY, "out of memory loading the module", 0);
    line_t l;
    l_init(&l);
    l_str(&l, r);
    l_limit(&l);
    return bad_module("does not load: ", l.buf, "");
  }
  if (!s_rt->memory.mallocated) return bad_module("has no linear memory (the ABI needs an exported `memory`)", "", "");
  coop_memcap_after_load(s_rt, cfg->memory_limit);

  /* Link before the first function lookup (wasm3 runs the start function at the first lookup). */
  for (uint32_t i = 0; i < N_IMPORTS; i++) {
    const char *sig = import_sig(k_imports[i].name);
    if (!sig) return report(COOP_EXIT_BAD_MODULE, "board import missing from boards/abi/abi.json", k_imports[i].name);
    r = m3_LinkRawFunction(s_mod, "board", k_imports[i].name, sig, k_imports[i].fn);
    if (r && r != m3Err_functionLookupFailed) { /* "lookup failed" = the module does not use it: fine */
      line_t l;
      l_init(&l);
      l_str(&l, k_imports[i].name);
      l_str(&l, " has the wrong signature (board ABI v1: ");
      l_str(&l, sig);
      l_str(&l, ")");
      return bad_module("import board.", l.buf, "");
    }
  }
  /* wasm3 would fail only when an unlinked import is first called: find them all now. */
  for (uint32_t i = 0; i < s_mod->numFuncImports; i++) {
    IM3Function f = &s_mod->functions[i];
    if (!f->compiled) {
      line_t l;
      l_init(&l);
      l_str(&l, f->import.moduleUtf8 ? f->import.moduleUtf8 : "?");
      l_str(&l, ".");
      l_str(&l, f->import.fieldUtf8 ? f->import.fieldUtf8 : "?");
      return bad_module("missing import ", l.buf,
                        strcmp(f->import.moduleUtf8 ? f->import.moduleUtf8 : "", "board") == 0
                            ? " (not in board ABI v1)"
                            : " (a coop board provides only board.*; build with asconfig.json's --use abort=...)");
    }
  }
  if (!cfg->lazy_compile) {
    r = m3_CompileModule(s_mod);
    if (r) {
      if (r == m3Err_mallocFailed || r == m3Err_mallocFailedCodePage) return report(COOP_EXIT_NO_MEMORY, "out of memory compiling the module", r);
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
    line_t l;
    l_init(&l);
    l_str(&l, "bad module: built for board ABI v");
    l_u64(&l, (uint32_t)version);
    l_str(&l, ", this board implements v");
    l_u64(&l, COOP_ABI_VERSION);
    return report(COOP_EXIT_BAD_MODULE, l.buf, 0);
  }
  if (cfg->trace) {
    r = m3_CallV(f_set_trace, (uint32_t)1);
    if (r) return fail_call("coop_set_trace", r);
  }
  return 0;
}

int coop_wasm3_start(void) {
  if (!f_start || s_dead) return report(COOP_EXIT_BAD_MODULE, "no module loaded", 0);
  M3Result r = m3_CallV(f_start);
  return r ? fail_call("_start", r) : 0;
}

int coop_wasm3_step(int64_t *deadline) {
  if (!f_step || s_dead) return report(COOP_EXIT_BAD_MODULE, "no module loaded", 0);
  M3Result r = call_i64(f_step, deadline, 0, 0);
  return r ? fail_call("coop_step", r) : 0;
}

int64_t coop_wasm3_stat(uint32_t id) {
  int64_t v = -1;
  if (!f_stat || s_dead || call_i64(f_stat, &v, 1, id)) return -1;
  return v;
}

uint32_t coop_wasm3_memory_size(void) {
  return (s_rt && s_rt->memory.mallocated) ? (uint32_t)s_rt->memory.mallocated->length : 0;
}

/* ---- the board loop --------------------------------------------------------- */

void coop_wasm3_run(const uint8_t *wasm, uint32_t len, const coop_wasm3_config *cfg) {
  int64_t until = cfg ? cfg->until : -1;
  int status = coop_wasm3_load(wasm, len, cfg);
  if (status) hal_exit(status);
  status = coop_wasm3_start();
  if (status) hal_exit(status);
  for (;;) {
    int64_t deadline = -1;
    status = coop_wasm3_step(&deadline);
    if (status) hal_exit(status);
    int64_t now = hal_now();
    if (until >= 0 && now >= until) hal_exit(COOP_EXIT_OK);
    if (deadline >= 0 && deadline <= now) continue; /* poll budget ran out: still ready */
    /* No live task and no timer: no interrupt can wake anything any more. */
    if (deadline < 0 && coop_wasm3_stat(STAT_LIVE_TASKS) == 0) hal_exit(COOP_EXIT_OK);
    if (until >= 0 && (deadline < 0 || until < deadline)) deadline = until;
    /*
     * hal_idle checks the pending flags and sleeps with interrupts masked
     * (coop_hal.h), so an interrupt that arrives after coop_step returned is
     * never lost: it keeps hal_idle from sleeping, and the next step takes it.
     */
    hal_idle(deadline);
  }
}
