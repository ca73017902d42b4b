/*
 * ARM semihosting, as QEMU implements it with
 * -semihosting-config enable=on,target=native. Only two calls: write a
 * string to QEMU's stderr (board diagnostics that must not mix with the
 * application's UART0 console) and exit with a status.
 * On a real board without a debugger attached, BKPT 0xAB faults: a port
 * replaces these two functions (see docs/mcu.md).
 */
#include "board.h"

#define SYS_WRITE0 0x04
#define SYS_EXIT_EXTENDED 0x20
#define ADP_Stopped_ApplicationExit 0x20026

static int semihost_call(int op, const void *arg) {
  register int r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void semihost_write0(const char *text) { semihost_call(SYS_WRITE0, text); }

void semihost_exit(int status) {
  /* The extended form carries the status; plain SYS_EXIT on 32-bit ARM only says ok / not ok. */
  uint32_t block[2] = {ADP_Stopped_ApplicationExit, (uint32_t)status};
  semihost_call(SYS_EXIT_EXTENDED, block);
  for (;;) wfi(); /* not reached under QEMU */
}
