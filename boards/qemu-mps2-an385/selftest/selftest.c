/*
 * Bare C self-test of this board port, no wasm3: checks the startup code, the
 * HAL's UART0 driver (RX/TX interrupts, rings, overrun counting), the clock,
 * the alarm, the idle loop and the semihosting exit, under QEMU.
 *
 * Protocol on UART0 (tests/host/qemu-board.test.ts drives it):
 *   prints "hello mps2-an385 tick_hz=<hz>"
 *   'e' <bytes> '\n'  echoes "echo:<bytes>"
 *   's'               sleeps 50 ms on the alarm, prints "slept <us>"
 *   'o'               stops reading for 200 ms (bytes keep arriving and the
 *                     ISR keeps filling the RX ring), then prints
 *                     "overruns <n> kept <k>" and discards what it kept
 *   'x'               exits with status 7 (checks the status reaches the shell)
 *   'q'               exits with status 0
 */
#include "../board.h"
#include "../hal_mps2.h"
#include "coop_hal.h"

static void say(const char *s) {
  uint32_t n = 0;
  while (s[n]) n++;
  while (n) { /* a full TX ring returns 0: wait for the TX line, then retry */
    int32_t k = hal_uart_write(0, (const uint8_t *)s, n);
    s += k; n -= (uint32_t)k;
    if (n) { while (!(hal_irq_take() & 4u)) hal_idle(-1); }
  }
}

static void say_num(const char *label, uint32_t v) {
  char buf[64], *p = buf;
  while (*label) *p++ = *label++;
  p = fmt_u32(p, v);
  *p++ = '\n'; *p = 0;
  say(buf);
}

static int get_byte(void) {
  uint8_t b;
  /* Take the flags before sleeping, as the core's step does: a flag left
     pending (say, UART0_TX after "hello") would keep hal_idle from sleeping. */
  while (hal_uart_read(0, &b, 1) == 0) { hal_irq_take(); hal_idle(-1); }
  return b;
}

static void sleep_us(int64_t us) {
  int64_t until = hal_now() + us;
  hal_set_alarm(until);
  while (hal_now() < until) { hal_irq_take(); hal_idle(until); }
}

/* mps2_cycles_to_ticks against libgcc's 64-bit division, at the edges of each term. */
static uint32_t ticks_mismatches(void) {
  static const uint32_t his[] = {0, 1, 2, 24, 25, 26, 1000, 171798691u, 0x00ffffffu, 0x0c000000u};
  static const uint32_t los[] = {0, 1, 24, 25, 26, 0x7fffffffu, 0xfffffff0u, 0xffffffe7u, 0xfffffffeu, 0xffffffffu};
  uint32_t bad = 0;
  for (uint32_t i = 0; i < sizeof his / sizeof his[0]; i++)
    for (uint32_t j = 0; j < sizeof los / sizeof los[0]; j++) {
      uint64_t c = ((uint64_t)his[i] << 32) | los[j];
      if (mps2_cycles_to_ticks(c) != c / 25u) bad++;
    }
  return bad;
}

int main(void) {
  mps2_hal_init();
  say_num("hello mps2-an385 tick_hz=", hal_tick_hz());
  say_num("ticks mismatches ", ticks_mismatches());
  for (;;) {
    int c = get_byte();
    if (c == 'e') {
      char line[80] = "echo:";
      uint32_t n = 5;
      for (int b = get_byte(); b != '\n'; b = get_byte()) if (n < sizeof line - 2) line[n++] = (char)b;
      line[n++] = '\n'; line[n] = 0;
      say(line);
    } else if (c == 's') {
      int64_t t0 = hal_now();
      sleep_us(50000);
      say_num("slept ", (uint32_t)(hal_now() - t0));
    } else if (c == 'o') {
      sleep_us(200000);
      uint8_t sink[64];
      uint32_t kept = 0;
      int32_t k;
      while ((k = hal_uart_read(0, sink, sizeof sink)) > 0) kept += (uint32_t)k;
      char buf[64], *p = buf;
      const char *a = "overruns ";
      while (*a) *p++ = *a++;
      p = fmt_u32(p, (uint32_t)hal_uart_overruns(0));
      a = " kept ";
      while (*a) *p++ = *a++;
      p = fmt_u32(p, kept);
      *p++ = '\n'; *p = 0;
      say(buf);
    } else if (c == 'x') {
      hal_exit(7);
    } else if (c == 'q') {
      hal_exit(0);
    }
  }
}
