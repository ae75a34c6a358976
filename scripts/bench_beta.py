#!/usr/bin/env python3
"""Benchmark: beta diversity and PERMANOVA against scikit-bio and vegan.

Run with `make bench` (builds the release CLI first). Needs numpy, pandas,
scikit-bio (pip) and R with vegan (Debian: r-cran-vegan).

1. Bray–Curtis, end to end (read the table, compute, write the square
   matrix as TSV) on a generated 2,000-sample × 5,000-taxon count table
   (numpy seed 3; negative-binomial counts, ~12% non-zero, as amplicon
   tables are):
   - moodbiome beta TABLE --metric braycurtis -o OUT.tsv
   - python: pandas.read_csv + skbio.diversity.beta_diversity("braycurtis")
     + DistanceMatrix.write (TSV).
2. PERMANOVA with three terms (`~ phq9 + age + sex`) on a 1,000-sample
   Bray–Curtis matrix and its metadata, 999 permutations:
   - moodbiome permanova MATRIX --metadata META --formula F --permutations 999 --seed 1
   - R: read the matrix and metadata, vegan::adonis2(as.dist(M) ~ phq9 + age + sex,
     permutations = 999) (one core, vegan's default), write the table.
3. Checks the outputs agree and prints the ratios, wall time and peak memory
   (each run a fresh process, best of three).
"""
import os
import subprocess
import sys
import time
from benchcommon import compared, run

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "bench-out")
BIN = os.path.join(ROOT, ".build", "release", "moodbiome")
REPEATS = 3

GENERATE_TABLE = r"""
import sys
import numpy as np
rng = np.random.default_rng(3)
samples, taxa = int(sys.argv[2]), int(sys.argv[3])
abundance = rng.lognormal(0, 2, taxa)
abundance /= abundance.sum()
presence = rng.random((samples, taxa)) < np.clip(0.08 + 40 * abundance, 0, 0.9)
mean = abundance * 20000 * 8
counts = rng.negative_binomial(2, 2 / (2 + mean), size=(samples, taxa)) * presence
with open(sys.argv[1], "w") as f:
    f.write("sample_id," + ",".join(f"T{k}" for k in range(taxa)) + "\n")
    for i in range(samples):
        f.write(f"S{i}," + ",".join(map(str, counts[i])) + "\n")
print(f"{(counts > 0).mean():.3f}")
"""

GENERATE_META = r"""
import sys
import numpy as np
rng = np.random.default_rng(4)
n = int(sys.argv[2])
with open(sys.argv[1], "w") as f:
    f.write("sample_id,phq9,age,sex\n")
    for i in range(n):
        f.write(f"S{i},{rng.integers(0, 28)},{rng.integers(18, 80)},{rng.choice(['F', 'M'])}\n")
"""

SKBIO = r"""
import sys
import pandas as pd
from skbio.diversity import beta_diversity
t = pd.read_csv(sys.argv[1], index_col=0)
dm = beta_diversity("braycurtis", t.values, list(t.index))
dm.write(sys.argv[2])
"""

ADONIS = r"""
suppressMessages(library(vegan))
a <- commandArgs(TRUE)
m <- as.matrix(read.delim(a[1], row.names = 1, check.names = FALSE))
meta <- read.csv(a[2], row.names = 1, stringsAsFactors = TRUE)
meta <- meta[rownames(m), ]
set.seed(1)
r <- adonis2(as.dist(m) ~ phq9 + age + sex, data = meta, permutations = 999)
write.csv(data.frame(term = rownames(r), df = r$Df, sum_of_squares = r$SumOfSqs, r_squared = r$R2,
                     f_statistic = r$F, p_value = r[["Pr(>F)"]]), a[3], row.names = FALSE)
"""

COMPARE_MATRICES = r"""
import sys
import numpy as np
import pandas as pd
import skbio
a = pd.read_csv(sys.argv[1], sep="\t", index_col=0)
b = pd.read_csv(sys.argv[2], sep="\t", index_col=0)
b = b.loc[a.index, a.columns]
rel = (np.abs(a.values - b.values) / np.maximum(np.abs(b.values), 1e-300))[b.values > 0].max()
print(f"distances:{rel:.1e}")
print(f"scikit-bio {skbio.__version__} (pandas {pd.__version__})")
"""

