#!/usr/bin/env bash
# Fuzzes every reader a stranger's file reaches (libFuzzer + AddressSanitizer):
# count tables, metadata, formulas, manifests, Newick trees, distance matrices
# (text, and HDF5 matrices, stripes and PERMANOVA shares),
# taxonomies, BIOM JSON, BIOM 2.1 (HDF5), QIIME 2 artifacts (ZIP), mothur
# .shared files, functional profiles (HUMAnN, PICRUSt2) and module files. Each target starts from Tests/Fuzz/corpus/<target>/
# (seeds from Datasets/ and every crash ever found) and runs SECONDS seconds.
#
#   scripts/fuzz.sh [SECONDS]     # `make fuzz`: 300 s per target, random seed
#   scripts/fuzz.sh runs=N        # `make test`: N inputs per target from seed 1 —
#                                 # the same inputs on every run, so CI is not flaky
#
# A crash stops the run with the input saved under $FUZZ_OUT (default
# .build/fuzz-findings); fix it and add the input to the target's corpus, where
# the plain `moodbiome-fuzz TARGET DIR` replay keeps it a regression test.
# An input that makes a library hang (HDF5 looping: stopped after the
# helper's patience) goes to Tests/Fuzz/hangs/<target>/ instead: replayed by
# `make test`, but never a seed here — its mutants loop too, and would cost
# the patience each (20,000 biom2 inputs went from 69 s to over an hour).
set -euo pipefail
cd "$(dirname "$0")/.."
LIMIT="${1:-10}"
if [[ "$LIMIT" == runs=* ]]; then
  BUDGET=(-runs="${LIMIT#runs=}" -seed=1)
  DESCRIPTION="${LIMIT#runs=} inputs (seed 1)"
else
  BUDGET=(-max_total_time="$LIMIT")
  DESCRIPTION="$LIMIT s"
fi
OUT="${FUZZ_OUT:-.build/fuzz-findings}"
SWIFT="${SWIFT:-swift}"
mkdir -p "$OUT"
echo "fuzz: building the targets with libFuzzer and AddressSanitizer" >&2
"$SWIFT" build --product moodbiome-fuzz --build-path .build/fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING >/dev/null
# BIOM 2.1 is described by HDF5 in the moodbiome-hdf5 helper process, as in
# a release (HDF5 1.10.8 itself overflows a heap buffer on some mutated
# files: Tests/Fuzz/corpus/biom2/hdf5-*, qza/hdf5-*); built with AddressSanitizer, so
# that such a fault ends the helper and must come back as a clean error.
# MOODBIOME_HDF5_HELPER= (empty) instead runs HDF5 inside the fuzzer.
"$SWIFT" build --product moodbiome-hdf5 --build-path .build/fuzz-helper -Xswiftc -sanitize=address >/dev/null
export MOODBIOME_HDF5_HELPER="${MOODBIOME_HDF5_HELPER-$PWD/.build/fuzz-helper/debug/moodbiome-hdf5}"
# A file that loops HDF5 must come back as an error well inside libFuzzer's
# -timeout (20 s): the helper is stopped after 1 s of silence, not 60 (a fuzz
# input is read in milliseconds; mutants of a looping file loop too, by the
# hundred: at 3 s each, 20,000 biom2 inputs took 720 s).
export MOODBIOME_HDF5_PATIENCE="${MOODBIOME_HDF5_PATIENCE-1}"
BIN=.build/fuzz/debug/moodbiome-fuzz
status=0
TARGETS=(counts metadata formula manifest newick distance distanceh5 taxonomy biomjson biom2 qza mothur functions modules)
for target in "${TARGETS[@]}"; do
  work="$OUT/$target"
  mkdir -p "$work"
  cp -n Tests/Fuzz/corpus/$target/* "$work/" 2>/dev/null || true
  log="$OUT/$target.log"
  budget=("${BUDGET[@]}") description="$DESCRIPTION"
  # HDF5 distance files cost two helper runs each (~80 ms): a quarter of
  # the inputs keeps the campaign's time (5,000 of them in about 7 minutes).
  if [[ $target == distanceh5 && "$LIMIT" == runs=* ]]; then
    budget=(-runs=$(( ${LIMIT#runs=} / 4 )) -seed=1) description="$(( ${LIMIT#runs=} / 4 )) inputs (seed 1)"
  fi
  if MOODBIOME_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=0:symbolize=0 "$BIN" "$work" \
      "${budget[@]}" -max_len="$( [[ $target == biom2 || $target == qza || $target == distanceh5 ]] && echo 65536 || echo 8192 )" -rss_limit_mb=2048 -timeout=20 \
      -artifact_prefix="$OUT/$target-" >"$log" 2>&1; then
    echo "fuzz: $target — $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$log" | tail -1) ($description), no crash" >&2
  else
    echo "fuzz: $target FOUND A CRASH — see $log and $OUT/$target-*" >&2
    grep -E "ERROR|Assertion|Fatal error" "$log" | head -5 >&2 || true
    status=1
  fi
done
exit $status
