"""Reference values for Core/Analysis/Trajectories (the longitudinal figures'
numbers), computed independently with pandas and SciPy on the bundled
longitudinal cohort (Datasets/simulated-longitudinal/metadata.csv).

  trajectories-scipy.csv  time, n, mean, low, high: phq9_total at each
                          `months`, the 95% interval from scipy.stats.t
                          (as R's t.test per time point)
  changes-pandas.csv      participant_id, months, dx, dy: each later visit
                          minus the participant's first (earliest months with
                          both values), x = phq9_2, y = phq9_total

Run: python3 Tests/MoodbiomeTests/Fixtures/longitudinal/generate_trajectories_scipy.py
"""
import os, sys
import numpy as np, pandas as pd, scipy
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../../../.."))
m = pd.read_csv(os.path.join(ROOT, "Datasets/simulated-longitudinal/metadata.csv"))

rows = []
for t, g in m.dropna(subset=["phq9_total"]).groupby("months", sort=True):
    v = g["phq9_total"].to_numpy(float)
    n = len(v)
    mean = v.mean()
    half = stats.t.ppf(0.975, n - 1) * v.std(ddof=1) / np.sqrt(n)
    rows.append((t, n, mean, mean - half, mean + half))
with open(os.path.join(HERE, "trajectories-scipy.csv"), "w") as f:
    f.write("time,n,mean,low,high\n")
    for t, n, mean, lo, hi in rows:
        f.write(f"{float(t)!r},{n},{float(mean)!r},{float(lo)!r},{float(hi)!r}\n")

both = m.dropna(subset=["phq9_2", "phq9_total", "months"]).copy()
both["order"] = range(len(both))
out = []
for pid, g in both.sort_values(["months", "order"]).groupby("participant_id", sort=False):
    first = g.iloc[0]
    for _, r in g.iloc[1:].iterrows():
        out.append((pid, r["months"], r["phq9_2"] - first["phq9_2"], r["phq9_total"] - first["phq9_total"]))
out.sort(key=lambda r: (r[0], r[1]))
with open(os.path.join(HERE, "changes-pandas.csv"), "w") as f:
    f.write("participant_id,months,dx,dy\n")
    for pid, t, dx, dy in out:
        f.write(f"{pid},{float(t)!r},{float(dx)!r},{float(dy)!r}\n")
print("pandas", pd.__version__, "scipy", scipy.__version__, "numpy", np.__version__, file=sys.stderr)
