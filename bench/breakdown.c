/* The instruction profile of npm run bench:breakdown: the bench firmware
 * translated to C by wasm2c (build/bench/profile/coop.c, from a build of
 * bench/as/bench.ts with its function names kept) and compiled with gcc -O2
 * but without inlining across functions, so that callgrind charges each
 * instruction to the wasm function it came from. Runs one workload once:
 *   breakdown-prof <workload> <n>     (t = 16, seed 20261121, as the bench)
 * prints its checksum. The board is the bench board's: virtual time and
 * pending flags in plain C variables. wasm2c's runtime (wasm-rt-impl.c) is
 * Debian's, linked at build time, never committed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "coop.h"

struct Z_board_instance_t { int unused; };
struct Z_benchctl_instance_t { int unused; };
static int64_t vnow, alarm_at = -1;
static uint32_t pending;

/* board.irq_quiet (docs/abi.md): 0 from a raise until the next take, so the firmware skips the take when it is 1. */
static u32 irq_quiet;
u32 *Z_boardZ_irq_quiet(struct Z_board_instance_t *b) { (void)b; return &irq_quiet; }
u32 Z_boardZ_irq_take(struct Z_board_instance_t *b) { (void)b; uint32_t p = pending; pending = 0; irq_quiet = 1; return p; }
u64 Z_boardZ_now(struct Z_board_instance_t *b) { (void)b; return (u64)vnow; }
void Z_boardZ_set_alarm(struct Z_board_instance_t *b, u64 at) { (void)b; alarm_at = (int64_t)at; }
void Z_boardZ_panic(struct Z_board_instance_t *b, u32 m, u32 ml, u32 f, u32 fl, u32 l, u32 c) {
  (void)b; (void)m; (void)ml; (void)f; (void)fl; (void)l; (void)c;
  fprintf(stderr, "bench: firmware panic\n");
  exit(2);
}
void Z_benchctlZ_raise(struct Z_benchctl_instance_t *c, u32 line) { (void)c; pending |= 1u << line; irq_quiet = 0; }
void Z_benchctlZ_reset(struct Z_benchctl_instance_t *c) { (void)c; vnow = 0; pending = 0; irq_quiet = 0; alarm_at = -1; }
void Z_benchctlZ_set_now(struct Z_benchctl_instance_t *c, u64 t) { (void)c; if ((int64_t)t > vnow) vnow = (int64_t)t; }

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "bench: usage: breakdown-prof <workload> <n>\n"); return 2; }
  const char *w = argv[1];
  uint32_t n = (uint32_t)strtoul(argv[2], 0, 10);
  static struct Z_board_instance_t b;
  static struct Z_benchctl_instance_t c;
  static Z_coop_instance_t m;
  wasm_rt_init();
  Z_coop_init_module();
  Z_coop_instantiate(&m, &c, &b);
  Z_coopZ__start(&m);
  int64_t r;
  if (!strcmp(w, "pingpong")) r = (int64_t)Z_coopZ_pingpong(&m, n);
  else if (!strcmp(w, "pingpong_hand")) r = (int64_t)Z_coopZ_pingpong_hand(&m, n);
  else if (!strcmp(w, "fanout")) r = (int64_t)Z_coopZ_fanout(&m, n, 16, 20261121u);
  else if (!strcmp(w, "timers")) r = (int64_t)Z_coopZ_timers(&m, n, 16, 20261121u);
  else if (!strcmp(w, "channel")) r = (int64_t)Z_coopZ_channel(&m, n);
  else { fprintf(stderr, "bench: unknown workload '%s'\n", w); return 2; }
  if (r < 0) { fprintf(stderr, "bench: %s stalled\n", w); return 2; }
  printf("%lld\n", (long long)r);
  wasm_rt_free();
  return 0;
}
