"""Small exact tail probabilities and rank statistics, vectorised with numpy.

Kept here (instead of depending on scipy) because the diagnoses need only a
binomial and a Poisson tail, Spearman's rho and its resampling intervals.
"""
from __future__ import annotations

import numpy as np

_CHUNK_CELLS = 4_000_000  # rows x terms evaluated at once (bounds memory on big teams)


def _log_factorials(n_max: int) -> np.ndarray:
    """log(k!) for k = 0..n_max."""
    return np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, n_max + 1, dtype=float)))])


def _logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return (np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m).squeeze(axis)


def _chunked_tail(k: np.ndarray, logpmf_rows) -> np.ndarray:
    """Sum pmf(0..k) row by row in chunks; `logpmf_rows(rows, i)` gives log pmf at terms i."""
    out = np.empty(k.shape)
    width = int(k.max()) + 1
    step = max(1, _CHUNK_CELLS // width)
    i = np.arange(width)[None, :]
    for lo in range(0, k.size, step):
        rows = slice(lo, lo + step)
        lp = logpmf_rows(rows, i)
        lp = np.where(i <= k[rows][:, None], lp, -np.inf)
        out[rows] = np.minimum(1.0, np.exp(_logsumexp(lp, axis=1)))
    return out


def binom_cdf(k, n, p) -> np.ndarray:
    """P(X <= k) for X ~ Binomial(n, p), elementwise (n a count); NaN where n < 1 or p is NaN."""
    k, n, p = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (k, n, p)))
    out = np.full(k.shape, np.nan)
    ok = (n >= 1) & np.isfinite(p) & np.isfinite(k) & np.isfinite(n) & (k >= 0)
    if not ok.any():
        return out
    kk, nn, pp = np.floor(k[ok]), np.round(n[ok]), np.clip(p[ok], 0.0, 1.0)
    res = np.ones(kk.shape)
    # p = 0: X is 0 surely (cdf 1); p = 1: X is n surely (cdf 0 below n)
    res[(pp >= 1) & (kk < nn)] = 0.0
    inner = (kk < nn) & (pp > 0) & (pp < 1)
    if inner.any():
        ki, ni, pi = kk[inner], nn[inner], pp[inner]
        lf = _log_factorials(int(ni.max()))
        n_int = ni.astype(np.int64)

        def logpmf(rows, i):
            nr = n_int[rows][:, None]
            j = np.minimum(i, nr)
            return (lf[nr] - lf[j] - lf[nr - j] + j * np.log(pi[rows])[:, None]
                    + (nr - j) * np.log1p(-pi[rows])[:, None])

        res[inner] = _chunked_tail(ki, logpmf)
    out[ok] = res
    return out


def binom_sf(k, n, p) -> np.ndarray:
    """P(X >= k) for X ~ Binomial(n, p)."""
    k = np.asarray(k, dtype=float)
    below = binom_cdf(k - 1, n, p)
    return np.where(k <= 0, 1.0, 1.0 - below)


def poisson_cdf(k, mu) -> np.ndarray:
    """P(X <= k) for X ~ Poisson(mu), elementwise; NaN where mu is NaN."""
    k, mu = np.broadcast_arrays(np.asarray(k, dtype=float), np.asarray(mu, dtype=float))
    out = np.full(k.shape, np.nan)
    ok = np.isfinite(mu) & np.isfinite(k) & (k >= 0) & (mu >= 0)
    if not ok.any():
        return out
    kk, mm = np.floor(k[ok]), mu[ok]
    res = np.ones(kk.shape)
    pos = mm > 0
    if pos.any():
        kp, mp = kk[pos], mm[pos]
        lf = _log_factorials(int(kp.max()))

        def logpmf(rows, i):
            return i * np.log(mp[rows])[:, None] - mp[rows][:, None] - lf[i]

        res[pos] = _chunked_tail(kp, logpmf)
    out[ok] = res
    return out


