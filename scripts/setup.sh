#!/usr/bin/env bash
# Installs the system packages Moodbiome needs, when they are missing:
# OpenBLAS (BLAS, with cblas.h) and LAPACKE (LAPACK's C interface), HDF5 and
# libdeflate (BIOM 2.1 tables), libzip (QIIME 2 .qza artifacts), OpenSSL libcrypto
# (SHA-256 of provenance records), NLopt (BOBYQA for mixed models), librsvg and cairo
# with the Liberation fonts (figures exported as PDF and PNG), plus pkg-config,
# which SwiftPM uses to find them. With --test, also Chromium,
# which the test suite uses to open the HTML report headlessly, and qemu-user,
# under which scripts/check-cbytes.sh runs the text parser's arm64 (NEON)
# byte classification. With --bench,
# the peers `make bench` runs side by side: R with vegan, lme4, lmerTest and
# MASS, modeest and foreach (for LinDA's R sources, given by LINDA_SOURCE),
# rsvg-convert, Java 17 (for omixer-rpm's jar, given by OMIXER_RPM_JAR), and
# (from PyPI) scikit-bio, statsmodels and biom-format. With --slurm, what
# scripts/slurm-check.sh needs for a one-node Slurm: slurm-wlm and munge, and
# Snakemake with its Slurm executor plugin (PyPI).
# Debian/Ubuntu only. Uses sudo only when not already root. Safe to repeat.
set -euo pipefail

have_libraries() {
  command -v pkg-config >/dev/null 2>&1 &&
    pkg-config --exists lapacke &&
    [ -e /usr/include/lapacke.h ] &&
    { [ -e /usr/include/cblas.h ] || ls /usr/include/*/cblas.h >/dev/null 2>&1; } &&
    { ldconfig -p 2>/dev/null | grep libopenblas >/dev/null; } &&
    pkg-config --exists hdf5 && [ -e /usr/include/libdeflate.h ] &&
    pkg-config --exists libzip &&
    pkg-config --exists libcrypto &&
    pkg-config --exists nlopt &&
    pkg-config --exists librsvg-2.0 && pkg-config --exists cairo &&
    [ -e /usr/include/fontconfig/fontconfig.h ] && [ -e /usr/include/zlib.h ] &&
    ls /usr/share/fonts/truetype/liberation*/LiberationSans-Regular.ttf >/dev/null 2>&1
}

have_peers() {
  command -v Rscript >/dev/null 2>&1 && command -v rsvg-convert >/dev/null 2>&1 && command -v java >/dev/null 2>&1 &&
    Rscript -e 'for (p in c("vegan", "lme4", "lmerTest", "MASS", "modeest", "foreach")) if (!requireNamespace(p, quietly = TRUE)) quit(status = 1)' >/dev/null 2>&1
}

have_python_peers() {
  python3 -c 'import skbio, statsmodels, biom, h5py, pandas, scipy' >/dev/null 2>&1
}

have_slurm() {
  command -v slurmctld >/dev/null 2>&1 && command -v slurmd >/dev/null 2>&1 && command -v munged >/dev/null 2>&1
}

have_browser() {
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1
}

packages=()
have_libraries || packages+=(libopenblas-dev liblapacke-dev libhdf5-dev libdeflate-dev libzip-dev libssl-dev libnlopt-dev
                             librsvg2-dev libfontconfig-dev zlib1g-dev fonts-liberation2 pkg-config)
if [ "${1:-}" = "--test" ]; then
  have_browser || packages+=(chromium)
  command -v qemu-aarch64 >/dev/null 2>&1 || packages+=(qemu-user)
  python3 -m snakemake --version >/dev/null 2>&1 || python3 -m pip --version >/dev/null 2>&1 || packages+=(python3-pip)
fi
if [ "${1:-}" = "--slurm" ]; then
  have_slurm || packages+=(slurm-wlm munge)
  python3 -m pip --version >/dev/null 2>&1 || packages+=(python3-pip)
fi
if [ "${1:-}" = "--bench" ]; then
  have_peers || packages+=(r-base-core r-cran-vegan r-cran-lme4 r-cran-lmertest r-cran-mass r-cran-modeest r-cran-foreach librsvg2-bin openjdk-17-jre-headless)
  have_python_peers || packages+=(python3-pip)
fi
# Snakemake (PyPI), for the workflow in workflows/ that make test runs.
install_snakemake() {
  [ "${1:-}" = "--test" ] || [ "${1:-}" = "--bench" ] || [ "${1:-}" = "--slurm" ] || return 0
  if [ "${1:-}" = "--slurm" ] && ! python3 -c 'import snakemake_executor_plugin_slurm' >/dev/null 2>&1; then
    echo "setup: installing Snakemake's Slurm executor plugin from PyPI" >&2
    python3 -m pip install --quiet snakemake snakemake-executor-plugin-slurm==2.8.0 2>/dev/null ||
      python3 -m pip install --quiet --break-system-packages snakemake snakemake-executor-plugin-slurm==2.8.0
  fi
  python3 -m snakemake --version >/dev/null 2>&1 && return 0
  echo "setup: installing Snakemake from PyPI" >&2
  python3 -m pip install --quiet snakemake 2>/dev/null ||
    python3 -m pip install --quiet --break-system-packages snakemake
  python3 -m snakemake --version >/dev/null 2>&1 || { echo "setup: snakemake does not run after installing" >&2; exit 1; }
}
install_python_peers() {
  [ "${1:-}" = "--bench" ] || return 0
  have_python_peers && return 0
  echo "setup: installing scikit-bio, statsmodels, biom-format from PyPI" >&2
  python3 -m pip install --quiet scikit-bio statsmodels biom-format h5py pandas scipy 2>/dev/null ||
    python3 -m pip install --quiet --break-system-packages scikit-bio statsmodels biom-format h5py pandas scipy
}
if [ ${#packages[@]} -eq 0 ]; then
  install_snakemake "${1:-}"
  install_python_peers "${1:-}"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: missing ${packages[*]} and this is not a Debian/Ubuntu system; install them by hand." >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "setup: installing ${packages[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
have_libraries || { echo "setup: the libraries are still not found after installing" >&2; exit 1; }
if [ "${1:-}" = "--test" ]; then
  have_browser || { echo "setup: chromium is still not found after installing" >&2; exit 1; }
fi
install_snakemake "${1:-}"
install_python_peers "${1:-}"
