/*
 * RISC-V semihosting, as QEMU (7.2) implements it for riscv32 with
 * -semihosting-config enable=on,target=native: the ARM semihosting calls,
 * trapped by the marked ebreak (slli x0,x0,0x1f; ebreak; srai x0,x0,7,
 * uncompressed). Two calls: write a string to QEMU's stderr and exit with a
 * status (SYS_EXIT_EXTENDED carries it whole on riscv32). sifive_e has no
 * test finisher device, so this is the only clean exit. On a real board
 * without a debugger the ebreak traps: a port replaces these (docs/mcu.md).
 */
#include "board.h"

#define SYS_WRITE0 0x04
#define SYS_EXIT_EXTENDED 0x20
#define ADP_Stopped_ApplicationExit 0x20026

static long semihost_call(long op, const void *arg) {
  register long a0 __asm__("a0") = op;
  register const void *a1 __asm__("a1") = arg;
  __asm volatile(
    ".option push\n.option norvc\n.balign 16\n"
    "slli x0, x0, 0x1f\nebreak\nsrai x0, x0, 7\n"
    ".option pop"
    : "+r"(a0) : "r"(a1) : "memory");
  return a0;
}

void semihost_write0(const char *text) { semihost_call(SYS_WRITE0, text); }

void semihost_exit(int status) {
  uint32_t block[2] = {ADP_Stopped_ApplicationExit, (uint32_t)status};
  semihost_call(SYS_EXIT_EXTENDED, block);
  for (;;) wfi(); /* not reached under QEMU */
}
