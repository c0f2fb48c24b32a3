"""What top performers do differently: top quartile vs the rest, as effect sizes.

Each feature (activity mix, channel mix, lead sources, conversion steps, deal
size, lead quality) is compared with a standardised difference (Cohen's d on
the pooled standard deviation) and a ratio of means. The few largest
differences become sentences a manager can share with the team.

With more than one role the top quartile is taken within each role, and the
effect sizes are computed on values centred on their role's mean: an SDR's
many calls say nothing about what makes a top AE.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..terms import NO_ROLE

TOP_SHARE = 0.25
MIN_EFFECT = 0.5  # a "medium" standardised difference; smaller ones are not worth a sentence
MAX_SENTENCES = 5
MIN_ROLE_REPS = 4  # with several roles, a role needs this many reps to have a top quartile


def top_group(performance: pd.Series, top_share: float = TOP_SHARE, roles: pd.Series | None = None) -> pd.Series:
    """Boolean per rep: in the top `top_share` by performance (at least one rep, ties broken by order).

    With `roles` (indexed by rep_id), the top share of each role.
    """
    perf = performance.dropna()
    if roles is not None:
        role = roles.reindex(perf.index).fillna(NO_ROLE)
        parts = [top_group(perf[role == r], top_share) for r in role.unique()]
        return pd.concat(parts).reindex(perf.index) if parts else pd.Series(False, index=perf.index)
    k = max(1, int(round(len(perf) * top_share)))
    top = perf.sort_values(ascending=False, kind="mergesort").index[:k]
    return pd.Series(perf.index.isin(top), index=perf.index)


def compare(features: pd.DataFrame, performance: pd.Series, groups: dict[str, str] | None = None,
            labels: dict[str, str] | None = None, kinds: dict[str, str] | None = None,
            top_share: float = TOP_SHARE, roles: pd.Series | None = None) -> pd.DataFrame:
    """Per feature: ``feature, group, label, top_mean, rest_mean, difference, effect_size, ratio, n_top, n_rest,
    within_role, notable, size``.

    ``features`` is indexed by rep_id; ``performance`` (attainment or score) by
    rep_id. Sorted by the absolute effect size, largest first; ``notable`` marks the few largest
    differences (|d| >= MIN_EFFECT) worth a sentence, ``size`` says medium or large.
    ``roles`` (indexed by rep_id): with several roles, the comparison is within role
    (``within_role`` True); the means shown are still the plain ones, and a difference
    whose plain means point the other way than the within-role effect is not notable.
    Reps of roles with fewer than ``MIN_ROLE_REPS`` reps are then left out.
    """
    groups, labels, kinds = groups or {}, labels or {}, kinds or {}
    role = roles.reindex(performance.dropna().index).fillna(NO_ROLE) if roles is not None else None
    within_role = role is not None and role.nunique() > 1
    if within_role:
        role = role[role.map(role.value_counts()) >= MIN_ROLE_REPS]
        performance = performance.reindex(role.index)
    is_top = top_group(performance, top_share, role if within_role else None)
    f = features.reindex(is_top.index)
    # within role: each value's distance from its role's mean, so role differences drop out
    centred = f - f.groupby(role).transform("mean") if within_role else f
    top, rest = f[is_top], f[~is_top]
    ctop, crest = centred[is_top], centred[~is_top]
    n_top, n_rest = top.count(), rest.count()
    var = ((n_top - 1) * ctop.var() + (n_rest - 1) * crest.var()) / (n_top + n_rest - 2).where(n_top + n_rest > 2)
    sd = np.sqrt(var)
    diff = top.mean() - rest.mean()
    cdiff = ctop.mean() - crest.mean()
    out = pd.DataFrame({
        "feature": f.columns,
        "group": [groups.get(c, "other") for c in f.columns],
        "kind": [kinds.get(c, "number") for c in f.columns],
        "label": [labels.get(c, c.replace("_", " ")) for c in f.columns],
        "top_mean": top.mean().to_numpy(),
        "rest_mean": rest.mean().to_numpy(),
        "difference": diff.to_numpy(),
        "effect_size": (cdiff / sd.where(sd > 0)).to_numpy(),
        "ratio": (top.mean() / rest.mean().where(rest.mean() != 0)).to_numpy(),
        "n_top": n_top.to_numpy(),
        "n_rest": n_rest.to_numpy(),
        "within_role": within_role,
    })
    out = out.dropna(subset=["effect_size"])
    out = out.iloc[np.argsort(-out["effect_size"].abs().to_numpy(), kind="mergesort")].reset_index(drop=True)
    # the few largest differences worth telling the team: medium or large, and the plain means point
    # the way the within-role effect does
    agrees = out["difference"] * out["effect_size"] > 0
    candidate = (out["effect_size"].abs() >= MIN_EFFECT) & agrees
    out["notable"] = candidate & (candidate.cumsum() <= MAX_SENTENCES)
    out["size"] = np.where(out["effect_size"].abs() >= 0.8, "large", "medium")
    return out
