"""Vanity-metric audit: does each activity metric go with outcomes across this team?

For every activity metric: Spearman's rank correlation with the outcome
(attainment, or won revenue when there are no quotas) across reps, a seeded
percentile bootstrap interval, and a one-sided permutation p-value for a
positive relation. With more than one role, both sides are first turned into
percentiles within each role (`within_role_percentiles`): an SDR logs more calls
than an AE and carries no revenue quota, and compared across roles that
difference would pass for a relation. Verdicts:

- ``driver``: the relation is positive and would arise by chance less than
  ``ALPHA`` of the time (one-sided permutation test) and the whole interval is
  above zero. A metric planted as pure noise is therefore called a driver in
  at most about ``ALPHA`` of teams.
- ``vanity``: there are enough reps to have seen a real relation
  (``MIN_REPS``), the estimate is weak or negative (rho < ``WEAK_RHO``) and the data rules out a strong positive
  relation (the interval's upper end below ``VANITY_RULES_OUT``). A weak estimate with a wider interval is
  ``unclear``: not enough evidence either way, never "no relation".
- A metric that fewer than ``ACTIVITY_LOGGED_SHARE`` of the reps with an outcome log (a value other than zero) is not
  correlated (``covered`` false, verdict ``unclear``, ``logged`` says how many log it): the others' zeros may be
  a gap in the export (visits logged by one rep only), not no activity. A rep with no value at all (NaN, e.g. no
  miles on any of their activities) is left out of the test.
- A positive relation (rho >= ``WEAK_RHO``) that vanishes once the rep's volume (opportunities per week) is held equal
  (partial rank correlation below ``WEAK_RHO``) is not a driver: the activity merely grows with the work
  (``follows_volume``, verdict ``unclear``). A driver must also hold with the volume held equal on its own
  evidence (the partial correlation's one-sided p below ``ALPHA``, Fisher's z); a relation that does not is
  ``unclear`` with ``volume_unclear``: it may only follow the work.
- ``unclear``: too few reps, a positive hint that is not yet evidence, or too
  early in the period to rank reps by outcome (``too_early`` given: most reps
  still tie at zero, see `evidence.too_early`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..terms import NO_ROLE
from ._stats import normal_cdf, spearman, spearman_bootstrap_interval, spearman_permutation_p
from .thresholds import ACTIVITY_LOGGED_SHARE, VANITY_RULES_OUT

ALPHA = 0.025
MIN_REPS = 8
WEAK_RHO = 0.2
N_RESAMPLES = 2000
MIN_RESAMPLES = 400
RESAMPLE_BUDGET = 1_000_000  # resamples x reps per metric
LEVEL = 0.9
MIN_ROLE_REPS = 3  # with several roles, reps of a role smaller than this have no peers to be ranked among
VERDICTS = ("driver", "vanity", "unclear")

# how a sentence names a metric (falls back to the catalogue label)
PHRASES = {"miles": "miles driven", "activities": "the number of activities"}


def within_role_percentiles(pair: pd.DataFrame, roles: pd.Series | None) -> tuple[pd.DataFrame, bool]:
    """(`pair` with x and y as percentiles within each role, whether it was done).

    With one role (or none given) `pair` is returned as it is: percentiles within a
    single group are a monotone transform, which would not change a rank correlation.
    With several, reps of roles with fewer than `MIN_ROLE_REPS` are left out.
    """
    if roles is None:
        return pair, False
    role = roles.reindex(pair.index).fillna(NO_ROLE)
    if role.nunique() < 2:
        return pair, False
    size = role.map(role.value_counts())
    pair, role = pair[size >= MIN_ROLE_REPS], role[size >= MIN_ROLE_REPS]
    ranked = pair.groupby(role).rank(method="average")
    n = role.map(role.value_counts()).astype(float)  # float even when no role is left (a str Series cannot divide)
    return ranked.sub(0.5).div(n, axis=0), True


def partial_rho(x, y, z) -> float:
    """Spearman's rho of x and y with z held equal (the partial correlation of the ranks); NaN when undefined."""
    rxy, rxz, ryz = spearman(x, y), spearman(x, z), spearman(y, z)
    den = np.sqrt(max(0.0, (1 - rxz**2) * (1 - ryz**2)))
    return float((rxy - rxz * ryz) / den) if den > 1e-9 and np.isfinite(rxy) else float("nan")


def partial_p(held: float, n: int) -> float:
    """One-sided p-value that a partial rank correlation ``held`` (one variable held equal) is above zero, from
    Fisher's z with n - 4 degrees of freedom; NaN when undefined."""
    if not np.isfinite(held) or n <= 4:
        return float("nan")
    z = np.arctanh(np.clip(held, -0.999999, 0.999999)) * np.sqrt(n - 4)
    return float(1 - normal_cdf(z))


def logged(x: pd.Series, y: pd.Series) -> tuple[int, int]:
    """(reps with an outcome who log the metric (a value other than zero), reps with an outcome)."""
    has_outcome = y.reindex(x.index).notna()
    return int((x[has_outcome].fillna(0) != 0).sum()), int(has_outcome.sum())


