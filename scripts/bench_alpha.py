#!/usr/bin/env python3
"""Benchmark: `moodbiome diversity` against scikit-bio on a 2,000 × 5,000 table.

Run with `make bench` (builds the release CLI first). Needs numpy, pandas and
scikit-bio 0.7 (`pip install scikit-bio pandas`).

1. Generates a count table with 2,000 samples (rows) × 5,000 taxa, ~90% zeros,
   log-normal taxon abundances and negative-binomial counts (numpy seed 1),
   written as CSV (~20 MB) under bench-out/.
2. Runs, each in its own fresh process, timed end to end (wall clock from
   start to exit) with its peak resident memory (ru_maxrss from wait4):
   - moodbiome diversity TABLE --metrics shannon,simpson,chao1 -o OUT
   - python: pandas.read_csv + skbio.diversity.alpha_diversity for the same
     three metrics, written with DataFrame.to_csv.
   The scikit-bio run gets OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset, so
   numpy runs its best kernel.
3. Checks the two outputs agree (max relative difference) and prints the
   wall-time ratio and the memory ratio.
"""
import os
import subprocess
import sys
import time
from benchcommon import compared, run_with_stderr as run


ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "bench-out")
BIN = os.path.join(ROOT, ".build", "release", "moodbiome")
SAMPLES, TAXA = 2000, 5000
REPEATS = 5

SKBIO_SCRIPT = r"""
import sys, time
t0 = time.perf_counter()
import pandas as pd
from skbio.diversity import alpha_diversity
table = pd.read_csv(sys.argv[1], index_col=0)
t1 = time.perf_counter()
out = pd.DataFrame({m: alpha_diversity(m, table.values, ids=table.index)
                    for m in ["shannon", "simpson", "chao1"]})
t2 = time.perf_counter()
out.index.name = "sample_id"
out.to_csv(sys.argv[2])
print(f"{t1 - t0:.3f} {t2 - t1:.3f}", file=sys.stderr)
"""


GENERATE_SCRIPT = r"""
import sys
import numpy as np
SAMPLES, TAXA = 2000, 5000
path = sys.argv[1]
rng = np.random.default_rng(1)
mean_abundance = rng.lognormal(mean=1.0, sigma=1.5, size=TAXA)
presence = rng.random((SAMPLES, TAXA)) < 0.10
lam = rng.gamma(shape=0.5, scale=mean_abundance * 2, size=(SAMPLES, TAXA))
counts = rng.poisson(lam) + 1
counts = np.where(presence, counts, 0)
header = "sample_id," + ",".join(f"taxon_{t}" for t in range(TAXA))
with open(path, "w") as fh:
    fh.write(header + "\n")
    for s in range(SAMPLES):
        fh.write(f"sample_{s}," + ",".join(map(str, counts[s])) + "\n")
print(f"{1 - presence.mean():.4f}")
"""

COMPARE_SCRIPT = r"""
import sys
import pandas as pd
a = pd.read_csv(sys.argv[1], index_col=0)
b = pd.read_csv(sys.argv[2], index_col=0)
print(f"{(abs(a - b) / b.abs().clip(lower=1e-12)).max().max():.2e}")
import skbio
print(f"scikit-bio {skbio.__version__} (pandas {pd.__version__})")
"""


def main():
    os.makedirs(OUT, exist_ok=True)
    table = os.path.join(OUT, "bench-2000x5000.csv")
    if not os.path.exists(table):
        zeros = float(subprocess.run([sys.executable, "-c", GENERATE_SCRIPT, table],
                                     check=True, capture_output=True, text=True).stdout)
        print(f"generated {table}: {SAMPLES} samples × {TAXA} taxa, {zeros:.1%} zeros")
    size = os.path.getsize(table) / 1e6
    print(f"table: {size:.1f} MB")
    ours_out = os.path.join(OUT, "alpha-moodbiome.csv")
    skbio_out = os.path.join(OUT, "alpha-skbio.csv")
    skbio_env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}

    ours, theirs = [], []
    for _ in range(REPEATS):
        ours.append(run([BIN, "diversity", table, "--metrics", "shannon,simpson,chao1", "-o", ours_out, "--force"]))
        theirs.append(run([sys.executable, "-c", SKBIO_SCRIPT, table, skbio_out], env=skbio_env))
    o_wall = min(w for w, _, _ in ours)
    o_mem = max(m for _, m, _ in ours)
    t_wall = min(w for w, _, _ in theirs)
    t_mem = max(m for _, m, _ in theirs)
    t_parts = min((tuple(map(float, e.split())) for _, _, e in theirs), key=sum)

    rel, versions = subprocess.run([sys.executable, "-c", COMPARE_SCRIPT, ours_out, skbio_out],
                                   check=True, capture_output=True, text=True).stdout.splitlines()
    print(f"moodbiome {subprocess.run([BIN, '--version'], capture_output=True, text=True).stdout.strip()} "
          f"vs {versions}; best of {REPEATS}")
    print(f"  moodbiome : {o_wall:7.3f} s wall, peak RSS {o_mem:7.1f} MiB")
    print(f"  scikit-bio: {t_wall:7.3f} s wall, peak RSS {t_mem:7.1f} MiB "
          f"(imports + read_csv {t_parts[0]:.3f} s, alpha_diversity {t_parts[1]:.3f} s)")
    print(f"  speed-up  : {compared('alpha_vs_scikit_bio', t_wall / o_wall)} faster end to end; memory {o_mem / t_mem:.2f}× of scikit-bio's")
    print(f"  agreement : max relative difference {rel}")


if __name__ == "__main__":
    main()
