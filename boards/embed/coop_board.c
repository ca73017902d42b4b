/*
 * The engine-independent half of a coop embedding (coop_board.h): checked
 * board.* imports, one-line reports, the memory-cap rule and the board loop.
 * Portable on purpose: no OS calls, no stdio, no allocation.
 */
#include "coop_board.h"
#include "coop_hal.h"

#include <string.h>

void coop_default_config(coop_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->until = -1;
}

/* ---- report lines ----------------------------------------------------------- */

void coop_line_init(coop_line *l) {
  l->len = 0;
  l->buf[0] = 0;
}

void coop_line_str(coop_line *l, const char *s) {
  while (s && *s && l->len + 1 < sizeof l->buf) l->buf[l->len++] = *s++;
  l->buf[l->len] = 0;
}

void coop_line_bytes(coop_line *l, const uint8_t *p, uint32_t n) {
  for (uint32_t i = 0; i < n && l->len + 1 < sizeof l->buf; i++) {
    uint8_t c = p[i];
    l->buf[l->len++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
  }
  l->buf[l->len] = 0;
}

void coop_line_u64(coop_line *l, uint64_t v) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n && l->len + 1 < sizeof l->buf) l->buf[l->len++] = tmp[--n];
  l->buf[l->len] = 0;
}

void coop_line_i64(coop_line *l, int64_t v) {
  if (v < 0) {
    coop_line_str(l, "-");
    coop_line_u64(l, (uint64_t)(-(v + 1)) + 1);
  } else {
    coop_line_u64(l, (uint64_t)v);
  }
}

void coop_line_hex(coop_line *l, uint32_t v) {
  static const char digits[] = "0123456789abcdef";
  char tmp[8];
  int n = 0;
  do {
    tmp[n++] = digits[v & 15];
    v >>= 4;
  } while (v);
  coop_line_str(l, "0x");
  while (n && l->len + 1 < sizeof l->buf) l->buf[l->len++] = tmp[--n];
  l->buf[l->len] = 0;
}

void coop_line_task(coop_line *l, int32_t task, coop_mem m, int32_t name_ptr) {
  if (task < 0) return;
  coop_line_str(l, " in task ");
  coop_line_i64(l, task);
  coop_line_str(l, " ");
  coop_line_name(l, m, name_ptr);
}

void coop_line_name(coop_line *l, coop_mem m, int32_t name_ptr) {
  if (name_ptr < 4 || (uint64_t)(uint32_t)name_ptr > m.size) return;
  uint32_t bytes;
  memcpy(&bytes, m.base + (uint32_t)name_ptr - 4, 4);
  if ((uint64_t)(uint32_t)name_ptr + bytes > m.size) return;
  /* UTF-16LE from AssemblyScript's string layout; non-ASCII units become '?'. */
  coop_line_str(l, "\"");
  for (uint32_t i = 0; i + 1 < bytes && i < 64; i += 2) {
    uint16_t u = (uint16_t)(m.base[(uint32_t)name_ptr + i] | (m.base[(uint32_t)name_ptr + i + 1] << 8));
    char c[2] = {(u >= 0x20 && u < 0x7f) ? (char)u : '?', 0};
    coop_line_str(l, c);
  }
  coop_line_str(l, "\"");
}

void coop_line_fault(coop_line *l, const char *what, const char *trap) {
  if (!trap) {
    coop_line_str(l, "coop: panic: ");
    coop_line_str(l, coop_panic_text());
    return;
  }
  coop_line_str(l, "coop: trap in ");
  coop_line_str(l, what);
  coop_line_str(l, ": ");
  coop_line_str(l, trap);
}

