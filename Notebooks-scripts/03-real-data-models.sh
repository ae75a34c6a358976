#!/usr/bin/env bash
# 03 — Is gut diversity associated with an outcome, adjusting for covariates?
#
# Question: in Turnbaugh's twins (278 gut samples), how diverse are the lean,
# overweight and obese participants' microbiomes, and are obese participants'
# less diverse than lean ones'? And, on a second real dataset
# with a continuous outcome and categorical covariates (vegan's BCI forest
# plots), how does one fit and read the per-metric models?
#
# Usage: bash Notebooks-scripts/03-real-data-models.sh [results-dir]
# Needs the CLI built (`make build`); writes into results-dir (default results/).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-results}"
BIN="${MOODBIOME:-.build/release/moodbiome}"
mkdir -p "$OUT"

# Twins: obese (1) vs lean (0); overweight participants are NA and left out.
# Twins.csv has taxa as rows: analyze finds the samples in its header, where
# the metadata's IDs are, and says so (--samples-in columns would force it).
# One logistic model per metric, odds ratios, BH q-values across metrics.
"$BIN" analyze --counts Datasets/twins/Twins.csv \
  --metadata Datasets/twins/metadata.tsv --outcome obese --family binomial \
  --metrics shannon,simpson,observed_features,chao1 --group-by phenotype \
  --out-dir "$OUT/twins-obesity" --force

# The twins' diversity summary: each metric by phenotype (lean, obese,
# overweight), as a publication "Table 1" with Kruskal-Wallis tests.
"$BIN" describe "$OUT/twins-obesity/merged.csv" --by phenotype \
  --variables shannon,simpson,observed_features,chao1 --median shannon,simpson,observed_features,chao1 \
  -o "$OUT/twins-obesity/diversity-by-phenotype.md" --force

# BCI: environmental heterogeneity ~ metric + habitat + stream (OLS, HC3 SEs),
# every sample rarefied to 300 trees first (fixed seed: reproducible).
"$BIN" analyze --counts Datasets/vegan-bci/BCI_counts.csv --metadata Datasets/vegan-bci/BCI_env.csv \
  --outcome EnvHet --covariates Habitat,Stream --metrics shannon,simpson,observed_features \
  --rarefy 300 --seed 7 --robust hc3 --out-dir "$OUT/bci-envhet" --force

# A single model from the merged table analyze wrote, with a formula.
"$BIN" regress "$OUT/bci-envhet/merged.csv" --formula "EnvHet ~ shannon * Stream + C(Habitat, ref=\"OldHigh\")" \
  --format md -o "$OUT/bci-envhet/interaction-model.md" --force

echo "Wrote $OUT/twins-obesity/ (report.html, figures/, diversity-by-phenotype.md) and $OUT/bci-envhet/"
echo
cat "$OUT/twins-obesity/summary.md"
