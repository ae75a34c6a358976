#!/usr/bin/env bash
# Installs the system libraries Moodbiome links against, when they are missing:
# OpenBLAS (BLAS, with cblas.h) and LAPACKE (LAPACK's C interface), plus
# pkg-config, which SwiftPM uses to find them. Debian/Ubuntu only.
# Uses sudo only when not already root. Safe to run repeatedly.
set -euo pipefail

have_libraries() {
  command -v pkg-config >/dev/null 2>&1 &&
    pkg-config --exists lapacke &&
    [ -e /usr/include/lapacke.h ] &&
    { [ -e /usr/include/cblas.h ] || ls /usr/include/*/cblas.h >/dev/null 2>&1; } &&
    { ldconfig -p 2>/dev/null | grep libopenblas >/dev/null; }
}

if have_libraries; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: OpenBLAS and LAPACKE are missing and this is not a Debian/Ubuntu system." >&2
  echo "setup: install OpenBLAS and LAPACKE development packages (with pkg-config) by hand." >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "setup: installing libopenblas-dev liblapacke-dev pkg-config" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libopenblas-dev liblapacke-dev pkg-config >/dev/null
have_libraries || { echo "setup: the libraries are still not found after installing" >&2; exit 1; }
