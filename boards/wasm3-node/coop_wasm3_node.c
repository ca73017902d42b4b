/*
 * coop_wasm3_node: a Node-API addon that runs a WebAssembly module under the
 * wasm3 interpreter, for the simulator's wasm3 engine (host/engines/wasm3.ts).
 *
 * Why an addon (and not pywasm3 in a helper process): every board import is a
 * synchronous call from the firmware into the JS board models. In-process,
 * that is one C -> JS call (see docs/engines.md for the measured cost); over
 * a pipe it would be a round trip per import.
 *
 * The addon links generically: the JS side passes the import table (module,
 * field, wasm3 signature, JS function) and looks exports up by name. The one
 * coop-specific step is the module gate (boards/wasm3/coop_gate.c, the board
 * ABI's structural checks) that create() runs before wasm3 parses a byte, so
 * the simulator's wasm3 engine never hands wasm3 an unchecked module either. Values cross with V8's own conversions so both engines hand the board
 * models identical values: i32 as a signed Number, i64 as a BigInt.
 *
 * JS API (all errors are thrown as Error with a one-line message):
 *   create(bytes: Uint8Array, imports: [mod, field, sig, fn][], stackBytes, memoryLimit) -> handle
 *   lookup(h, name) -> function id (>= 0) or -1 when the module has no such export
 *   call(h, id, ...args) -> undefined | number | bigint
 *   memSize(h) -> bytes; memRead(h, ptr, len) -> Uint8Array | null; memWrite(h, ptr, bytes) -> bool
 *   growRefused(h) -> bool: the last memory.grow was refused (patches/0002: a trap now is out of memory)
 *   free(h)
 * A trap throws an Error whose message starts with "wasm3 trap: " and whose
 * `trap` and `func` properties give wasm3's message and the trapping function.
 * A JS exception thrown by an import propagates unchanged (as under V8).
 */
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm3.h"
#include "m3_env.h"
#include "coop_gate.h" /* the module gate, run before wasm3 parses anything */
#include "coop_memcap.h" /* the MCU's linear-memory cap, shared with boards/wasm3/coop_wasm3.c */

#define MAX_FUNCS 64
#define MAX_ARGS 8

typedef struct Instance Instance;

typedef struct {
  Instance *inst;
  napi_ref fn;
  char ret;              /* 'v', 'i', 'I', 'f', 'F' */
  char args[MAX_ARGS];   /* arg type chars */
  uint32_t nargs;
} Link;

struct Instance {
  IM3Environment env;
  IM3Runtime rt;
  uint8_t *bytes;        /* wasm3 keeps pointers into the module bytes: they live as long as the runtime */
  Link *links;
  uint32_t nlinks;
  IM3Function funcs[MAX_FUNCS];
  uint32_t nfuncs;
  napi_env napi;         /* the env of the call in progress (host functions need it) */
  int busy;              /* wasm3 is not re-entrant: refuse a call from inside an import */
  int js_threw;          /* an import threw: leave the JS exception pending */
  int freed;
};

static const char *JS_THREW = "coop: a host function threw";

