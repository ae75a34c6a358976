#!/usr/bin/env python3
"""Reference values for `moodbiome associate --method ancombc2` and
`--struc-zero` from scikit-bio 0.7.4's `skbio.stats.composition.ancombc2` and
`struc_zero` (NumPy 2.4.6, SciPy 1.17.1, pandas, patsy; Python 3.11), run
from the repository root:

    python3 Tests/MoodbiomeTests/Fixtures/ancombc/generate_ancombc2_skbio.py

ANCOM-BC2 cases (samples with every formula variable; features present in at
least the share given, as `--min-prevalence` keeps them; a positive
pseudo-count added to every count, as `ancombc2(pseudocount=...)` does;
var_quantile 0.05, Holm, as ancombc2's defaults):
  gutmood          the example study, ~ phq9_total + age + sex + antidepressant, pseudo-count 1
  gutmood_half     the example study, ~ bmi + bristol_stool_type, pseudo-count 0.5, var_quantile 0.1
  globalpatterns   GlobalPatterns, ~ SampleType, features in >= 60% of samples, pseudo-count 1;
                   ties snapped (see ancombc2_steps: taxa absent from every sample of two
                   sample types have coefficients equal in exact arithmetic, which NumPy leaves
                   1e-17 apart, straddling the pi1 quantile that splits the bias variance's
                   features: unsnapped, scikit-bio's bias variance of Soil is 0.000447, snapped
                   0.000414, as exact arithmetic gives)
  twins            the Twins, ~ phenotype, features in >= 10% of samples, pseudo-count 1
  twins_struc      the Twins, ~ phenotype, features in >= 5% of samples less those with a
                   structural zero in a phenotype group (struc_zero, neg_lb False), pseudo-count 1
  longitudinal     the repeated-measures cohort, ~ months + phq9_total + sex (fixed effects:
                   scikit-bio's ancombc2 has no random terms), features in >= 20%, pseudo-count 1
  *_zeros          gutmood, twins (>= 10%), globalpatterns (>= 50%) and longitudinal (>= 20%) with
                   pseudo-count 0, ancombc2's default: zeros are missing values (its masked
                   per-feature fits, R's failed fits and re-referenced factors)
Every case runs scikit-bio's ancombc2 and, beside it, its own steps in the
same order (ancombc2_steps), checked equal to 1e-12 where nothing is snapped.
Writes ancombc2-results.csv (case, feature, term, estimate = Log(FC),
std_error = SE, statistic = W, p_value, q_value) and ancombc2-bias.csv (case,
term, bias = the E-M bias, bias_variance = its WLS variance, by scikit-bio's own
_estimate_params and _estimate_bias_em on the same centred data).

Structural zeros (`struc_zero`), on the raw counts:
  twins_zero       the Twins by phenotype, all features, neg_lb False
  twins_zero_lb    the same, neg_lb True
  globalpatterns_zero  GlobalPatterns by SampleType, features in >= 30% of samples, neg_lb True
Writes struc-zero.csv (case, feature, group, structural_zero): the structural
zeros only; every other (feature, group) of the case is not one.
"""
import os
import numpy as np
import pandas as pd
import skbio
from skbio.stats.composition import ancombc2, struc_zero
from skbio.stats.composition import _ancombc as core
from skbio.stats.composition._utils import _build_dmatrix

HERE = os.path.dirname(os.path.abspath(__file__))


def snapped(beta):
    """`beta` with values equal up to rounding (within 1e-12 relative of
    their neighbour in sorted order) made exactly equal to the first of
    their run."""
    out = beta.copy()
    order = np.argsort(beta, kind="stable")
    for k in range(1, len(order)):
        a, b = out[order[k - 1]], beta[order[k]]
        if abs(b - a) <= 1e-12 * max(1.0, abs(a)):
            out[order[k]] = a
    return out