COMPARE_PERMANOVA = r"""
import sys
import pandas as pd
a = pd.read_csv(sys.argv[1]).set_index("term")
b = pd.read_csv(sys.argv[2]).set_index("term")
for col in ["sum_of_squares", "f_statistic"]:
    rel = ((a[col] - b[col]).abs() / b[col].abs()).max()
    print(f"{col}:{rel:.1e}")
print("p moodbiome " + " ".join(f"{v:g}" for v in a.p_value.dropna()) + " / vegan " + " ".join(f"{v:g}" for v in b.p_value.dropna()))
print("vegan " + sys.argv[3])
"""


def report(key, name, ours, theirs, peer, agreement):
    o_wall, o_mem = min(w for w, _ in ours), max(m for _, m in ours)
    t_wall, t_mem = min(w for w, _ in theirs), max(m for _, m in theirs)
    print(f"{name}; best of {REPEATS}")
    print(f"  moodbiome : {o_wall:7.3f} s wall, peak RSS {o_mem:7.1f} MiB")
    print(f"  {peer:10s}: {t_wall:7.3f} s wall, peak RSS {t_mem:7.1f} MiB")
    print(f"  speed-up  : {compared(key, t_wall / o_wall)} faster end to end; memory {o_mem / t_mem:.2f}× of {peer}'s")
    print(f"  agreement : {agreement}")


def main():
    os.makedirs(OUT, exist_ok=True)
    # 1. Bray–Curtis on 2,000 × 5,000.
    table = os.path.join(OUT, "bench-beta-2000x5000.csv")
    if not os.path.exists(table):
        density = subprocess.run([sys.executable, "-c", GENERATE_TABLE, table, "2000", "5000"], check=True,
                                 capture_output=True, text=True).stdout.strip()
        print(f"generated {table} (non-zero fraction {density})")
    ours_out, theirs_out = os.path.join(OUT, "bc-moodbiome.tsv"), os.path.join(OUT, "bc-skbio.tsv")
    ours = [run([BIN, "beta", table, "--metric", "braycurtis", "-o", ours_out, "--force"]) for _ in range(REPEATS)]
    theirs = [run([sys.executable, "-c", SKBIO, table, theirs_out]) for _ in range(REPEATS)]
    lines = subprocess.run([sys.executable, "-c", COMPARE_MATRICES, ours_out, theirs_out], check=True,
                           capture_output=True, text=True).stdout.splitlines()
    report("braycurtis_vs_scikit_bio", f"Bray–Curtis, 2,000 samples × 5,000 taxa, read + compute + write; moodbiome vs {lines[-1]}",
           ours, theirs, "skbio", "max relative difference " + lines[0])

    # 2. PERMANOVA, 1,000 samples, three terms, 999 permutations.
    small = os.path.join(OUT, "bench-beta-1000x5000.csv")
    if not os.path.exists(small):
        subprocess.run([sys.executable, "-c", GENERATE_TABLE, small, "1000", "5000"], check=True, capture_output=True)
    matrix = os.path.join(OUT, "bc-1000.tsv")
    subprocess.run([BIN, "beta", small, "-o", matrix, "--force"], check=True)
    meta = os.path.join(OUT, "bench-beta-meta-1000.csv")
    subprocess.run([sys.executable, "-c", GENERATE_META, meta, "1000"], check=True)
    ours_out, theirs_out = os.path.join(OUT, "permanova-moodbiome.csv"), os.path.join(OUT, "permanova-vegan.csv")
    ours = [run([BIN, "permanova", matrix, "--metadata", meta, "--formula", "~ phq9 + age + sex", "--permutations", "999",
                 "--seed", "1", "-o", ours_out, "--force"]) for _ in range(REPEATS)]
    theirs = [run(["Rscript", "-e", ADONIS, matrix, meta, theirs_out]) for _ in range(REPEATS)]
    version = subprocess.run(["Rscript", "-e", "cat(as.character(packageVersion('vegan')))"], capture_output=True, text=True).stdout
    lines = subprocess.run([sys.executable, "-c", COMPARE_PERMANOVA, ours_out, theirs_out, version], check=True,
                           capture_output=True, text=True).stdout.splitlines()
    report("permanova_vs_vegan", f"PERMANOVA ~ phq9 + age + sex, 1,000 samples, 999 permutations; moodbiome vs {lines[-1]} adonis2",
           ours, theirs, "adonis2", "max relative difference " + ", ".join(lines[:2]) + "; " + lines[2])


if __name__ == "__main__":
    main()
