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
4. Mixed model: a 20,000-observation table in 2,000 groups (numpy seed 3;
   10 observations per group, a random intercept of SD 1 and residual SD 2)
   and `y ~ x1 + x2 + C(s) + (1 | g)` by REML, timed end to end:
   - moodbiome regress TABLE --formula F -o OUT (Satterthwaite df included)
   - R: read.csv + lmerTest::lmer (lme4's default nloptwrap BOBYQA) +
     summary() (Satterthwaite df) + write.csv, and lme4::lmer alone.
   Needs R with lme4 and lmerTest (Debian r-cran-lme4, r-cran-lmertest).
"""
import os
import subprocess
import sys
import time
from benchcommon import compared, run

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


MIXED_ROWS, MIXED_GROUPS = 20_000, 2_000
MIXED_FORMULA = "y ~ x1 + x2 + C(s) + (1 | g)"

GENERATE_MIXED = r"""
import sys
import numpy as np
import pandas as pd
rng = np.random.default_rng(3)
n, k = int(sys.argv[2]), int(sys.argv[3])
g = np.repeat(np.arange(k), n // k)
u = rng.normal(size=k)
d = pd.DataFrame({"x1": rng.normal(size=n).round(6), "x2": rng.normal(size=n).round(6),
                  "s": rng.choice(["F", "M"], n), "g": [f"G{j:04d}" for j in g]})
d["y"] = (1 + 0.5 * d.x1 - 0.3 * d.x2 + (d.s == "M") * 0.4 + u[g] + 2 * rng.normal(size=n)).round(6)
d.insert(0, "id", [f"R{i}" for i in range(n)])
d.to_csv(sys.argv[1], index=False)
"""

LMER = r"""
args <- commandArgs(TRUE)
suppressMessages({ library(lme4); library(lmerTest) })
d <- read.csv(args[1])
if (args[3] == "lmerTest") {
  fit <- lmerTest::lmer(y ~ x1 + x2 + s + (1 | g), data = d)
  ct <- summary(fit)$coefficients
  write.csv(data.frame(term = rownames(ct), estimate = ct[, 1], std_error = ct[, 2], df = ct[, 3]), args[2], row.names = FALSE)
} else {
  fit <- lme4::lmer(y ~ x1 + x2 + s + (1 | g), data = d)
  ct <- summary(fit)$coefficients
  write.csv(data.frame(term = rownames(ct), estimate = ct[, 1], std_error = ct[, 2]), args[2], row.names = FALSE)
}
cat(as.character(packageVersion("lme4")), as.character(packageVersion("lmerTest")), "\n", file = stderr())
"""


def mixed():
    table = os.path.join(OUT, f"bench-mixed-{MIXED_ROWS}.csv")
    if not os.path.exists(table):
        subprocess.run([sys.executable, "-c", GENERATE_MIXED, table, str(MIXED_ROWS), str(MIXED_GROUPS)], check=True)
    print(f"\nmixed model: {MIXED_ROWS} rows in {MIXED_GROUPS} groups; {MIXED_FORMULA}, REML")
    ours_out = os.path.join(OUT, "lmm-moodbiome.csv")
    test_out, lme4_out = os.path.join(OUT, "lmm-lmertest.csv"), os.path.join(OUT, "lmm-lme4.csv")
    ours = [run([BIN, "regress", table, "--formula", MIXED_FORMULA, "-o", ours_out, "--force"]) for _ in range(REPEATS)]
    lmertest = [run(["Rscript", "-e", LMER, table, test_out, "lmerTest"]) for _ in range(REPEATS)]
    lme4 = [run(["Rscript", "-e", LMER, table, lme4_out, "lme4"]) for _ in range(REPEATS)]
    versions = subprocess.run(["Rscript", "-e", "cat(as.character(packageVersion('lme4')), as.character(packageVersion('lmerTest')))"],
                              capture_output=True, text=True).stdout.split()
    import csv
    a = list(csv.DictReader(open(ours_out)))
    b = list(csv.DictReader(open(test_out)))
    rel = {col: max(abs(float(x[col]) - float(y[col])) / abs(float(y[col])) for x, y in zip(a, b)) for col in ["estimate", "std_error", "df"]}
    best = lambda runs: (min(w for w, _ in runs), max(m for _, m in runs))
    (o_wall, o_mem), (t_wall, t_mem), (l_wall, l_mem) = best(ours), best(lmertest), best(lme4)
    print(f"moodbiome vs lme4 {versions[0]} / lmerTest {versions[1]}; best of {REPEATS}")
    print(f"  moodbiome           : {o_wall:7.3f} s wall, peak RSS {o_mem:7.1f} MiB (REML fit + Satterthwaite df)")
    print(f"  lmerTest + summary  : {t_wall:7.3f} s wall, peak RSS {t_mem:7.1f} MiB")
    print(f"  lme4::lmer (no df)  : {l_wall:7.3f} s wall, peak RSS {l_mem:7.1f} MiB")
    print(f"  speed-up            : {compared('mixed_vs_lmertest', t_wall / o_wall)} lmerTest, {compared('mixed_vs_lme4', l_wall / o_wall)} lme4 alone, end to end")
    print("  agreement           : max relative difference " + ", ".join(f"{k}:{v:.1e}" for k, v in rel.items())
          + " (lme4's default optimiser tolerances, 1e-8, are the limit)")


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
    print(f"  speed-up   : {compared('ols_hc3_vs_statsmodels', t_wall / o_wall)} faster end to end; memory {o_mem / t_mem:.2f}× of statsmodels'")
    print(f"  agreement  : max relative difference " + ", ".join(lines[:-1]))
    mixed()


if __name__ == "__main__":
    main()
