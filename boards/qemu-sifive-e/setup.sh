#!/bin/sh
# Installs what the QEMU RISC-V target (sifive_e) needs, from Debian packages:
# the cross compiler (rv32 through -march/-mabi), picolibc, QEMU
# (qemu-system-misc provides qemu-system-riscv32) and wabt (wasm2c, for the
# ahead-of-time engine), through boards/apt.sh (idempotent; without root or
# apt-get it prints the command and the RISC-V tests skip visibly).
# Usage: sh boards/qemu-sifive-e/setup.sh   (npm run setup:riscv)
set -eu
exec sh "$(dirname "$0")/../apt.sh" setup:riscv gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc wabt
