#!/usr/bin/env python3
"""Benchmark: `moodbiome associate --method ancombc` (and `ancombc2`) against
scikit-bio 0.7.4's `ancombc` (and `ancombc2`), 2,000 samples × 2,000
features, 4 terms.

The table and metadata are bench_linda.py's (bench_associate.py's counts,
numpy seed 5, with a BMI column, seed 6), the model `phq9 + age + sex + bmi`,
a pseudo-count of 1 on every count. Each tool runs in a fresh process, end
to end: Moodbiome reading the CSVs and writing its whole output directory;
Python reading the same CSVs with pandas, `ancombc(table + 1, metadata,
formula)` and its result written as CSV. The fold changes, SEs and q-values
are compared.

Then memory on a sparse table (2,000 samples × 20,000 features, 5% of the
cells non-zero, numpy seed 7; Moodbiome only): the peak of each method
beside the peak of `diversity` reading the same file (the floor every job on
it pays), and the 305 MiB one dense samples × features block would take.
"""
import csv
import os
import subprocess
import sys
from benchcommon import best_interleaved, compared, run
from bench_associate import GENERATE
from bench_linda import ADD_BMI

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "bench-out")
BIN = os.path.join(ROOT, ".build", "release", "moodbiome")
REPEATS = 3
EACH = 3
SAMPLES, TAXA = 2000, 2000

SKBIO = r"""
import sys
import pandas as pd
from skbio.stats.composition import ancombc
counts = pd.read_csv(sys.argv[1], index_col=0)
meta = pd.read_csv(sys.argv[2], index_col=0)
counts = counts.loc[meta.index]
res = ancombc(counts + 1, meta, "phq9 + age + sex + bmi").result.reset_index()
res.to_csv(sys.argv[3], index=False)
"""

# ANCOM-BC2 at its default: zeros as missing values (pseudo-count 0).
SKBIO2 = SKBIO.replace("import ancombc", "import ancombc2").replace("ancombc(counts + 1,", "ancombc2(counts,")


def agreement(ours_path, theirs_path):
    ours = {(r["feature"], r["term"]): r for r in csv.DictReader(open(ours_path))}
    worst = {"estimate": 0.0, "std_error": 0.0, "q_value": 0.0}
    names = {"estimate": "Log(FC)", "std_error": "SE", "q_value": "qvalue"}
    count = 0
    for r in csv.DictReader(open(theirs_path)):
        if r["Covariate"] == "Intercept":
            continue
        o = ours[(r["FeatureID"], r["Covariate"])]
        count += 1
        for k, name in names.items():
            a, b = float(o[k]), float(r[name])
            scale = float(r["SE"]) if k == "estimate" else abs(b)
            worst[k] = max(worst[k], abs(a - b) / scale if scale else abs(a))
    return ", ".join(f"{k} {v:.1e}" for k, v in worst.items()) + f" over {count} rows (estimates in SEs, the rest relative)"


SPARSE = r"""
import sys
import numpy as np
samples, features = int(sys.argv[3]), int(sys.argv[4])
ids = [line.split(",")[0] for line in open(sys.argv[2]).read().splitlines()[1:]]
rng = np.random.default_rng(7)
with open(sys.argv[1], "w") as f:
    f.write("sample_id," + ",".join(f"T{j}" for j in range(features)) + "\n")
    for i in range(samples):
        row = np.zeros(features, dtype=np.int64)
        where = rng.random(features) < 0.05
        row[where] = rng.negative_binomial(2, 0.05, size=where.sum()) + 1
        f.write(ids[i] + "," + ",".join(map(str, row.tolist())) + "\n")
"""


def sparse_memory(meta):
    features = 20000
    table = os.path.join(OUT, f"bench-sparse-{SAMPLES}x{features}.csv")
    if not os.path.exists(table):
        subprocess.run([sys.executable, "-c", SPARSE, table, meta, str(SAMPLES), str(features)], check=True)
    floor = min(run([BIN, "diversity", table, "--metrics", "shannon", "-o", os.path.join(OUT, "sparse-shannon.csv"), "--force"])
                for _ in range(REPEATS))
    print(f"Memory on a sparse table, {SAMPLES:,} × {features:,}, 5% non-zero (one dense block: "
          f"{SAMPLES * features * 8 / 2**20:.0f} MiB); best of {REPEATS}")
    print(f"  reading it (diversity shannon)   : {floor[0]:6.2f} s, peak RSS {floor[1]:6.1f} MiB")
    for method, extra in [("ancombc", []), ("ancombc2", ["--no-pseudo-sens"]), ("linda", [])]:
        ours = min(run([BIN, "associate", "--counts", table, "--metadata", meta, "--formula", "~ phq9 + age + sex + bmi",
                        "--method", method, "--min-prevalence", "0", "--out-dir", os.path.join(OUT, f"sparse-{method}"), "--force"]
                       + extra) for _ in range(REPEATS))
        print(f"  associate --method {method:9s}    : {ours[0]:6.2f} s, peak RSS {ours[1]:6.1f} MiB")


