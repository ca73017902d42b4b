/*
 * Reset, vector table and fault handlers for the mps2-an385 (Cortex-M3).
 * Reset copies .data from flash, zeroes .bss, paints the stack (so its peak
 * use can be measured) and calls main. Interrupt handlers are weak aliases
 * of a default that reports the unexpected IRQ and exits, so a forgotten
 * handler is a clear message rather than a silent hang.
 */
#include <stdint.h>
#include <string.h>
#include "board.h"
#include "coop_abi.h" /* COOP_EXIT_INTERNAL: the one exit-code table (docs/abi.md) */

extern uint32_t __etext, __data_start, __data_end, __bss_start, __bss_end;
extern uint32_t __stack_top, __stack_limit;
int main(void);

#define STACK_PAINT 0xC0DEC0DEu

void Reset_Handler(void) __attribute__((noreturn, naked));
void Default_Handler(void);
void HardFault_Handler(void);

#define WEAK_DEFAULT __attribute__((weak, alias("Default_Handler")))
void NMI_Handler(void) WEAK_DEFAULT;
void MemManage_Handler(void) WEAK_DEFAULT;
void BusFault_Handler(void) WEAK_DEFAULT;
void UsageFault_Handler(void) WEAK_DEFAULT;
void SVC_Handler(void) WEAK_DEFAULT;
void PendSV_Handler(void) WEAK_DEFAULT;
void SysTick_Handler(void) WEAK_DEFAULT;
void UART0_RX_IRQHandler(void) WEAK_DEFAULT;
void UART0_TX_IRQHandler(void) WEAK_DEFAULT;
void TIMER0_IRQHandler(void) WEAK_DEFAULT;
void TIMER1_IRQHandler(void) WEAK_DEFAULT;

__attribute__((section(".isr_vector"), used))
void (*const vector_table[16 + 32])(void) = {
  (void (*)(void))&__stack_top,
  Reset_Handler,
  NMI_Handler,
  HardFault_Handler,
  MemManage_Handler,
  BusFault_Handler,
  UsageFault_Handler,
  0, 0, 0, 0,
  SVC_Handler,
  0, 0,
  PendSV_Handler,
  SysTick_Handler,
  /* external interrupts (AN385 numbering) */
  [16 + IRQN_UART0_RX] = UART0_RX_IRQHandler,
  [16 + IRQN_UART0_TX] = UART0_TX_IRQHandler,
  [16 + 2] = Default_Handler, [16 + 3] = Default_Handler, [16 + 4] = Default_Handler,
  [16 + 5] = Default_Handler, [16 + 6] = Default_Handler, [16 + 7] = Default_Handler,
  [16 + IRQN_TIMER0] = TIMER0_IRQHandler,
  [16 + IRQN_TIMER1] = TIMER1_IRQHandler,
  [16 + 10 ... 16 + 31] = Default_Handler,
};

static void reset_c(void) __attribute__((noreturn, used));
static void reset_c(void) {
  uint32_t *src = &__etext, *dst = &__data_start;
  while (dst < &__data_end) *dst++ = *src++;
  for (dst = &__bss_start; dst < &__bss_end; dst++) *dst = 0;
  SCB_VTOR = (uint32_t)vector_table;
  main();
  semihost_exit(0); /* main returned: a firmware that finished */
}

void Reset_Handler(void) {
  /* Paint the stack below the current frame before any C code uses it. */
  __asm volatile(
    "ldr r0, =__stack_limit\n"
    "mov r1, sp\n"
    "sub r1, r1, #64\n"
    "ldr r2, =0xC0DEC0DE\n"
    "1: cmp r0, r1\n"
    "bhs 2f\n"
    "str r2, [r0], #4\n"
    "b 1b\n"
    "2: b reset_c\n");
}

uint32_t mem_stack_peak(void) {
  const uint32_t *p = &__stack_limit;
  while (p < &__stack_top && *p == STACK_PAINT) p++;
  return (uint32_t)((const uint8_t *)&__stack_top - (const uint8_t *)p);
}

static void fatal(const char *what, const char *label, uint32_t value) {
  char buf[12];
  uart0_polled_init();
  uart0_polled_puts("\n[mcu] fatal: ");
  uart0_polled_puts(what);
  uart0_polled_puts(label);
  *fmt_hex(buf, value) = 0;
  uart0_polled_puts(buf);
  uart0_polled_puts("\n");
  semihost_exit(COOP_EXIT_INTERNAL); /* the board itself failed, not the firmware */
}

/* Finds the stacked PC of the faulting code (exception frame word 6). */
static void hardfault_c(uint32_t *frame) __attribute__((used));
static void hardfault_c(uint32_t *frame) { fatal("hard fault", " at pc=0x", frame[6]); }

__attribute__((naked)) void HardFault_Handler(void) {
  __asm volatile(
    "tst lr, #4\n"
    "ite eq\n"
    "mrseq r0, msp\n"
    "mrsne r0, psp\n"
    "b hardfault_c\n");
}

void Default_Handler(void) {
  uint32_t ipsr;
  __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  fatal("unexpected exception", ", exception number 0x", ipsr);
}
