/*
 * UART0 by polling, with no interrupts and no buffers: used for fatal reports
 * (hard fault, trap) where the interrupt-driven driver may be the thing that
 * broke, and by the bare self-test. Also tiny number formatting, so nothing
 * here depends on printf.
 */
#include "board.h"

void uart0_polled_init(void) {
  if (UART0->BAUDDIV < 16) UART0->BAUDDIV = 16;
  UART0->CTRL |= UART_CTRL_TXEN;
}

void uart0_polled_write(const char *s, uint32_t len) {
  for (uint32_t i = 0; i < len; i++) {
    while (UART0->STATE & UART_STATE_TXFULL) {}
    UART0->DATA = (uint8_t)s[i];
  }
}

void uart0_polled_puts(const char *s) {
  uint32_t n = 0;
  while (s[n]) n++;
  uart0_polled_write(s, n);
}

char *fmt_u32(char *out, uint32_t v) {
  char tmp[10];
  int n = 0;
  do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (n) *out++ = tmp[--n];
  return out;
}

char *fmt_hex(char *out, uint32_t v) {
  for (int i = 28; i >= 0; i -= 4) *out++ = "0123456789abcdef"[(v >> i) & 15];
  return out;
}
