/*
 * The host HAL (coop_hal.h) for the native runner: real time, UART0 on
 * stdin/stdout, and the idle wait as ppoll() on the input descriptors.
 *
 * Interrupt model: the "ISRs" are stdin readiness (UART0 RX), the control
 * descriptor (pin edges, see below), the alarm, and SIGUSR1 (the SOFT line).
 * SIGUSR1 stays blocked except inside ppoll(), which unblocks it atomically
 * for the wait: the host counterpart of Cortex-M's "mask, check, WFI, unmask",
 * so a signal that arrives after the check cannot be lost.
 *
 * Peripheral model (documented in boards/native/README.md):
 * - UART0: TX goes straight to stdout (never full; UART0_TX is raised after
 *   each write because the FIFO has drained). RX: a 256-byte FIFO filled from
 *   stdin only while it has room, so input is held back, never overrun.
 *   UART1 and up: EBADPORT.
 * - GPIO: 16 pins. A pin the firmware wrote reads back its output level;
 *   others read the level set through the control descriptor (default 0).
 *   Armed edges on such a level change raise GPIO line 16 + pin.
 * - ADC: 8 channels; a conversion finishes at once with the value set through
 *   the control descriptor (default 0).
 * - Bus: no devices; a transfer finishes at once with EBADPORT.
 * - Names (board.resolve): sim-devkit's for the parts this board has, so a
 *   firmware written for sim-devkit runs here unchanged (hal_names below).
 */
#define _GNU_SOURCE
#include "hal_native.h"
#include "coop_hal.h"
#include "coop_board.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Pending-flag bits of the ABI's lines (coop_abi.h, from boards/abi/abi.json). */
#define LINE_ALARM COOP_IRQ_BIT(COOP_IRQ_ALARM)
#define LINE_UART0_RX COOP_IRQ_BIT(COOP_IRQ_UART0_RX)
#define LINE_UART0_TX COOP_IRQ_BIT(COOP_IRQ_UART0_TX)
#define LINE_ADC COOP_IRQ_BIT(COOP_IRQ_ADC)
#define LINE_BUS COOP_IRQ_BIT(COOP_IRQ_BUS)
#define LINE_SOFT COOP_IRQ_BIT(COOP_IRQ_SOFT)
#define LINE_GPIO(p) COOP_IRQ_BIT(COOP_IRQ_GPIO_BASE + (p))

#define N_PINS ((int)COOP_GPIO_PINS)
#define N_ADC 8
#define RX_CAP 256

static struct timespec s_t0;
static int64_t s_alarm = -1;
static uint32_t s_pending;
static sigset_t s_blocked, s_open; /* signal masks outside and inside the idle wait */
static volatile sig_atomic_t s_sig_soft;

static uint8_t s_rx[RX_CAP];
static uint32_t s_rx_head, s_rx_len;
static int s_stdin_open = 1;

static int s_trace;
static int s_ctl_fd = -1;
static char s_ctl_buf[256];
static uint32_t s_ctl_len;

static uint8_t s_out[N_PINS], s_in[N_PINS], s_driven[N_PINS], s_edges[N_PINS];
static int32_t s_adc_value[N_ADC], s_adc_last[N_ADC];

static void on_signal(int sig) { (void)sig; s_sig_soft = 1; }

/*
 * SIGINT/SIGTERM stop the runner at once, even in the middle of a firmware
 * call that never returns (an endless loop inside wasm calls no import, so a
 * flag would never be looked at). Only async-signal-safe calls: UART output
 * uses write(2) directly, so nothing is lost in a stdio buffer.
 */
static void on_stop(int sig) {
  static const char intr[] = "coop-native: stopped by SIGINT\n";
  static const char term[] = "coop-native: stopped by SIGTERM\n";
  ssize_t r = sig == SIGINT ? write(2, intr, sizeof intr - 1) : write(2, term, sizeof term - 1);
  (void)r;
  _exit(128 + sig);
}