void coop_line_code(coop_line *l, const char *name, int32_t index, uint32_t offset, const char *source) {
  if (name) {
    /* asc names a function by its file's path: keep the last directory, as host/sim/symbols.ts does. */
    const char *head_end = name, *last = 0, *prev = 0;
    while (*head_end && *head_end != '<' && *head_end != '#' && *head_end != '@') head_end++;
    for (const char *p = name; p < head_end; p++)
      if (*p == '/') { prev = last; last = p; }
    if (prev) name = prev + 1;
  } else if (index < 0) {
    return;
  }
  coop_line_str(l, source ? " at " : " in ");
  if (source) {
    coop_line_str(l, source);
    coop_line_str(l, " (");
  }
  if (name) coop_line_str(l, name);
  else {
    coop_line_str(l, "function #");
    coop_line_i64(l, index);
  }
  if (!source && offset != COOP_NO_OFFSET) {
    coop_line_str(l, " (code offset ");
    coop_line_hex(l, offset);
  }
  if (source || offset != COOP_NO_OFFSET) coop_line_str(l, ")");
}

void coop_line_limit(coop_line *l, const char *label, uint32_t bytes) {
  if (!bytes) return;
  coop_line_str(l, " (");
  coop_line_str(l, label);
  coop_line_str(l, " ");
  coop_line_u64(l, bytes);
  coop_line_str(l, " bytes)");
}

/* `t=12.003 ms` from board ticks, the simulator's format for these lines. */
static void line_ms(coop_line *l, int64_t ticks) {
  uint32_t hz = hal_tick_hz();
  uint64_t us = hz && ticks > 0 ? (uint64_t)ticks * 1000000u / hz : 0;
  coop_line_str(l, "t=");
  coop_line_u64(l, us / 1000);
  char frac[5] = {'.', (char)('0' + us / 100 % 10), (char)('0' + us / 10 % 10), (char)('0' + us % 10), 0};
  coop_line_str(l, frac);
  coop_line_str(l, " ms");
}

static void line_who(coop_line *l, int32_t task, coop_mem m, int32_t name_ptr, const char *outside) {
  if (task < 0) {
    coop_line_str(l, outside);
    return;
  }
  coop_line_str(l, "task ");
  uint32_t len = l->len;
  coop_line_name(l, m, name_ptr);
  if (l->len == len) coop_line_i64(l, task); /* no name: the slot */
}

int coop_report_alloc(int32_t task, coop_mem m, int32_t name_ptr, uint32_t sealed, uint32_t top) {
  coop_line l;
  coop_line_init(&l);
  coop_line_str(&l, "coop: firmware fault: ");
  line_who(&l, task, m, name_ptr, "code outside any task");
  coop_line_str(&l, " allocated ");
  coop_line_u64(&l, top - sealed);
  coop_line_str(&l, " bytes after start-up at ");
  line_ms(&l, hal_now());
  coop_line_str(&l, " (heap ");
  coop_line_hex(&l, sealed);
  coop_line_str(&l, " -> ");
  coop_line_hex(&l, top);
  coop_line_str(&l, "); the core must not allocate once running: see docs/runtime.md");
  hal_report(l.buf);
  return COOP_EXIT_FIRMWARE_FAULT;
}

int coop_report_oom(const char *what, int32_t task, coop_mem m, int32_t name_ptr) {
  coop_line l;
  coop_line_init(&l);
  coop_line_str(&l, "coop: firmware fault: out of memory: ");
  line_who(&l, task, m, name_ptr, what);
  coop_line_str(&l, " at ");
  line_ms(&l, hal_now());
  coop_line_str(&l, ": linear memory cannot grow past ");
  coop_line_u64(&l, m.size);
  coop_line_str(&l, " bytes; see docs/runtime.md");
  hal_report(l.buf);
  return COOP_EXIT_FIRMWARE_FAULT;
}

int coop_report(int status, const char *what, const char *detail) {
  coop_line l;
  coop_line_init(&l);
  coop_line_str(&l, "coop: ");
  coop_line_str(&l, what);
  if (detail) {
    coop_line_str(&l, ": ");
    coop_line_str(&l, detail);
  }
  hal_report(l.buf);
  return status;
}

/* ---- checked imports ------------------------------------------------------- */

/* A bus transfer whose read bytes still have to be copied into the firmware's memory. */
static uint32_t s_bus_rptr, s_bus_rlen;
static uint8_t s_bus_pending;
static char s_panic_text[200];

int coop_range_ok(coop_mem m, uint32_t ptr, uint32_t len) { return (uint64_t)ptr + (uint64_t)len <= m.size; }

