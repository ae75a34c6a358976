#!/usr/bin/env python3
"""Benchmark: `moodbiome mediate` against statsmodels' `Mediation.fit`.

Run with `make bench` (builds the release CLI first). Needs numpy, pandas
and statsmodels.

1. Generates a 400-participant diet → Shannon → PHQ-9 study (numpy seed 5):
   exposure 0/1, age, sex, the mediator and the outcome, as CSV.
2. 5,000 quasi-Bayesian draws of the ACME etc. with covariates age and sex,
   each in a fresh process timed end to end (read, fit, simulate, write):
   - moodbiome mediate --metadata T --exposure diet --outcome phq9
     --mediator shannon --covariates age,sex --sims 5000 --out-dir D
     (its whole output: both CSVs, summary, report, two SVG figures)
   - python: pandas.read_csv + statsmodels OLS models (arrays, the fastest
     way statsmodels runs: formulas re-evaluate patsy in every draw) +
     Mediation(...).fit(method="parametric", n_rep=5000) + summary to CSV.
3. Checks the ACME estimates agree within Monte-Carlo error and prints the
   ratio (the issue asks ≥ 20×).
4. The whole community as the mediator: the bundled gut–mood study
   (Datasets/simulated-gut-mood), antidepressant → composition of the 20
   most abundant genera (+ 'other') → PHQ-9, 2,000 bootstrap resamples:
   - moodbiome mediate --mediator composition --sims 2000 (whole run)
   - R: the same composition built in R + ccmm::ccmm(method.est.cov =
     "normal", n.boot = 2000) (ccmm 1.0, installed from its CRAN source).
   Skipped when R has no ccmm.
"""
import os
import subprocess
import sys
from benchcommon import compared, run

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "bench-out")
BIN = os.path.join(ROOT, ".build", "release", "moodbiome")
REPEATS = 3

GENERATE = r"""
import sys
import numpy as np, pandas as pd
rng = np.random.default_rng(5)
n = 400
diet = rng.integers(0, 2, n); age = rng.normal(45, 12, n).round(1); sex = rng.integers(0, 2, n)
shannon = 2 + 0.5 * diet - 0.01 * age + 0.2 * sex + rng.normal(0, 0.6, n)
phq9 = 14 + 0.5 * diet - 2 * shannon + 0.05 * age + sex + rng.normal(0, 4, n)
pd.DataFrame({"id": [f"P{i}" for i in range(n)], "diet": diet, "age": age, "sex": sex,
              "shannon": shannon.round(6), "phq9": phq9.round(4)}).to_csv(sys.argv[1], index=False)
"""

STATSMODELS = r"""
import sys
import numpy as np, pandas as pd
import statsmodels.api as sm
from statsmodels.stats.mediation import Mediation
d = pd.read_csv(sys.argv[1])
X = sm.add_constant(d[["diet", "age", "sex"]].to_numpy(float))
XO = sm.add_constant(d[["diet", "shannon", "age", "sex"]].to_numpy(float))
res = Mediation(sm.OLS(d.phq9.to_numpy(float), XO), sm.OLS(d.shannon.to_numpy(float), X), (1, 1), 2).fit(
    method="parametric", n_rep=5000, rng=np.random.default_rng(1))
res.summary().to_csv(sys.argv[2])
"""


CCMM = r"""
suppressPackageStartupMessages(library(ccmm))
a <- commandArgs(TRUE)
counts <- read.csv(a[1], row.names = 1, check.names = FALSE); meta <- read.csv(a[2])
meta <- meta[!is.na(meta$phq9_total), ]
rownames(meta) <- meta$participant_id
counts <- as.matrix(counts[meta$participant_id, ])
share <- colMeans(counts / rowSums(counts))
top <- order(-share, seq_along(share))[1:20]
M <- cbind(counts[, top], other = rowSums(counts[, -top])) + 0.5
M <- M / rowSums(M)
set.seed(1)
r <- ccmm(meta$phq9_total, M, as.numeric(meta$antidepressant == "yes"), x = as.matrix(meta$age), method.est.cov = "normal", n.boot = 2000)
cat(r$TIDE, "\n")
"""


def main():
    os.makedirs(OUT, exist_ok=True)
    table = os.path.join(OUT, "mediation.csv")
    subprocess.run([sys.executable, "-c", GENERATE, table], check=True)
    ours_dir, theirs_out = os.path.join(OUT, "mediation-moodbiome"), os.path.join(OUT, "mediation-statsmodels.csv")
    ours = [run([BIN, "mediate", "--metadata", table, "--exposure", "diet", "--outcome", "phq9", "--mediator", "shannon",
                 "--covariates", "age,sex", "--sims", "5000", "--out-dir", ours_dir, "--force"]) for _ in range(REPEATS)]
    theirs = [run([sys.executable, "-c", STATSMODELS, table, theirs_out]) for _ in range(REPEATS)]
    import pandas as pd
    a = pd.read_csv(os.path.join(ours_dir, "mediation.csv")).set_index("effect")
    b = pd.read_csv(theirs_out, index_col=0)
    width = b.loc["ACME (average)", "Upper CI bound"] - b.loc["ACME (average)", "Lower CI bound"]
    diff = abs(a.loc["acme_average", "estimate"] - b.loc["ACME (average)", "Estimate"]) / width
    o_wall, t_wall = min(w for w, _ in ours), min(w for w, _ in theirs)
    print("mediation: 400 participants, 5,000 quasi-Bayesian draws, end to end (best of 3)")
    print(f"  moodbiome mediate   : {o_wall:.3f} s, {min(m for _, m in ours):.0f} MiB")
    print(f"  statsmodels Mediation: {t_wall:.3f} s, {min(m for _, m in theirs):.0f} MiB")
    print(f"  ACME agreement      : {diff:.3f} of the CI width")
    print(f"  speed-up            : {compared('mediation_vs_statsmodels', t_wall / o_wall)} statsmodels, end to end")
    has_ccmm = subprocess.run(["Rscript", "-e", "library(ccmm)"], capture_output=True).returncode == 0
    if not has_ccmm:
        print("compositional mediation: skipped (R has no ccmm; R CMD INSTALL its CRAN source)")
        return
    counts, meta = os.path.join(ROOT, "Datasets/simulated-gut-mood/counts.csv"), os.path.join(ROOT, "Datasets/simulated-gut-mood/metadata.csv")
    comp_dir = os.path.join(OUT, "mediation-composition")
    ours = [run([BIN, "mediate", "--counts", counts, "--metadata", meta, "--exposure", "antidepressant", "--outcome", "phq9_total",
                 "--mediator", "composition", "--covariates", "age", "--sims", "2000", "--out-dir", comp_dir, "--force"]) for _ in range(REPEATS)]
    theirs = [run(["Rscript", "-e", CCMM, counts, meta])]
    o_wall, t_wall = min(w for w, _ in ours), min(w for w, _ in theirs)
    print("compositional mediation: 296 samples, 21 parts, 2,000 bootstrap resamples, end to end")
    print(f"  moodbiome mediate --mediator composition: {o_wall:.3f} s")
    print(f"  ccmm 1.0 (normal method)                : {t_wall:.3f} s")
    print(f"  speed-up            : {compared('composition_vs_ccmm', t_wall / o_wall)} ccmm, end to end")


if __name__ == "__main__":
    main()
