#!/usr/bin/env bash
# 08 — Repeated measures: several stool samples and PHQ-9s per person.
#
# Question: in a cohort followed over a year (4 visits, 3 months apart), does
# lower gut diversity at a visit go with higher PHQ-9 at that visit, allowing
# each person their own level and their own trend? And on real data with
# repeated samples (Turnbaugh's twins: 278 samples from 154 people), what
# changes when the repeated subjects are modelled rather than ignored?
#
# The cohort is simulated (Datasets/simulated-longitudinal, truth in its
# truth.json under "mixed_model"): the estimates can be checked.
#
# Usage: bash Notebooks-scripts/08-repeated-measures.sh [results-dir]
# Needs the CLI built (`make build`); writes into results-dir (default results/).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-results}"
BIN="${MOODBIOME:-.build/release/moodbiome}"
DATA=Datasets/simulated-longitudinal
mkdir -p "$OUT"

# Linear mixed models, one per metric: a random intercept and a random slope
# in months per participant (lme4's lmer, REML; Satterthwaite df as lmerTest).
# months, the random slope, is the visit time of the longitudinal figures:
# each participant's trajectory and the change from their first visit.
"$BIN" analyze --counts "$DATA/counts.csv" --metadata "$DATA/metadata.csv" \
  --outcome phq9_total --covariates months,age,sex,bmi,antidepressant \
  --random "(1 + months | participant_id)" --metrics shannon,observed_features \
  --out-dir "$OUT/longitudinal" --force

# One model with a formula: does the diversity effect change over time?
# Fitted by maximum likelihood (--ml), the variance components written apart.
"$BIN" regress "$OUT/longitudinal/merged.csv" \
  --formula "phq9_total ~ shannon * months + age + sex + bmi + antidepressant + (1 + months | participant_id)" \
  --ml --random-output "$OUT/longitudinal-interaction-random-effects.csv" \
  -o "$OUT/longitudinal-interaction-model.csv" --force

# Which genera go with PHQ-9 across visits? MaAsLin2's pipeline with a random
# intercept per participant (its random_effects): a mixed model per genus.
"$BIN" associate --counts "$DATA/counts.csv" --metadata "$DATA/metadata.csv" \
  --formula "~ phq9_total + months" --random "(1 | participant_id)" \
  --out-dir "$OUT/longitudinal-taxa" --force

# Twins: 278 samples from 154 people. Obese vs lean by diversity, logistic,
# with standard errors robust to clustering by subject (sandwich's vcovCL);
# merged.csv keeps subject and phenotype beside the metrics.
"$BIN" analyze --counts Datasets/twins/Twins.csv \
  --metadata Datasets/twins/metadata.tsv --outcome obese --family binomial \
  --cluster subject --group-by phenotype --metrics shannon,chao1 \
  --out-dir "$OUT/twins-repeated" --force
# Shannon by phenotype three ways: ignoring the repeated subjects (OLS),
# clustered by subject, and with a random intercept per subject.
TW="$OUT/twins-repeated/merged.csv"
echo "== shannon ~ phenotype, ordinary least squares"
"$BIN" regress "$TW" --formula "shannon ~ phenotype" --format md
echo "== shannon ~ phenotype, standard errors clustered by subject"
"$BIN" regress "$TW" --formula "shannon ~ phenotype" --cluster subject --format md
echo "== shannon ~ phenotype + (1 | subject), linear mixed model (REML)"
"$BIN" regress "$TW" --formula "shannon ~ phenotype + (1 | subject)" --format md \
  --random-output "$OUT/twins-repeated-random-effects.csv" --force

echo
echo "Wrote $OUT/longitudinal/ (models.csv with Satterthwaite df, random_effects.csv, report.html; figures/trajectory-*.svg and change-*.svg)"
echo
cat "$OUT/longitudinal/summary.md"