void coop_board_set_alarm(int64_t at) { hal_set_alarm(at < 0 ? -1 : at); }

/* Copy a finished bus transfer's bytes in before the firmware can see the BUS flag. */
static void bus_copy_in(coop_mem m) {
  if (!s_bus_pending) return;
  s_bus_pending = 0;
  /* The pointer was checked at bus_transfer; memory only grows, but check again. */
  if (s_bus_rlen && coop_range_ok(m, s_bus_rptr, s_bus_rlen)) hal_bus_result(m.base + s_bus_rptr, s_bus_rlen);
}

uint32_t coop_board_irq_take(coop_mem m) {
  uint32_t flags = hal_irq_take();
  if (flags & COOP_IRQ_BIT(COOP_IRQ_BUS)) bus_copy_in(m);
  return flags;
}

int32_t coop_board_uart_write(coop_mem m, uint32_t port, uint32_t ptr, uint32_t len) {
  if (!coop_range_ok(m, ptr, len)) return COOP_EBADPTR;
  return hal_uart_write(port, m.base + ptr, len);
}

int32_t coop_board_uart_read(coop_mem m, uint32_t port, uint32_t ptr, uint32_t cap) {
  if (!coop_range_ok(m, ptr, cap)) return COOP_EBADPTR;
  return hal_uart_read(port, m.base + ptr, cap);
}

int32_t coop_board_gpio_write(uint32_t pin, uint32_t level) { return hal_gpio_write(pin, level ? 1u : 0u); }

int32_t coop_board_bus_transfer(coop_mem m, uint32_t addr, uint32_t wptr, uint32_t wlen, uint32_t rptr, uint32_t rlen) {
  /* Both ranges are checked before anything happens (docs/abi.md: EBADPTR, nothing read or written). */
  if (!coop_range_ok(m, wptr, wlen) || !coop_range_ok(m, rptr, rlen)) return COOP_EBADPTR;
  int32_t r = hal_bus_transfer(addr, m.base + wptr, wlen, rlen);
  if (r == 0) {
    s_bus_rptr = rptr;
    s_bus_rlen = rlen;
    s_bus_pending = 1;
  }
  return r;
}

int32_t coop_board_bus_status(coop_mem m) {
  int32_t r = hal_bus_status();
  /* A firmware that polls the status instead of waiting for BUS also gets its bytes. */
  if (r >= 0) bus_copy_in(m);
  return r;
}

void coop_board_log(coop_mem m, uint32_t ptr, uint32_t len) {
  if (coop_range_ok(m, ptr, len)) hal_log((const char *)(m.base + ptr), len);
}

void coop_board_panic(coop_mem m, uint32_t msg, uint32_t msg_len, uint32_t file, uint32_t file_len, uint32_t line, uint32_t col) {
  coop_line l;
  coop_line_init(&l);
  if (coop_range_ok(m, msg, msg_len)) coop_line_bytes(&l, m.base + msg, msg_len > 120 ? 120 : msg_len);
  else coop_line_str(&l, "(message outside memory)");
  if (file_len && coop_range_ok(m, file, file_len)) {
    coop_line_str(&l, " at ");
    coop_line_bytes(&l, m.base + file, file_len > 60 ? 60 : file_len);
    coop_line_str(&l, ":");
    coop_line_u64(&l, line);
    coop_line_str(&l, ":");
    coop_line_u64(&l, col);
  }
  memcpy(s_panic_text, l.buf, l.len + 1 < sizeof s_panic_text ? l.len + 1 : sizeof s_panic_text);
  s_panic_text[sizeof s_panic_text - 1] = 0;
}

const char *coop_panic_text(void) { return s_panic_text; }

static char s_resolve_text[240];

/* The words a report uses for each kind, singular and plural, by COOP_NAME_* number. */
static const char *const k_kind_words[][2] = {
    [COOP_NAME_PIN] = {"pin", "pins"},
    [COOP_NAME_ADC] = {"ADC channel", "ADC channels"},
    [COOP_NAME_UART] = {"UART", "UARTs"},
    [COOP_NAME_BUS] = {"bus device", "bus devices"},
};
#define N_KINDS (sizeof k_kind_words / sizeof k_kind_words[0])

