#!/usr/bin/env python3
"""Benchmark: `moodbiome associate` against the MaAsLin2 pipeline as an R `lm` loop.

Run with `make bench` (builds the release CLI first). Needs numpy and R
(Debian r-base, r-cran-vegan).

1. Generates a 2,000-sample × 2,000-taxon count table (numpy seed 5;
   negative-binomial counts, ~35% zeros) and its metadata (phq9, age, sex).
2. Runs, each in a fresh process, end to end (read, prepare, fit, write):
   - moodbiome associate --counts C --metadata M --formula "~ phq9 + age + sex" --out-dir D
   - R: read both, MaAsLin2's default preparation (prevalence filter > 10%,
     variance > 0, TSS with vegan::decostand, z-scored numeric metadata, log2
     with half-minimum zeros), then a plain `lm` per feature (MaAsLin2's LM
     engine, `fit.R`, calls `glm(family = "gaussian")`, which gives the same
     numbers more slowly: `lm` is the stricter yardstick), `summary()`
     coefficients, BH across all rows, results written as CSV;
   - MaAsLin2 itself, when $MAASLIN names a folder holding its R sources
     (biobakery/Maaslin2: R/Maaslin2.R, fit.R, utility_scripts.R, viz.R;
     it cannot be installed from Debian), with plots off.
3. Checks the estimates, SEs and q-values agree, and prints the ratios.
4. NEGBIN: `--model negbin --normalization none --transform none` against an
   R loop of `MASS::glm.nb` per feature on the same kept features and z-scored
   metadata (MaAsLin2's NEGBIN engine), once each (R takes about a minute);
   agreement over the features where glm.nb settled without a warning.
"""
import os
import subprocess
import sys
import time
from benchcommon import best_interleaved, compared, run

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "bench-out")
BIN = os.path.join(ROOT, ".build", "release", "moodbiome")
REPEATS = 3
EACH = 3
SAMPLES, TAXA = 2000, 2000

GENERATE = r"""
import sys
import numpy as np
rng = np.random.default_rng(5)
n, m = int(sys.argv[3]), int(sys.argv[4])
phq9 = rng.integers(0, 28, n); age = rng.integers(18, 80, n); sex = rng.choice(["F", "M"], n)
base = rng.lognormal(0, 1.5, m); base /= base.sum()
effect = np.zeros(m); effect[:40] = rng.normal(0, 0.05, 40)
mean = base[None, :] * 30000 * np.exp(np.outer(phq9 - 13, effect))
counts = rng.negative_binomial(1.5, 1.5 / (1.5 + mean))
with open(sys.argv[1], "w") as f:
    f.write("sample_id," + ",".join(f"T{k}" for k in range(m)) + "\n")
    for i in range(n):
        f.write(f"S{i}," + ",".join(map(str, counts[i])) + "\n")
with open(sys.argv[2], "w") as f:
    f.write("sample_id,phq9,age,sex\n")
    for i in range(n):
        f.write(f"S{i},{phq9[i]},{age[i]},{sex[i]}\n")
print(f"{(counts == 0).mean():.2f}")
"""

# MaAsLin2's preparation shared by both R loops: the samples with metadata,
# features present (> 0) in more than 10% of them and varying, z-scored
# numeric metadata.
R_PREPARE = r"""
a <- commandArgs(TRUE)
counts <- as.matrix(read.csv(a[1], row.names = 1, check.names = FALSE))
meta <- read.csv(a[2], row.names = 1)
counts <- counts[rownames(meta), ]
kept <- counts[, colSums(counts > 0) > nrow(counts) * 0.1, drop = FALSE]
kept <- kept[, apply(kept, 2, var) > 0, drop = FALSE]
meta$phq9 <- as.numeric(scale(meta$phq9)); meta$age <- as.numeric(scale(meta$age)); meta$sex <- factor(meta$sex)
"""