def main():
    os.makedirs(OUT, exist_ok=True)
    counts = os.path.join(OUT, f"bench-assoc-{SAMPLES}x{TAXA}.csv")
    base = os.path.join(OUT, f"bench-assoc-meta-{SAMPLES}.csv")
    if not (os.path.exists(counts) and os.path.exists(base)):
        subprocess.run([sys.executable, "-c", GENERATE, counts, base, str(SAMPLES), str(TAXA)], check=True, capture_output=True)
    meta = os.path.join(OUT, f"bench-linda-meta-{SAMPLES}.csv")
    subprocess.run([sys.executable, "-c", ADD_BMI, base, meta], check=True)
    ours_dir = os.path.join(OUT, "ancombc-moodbiome")
    theirs_path = os.path.join(OUT, "ancombc-skbio.csv")
    ours, theirs = best_interleaved([BIN, "associate", "--counts", counts, "--metadata", meta, "--formula", "~ phq9 + age + sex + bmi",
                                     "--method", "ancombc", "--min-prevalence", "0", "--out-dir", ours_dir, "--force"],
                                    [sys.executable, "-c", SKBIO, counts, meta, theirs_path], rounds=REPEATS, each=EACH)
    print(f"ANCOM-BC, {SAMPLES:,} samples × {TAXA:,} features, ~ phq9 + age + sex + bmi; best of {REPEATS} (scikit-bio) "
          f"and of {REPEATS * EACH} (moodbiome, {EACH} after each scikit-bio run)")
    print(f"  moodbiome          : {ours[0]:7.3f} s wall, peak RSS {ours[1]:7.1f} MiB")
    print(f"  scikit-bio 0.7.4   : {theirs[0]:7.3f} s wall, peak RSS {theirs[1]:7.1f} MiB  "
          f"({compared('ancombc_vs_skbio', theirs[0] / ours[0])} slower; memory {ours[1] / theirs[1]:.2f}× of scikit-bio's)")
    print(f"  agreement          : max difference {agreement(os.path.join(ours_dir, 'all_results.csv'), theirs_path)}")
    # ANCOM-BC2, zeros as missing values, without the pseudo-count
    # sensitivity reruns (scikit-bio's ancombc2 runs none).
    ours_dir = os.path.join(OUT, "ancombc2-moodbiome")
    theirs_path = os.path.join(OUT, "ancombc2-skbio.csv")
    ours, theirs = best_interleaved([BIN, "associate", "--counts", counts, "--metadata", meta, "--formula", "~ phq9 + age + sex + bmi",
                                     "--method", "ancombc2", "--min-prevalence", "0", "--no-pseudo-sens", "--out-dir", ours_dir, "--force"],
                                    [sys.executable, "-c", SKBIO2, counts, meta, theirs_path], rounds=REPEATS, each=EACH)
    print(f"ANCOM-BC2 (zeros as missing values), the same table and model; best of {REPEATS} (scikit-bio) and of {REPEATS * EACH} (moodbiome)")
    print(f"  moodbiome          : {ours[0]:7.3f} s wall, peak RSS {ours[1]:7.1f} MiB")
    print(f"  scikit-bio 0.7.4   : {theirs[0]:7.3f} s wall, peak RSS {theirs[1]:7.1f} MiB  "
          f"({compared('ancombc2_vs_skbio', theirs[0] / ours[0])} slower; memory {ours[1] / theirs[1]:.2f}× of scikit-bio's)")
    print(f"  agreement          : max difference {agreement(os.path.join(ours_dir, 'all_results.csv'), theirs_path)}")
    sparse_memory(meta)


if __name__ == "__main__":
    main()
