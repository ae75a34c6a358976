"""More NIST StRD linear-regression datasets: Filip, Wampler1, Wampler2, NoInt1, NoInt2.

Data: NIST StRD (https://www.itl.nist.gov/div898/strd/lls/lls.shtml), public
domain. Filip's 82 observations are read from GSL's multifit/test_filip.c
(which carries NIST's file; GSL git, ampl/gsl mirror) — give its path as the
first argument; Wampler1/2 and NoInt1/2 are NIST's generated data, defined
exactly (Wampler1: y = 1 + x + x² + x³ + x⁴ + x⁵, Wampler2: y = 1 + 0.1x +
0.01x² + 0.001x³ + 1e-4x⁴ + 1e-5x⁵ for x = 0…20; NoInt1: x = 60…70, y = 130…140;
NoInt2: x = 4, 5, 6, y = 3, 4, 4).

The certified values are recomputed here in exact rational arithmetic
(Python fractions: the normal equations solved exactly, the residual sum of
squares exact, square roots at 40 digits with mpmath) and checked against
NIST's published ones (the Filip values as GSL quotes them), so the fixture
does not rest on transcription.

    python3 Tests/MoodbiomeTests/Fixtures/nist/generate_more_nist.py /path/to/gsl/multifit/test_filip.c
"""
import os
import re
import sys
from fractions import Fraction as F
import mpmath as mp

mp.mp.dps = 40
HERE = os.path.dirname(os.path.abspath(__file__))


def exact_ls(xs, ys, degree, intercept=True):
    rows = [[F(x) ** k for k in (range(0, degree + 1) if intercept else range(1, degree + 1))] for x in xs]
    p = len(rows[0])
    A = [[sum(r[i] * r[j] for r in rows) for j in range(p)] for i in range(p)]
    b = [sum(r[i] * y for r, y in zip(rows, ys)) for i in range(p)]
    # Gauss–Jordan on [A | I | b] in exact arithmetic.
    M = [A[i] + [F(int(i == j)) for j in range(p)] + [b[i]] for i in range(p)]
    for c in range(p):
        piv = next(r for r in range(c, p) if M[r][c] != 0)
        M[c], M[piv] = M[piv], M[c]
        pv = M[c][c]
        M[c] = [v / pv for v in M[c]]
        for r in range(p):
            if r != c and M[r][c] != 0:
                f = M[r][c]
                M[r] = [a - f * b_ for a, b_ in zip(M[r], M[c])]
    beta = [M[i][-1] for i in range(p)]
    inv = [M[i][p:2 * p] for i in range(p)]
    resid = [y - sum(bi * ri for bi, ri in zip(beta, r)) for r, y in zip(rows, ys)]
    rss = sum(e * e for e in resid)
    n = len(xs)
    df = n - p
    s2 = rss / df
    sd = [mp.sqrt(mp.mpf(s2.numerator) / s2.denominator * mp.mpf(inv[i][i].numerator) / inv[i][i].denominator) for i in range(p)]
    ybar = sum(ys) / n
    tss = sum((y - ybar) ** 2 for y in ys) if intercept else sum(y * y for y in ys)
    r2 = 1 - rss / tss
    return beta, sd, mp.sqrt(mp.mpf(s2.numerator) / s2.denominator), r2


def fmt(v):
    if isinstance(v, F):
        v = mp.mpf(v.numerator) / v.denominator
    return mp.nstr(v, 17, min_fixed=-5, max_fixed=5) if v != 0 else "0"


src = open(sys.argv[1]).read()
def arr(name):
    m = re.search(name + r"\[\]\s*=\s*\{(.*?)\}", src, re.S)
    return [v.strip() for v in m.group(1).replace("\n", " ").split(",") if v.strip()]

datasets = {
    "filip": ([F(v) for v in arr("filip_x")], [F(v) for v in arr("filip_y")], 10, True),
    "wampler1": ([F(x) for x in range(21)], [sum(F(x) ** k for k in range(6)) for x in range(21)], 5, True),
    "wampler2": ([F(x) for x in range(21)], [sum((F(x) ** k) / F(10) ** k for k in range(6)) for x in range(21)], 5, True),
    "noint1": ([F(x) for x in range(60, 71)], [F(y) for y in range(130, 141)], 1, False),
    "noint2": ([F(4), F(5), F(6)], [F(3), F(4), F(4)], 1, False),
}
# NIST's published values, to check the recomputation (Filip as GSL quotes them).
published = {
    "filip": ["-1467.48961422980", "-2772.17959193342", "-2316.37108160893", "-1127.97394098372", "-354.478233703349",
              "-75.1242017393757", "-10.8753180355343", "-1.06221498588947", "-0.670191154593408E-01",
              "-0.246781078275479E-02", "-0.402962525080404E-04"],
    "noint1": ["2.07438016528926"],
    "noint2": ["0.727272727272727"],
    "wampler1": ["1"] * 6,
    "wampler2": ["1", "0.1", "0.01", "0.001", "0.0001", "0.00001"],
}
out = ["dataset,formula,parameter,estimate,standard_deviation"]
for name, (xs, ys, degree, intercept) in datasets.items():
    with open(os.path.join(HERE, f"{name}.csv"), "w") as f:
        f.write("id,y,x\n")
        for i, (x, y) in enumerate(zip(xs, ys)):
            f.write(f"{name[0]}{i + 1},{fmt(y)},{fmt(x)}\n")
    beta, sd, sigma, r2 = exact_ls(xs, ys, degree, intercept)
    for b, p in zip(beta, published[name]):
        assert abs(mp.mpf(b.numerator) / b.denominator - mp.mpf(p)) <= mp.mpf("1e-13") * max(1, abs(mp.mpf(p))), (name, b, p)
    terms = ["x"] + [f"I(x^{k})" for k in range(2, degree + 1)]
    formula = "y ~ " + " + ".join(terms) + ("" if intercept else " - 1")
    names = (["Intercept"] if intercept else []) + ["x"] + [f"I(x ^ {k})" for k in range(2, degree + 1)]
    for nm, b, s in zip(names, beta, sd):
        out.append(f"{name},{formula},{nm},{fmt(b)},{fmt(s)}")
    out.append(f"{name},{formula},residual_sd,{fmt(sigma)},")
    out.append(f"{name},{formula},r_squared,{fmt(r2)},")
open(os.path.join(HERE, "certified-more.csv"), "w").write("\n".join(out) + "\n")
print("ok")
