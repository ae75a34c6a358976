#!/usr/bin/env python3
"""Benchmark: `moodbiome associate --method linda` against the R package
LinDA 0.2.0 (Zhou et al. 2022), 2,000 samples × 2,000 features, 4 terms.

The table is bench_associate.py's (numpy seed 5: negative-binomial counts,
~35% zeros), its metadata with a BMI column added (numpy seed 6), and the
model `~ phq9 + age + sex + bmi`. Each tool runs in a fresh process, end to
end (read, filter, zeros, CLR, fit, bias, write): Moodbiome with its report
and figures, LinDA with `linda(otu, meta, formula)` and its output tables
written as CSV.

LinDA is not in Debian: give the folder of its R sources (github.com/
zhouhj1994/LinDA, GPL-2; R/linda.R is sourced, never shipped) as
$LINDA_SOURCE to time it; it runs on Debian's R with r-cran-modeest,
r-cran-lmertest and r-cran-foreach. Without it only Moodbiome is timed.
The fold changes, SEs and q-values of both are compared.
"""
import csv
import os
import subprocess
import sys
from benchcommon import best_interleaved, compared, run
from bench_associate import GENERATE

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "bench-out")
BIN = os.path.join(ROOT, ".build", "release", "moodbiome")
REPEATS = 3
EACH = 3
SAMPLES, TAXA = 2000, 2000
FORMULA = "~ phq9 + age + sex + bmi"

ADD_BMI = r"""
import sys, csv
import numpy as np
rng = np.random.default_rng(6)
rows = list(csv.reader(open(sys.argv[1])))
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(rows[0] + ["bmi"])
    for r in rows[1:]:
        w.writerow(r + [f"{rng.normal(26, 4):.1f}"])
"""

R_LINDA = r"""
suppressMessages({ library(modeest); library(lmerTest); library(foreach) })
a <- commandArgs(TRUE)
source(file.path(a[1], "R", "linda.R"))
counts <- as.matrix(read.csv(a[2], row.names = 1, check.names = FALSE))
meta <- read.csv(a[3], row.names = 1, stringsAsFactors = FALSE)
fit <- linda(t(counts[rownames(meta), ]), meta, formula = a[5])
rows <- do.call(rbind, lapply(fit$variables, function(v) {
  o <- fit$output[[v]]
  data.frame(feature = rownames(o), term = v, estimate = o$log2FoldChange, std_error = o$lfcSE, q_value = o$padj)
}))
write.csv(rows, a[4], row.names = FALSE)
"""


def agreement(ours_path, theirs_path):
    ours = {(r["feature"], r["term"]): r for r in csv.DictReader(open(ours_path))}
    worst = {"estimate": 0.0, "std_error": 0.0, "q_value": 0.0}
    for r in csv.DictReader(open(theirs_path)):
        o = ours[(r["feature"], "sex[T.M]" if r["term"] == "sexM" else r["term"])]
        for k in worst:
            a, b = float(o[k]), float(r[k])
            scale = float(r["std_error"]) if k == "estimate" else abs(b)
            worst[k] = max(worst[k], abs(a - b) / scale if scale else abs(a))
    return ", ".join(f"{k} {v:.1e}" for k, v in worst.items()) + " (estimates in SEs, the rest relative)"


def main():
    os.makedirs(OUT, exist_ok=True)
    counts = os.path.join(OUT, f"bench-assoc-{SAMPLES}x{TAXA}.csv")
    base = os.path.join(OUT, f"bench-assoc-meta-{SAMPLES}.csv")
    if not (os.path.exists(counts) and os.path.exists(base)):
        subprocess.run([sys.executable, "-c", GENERATE, counts, base, str(SAMPLES), str(TAXA)], check=True, capture_output=True)
    meta = os.path.join(OUT, f"bench-linda-meta-{SAMPLES}.csv")
    subprocess.run([sys.executable, "-c", ADD_BMI, base, meta], check=True)
    ours_dir = os.path.join(OUT, "linda-moodbiome")
    command = [BIN, "associate", "--counts", counts, "--metadata", meta, "--formula", FORMULA, "--method", "linda",
               "--out-dir", ours_dir, "--force"]
    source = os.environ.get("LINDA_SOURCE")
    if not source:
        ours = min(run(command) for _ in range(REPEATS))
        print(f"LinDA, {SAMPLES:,} samples × {TAXA:,} features, {FORMULA}; best of {REPEATS}")
        print(f"  moodbiome          : {ours[0]:7.3f} s wall, peak RSS {ours[1]:7.1f} MiB")
        print("  (set LINDA_SOURCE to a folder of LinDA 0.2.0's R sources to time the R package beside it)")
        return
    theirs_path = os.path.join(OUT, "linda-r.csv")
    ours, theirs = best_interleaved(command, ["Rscript", "-e", R_LINDA, source, counts, meta, theirs_path, FORMULA],
                                    rounds=REPEATS, each=EACH)
    print(f"LinDA, {SAMPLES:,} samples × {TAXA:,} features, {FORMULA}; best of {REPEATS} (R) "
          f"and of {REPEATS * EACH} (moodbiome, {EACH} after each R run)")
    print(f"  moodbiome          : {ours[0]:7.3f} s wall, peak RSS {ours[1]:7.1f} MiB")
    print(f"  R LinDA 0.2.0      : {theirs[0]:7.3f} s wall, peak RSS {theirs[1]:7.1f} MiB  "
          f"({compared('linda_vs_r_linda', theirs[0] / ours[0])} slower; memory {ours[1] / theirs[1]:.2f}× of R's)")
    print(f"  agreement          : max difference {agreement(os.path.join(ours_dir, 'all_results.csv'), theirs_path)}")


if __name__ == "__main__":
    main()
