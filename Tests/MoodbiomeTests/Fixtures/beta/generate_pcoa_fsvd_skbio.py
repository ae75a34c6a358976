"""Reference PCoA for Moodbiome's randomized (fsvd) PCoA test, from scikit-bio.

Tool: scikit-bio 0.7.4 (pip), NumPy. Run from the repository root:

    python3 Tests/MoodbiomeTests/Fixtures/beta/generate_pcoa_fsvd_skbio.py

Data: Datasets/simulated-longitudinal/counts.csv (600 samples, Moodbiome's own
simulation), Bray–Curtis by scikit-bio's beta_diversity.

Writes, beside this script:
  pcoa-fsvd-skbio.csv              axis, eigenvalue (exact: pcoa method "eigh"),
                                   proportion_of_trace (eigenvalue / trace of the
                                   Gower-centred matrix: scikit-bio's rule for
                                   method "fsvd"), skbio_fsvd_eigenvalue (what
                                   pcoa(method="fsvd", seed=0) returns, for the record)
  pcoa-fsvd-coordinates-skbio.csv  sample_id, PC1 … PC10 of the exact PCoA
The test requires Moodbiome's fsvd to match the exact columns to 1e-6.
"""
import os, sys
import numpy as np
import pandas as pd
import skbio
from skbio.diversity import beta_diversity
from skbio.stats.ordination import pcoa

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../../../.."))
counts = pd.read_csv(os.path.join(ROOT, "Datasets/simulated-longitudinal/counts.csv"), index_col=0)
dm = beta_diversity("braycurtis", counts.values.astype(float), [str(i) for i in counts.index])
k = 10
exact = pcoa(dm, method="eigh")
d2 = dm.data ** 2
n = d2.shape[0]
j = np.eye(n) - np.ones((n, n)) / n
trace = np.trace(-0.5 * j @ d2 @ j)
fast = pcoa(dm, method="fsvd", number_of_dimensions=k, seed=0)
with open(os.path.join(HERE, "pcoa-fsvd-skbio.csv"), "w") as f:
    f.write("axis,eigenvalue,proportion_of_trace,skbio_fsvd_eigenvalue\n")
    for a in range(k):
        e = float(exact.eigvals.iloc[a])
        f.write(f"PC{a + 1},{e!r},{float(e / trace)!r},{float(fast.eigvals.iloc[a])!r}\n")
with open(os.path.join(HERE, "pcoa-fsvd-coordinates-skbio.csv"), "w") as f:
    f.write("sample_id," + ",".join(f"PC{a + 1}" for a in range(k)) + "\n")
    for sid, row in exact.samples.iloc[:, :k].iterrows():
        f.write(sid + "," + ",".join(repr(float(x)) for x in row.values) + "\n")
print("scikit-bio", skbio.__version__, "numpy", np.__version__, file=sys.stderr)
