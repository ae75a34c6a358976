#!/usr/bin/env python3
"""Benchmark: alpha diversity of a population-scale BIOM 2.1 table.

Run with `make bench` (builds the release CLI first). Needs numpy, scipy,
h5py and biom-format 2.1 (`pip install biom-format h5py scipy`).

1. Generates sparse count tables as BIOM 2.1 HDF5 with biom-format's
   Table.to_hdf5 (numpy seed 1): 50,000 samples × 100,000 features with
   10 million non-zeros (a dense copy would be 40 GB), and smaller ones with
   10^5 and 10^6 non-zeros, under bench-out/ (kept between runs).
2. Runs, each in its own fresh process, timed end to end with its peak
   resident memory (ru_maxrss from wait4), best of 3:
   - moodbiome diversity TABLE --metrics shannon,simpson,observed_features -o OUT
   - python: biom.load_table + SciPy sparse arithmetic on the sample-major
     CSC matrix (the Python way to do it at this size), written with numpy.
3. Checks the outputs agree (max relative difference) and prints a table of
   time and memory against the number of non-zeros.
"""
import os
import subprocess
import sys
import time
from benchcommon import compared, run_with_stderr as run

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "bench-out")
BIN = os.path.join(ROOT, ".build", "release", "moodbiome")
SIZES = [(5_000, 10_000, 100_000), (20_000, 40_000, 1_000_000), (50_000, 100_000, 10_000_000)]
REPEATS = 3

GENERATE = r"""
import sys
import numpy as np
import scipy.sparse as sp
import biom, h5py
samples, features, nnz, path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = np.random.default_rng(1)
# Features with log-normal prevalence; each sample draws its features without
# duplicates by rejection on a linear index.
rows = rng.integers(0, features, size=int(nnz * 1.02))
cols = rng.integers(0, samples, size=int(nnz * 1.02))
key = np.unique(cols.astype(np.int64) * features + rows)
key = np.sort(rng.permutation(key)[:nnz])
cols, rows = key // features, key % features
data = rng.geometric(0.05, size=key.size).astype(np.float64)
m = sp.csc_matrix((data, (rows, cols)), shape=(features, samples))
t = biom.Table(m, [f"F{i}" for i in range(features)], [f"S{j}" for j in range(samples)])
with h5py.File(path, "w") as f:
    t.to_hdf5(f, "moodbiome benchmark")
print(m.nnz)
"""

PYTHON = r"""
import sys, time
t0 = time.perf_counter()
import numpy as np
import biom
table = biom.load_table(sys.argv[1])
m = table.matrix_data.tocsc()          # features × samples, one column per sample
t1 = time.perf_counter()
counts = np.diff(m.indptr)
starts = m.indptr[:-1]
nonempty = counts > 0
totals = np.zeros(m.shape[1])
totals[nonempty] = np.add.reduceat(m.data, starts[nonempty])
p = m.data / np.repeat(totals, counts)
shannon = np.full(m.shape[1], np.nan)
simpson = np.full(m.shape[1], np.nan)
shannon[nonempty] = -np.add.reduceat(p * np.log(p), starts[nonempty])
simpson[nonempty] = 1 - np.add.reduceat(p * p, starts[nonempty])
observed = counts.astype(float)
t2 = time.perf_counter()
with open(sys.argv[2], "w") as fh:
    fh.write("sample_id,shannon,simpson,observed_features\n")
    for sid, h, s, o in zip(table.ids(), shannon, simpson, observed):
        fh.write(f"{sid},{h!r},{s!r},{int(o)}\n")
print(f"{t1 - t0:.3f} {t2 - t1:.3f}", file=sys.stderr)
"""

COMPARE = r"""
import sys, numpy as np
a = np.genfromtxt(sys.argv[1], delimiter=",", skip_header=1, usecols=(1, 2, 3))
b = np.genfromtxt(sys.argv[2], delimiter=",", skip_header=1, usecols=(1, 2, 3))
print(f"{np.nanmax(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)):.2e}")
"""


def main():
    os.makedirs(OUT, exist_ok=True)
    import biom
    print(f"alpha diversity of BIOM 2.1 tables: moodbiome vs biom-format {biom.__version__} + SciPy sparse; best of {REPEATS}")
    print(f"{'samples':>8} {'features':>9} {'non-zeros':>11} {'file MB':>8} | {'moodbiome s':>11} {'MiB':>6} | {'python s':>9} {'MiB':>7} | {'speed-up':>8} {'agreement':>9}")
    for samples, features, nnz in SIZES:
        path = os.path.join(OUT, f"population-{nnz}.biom")
        if not os.path.exists(path):
            subprocess.run([sys.executable, "-c", GENERATE, str(samples), str(features), str(nnz), path], check=True, capture_output=True)
        ours_out, theirs_out = path + ".moodbiome.csv", path + ".python.csv"
        ours = [run([BIN, "diversity", path, "--metrics", "shannon,simpson,observed_features", "-o", ours_out, "--force"]) for _ in range(REPEATS)]
        theirs = [run([sys.executable, "-c", PYTHON, path, theirs_out]) for _ in range(REPEATS)]
        o_wall, o_mem = min(w for w, _, _ in ours), max(m for _, m, _ in ours)
        t_wall, t_mem = min(w for w, _, _ in theirs), max(m for _, m, _ in theirs)
        rel = subprocess.run([sys.executable, "-c", COMPARE, ours_out, theirs_out], check=True, capture_output=True, text=True).stdout.strip()
        size = os.path.getsize(path) / 1e6
        print(f"{samples:>8} {features:>9} {nnz:>11} {size:>8.1f} | {o_wall:>11.3f} {o_mem:>6.0f} | {t_wall:>9.3f} {t_mem:>7.0f} | {t_wall / o_wall:>7.1f}× {rel:>9}")
        print(f"{'':>8} {'':>9} {'':>11} {'':>8}   speed-up {compared(f'biom_alpha_{nnz}_vs_python', t_wall / o_wall)}")


if __name__ == "__main__":
    main()