def rank_rows(a: np.ndarray) -> np.ndarray:
    """Average ranks (ties share their mean rank) along the last axis."""
    a = np.asarray(a, dtype=float)
    order = np.argsort(a, axis=-1, kind="mergesort")
    sorted_a = np.take_along_axis(a, order, axis=-1)
    n = a.shape[-1]
    pos = np.broadcast_to(np.arange(1, n + 1, dtype=float), a.shape)
    # mean position within each run of equal values
    new_run = np.concatenate(
        [np.ones(a.shape[:-1] + (1,), bool), sorted_a[..., 1:] != sorted_a[..., :-1]], axis=-1
    )
    run_id = np.cumsum(new_run, axis=-1) - 1
    flat_offset = (np.arange(int(np.prod(a.shape[:-1]))) * n).reshape(a.shape[:-1] + (1,))
    ids = (run_id + flat_offset).ravel()
    sums = np.bincount(ids, weights=pos.ravel(), minlength=int(np.prod(a.shape[:-1])) * n)
    counts = np.bincount(ids, minlength=int(np.prod(a.shape[:-1])) * n)
    mean_pos = (sums / np.maximum(counts, 1))[ids].reshape(a.shape)
    ranks = np.empty_like(mean_pos)
    np.put_along_axis(ranks, order, mean_pos, axis=-1)
    return ranks


def _pearson_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    xc = x - x.mean(axis=-1, keepdims=True)
    yc = y - y.mean(axis=-1, keepdims=True)
    den = np.sqrt((xc**2).sum(axis=-1) * (yc**2).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (xc * yc).sum(axis=-1) / np.where(den > 0, den, 1), np.nan)


def spearman(x, y) -> float:
    """Spearman's rank correlation (NaN when either side is constant)."""
    return float(_pearson_rows(rank_rows(np.asarray(x, float)), rank_rows(np.asarray(y, float))))


def spearman_permutation_p(x, y, n_perm: int, rng: np.random.Generator) -> float:
    """One-sided permutation p-value for a positive rank correlation (add-one corrected)."""
    rx, ry = rank_rows(np.asarray(x, float)), rank_rows(np.asarray(y, float))
    observed = float(_pearson_rows(rx, ry))
    if not np.isfinite(observed):
        return float("nan")
    perms = rng.permuted(np.broadcast_to(ry, (n_perm, ry.size)).copy(), axis=1)
    null = _pearson_rows(np.broadcast_to(rx, perms.shape), perms)
    return float((1 + np.sum(null >= observed - 1e-12)) / (n_perm + 1))


