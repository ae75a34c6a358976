#!/usr/bin/env bash
# Command-line checks (part of `make test`): real command lines through the
# built binary, their exit codes and the first line of their messages, word
# for word. Uses $MOODBIOME (default: the debug build).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN="${MOODBIOME:-.build/debug/moodbiome}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
failures=0
D=Datasets/simulated-gut-mood

# check NAME EXPECTED_EXIT EXPECTED_FIRST_STDERR_LINE -- ARGS...
check() {
  local name="$1" code="$2" expected="$3"; shift 4
  "$BIN" "$@" >"$OUT/stdout" 2>"$OUT/stderr"
  local got=$?
  local first
  first="$(grep -v '^note:' "$OUT/stderr" | head -1)"
  if [ "$got" != "$code" ] || { [ -n "$expected" ] && [ "$first" != "$expected" ]; }; then
    echo "cli-checks: $name: exit $got (expected $code), stderr: $first" >&2
    echo "            expected: $expected" >&2
    failures=$((failures + 1))
  fi
}

check "every bad metric at once" 64 \
  "Error: unknown metrics 'shanon' (did you mean 'shannon'?), 'simpsons' (did you mean 'simpson'?). Run \`moodbiome metrics\` to list them (e.g. shannon, simpson, observed_features, chao1)" \
  -- diversity "$D/counts.csv" --metrics shanon,simpsons
check "choices in any case" 0 "" \
  -- diversity "$D/counts.csv" --metrics shannon --base E -o "$OUT/d.csv"
check "MaAsLin2's spelling of choices" 0 "" \
  -- associate --counts "$D/counts.csv" --metadata "$D/metadata.csv" --formula "~ phq9_total" \
     --normalization CLR --transform NONE --out-dir "$OUT/assoc"
check "an unknown choice is still refused" 64 "" \
  -- associate --counts "$D/counts.csv" --metadata "$D/metadata.csv" --formula "~ phq9_total" \
     --normalization CLRX --out-dir "$OUT/assoc2"
check "LinDA through associate" 0 "" \
  -- associate --counts "$D/counts.csv" --metadata "$D/metadata.csv" --formula "~ phq9_total + sex" \
     --method linda --winsorize 0.97 --min-depth 10000 --zeros imputation --out-dir "$OUT/linda"
check "ANCOM-BC through associate" 0 "" \
  -- associate --counts "$D/counts.csv" --metadata "$D/metadata.csv" --formula "~ phq9_total + sex" \
     --method ancombc --pseudocount 0.5 --min-prevalence 0.1 --out-dir "$OUT/ancombc"
check "ANCOM-BC2 with structural zeros through associate" 0 "" \
  -- associate --counts Datasets/twins/Twins.csv --samples-in columns --metadata Datasets/twins/metadata.tsv \
     --formula "~ phenotype" --method ancombc2 --struc-zero phenotype --neg-lb --var-quantile 0.1 --out-dir "$OUT/ancombc2s"
[ -s "$OUT/ancombc2s/structural_zeros.csv" ] || { echo "cli-checks: no structural_zeros.csv" >&2; failures=$((failures + 1)); }
check "the consensus of four methods through associate" 0 "" \
  -- associate --counts "$D/counts.csv" --metadata "$D/metadata.csv" --formula "~ phq9_total + sex" \
     --method all --min-prevalence 0.2 --out-dir "$OUT/all"
head -1 "$OUT/all/consensus.csv" | grep -q '^feature,term,maaslin2_direction,maaslin2_q,linda_direction' \
  || { echo "cli-checks: consensus.csv header" >&2; failures=$((failures + 1)); }
check "--var-quantile belongs to ANCOM-BC2" 64 \
  "Error: --var-quantile: applies only to --method ancombc2 or all. Add --method ancombc2 or all, or drop --var-quantile" \
  -- associate --counts "$D/counts.csv" --metadata "$D/metadata.csv" --formula "~ phq9_total" \
     --method ancombc --var-quantile 0.1 --out-dir "$OUT/ancombc3"
