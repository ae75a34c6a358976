#!/usr/bin/env bash
# 06 — Does the community's composition differ with depression?
#
# Question: beyond alpha diversity, do participants with more depressive
# symptoms carry different gut communities — different in where they sit
# (PERMANOVA), or only in how spread out they are (PERMDISP)? And, on real
# data with a phylogeny (GlobalPatterns), how do UniFrac distances, Faith's
# PD and a PCoA by sample type look?
#
# Usage: bash Notebooks-scripts/06-community-composition.sh [results-dir]
# Needs the CLI built (`make build`); writes into results-dir (default results/).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-results}"
BIN="${MOODBIOME:-.build/release/moodbiome}"
STUDY=Datasets/simulated-gut-mood
mkdir -p "$OUT/composition"

# 1. The whole study with composition added: Bray–Curtis and Aitchison
#    distances, PERMANOVA of PHQ-9 with age, sex, BMI and antidepressant use
#    (each term given the others), PERMDISP across PHQ-9 bands, PCoA figures.
"$BIN" analyze --counts "$STUDY/counts.csv" --metadata "$STUDY/metadata.csv" \
  --outcome phq9_total --covariates age,sex,bmi,antidepressant \
  --beta braycurtis,aitchison --permutations 999 --seed 11 \
  --out-dir "$OUT/composition/study" --force

# 2. The same, step by step, with each command's own options.
"$BIN" beta "$STUDY/counts.csv" --metric braycurtis -o "$OUT/composition/braycurtis.tsv" --force
"$BIN" ordinate "$OUT/composition/braycurtis.tsv" --dimensions 10 -o "$OUT/composition/pcoa.csv" \
  --eigenvalues-output "$OUT/composition/eigenvalues.csv" --figure "$OUT/composition/pcoa-by-band.svg" \
  --metadata "$STUDY/metadata.csv" --color-by phq9_band --ellipses --metric braycurtis --force
"$BIN" permanova "$OUT/composition/braycurtis.tsv" --metadata "$STUDY/metadata.csv" \
  --formula "~ phq9_total + age + sex + bmi + antidepressant" --by terms --permutations 999 --seed 1 \
  -o "$OUT/composition/permanova-sequential.csv" --force
"$BIN" betadisper "$OUT/composition/braycurtis.tsv" --metadata "$STUDY/metadata.csv" --group antidepressant \
  --type median --permutations 999 --seed 1 -o "$OUT/composition/betadisper.csv" \
  --distances-output "$OUT/composition/distance-to-median.csv" --force
"$BIN" mantel "$OUT/composition/braycurtis.tsv" --metadata "$STUDY/metadata.csv" --variable phq9_total \
  --method spearman --permutations 999 --seed 1 -o "$OUT/composition/mantel.csv" --force

# 3. Real data with a tree: GlobalPatterns (26 samples, 9 environments).
GP=Datasets/globalpatterns
"$BIN" diversity "$GP/feature-table.biom" --metrics observed_features,shannon,faith_pd --tree "$GP/tree.nwk" \
  -o "$OUT/composition/gp-alpha.csv" --force
for metric in unweighted_unifrac weighted_normalized_unifrac; do
  "$BIN" beta "$GP/feature-table.biom" --metric "$metric" --tree "$GP/tree.nwk" -o "$OUT/composition/gp-$metric.tsv" --force
done
"$BIN" ordinate "$OUT/composition/gp-unweighted_unifrac.tsv" -o "$OUT/composition/gp-pcoa.csv" \
  --figure "$OUT/composition/gp-pcoa-by-type.svg" --metadata "$GP/metadata.tsv" --color-by SampleType \
  --metric unweighted_unifrac --force
"$BIN" permanova "$OUT/composition/gp-unweighted_unifrac.tsv" --metadata "$GP/metadata.tsv" \
  --formula "~ SampleType" --permutations 999 --seed 1 -o "$OUT/composition/gp-permanova.csv" --force

echo "Wrote $OUT/composition/ (study/ with report.html; step-by-step tables and figures; GlobalPatterns UniFrac)"
echo
cat "$OUT/composition/gp-permanova.csv"
