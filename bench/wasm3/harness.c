/* coop on wasm3: loads the bench firmware (build/bench/coop.wasm), links the
 * bench board (docs/abi.md's `board` imports plus `benchctl`) as C host
 * functions, and times the firmware's exported workload functions. The loop
 * runs inside the interpreter; the harness only starts the clock.
 * wasm3's core is fetched at build time (npm run setup:wasm3), never committed.
 * Speaks the bench protocol: harness <wasm> <workload> <n> <t> <reps> <seed>. */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "wasm3.h"
#include "m3_env.h" /* M3Global: the board writes the module's board.irq_quiet in place */

static int64_t vnow, alarm_at = -1;
static uint32_t pending;
/* board.irq_quiet (docs/abi.md): 0 from a raise until the next take. wasm3
 * keeps an imported global in the module (0.5.0 links none), and its code
 * reads it through this address, so the board writes it there. */
static volatile int32_t *irq_quiet, no_quiet;

m3ApiRawFunction(b_tick_hz) { m3ApiReturnType(uint32_t); m3ApiReturn(1000000); }
m3ApiRawFunction(b_now) { m3ApiReturnType(int64_t); m3ApiReturn(vnow); }
m3ApiRawFunction(b_set_alarm) { m3ApiGetArg(int64_t, at); alarm_at = at; m3ApiSuccess(); }
m3ApiRawFunction(b_irq_take) { m3ApiReturnType(uint32_t); uint32_t p = pending; pending = 0; *irq_quiet = 1; m3ApiReturn(p); }
m3ApiRawFunction(b_log) { m3ApiSuccess(); }
m3ApiRawFunction(b_trace) { m3ApiSuccess(); }
m3ApiRawFunction(b_panic) { m3ApiTrap("firmware panic"); }
m3ApiRawFunction(c_set_now) { m3ApiGetArg(int64_t, t); if (t > vnow) vnow = t; m3ApiSuccess(); }
m3ApiRawFunction(c_raise) { m3ApiGetArg(int32_t, line); pending |= 1u << line; *irq_quiet = 0; m3ApiSuccess(); }
m3ApiRawFunction(c_reset) { vnow = 0; pending = 0; *irq_quiet = 0; alarm_at = -1; m3ApiSuccess(); }

static void die(const char *what, M3Result r) { fprintf(stderr, "bench: wasm3: %s: %s\n", what, r); exit(2); }

static void link(IM3Module m, const char *mod, const char *name, const char *sig, M3RawCall f) {
  M3Result r = m3_LinkRawFunction(m, mod, name, sig, f);
  if (r && r != m3Err_functionLookupFailed) die(name, r); /* an import the module does not use is fine */
}

static int64_t now_ns(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec; }

int main(int argc, char **argv) {
  if (argc != 7) { fprintf(stderr, "bench: usage: harness <wasm> <workload> <n> <t> <reps> <seed>\n"); return 2; }
  const char *w = argv[2];
  int32_t n = atoi(argv[3]), t = atoi(argv[4]), reps = atoi(argv[5]); uint32_t seed = (uint32_t)strtoul(argv[6], 0, 10);
  if (n < 1 || t < 1 || reps < 1 || seed == 0) { fprintf(stderr, "bench: bad arguments\n"); return 2; }
  FILE *f = fopen(argv[1], "rb");
  if (!f) { fprintf(stderr, "bench: cannot open %s (run npm run bench, which builds it)\n", argv[1]); return 2; }
  static uint8_t wasm[1 << 20];
  size_t len = fread(wasm, 1, sizeof wasm, f); fclose(f);

  IM3Environment env = m3_NewEnvironment();
  IM3Runtime rt = m3_NewRuntime(env, 64 * 1024, NULL);
  IM3Module mod; M3Result r;
  if ((r = m3_ParseModule(env, &mod, wasm, (uint32_t)len))) die("parse", r);
  if ((r = m3_LoadModule(rt, mod))) die("load", r);
  /* Link after load and before the first lookup (wasm3 0.5.0's rule). */
  link(mod, "board", "tick_hz", "i()", b_tick_hz);
  link(mod, "board", "now", "I()", b_now);
  link(mod, "board", "set_alarm", "v(I)", b_set_alarm);
  link(mod, "board", "irq_take", "i()", b_irq_take);
  link(mod, "board", "log", "v(ii)", b_log);
  link(mod, "board", "trace", "v(iii)", b_trace);
  link(mod, "board", "panic", "v(iiiiii)", b_panic);
  link(mod, "benchctl", "set_now", "v(I)", c_set_now);
  link(mod, "benchctl", "raise", "v(i)", c_raise);
  link(mod, "benchctl", "reset", "v()", c_reset);
  IM3Global quiet = m3_FindGlobal(mod, "irq_quiet");
  irq_quiet = quiet && quiet->imported ? (volatile int32_t *)&quiet->intValue : &no_quiet;
  *irq_quiet = 0;

  IM3Function start, fn, heap_top;
  if ((r = m3_FindFunction(&start, rt, "_start"))) die("_start", r);
  if ((r = m3_CallV(start))) die("_start", r);
  if ((r = m3_FindFunction(&fn, rt, w))) { fprintf(stderr, "bench: unknown workload '%s'\n", w); return 2; }
  if ((r = m3_FindFunction(&heap_top, rt, "heap_top"))) die("heap_top", r);
  int nargs = m3_GetArgCount(fn);
  int64_t ops = strcmp(w, "timers") == 0 ? (int64_t)(n / t) * t : n;
  uint32_t h1 = 0;
  for (int i = -1; i < reps; i++) {
    int64_t t0 = now_ns();
    r = nargs == 1 ? m3_CallV(fn, n) : m3_CallV(fn, n, t, seed);
    int64_t t1 = now_ns();
    if (r) die(w, r);
    int64_t c = 0;
    m3_GetResultsV(fn, &c);
    if (c < 0) { fprintf(stderr, "bench: %s: the firmware reported a stall or a bad argument\n", w); return 2; }
    uint32_t h = 0; m3_CallV(heap_top); m3_GetResultsV(heap_top, &h);
    if (i == -1) h1 = h;
    else if (h != h1) { fprintf(stderr, "bench: %s: the heap grew during the timed runs\n", w); return 2; }
    if (i >= 0) printf("{\"ns\":%lld,\"ops\":%lld,\"checksum\":\"%lld\"}\n", (long long)(t1 - t0), (long long)ops, (long long)c);
  }
  m3_FreeRuntime(rt); m3_FreeEnvironment(env);
  return 0;
}
