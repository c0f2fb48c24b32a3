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