static int32_t resolve_stop(coop_line *l) {
  memcpy(s_resolve_text, l->buf, l->len + 1 < sizeof s_resolve_text ? l->len + 1 : sizeof s_resolve_text);
  s_resolve_text[sizeof s_resolve_text - 1] = 0;
  return COOP_RESOLVE_STOP;
}

int32_t coop_board_resolve(coop_mem m, uint32_t kind, uint32_t ptr, uint32_t len) {
  const uint32_t base = kind & ~COOP_NAME_OPTIONAL;
  coop_line l;
  coop_line_init(&l);
  coop_line_str(&l, "coop: board ");
  coop_line_str(&l, hal_board_name);
  if (base >= N_KINDS || !k_kind_words[base][0]) {
    coop_line_str(&l, ": resolve of unknown kind ");
    coop_line_u64(&l, kind);
    coop_line_str(&l, " (docs/abi.md, Names)");
    return resolve_stop(&l);
  }
  if (!coop_range_ok(m, ptr, len)) {
    coop_line_str(&l, ": resolve of a ");
    coop_line_str(&l, k_kind_words[base][0]);
    coop_line_str(&l, " name outside the firmware's memory (");
    coop_line_u64(&l, ptr);
    coop_line_str(&l, "+");
    coop_line_u64(&l, len);
    coop_line_str(&l, ")");
    return resolve_stop(&l);
  }
  const uint8_t *name = m.base + ptr;
  uint32_t count = 0;
  for (uint32_t i = 0; i < hal_name_count; i++) {
    const coop_name *n = &hal_names[i];
    if (n->kind != base) continue;
    count++;
    if (strlen(n->name) == len && memcmp(n->name, name, len) == 0) return n->number;
  }
  if (kind & COOP_NAME_OPTIONAL) return COOP_EBADPORT;
  coop_line_str(&l, " has no ");
  coop_line_str(&l, k_kind_words[base][0]);
  coop_line_str(&l, " named \"");
  coop_line_bytes(&l, name, len > 40 ? 40 : len);
  if (len > 40) coop_line_str(&l, "...");
  coop_line_str(&l, "\" (");
  if (!count) {
    coop_line_str(&l, "it has no ");
    coop_line_str(&l, k_kind_words[base][1]);
  } else {
    coop_line_str(&l, "its ");
    coop_line_str(&l, k_kind_words[base][1]);
    coop_line_str(&l, ":");
    const char *sep = " ";
    for (uint32_t i = 0; i < hal_name_count; i++) {
      if (hal_names[i].kind != base) continue;
      coop_line_str(&l, sep);
      coop_line_str(&l, hal_names[i].name);
      sep = ", ";
    }
  }
  coop_line_str(&l, ")");
  return resolve_stop(&l);
}

const char *coop_resolve_text(void) { return s_resolve_text; }

/* ---- the board loop --------------------------------------------------------- */

void coop_run(const uint8_t *wasm, uint32_t len, const coop_config *cfg) {
  int64_t until = cfg ? cfg->until : -1;
  int status = coop_engine_load(wasm, len, cfg);
  if (status) hal_exit(status);
  status = coop_engine_start();
  if (status) hal_exit(status);
  for (;;) {
    int64_t deadline = -1;
    status = coop_engine_step(&deadline);
    if (status) hal_exit(status);
    int64_t now = hal_now();
    if (until >= 0 && now >= until) hal_exit(COOP_EXIT_OK);
    if (deadline >= 0 && deadline <= now) continue; /* poll budget ran out: still ready */
    /* No live task and no timer: no interrupt can wake anything any more. */
    if (deadline < 0 && coop_engine_stat(COOP_STAT_LIVE_TASKS) == 0) hal_exit(COOP_EXIT_OK);
    if (until >= 0 && (deadline < 0 || until < deadline)) deadline = until;
    /*
     * hal_idle checks the pending flags and sleeps with interrupts masked
     * (coop_hal.h), so an interrupt that arrives after coop_step returned is
     * never lost: it keeps hal_idle from sleeping, and the next step takes it.
     */
    hal_idle(deadline);
  }
}
