#!/usr/bin/env bash
# 04 — Does the diversity–PHQ-9 result depend on the rarefaction depth?
#
# Question: rarefying discards reads and samples; do the Shannon and richness
# associations with PHQ-9 in the example study hold at every reasonable depth?
# First the rarefaction curves (where do they level off, how many samples does
# each depth drop?), then the same analysis at four depths with a fixed seed,
# summarised in one table: depth, samples kept, β, its 95% CI, p.
#
# Usage: bash Notebooks-scripts/04-rarefaction-sensitivity.sh [results-dir]
# Needs the CLI built (`make build`); writes into results-dir (default results/).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-results}/rarefaction-sensitivity"
BIN="${MOODBIOME:-.build/release/moodbiome}"
DATA=Datasets/simulated-gut-mood
mkdir -p "$OUT"

"$BIN" rarefaction-curve "$DATA/counts.csv" --metrics observed_features,shannon \
  --depth 5000 --max-depth 40000 --steps 12 --seed 3 --out-dir "$OUT/curves" --force

SUMMARY="$OUT/sensitivity.csv"
echo "depth,metric,n,estimate,conf_low,conf_high,p_value" > "$SUMMARY"
for depth in 5000 10000 20000 40000; do
  "$BIN" analyze --counts "$DATA/counts.csv" --metadata "$DATA/metadata.csv" \
    --outcome phq9_total --covariates age,sex,bmi,antidepressant \
    --metrics shannon,observed_features --rarefy "$depth" --iterations 5 --seed 11 \
    --out-dir "$OUT/depth-$depth" --force 2>/dev/null
  # models.csv: metric,term,estimate,std_error,statistic,p_value,conf_low,conf_high,...
  n=$(awk -F, 'NR > 1 { print $2 }' "$OUT/depth-$depth/fit.csv" | head -1)
  awk -F, -v d="$depth" -v n="$n" 'NR > 1 && $1 == $2 { print d "," $1 "," n "," $3 "," $7 "," $8 "," $6 }' \
    "$OUT/depth-$depth/models.csv" >> "$SUMMARY"
done

echo "Wrote $OUT/curves/ and $SUMMARY"
echo
column -s, -t "$SUMMARY"