def spearman_bootstrap_interval(x, y, n_boot: int, rng: np.random.Generator, level: float = 0.9):
    """Percentile bootstrap interval for Spearman's rho (reps resampled with replacement)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    idx = rng.integers(0, x.size, size=(n_boot, x.size))
    rhos = _pearson_rows(rank_rows(x[idx]), rank_rows(y[idx]))
    rhos = rhos[np.isfinite(rhos)]
    if rhos.size == 0:
        return float("nan"), float("nan")
    tail = (1 - level) / 2
    return float(np.quantile(rhos, tail)), float(np.quantile(rhos, 1 - tail))


def betabinom_cdf(k, n, p, rho) -> np.ndarray:
    """P(X <= k) for X beta-binomial with mean n*p and intra-class correlation ``rho`` (the share of a rate's
    variance that is real difference between reps): the binomial when ``rho`` is 0. NaN where n < 1 or p is NaN.

    The pmf is C(n,i) B(i+a, n-i+b) / B(a, b) with a = p (1/rho - 1), b = (1-p)(1/rho - 1); the log-gammas are
    cumulative sums of logs (Gamma(x+i) = Gamma(x) x (x+1) ... (x+i-1)), so no gamma function is needed."""
    k, n, p, rho = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (k, n, p, rho)))
    out = binom_cdf(k, n, p)
    mix = np.isfinite(out) & (np.nan_to_num(rho) > 0) & (p > 0) & (p < 1) & (k < n) & (k >= 0)
    for j in np.flatnonzero(mix.ravel()):
        kk, nn, pp, rr = int(k.flat[j]), int(round(n.flat[j])), p.flat[j], min(rho.flat[j], 0.999)
        s = 1.0 / rr - 1.0
        a, b = pp * s, (1 - pp) * s
        i = np.arange(nn + 1, dtype=float)
        la = np.concatenate([[0.0], np.cumsum(np.log(a + i[:-1]))])  # log Gamma(a+i) - log Gamma(a)
        lb = np.concatenate([[0.0], np.cumsum(np.log(b + i[:-1]))])
        lab = float(np.sum(np.log(a + b + i[:-1])))  # log Gamma(a+b+n) - log Gamma(a+b)
        lf = _log_factorials(nn)
        logpmf = lf[nn] - lf[:nn + 1] - lf[nn::-1] + la + lb[::-1] - lab
        out.flat[j] = min(1.0, float(np.exp(_logsumexp(logpmf[:kk + 1][None, :], axis=1))[0]))
    return out


def betabinom_sf(k, n, p, rho) -> np.ndarray:
    """P(X >= k) for the beta-binomial of `betabinom_cdf`."""
    k = np.asarray(k, dtype=float)
    return np.where(k <= 0, 1.0, 1.0 - betabinom_cdf(k - 1, n, p, rho))


def normal_cdf(z) -> np.ndarray:
    """Standard normal P(Z <= z), elementwise (NaN stays NaN)."""
    from math import erfc, sqrt

    z = np.asarray(z, dtype=float)
    return np.vectorize(lambda x: 0.5 * erfc(-x / sqrt(2)) if np.isfinite(x) else (np.nan if np.isnan(x) else
                                                                                     float(x > 0)),
                        otypes=[float])(z) if z.size else z


def bh_adjust(p) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values); NaN p-values are left out and stay NaN."""
    p = np.asarray(p, dtype=float)
    q = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    m = int(ok.sum())
    if m == 0:
        return q
    pv = p[ok]
    order = np.argsort(pv, kind="mergesort")
    ranked = pv[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    adj = np.empty(m)
    adj[order] = np.minimum(ranked, 1.0)
    q[ok] = adj
    return q


def upper_spread(x) -> float:
    """The spread of `x` as a variance, read from the values above the median only. Leaks pull values down, so
    the reps who leak cannot inflate it.

    The mean squared distance above the median (for a normal sample, its variance), each distance counted at
    most 2.5 times the median distance's reading of the spread (1.4826 x the median distance), so one rep far
    above (a star) weighs little; the bound's cost for a normal sample (2.2%) is put back. The median
    distance alone is too unsteady: with a dozen values above the median it read a normal team's spread
    anywhere from a third to twice its size (10th to 90th percentile), and a spread read too small makes
    ordinary reps look like leaks."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if x.size < 3:
        return 0.0
    med = np.median(x)
    d = x[x > med] - med
    if d.size == 0:
        return 0.0
    bound = 2.5 * 1.4826 * float(np.median(x[x >= med] - med))
    return float(np.mean(np.minimum(d, bound) ** 2)) / _WINSORISED_HALF_NORMAL


# E[min(Z, 2.5)^2 | Z > 0] for a standard normal Z: 2 (Phi(2.5) - 1/2 - 2.5 phi(2.5)) + 2.5^2 x 2 (1 - Phi(2.5))
_WINSORISED_HALF_NORMAL = 0.9776


def wilson(k, n, level: float = 0.9):
    """Wilson score interval for k successes of n, elementwise: (low, high); NaN where n < 1."""
    from statistics import NormalDist

    z = NormalDist().inv_cdf(0.5 + level / 2)
    k, n = np.broadcast_arrays(np.asarray(k, float), np.asarray(n, float))
    with np.errstate(invalid="ignore", divide="ignore"):
        nn = np.where(n >= 1, n, np.nan)
        ph = k / nn
        centre = (ph + z * z / (2 * nn)) / (1 + z * z / nn)
        half = z * np.sqrt(ph * (1 - ph) / nn + z * z / (4 * nn * nn)) / (1 + z * z / nn)
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
