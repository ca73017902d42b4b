#!/bin/sh
# Installs Debian packages a setup step needs, for `npm run setup:mcu` (the
# cross toolchain, QEMU, wabt) and `npm run setup:viewers` (GTKWave, whose
# vcd2fst checks the simulator's VCD). Idempotent: packages already installed
# are left alone and apt is not touched when nothing is missing. Without root
# or without apt-get it installs nothing and prints the command to run instead
# (exit 0, so a developer machine without them still builds the rest; the
# tests that need them then skip visibly, naming the same command).
# Usage: sh boards/apt.sh <step name> <package>...
set -eu

STEP=$1
shift
PKGS="$*"
INSTALL_CMD="sudo apt-get update && sudo apt-get install -y --no-install-recommends $PKGS"

missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "$STEP: ready ($PKGS)"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "$STEP: SKIP: missing$missing and no apt-get here; install them with your package manager (Debian: $INSTALL_CMD)"
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "$STEP: SKIP: missing$missing and not root; run: $INSTALL_CMD"
  exit 0
fi

echo "$STEP: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || { echo "$STEP: apt-get update failed (network?)" >&2; exit 1; }
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y -qq --no-install-recommends $missing >/dev/null \
  || { echo "$STEP: apt-get install$missing failed" >&2; exit 1; }
echo "$STEP: installed$missing"