void native_hal_init(int trace, int control_fd) {
  clock_gettime(CLOCK_MONOTONIC, &s_t0);
  s_trace = trace;
  s_ctl_fd = control_fd;
  for (int i = 0; i < N_ADC; i++) s_adc_last[i] = COOP_ENOTREADY;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, 0);
  sa.sa_handler = on_stop;
  sigaction(SIGINT, &sa, 0);
  sigaction(SIGTERM, &sa, 0);
  signal(SIGPIPE, SIG_IGN); /* a closed stdout is an EPIPE error we handle, not a silent death */
  sigemptyset(&s_blocked);
  sigaddset(&s_blocked, SIGUSR1);
  sigprocmask(SIG_BLOCK, &s_blocked, &s_open);
  sigdelset(&s_open, SIGUSR1);
}

/* ---- time ---------------------------------------------------------------- */

uint32_t hal_tick_hz(void) { return 1000000u; }

int64_t hal_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)(t.tv_sec - s_t0.tv_sec) * 1000000 + (t.tv_nsec - s_t0.tv_nsec) / 1000;
}

void hal_set_alarm(int64_t at) { s_alarm = at; }

/* ---- the control descriptor: a line protocol for the HIL harness ---------- */

static void ctl_reply(const char *text) {
  size_t n = strlen(text);
  while (n) {
    ssize_t w = write(s_ctl_fd, text, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return; /* the harness went away; it will see our exit */
    text += w;
    n -= (size_t)w;
  }
}

static void set_input(int pin, int level) {
  uint8_t old = s_in[pin];
  s_in[pin] = (uint8_t)level;
  if (s_driven[pin] || old == level) return;
  if ((level && (s_edges[pin] & COOP_EDGE_RISING)) || (!level && (s_edges[pin] & COOP_EDGE_FALLING))) s_pending |= LINE_GPIO(pin);
}

/*
 * Commands, one per line; every command gets exactly one reply line:
 *   pin <n> <0|1>   drive input pin n      -> "ok"
 *   get <n>         read pin n             -> "pin <n> <level>"
 *   adc <ch> <v>    set channel ch (0..4095) -> "ok"
 *   now             board time             -> "now <ticks>"
 * anything else -> "error <reason>"
 */
static void ctl_command(char *line) {
  char reply[64];
  int a = -1, b = -1;
  char extra;
  if (sscanf(line, "pin %d %d %c", &a, &b, &extra) == 2) {
    if (a < 0 || a >= N_PINS || (b != 0 && b != 1)) ctl_reply("error bad pin or level\n");
    else {
      set_input(a, b);
      ctl_reply("ok\n");
    }
  } else if (sscanf(line, "get %d %c", &a, &extra) == 1) {
    if (a < 0 || a >= N_PINS) ctl_reply("error bad pin\n");
    else {
      snprintf(reply, sizeof reply, "pin %d %d\n", a, s_driven[a] ? s_out[a] : s_in[a]);
      ctl_reply(reply);
    }
  } else if (sscanf(line, "adc %d %d %c", &a, &b, &extra) == 2) {
    if (a < 0 || a >= N_ADC || b < 0 || b > 4095) ctl_reply("error bad channel or value\n");
    else {
      s_adc_value[a] = b;
      ctl_reply("ok\n");
    }
  } else if (strcmp(line, "now") == 0) {
    snprintf(reply, sizeof reply, "now %lld\n", (long long)hal_now());
    ctl_reply(reply);
  } else {
    ctl_reply("error unknown command\n");
  }
}

static void ctl_read(void) {
  ssize_t n = read(s_ctl_fd, s_ctl_buf + s_ctl_len, sizeof s_ctl_buf - 1 - s_ctl_len);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    s_ctl_fd = -1; /* closed: the pins keep their levels */
    return;
  }
  s_ctl_len += (uint32_t)n;
  for (;;) {
    char *nl = memchr(s_ctl_buf, '\n', s_ctl_len);
    if (!nl) break;
    *nl = 0;
    ctl_command(s_ctl_buf);
    uint32_t used = (uint32_t)(nl - s_ctl_buf) + 1;
    memmove(s_ctl_buf, nl + 1, s_ctl_len - used);
    s_ctl_len -= used;
  }
  if (s_ctl_len == sizeof s_ctl_buf - 1) s_ctl_len = 0; /* an over-long line: drop it */
}

