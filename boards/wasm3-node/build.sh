#!/bin/sh
# Builds the wasm3 engine's Node addon: build/wasm3-node/coop_wasm3.node, from
# boards/wasm3-node/coop_wasm3_node.c and the wasm3 core that
# boards/wasm3/fetch.sh fetches from PyPI (pywasm3 0.5.0 sdist, hash pinned).
# Nothing built here is committed (build/ and .cache/ are git-ignored).
# Compiled straight with the system C compiler against the running Node's
# headers (no node-gyp: one .c file plus the wasm3 core needs no more).
# Usage: sh boards/wasm3-node/build.sh   (npm run build:wasm3-engine)
# Skips the compile when the addon is newer than every source.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
fail() { echo "build:wasm3-engine: $*" >&2; exit 1; }

OUT_DIR="$ROOT/build/wasm3-node"
mkdir -p "$OUT_DIR"
# One build at a time: node --test runs test files in parallel, and each may
# ask for the addon; the others wait here and then find it up to date.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$OUT_DIR/.lock"
  flock 9
fi

sh boards/wasm3/fetch.sh >/dev/null || fail "fetching the wasm3 core failed (run: npm run setup:wasm3)"
M3="$ROOT/.cache/wasm3/pywasm3-0.5.0/wasm3"
[ -f "$M3/wasm3.h" ] || fail "no wasm3 core in $M3 (run: npm run setup:wasm3)"

CC=${CC:-cc}
command -v "$CC" >/dev/null 2>&1 || fail "no C compiler ($CC); install one (Debian: apt-get install gcc)"
# Node-API headers: beside the running node, the usual system places, or the
# npm package node-api-headers if someone installed it.
if [ -z "${NODE_INC:-}" ]; then
  for d in "$(node -p "require('path').resolve(process.execPath, '../../include/node')")" \
           /usr/include/node /usr/local/include/node "$ROOT/node_modules/node-api-headers/include"; do
    if [ -f "$d/node_api.h" ]; then NODE_INC="$d"; break; fi
  done
fi
[ -n "${NODE_INC:-}" ] && [ -f "$NODE_INC/node_api.h" ] || fail "no Node-API headers (node_api.h) found; install them (npm install --save-dev node-api-headers, or Debian: apt-get install libnode-dev) or set NODE_INC"

OUT="$OUT_DIR/coop_wasm3.node"
SRC="$ROOT/boards/wasm3-node/coop_wasm3_node.c"
GATE="$ROOT/boards/wasm3/coop_gate.c"
node "$ROOT/boards/wasm3/gen-gate-header.mjs" "$ROOT/build/gen" || fail "cannot generate build/gen/coop_gate_limits.h and coop_abi.h from boards/wasm3/gate.json and boards/abi/abi.json"

if [ -f "$OUT" ]; then
  stale=0
  for f in "$SRC" "$GATE" "$ROOT/boards/wasm3/coop_gate.h" "$ROOT/boards/wasm3/coop_memcap.h" "$ROOT/boards/embed/coop_memory.h" "$ROOT/build/gen/coop_gate_limits.h" "$ROOT/build/gen/coop_abi.h" "$0" "$M3"/*.c "$M3"/*.h; do [ "$f" -nt "$OUT" ] && stale=1 && break; done
  if [ "$stale" = 0 ]; then echo "build:wasm3-engine: up to date: build/wasm3-node/coop_wasm3.node"; exit 0; fi
fi

# The flags pywasm3's own setup.py uses for the core (-O3, no stack protector),
# plus backtraces so a trap can name its function.
TMP="$OUT.tmp.$$"
$CC -shared -fPIC -std=gnu11 -O3 -g0 -fomit-frame-pointer -fno-stack-check -fno-stack-protector \
  -DNASSERTS -Dd_m3RecordBacktraces=1 -Wno-unused-parameter \
  -I"$M3" -I"$NODE_INC" -I"$ROOT/boards/wasm3" -I"$ROOT/boards/embed" -I"$ROOT/build/gen" "$SRC" "$GATE" "$M3"/m3_*.c -o "$TMP" -lm \
  || { rm -f "$TMP"; fail "compile failed (command above)"; }
mv "$TMP" "$OUT"   # atomic: a concurrent loader never sees half a file
echo "build:wasm3-engine: built build/wasm3-node/coop_wasm3.node (wasm3 0.5.0)"
