/*
 * coop-gate: the C module gate (coop_gate.c) as a command, for the tests
 * that compare it with the TypeScript gate and for the fuzz harness.
 *
 *   coop-gate [--memory-limit N] file.wasm ...   one line per file: "ok <file>" or
 *                                                "refused <file>: <rule>"; exit OK if all
 *                                                pass, BAD_MODULE if any is refused,
 *                                                USAGE for usage/IO (docs/abi.md)
 *   coop-gate --batch [--memory-limit N]         stdin: modules as [u32 length, little
 *                                                endian][bytes]...; stdout: one line per
 *                                                module, "ok" or "refused: <rule>"
 * Built by boards/wasm3/build-gate.sh (npm run setup) into build/coop-gate
 * (and build/coop-gate-asan under ASan/UBSan when the compiler has them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coop_gate.h"
#include "coop_abi.h" /* COOP_EXIT_*: the one exit-code table */

static uint8_t *read_all(FILE *f, uint32_t n) {
  uint8_t *b = malloc(n ? n : 1);
  if (!b) return 0;
  if (n && fread(b, 1, n, f) != n) {
    free(b);
    return 0;
  }
  return b;
}

int main(int argc, char **argv) {
  uint32_t limit = 0;
  int batch = 0, first = 1, status = COOP_EXIT_OK;
  for (; first < argc; first++) {
    if (strcmp(argv[first], "--batch") == 0) batch = 1;
    else if (strcmp(argv[first], "--memory-limit") == 0 && first + 1 < argc) limit = (uint32_t)strtoul(argv[++first], 0, 10);
    else break;
  }
  char why[400];
  if (batch) {
    unsigned char hdr[4];
    while (fread(hdr, 1, 4, stdin) == 4) {
      uint32_t n = (uint32_t)hdr[0] | ((uint32_t)hdr[1] << 8) | ((uint32_t)hdr[2] << 16) | ((uint32_t)hdr[3] << 24);
      uint8_t *b = read_all(stdin, n);
      if (!b) {
        fprintf(stderr, "coop-gate: truncated batch input\n");
        return COOP_EXIT_USAGE;
      }
      if (coop_gate_check(b, n, limit, why, sizeof why)) printf("refused: %s\n", why);
      else printf("ok\n");
      free(b);
    }
    fflush(stdout);
    return COOP_EXIT_OK;
  }
  if (first >= argc) {
    fprintf(stderr, "usage: coop-gate [--memory-limit N] file.wasm ... | coop-gate --batch [--memory-limit N]\n");
    return COOP_EXIT_USAGE;
  }
  for (int i = first; i < argc; i++) {
    FILE *f = fopen(argv[i], "rb");
    if (!f) {
      fprintf(stderr, "coop-gate: cannot open %s\n", argv[i]);
      return COOP_EXIT_USAGE;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = n >= 0 ? read_all(f, (uint32_t)n) : 0;
    fclose(f);
    if (!b) {
      fprintf(stderr, "coop-gate: cannot read %s\n", argv[i]);
      return COOP_EXIT_USAGE;
    }
    if (coop_gate_check(b, (uint32_t)n, limit, why, sizeof why)) {
      printf("refused %s: %s\n", argv[i], why);
      status = COOP_EXIT_BAD_MODULE;
    } else {
      printf("ok %s\n", argv[i]);
    }
    free(b);
  }
  return status;
}