R_LOOP = r"""
suppressMessages(library(vegan))
""" + R_PREPARE + r"""
x <- decostand(kept, method = "total", MARGIN = 1)
x <- apply(x, 2, function(v) log2(replace(v, v == 0, min(v[v > 0]) / 2)))
rows <- lapply(colnames(x), function(f) {
  meta$expr <- x[, f]
  fit <- lm(expr ~ phq9 + age + sex, data = meta, na.action = na.exclude)
  s <- summary(fit)$coefficients[-1, , drop = FALSE]
  data.frame(feature = f, name = rownames(s), estimate = s[, 1], std_error = s[, 2], p_value = s[, 4])
})
r <- do.call(rbind, rows)
r$q_value <- p.adjust(r$p_value, "BH")
r <- r[order(r$q_value), ]
write.csv(r, a[3], row.names = FALSE)
"""

R_NEGBIN = r"""
suppressMessages(library(MASS))
""" + R_PREPARE + r"""
rows <- lapply(colnames(kept), function(f) {
  meta$expr <- kept[, f]
  warned <- FALSE
  fit <- withCallingHandlers(glm.nb(expr ~ phq9 + age + sex, data = meta, na.action = na.exclude),
                             warning = function(w) { warned <<- TRUE; invokeRestart("muffleWarning") })
  s <- summary(fit)$coefficients[-1, , drop = FALSE]
  data.frame(feature = f, name = rownames(s), estimate = s[, 1], std_error = s[, 2], p_value = s[, 4], settled = !warned)
})
write.csv(do.call(rbind, rows), a[3], row.names = FALSE)
"""

COMPARE_NEGBIN = r"""
import sys, csv
ours = {(r["feature"], r["term"]): r for r in csv.DictReader(open(sys.argv[1]))}
diffs, unsettled = {"estimate": [], "std_error": []}, 0
for r in csv.DictReader(open(sys.argv[2])):
    if r["settled"] != "TRUE":
        unsettled += 1
        continue
    o = ours[(r["feature"], "sex[T.M]" if r["name"] == "sexM" else r["name"])]
    diffs["estimate"].append(abs(float(o["estimate"]) - float(r["estimate"])) / float(r["std_error"]))
    diffs["std_error"].append(abs(float(o["std_error"]) - float(r["std_error"])) / float(r["std_error"]))
for k in diffs:
    diffs[k].sort()
print(", ".join(f"{k} median {v[len(v) // 2]:.1e}, max {v[-1]:.1e}" for k, v in diffs.items()) + " (estimates in SEs, SEs relative)"
      + f" over {len(diffs['estimate'])} rows ({unsettled} rows where glm.nb warned left out)")
"""

MAASLIN2 = r"""
suppressMessages({dir <- Sys.getenv("MAASLIN"); for (f in c("utility_scripts.R", "fit.R", "viz.R", "Maaslin2.R")) source(file.path(dir, f))})
logging::setLevel("ERROR")
a <- commandArgs(TRUE)
counts <- read.csv(a[1], row.names = 1, check.names = FALSE)
meta <- read.csv(a[2], row.names = 1)
fit <- Maaslin2(counts, meta, a[3], fixed_effects = c("phq9", "age", "sex"), reference = "sex,F",
                plot_heatmap = FALSE, plot_scatter = FALSE)
"""

COMPARE = r"""
import sys, csv
ours = {}
for r in csv.DictReader(open(sys.argv[1])):
    ours[(r["feature"], r["term"])] = r
worst = {"estimate": 0.0, "std_error": 0.0, "q_value": 0.0}
count = 0
for r in csv.DictReader(open(sys.argv[2])):
    term = "sex[T.M]" if r["name"] == "sexM" else r["name"]
    o = ours[(r["feature"], term)]
    count += 1
    for k in worst:
        a, b = float(o[k]), float(r[k])
        worst[k] = max(worst[k], abs(a - b) / abs(b) if b != 0 else abs(a))
assert count == len(ours), (count, len(ours))
print(", ".join(f"{k} {v:.1e}" for k, v in worst.items()) + f" over {count} rows")
"""


