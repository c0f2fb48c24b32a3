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
        role = roles.reindex(perf.index).fillna("(all)")
        parts = [top_group(perf[role == r], top_share) for r in role.unique()]
        return pd.concat(parts).reindex(perf.index) if parts else pd.Series(False, index=perf.index)
    k = max(1, int(round(len(perf) * top_share)))
    top = perf.sort_values(ascending=False, kind="mergesort").index[:k]
    return pd.Series(perf.index.isin(top), index=perf.index)


def _fmt(value: float, kind: str) -> str:
    if not np.isfinite(value):
        return "n/a"
    if kind == "share":
        return f"{value:.0%}"
    if kind == "money":
        return f"{value:,.0f}"
    return f"{value:.1f}"


def compare(features: pd.DataFrame, performance: pd.Series, groups: dict[str, str] | None = None,
            labels: dict[str, str] | None = None, kinds: dict[str, str] | None = None,
            top_share: float = TOP_SHARE, roles: pd.Series | None = None) -> pd.DataFrame:
    """Per feature: ``feature, group, label, top_mean, rest_mean, difference, effect_size, ratio, n_top, n_rest,
    within_role, sentence``.

    ``features`` is indexed by rep_id; ``performance`` (attainment or score) by
    rep_id. Sorted by the absolute effect size, largest first; ``sentence`` is
    filled for the few largest differences (|d| >= MIN_EFFECT) and empty otherwise.
    ``roles`` (indexed by rep_id): with several roles, the comparison is within role
    (``within_role`` True); the means shown are still the plain ones, and a difference
    whose plain means point the other way than the within-role effect gets no sentence.
    Reps of roles with fewer than ``MIN_ROLE_REPS`` reps are then left out.
    """
    groups, labels, kinds = groups or {}, labels or {}, kinds or {}
    role = roles.reindex(performance.dropna().index).fillna("(all)") if roles is not None else None
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
    sentences, written = [], 0
    for _, r in out.iterrows():
        agrees = r["difference"] * r["effect_size"] > 0  # plain means point the way the effect does
        if written < MAX_SENTENCES and abs(r["effect_size"]) >= MIN_EFFECT and agrees:
            written += 1
            kind = kinds.get(r["feature"], "number")
            higher = "higher" if r["difference"] > 0 else "lower"
            ratio = (f" ({r['ratio']:.1f}x)" if np.isfinite(r["ratio"]) and r["ratio"] > 0 and kind != "share" else "")
            size = "large" if abs(r["effect_size"]) >= 0.8 else "medium"
            size += " within-role" if within_role else ""
            label = r["label"][:1].upper() + r["label"][1:]
            sentences.append(
                f"{label} is {higher} among top performers: {_fmt(r['top_mean'], kind)} vs "
                f"{_fmt(r['rest_mean'], kind)} for the rest{ratio}, a {size} difference (d = {r['effect_size']:.1f})."
            )
        else:
            sentences.append("")
    out["sentence"] = sentences
    return out
