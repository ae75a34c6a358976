#!/usr/bin/env python3
"""Reference values for Moodbiome's distributions (MoodbiomeNumerics/Distributions).

Tools: mpmath at 30 significant digits (the exact reference: regularised
incomplete beta/gamma, erfc, and 30-digit root finding for the quantiles)
and SciPy, whose value is recorded beside it (versions in the output's
header). SciPy is not exact everywhere: its F inverse survival function is
off by up to 2e-7 relative at 1e-10, its t(1) CDF by 3e-11 near 0 and its F
quantile at 1e-300 by 1.5e-5; the tests hold Moodbiome to 1e-12 of the
mpmath value and list where SciPy strays. Run from the repository root with

    python3 Tests/MoodbiomeTests/Fixtures/generate_distributions_scipy.py

Writes distributions-scipy.csv: distribution, df1, df2, function, argument,
value (mpmath), scipy. Grid: far tails down to 1e-300 for cdf/sf, and probabilities from
1e-300 to 1 - 1e-12 for the quantiles. Values below 1e-300 or equal to 0 are
left out (they underflow in any double-precision library).
"""
import csv
import pathlib

import mpmath as mp
import scipy
from scipy import stats

mp.mp.dps = 30


def exact(name, df1, df2):
    """The lower and upper tails of the named distribution, in mpmath."""
    if name == "normal":
        return (lambda x: mp.erfc(-x / mp.sqrt(2)) / 2, lambda x: mp.erfc(x / mp.sqrt(2)) / 2)
    if name == "t":
        nu = mp.mpf(df1)
        def far(x):
            return mp.betainc(nu / 2, mp.mpf(1) / 2, 0, nu / (nu + x * x), regularized=True) / 2
        return (lambda x: far(x) if x <= 0 else 1 - far(x), lambda x: far(x) if x >= 0 else 1 - far(x))
    if name == "chi2":
        k = mp.mpf(df1) / 2
        return (lambda x: mp.gammainc(k, 0, x / 2, regularized=True),
                lambda x: mp.gammainc(k, x / 2, mp.inf, regularized=True))
    a, b = mp.mpf(df1) / 2, mp.mpf(df2) / 2
    # Each tail from its own small argument (1 - z would lose the digits).
    return (lambda x: mp.betainc(a, b, 0, df1 * x / (df1 * x + df2), regularized=True),
            lambda x: mp.betainc(b, a, 0, df2 / (df1 * x + df2), regularized=True))


def exact_quantile(tail, target, start):
    """The x with tail(x) = target, solved on log|x| from SciPy's estimate."""
    if start == 0:
        return mp.mpf(0)
    s = 1 if start > 0 else -1
    f = lambda v: mp.log(tail(s * mp.exp(v))) - mp.log(target)
    v0, d = mp.log(abs(start)), mp.mpf("1e-6")
    while f(v0 - d) * f(v0 + d) > 0 and d < 8:
        d *= 4
    v = mp.findroot(f, (v0 - d, v0 + d), solver="illinois", tol=1e-27, maxsteps=400, verify=False)
    if abs(f(v)) > 1e-20:  # no double-precision root (e.g. below 1e-308): leave it out
        return None
    return s * mp.exp(v)

out = pathlib.Path(__file__).with_name("distributions-scipy.csv")
probabilities = [1e-300, 1e-200, 1e-100, 1e-50, 1e-20, 1e-10, 1e-6, 1e-3, 0.01, 0.025, 0.05, 0.1,
                 0.25, 0.5, 0.75, 0.9, 0.95, 0.975, 0.99, 0.999, 1 - 1e-6, 1 - 1e-10]

cases = [("normal", 0, 0, stats.norm(), [-37.5, -30, -20, -10, -5, -3, -1.96, -1, -0.5, -1e-3, 0, 1e-8, 0.3, 1, 1.644853626951472, 2.5, 5, 8, 15, 37])]
for df in [1, 2, 3, 5, 10, 30, 100, 1000]:
    cases.append(("t", df, 0, stats.t(df), [-1e100, -1e20, -1e6, -1000, -50, -10, -3, -2, -1, -0.1, 0, 1e-6, 0.5, 1.5, 2.2, 4, 12, 40, 300, 1e5, 1e30, 1e150]))
for df in [1, 2, 3, 5, 10, 50, 200, 1000]:
    cases.append(("chi2", df, 0, stats.chi2(df), [1e-12, 1e-4, 0.01, 0.1, 0.5, 1, 2, 3.84, 5, 10, 20, 50, 100, 180, 250, 400, 700, 1000, 1100, 1300, 1400, 2000]))
for d1, d2 in [(1, 1), (1, 10), (2, 7), (3, 20), (5, 100), (10, 1000), (50, 50), (200, 30)]:
    cases.append(("f", d1, d2, stats.f(d1, d2), [1e-10, 1e-3, 0.05, 0.2, 0.5, 1, 1.5, 2, 3, 5, 10, 30, 100, 1e3, 1e5, 1e10, 1e30, 1e100]))

rows = []
for name, df1, df2, dist, xs in cases:
    lower, upper = exact(name, df1, df2)
    print(name, df1, df2, flush=True)
    for x in xs:
        for fn, f in (("cdf", lower), ("sf", upper)):
            v = float(f(mp.mpf(x)))
            if 1e-300 <= v:
                rows.append((name, df1, df2, fn, repr(float(x)), repr(v), repr(float(getattr(dist, fn)(x)))))
    for p in probabilities:
        for fn in ("ppf", "isf"):
            guess = float(getattr(dist, fn)(p))
            if guess != guess or abs(guess) == float("inf"):
                continue
            # Invert the smaller tail: P(X <= x) = p, or P(X > x) = 1 - p.
            if fn == "ppf":
                tail, target = (lower, mp.mpf(p)) if p <= 0.5 else (upper, 1 - mp.mpf(p))
            else:
                tail, target = (upper, mp.mpf(p)) if p <= 0.5 else (lower, 1 - mp.mpf(p))
            root = exact_quantile(tail, target, guess)
            v = float(root) if root is not None else float("nan")
            if v == 0 or 1e-300 <= abs(v):
                rows.append((name, df1, df2, fn, repr(float(p)), repr(v), repr(guess)))

with out.open("w", newline="") as f:
    f.write(f"# mpmath {mp.__version__} (30 digits) = value; scipy {scipy.__version__} = scipy; generate_distributions_scipy.py\n")
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["distribution", "df1", "df2", "function", "argument", "value", "scipy"])
    w.writerows(rows)
print(f"wrote {len(rows)} rows to {out}")