#define NAPI_OK(call)                                   \
  do {                                                  \
    if ((call) != napi_ok) return fail_napi(napi, #call); \
  } while (0)

static napi_value fail_napi(napi_env napi, const char *what) {
  bool pending = false;
  napi_is_exception_pending(napi, &pending);
  if (!pending) {
    char msg[256];
    snprintf(msg, sizeof msg, "coop_wasm3: internal error in %s", what);
    napi_throw_error(napi, NULL, msg);
  }
  return NULL;
}

static napi_value throw_msg(napi_env napi, const char *msg) {
  napi_throw_error(napi, NULL, msg);
  return NULL;
}

/* ---- instance lifetime --------------------------------------------------- */

static void instance_release(napi_env napi, Instance *in) {
  if (in->freed) return;
  in->freed = 1;
  if (in->rt) m3_FreeRuntime(in->rt);
  if (in->env) m3_FreeEnvironment(in->env);
  if (napi) {
    for (uint32_t i = 0; i < in->nlinks; i++)
      if (in->links[i].fn) napi_delete_reference(napi, in->links[i].fn);
  }
  free(in->links);
  free(in->bytes);
  in->rt = NULL; in->env = NULL; in->links = NULL; in->bytes = NULL; in->nlinks = 0;
}

static void instance_finalize(napi_env napi, void *data, void *hint) {
  (void)hint;
  Instance *in = data;
  instance_release(napi, in);
  free(in);
}

static Instance *get_instance(napi_env napi, napi_value v) {
  Instance *in = NULL;
  if (napi_get_value_external(napi, v, (void **)&in) != napi_ok || !in) {
    napi_throw_type_error(napi, NULL, "coop_wasm3: not a wasm3 instance handle");
    return NULL;
  }
  if (in->freed) {
    napi_throw_error(napi, NULL, "coop_wasm3: instance already closed");
    return NULL;
  }
  return in;
}

/* ---- host functions: wasm3 -> JS ------------------------------------------ */

/* V8's ToInt32 for a value an import returned into an i32 result. */
static int to_i32(napi_env napi, napi_value v, int32_t *out) {
  if (napi_get_value_int32(napi, v, out) == napi_ok) return 1; /* the common case: already a Number */
  napi_value num;
  if (napi_coerce_to_number(napi, v, &num) != napi_ok) return 0;
  return napi_get_value_int32(napi, num, out) == napi_ok; /* NaN/Inf -> 0, wraps mod 2^32 like ToInt32 */
}

static m3ApiRawFunction(host_call) {
  Link *l = (Link *)_ctx->userdata;
  Instance *in = l->inst;
  napi_env napi = in->napi;
  (void)runtime; (void)_mem;
  uint64_t *ret_slot = NULL;
  if (l->ret != 'v') ret_slot = _sp++;

  napi_handle_scope scope;
  if (napi_open_handle_scope(napi, &scope) != napi_ok) return "coop: napi handle scope failed";
  const char *err = NULL;
  napi_value argv[MAX_ARGS], fn, undef, result;
  for (uint32_t i = 0; i < l->nargs; i++) {
    uint64_t raw = *_sp++;
    napi_status st;
    switch (l->args[i]) {
      case 'i': st = napi_create_int32(napi, (int32_t)(uint32_t)raw, &argv[i]); break;
      case 'I': st = napi_create_bigint_int64(napi, (int64_t)raw, &argv[i]); break;
      case 'f': { float f; uint32_t b = (uint32_t)raw; memcpy(&f, &b, 4); st = napi_create_double(napi, f, &argv[i]); break; }
      default: { double d; memcpy(&d, &raw, 8); st = napi_create_double(napi, d, &argv[i]); break; }
    }
    if (st != napi_ok) { err = "coop: napi argument conversion failed"; goto out; }
  }
  napi_get_undefined(napi, &undef);
  napi_get_reference_value(napi, l->fn, &fn);
  napi_status st = napi_call_function(napi, undef, fn, l->nargs, argv, &result);
  if (st != napi_ok) {
    bool pending = false;
    napi_is_exception_pending(napi, &pending);
    if (!pending) napi_throw_error(napi, NULL, "coop_wasm3: calling an import failed");
    in->js_threw = 1;
    err = JS_THREW;
    goto out;
  }
  switch (l->ret) {
    case 'v': break;
    case 'i': {
      int32_t v = 0;
      if (!to_i32(napi, result, &v)) { in->js_threw = 1; err = JS_THREW; goto out; }
      *ret_slot = (uint32_t)v;
      break;
    }
    case 'I': {
      /* V8 requires a BigInt for an i64 result and throws a TypeError otherwise; so do we. */
      napi_valuetype t;
      napi_typeof(napi, result, &t);
      if (t != napi_bigint) {
        napi_throw_type_error(napi, NULL, "Cannot convert a non-BigInt import result to i64 (board import must return a bigint)");
        in->js_threw = 1; err = JS_THREW; goto out;
      }
      int64_t v; bool lossless;
      napi_get_value_bigint_int64(napi, result, &v, &lossless); /* wraps like BigInt.asIntN(64) */
      *(int64_t *)ret_slot = v;
      break;
    }
    default: {
      double d = 0;
      napi_value num;
      if (napi_coerce_to_number(napi, result, &num) != napi_ok) { in->js_threw = 1; err = JS_THREW; goto out; }
      napi_get_value_double(napi, num, &d);
      if (l->ret == 'f') { float f = (float)d; memcpy(ret_slot, &f, 4); }
      else memcpy(ret_slot, &d, 8);
    }
  }
out:
  napi_close_handle_scope(napi, scope);
  return err;
}

/* ---- create ---------------------------------------------------------------- */

static int parse_sig(const char *sig, Link *l) {
  /* "r(args)" as wasm3 spells it: r in v i I f F, args in i I f F */
  size_t n = strlen(sig);
  if (n < 3 || sig[1] != '(' || sig[n - 1] != ')') return 0;
  if (!strchr("viIfF", sig[0])) return 0;
  l->ret = sig[0];
  l->nargs = 0;
  for (size_t i = 2; i < n - 1; i++) {
    if (!strchr("iIfF", sig[i]) || l->nargs >= MAX_ARGS) return 0;
    l->args[l->nargs++] = sig[i];
  }
  return 1;
}

static int get_string(napi_env napi, napi_value v, char *buf, size_t cap) {
  size_t len;
  return napi_get_value_string_utf8(napi, v, buf, cap, &len) == napi_ok && len < cap - 1;
}

static napi_value js_create(napi_env napi, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_OK(napi_get_cb_info(napi, info, &argc, argv, NULL, NULL));
  if (argc < 4) return throw_msg(napi, "coop_wasm3.create(bytes, imports, stackBytes, memoryLimit)");

  bool is_ta = false;
  napi_is_typedarray(napi, argv[0], &is_ta);
  if (!is_ta) return throw_msg(napi, "coop_wasm3: module bytes must be a Uint8Array");
  napi_typedarray_type tt; size_t len; void *data; napi_value ab; size_t off;
  NAPI_OK(napi_get_typedarray_info(napi, argv[0], &tt, &len, &data, &ab, &off));
  uint32_t stack_bytes = 0, mem_limit = 0;
  NAPI_OK(napi_get_value_uint32(napi, argv[2], &stack_bytes));
  NAPI_OK(napi_get_value_uint32(napi, argv[3], &mem_limit));
  if (stack_bytes < 1024) stack_bytes = 64 * 1024;

  Instance *in = calloc(1, sizeof *in);
  if (!in) return throw_msg(napi, "coop_wasm3: out of memory");
  in->napi = napi;
  char msg[512];
  const char *res;

  in->bytes = malloc(len ? len : 1);
  if (!in->bytes) { instance_finalize(napi, in, NULL); return throw_msg(napi, "coop_wasm3: out of memory"); }
  memcpy(in->bytes, data, len);

  in->env = m3_NewEnvironment();
  in->rt = in->env ? m3_NewRuntime(in->env, stack_bytes, in) : NULL;
  if (!in->rt) { instance_finalize(napi, in, NULL); return throw_msg(napi, "coop_wasm3: cannot create a wasm3 runtime"); }

  /* The module gate (boards/wasm3/coop_gate.c) before wasm3 parses a byte, as on the device. */
  if (len > UINT32_MAX || coop_gate_check(in->bytes, (uint32_t)len, mem_limit, msg + 18, sizeof msg - 18)) {
    if (len > UINT32_MAX) snprintf(msg + 18, sizeof msg - 18, "the module is larger than 4 GiB");
    memcpy(msg, "firmware refused: ", 18);
    instance_finalize(napi, in, NULL);
    return throw_msg(napi, msg);
  }

  IM3Module mod = NULL;
  res = m3_ParseModule(in->env, &mod, in->bytes, (uint32_t)len);
  if (res) {
    snprintf(msg, sizeof msg, "wasm3 cannot parse the module: %s", res);
    instance_finalize(napi, in, NULL);
    return throw_msg(napi, msg);
  }
  /* The same words as coop_wasm3.c's refusal ("coop: bad module: ..."). */
  if (coop_memcap_before_load(in->rt, mod, mem_limit)) {
    m3_FreeModule(mod);
    instance_finalize(napi, in, NULL);
    return throw_msg(napi, "bad module: its data does not fit the memory limit");
  }
  /* Link host functions after loading and before any lookup: the first lookup runs the start function. */
  res = m3_LoadModule(in->rt, mod);
  if (res) {
    m3_FreeModule(mod);
    if (mem_limit)
      snprintf(msg, sizeof msg, "wasm3 cannot load the module: %s (is the memory limit of %u bytes too small?)", res, (unsigned)mem_limit);
    else
      snprintf(msg, sizeof msg, "wasm3 cannot load the module: %s", res);
    instance_finalize(napi, in, NULL);
    return throw_msg(napi, msg);
  }

  coop_memcap_after_load(in->rt, mem_limit);

  uint32_t nimp = 0;
  if (napi_get_array_length(napi, argv[1], &nimp) != napi_ok) {
    instance_finalize(napi, in, NULL);
    return throw_msg(napi, "coop_wasm3: imports must be an array");
  }
  in->links = calloc(nimp ? nimp : 1, sizeof(Link));
  if (!in->links) { instance_finalize(napi, in, NULL); return throw_msg(napi, "coop_wasm3: out of memory"); }
  for (uint32_t i = 0; i < nimp; i++) {
    napi_value entry, e0, e1, e2, e3;
    char modname[64], field[64], sig[32];
    napi_get_element(napi, argv[1], i, &entry);
    napi_get_element(napi, entry, 0, &e0);
    napi_get_element(napi, entry, 1, &e1);
    napi_get_element(napi, entry, 2, &e2);
    napi_get_element(napi, entry, 3, &e3);
    Link *l = &in->links[in->nlinks];
    if (!get_string(napi, e0, modname, sizeof modname) || !get_string(napi, e1, field, sizeof field) ||
        !get_string(napi, e2, sig, sizeof sig) || !parse_sig(sig, l)) {
      instance_finalize(napi, in, NULL);
      return throw_msg(napi, "coop_wasm3: bad import table entry (want [module, field, signature, function])");
    }
    napi_valuetype t;
    napi_typeof(napi, e3, &t);
    if (t != napi_function) {
      snprintf(msg, sizeof msg, "coop_wasm3: import %s.%s is not a function", modname, field);
      instance_finalize(napi, in, NULL);
      return throw_msg(napi, msg);
    }
    l->inst = in;
    napi_create_reference(napi, e3, 1, &l->fn);
    in->nlinks++;
    res = m3_LinkRawFunctionEx(mod, modname, field, sig, host_call, l);
    if (res && res != m3Err_functionLookupFailed) { /* lookup failure = the module does not import it: fine */
      snprintf(msg, sizeof msg, "wasm3 cannot link import %s.%s: %s", modname, field, res);
      instance_finalize(napi, in, NULL);
      return throw_msg(napi, msg);
    }
  }
  /* Compile every function now, so an opcode wasm3 lacks fails at load, not mid-run. */
  res = m3_CompileModule(mod);
  if (res) {
    M3ErrorInfo ei;
    m3_GetErrorInfo(in->rt, &ei);
    snprintf(msg, sizeof msg, "wasm3 cannot compile the module: %s%s%s", res,
             ei.message && *ei.message ? ": " : "", ei.message ? ei.message : "");
    instance_finalize(napi, in, NULL);
    return throw_msg(napi, msg);
  }

  napi_value handle;
  if (napi_create_external(napi, in, instance_finalize, NULL, &handle) != napi_ok) {
    instance_finalize(napi, in, NULL);
    return fail_napi(napi, "napi_create_external");
  }
  return handle;
}

/* ---- calls into wasm ---------------------------------------------------------- */

static int enter(napi_env napi, Instance *in) {
  if (in->busy) {
    napi_throw_error(napi, NULL, "coop_wasm3: re-entrant call into the firmware from inside an import (wasm3 is not re-entrant)");
    return 0;
  }
  in->busy = 1;
  in->napi = napi;
  in->js_threw = 0;
  return 1;
}

/* After a failed wasm3 call: rethrow an import's JS exception, or describe the trap. */
static napi_value report_trap(napi_env napi, Instance *in, M3Result res, const char *where) {
  if (in->js_threw) {
    in->js_threw = 0;
    bool pending = false;
    napi_is_exception_pending(napi, &pending);
    if (pending) return NULL;
  }
  M3ErrorInfo ei;
  m3_GetErrorInfo(in->rt, &ei);
  IM3Function tf = NULL;
  long offset = -1; /* module byte offset of the trapping instruction, when the backtrace has it */
  IM3BacktraceInfo bt = m3_GetBacktrace(in->rt);
  if (bt && bt->frames && bt->frames != M3_BACKTRACE_TRUNCATED && bt->frames->function) {
    tf = bt->frames->function; /* first frame = innermost */
    offset = (long)bt->frames->moduleOffset;
  }
  if (!tf) tf = ei.function;
  long idx = tf && tf->module ? (long)(tf - tf->module->functions) : -1;
  char fname[192];
  const char *fn_or_null = NULL;
  if (tf) {
    /* Release builds have no name section: the function index still lets a user find it (wasm-objdump, .wat). */
    const char *n = m3_GetFunctionName(tf);
    if (n && strcmp(n, "<unnamed>") != 0) snprintf(fname, sizeof fname, "%s (function #%ld)", n, idx);
    else snprintf(fname, sizeof fname, "function #%ld", idx);
    fn_or_null = fname;
  }
  char msg[512];
  snprintf(msg, sizeof msg, "wasm3 trap: %s%s%s (in %s, called from %s)", res,
           ei.message && *ei.message ? ": " : "", ei.message ? ei.message : "",
           fn_or_null ? fn_or_null : "an unknown function", where);
  napi_value err, m, t, f;
  napi_create_string_utf8(napi, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_error(napi, NULL, m, &err);
  napi_create_string_utf8(napi, res, NAPI_AUTO_LENGTH, &t);
  napi_set_named_property(napi, err, "trap", t);
  if (fn_or_null) {
    napi_create_string_utf8(napi, fn_or_null, NAPI_AUTO_LENGTH, &f);
    napi_set_named_property(napi, err, "func", f);
  }
  /* The function index and offset in the module wasm3 ran, for the host to name the source (host/sim/symbols.ts). */
  if (idx >= 0) {
    napi_value v;
    napi_create_int64(napi, idx, &v);
    napi_set_named_property(napi, err, "funcIndex", v);
    napi_create_int64(napi, offset, &v);
    napi_set_named_property(napi, err, "offset", v);
  }
  napi_throw(napi, err);
  return NULL;
}

static napi_value js_lookup(napi_env napi, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  NAPI_OK(napi_get_cb_info(napi, info, &argc, argv, NULL, NULL));
  Instance *in = get_instance(napi, argv[0]);
  if (!in) return NULL;
  char name[128];
  if (!get_string(napi, argv[1], name, sizeof name)) return throw_msg(napi, "coop_wasm3: bad export name");
  if (in->nfuncs >= MAX_FUNCS) return throw_msg(napi, "coop_wasm3: too many exports looked up");
  if (!enter(napi, in)) return NULL;
  IM3Function f = NULL;
  M3Result res = m3_FindFunction(&f, in->rt, name); /* may run a start function, which may call imports */
  in->busy = 0;
  if (res) {
    if (res == m3Err_functionLookupFailed) { napi_create_int32(napi, -1, &out); return out; }
    return report_trap(napi, in, res, name);
  }
  in->funcs[in->nfuncs] = f;
  napi_create_int32(napi, (int32_t)in->nfuncs++, &out);
  return out;
}

static napi_value js_call(napi_env napi, napi_callback_info info) {
  size_t argc = 2 + MAX_ARGS;
  napi_value argv[2 + MAX_ARGS], out;
  NAPI_OK(napi_get_cb_info(napi, info, &argc, argv, NULL, NULL));
  if (argc < 2) return throw_msg(napi, "coop_wasm3.call(handle, id, ...args)");
  Instance *in = get_instance(napi, argv[0]);
  if (!in) return NULL;
  uint32_t id;
  NAPI_OK(napi_get_value_uint32(napi, argv[1], &id));
  if (id >= in->nfuncs) return throw_msg(napi, "coop_wasm3: bad function id");
  IM3Function f = in->funcs[id];
  uint32_t nargs = m3_GetArgCount(f);
  if (nargs != argc - 2 || nargs > MAX_ARGS) return throw_msg(napi, "coop_wasm3: wrong number of arguments");
  uint64_t vals[MAX_ARGS];
  const void *ptrs[MAX_ARGS];
  for (uint32_t i = 0; i < nargs; i++) {
    napi_value a = argv[2 + i];
    switch (m3_GetArgType(f, i)) {
      case c_m3Type_i32: { int32_t v; if (!to_i32(napi, a, &v)) return NULL; *(int32_t *)&vals[i] = v; break; }
      case c_m3Type_i64: {
        bool lossless; int64_t v;
        if (napi_get_value_bigint_int64(napi, a, &v, &lossless) != napi_ok) return throw_msg(napi, "coop_wasm3: i64 argument must be a bigint");
        *(int64_t *)&vals[i] = v; break;
      }
      case c_m3Type_f32: { double d; napi_get_value_double(napi, a, &d); *(float *)&vals[i] = (float)d; break; }
      default: { double d; napi_get_value_double(napi, a, &d); *(double *)&vals[i] = d; break; }
    }
    ptrs[i] = &vals[i];
  }
  if (!enter(napi, in)) return NULL;
  M3Result res = m3_Call(f, nargs, ptrs);
  in->busy = 0;
  if (res) return report_trap(napi, in, res, m3_GetFunctionName(f));
  if (m3_GetRetCount(f) == 0) { napi_get_undefined(napi, &out); return out; }
  uint64_t r = 0;
  const void *rp[1] = { &r };
  res = m3_GetResults(f, 1, rp);
  if (res) return throw_msg(napi, "coop_wasm3: cannot read the result");
  switch (m3_GetRetType(f, 0)) {
    case c_m3Type_i32: napi_create_int32(napi, *(int32_t *)&r, &out); break;
    case c_m3Type_i64: napi_create_bigint_int64(napi, *(int64_t *)&r, &out); break;
    case c_m3Type_f32: napi_create_double(napi, *(float *)&r, &out); break;
    default: napi_create_double(napi, *(double *)&r, &out); break;
  }
  return out;
}

/* ---- memory -------------------------------------------------------------------- */
/* Memory may move when it grows, so every access re-reads the base pointer. */

static napi_value js_mem_size(napi_env napi, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  NAPI_OK(napi_get_cb_info(napi, info, &argc, argv, NULL, NULL));
  Instance *in = get_instance(napi, argv[0]);
  if (!in) return NULL;
  uint32_t size = 0;
  m3_GetMemory(in->rt, &size, 0);
  napi_create_uint32(napi, size, &out);
  return out;
}

static napi_value js_grow_refused(napi_env napi, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  NAPI_OK(napi_get_cb_info(napi, info, &argc, argv, NULL, NULL));
  Instance *in = get_instance(napi, argv[0]);
  if (!in) return NULL;
  napi_get_boolean(napi, in->rt->memory.growRefused != 0, &out);
  return out;
}

static int checked_range(napi_env napi, napi_value vp, napi_value vl, uint32_t size, uint32_t *p, uint32_t *l) {
  double dp, dl;
  if (napi_get_value_double(napi, vp, &dp) != napi_ok || napi_get_value_double(napi, vl, &dl) != napi_ok) return 0;
  if (!(dp >= 0 && dl >= 0 && dp == (double)(uint32_t)dp && dl == (double)(uint32_t)dl)) return 0;
  if (dp + dl > (double)size) return 0;
  *p = (uint32_t)dp; *l = (uint32_t)dl;
  return 1;
}

static napi_value js_mem_read(napi_env napi, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], out, ab;
  NAPI_OK(napi_get_cb_info(napi, info, &argc, argv, NULL, NULL));
  Instance *in = get_instance(napi, argv[0]);
  if (!in) return NULL;
  uint32_t size = 0, p, l;
  uint8_t *mem = m3_GetMemory(in->rt, &size, 0);
  if (!mem || !checked_range(napi, argv[1], argv[2], size, &p, &l)) { napi_get_null(napi, &out); return out; }
  void *dst;
  NAPI_OK(napi_create_arraybuffer(napi, l, &dst, &ab));
  memcpy(dst, mem + p, l);
  NAPI_OK(napi_create_typedarray(napi, napi_uint8_array, l, ab, 0, &out));
  return out;
}

static napi_value js_mem_write(napi_env napi, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], out, ab, lenv;
  NAPI_OK(napi_get_cb_info(napi, info, &argc, argv, NULL, NULL));
  Instance *in = get_instance(napi, argv[0]);
  if (!in) return NULL;
  bool is_ta = false;
  napi_is_typedarray(napi, argv[2], &is_ta);
  if (!is_ta) return throw_msg(napi, "coop_wasm3: memWrite wants a Uint8Array");
  napi_typedarray_type tt; size_t len; void *data; size_t off;
  NAPI_OK(napi_get_typedarray_info(napi, argv[2], &tt, &len, &data, &ab, &off));
  uint32_t size = 0, p, l;
  uint8_t *mem = m3_GetMemory(in->rt, &size, 0);
  napi_create_double(napi, (double)len, &lenv);
  if (!mem || !checked_range(napi, argv[1], lenv, size, &p, &l)) { napi_get_boolean(napi, false, &out); return out; }
  memcpy(mem + p, data, l);
  napi_get_boolean(napi, true, &out);
  return out;
}

