#!/bin/sh
# Builds the module gate's command build/coop-gate (boards/wasm3/coop_gate.c +
# coop_gate_main.c; the tests compare it with host/engines/gate.ts) and, when
# the compiler supports -fsanitize=address,undefined, build/coop-gate-asan.
# Generates build/gen/coop_gate_limits.h and coop_abi.h (boards/wasm3/gate.json, boards/abi/abi.json) first.
# Usage: sh boards/wasm3/build-gate.sh   (npm run build:gate, part of npm run setup)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
CC=${CC:-cc}
command -v "$CC" >/dev/null 2>&1 || { echo "build:gate: no C compiler ($CC); install one (Debian: apt-get install gcc)" >&2; exit 1; }
node boards/wasm3/gen-gate-header.mjs build/gen
SRCS="boards/wasm3/coop_gate.c boards/wasm3/coop_gate_main.c"
FLAGS="-std=gnu11 -O2 -Wall -Wextra -Werror -Iboards/wasm3 -Ibuild/gen"
fresh() { # $1 is newer than every input
  [ -x "$1" ] && [ -z "$(find boards/wasm3/coop_gate.c boards/wasm3/coop_gate.h boards/wasm3/coop_gate_main.c build/gen/coop_gate_limits.h build/gen/coop_abi.h "$0" -newer "$1" 2>/dev/null | head -1)" ]
}
if fresh build/coop-gate; then echo "build:gate: build/coop-gate is up to date"; else
  $CC $FLAGS $SRCS -o build/coop-gate.tmp.$$ && mv -f build/coop-gate.tmp.$$ build/coop-gate
  echo "build:gate: built build/coop-gate"
fi
if echo 'int main(void){return 0;}' | $CC -fsanitize=address,undefined -x c - -o build/.asan-probe.$$ 2>/dev/null; then
  rm -f build/.asan-probe.$$
  if fresh build/coop-gate-asan; then echo "build:gate: build/coop-gate-asan is up to date"; else
    $CC $FLAGS -g -fsanitize=address,undefined -fno-sanitize-recover=all $SRCS -o build/coop-gate-asan.tmp.$$ && mv -f build/coop-gate-asan.tmp.$$ build/coop-gate-asan
    echo "build:gate: built build/coop-gate-asan (ASan/UBSan)"
  fi
else
  rm -f build/.asan-probe.$$
  echo "build:gate: SKIP build/coop-gate-asan: $CC has no -fsanitize=address,undefined"
fi
