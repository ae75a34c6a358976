#!/usr/bin/env bash
# 11 — Gut–brain modules: which microbial functions go with depressive
# symptoms, which taxa carry them, and does a diet act on mood through them?
#
# Question: in a (simulated) metagenomic study, score the 56 gut–brain modules
# (Valles-Colomer et al. 2019) and the 103 gut metabolic modules in every
# sample from a HUMAnN KO table, as omixer-rpm does; test each module against
# PHQ-9 adjusted for age and sex (MaAsLin2-style); see which species carry the
# top modules; and ask whether a high-fibre diet lowers PHQ-9 through the
# butyrate and DOPAC modules. The data have a planted answer
# (Datasets/simulated-gut-brain/README.md): Coprococcus carries DOPAC synthesis
# (MGB024) and butyrate synthesis (MGB052/MGB053), rises with fibre, and goes
# with lower PHQ-9.
#
# Usage: bash Notebooks-scripts/11-gut-brain-modules.sh [results-dir]
# Needs the CLI built (`make build`); writes into results-dir (default results/).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-results}"
BIN="${MOODBIOME:-.build/release/moodbiome}"
DATA=Datasets/simulated-gut-brain
mkdir -p "$OUT"

# Both module sets in one pass, community and per species; the heatmap grouped by diet.
"$BIN" modules "$DATA/humann_ko_stratified.tsv" --db gbm,gmm --per-taxon \
  --metadata "$DATA/metadata.csv" --group-by diet --out-dir "$OUT/modules" --force

# The module table is a feature table: which modules go with PHQ-9?
"$BIN" associate --counts "$OUT/modules/abundance.csv" --metadata "$DATA/metadata.csv" \
  --formula "~ phq9_total + age + sex" --out-dir "$OUT/modules-phq9" --force

# Who carries DOPAC synthesis? (per-taxon.csv: taxon, module, sample_id, abundance, coverage)
echo
echo "Species carrying MGB024 (DOPAC synthesis), by the number of samples:"
awk -F, '$2 == "MGB024" { n[$1]++ } END { for (t in n) print n[t], t }' "$OUT/modules/per-taxon.csv" | sort -rn | head -5

# Does the high-fibre diet lower PHQ-9 through the butyrate and DOPAC modules?
"$BIN" mediate --metadata "$DATA/metadata.csv" --modules "$OUT/modules/abundance.csv" \
  --exposure diet --exposure-values usual,high_fibre --outcome phq9_total \
  --mediator module:MGB024,module:MGB052 --covariates age,sex --seed 1 \
  --out-dir "$OUT/modules-mediation" --force

# The same inside a whole study: alpha diversity and PHQ-9 from the species
# counts, and a "Gut–brain modules" section (each module on PHQ-9 + age + sex,
# the taxa carrying the top modules) in the same report.
"$BIN" analyze --counts "$DATA/counts.csv" --metadata "$DATA/metadata.csv" --outcome phq9_total \
  --covariates age,sex --metrics shannon --functions "$DATA/humann_ko_stratified.tsv" \
  --out-dir "$OUT/modules-study" --force

echo
echo "Wrote $OUT/modules/ (abundance.csv, coverage.csv, modules.csv, per-taxon.csv, figures/heatmap.svg),"
echo "$OUT/modules-phq9/ (all_results.csv, report.html), $OUT/modules-mediation/ (mediation.csv, report.html)"
echo "and $OUT/modules-study/ (report.html with the gut–brain modules section, module-associations.csv)"
echo
head -12 "$OUT/modules-phq9/significant_results.csv"
grep -E "acme_average|total_effect" "$OUT/modules-mediation/mediation.csv"
