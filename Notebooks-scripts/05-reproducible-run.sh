#!/usr/bin/env bash
# 05 — Can the analysis be re-run and checked years later?
#
# Question: given only the manifest (Notebooks-scripts/phq9-study.toml: inputs,
# metrics, rarefaction depth and seed, model, outputs), does re-running the
# study reproduce every output byte for byte? `run` writes the outputs with
# provenance.json (version, parameters, input SHA-256, platform, BLAS);
# `run --verify` re-runs into a temporary folder and compares.
#
# Usage: bash Notebooks-scripts/05-reproducible-run.sh [results-dir]
# Needs the CLI built (`make build`). The manifest writes to results/phq9-manifest;
# with a results-dir argument a copy of the manifest pointing there is used.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${MOODBIOME:-.build/release/moodbiome}"
MANIFEST=Notebooks-scripts/phq9-study.toml
if [ -n "${1:-}" ]; then
  mkdir -p "$1"
  OUT="$(cd "$1" && pwd)"
  sed -e "s|\.\./Datasets|$(pwd)/Datasets|" -e "s|^directory = .*|directory = \"$OUT/phq9-manifest\"|" \
    "$MANIFEST" > "$OUT/phq9-study.toml"
  MANIFEST="$OUT/phq9-study.toml"
fi
"$BIN" run "$MANIFEST" --force
"$BIN" run "$MANIFEST" --verify
