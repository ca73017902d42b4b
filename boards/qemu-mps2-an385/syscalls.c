/*
 * The newlib-nano system calls this firmware needs, and nothing that touches
 * files: wasm3 only allocates (malloc/calloc/realloc/free -> _sbrk) and
 * formats error strings (snprintf). _sbrk hands out RAM between the end of
 * .bss and the stack and keeps the high-water mark that `build:mcu` reports
 * as "wasm3 heap peak". The rest exist so libc links; they fail cleanly.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include "board.h"

extern uint8_t __heap_start, __heap_limit;
static uint8_t *brk = &__heap_start;
static uint8_t *brk_peak = &__heap_start;

void *_sbrk(ptrdiff_t incr) {
  uint8_t *prev = brk;
  if (incr < 0 ? (brk + incr < &__heap_start) : (incr > &__heap_limit - brk)) {
    errno = ENOMEM; /* malloc returns NULL; wasm3 reports it as an error string */
    return (void *)-1;
  }
  brk += incr;
  if (brk > brk_peak) brk_peak = brk;
  return prev;
}

uint32_t mem_heap_peak(void) { return (uint32_t)(brk_peak - &__heap_start); }

int _write(int fd, const char *buf, int len) {
  (void)fd;
  uart0_polled_write(buf, (uint32_t)len); /* only reached if something printf()s: make it visible */
  return len;
}
int _read(int fd, char *buf, int len) { (void)fd; (void)buf; (void)len; errno = ENOSYS; return -1; }
int _close(int fd) { (void)fd; return -1; }
int _lseek(int fd, int off, int whence) { (void)fd; (void)off; (void)whence; return 0; }
int _fstat(int fd, struct stat *st) { (void)fd; st->st_mode = S_IFCHR; return 0; }
int _isatty(int fd) { (void)fd; return 1; }
int _getpid(void) { return 1; }
int _kill(int pid, int sig) { (void)pid; (void)sig; errno = EINVAL; return -1; }
void _exit(int status) { semihost_exit(status ? status : 1); }
