/*
 * Registers of QEMU 7.2's sifive_e machine (a HiFive1-class FE310: RV32IMAC,
 * machine mode only) that this port uses, and the few board services the HAL,
 * the start-up code and the self-test share. Addresses: QEMU's
 * hw/riscv/sifive_e.c memory map, read with the monitor's `info mtree`.
 */
#ifndef SIFIVE_E_BOARD_H
#define SIFIVE_E_BOARD_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))

/* ACLINT machine timer: 64-bit mtime and mtimecmp (hart 0). */
#define MTIMECMP_LO REG32(0x02004000u)
#define MTIMECMP_HI REG32(0x02004004u)
#define MTIME_LO REG32(0x0200BFF8u)
#define MTIME_HI REG32(0x0200BFFCu)

/* SiFive UART0. txdata bit 31: FIFO full; rxdata bit 31: FIFO empty. */
#define UART0_BASE 0x10013000u
#define UART0_TXDATA REG32(UART0_BASE + 0x00u)
#define UART0_RXDATA REG32(UART0_BASE + 0x04u)
#define UART0_TXCTRL REG32(UART0_BASE + 0x08u) /* bit 0 txen, bits 16-18 txcnt (watermark) */
#define UART0_RXCTRL REG32(UART0_BASE + 0x0Cu) /* bit 0 rxen, bits 16-18 rxcnt (watermark) */
#define UART0_IE REG32(UART0_BASE + 0x10u)     /* bit 0 txwm, bit 1 rxwm */
#define UART0_DIV REG32(UART0_BASE + 0x18u)
#define UART_FULL 0x80000000u
#define UART_EMPTY 0x80000000u
#define UART_IE_TXWM 1u
#define UART_IE_RXWM 2u

/* SiFive GPIO (32 pins): per-pin bit masks. */
#define GPIO_BASE 0x10012000u
#define GPIO_INPUT_VAL REG32(GPIO_BASE + 0x00u)
#define GPIO_INPUT_EN REG32(GPIO_BASE + 0x04u)
#define GPIO_OUTPUT_EN REG32(GPIO_BASE + 0x08u)
#define GPIO_OUTPUT_VAL REG32(GPIO_BASE + 0x0Cu)
#define GPIO_RISE_IE REG32(GPIO_BASE + 0x18u)
#define GPIO_RISE_IP REG32(GPIO_BASE + 0x1Cu) /* write 1 to clear */
#define GPIO_FALL_IE REG32(GPIO_BASE + 0x20u)
#define GPIO_FALL_IP REG32(GPIO_BASE + 0x24u) /* write 1 to clear */
#define GPIO_PINS 32u

/* PLIC: sources' priorities at 4*n, enables of context 0 (hart 0, M-mode), its threshold and claim. */
#define PLIC_BASE 0x0C000000u
#define PLIC_PRIORITY(n) REG32(PLIC_BASE + 4u * (n))
#define PLIC_ENABLE(word) REG32(PLIC_BASE + 0x2000u + 4u * (word))
#define PLIC_THRESHOLD REG32(PLIC_BASE + 0x200000u)
#define PLIC_CLAIM REG32(PLIC_BASE + 0x200004u)
#define PLIC_SRC_UART0 3u
#define PLIC_SRC_GPIO0 8u /* GPIO pin n is source 8 + n */

/* mcause of the interrupts used (bit 31 set) and the mie/mstatus bits. */
#define MCAUSE_INT 0x80000000u
#define MCAUSE_MTI 7u
#define MCAUSE_MEI 11u
#define MIE_MTIE (1u << 7)
#define MIE_MEIE (1u << 11)
#define MSTATUS_MIE (1u << 3)

static inline uint32_t irq_save(void) {
  uint32_t s;
  __asm volatile("csrrci %0, mstatus, 8" : "=r"(s)::"memory");
  return s & MSTATUS_MIE;
}
static inline void irq_restore(uint32_t s) { if (s) __asm volatile("csrsi mstatus, 8" ::: "memory"); }
static inline void irq_disable(void) { __asm volatile("csrci mstatus, 8" ::: "memory"); }
static inline void irq_enable(void) { __asm volatile("csrsi mstatus, 8" ::: "memory"); }
/* WFI wakes when an interrupt enabled in mie is pending, whatever mstatus.MIE says. */
static inline void wfi(void) { __asm volatile("wfi" ::: "memory"); }
/* minstret. Under -icount QEMU 7.2 returns its virtual clock in ns, i.e. instructions << shift: exact, scaled. */
static inline uint32_t instret(void) {
  uint32_t v;
  __asm volatile("csrr %0, minstret" : "=r"(v));
  return v;
}

/* The 64-bit mtime, read hi/lo/hi so a carry between the halves is never torn. */
static inline uint64_t mtime(void) {
  uint32_t hi, lo;
  do {
    hi = MTIME_HI;
    lo = MTIME_LO;
  } while (hi != MTIME_HI);
  return ((uint64_t)hi << 32) | lo;
}

/* Semihosting (semihost.c): QEMU -semihosting-config enable=on,target=native. */
void semihost_write0(const char *text);                   /* to QEMU's stderr, not UART0 */
void semihost_exit(int status) __attribute__((noreturn)); /* SYS_EXIT_EXTENDED */

/* UART0 by polling, for fatal reports and the self-test. */
void uart0_polled_write(const char *s, uint32_t len);
void uart0_polled_puts(const char *s);

/* Stack watermark (start.S paints the stack at reset). */
uint32_t mem_stack_peak(void);

#endif
