#!/usr/bin/env bash
# The CBytes shim (Sources/CBytes/include/CBytes.h) classifies 64 bytes at a
# time with SSE2 on x86-64, NEON on arm64 and a plain loop elsewhere; the
# test suite runs only the path of the machine it runs on. This checks all
# three against a byte-at-a-time loop (Tests/CBytesCheck/check.c): the
# native path, the plain loop (the SSE2 macro undefined), and the NEON path
# as a static arm64 program under qemu-aarch64 (Debian's qemu-user, which
# `scripts/setup.sh --test` installs). Part of `make test`; about a second.
set -euo pipefail
cd "$(dirname "$0")/.."
clang="$(dirname "$(readlink -f "$(command -v swift)")")/clang"
[ -x "$clang" ] || clang=clang
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
include=Sources/CBytes/include
check=Tests/CBytesCheck/check.c

"$clang" -O2 -I "$include" "$check" -o "$work/native"
"$work/native" || { echo "check-cbytes: the native path ($(uname -m)) gives wrong masks" >&2; exit 1; }
if [ "$(uname -m)" = x86_64 ]; then
  "$clang" -O2 -U__SSE2__ -I "$include" "$check" -o "$work/plain"
  "$work/plain" || { echo "check-cbytes: the plain loop gives wrong masks" >&2; exit 1; }
  if ! command -v qemu-aarch64 >/dev/null 2>&1; then
    echo "check-cbytes: qemu-aarch64 is missing (Debian's qemu-user; scripts/setup.sh --test installs it)" >&2
    exit 1
  fi
  "$clang" --target=aarch64-linux-gnu -ffreestanding -nostdlib -static -fuse-ld=lld -O2 -DCBYTES_FREESTANDING \
    -I "$include" "$check" -o "$work/arm64"
  qemu-aarch64 "$work/arm64" || { echo "check-cbytes: the NEON path gives wrong masks" >&2; exit 1; }
  echo "check-cbytes: SSE2, the plain loop and NEON (under qemu-aarch64) give the masks of a byte loop"
else
  echo "check-cbytes: the $(uname -m) path gives the masks of a byte loop"
fi
