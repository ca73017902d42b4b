/*
 * Reset entry for sifive_e (the mask ROM jumps here, 0x20400000): set gp and
 * sp, copy .data from flash, zero .bss, paint the stack below the current
 * frame (so its peak use can be measured), then main. The trap vector is set
 * by sifive_e_hal_init (hal.c); until then a trap lands on the mask ROM's
 * default, so nothing before it may trap.
 */
  .section .text.start, "ax"
  .globl _start
_start:
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  la sp, __stack_top
  csrw mie, zero
  la t0, __etext
  la t1, __data_start
  la t2, __data_end
1: bgeu t1, t2, 2f
  lw t3, 0(t0)
  sw t3, 0(t1)
  addi t0, t0, 4
  addi t1, t1, 4
  j 1b
2: la t1, __bss_start
  la t2, __bss_end
3: bgeu t1, t2, 4f
  sw zero, 0(t1)
  addi t1, t1, 4
  j 3b
4: la t1, __stack_limit
  addi t2, sp, -64
  li t3, 0xC0DEC0DE
5: bgeu t1, t2, 6f
  sw t3, 0(t1)
  addi t1, t1, 4
  j 5b
6: call main
  li a0, 0
  call semihost_exit
