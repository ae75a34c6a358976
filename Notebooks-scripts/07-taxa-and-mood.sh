#!/usr/bin/env bash
# 07 — Which genera go with depressive symptoms?
#
# Question: after adjusting for age, sex, BMI and antidepressant use, which
# genera are more or less abundant in participants with higher PHQ-9 scores
# (the MaAsLin2 analysis of Valles-Colomer et al. 2019), and does a
# compositional, bias-corrected method (LinDA) agree? And, the other way
# round, which genera predict PHQ-9? On real data with a taxonomy
# (GlobalPatterns), how do collapsing to genus and filtering look?
#
# Usage: bash Notebooks-scripts/07-taxa-and-mood.sh [results-dir]
# Needs the CLI built (`make build`); writes into results-dir (default results/).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-results}"
BIN="${MOODBIOME:-.build/release/moodbiome}"
STUDY=Datasets/simulated-gut-mood
mkdir -p "$OUT/taxa"

# 1. MaAsLin2's default pipeline: prevalence filter, TSS, log2, standardised
#    metadata, one linear model per genus, BH q-values. The example study
#    plants Coprococcus, Dialister, Faecalibacterium (down) and Eggerthella
#    (up) with a gut-linked mood factor (truth.json, taxa_effects).
"$BIN" associate --counts "$STUDY/counts.csv" --metadata "$STUDY/metadata.csv" \
  --formula "~ phq9_total + age + sex + bmi + antidepressant" --reference sex=female \
  --out-dir "$OUT/taxa/maaslin2-path" --force

# 2. Mood as the outcome: PHQ-9 ~ log2 genus abundance + covariates, per genus.
"$BIN" associate --counts "$STUDY/counts.csv" --metadata "$STUDY/metadata.csv" \
  --outcome phq9_total --covariates age,sex,bmi,antidepressant --out-dir "$OUT/taxa/outcome" --force

# 3. A compositional alternative: CLR without a further transform.
"$BIN" associate --counts "$STUDY/counts.csv" --metadata "$STUDY/metadata.csv" \
  --formula "~ phq9_total + age + sex + bmi + antidepressant" --normalization clr --transform none \
  --out-dir "$OUT/taxa/clr" --force

# 4. Bias-corrected compositional models (LinDA): CLR in log2, each
#    coefficient's compositional shift (the mode over genera) removed,
#    zeros by LinDA's adaptive rule (said in the summary).
"$BIN" associate --counts "$STUDY/counts.csv" --metadata "$STUDY/metadata.csv" \
  --formula "~ phq9_total + age + sex + bmi + antidepressant" --reference sex=female \
  --method linda --min-prevalence 0.1 --out-dir "$OUT/taxa/linda" --force

# 4b. Where the methods agree: MaAsLin2's LM, LinDA, ANCOM-BC and ANCOM-BC2
#     (its calls robust to the pseudo-count) on the same genera; consensus.csv,
#     a dot matrix per term, and the genera every method finds in summary.md.
"$BIN" associate --counts "$STUDY/counts.csv" --metadata "$STUDY/metadata.csv" \
  --formula "~ phq9_total + age + sex + bmi + antidepressant" --reference sex=female \
  --method all --out-dir "$OUT/taxa/consensus" --force
grep -m1 "Agreed by every method" "$OUT/taxa/consensus/summary.md"

# 5. GlobalPatterns: collapse 19,216 OTUs to genera by the QIIME 2 taxonomy,
#    drop chloroplasts and mitochondria and rare genera, then genus-level
#    alpha diversity straight from the OTU table with --level.
GP=Datasets/globalpatterns
"$BIN" collapse "$GP/feature-table.tsv" --taxonomy "$GP/taxonomy.tsv" --level genus --names short \
  -o "$OUT/taxa/gp-genus.csv" --force
"$BIN" filter "$GP/feature-table.tsv" --taxonomy "$GP/taxonomy.tsv" --exclude Chloroplast,Mitochondria \
  --min-prevalence 0.1 --min-depth 1000 -o "$OUT/taxa/gp-filtered.biom" --force
"$BIN" diversity "$GP/feature-table.biom" --level genus --metrics observed_features,shannon \
  -o "$OUT/taxa/gp-genus-alpha.csv" --force

echo "Wrote $OUT/taxa/ (maaslin2-path/, outcome/, clr/, linda/, consensus/ with summary.md and figures; GlobalPatterns genus tables)"
echo
cat "$OUT/taxa/maaslin2-path/summary.md"
