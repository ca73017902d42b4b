/* The C floor: a hand-written static bitmask scheduler, the practical lower
 * bound for the bench workloads (bench/README.md). Tasks are switch-based
 * state machines in a fixed table; waking sets a bit in a ready mask; the
 * loop takes pending IRQ flags, expires timers and runs ready tasks lowest bit
 * first, as coop's executor does, minus everything generic (no dispatch
 * tables, no generations, no budgets, no tracing).
 * Speaks the bench protocol: floor <workload> <n> <t> <reps> <seed>. */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_T 16
#define NOINLINE __attribute__((noinline))

static uint32_t ready;            /* bit t: task t must run */
static volatile uint32_t pending; /* "ISR" flags; volatile as a real one would be */
static int64_t vnow;              /* virtual time */

static inline void wake(int t) { ready |= 1u << t; }
static inline uint32_t xorshift(uint32_t x) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; return x; }

typedef int (*task_fn)(int self); /* returns 1 when finished */
static task_fn tasks[32];
static uint32_t live;

/* ---- timers: a binary min-heap of (deadline, task) ---- */
static int64_t tdl[MAX_T]; static uint32_t tseq[MAX_T]; static int theap[MAX_T]; static int tlen; static uint32_t seqn;
static int before(int a, int b) { return tdl[a] < tdl[b] || (tdl[a] == tdl[b] && (int32_t)(tseq[a] - tseq[b]) < 0); }
static void timer_arm(int t, int64_t at) {
  tdl[t] = at; tseq[t] = seqn++;
  int i = tlen++;
  while (i > 0) { int p = (i - 1) / 2; if (!before(t, theap[p])) break; theap[i] = theap[p]; i = p; }
  theap[i] = t;
}
static void timer_pop(void) {
  int e = theap[--tlen], i = 0;
  for (;;) {
    int c = 2 * i + 1; if (c >= tlen) break;
    if (c + 1 < tlen && before(theap[c + 1], theap[c])) c++;
    if (!before(theap[c], e)) break;
    theap[i] = theap[c]; i = c;
  }
  theap[i] = e;
}

/* irq waiters: line -> task mask; a raise with no waiter is kept */
static uint32_t irq_waiters[32], irq_kept;

/* One scheduler pass until nothing is ready; returns next deadline or -1. */
static NOINLINE int64_t run(void) {
  for (;;) {
    uint32_t p = pending; pending = 0;
    while (p) { int l = __builtin_ctz(p); p &= p - 1; if (irq_waiters[l]) { ready |= irq_waiters[l]; irq_waiters[l] = 0; } else irq_kept |= 1u << l; }
    while (tlen && tdl[theap[0]] <= vnow) { wake(theap[0]); timer_pop(); }
    if (!ready) break;
    uint32_t batch = ready; ready = 0;
    while (batch) {
      int t = __builtin_ctz(batch); batch &= batch - 1;
      if ((live >> t & 1) && tasks[t](t)) live &= ~(1u << t);
    }
  }
  return tlen ? tdl[theap[0]] : -1;
}
static void spawn(int t, task_fn f) { tasks[t] = f; live |= 1u << t; wake(t); }
static int run_to_end(void) {
  while (live) { int64_t d = run(); if (!live) break; if (d < 0) return 0; if (d > vnow) vnow = d; }
  return 1;
}

/* ---- signals ---- */
typedef struct { int set, waiter; } signal_t;
static inline void sig_signal(signal_t *s) { s->set = 1; if (s->waiter >= 0) { wake(s->waiter); s->waiter = -1; } }
static inline int sig_wait(signal_t *s, int self) { if (s->set) { s->set = 0; return 1; } s->waiter = self; return 0; }

/* ---- 1. ping-pong ---- */
static signal_t to_ping = {0, -1}, to_pong = {0, -1};
static int pp_n, ping_i, ping_sent, pong_i;
static int ping_task(int self) {
  while (ping_i < pp_n) {
    if (!ping_sent) { sig_signal(&to_pong); ping_sent = 1; }
    if (!sig_wait(&to_ping, self)) return 0;
    ping_sent = 0; ping_i++;
  }
  return 1;
}
static int pong_task(int self) {
  while (pong_i < pp_n) {
    if (!sig_wait(&to_pong, self)) return 0;
    sig_signal(&to_ping); pong_i++;
  }
  return 1;
}
static int64_t pingpong(int n) {
  pp_n = n; ping_i = pong_i = ping_sent = 0; vnow = 0;
  spawn(0, ping_task); spawn(1, pong_task);
  return run_to_end() ? (int64_t)n * 2 : -1;
}

/* ---- 2. IRQ fan-out ---- */
static int counts[MAX_T];
/* A waiter counts deliveries of its line, as coop's WaitIrq does, so it can
 * tell a delivery from a spurious poll. */
