#!/bin/sh
# Installs what the QEMU Cortex-M3 target needs, from Debian packages:
# the cross compiler, newlib (nano), QEMU, and wabt (wasm2c, for the
# ahead-of-time engine of both the MCU and the native runner), through
# boards/apt.sh (idempotent; without root or apt-get it prints the command
# and the QEMU tests skip visibly).
# Usage: sh boards/qemu-mps2-an385/setup.sh   (npm run setup:mcu)
set -eu
exec sh "$(dirname "$0")/../apt.sh" setup:mcu gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm wabt
