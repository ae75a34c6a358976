#!/usr/bin/env python3
"""Reference values for Moodbiome's regression models and hypothesis tests.

Tools: statsmodels (OLS with HC0-HC3, Logit, multipletests, VIF), SciPy
(correlations, group tests), NumPy, pandas, patsy -- versions written into
each output's header. Run from the repository root:

    python3 Tests/MoodbiomeTests/Fixtures/generate_regression_statsmodels.py

Writes:
- regression-data.csv: a generated study (seeded NumPy PCG64, seed 20261125)
  with numeric and text covariates, missing values spelled NA / empty /
  NULL / nan, a score and two binary outcomes.
- regression-statsmodels.csv: model, cov_type, term, estimate, std_error,
  statistic, p_value, conf_low, conf_high, vif, std_estimate (beta times
  sd(column)/sd(y), NumPy sample SDs on statsmodels' design).
- regression-fit-statsmodels.csv: model, statistic, value.
- tests-scipy.csv: test, case, statistic, p_value.

Term names are patsy's with two spellings mapped to Moodbiome's formula
language (`I(age ** 2)` -> `I(age ^ 2)`, `np.log(bmi)` -> `log(bmi)`).
Robust (HC) fits use `use_t=True`, i.e. t tests on the residual degrees of
freedom, as Moodbiome and R's lmtest::coeftest do. VIF: statsmodels'
variance_inflation_factor for one-column terms; for multi-column terms the
generalised VIF det(R11) det(R22) / det(R) of Fox & Monette (1992) from
NumPy determinants of the predictors' correlation matrix.
"""
import csv
import pathlib

import numpy as np
import pandas as pd
import patsy
import scipy
import statsmodels
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.outliers_influence import variance_inflation_factor

here = pathlib.Path(__file__).parent


def num(value):
    """Shortest round-trip text of a float (NumPy 2 scalars print as np.float64(...))."""
    return repr(float(value))


header = f"# numpy {np.__version__}; pandas {pd.__version__}; patsy {patsy.__version__}; statsmodels {statsmodels.__version__}; scipy {scipy.__version__}; generate_regression_statsmodels.py\n"

rng = np.random.default_rng(20261125)
n = 240
age = np.round(rng.uniform(18, 75, n), 1)
bmi = np.round(rng.normal(26, 4.5, n), 2)
sex = rng.choice(["F", "M"], n, p=[0.55, 0.45])
group = rng.choice(["control", "mild", "severe"], n)
shannon = np.round(rng.normal(3.2, 0.55, n), 4)
noise = rng.normal(0, 3.2 * (1 + 0.4 * (sex == "F")), n)  # heteroscedastic
phq9 = np.clip(np.round(14 - 1.6 * shannon + 0.06 * age + 1.8 * (sex == "F") + 0.12 * (bmi - 26)
                        + 1.5 * (group == "severe") + noise), 0, 27)
lin = -4 + 0.9 * (sex == "F") - 0.5 * shannon + 0.05 * age + 0.08 * (bmi - 26)
depressed = (rng.uniform(size=n) < 1 / (1 + np.exp(-lin - 2.5))).astype(int)
data = pd.DataFrame({
    "participant": [f"P{i:03d}" for i in range(1, n + 1)],
    "phq9": phq9, "shannon": shannon, "age": age, "bmi": bmi, "sex": sex, "group": group,
    "depressed": depressed,
})
# Missing values, spelled the ways real tables spell them.
text = data.astype(object)
for col, rows, token in [("bmi", rng.choice(n, 14, replace=False), "NA"),
                         ("phq9", rng.choice(n, 6, replace=False), ""),
                         ("sex", rng.choice(n, 4, replace=False), "NULL"),
                         ("shannon", rng.choice(n, 3, replace=False), "nan")]:
    for r in rows:
        text.loc[r, col] = token
text["phq9"] = [v if v == "" else str(int(v)) for v in text["phq9"]]
text.to_csv(here / "regression-data.csv", index=False)

frame = pd.read_csv(here / "regression-data.csv", na_values=["NA", "", "NULL", "nan"], keep_default_na=False)