check "--struc-zero names a formula variable" 64 \
  "Error: --struc-zero: 'antidepressant' is not one of phq9_total, sex" \
  -- associate --counts "$D/counts.csv" --metadata "$D/metadata.csv" --formula "~ phq9_total + sex" \
     --method ancombc2 --struc-zero antidepressant --out-dir "$OUT/ancombc4"
check "--struc-zero names a categorical variable" 1 \
  "Error: --struc-zero: 'phq9_total' is not one of sex" \
  -- associate --counts "$D/counts.csv" --metadata "$D/metadata.csv" --formula "~ phq9_total + sex" \
     --method ancombc2 --struc-zero phq9_total --out-dir "$OUT/ancombc5"
check "--pseudocount belongs to LinDA and ANCOM-BC(2)" 64 \
  "Error: --pseudocount: applies only to --method linda, ancombc or ancombc2. Add --method linda, ancombc or ancombc2, or drop --pseudocount" \
  -- associate --counts "$D/counts.csv" --metadata "$D/metadata.csv" --formula "~ phq9_total" \
     --pseudocount 1 --out-dir "$OUT/ancombc2"
check "MaAsLin2's options are refused with LinDA" 64 \
  "Error: --normalization: applies only to --method maaslin2. Add --method maaslin2, or drop --normalization" \
  -- associate --counts "$D/counts.csv" --metadata "$D/metadata.csv" --formula "~ phq9_total" \
     --method linda --normalization clr --out-dir "$OUT/linda2"
check "LinDA's options are refused with MaAsLin2" 64 \
  "Error: --winsorize: applies only to --method linda or all. Add --method linda or all, or drop --winsorize" \
  -- associate --counts "$D/counts.csv" --metadata "$D/metadata.csv" --formula "~ phq9_total" \
     --winsorize 0.97 --out-dir "$OUT/linda3"
check "--strata needs --beta" 64 "Error: --strata restricts the permutations of --beta's tests: give --beta too" \
  -- analyze --counts "$D/counts.csv" --metadata "$D/metadata.csv" --outcome phq9_total --strata sex --out-dir "$OUT/a"

check "beta says what it wrote" 0 "wrote $OUT/d.tsv" \
  -- beta "$D/counts.csv" -o "$OUT/d.tsv"
check "permanova says what it wrote" 0 "wrote $OUT/p.csv" \
  -- permanova "$OUT/d.tsv" --metadata "$D/metadata.csv" --formula "~ age" --permutations 9 --seed 1 -o "$OUT/p.csv"
check "analyze counts its models in words" 0 "wrote diversity.csv, merged.csv, models.csv, fit.csv, correlations.csv, cohort.csv, summary.md, report.html, captions.md, figures/phq9_total-vs-shannon.svg, figures/shannon-by-phq9_band.svg, provenance.json to $OUT/one (1 model, n = 300 joined samples)" \
  -- analyze --counts "$D/counts.csv" --metadata "$D/metadata.csv" --outcome phq9_total --metrics shannon --out-dir "$OUT/one"
check "modules refuses a table that is not a functional profile" 1 \
  "Error: Datasets/simulated-gut-brain/metadata.csv:2:2: 'usual' is not a number; expected a count (column 'diet'). Only numbers may follow the function column (text columns such as descriptions cannot be read)" \
  -- modules Datasets/simulated-gut-brain/metadata.csv --out-dir "$OUT/m1"
check "modules names a missing module file" 1 \
  "Error: nosuch.txt: cannot open the file: no such file. Check the path (it is relative to the current directory)" \
  -- modules Datasets/simulated-gut-brain/humann_ko_stratified.tsv --db gbm,nosuch.txt --out-dir "$OUT/m2"
[ -e "$OUT/m1" ] || [ -e "$OUT/m2" ] && { echo "cli-checks: modules left output after an error" >&2; failures=$((failures + 1)); }

[ "$failures" = 0 ] || { echo "cli-checks: $failures failed" >&2; exit 1; }
echo "cli-checks: all passed" >&2
