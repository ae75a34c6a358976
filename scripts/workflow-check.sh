#!/usr/bin/env bash
# The Snakemake workflow (workflows/Snakefile) run locally, as make test runs it:
# the merged matrix is byte for byte a single process's for N = 1 and 3
# stripes, the PERMANOVA table the same for both, and a rerun after a lost
# stripe recomputes that stripe only.
set -euo pipefail
MOODBIOME=$(realpath "${MOODBIOME:-.build/debug/moodbiome}")
work=$(mktemp -d /tmp/moodbiome-workflow-XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "workflow-check: $*" >&2; exit 1; }
# Snakemake from PyPI (scripts/setup.sh --test), by its module: pip may put
# the snakemake command where PATH does not look.
snakemake() { python3 -m snakemake "$@"; }
run() {
  snakemake -s workflows/Snakefile --configfile workflows/config.yaml --directory "$PWD" --cores 2 -q \
    --config moodbiome="$MOODBIOME" "$@" >"$work/snakemake.log" 2>&1 || { cat "$work/snakemake.log" >&2; fail "snakemake failed: $*"; }
}
table=Datasets/simulated-gut-mood/counts.csv
"$MOODBIOME" beta "$table" --metric braycurtis -o "$work/single.h5" 2>/dev/null
for n in 1 3; do
  run stripes=$n out="$work/n$n"
  cmp -s "$work/single.h5" "$work/n$n/distance-matrix.h5" || fail "$n stripes: the merged matrix differs from one process's"
  [ -s "$work/n$n/report.md" ] && [ -s "$work/n$n/pcoa.csv" ] || fail "$n stripes: no report or PCoA"
done
cmp -s "$work/n1/permanova.csv" "$work/n3/permanova.csv" || fail "the PERMANOVA table depends on the number of stripes"
# Restart: the state a killed stripe job leaves (its stripe and everything
# after it missing; writes are atomic, so nothing half-written) is finished
# by a rerun that recomputes that stripe, not the others.
kept=("$work/n3/stripes/part-1.h5" "$work/n3/stripes/part-3.h5" "$work/n3/permanova/share-1.h5" "$work/n3/permanova/share-3.h5")
before=$(stat -c '%Y %n' "${kept[@]}")
sleep 1
rm "$work/n3/stripes/part-2.h5" "$work/n3/permanova/share-2.h5" "$work/n3/distance-matrix.h5" "$work/n3/pcoa.csv" \
   "$work/n3/pcoa-eigenvalues.csv" "$work/n3/permanova.csv" "$work/n3/report.md"
run stripes=3 out="$work/n3"
after=$(stat -c '%Y %n' "${kept[@]}")
[ "$before" = "$after" ] || fail "a rerun recomputed stripes that were there"
[ -s "$work/n3/stripes/part-2.h5" ] || fail "the lost stripe was not recomputed"
cmp -s "$work/single.h5" "$work/n3/distance-matrix.h5" || fail "after the rerun the matrix differs"
cmp -s "$work/n1/permanova.csv" "$work/n3/permanova.csv" || fail "after the rerun the PERMANOVA table differs"
# A config without a table is refused with the key named.
if snakemake -s workflows/Snakefile --cores 1 --config metric=braycurtis -n >"$work/missing.log" 2>&1; then fail "a config without table ran"; fi
grep -q "config: 'table' is missing" "$work/missing.log" || { cat "$work/missing.log" >&2; fail "no message naming the missing key"; }
echo "workflow-check: merged matrix identical for 1 and 3 stripes, PERMANOVA identical, restart recomputes only the lost stripe"