/* ---- interrupt sources ------------------------------------------------------ */

static void stdin_read(void) {
  uint8_t tmp[RX_CAP];
  uint32_t room = RX_CAP - s_rx_len;
  if (!room) return;
  ssize_t n = read(0, tmp, room);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    s_stdin_open = 0; /* EOF: no more RX; the firmware keeps running */
    return;
  }
  for (ssize_t i = 0; i < n; i++) s_rx[(s_rx_head + s_rx_len++) % RX_CAP] = tmp[i];
  s_pending |= LINE_UART0_RX;
}

/* Let blocked signals that are already pending run their handlers (a busy firmware never idles). */
static void take_signals(void) {
  sigset_t p;
  if (sigpending(&p) == 0 && sigismember(&p, SIGUSR1)) {
    sigprocmask(SIG_SETMASK, &s_open, 0);
    sigprocmask(SIG_SETMASK, &s_blocked, 0);
  }
}


/* Gather every source into s_pending. fds: poll them without waiting (timeout 0). */
static void collect(int wait, int64_t deadline) {
  struct pollfd fds[2];
  int n = 0, i_in = -1, i_ctl = -1;
  if (s_stdin_open && s_rx_len < RX_CAP) {
    i_in = n;
    fds[n++] = (struct pollfd){.fd = 0, .events = POLLIN};
  }
  if (s_ctl_fd >= 0) {
    i_ctl = n;
    fds[n++] = (struct pollfd){.fd = s_ctl_fd, .events = POLLIN};
  }
  struct timespec ts = {0, 0}, *tsp = &ts;
  if (wait) {
    int64_t until = deadline;
    if (s_alarm >= 0 && (until < 0 || s_alarm < until)) until = s_alarm;
    if (until < 0) tsp = 0; /* nothing timed: sleep until input or a signal */
    else {
      int64_t d = until - hal_now();
      if (d < 0) d = 0;
      ts.tv_sec = (time_t)(d / 1000000);
      ts.tv_nsec = (long)(d % 1000000) * 1000;
    }
  }
  /* Signals are unblocked only for the duration of this wait (see the file comment). */
  int r = ppoll(fds, (nfds_t)n, tsp, wait ? &s_open : 0);
  if (r > 0) {
    if (i_in >= 0 && (fds[i_in].revents & (POLLIN | POLLHUP | POLLERR))) stdin_read();
    if (i_ctl >= 0 && (fds[i_ctl].revents & (POLLIN | POLLHUP | POLLERR))) ctl_read();
  }
  if (!wait) take_signals();
  if (s_sig_soft) {
    s_sig_soft = 0;
    s_pending |= LINE_SOFT;
  }
  if (s_alarm >= 0) {
    int64_t now = hal_now();
    if (now >= s_alarm) {
      /* With --trace, how late the host woke us is visible: "alarm <now> <due>". */
      if (s_trace) fprintf(stderr, "alarm %lld %lld\n", (long long)now, (long long)s_alarm);
      s_alarm = -1;
      s_pending |= LINE_ALARM;
    }
  }
}

uint32_t hal_irq_take(void) {
  collect(0, -1);
  uint32_t f = s_pending;
  s_pending = 0;
  return f;
}

void hal_idle(int64_t deadline) {
  /* The check: anything already pending (or arriving now) means no sleep. */
  collect(0, -1);
  if (s_pending) return;
  if (deadline >= 0 && hal_now() >= deadline) return;
  collect(1, deadline);
}

/* ---- UART -------------------------------------------------------------------- */

int32_t hal_uart_write(uint32_t port, const uint8_t *src, uint32_t len) {
  if (port != 0) return COOP_EBADPORT;
  uint32_t left = len;
  while (left) {
    ssize_t w = write(1, src, left);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      /* Nobody reads our UART any more: stop rather than run blind. */
      fprintf(stderr, "coop-native: stdout closed, stopping\n");
      exit(COOP_EXIT_OK);
    }
    src += w;
    left -= (uint32_t)w;
  }
  if (len) s_pending |= LINE_UART0_TX; /* the FIFO has drained */
  return (int32_t)len;
}

