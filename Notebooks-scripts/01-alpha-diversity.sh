#!/usr/bin/env bash
# 01 — Alpha diversity of the bundled example data.
#
# Question: how diverse is each sample of GlobalPatterns (26 environments, from
# soil to human gut) and of the Barro Colorado Island forest plots, by the
# standard indices, and how do the numbers change when every sample is
# rarefied to the same depth?
#
# Usage: bash Notebooks-scripts/01-alpha-diversity.sh [results-dir]
# Needs the CLI built (`make build`); writes into results-dir (default results/).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-results}"
BIN="${MOODBIOME:-.build/release/moodbiome}"
mkdir -p "$OUT"

# GlobalPatterns: a QIIME 2 feature table (taxa as rows), read without flags.
# Every scikit-bio 0.7 alpha metric, Shannon in bits as QIIME 2 reports it.
"$BIN" diversity Datasets/globalpatterns/feature-table.tsv --metrics all --base 2 \
  -o "$OUT/globalpatterns-alpha.csv" --force

# The same after rarefying every sample to 50,000 reads, averaged over 10 draws
# with a fixed seed (samples with fewer reads are dropped and listed).
"$BIN" diversity Datasets/globalpatterns/feature-table.tsv \
  --metrics observed_features,shannon,simpson,chao1 \
  --rarefy 50000 --iterations 10 --seed 42 -o "$OUT/globalpatterns-alpha-rarefied.csv" --force

# BCI tree counts (vegan's layout: plots as rows), as a Markdown table.
"$BIN" diversity Datasets/vegan-bci/BCI_counts.csv --metrics shannon,simpson,chao1,fisher_alpha \
  --digits 4 -o "$OUT/bci-alpha.md" --force

echo "Wrote $OUT/globalpatterns-alpha.csv, $OUT/globalpatterns-alpha-rarefied.csv, $OUT/bci-alpha.md"
echo
echo "GlobalPatterns, rarefied to 50,000 reads (first rows):"
head -n 6 "$OUT/globalpatterns-alpha-rarefied.csv"
