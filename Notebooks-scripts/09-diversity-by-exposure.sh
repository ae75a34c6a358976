#!/usr/bin/env bash
# 09 — Diversity as the outcome: does diversity differ by a group?
#
# Questions: across GlobalPatterns' nine environments (soil, ocean, feces,
# skin, tongue…), does diversity differ, and which pairs of environments
# differ? And in Turnbaugh's twins, is diversity lower in obesity once the
# 124 people sampled twice are modelled (a random intercept per subject)?
#
# Usage: bash Notebooks-scripts/09-diversity-by-exposure.sh [results-dir]
# Needs the CLI built (`make build`); writes into results-dir (default results/).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-results}"
BIN="${MOODBIOME:-.build/release/moodbiome}"
mkdir -p "$OUT"

# Every metric ~ SampleType: the F test of SampleType per metric, all 36
# pairs of environments (Holm-adjusted), Table 1 by environment, box plots —
# each figure also as PDF and as a 300 dpi PNG, as journals ask.
# The table has taxa as rows (QIIME's TSV); Faith's PD uses the tree.
"$BIN" analyze --counts Datasets/globalpatterns/feature-table.tsv \
  --metadata Datasets/globalpatterns/metadata.tsv --exposure SampleType \
  --metrics shannon,observed_features,faith_pd --tree Datasets/globalpatterns/tree.nwk \
  --figure-formats pdf,png --dpi 300 \
  --out-dir "$OUT/globalpatterns-by-sampletype" --force

# Twins: Shannon and richness by phenotype (lean, obese, overweight), with a
# random intercept per subject (two samples for most people). Twins.csv has
# taxa as rows; the metadata decides that, no option needed.
"$BIN" analyze --counts Datasets/twins/Twins.csv --metadata Datasets/twins/metadata.tsv \
  --exposure phenotype --random "(1 | subject)" --metrics shannon,observed_features \
  --out-dir "$OUT/twins-by-phenotype" --force

test -s "$OUT/globalpatterns-by-sampletype/figures/panel-metrics.pdf"
test -s "$OUT/globalpatterns-by-sampletype/figures/panel-metrics.png"
echo "Wrote $OUT/globalpatterns-by-sampletype/ and $OUT/twins-by-phenotype/ (report.html, cohort.csv, pairwise.csv; figures/ as SVG, PDF and PNG for GlobalPatterns)"
echo
cat "$OUT/globalpatterns-by-sampletype/summary.md"
