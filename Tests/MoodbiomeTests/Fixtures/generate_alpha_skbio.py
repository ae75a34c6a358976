#!/usr/bin/env python3
"""Reference alpha-diversity values computed by scikit-bio, for Moodbiome's tests.

Tool: scikit-bio 0.7.4 (numpy 2.4.6, scipy 1.17.1, pandas 3.1.1), CPython 3.11.
Command (from the repository root):

    python3 Tests/MoodbiomeTests/Fixtures/generate_alpha_skbio.py

Writes alpha-skbio.csv in this folder, in long form:
    dataset, sample_id, metric, variant, value
`metric` is Moodbiome's name for the metric (scikit-bio's, with the order
appended for hill/renyi/tsallis); `variant` names a non-default option
(`base=2`, `classic`, `rare=5`, `trapezoids`) or is empty. `value` is Python's
repr of the float (round-trip precision); `NA` where scikit-bio returns NaN
or raises (ACE with only singleton rare taxa); `inf` where it returns infinity.

Each value is one call of the scikit-bio function on one sample's full
abundance vector (zeros included, as `skbio.diversity.alpha_diversity` does).
"""
import math
import os
import sys

import numpy as np
import pandas as pd
import skbio
from skbio.diversity import alpha as A

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


def load():
    data = {}
    bci = pd.read_csv(os.path.join(ROOT, "Datasets/vegan-bci/BCI_counts.csv"), index_col=0)
    data["bci"] = bci
    gp = pd.read_csv(os.path.join(ROOT, "Datasets/globalpatterns/feature-table.tsv"),
                     sep="\t", skiprows=1, index_col=0)
    data["globalpatterns"] = gp.T
    tw = pd.read_csv(os.path.join(ROOT, "Datasets/twins/Twins.csv"), index_col=0)
    data["twins"] = tw.T
    data["edge"] = pd.read_csv(os.path.join(HERE, "edge-cases.csv"), index_col=0)
    return data


def metric_calls():
    calls = [
        ("observed_features", "", A.observed_features),
        ("shannon", "", A.shannon),
        ("shannon", "base=2", lambda c: A.shannon(c, base=2)),
        ("shannon", "base=10", lambda c: A.shannon(c, base=10)),
        ("simpson", "", A.simpson),
        ("dominance", "", A.dominance),
        ("inv_simpson", "", A.inv_simpson),
        ("simpson_e", "", A.simpson_e),
        ("pielou_e", "", A.pielou_e),
        ("heip_e", "", A.heip_e),
        ("chao1", "", A.chao1),
        ("chao1", "classic", lambda c: A.chao1(c, bias_corrected=False)),
        ("ace", "", A.ace),
        ("ace", "rare=5", lambda c: A.ace(c, rare_threshold=5)),
        ("goods_coverage", "", A.goods_coverage),
        ("berger_parker_d", "", A.berger_parker_d),
        ("fisher_alpha", "", A.fisher_alpha),
        ("brillouin_d", "", A.brillouin_d),
        ("margalef", "", A.margalef),
        ("menhinick", "", A.menhinick),
        ("mcintosh_d", "", A.mcintosh_d),
        ("mcintosh_e", "", A.mcintosh_e),
        ("strong", "", A.strong),
        ("gini_index", "", A.gini_index),
        ("gini_index", "trapezoids", lambda c: A.gini_index(c, method="trapezoids")),
        ("robbins", "", A.robbins),
        ("singles", "", A.singles),
        ("doubles", "", A.doubles),
    ]
    for q in [0, 0.5, 1, 2, 3, math.inf]:
        name = "inf" if q == math.inf else ("%g" % q)
        calls.append(("hill_" + name, "", lambda c, q=q: A.hill(c, order=q)))
        calls.append(("renyi_" + name, "", lambda c, q=q: A.renyi(c, order=q)))
        calls.append(("tsallis_" + name, "", lambda c, q=q: A.tsallis(c, order=q)))
    calls.append(("renyi_2", "base=2", lambda c: A.renyi(c, order=2, base=2)))
    return calls


def fmt(v):
    try:
        v = float(v)
    except (TypeError, ValueError):
        return "NA"
    if math.isnan(v):
        return "NA"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(v)


def main():
    import warnings
    warnings.simplefilter("ignore")
    rows = ["dataset,sample_id,metric,variant,value"]
    for dataset, table in load().items():
        values = table.to_numpy(dtype=np.int64)
        for metric, variant, fn in metric_calls():
            for sid, counts in zip(table.index, values):
                try:
                    v = fn(counts)
                except (ValueError, IndexError, ZeroDivisionError):
                    v = float("nan")
                rows.append(f"{dataset},{sid},{metric},{variant},{fmt(v)}")
    with open(os.path.join(HERE, "alpha-skbio.csv"), "w") as fh:
        fh.write("\n".join(rows) + "\n")
    print(f"scikit-bio {skbio.__version__}: {len(rows) - 1} values", file=sys.stderr)


if __name__ == "__main__":
    main()