int32_t hal_uart_read(uint32_t port, uint8_t *dst, uint32_t cap) {
  if (port != 0) return COOP_EBADPORT;
  uint32_t n = cap < s_rx_len ? cap : s_rx_len;
  for (uint32_t i = 0; i < n; i++) dst[i] = s_rx[(s_rx_head + i) % RX_CAP];
  s_rx_head = (s_rx_head + n) % RX_CAP;
  s_rx_len -= n;
  return (int32_t)n;
}

int32_t hal_uart_overruns(uint32_t port) { return port == 0 ? 0 : COOP_EBADPORT; }

/* ---- names ----------------------------------------------------------------------- */

/* This board's names (board.resolve, docs/abi.md "Names"): sim-devkit's pins, ADC channels and UART0. */
const char hal_board_name[] = "native";
const coop_name hal_names[] = {
    {COOP_NAME_PIN, 0, "LED"},
    {COOP_NAME_PIN, 1, "LED2"},
    {COOP_NAME_PIN, 2, "BUTTON"},
    {COOP_NAME_PIN, 3, "BUTTON2"},
    {COOP_NAME_ADC, 0, "POT"},
    {COOP_NAME_ADC, 1, "VBAT"},
    {COOP_NAME_ADC, 2, "LIGHT"},
    {COOP_NAME_UART, 0, "UART0"},
};
const uint32_t hal_name_count = sizeof hal_names / sizeof hal_names[0];

/* ---- GPIO, ADC, bus ------------------------------------------------------------ */

int32_t hal_gpio_write(uint32_t pin, uint32_t level) {
  if (pin >= N_PINS) return COOP_EBADPORT;
  s_driven[pin] = 1;
  s_out[pin] = (uint8_t)(level ? 1 : 0);
  return 0;
}

int32_t hal_gpio_read(uint32_t pin) {
  if (pin >= N_PINS) return COOP_EBADPORT;
  return s_driven[pin] ? s_out[pin] : s_in[pin];
}

int32_t hal_gpio_irq(uint32_t pin, uint32_t edges) {
  if (pin >= N_PINS) return COOP_EBADPORT;
  s_edges[pin] = (uint8_t)(edges & COOP_EDGE_BOTH);
  return 0;
}

int32_t hal_adc_start(uint32_t channel) {
  if (channel >= N_ADC) return COOP_EBADPORT;
  /* The conversion finishes at once; the flag is seen at the next irq_take. */
  s_adc_last[channel] = s_adc_value[channel];
  s_pending |= LINE_ADC;
  return 0;
}

int32_t hal_adc_read(uint32_t channel) {
  if (channel >= N_ADC) return COOP_EBADPORT;
  return s_adc_last[channel];
}

int32_t hal_bus_transfer(uint32_t addr, const uint8_t *w, uint32_t wlen, uint32_t rlen) {
  (void)addr; (void)w; (void)wlen; (void)rlen;
  s_pending |= LINE_BUS; /* no device: done at once, nobody answered */
  return 0;
}

int32_t hal_bus_status(void) { return COOP_EBADPORT; }

int32_t hal_bus_result(uint8_t *dst, uint32_t cap) {
  (void)dst; (void)cap;
  return 0;
}

/* ---- diagnostics ---------------------------------------------------------------- */

void hal_log(const char *text, uint32_t len) {
  fprintf(stderr, "log: %.*s\n", (int)len, text);
}

void hal_trace(uint32_t kind, int32_t a, int32_t b) {
  if (s_trace) fprintf(stderr, "trace %lld %u %d %d\n", (long long)hal_now(), kind, a, b);
}

void hal_report(const char *text) {
  fflush(stdout);
  fprintf(stderr, "%s\n", text);
}

void hal_exit(int status) {
  fflush(stdout);
  fflush(stderr);
  exit(status);
}
