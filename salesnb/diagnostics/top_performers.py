"""What top performers do differently: top quartile vs the rest, as effect sizes.

Each feature (activity mix, channel mix, lead sources, conversion steps, deal
size, lead quality) is compared with a standardised difference (Cohen's d on
the pooled standard deviation) and a ratio of means. The few largest
differences become sentences a manager can share with the team.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

TOP_SHARE = 0.25
MIN_EFFECT = 0.5  # a "medium" standardised difference; smaller ones are not worth a sentence
MAX_SENTENCES = 5


def top_group(performance: pd.Series, top_share: float = TOP_SHARE) -> pd.Series:
    """Boolean per rep: in the top `top_share` by performance (at least one rep, ties broken by order)."""
    perf = performance.dropna()
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
            top_share: float = TOP_SHARE) -> pd.DataFrame:
    """Per feature: ``feature, group, label, top_mean, rest_mean, difference, effect_size, ratio, sentence``.

    ``features`` is indexed by rep_id; ``performance`` (attainment or score) by
    rep_id. Sorted by the absolute effect size, largest first; ``sentence`` is
    filled for the few largest differences (|d| >= MIN_EFFECT) and empty otherwise.
    """
    groups, labels, kinds = groups or {}, labels or {}, kinds or {}
    is_top = top_group(performance, top_share)
    f = features.reindex(is_top.index)
    top, rest = f[is_top], f[~is_top]
    n_top, n_rest = top.count(), rest.count()
    var = ((n_top - 1) * top.var() + (n_rest - 1) * rest.var()) / (n_top + n_rest - 2).where(n_top + n_rest > 2)
    sd = np.sqrt(var)
    diff = top.mean() - rest.mean()
    out = pd.DataFrame({
        "feature": f.columns,
        "group": [groups.get(c, "other") for c in f.columns],
        "label": [labels.get(c, c.replace("_", " ")) for c in f.columns],
        "top_mean": top.mean().to_numpy(),
        "rest_mean": rest.mean().to_numpy(),
        "difference": diff.to_numpy(),
        "effect_size": (diff / sd.where(sd > 0)).to_numpy(),
        "ratio": (top.mean() / rest.mean().where(rest.mean() != 0)).to_numpy(),
        "n_top": n_top.to_numpy(),
        "n_rest": n_rest.to_numpy(),
    })
    out = out.dropna(subset=["effect_size"])
    out = out.iloc[np.argsort(-out["effect_size"].abs().to_numpy(), kind="mergesort")].reset_index(drop=True)
    sentences = []
    for i, r in out.iterrows():
        if i < MAX_SENTENCES and abs(r["effect_size"]) >= MIN_EFFECT:
            kind = kinds.get(r["feature"], "number")
            higher = "higher" if r["difference"] > 0 else "lower"
            ratio = (f" ({r['ratio']:.1f}x)" if np.isfinite(r["ratio"]) and r["ratio"] > 0 and kind != "share" else "")
            size = "large" if abs(r["effect_size"]) >= 0.8 else "medium"
            label = r["label"][:1].upper() + r["label"][1:]
            sentences.append(
                f"{label} is {higher} among top performers: {_fmt(r['top_mean'], kind)} vs "
                f"{_fmt(r['rest_mean'], kind)} for the rest{ratio}, a {size} difference (d = {r['effect_size']:.1f})."
            )
        else:
            sentences.append("")
    out["sentence"] = sentences
    return out
