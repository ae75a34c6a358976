#!/usr/bin/env python3
"""Benchmark: `moodbiome regress` against statsmodels on a 200,000-row study.

Run with `make bench` (builds the release CLI first). Needs numpy, pandas,
patsy and statsmodels (`pip install statsmodels pandas`).

1. Generates a participant table (numpy seed 2): 200,000 rows, five numeric
   covariates, a 4-level and a 2-level categorical one, 2% missing values,
   written as CSV (~20 MB) under bench-out/.
2. Fits `y ~ x1 + x2 + x3 + x4 + x5 + C(g) + s + x1:s` with HC3 standard
   errors, each in a fresh process timed end to end (read, fit, write):
   - moodbiome regress TABLE --formula F --robust hc3 -o OUT
   - python: pandas.read_csv + statsmodels.formula.api.ols(...).fit(
     cov_type="HC3", use_t=True) + the tidy table written with to_csv.
3. Checks the estimates and standard errors agree and prints the ratios.
"""
import os
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "bench-out")
BIN = os.path.join(ROOT, ".build", "release", "moodbiome")
ROWS = 200_000
REPEATS = 3
FORMULA = "y ~ x1 + x2 + x3 + x4 + x5 + C(g) + s + x1:s"

GENERATE = r"""
import sys
import numpy as np
import pandas as pd
rng = np.random.default_rng(2)
n = int(sys.argv[2])
d = pd.DataFrame({f"x{k}": rng.normal(size=n).round(6) for k in range(1, 6)})
d["g"] = rng.choice(["a", "b", "c", "d"], n)
d["s"] = rng.choice(["F", "M"], n)
d["y"] = (1 + 0.5 * d.x1 - 0.2 * d.x2 + 0.1 * d.x3 + (d.g == "c") * 0.3 + (d.s == "M") * 0.2
          + rng.normal(size=n) * (1 + 0.5 * np.abs(d.x1))).round(6)
for col in ["x2", "y"]:
    d.loc[rng.random(n) < 0.01, col] = np.nan
d.insert(0, "id", [f"P{i}" for i in range(n)])
d.to_csv(sys.argv[1], index=False, na_rep="NA")
"""

STATSMODELS = r"""
import sys
import pandas as pd
import statsmodels.formula.api as smf
d = pd.read_csv(sys.argv[1])
fit = smf.ols(sys.argv[3], data=d).fit(cov_type="HC3", use_t=True)
ci = fit.conf_int()
pd.DataFrame({"term": fit.params.index, "estimate": fit.params.values, "std_error": fit.bse.values,
              "statistic": fit.tvalues.values, "p_value": fit.pvalues.values,
              "conf_low": ci[0].values, "conf_high": ci[1].values}).to_csv(sys.argv[2], index=False)
"""

COMPARE = r"""
import sys
import pandas as pd
import statsmodels
a = pd.read_csv(sys.argv[1]).set_index("term")
b = pd.read_csv(sys.argv[2]).set_index("term")
b.index = [t.replace("s[T.M]", "s[T.M]") for t in b.index]
common = a.index.intersection(b.index)
assert len(common) == len(b), (list(a.index), list(b.index))
for col in ["estimate", "std_error"]:
    rel = ((a.loc[common, col] - b.loc[common, col]).abs() / b.loc[common, col].abs()).max()
    print(f"{col}:{rel:.1e}")
print(f"statsmodels {statsmodels.__version__} (pandas {pd.__version__})")
"""


def run(cmd):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err}")
    return wall, usage.ru_maxrss / 1024.0


def main():
    os.makedirs(OUT, exist_ok=True)
    table = os.path.join(OUT, f"bench-models-{ROWS}.csv")
    if not os.path.exists(table):
        subprocess.run([sys.executable, "-c", GENERATE, table, str(ROWS)], check=True)
    print(f"table: {ROWS} rows, {os.path.getsize(table) / 1e6:.1f} MB; formula {FORMULA}, HC3")
    ours_out, theirs_out = os.path.join(OUT, "ols-moodbiome.csv"), os.path.join(OUT, "ols-statsmodels.csv")
    ours = [run([BIN, "regress", table, "--formula", FORMULA, "--robust", "hc3", "-o", ours_out, "--force"]) for _ in range(REPEATS)]
    theirs = [run([sys.executable, "-c", STATSMODELS, table, theirs_out, FORMULA]) for _ in range(REPEATS)]
    lines = subprocess.run([sys.executable, "-c", COMPARE, ours_out, theirs_out], check=True, capture_output=True, text=True).stdout.splitlines()
    o_wall, o_mem = min(w for w, _ in ours), max(m for _, m in ours)
    t_wall, t_mem = min(w for w, _ in theirs), max(m for _, m in theirs)
    print(f"moodbiome vs {lines[-1]}; best of {REPEATS}")
    print(f"  moodbiome  : {o_wall:7.3f} s wall, peak RSS {o_mem:7.1f} MiB")
    print(f"  statsmodels: {t_wall:7.3f} s wall, peak RSS {t_mem:7.1f} MiB")
    print(f"  speed-up   : {t_wall / o_wall:.1f}× faster end to end; memory {o_mem / t_mem:.2f}× of statsmodels'")
    print(f"  agreement  : max relative difference " + ", ".join(lines[:-1]))


if __name__ == "__main__":
    main()