models = {
    "main": ("phq9 ~ shannon + age + C(sex) + bmi", "phq9 ~ shannon + age + C(sex) + bmi"),
    "interaction": ("phq9 ~ shannon * C(group) + I(age ^ 2) + log(bmi) + sex",
                    "phq9 ~ shannon * C(group) + I(age ** 2) + np.log(bmi) + sex"),
    "textfactor": ("phq9 ~ sex + group + age:bmi", "phq9 ~ sex + group + age:bmi"),
    "nointercept": ("phq9 ~ C(group) + shannon - 1", "phq9 ~ C(group) + shannon - 1"),
    "reference": ("phq9 ~ shannon + C(group, ref=\"severe\")", "phq9 ~ shannon + C(group, Treatment(reference='severe'))"),
}


def ours(name):
    return (name.replace("I(age ** 2)", "I(age ^ 2)").replace("np.log(bmi)", "log(bmi)")
            .replace("C(group, Treatment(reference='severe'))", "C(group, ref=\"severe\")"))


def gvif(exog, names):
    """Generalised VIF per column (by its term) from determinants."""
    cols = [i for i, c in enumerate(names) if c != "Intercept"]
    x = exog[:, cols]
    r = np.corrcoef(x, rowvar=False)
    term_of = [c.split("[")[0] if ":" not in c else ":".join(p.split("[")[0] for p in c.split(":")) for c in np.array(names)[cols]]
    out = {}
    for t in dict.fromkeys(term_of):
        inside = [k for k, tt in enumerate(term_of) if tt == t]
        outside = [k for k, tt in enumerate(term_of) if tt != t]
        det_in = np.linalg.det(r[np.ix_(inside, inside)])
        det_out = np.linalg.det(r[np.ix_(outside, outside)]) if outside else 1.0
        value = det_in * det_out / np.linalg.det(r)
        if len(inside) == 1:  # cross-check against statsmodels' regression VIF
            value = variance_inflation_factor(exog, cols[inside[0]])
        for k in inside:
            out[np.array(names)[cols][k]] = value
    return out


coef_rows, fit_rows = [], []
for model, (our_formula, patsy_formula) in models.items():
    for cov in ["nonrobust", "HC0", "HC1", "HC2", "HC3"]:
        fit = smf.ols(patsy_formula, data=frame).fit(cov_type=cov, use_t=True)
        ci = fit.conf_int(0.05)
        names = list(fit.params.index)
        vif = gvif(fit.model.exog, names) if "Intercept" in names and cov == "nonrobust" else {}
        # Standardised coefficient: beta * sd(column) / sd(y), sample SDs (ddof 1) over the model's rows.
        sd_y = np.std(fit.model.endog, ddof=1)
        for k, term in enumerate(names):
            std = fit.params[term] * np.std(fit.model.exog[:, k], ddof=1) / sd_y if term != "Intercept" and cov == "nonrobust" else None
            coef_rows.append([model, cov.lower(), ours(term), num(fit.params[term]), num(fit.bse[term]),
                              num(fit.tvalues[term]), num(fit.pvalues[term]), num(ci.loc[term, 0]),
                              num(ci.loc[term, 1]), num(vif[term]) if term in vif else "NA",
                              num(std) if std is not None else "NA"])
        if cov == "nonrobust":
            for key, value in [("formula", our_formula), ("nobs", fit.nobs), ("df_residual", fit.df_resid),
                               ("r_squared", fit.rsquared), ("adj_r_squared", fit.rsquared_adj),
                               ("sigma", np.sqrt(fit.scale)), ("f_statistic", fit.fvalue),
                               ("f_p_value", fit.f_pvalue), ("log_likelihood", fit.llf)]:
                fit_rows.append([model, key, value if key == "formula" else num(float(value))])

logit_models = {
    "logit": ("depressed ~ shannon + age + C(sex) + bmi", "depressed ~ shannon + age + C(sex) + bmi"),
    "logit_interaction": ("depressed ~ shannon * sex + group", "depressed ~ shannon * sex + group"),
}
for model, (our_formula, patsy_formula) in logit_models.items():
    fit = smf.logit(patsy_formula, data=frame).fit(disp=0, tol=1e-14, maxiter=100)
    ci = fit.conf_int(0.05)
    for term in fit.params.index:
        coef_rows.append([model, "nonrobust", ours(term), num(fit.params[term]), num(fit.bse[term]),
                          num(fit.tvalues[term]), num(fit.pvalues[term]), num(ci.loc[term, 0]),
                          num(ci.loc[term, 1]), "NA", "NA"])
    for key, value in [("formula", our_formula), ("nobs", fit.nobs), ("df_residual", fit.df_resid),
                       ("log_likelihood", fit.llf), ("deviance", -2 * fit.llf), ("null_deviance", -2 * fit.llnull),
                       ("aic", fit.aic), ("bic", fit.bic), ("pseudo_r_squared", fit.prsquared)]:
        fit_rows.append([model, key, value if key == "formula" else num(float(value))])