static uint32_t delivered[32], seen[MAX_T]; static int waiting[MAX_T];
static int irq_task(int self) {
  int line = self + 1;
  if (waiting[self] && delivered[line] != seen[self]) { waiting[self] = 0; counts[self]++; }
  if (!waiting[self]) { waiting[self] = 1; seen[self] = delivered[line]; irq_waiters[line] |= 1u << self; }
  return 0;
}
static int64_t fanout(int n, int t, uint32_t seed) {
  memset(counts, 0, sizeof counts); memset(waiting, 0, sizeof waiting); vnow = 0;
  for (int i = 0; i < t; i++) spawn(i, irq_task);
  run();
  uint32_t x = seed;
  for (int i = 0; i < n; i++) {
    x = xorshift(x);
    int line = (int)(x % (uint32_t)t) + 1;
    delivered[line]++;        /* the ISR's count, as coop's registry keeps */
    pending |= 1u << line;
    run();
  }
  live = 0; memset(irq_waiters, 0, sizeof irq_waiters); ready = 0;
  int64_t sum = 0;
  for (int i = 0; i < t; i++) sum += (int64_t)counts[i] * (i + 1);
  return sum;
}

/* ---- 3. timers ---- */
static int tk[MAX_T], ti[MAX_T], tdrawn[MAX_T], tarmed[MAX_T]; static uint32_t tx[MAX_T]; static int64_t tend[MAX_T], tdur[MAX_T];
static int sleeper(int self) {
  while (ti[self] < tk[self]) {
    if (!tdrawn[self]) { tx[self] = xorshift(tx[self]); tdur[self] = 1 + (int64_t)(tx[self] % 1000); tdrawn[self] = 1; }
    if (!tarmed[self]) { timer_arm(self, vnow + tdur[self]); tarmed[self] = 1; return 0; }
    if (vnow < tdl[self]) return 0;
    tarmed[self] = 0; tdrawn[self] = 0; ti[self]++;
  }
  tend[self] = vnow;
  return 1;
}
static int64_t timers(int n, int t, uint32_t seed) {
  vnow = 0; tlen = 0;
  for (int i = 0; i < t; i++) {
    tk[i] = n / t; ti[i] = 0; tdrawn[i] = 0; tarmed[i] = 0;
    tx[i] = (seed + (uint32_t)i * 0x9E3779B9u) | 1u;
    spawn(i, sleeper);
  }
  if (!run_to_end()) return -1;
  int64_t sum = 0;
  for (int i = 0; i < t; i++) sum += tend[i];
  return sum;
}

/* ---- 4. channel (capacity 16) ---- */
static uint32_t cbuf[16], chead, ctail; static int csend_w = -1, crecv_w = -1;
static int ch_n, prod_i, cons_i; static int64_t cons_sum;
static int producer(int self) {
  while (prod_i < ch_n) {
    if (ctail - chead > 15) { csend_w = self; return 0; }
    cbuf[ctail++ & 15] = (uint32_t)prod_i + 1;
    if (crecv_w >= 0) { wake(crecv_w); crecv_w = -1; }
    prod_i++;
  }
  return 1;
}
static int consumer(int self) {
  while (cons_i < ch_n) {
    if (ctail == chead) { crecv_w = self; return 0; }
    uint32_t v = cbuf[chead++ & 15];
    if (csend_w >= 0) { wake(csend_w); csend_w = -1; }
    cons_sum += v == (uint32_t)cons_i + 1 ? (int64_t)v : -((int64_t)1 << 40);
    cons_i++;
  }
  return 1;
}
static int64_t channel(int n) {
  ch_n = n; prod_i = cons_i = 0; cons_sum = 0; chead = ctail = 0; vnow = 0;
  spawn(0, producer); spawn(1, consumer);
  return run_to_end() ? cons_sum : -1;
}

static int64_t now_ns(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec; }

int main(int argc, char **argv) {
  if (argc != 6) { fprintf(stderr, "bench: usage: floor <workload> <n> <t> <reps> <seed>\n"); return 2; }
  const char *w = argv[1];
  long n = atol(argv[2]), t = atol(argv[3]), reps = atol(argv[4]); uint32_t seed = (uint32_t)strtoul(argv[5], 0, 10);
  if (n < 1 || t < 1 || t > MAX_T || reps < 1 || seed == 0) { fprintf(stderr, "bench: bad arguments (1 <= t <= %d, seed != 0)\n", MAX_T); return 2; }
  int which = !strcmp(w, "pingpong") ? 0 : !strcmp(w, "fanout") ? 1 : !strcmp(w, "timers") ? 2 : !strcmp(w, "channel") ? 3 : -1;
  if (which < 0) { fprintf(stderr, "bench: unknown workload '%s'\n", w); return 2; }
  long ops = which == 2 ? n / t * t : n;
  for (long r = -1; r < reps; r++) {
    int64_t t0 = now_ns(), c;
    switch (which) {
      case 0: c = pingpong((int)n); break;
      case 1: c = fanout((int)n, (int)t, seed); break;
      case 2: c = timers((int)n, (int)t, seed); break;
      default: c = channel((int)n); break;
    }
    int64_t t1 = now_ns();
    if (c < 0) { fprintf(stderr, "bench: %s stalled\n", w); return 2; }
    if (r >= 0) printf("{\"ns\":%lld,\"ops\":%ld,\"checksum\":\"%lld\"}\n", (long long)(t1 - t0), ops, (long long)c);
  }
  return 0;
}