def ancombc2_steps(counts, metadata, formula, pseudo, var_quantile, snap):
    """scikit-bio's own ancombc2 steps (_ancombc_core with v2=True, dense
    route), with one change when `snap`: each column's coefficients that are
    equal in exact arithmetic (taxa with the same counts in every sample of
    the compared groups) are made equal where the bias variance splits them
    at the pi1 and 1 - pi2 quantiles (_estimate_bias_var), so that the bias
    variance's split at the pi1 and 1 - pi2 quantiles does not depend on
    NumPy's last bits (unsnapped, such a tie straddles the cut at random)."""
    data, missing = core._transform_data(counts.to_numpy(), pseudo, center=True)
    dmat = _build_dmatrix(formula, metadata, dtype=data.dtype)
    x = np.asarray(dmat)
    # With zeros as missing values, R's fit rules need the design's coding.
    design = dmat if missing is not None else x
    var_hat, beta, _, _, estimable, _ = core._estimate_params(data, design, None, missing, True, True, True)
    if estimable is not None and np.all(estimable):
        estimable = None
    split = core._estimate_bias_var
    if snap:
        # The E-M itself runs on the coefficients as they are; only the
        # split of the bias variance sees the ties made exact.
        core._estimate_bias_var = lambda b, v, params: split(snapped(b), v, params)
    try:
        rows = []
        for i in range(beta.shape[0]):
            ok = np.ones(beta.shape[1], bool) if estimable is None else estimable[:, i] & np.isfinite(var_hat[:, i])
            rows.append(core._estimate_bias_em(beta[i, ok], var_hat[ok, i]))
        bias = np.array(rows)
    finally:
        core._estimate_bias_var = split
    theta = core._sample_fractions(data, x, beta, bias[:, 0], missing, estimable, True)
    data -= theta[:, None]
    var_hat, beta_hat, _, vcov_hat, estimable, rank = core._estimate_params(data, design, None, missing, False, False, True)
    if estimable is not None and np.all(estimable):
        estimable = None
    var_delta = bias[:, 2].copy()
    core._adjust_variance(var_hat, vcov_hat, var_delta, var_quantile, None)
    n, p = x.shape
    if missing is not None:
        n_valid = n - np.sum(missing, axis=0)
        model_rank = p if rank is None else rank
        dof = np.where(n_valid > model_rank, n_valid - model_rank, np.nan)
    else:
        dof = n - p
    lfc, se, W, pval, qval, _ = core._calc_statistics(beta_hat.T, var_hat, 0.05, "holm", dof, estimable)
    index = pd.MultiIndex.from_product((counts.columns, dmat.design_info.column_names), names=("FeatureID", "Covariate"))
    res = pd.DataFrame({"Log(FC)": lfc.ravel(), "SE": se.ravel(), "W": W.ravel(), "pvalue": pval.ravel(), "qvalue": qval.ravel()}, index=index)
    return res, dmat, bias, dof


def run(case, counts, metadata, formula, pseudo, prevalence=0.0, var_quantile=0.05, zero_group=None, snap=False):
    columns = [v for v in metadata.columns if v in formula]
    metadata = metadata[columns].dropna()
    counts = counts.loc[metadata.index]
    kept = (counts > 0).sum(axis=0) / len(counts) >= prevalence
    counts = counts.loc[:, kept]
    if zero_group is not None:
        # Features with a structural zero in any group are set aside, as `--struc-zero` does.
        zero = struc_zero(counts, metadata, zero_group)
        counts = counts.loc[:, ~zero.any(axis=1).to_numpy()]
    res = ancombc2(counts, metadata, formula, pseudocount=pseudo, var_quantile=var_quantile).result
    steps, dmat, bias, dof_out = ancombc2_steps(counts, metadata, formula, pseudo, var_quantile, snap)
    if not snap:
        # The steps are ancombc2's own: the same numbers, to the last bits.
        assert np.allclose(steps.to_numpy(), res[steps.columns].to_numpy(), rtol=1e-12, atol=0, equal_nan=True), case
    res = steps.reset_index()
    res["df"] = np.repeat(dof_out, len(dmat.design_info.column_names)) if np.ndim(dof_out) else dof_out
    res = res[res["Covariate"] != "Intercept"]
    rows = pd.DataFrame({
        "case": case, "feature": res["FeatureID"], "term": res["Covariate"],
        "estimate": res["Log(FC)"], "std_error": res["SE"], "statistic": res["W"],
        "p_value": res["pvalue"], "q_value": res["qvalue"], "df": res["df"]})
    details = pd.DataFrame({"case": case, "term": dmat.design_info.column_names,
                            "bias": [b[0] for b in bias], "bias_variance": [b[2] for b in bias]})
    print(f"{case}: {len(counts)} samples, {counts.shape[1]} features, {len(rows)} rows")
    return rows, details