def covered(n_logged: int, n_reps: int) -> bool:
    """Whether enough of the reps log a metric for its zeros to read as no activity rather than a gap in the export."""
    return n_logged > 0 and n_logged >= ACTIVITY_LOGGED_SHARE * n_reps


def audit(activity: pd.DataFrame, outcome: pd.Series, labels: dict[str, str] | None = None, seed: int = 0, n_resamples: int = N_RESAMPLES,
          too_early: str | None = None, roles: pd.Series | None = None,
          volume: pd.Series | None = None) -> pd.DataFrame:
    """One row per activity metric: ``metric, label, rho, low, high, p_value, n, verdict, within_role, enough_reps``,
    ``logged`` (reps with an outcome who log it), ``reps`` (reps with an outcome), ``covered`` (see the module).

    ``activity`` is indexed by rep_id, one column per activity metric;
    ``outcome`` is indexed by rep_id. Reps with a missing value on either side
    are left out of that metric's test. Randomness is seeded by ``seed``.
    ``too_early``: the reason the outcome cannot rank reps yet; every verdict is
    then ``unclear`` (rho is still reported).
    ``roles``: each rep's role (indexed by rep_id); with several roles the test is
    run on percentiles within role (``within_role`` True).
    ``volume``: each rep's volume of work (opportunities per week); ``partial_rho`` holds it equal.
    """
    labels = labels or {}
    rows = []
    for k, metric in enumerate(activity.columns):
        n_logged, n_reps = logged(activity[metric], outcome)
        is_covered = covered(n_logged, n_reps)
        parts = [activity[metric].rename("x"), outcome.rename("y")]
        if volume is not None:
            parts.append(volume.rename("z"))
        pair = pd.concat(parts, axis=1, join="inner").dropna()
        if not is_covered:  # not measured for most reps: nothing to correlate
            pair = pair.iloc[0:0]
        pair, within_role = within_role_percentiles(pair, roles)
        x, y = pair["x"].to_numpy(float), pair["y"].to_numpy(float)
        n = len(pair)
        label = PHRASES.get(metric, labels.get(metric, metric.replace("_", " ")))
        rng = np.random.default_rng([seed, k])
        # big teams: fewer resamples keep the cost linear; the interval is narrow there anyway
        reps_n = int(min(n_resamples, max(MIN_RESAMPLES, RESAMPLE_BUDGET // max(n, 1))))
        if n >= 3 and np.ptp(x) > 0 and np.ptp(y) > 0:
            rho = spearman(x, y)
            lo, hi = spearman_bootstrap_interval(x, y, reps_n, rng, LEVEL)
            p = spearman_permutation_p(x, y, reps_n, rng)
        else:
            rho, lo, hi, p = (float("nan"),) * 4
        held = partial_rho(x, y, pair["z"].to_numpy(float)) if "z" in pair and n >= 3 and np.ptp(pair["z"]) > 0 \
            else float("nan")
        # "follows the work" is a finding too: only where the relation itself is shown (its interval leaves 0 out)
        follows = bool(np.isfinite(rho) and rho >= WEAK_RHO and np.isfinite(held) and held < WEAK_RHO
                       and n >= MIN_REPS and np.isfinite(lo) and lo > 0)
        held_p = partial_p(held, n)
        # a driver holds with the volume of work held equal too, on its own evidence: a partial rho above
        # WEAK_RHO by chance (about 1 team in 5 with two dozen reps) does not make an activity that only grows
        # with the work worth encouraging
        beyond = not np.isfinite(held) or held_p < ALPHA
        if too_early:
            verdict = "unclear"
        elif follows:
            verdict = "unclear"  # it grows with the work, not with results for the same work
        elif np.isfinite(p) and p < ALPHA and rho > 0 and lo > 0 and beyond:
            verdict = "driver"
        elif n >= MIN_REPS and np.isfinite(rho) and rho < WEAK_RHO and hi < VANITY_RULES_OUT:
            verdict = "vanity"
        else:
            verdict = "unclear"
        volume_unclear = bool(not too_early and not follows and verdict == "unclear" and np.isfinite(p) and p < ALPHA
                              and rho > 0 and lo > 0 and not beyond)
        rows.append(dict(metric=metric, label=label, rho=rho, low=lo, high=hi, p_value=p, n=n,
                         verdict=verdict, within_role=within_role, enough_reps=n >= MIN_REPS, partial_rho=held,
                         partial_p=held_p, follows_volume=follows and not too_early, volume_unclear=volume_unclear,
                         logged=n_logged, reps=n_reps, covered=is_covered))
    cols = ["metric", "label", "rho", "low", "high", "p_value", "n", "verdict", "within_role", "enough_reps",
            "partial_rho", "partial_p", "follows_volume", "volume_unclear", "logged", "reps", "covered"]
    return pd.DataFrame(rows, columns=cols)