static napi_value js_free(napi_env napi, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_OK(napi_get_cb_info(napi, info, &argc, argv, NULL, NULL));
  Instance *in = NULL;
  if (napi_get_value_external(napi, argv[0], (void **)&in) != napi_ok || !in) return NULL;
  if (in->busy) return throw_msg(napi, "coop_wasm3: cannot close the firmware from inside an import");
  instance_release(napi, in); /* the struct itself goes with the handle's finalizer */
  return NULL;
}

static napi_value js_version(napi_env napi, napi_callback_info info) {
  (void)info;
  napi_value out;
  napi_create_string_utf8(napi, M3_VERSION, NAPI_AUTO_LENGTH, &out);
  return out;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
    { "create", NULL, js_create, NULL, NULL, NULL, napi_default, NULL },
    { "lookup", NULL, js_lookup, NULL, NULL, NULL, napi_default, NULL },
    { "call", NULL, js_call, NULL, NULL, NULL, napi_default, NULL },
    { "memSize", NULL, js_mem_size, NULL, NULL, NULL, napi_default, NULL },
    { "memRead", NULL, js_mem_read, NULL, NULL, NULL, napi_default, NULL },
    { "memWrite", NULL, js_mem_write, NULL, NULL, NULL, napi_default, NULL },
    { "growRefused", NULL, js_grow_refused, NULL, NULL, NULL, napi_default, NULL },
    { "free", NULL, js_free, NULL, NULL, NULL, napi_default, NULL },
    { "version", NULL, js_version, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
