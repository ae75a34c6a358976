"""Reference values for Core/Analysis/Mediation: statsmodels 0.15's
`Mediation` (Imai, Keele & Tingley 2010) on a simulated diet → Shannon →
PHQ-9 study with a planted indirect effect (a = 0.5, b = -2: ACME -1).

  mediation-data.csv        participant_id, diet (0/1), age, sex, shannon,
                            phq9_total, depressed (phq9_total >= 10)
  mediation-statsmodels.csv case, method, effect, estimate, conf_low,
                            conf_high, p_value — statsmodels' summary rows
  mediation-paths.csv       case, a, a_se, b, b_se, c_prime, c_total: the OLS
                            coefficients (statsmodels OLS) the paths use

Cases: `linear` (OLS outcome, covariates age + sex), `logistic` (the 0/1
outcome `depressed`, Logit), `interaction` (diet × shannon in the outcome
model; formula models, as statsmodels needs them for an interaction).
Quasi-Bayesian ("parametric") with 20,000 draws, bootstrap with 5,000
(2,000 for the interaction case: statsmodels re-evaluates the formulas in
every draw).

Run: python3 Tests/MoodbiomeTests/Fixtures/mediation/generate_mediation_statsmodels.py
"""
import os, sys
import numpy as np, pandas as pd, statsmodels
import statsmodels.api as sm
import statsmodels.formula.api as smf
from statsmodels.stats.mediation import Mediation

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261205)
n = 300
diet = rng.integers(0, 2, n)
age = np.round(rng.normal(45, 12, n), 0)
male = rng.integers(0, 2, n)
shannon = 2.0 + 0.5 * diet - 0.01 * age + 0.2 * male + rng.normal(0, 0.6, n)
phq9 = 14 + 0.5 * diet - 2.0 * shannon + 0.05 * age + 1.0 * male + rng.normal(0, 4, n)
phq9 = np.round(phq9, 3)
shannon = np.round(shannon, 6)
d = pd.DataFrame({"participant_id": [f"P{i + 1:04d}" for i in range(n)], "diet": diet, "age": age,
                  "sex": np.where(male == 1, "male", "female"), "shannon": shannon, "phq9_total": phq9,
                  "depressed": (phq9 >= 10).astype(int)})
d.to_csv(os.path.join(HERE, "mediation-data.csv"), index=False)

X = np.column_stack([np.ones(n), d.diet, d.age, (d.sex == "male").astype(float)])
XO = np.column_stack([np.ones(n), d.diet, d.shannon, d.age, (d.sex == "male").astype(float)])
XT = X
names = ["acme_control", "acme_treated", "ade_control", "ade_treated", "total_effect", "prop_mediated_control",
         "prop_mediated_treated", "acme_average", "ade_average", "prop_mediated_average"]
rows, paths = [], []

def record(case, method, res):
    s = res.summary()
    for name, (_, r) in zip(names, s.iterrows()):
        rows.append((case, method, name, r["Estimate"], r["Lower CI bound"], r["Upper CI bound"], r["P-value"]))

for case, y, outcome_class in [("linear", d.phq9_total.to_numpy(float), sm.OLS), ("logistic", d.depressed.to_numpy(float), sm.Logit)]:
    med = sm.OLS(d.shannon.to_numpy(float), X)
    out = outcome_class(y, XO)
    for method, reps in [("quasi-bayes", 20000), ("bootstrap", 5000)]:
        res = Mediation(out, med, (1, 1), 2, outcome_fit_kwargs={"disp": 0} if outcome_class is sm.Logit else None).fit(method="parametric" if method == "quasi-bayes" else "bootstrap", n_rep=reps,
                                                rng=np.random.default_rng(7))
        record(case, method, res)
    mf, of, tf = med.fit(), out.fit(disp=0) if outcome_class is sm.Logit else out.fit(), outcome_class(y, XT).fit(**({"disp": 0} if outcome_class is sm.Logit else {}))
    paths.append((case, mf.params[1], mf.bse[1], of.params[2], of.bse[2], of.params[1], tf.params[1]))

med = smf.ols("shannon ~ diet + age + sex", d)
out = smf.ols("phq9_total ~ diet * shannon + age + sex", d)
for method, reps in [("quasi-bayes", 20000), ("bootstrap", 2000)]:
    res = Mediation(out, med, "diet", "shannon").fit(method="parametric" if method == "quasi-bayes" else "bootstrap", n_rep=reps,
                                                    rng=np.random.default_rng(7))
    record("interaction", method, res)

with open(os.path.join(HERE, "mediation-statsmodels.csv"), "w") as f:
    f.write("case,method,effect,estimate,conf_low,conf_high,p_value\n")
    for r in rows:
        f.write(",".join([r[0], r[1], r[2]] + [repr(float(v)) for v in r[3:]]) + "\n")
with open(os.path.join(HERE, "mediation-paths.csv"), "w") as f:
    f.write("case,a,a_se,b,b_se,c_prime,c_total\n")
    for r in paths:
        f.write(",".join([r[0]] + [repr(float(v)) for v in r[1:]]) + "\n")
print("statsmodels", statsmodels.__version__, "numpy", np.__version__, "pandas", pd.__version__, file=sys.stderr)
