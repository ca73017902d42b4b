/*
 * coop-native: runs a coop firmware on the host, in real time, with UART0 on
 * stdin/stdout (boards/native/README.md). Two builds of this file:
 *
 *   coop-native [--memory SIZE] [--stack SIZE] [--until MS] [--trace]
 *               [--control-fd N] [--lazy] firmware.wasm
 *     the wasm3 engine: loads the .wasm named on the command line;
 *   coop-native-aot [--until MS] [--trace] [--control-fd N]
 *     the AOT engine (COOP_ENGINE_AOT): the firmware was translated to C and
 *     compiled in (host/aot/native.ts), so no file is given.
 *
 * Exit status: 0 done (no live task, or --until reached), 1 usage or file
 * error, 2 bad module, 3 trap, 4 panic, 5 out of host memory,
 * 128+signal when stopped by SIGINT/SIGTERM.
 */
#include "coop_board.h"
#include "hal_native.h"
#if !COOP_ENGINE_AOT
#include "sourcemap.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_MODULE (64u << 20) /* refuse absurd files before reading them */
#define STR(x) #x
#define XSTR(x) STR(x) /* the exit codes' numbers in the help text come from coop_abi.h */

#if COOP_ENGINE_AOT
static const char usage[] =
    "usage: coop-native-aot [options]   (the firmware is compiled in)\n"
    "  --until MS        stop with status 0 after MS milliseconds of run time\n"
    "  --trace           print runtime trace events (board.trace) on stderr\n"
    "  --control-fd N    accept pin/ADC commands on descriptor N (see boards/native/README.md)\n"
    "exit (docs/abi.md): " XSTR(COOP_EXIT_OK) " done, " XSTR(COOP_EXIT_USAGE) " usage error, " XSTR(COOP_EXIT_BAD_MODULE)
    " bad module, " XSTR(COOP_EXIT_FIRMWARE_FAULT) " trap or panic, 128+signal\n";
#else
static const char usage[] =
    "usage: coop-native [options] firmware.wasm\n"
    "  --memory SIZE     linear memory limit (bytes, or with K/M suffix, e.g. 64K); default: as the module declares\n"
    "  --stack SIZE      wasm3 value stack (default 16K)\n"
    "  --until MS        stop with status 0 after MS milliseconds of run time\n"
    "  --trace           print runtime trace events (board.trace) on stderr\n"
    "  --control-fd N    accept pin/ADC commands on descriptor N (see boards/native/README.md)\n"
    "  --lazy            compile functions on first call instead of at load\n"
    "exit (docs/abi.md): " XSTR(COOP_EXIT_OK) " done, " XSTR(COOP_EXIT_USAGE) " usage/file error, " XSTR(COOP_EXIT_BAD_MODULE)
    " bad module, " XSTR(COOP_EXIT_FIRMWARE_FAULT) " trap or panic, " XSTR(COOP_EXIT_NO_MEMORY) " out of memory, 128+signal\n";
#endif

#if COOP_ENGINE_AOT
#define PROG "coop-native-aot"
#else
#define PROG "coop-native"
#endif

static int fail_usage(const char *msg, const char *arg) {
  fprintf(stderr, PROG ": %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
  fprintf(stderr, "try: " PROG " --help\n");
  return COOP_EXIT_USAGE;
}

#if !COOP_ENGINE_AOT
/* "65536", "64K", "1M" -> bytes; -1 when it is not a size. */
static long long parse_size(const char *s) {
  char *end = 0;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || v < 0) return -1;
  if (*end == 'k' || *end == 'K') v *= 1024, end++;
  else if (*end == 'm' || *end == 'M') v *= 1024 * 1024, end++;
  if (*end || v > 0xffffffffLL) return -1;
  return v;
}
#endif

int main(int argc, char **argv) {
  coop_config cfg;
  coop_default_config(&cfg);
#if !COOP_ENGINE_AOT
  const char *path = 0;
#endif
  int control_fd = -1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *next = i + 1 < argc ? argv[i + 1] : 0;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(usage, stdout);
      return 0;
    } else if (!strcmp(a, "--trace")) {
      cfg.trace = 1;
#if !COOP_ENGINE_AOT
    } else if (!strcmp(a, "--lazy")) {
      cfg.lazy_compile = 1;
    } else if (!strcmp(a, "--memory") || !strcmp(a, "--stack")) {
      if (!next) return fail_usage("missing value after", a);
      long long v = parse_size(next);
      if (v <= 0) return fail_usage("not a size (bytes, or with K/M)", next);
      if (!strcmp(a, "--memory")) cfg.memory_limit = (uint32_t)v;
      else cfg.stack_bytes = (uint32_t)v;
      i++;
#endif
    } else if (!strcmp(a, "--until")) {
      if (!next) return fail_usage("missing value after", a);
      char *end = 0;
      long long ms = strtoll(next, &end, 10);
      if (end == next || *end || ms < 0 || ms > 1000000000000LL) return fail_usage("--until takes milliseconds", next);
      cfg.until = ms * 1000;
      i++;
    } else if (!strcmp(a, "--control-fd")) {
      if (!next) return fail_usage("missing value after", a);
      char *end = 0;
      long fd = strtol(next, &end, 10);
      if (end == next || *end || fd < 3 || fd > 1024) return fail_usage("--control-fd takes a descriptor number >= 3", next);
      if (fcntl((int)fd, F_GETFD) < 0) return fail_usage("--control-fd: descriptor is not open", next);
      control_fd = (int)fd;
      i++;
    } else if (a[0] == '-' && a[1]) {
      return fail_usage("unknown option", a);
#if COOP_ENGINE_AOT
    } else {
      return fail_usage("this runner has its firmware compiled in; no file is taken", a);
    }
  }
  native_hal_init(cfg.trace, control_fd);
  coop_run(0, 0, &cfg);
}
#else
    } else if (path) {
      return fail_usage("more than one firmware file", a);
    } else {
      path = a;
    }
  }
  if (!path) return fail_usage("no firmware file given", 0);

  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "coop-native: cannot open %s: %s\n", path, strerror(errno));
    return COOP_EXIT_USAGE;
  }
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    fprintf(stderr, "coop-native: %s is not a regular file\n", path);
    fclose(f);
    return COOP_EXIT_USAGE;
  }
  if ((unsigned long long)st.st_size > MAX_MODULE) {
    fprintf(stderr, "coop-native: %s is %lld bytes; modules over %u bytes are refused\n", path, (long long)st.st_size, MAX_MODULE);
    fclose(f);
    return COOP_EXIT_USAGE;
  }
  uint32_t len = (uint32_t)st.st_size;
  /* The bytes must outlive the module (wasm3 keeps pointers into them): never freed. */
  uint8_t *wasm = malloc(len ? len : 1);
  if (!wasm || fread(wasm, 1, len, f) != len) {
    fprintf(stderr, "coop-native: cannot read %s\n", path);
    fclose(f);
    return COOP_EXIT_USAGE;
  }
  fclose(f);

  if (native_sourcemap_load(path, wasm, len)) cfg.source_at = native_source_at;
  native_hal_init(cfg.trace, control_fd);
  coop_run(wasm, len, &cfg);
}
#endif
