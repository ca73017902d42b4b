#!/bin/sh
# Fetches the wasm3 interpreter core by package name at build time: PyPI's
# pywasm3 0.5.0 source distribution carries it in its wasm3/ folder. The
# archive's sha256 is pinned here; a mismatch stops before anything is
# extracted. Then our own small fixes to wasm3, boards/wasm3/patches/*.patch,
# are applied in name order (each says why; every one has a test that fails
# without it). Result: .cache/wasm3/pywasm3-0.5.0/wasm3/*.c|h (git-ignored,
# never committed). Idempotent: a second run with a verified tree (same
# archive hash, same patches) does nothing; a change to the patches re-extracts.
# Usage: sh boards/wasm3/fetch.sh   (npm run setup:wasm3)
set -eu

VERSION=0.5.0
SHA256=5a47c8a39f7f6ae71b3316b2e5d86c9d0db6e771a65f09a86e4d4aa3a19aefcc
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE="$ROOT/.cache/wasm3"
ARCHIVE="$CACHE/pywasm3-$VERSION.tar.gz"
TREE="$CACHE/pywasm3-$VERSION"
STAMP="$TREE/.coop-verified"
PATCHES="$ROOT/boards/wasm3/patches"

fail() { echo "setup:wasm3: $*" >&2; exit 1; }

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then shasum -a 256 "$1" | cut -d' ' -f1
  else python3 -c 'import hashlib,sys;print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"
  fi
}

# What the stamp records: the archive's pinned hash and the hash of every patch applied.
want_stamp() {
  printf '%s' "$SHA256"
  for p in "$PATCHES"/*.patch; do [ -f "$p" ] && printf ' %s' "$(sha256_of "$p")"; done
  echo
}
WANT=$(want_stamp)

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -f "$TREE/wasm3/wasm3.h" ]; then
  echo "setup:wasm3: wasm3 core ready in .cache/wasm3/pywasm3-$VERSION/wasm3"
  exit 0
fi

mkdir -p "$CACHE"
# One fetch at a time (parallel builds and tests call this); the loser re-checks the stamp.
LOCK="$CACHE/.lock"
n=0
while ! mkdir "$LOCK" 2>/dev/null; do
  n=$((n + 1))
  [ "$n" -le 300 ] || fail "waited 300 s for $LOCK; if no other setup is running, remove it and retry"
  sleep 1
done
trap 'rmdir "$LOCK" 2>/dev/null' EXIT INT TERM
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -f "$TREE/wasm3/wasm3.h" ]; then
  echo "setup:wasm3: wasm3 core ready in .cache/wasm3/pywasm3-$VERSION/wasm3"
  exit 0
fi
if [ ! -f "$ARCHIVE" ] || [ "$(sha256_of "$ARCHIVE")" != "$SHA256" ]; then
  rm -f "$ARCHIVE"
  PIP=""
  for p in pip3 pip; do command -v "$p" >/dev/null 2>&1 && { PIP="$p"; break; }; done
  [ -n "$PIP" ] || { command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1 && PIP="python3 -m pip"; }
  [ -n "$PIP" ] || fail "pip not found; install it (Debian: apt-get install python3-pip) and retry"
  echo "setup:wasm3: downloading pywasm3==$VERSION (sdist) from PyPI"
  $PIP download --quiet --no-deps --no-binary :all: "pywasm3==$VERSION" -d "$CACHE" \
    || fail "pip download pywasm3==$VERSION failed (network? PyPI reachable?)"
  [ -f "$ARCHIVE" ] || fail "pip did not produce $ARCHIVE"
fi

GOT=$(sha256_of "$ARCHIVE")
if [ "$GOT" != "$SHA256" ]; then
  rm -f "$ARCHIVE"
  fail "sha256 mismatch for pywasm3-$VERSION.tar.gz: got $GOT, pinned $SHA256 (archive deleted)"
fi

# Extract into a temporary folder first so a failed extraction leaves nothing half-made.
TMP="$CACHE/.extract.$$"
rm -rf "$TMP" && mkdir -p "$TMP"
tar -xzf "$ARCHIVE" -C "$TMP" || { rm -rf "$TMP"; fail "cannot extract $ARCHIVE"; }
[ -f "$TMP/pywasm3-$VERSION/wasm3/wasm3.h" ] || { rm -rf "$TMP"; fail "archive has no wasm3/wasm3.h"; }
applied=""
for p in "$PATCHES"/*.patch; do
  [ -f "$p" ] || continue
  command -v patch >/dev/null 2>&1 || { rm -rf "$TMP"; fail "patch not found; install it (Debian: apt-get install patch) and retry"; }
  patch -s -p1 --no-backup-if-mismatch -d "$TMP/pywasm3-$VERSION" < "$p" >/dev/null 2>&1 \
    || { rm -rf "$TMP"; fail "$(basename "$p") does not apply to pywasm3-$VERSION"; }
  applied="$applied $(basename "$p")"
done
rm -rf "$TREE"
mv "$TMP/pywasm3-$VERSION" "$TREE"
rm -rf "$TMP"
echo "$WANT" > "$STAMP"
echo "setup:wasm3: verified sha256 $SHA256; wasm3 core in .cache/wasm3/pywasm3-$VERSION/wasm3${applied:+; patched:$applied}"
