#!/usr/bin/env python3
"""Reference values for `moodbiome associate --method ancombc` from
scikit-bio 0.7.4's `skbio.stats.composition.ancombc` (NumPy 2.4.6, SciPy
1.17.1, pandas, patsy; Python 3.11), run from the repository root:

    python3 Tests/MoodbiomeTests/Fixtures/ancombc/generate_ancombc_skbio.py

Cases (data in Datasets/; samples with every formula variable; features
present in at least the share given, as `--min-prevalence` keeps them;
ANCOM-BC takes no zeros, so a pseudo-count is added to every count):
  gutmood          the example study, ~ phq9_total + age + sex + antidepressant, pseudo-count 1
  gutmood_numeric  the example study, ~ bmi + bristol_stool_type, pseudo-count 0.5
  globalpatterns   GlobalPatterns, ~ SampleType, features in >= 60% of samples, pseudo-count 1
  twins            the Twins, ~ phenotype, features in >= 10% of samples, pseudo-count 1
Writes ancombc-results.csv (case, feature, term, estimate = Log(FC),
std_error = SE, statistic = W, p_value, q_value: Holm, as ancombc's default)
and ancombc-bias.csv (case, term, bias: the E-M bias of each design column,
from scikit-bio's own _estimate_params and _estimate_bias_em on the same data).
"""
import os
import numpy as np
import pandas as pd
import skbio
from skbio.stats.composition import ancombc
from skbio.stats.composition import _ancombc as core
from skbio.stats.composition._utils import _build_dmatrix

HERE = os.path.dirname(os.path.abspath(__file__))


def read_counts(path, samples_in_rows, sep=","):
    if samples_in_rows:
        return pd.read_csv(path, sep=sep, index_col=0)
    t = pd.read_csv(path, sep=sep, index_col=0, skiprows=1 if path.endswith(".tsv") else 0)
    return t.T


def run(case, counts, metadata, formula, pseudo, prevalence=0.0):
    columns = [v for v in metadata.columns if v in formula]
    metadata = metadata[columns].dropna()
    counts = counts.loc[metadata.index]
    kept = (counts > 0).sum(axis=0) / len(counts) >= prevalence
    counts = counts.loc[:, kept]
    table = counts + pseudo
    res = ancombc(table, metadata, formula).result.reset_index()
    res = res[res["Covariate"] != "Intercept"]
    rows = pd.DataFrame({
        "case": case, "feature": res["FeatureID"], "term": res["Covariate"],
        "estimate": res["Log(FC)"], "std_error": res["SE"], "statistic": res["W"],
        "p_value": res["pvalue"], "q_value": res["qvalue"]})
    # The bias of each design column, by scikit-bio's own steps.
    data, missing = core._transform_data(table.to_numpy(), 0)
    dmat = _build_dmatrix(formula, metadata, dtype=data.dtype)
    var_hat, beta, _, _, _, _ = core._estimate_params(data, np.asarray(dmat), None, missing, True, False, True)
    bias = [core._estimate_bias_em(beta[i], var_hat[:, i])[0] for i in range(beta.shape[0])]
    details = pd.DataFrame({"case": case, "term": dmat.design_info.column_names, "bias": bias})
    print(f"{case}: {len(counts)} samples, {counts.shape[1]} features, {len(rows)} rows")
    return rows, details


def main():
    gut = read_counts("Datasets/simulated-gut-mood/counts.csv", True)
    gut_meta = pd.read_csv("Datasets/simulated-gut-mood/metadata.csv", index_col=0)
    gp = pd.read_csv("Datasets/globalpatterns/feature-table.tsv", sep="\t", skiprows=1, index_col=0).T
    gp_meta = pd.read_csv("Datasets/globalpatterns/metadata.tsv", sep="\t", index_col=0)
    gp = gp.loc[gp_meta.index]
    tw = pd.read_csv("Datasets/twins/Twins.csv", index_col=0).T
    tw_meta = pd.read_csv("Datasets/twins/metadata.tsv", sep="\t", index_col=0, skiprows=[1])
    tw = tw.loc[tw_meta.index]
    cases = [
        run("gutmood", gut, gut_meta, "phq9_total + age + sex + antidepressant", 1),
        run("gutmood_numeric", gut, gut_meta, "bmi + bristol_stool_type", 0.5),
        run("globalpatterns", gp, gp_meta, "SampleType", 1, prevalence=0.6),
        run("twins", tw, tw_meta, "phenotype", 1, prevalence=0.1),
    ]
    pd.concat([c[0] for c in cases]).to_csv(os.path.join(HERE, "ancombc-results.csv"), index=False, float_format="%.17g")
    pd.concat([c[1] for c in cases]).to_csv(os.path.join(HERE, "ancombc-bias.csv"), index=False, float_format="%.17g")
    print("scikit-bio", skbio.__version__)


if __name__ == "__main__":
    main()