with (here / "regression-statsmodels.csv").open("w", newline="") as f:
    f.write(header)
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["model", "cov_type", "term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high", "vif", "std_estimate"])
    w.writerows(coef_rows)
with (here / "regression-fit-statsmodels.csv").open("w", newline="") as f:
    f.write(header)
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["model", "statistic", "value"])
    w.writerows(fit_rows)

# Hypothesis tests on vectors written into the file (x;y or groups separated by |).
trng = np.random.default_rng(7)
cases = []
def vec(v):
    return ";".join(num(float(a)) for a in v)
small_x = trng.normal(size=12); small_y = small_x * 0.4 + trng.normal(size=12)
big_x = trng.normal(size=150); big_y = big_x * 0.2 + trng.normal(size=150)
tie_x = trng.integers(0, 5, 60).astype(float); tie_y = (tie_x + trng.integers(0, 4, 60)).astype(float)
for name, x, y in [("small", small_x, small_y), ("large", big_x, big_y), ("ties", tie_x, tie_y)]:
    for test, fn in [("pearson", stats.pearsonr), ("spearman", stats.spearmanr), ("kendall", stats.kendalltau)]:
        r = fn(x, y)
        cases.append([test, name, vec(x) + "|" + vec(y), num(float(r.statistic)), num(float(r.pvalue))])
g1 = trng.normal(0, 1, 7); g2 = trng.normal(0.8, 2, 6)
l1 = trng.normal(0, 1, 40); l2 = trng.normal(0.5, 1.5, 55)
t1 = trng.integers(0, 6, 30).astype(float); t2 = trng.integers(1, 8, 25).astype(float)
for name, a, b in [("small", g1, g2), ("large", l1, l2), ("ties", t1, t2)]:
    r = stats.ttest_ind(a, b, equal_var=False)
    cases.append(["welch", name, vec(a) + "|" + vec(b), num(float(r.statistic)), num(float(r.pvalue))])
    r = stats.mannwhitneyu(a, b, alternative="two-sided")
    cases.append(["mannwhitney", name, vec(a) + "|" + vec(b), num(float(r.statistic)), num(float(r.pvalue))])
k3 = [trng.normal(0, 1, 15), trng.normal(0.5, 1, 12), trng.normal(1, 1, 18)]
kt = [trng.integers(0, 5, 20).astype(float), trng.integers(1, 6, 16).astype(float), trng.integers(2, 7, 22).astype(float)]
for name, groups in [("continuous", k3), ("ties", kt)]:
    r = stats.kruskal(*groups)
    cases.append(["kruskal", name, "|".join(vec(g) for g in groups), num(float(r.statistic)), num(float(r.pvalue))])
for name, groups in [("continuous", k3), ("ties", kt)]:
    r = stats.f_oneway(*groups)
    cases.append(["anova", name, "|".join(vec(g) for g in groups), num(r.statistic), num(r.pvalue)])
for name, table in [("2x2", [[12, 5], [7, 15]]), ("3x4", [[10, 4, 6, 2], [3, 8, 5, 9], [6, 6, 1, 12]])]:
    r = stats.chi2_contingency(np.array(table), correction=False)
    cases.append(["chisq", name, "|".join(vec(row) for row in table), num(r.statistic), num(r.pvalue)])
pvals = np.array([0.01, 0.04, 0.03, 0.2, 0.0005, 0.5, 0.04, 0.9])
for method, sm in [("bh", "fdr_bh"), ("holm", "holm"), ("bonferroni", "bonferroni")]:
    adjusted = multipletests(pvals, method=sm)[1]
    cases.append(["adjust-" + method, "eight", vec(pvals) + "|" + vec(adjusted), "NA", "NA"])
with (here / "tests-scipy.csv").open("w", newline="") as f:
    f.write(header)
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["test", "case", "data", "statistic", "p_value"])
    w.writerows(cases)
print("wrote regression-data.csv, regression-statsmodels.csv, regression-fit-statsmodels.csv, tests-scipy.csv")