def zeros(case, counts, metadata, grouping, neg_lb, prevalence=0.0):
    metadata = metadata[[grouping]].dropna()
    counts = counts.loc[metadata.index]
    counts = counts.loc[:, (counts > 0).sum(axis=0) / len(counts) >= prevalence]
    z = struc_zero(counts, metadata, grouping, neg_lb=neg_lb)
    long = z.stack().reset_index()
    long.columns = ["feature", "group", "structural_zero"]
    long.insert(0, "case", case)
    print(f"{case}: {counts.shape[1]} features, {int(long['structural_zero'].sum())} structural zeros")
    # Only the structural zeros are written; every other (feature, group) is not one.
    return long[long["structural_zero"]]


def main():
    gut = pd.read_csv("Datasets/simulated-gut-mood/counts.csv", index_col=0)
    gut_meta = pd.read_csv("Datasets/simulated-gut-mood/metadata.csv", index_col=0)
    gp = pd.read_csv("Datasets/globalpatterns/feature-table.tsv", sep="\t", skiprows=1, index_col=0).T
    gp_meta = pd.read_csv("Datasets/globalpatterns/metadata.tsv", sep="\t", index_col=0)
    gp = gp.loc[gp_meta.index]
    tw = pd.read_csv("Datasets/twins/Twins.csv", index_col=0).T
    tw_meta = pd.read_csv("Datasets/twins/metadata.tsv", sep="\t", index_col=0, skiprows=[1])
    tw = tw.loc[tw_meta.index]
    lo = pd.read_csv("Datasets/simulated-longitudinal/counts.csv", index_col=0)
    lo_meta = pd.read_csv("Datasets/simulated-longitudinal/metadata.csv", index_col=0)
    lo = lo.loc[lo_meta.index]
    cases = [
        run("gutmood", gut, gut_meta, "phq9_total + age + sex + antidepressant", 1),
        run("gutmood_half", gut, gut_meta, "bmi + bristol_stool_type", 0.5, var_quantile=0.1),
        run("globalpatterns", gp, gp_meta, "SampleType", 1, prevalence=0.6, snap=True),
        run("twins", tw, tw_meta, "phenotype", 1, prevalence=0.1),
        run("twins_struc", tw, tw_meta, "phenotype", 1, prevalence=0.05, zero_group="phenotype"),
        run("longitudinal", lo, lo_meta, "months + phq9_total + sex", 1, prevalence=0.2),
        # Zeros as missing values (pseudo-count 0, ancombc2's default).
        run("gutmood_zeros", gut, gut_meta, "phq9_total + age + sex + antidepressant", 0),
        run("twins_zeros", tw, tw_meta, "phenotype", 0, prevalence=0.1),
        run("globalpatterns_zeros", gp, gp_meta, "SampleType", 0, prevalence=0.5, snap=True),
        run("longitudinal_zeros", lo, lo_meta, "months + phq9_total + sex", 0, prevalence=0.2),
    ]
    pd.concat([c[0] for c in cases]).to_csv(os.path.join(HERE, "ancombc2-results.csv"), index=False, float_format="%.17g")
    pd.concat([c[1] for c in cases]).to_csv(os.path.join(HERE, "ancombc2-bias.csv"), index=False, float_format="%.17g")
    z = pd.concat([zeros("twins_zero", tw, tw_meta, "phenotype", False),
                   zeros("twins_zero_lb", tw, tw_meta, "phenotype", True),
                   zeros("globalpatterns_zero", gp, gp_meta, "SampleType", True, prevalence=0.3)])
    z.to_csv(os.path.join(HERE, "struc-zero.csv"), index=False)
    print("scikit-bio", skbio.__version__)


if __name__ == "__main__":
    main()
