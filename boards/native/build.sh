#!/bin/sh
# Builds the native runner build/coop-native with the system C compiler:
# wasm3's core (fetched into .cache/ by boards/wasm3/fetch.sh, run here if
# needed) + the portable embedding (boards/wasm3) + the host HAL and main.
# Usage: sh boards/native/build.sh [--asan]   (npm run build:native); CC=clang works too.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
sh boards/wasm3/fetch.sh >/dev/null
W=.cache/wasm3/pywasm3-0.5.0/wasm3
CC=${CC:-cc}
command -v "$CC" >/dev/null 2>&1 || { echo "build:native: no C compiler ($CC); install one (Debian: apt-get install gcc)" >&2; exit 1; }
mkdir -p build
# The generated headers (gate limits, ABI constants; rewritten only when they change).
node boards/wasm3/gen-gate-header.mjs build/gen
# --asan: build/coop-native-asan, the same runner under ASan/UBSan (the fuzz harness runs it).
OUTBIN=build/coop-native
SAN=""
if [ "${1:-}" = "--asan" ]; then
  OUTBIN=build/coop-native-asan
  SAN="-g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
  if ! echo 'int main(void){return 0;}' | "$CC" -fsanitize=address,undefined -x c - -o build/.asan-probe.$$ 2>/dev/null; then
    rm -f build/.asan-probe.$$
    echo "build:native: SKIP $OUTBIN: $CC has no -fsanitize=address,undefined"
    exit 0
  fi
  rm -f build/.asan-probe.$$
fi
# Up to date: nothing it is built from is newer than the binary (tests call this every run).
if [ -x "$OUTBIN" ] && [ -z "$(find boards/embed boards/wasm3 boards/native "$W" build/gen -newer "$OUTBIN" \( -name '*.c' -o -name '*.h' -o -name '*.sh' -o -name '*.json' \) 2>/dev/null | head -1)" ]; then
  echo "build:native: $OUTBIN is up to date"
  exit 0
fi
# Backtraces let a trap report name the function it happened in.
FLAGS="-std=gnu11 -O2 -Dd_m3RecordBacktraces=1 -Dd_m3VerboseErrorMessages=1 $SAN"
start=$(date +%s%N 2>/dev/null || echo 0)
# wasm3 is third-party: its own warnings are not ours to fix, so only our files get -Wall.
# Objects and binary go to a private folder first and the binary is moved into place at
# the end, so two builds at once (parallel test files) never see each other's half-work.
OBJ=$(mktemp -d build/native-obj.XXXXXX)
trap 'rm -rf "$OBJ"' EXIT
pids=""
for c in "$W"/m3_*.c; do
  "$CC" $FLAGS -w -I"$W" -c "$c" -o "$OBJ/$(basename "$c" .c).o" &
  pids="$pids $!"
done
for p in $pids; do wait "$p" || { echo "build:native: compiling wasm3 failed" >&2; exit 1; }; done
"$CC" $FLAGS -Wall -Wextra -Werror -I"$W" -Iboards/embed -Iboards/wasm3 -Iboards/native -Ibuild/gen \
  boards/embed/coop_board.c boards/wasm3/coop_gate.c boards/wasm3/coop_wasm3.c boards/native/hal_native.c boards/native/sourcemap.c boards/native/main.c \
  "$OBJ"/*.o -lm -o "$OBJ/coop-native"
mv -f "$OBJ/coop-native" "$OUTBIN"
end=$(date +%s%N 2>/dev/null || echo 0)
size=$(wc -c < "$OUTBIN" | tr -d ' ')
if [ "$start" != 0 ] && [ "$end" != 0 ]; then
  echo "build:native: $OUTBIN ($size bytes) in $(( (end - start) / 1000000 )) ms"
else
  echo "build:native: $OUTBIN ($size bytes)"
fi
