#!/usr/bin/python3
"""Independent reference values for package measures' golden tests.

Written from the published formulas (and the esda/pymannkendall source as
read on GitHub), with numpy only; it never calls the Go code. Regenerate with

    /usr/bin/python3 pipeline/measures/testdata/reference.py > pipeline/measures/testdata/reference.json

The Go test compares against reference.json to 1e-6 (it does not run this).
"""
import json
import math

import numpy as np


def rook(rows, cols):
    nb = []
    for r in range(rows):
        for c in range(cols):
            s = []
            for dr, dc in ((-1, 0), (0, -1), (0, 1), (1, 0)):
                rr, cc = r + dr, c + dc
                if 0 <= rr < rows and 0 <= cc < cols:
                    s.append(rr * cols + cc)
            nb.append(sorted(s))
    return nb


def queen(rows, cols):
    nb = []
    for r in range(rows):
        for c in range(cols):
            s = []
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    if dr == 0 and dc == 0:
                        continue
                    rr, cc = r + dr, c + dc
                    if 0 <= rr < rows and 0 <= cc < cols:
                        s.append(rr * cols + cc)
            nb.append(sorted(s))
    return nb


def dense(nb, n):
    w = np.zeros((n, n))
    for i, js in enumerate(nb):
        for j in js:
            w[i, j] = 1.0
    return w


# --- Empirical Bayes (Marshall 1991, as GeoDa) -----------------------------
def eb(e, p):
    e = np.asarray(e, float)
    p = np.asarray(p, float)
    ok = p > 0
    r = np.full(len(e), np.nan)
    r[ok] = e[ok] / p[ok]
    b = e[ok].sum() / p[ok].sum()
    a = (p[ok] * (r[ok] - b) ** 2).sum() / p[ok].sum() - b / p[ok].mean()
    a = max(a, 0.0)
    out = np.full(len(e), np.nan)
    w = a / (a + b / p[ok])
    out[ok] = w * r[ok] + (1 - w) * b
    return out, a, b


# --- Getis-Ord Gi* (Getis & Ord 1992; Ord & Getis 1995) --------------------
def gi_star(y, nb, row_standardise):
    y = np.asarray(y, float)
    n = len(y)
    w = dense(nb, n) + np.eye(n)  # star: focal unit weight 1
    if row_standardise:
        w = w / w.sum(axis=1, keepdims=True)
    g = w @ y / y.sum()
    card = w.sum(axis=1)
    mean = y.mean()
    var = (y ** 2).mean() - mean ** 2  # population variance, focal included
    ev = card / n
    vv = card * (n - card) / (n - 1) / n ** 2 * var / mean ** 2
    z = (g - ev) / np.sqrt(vv)
    p = np.array([0.5 * math.erfc(abs(v) / math.sqrt(2)) for v in z])  # one-sided
    return z, p


# --- Local Moran (Anselin 1995), as esda.Moran_Local ----------------------
def local_moran(y, nb):
    y = np.asarray(y, float)
    n = len(y)
    z = (y - y.mean()) / y.std()  # ddof=0
    w = dense(nb, n)
    w = w / w.sum(axis=1, keepdims=True)
    lag = w @ z
    I = (n - 1) * z * lag / (z * z).sum()
    q = np.where(z > 0, np.where(lag > 0, 1, 4), np.where(lag > 0, 2, 3))
    return I, q


# --- Mann-Kendall (Kendall 1975; Hipel & McLeod 1994) ---------------------
def mann_kendall(x):
    x = np.asarray(x, float)
    n = len(x)
    s = 0.0
    for k in range(n - 1):
        s += np.sign(x[k + 1:] - x[k]).sum()
    _, t = np.unique(x, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - (t * (t - 1) * (2 * t + 5)).sum()) / 18.0
    if s > 0:
        z = (s - 1) / math.sqrt(var)
    elif s < 0:
        z = (s + 1) / math.sqrt(var)
    else:
        z = 0.0
    p = math.erfc(abs(z) / math.sqrt(2))  # two-sided
    tau = s / (0.5 * n * (n - 1))
    return s, var, z, p, tau


# --- Spearman with average ranks ------------------------------------------
def avg_rank(x):
    x = np.asarray(x, float)
    order = np.argsort(x, kind="mergesort")
    r = np.empty(len(x))
    i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and x[order[j + 1]] == x[order[i]]:
            j += 1
        r[order[i:j + 1]] = (i + j) / 2.0 + 1
        i = j + 1
    return r


def spearman(x, y):
    return float(np.corrcoef(avg_rank(x), avg_rank(y))[0, 1])


