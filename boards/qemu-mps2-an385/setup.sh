#!/bin/sh
# Installs what the QEMU Cortex-M3 target needs, from Debian packages:
# the cross compiler, newlib (nano), QEMU, and wabt (wasm2c, for the
# ahead-of-time engine of both the MCU and the native runner). Idempotent: packages already
# installed are left alone and apt is not touched when nothing is missing.
# Without root or without apt-get it installs nothing and prints the command
# to run instead (exit 0, so a developer machine without the target still
# builds the rest; the QEMU tests then skip visibly).
# Usage: sh boards/qemu-mps2-an385/setup.sh   (npm run setup:mcu)
set -eu

PKGS="gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm wabt"
INSTALL_CMD="sudo apt-get update && sudo apt-get install -y --no-install-recommends $PKGS"

missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "setup:mcu: toolchain ready ($PKGS)"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup:mcu: SKIP: missing$missing and no apt-get here; install them with your package manager (Debian: $INSTALL_CMD)"
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "setup:mcu: SKIP: missing$missing and not root; run: $INSTALL_CMD"
  exit 0
fi

echo "setup:mcu: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || { echo "setup:mcu: apt-get update failed (network?)" >&2; exit 1; }
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y -qq --no-install-recommends $missing >/dev/null \
  || { echo "setup:mcu: apt-get install$missing failed" >&2; exit 1; }
echo "setup:mcu: installed$missing"
