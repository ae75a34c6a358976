#!/usr/bin/env python3
"""End-to-end reference for `moodbiome analyze`, computed without Moodbiome.

Tools: scikit-bio (alpha diversity), pandas (the join), statsmodels (OLS,
Logit, multipletests), SciPy (Spearman) -- versions written into the
output's header. Run from the repository root:

    python3 Tests/MoodbiomeTests/Fixtures/generate_analyze_reference.py

Two studies on the bundled real data:
- bci: vegan's BCI tree counts joined to BCI_env on plot_id;
  EnvHet ~ metric + Habitat + Stream (OLS), for shannon, simpson and
  observed_features.
- twins: Turnbaugh's twins genus counts (taxa as rows) joined to
  Datasets/twins/metadata.tsv; obese ~ metric (Logit), same metrics.
Writes analyze-reference.csv: study, metric, term, estimate, std_error,
p_value, q_value (BH across the metric terms; NA for other terms), and
rows term = "spearman" holding rho and its p-value.
"""
import csv
import pathlib

import numpy as np
import pandas as pd
import scipy
import skbio
import statsmodels
import statsmodels.formula.api as smf
from scipy import stats
from skbio.diversity import alpha_diversity
from statsmodels.stats.multitest import multipletests

root = pathlib.Path(__file__).resolve().parents[3]
out = pathlib.Path(__file__).with_name("analyze-reference.csv")
metrics = ["shannon", "simpson", "observed_features"]


def alpha(counts):
    """counts: samples x taxa DataFrame -> DataFrame of the metrics."""
    values = {m: alpha_diversity(m, counts.values, ids=list(counts.index)) for m in metrics}
    return pd.DataFrame({m: v.values for m, v in values.items()}, index=counts.index)


rows = []


def study(name, diversity, metadata, outcome, covariates, logistic):
    merged = metadata.join(diversity, how="inner")
    pvals, fits = [], []
    for m in metrics:
        formula = f"{outcome} ~ {' + '.join([m] + covariates)}"
        data = merged[[outcome, m] + covariates].dropna()
        fit = (smf.logit(formula, data=data).fit(disp=0, tol=1e-14, maxiter=100) if logistic
               else smf.ols(formula, data=data).fit())
        fits.append((m, fit))
        pvals.append(fit.pvalues[m])
    q = multipletests(pvals, method="fdr_bh")[1]
    for (m, fit), qv in zip(fits, q):
        for term in fit.params.index:
            rows.append([name, m, term, repr(float(fit.params[term])), repr(float(fit.bse[term])),
                         repr(float(fit.pvalues[term])), repr(float(qv)) if term == m else "NA"])
        both = merged[[m, outcome]].dropna()
        rho = stats.spearmanr(both[m], both[outcome])
        rows.append([name, m, "spearman", repr(float(rho.statistic)), "NA", repr(float(rho.pvalue)), "NA"])


bci = pd.read_csv(root / "Datasets/vegan-bci/BCI_counts.csv", index_col=0)
bci.index = bci.index.astype(str)
env = pd.read_csv(root / "Datasets/vegan-bci/BCI_env.csv", index_col=0)
env.index = env.index.astype(str)
study("bci", alpha(bci), env, "EnvHet", ["Habitat", "Stream"], logistic=False)

twins = pd.read_csv(root / "Datasets/twins/Twins.csv", index_col=0).T
meta = pd.read_csv(root / "Datasets/twins/metadata.tsv", sep="\t", index_col=0, skiprows=[1])
study("twins", alpha(twins), meta, "obese", [], logistic=True)

with out.open("w", newline="") as f:
    f.write(f"# scikit-bio {skbio.__version__}; pandas {pd.__version__}; statsmodels {statsmodels.__version__}; scipy {scipy.__version__}; generate_analyze_reference.py\n")
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["study", "metric", "term", "estimate", "std_error", "p_value", "q_value"])
    w.writerows(rows)
print(f"wrote {len(rows)} rows")
