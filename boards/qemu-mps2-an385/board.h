/*
 * Registers and constants of the QEMU mps2-an385 board (Cortex-M3, 25 MHz)
 * that this port uses, plus the few board services shared by the HAL, the
 * self-test and the plain-C latency reference. Addresses: ARM AN385 and QEMU's
 * hw/arm/mps2.c (UART0 0x40004000, TIMER0/1 0x40000000/0x40001000).
 */
#ifndef MPS2_BOARD_H
#define MPS2_BOARD_H

#include <stdint.h>

#define CPU_HZ 25000000u

/* CMSDK APB UART */
typedef struct {
  volatile uint32_t DATA;      /* +0x00 */
  volatile uint32_t STATE;     /* +0x04: bit0 TX full, bit1 RX full, bit2 TX overrun, bit3 RX overrun */
  volatile uint32_t CTRL;      /* +0x08: bit0 TX en, bit1 RX en, bit2 TX int, bit3 RX int */
  volatile uint32_t INTSTATUS; /* +0x0C: write 1 to clear; bit0 TX, bit1 RX */
  volatile uint32_t BAUDDIV;   /* +0x10: >= 16 or QEMU refuses to transmit */
} cmsdk_uart_t;
#define UART0 ((cmsdk_uart_t *)0x40004000u)
#define UART_STATE_TXFULL 1u
#define UART_STATE_RXFULL 2u
#define UART_STATE_RXOVR 8u
#define UART_CTRL_TXEN 1u
#define UART_CTRL_RXEN 2u
#define UART_CTRL_TXINT 4u
#define UART_CTRL_RXINT 8u
#define UART_INT_TX 1u
#define UART_INT_RX 2u
#define IRQN_UART0_RX 0
#define IRQN_UART0_TX 1

/* CMSDK APB timer: 32-bit down counter at CPU_HZ, reloads and interrupts at 0. */
typedef struct {
  volatile uint32_t CTRL;      /* bit0 enable, bit3 IRQ enable */
  volatile uint32_t VALUE;
  volatile uint32_t RELOAD;
  volatile uint32_t INTSTATUS; /* read: pending; write 1: clear */
} cmsdk_timer_t;
#define TIMER0 ((cmsdk_timer_t *)0x40000000u)
#define TIMER1 ((cmsdk_timer_t *)0x40001000u)
#define IRQN_TIMER0 8
#define IRQN_TIMER1 9

/* NVIC */
#define NVIC_ISER0 (*(volatile uint32_t *)0xE000E100u)
#define NVIC_ICER0 (*(volatile uint32_t *)0xE000E180u)
#define NVIC_ISPR0 (*(volatile uint32_t *)0xE000E200u)
#define NVIC_ICPR0 (*(volatile uint32_t *)0xE000E280u)
#define SCB_VTOR (*(volatile uint32_t *)0xE000ED08u)

static inline void irq_disable(void) { __asm volatile("cpsid i" ::: "memory"); }
static inline void irq_enable(void) { __asm volatile("cpsie i" ::: "memory"); }
static inline void wfi(void) { __asm volatile("wfi" ::: "memory"); }
static inline uint32_t irq_save(void) {
  uint32_t primask;
  __asm volatile("mrs %0, primask\n cpsid i" : "=r"(primask)::"memory");
  return primask;
}
static inline void irq_restore(uint32_t primask) { __asm volatile("msr primask, %0" ::"r"(primask) : "memory"); }

/* Semihosting (semihost.c): QEMU -semihosting-config enable=on,target=native. */
void semihost_write0(const char *text);           /* to QEMU's stderr, not UART0 */
void semihost_exit(int status) __attribute__((noreturn)); /* SYS_EXIT_EXTENDED */

/* UART0 without interrupts or rings, for fatal reports (uart_polled.c). */
void uart0_polled_init(void);
void uart0_polled_write(const char *s, uint32_t len);
void uart0_polled_puts(const char *s);
/* Decimal/hex formatting without printf (uart_polled.c). */
char *fmt_u32(char *out, uint32_t v);
char *fmt_hex(char *out, uint32_t v);

/* Memory watermarks (syscalls.c / startup.c). */
uint32_t mem_heap_peak(void);   /* bytes of heap handed out by _sbrk, high-water */
uint32_t mem_stack_peak(void);  /* bytes of main stack ever used (painted at reset) */

#endif