def main():
    os.makedirs(OUT, exist_ok=True)
    counts = os.path.join(OUT, f"bench-assoc-{SAMPLES}x{TAXA}.csv")
    meta = os.path.join(OUT, f"bench-assoc-meta-{SAMPLES}.csv")
    if not (os.path.exists(counts) and os.path.exists(meta)):
        zeros = subprocess.run([sys.executable, "-c", GENERATE, counts, meta, str(SAMPLES), str(TAXA)], check=True,
                               capture_output=True, text=True).stdout.strip()
        print(f"generated {counts} ({zeros} zeros)")
    ours_dir, theirs = os.path.join(OUT, "assoc-moodbiome"), os.path.join(OUT, "assoc-r.csv")
    (o_wall, o_mem), (t_wall, t_mem) = best_interleaved(
        [BIN, "associate", "--counts", counts, "--metadata", meta, "--formula", "~ phq9 + age + sex", "--out-dir", ours_dir, "--force"],
        ["Rscript", "-e", R_LOOP, counts, meta, theirs], rounds=REPEATS, each=EACH)
    agreement = subprocess.run([sys.executable, "-c", COMPARE, os.path.join(ours_dir, "all_results.csv"), theirs],
                               check=True, capture_output=True, text=True).stdout.strip()
    version = subprocess.run(["Rscript", "-e", "cat(R.version$major, R.version$minor, sep='.')"], capture_output=True, text=True).stdout
    print(f"Per-feature association, {SAMPLES:,} samples × {TAXA:,} taxa, ~ phq9 + age + sex; best of {REPEATS} (R) "
          f"and of {REPEATS * EACH} (moodbiome, {EACH} after each R run)")
    print(f"  moodbiome          : {o_wall:7.3f} s wall, peak RSS {o_mem:7.1f} MiB")
    print(f"  {'R ' + version + ' lm loop':<19}: {t_wall:7.3f} s wall, peak RSS {t_mem:7.1f} MiB  ({compared('associate_vs_r_lm', t_wall / o_wall)} slower; memory {o_mem / t_mem:.2f}× of R's)")
    print(f"  agreement          : max relative difference {agreement}")
    nb_dir, nb_theirs = os.path.join(OUT, "assoc-negbin-moodbiome"), os.path.join(OUT, "assoc-negbin-r.csv")
    nb = min(run([BIN, "associate", "--counts", counts, "--metadata", meta, "--formula", "~ phq9 + age + sex", "--model", "negbin",
                  "--normalization", "none", "--transform", "none", "--out-dir", nb_dir, "--force"]) for _ in range(REPEATS))
    nb_r = run(["Rscript", "-e", R_NEGBIN, counts, meta, nb_theirs])
    nb_agreement = subprocess.run([sys.executable, "-c", COMPARE_NEGBIN, os.path.join(nb_dir, "all_results.csv"), nb_theirs],
                                  check=True, capture_output=True, text=True).stdout.strip()
    print(f"  negbin, moodbiome  : {nb[0]:7.3f} s wall, peak RSS {nb[1]:7.1f} MiB")
    print(f"  R glm.nb loop      : {nb_r[0]:7.3f} s wall, peak RSS {nb_r[1]:7.1f} MiB  ({compared('negbin_vs_r_glm_nb', nb_r[0] / nb[0])} slower)")
    print(f"  negbin agreement   : {nb_agreement}")
    if os.environ.get("MAASLIN"):
        out = os.path.join(OUT, "assoc-maaslin2")
        m = [run(["Rscript", "-e", MAASLIN2, counts, meta, out]) for _ in range(REPEATS)]
        m_wall, m_mem = min(w for w, _ in m), max(x for _, x in m)
        print(f"  MaAsLin2 (sources) : {m_wall:7.3f} s wall, peak RSS {m_mem:7.1f} MiB  ({m_wall / o_wall:.1f}× slower; memory {o_mem / m_mem:.2f}× of MaAsLin2's)")
    else:
        print("  (set MAASLIN to a folder of MaAsLin2's R sources to time MaAsLin2 itself as well)")


if __name__ == "__main__":
    main()
