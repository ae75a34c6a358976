"""Reference distances, Faith's PD and PCoA from scikit-bio for Moodbiome's beta tests.

Tool: scikit-bio 0.7.4 (pip), NumPy, pandas; GUniFrac 1.7 in R for generalized UniFrac
(see generate_beta_vegan.R).  Run from the repository root:

    python3 Tests/MoodbiomeTests/Fixtures/beta/generate_beta_skbio.py

Writes, beside this script:
  distances-skbio.csv   dataset, metric, sample_a, sample_b, distance   (every pair i < j)
  faith-skbio.csv       dataset, sample_id, faith_pd
  pcoa-skbio.csv        dataset, axis, eigenvalue, proportion_explained, then coordinates
  gp500-table.tsv       the gp500 'env' test table (OTU × sample), for the published UniFrac check
"""
import os, sys
import numpy as np
import pandas as pd
import skbio
from skbio import TreeNode
from skbio.diversity import beta_diversity, alpha_diversity
from skbio.stats.ordination import pcoa

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../../../.."))
DATA = os.path.join(ROOT, "Datasets")
SHARED = os.path.join(ROOT, "..", "shared", "data")


def samples_by_rows(path, **kw):
    return pd.read_csv(path, index_col=0, **kw)


def gp_table():
    t = pd.read_csv(os.path.join(DATA, "globalpatterns/feature-table.tsv"), sep="\t", skiprows=1, index_col=0)
    return t.T  # samples × features


def gp500():
    env = pd.read_csv(os.path.join(SHARED, "formats/gp500test.env.txt"), sep="\t", header=None,
                      names=["otu", "sample", "count"], dtype={"otu": str})
    t = env.pivot_table(index="sample", columns="otu", values="count", aggfunc="sum", fill_value=0)
    return t


datasets = {
    "bci": samples_by_rows(os.path.join(DATA, "vegan-bci/BCI_counts.csv")),
    "dune": samples_by_rows(os.path.join(DATA, "vegan-dune/dune_cover.csv")),
    "globalpatterns": gp_table(),
}
trees = {
    "globalpatterns": TreeNode.read(os.path.join(DATA, "globalpatterns/tree.nwk")),
}
g5 = gp500()
datasets["gp500"] = g5
trees["gp500"] = TreeNode.read(os.path.join(HERE, "gp500.tree"))
# the gp500 table as Moodbiome reads it (features as rows, '#OTU ID' header)
with open(os.path.join(HERE, "gp500-table.tsv"), "w") as f:
    f.write("#OTU ID\t" + "\t".join(g5.index) + "\n")
    for otu in g5.columns:
        f.write(otu + "\t" + "\t".join(str(int(v)) for v in g5[otu].values) + "\n")

plain = ["braycurtis", "jaccard", "euclidean", "canberra", "hellinger", "aitchison", "robust_aitchison"]
rows = []


def add(name, metric, dm):
    ids = list(dm.ids)
    d = dm.data
    for i in range(len(ids)):
        for j in range(i + 1, len(ids)):
            rows.append((name, metric, str(ids[i]), str(ids[j]), repr(float(d[i, j]))))


for name, t in datasets.items():
    t = t.loc[t.sum(axis=1) > 0]
    counts = t.values.astype(float)
    ids = list(t.index)
    feats = [str(c) for c in t.columns]
    if name != "gp500":
        for metric in plain:
            if metric == "jaccard":
                dm = beta_diversity("jaccard", counts > 0, ids)
            elif metric == "hellinger":
                p = np.sqrt(counts / counts.sum(axis=1, keepdims=True))
                dm = beta_diversity("euclidean", p, ids, validate=False)
            elif metric == "aitchison":
                from skbio.stats.composition import clr
                dm = beta_diversity("euclidean", clr(counts + 1.0), ids, validate=False)
            elif metric == "robust_aitchison":
                # Pairwise CLR over each pair's shared non-zero features (the definition
                # Moodbiome documents), computed here directly from its definition.
                n = len(ids)
                m = np.zeros((n, n))
                for i in range(n):
                    for j in range(i + 1, n):
                        s = (counts[i] > 0) & (counts[j] > 0)
                        if s.sum() == 0:
                            m[i, j] = m[j, i] = np.nan
                            continue
                        a = np.log(counts[i, s]) - np.log(counts[j, s])
                        m[i, j] = m[j, i] = np.sqrt(((a - a.mean()) ** 2).sum())
                if np.isnan(m).any():
                    continue
                dm = skbio.DistanceMatrix(m, ids)
            else:
                dm = beta_diversity(metric, counts, ids)
            add(name, metric, dm)
    if name in trees:
        tree = trees[name]
        tips = {t.name for t in tree.tips()}
        keep = [f for f in feats if f in tips]
        sub = t[[c for c in t.columns if str(c) in tips]]
        c2 = sub.values.astype(int)
        for metric in ["unweighted_unifrac", "weighted_unifrac"]:
            add(name, metric, beta_diversity(metric, c2, ids, taxa=keep, tree=tree))
        add(name, "weighted_normalized_unifrac",
            beta_diversity("weighted_unifrac", c2, ids, taxa=keep, tree=tree, normalized=True))

with open(os.path.join(HERE, "distances-skbio.csv"), "w") as f:
    f.write("dataset,metric,sample_a,sample_b,distance\n")
    for r in rows:
        f.write(",".join(r) + "\n")

# Faith's PD
with open(os.path.join(HERE, "faith-skbio.csv"), "w") as f:
    f.write("dataset,sample_id,faith_pd\n")
    for name in ["globalpatterns", "gp500"]:
        t = datasets[name]
        tree = trees[name]
        pd_ = alpha_diversity("faith_pd", t.values.astype(int), list(t.index), taxa=[str(c) for c in t.columns], tree=tree)
        for sid, v in pd_.items():
            f.write(f"{name},{sid},{float(v)!r}\n")

# PCoA of Bray–Curtis (dune: all axes, incl. negative eigenvalues) and of BCI
# (the first 5 axes). Both are scikit-bio's full eigendecomposition, whose
# proportions are of the sum of the non-negative eigenvalues: Moodbiome
# keeps that one definition when it computes only the first axes (BCI's
# test does), where scikit-bio's `pcoa(dm, dimensions=5)` would divide by
# the trace instead.
with open(os.path.join(HERE, "pcoa-skbio.csv"), "w") as f:
    f.write("dataset,axis,eigenvalue,proportion_explained\n")
    coords = []
    for name, dims in [("dune", 0), ("bci", 5)]:
        t = datasets[name]
        dm = beta_diversity("braycurtis", t.values.astype(float), list(t.index))
        res = pcoa(dm)
        if dims:
            res.eigvals = res.eigvals.iloc[:dims]
            res.proportion_explained = res.proportion_explained.iloc[:dims]
            res.samples = res.samples.iloc[:, :dims]
        for k, (e, p) in enumerate(zip(res.eigvals.values, res.proportion_explained.values)):
            f.write(f"{name},PC{k + 1},{float(e)!r},{float(p)!r}\n")
        for sid, row in res.samples.iterrows():
            coords.append((name, sid, [float(x) for x in row.values]))
with open(os.path.join(HERE, "pcoa-coordinates-skbio.csv"), "w") as f:
    f.write("dataset,sample_id,axis,coordinate\n")
    for name, sid, xs in coords:
        for k, x in enumerate(xs):
            f.write(f"{name},{sid},PC{k + 1},{x!r}\n")

print("scikit-bio", skbio.__version__, "numpy", np.__version__, "pandas", pd.__version__, file=sys.stderr)