# --- Co-location quotient, Leslie & Kronenfeld (2011), on district counts
# (see measures.ColocationQuotient): an A incident's neighbours are the other
# incidents of A and B in its district and the contiguous ones.
def clq(a, b, nb):
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    n = len(a)
    w = dense(nb, n) + np.eye(n)
    bs = w @ b        # B incidents in each district's closed neighbourhood
    alls = w @ (a + b)  # incidents of both
    keep = (a > 0) & (alls > 1)
    f = bs[keep] / (alls[keep] - 1)
    return float((a[keep] @ f / a[keep].sum()) / (b.sum() / (a.sum() + b.sum() - 1)))


# --- Benjamini-Hochberg ----------------------------------------------------
def bh(p, q):
    p = np.asarray(p, float)
    m = len(p)
    order = np.argsort(p)
    ok = p[order] <= q * np.arange(1, m + 1) / m
    k = np.nonzero(ok)[0].max() + 1 if ok.any() else 0
    out = np.zeros(m, bool)
    out[order[:k]] = True
    return out


def main():
    out = {}
    # 4x4 rook grid, values chosen by hand: a high corner, a low corner.
    x16 = [9.0, 8.0, 3.0, 1.0,
           7.0, 6.5, 2.0, 1.5,
           4.0, 3.0, 2.5, 0.5,
           2.0, 1.0, 6.0, 5.0]
    nb16 = rook(4, 4)
    out["grid4_rook"] = nb16
    out["x16"] = x16
    zr, pr = gi_star(x16, nb16, True)
    zb, pb = gi_star(x16, nb16, False)
    out["gistar_r_z"] = zr.tolist()
    out["gistar_r_p"] = pr.tolist()
    out["gistar_b_z"] = zb.tolist()
    out["gistar_b_p"] = pb.tolist()
    I, q = local_moran(x16, nb16)
    out["lmoran_I"] = I.tolist()
    out["lmoran_q"] = q.tolist()

    # 3x3 queen grid.
    x9 = [1.0, 2.0, 3.0, 2.0, 10.0, 4.0, 3.0, 4.0, 12.0]
    nb9 = queen(3, 3)
    out["grid3_queen"] = nb9
    out["x9"] = x9
    zr9, pr9 = gi_star(x9, nb9, True)
    out["gistar9_r_z"] = zr9.tolist()
    out["gistar9_r_p"] = pr9.tolist()
    I9, q9 = local_moran(x9, nb9)
    out["lmoran9_I"] = I9.tolist()
    out["lmoran9_q"] = q9.tolist()

    # esda's own doctest (G_Local): DistanceBand(threshold=15) on six points.
    pts = [(10, 10), (20, 10), (40, 10), (15, 20), (30, 20), (30, 30)]
    nb6 = [sorted(j for j in range(6) if j != i and math.dist(pts[i], pts[j]) <= 15) for i in range(6)]
    y6 = [2, 3, 3.2, 5, 8, 7]
    out["esda_doc_nbrs"] = nb6
    out["esda_doc_y"] = y6
    out["esda_doc_r_star_z"] = gi_star(y6, nb6, True)[0].tolist()
    out["esda_doc_b_star_z"] = gi_star(y6, nb6, False)[0].tolist()

    # EB: one empty district (pop 0), one tiny district with a high count.
    ev = [10, 0, 3, 50, 7, 0, 2]
    pop = [100000, 50000, 2000, 400000, 80000, 0, 1000]
    r, a, b = eb(ev, pop)
    out["eb_events"] = ev
    out["eb_pop"] = pop
    out["eb_rates"] = [None if math.isnan(v) else v for v in r]
    out["eb_a"] = a
    out["eb_b"] = b

    # Mann-Kendall: 10 values with two tie groups (three 3s, two 5s).
    mk = [1, 3, 3, 2, 5, 3, 5, 7, 6, 8]
    s, var, z, p, tau = mann_kendall(mk)
    out["mk_y"] = mk
    out["mk"] = {"s": s, "var": var, "z": z, "p": p, "tau": tau}
    mk2 = [9, 8, 8, 7, 7, 7, 5, 6, 4, 2, 3, 1]
    s, var, z, p, tau = mann_kendall(mk2)
    out["mk2_y"] = mk2
    out["mk2"] = {"s": s, "var": var, "z": z, "p": p, "tau": tau}

    sx = [1, 2, 2, 3, 5, 8, 8, 8, 10]
    sy = [2, 1, 4, 4, 6, 5, 9, 7, 7]
    out["spearman_x"] = sx
    out["spearman_y"] = sy
    out["spearman"] = spearman(sx, sy)

    ca = [4, 0, 1, 0, 6, 2, 0, 3, 0, 1, 0, 0, 5, 0, 0, 2]
    cb = [2, 1, 0, 0, 3, 4, 0, 0, 0, 0, 1, 0, 2, 0, 0, 1]
    out["clq_a"] = ca
    out["clq_b"] = cb
    out["clq_ab"] = clq(ca, cb, nb16)
    out["clq_ba"] = clq(cb, ca, nb16)

    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
