"""Metric results in the shapes the views compare: funnel rungs as steps, activity counts as shares."""
from __future__ import annotations

import pandas as pd

from ..terms import ACTIVITY_KEYS, CONVERSION_STEPS, step_of


def step_rows(funnel: pd.DataFrame) -> pd.DataFrame:
    """funnel_counts rows with the step key (``closing``) instead of the rung (``commit->won``)."""
    f = funnel.assign(step=funnel["step"].map(step_of),
                      to=funnel["step"].map(lambda s: s.split("->")[1] if "->" in s else None))
    f = f[f["step"].isin(CONVERSION_STEPS)]
    return f.assign(rate=f["conversion"])[["rep_id", "step", "to", "reached", "advanced", "rate"]]


def activity_shares(values: pd.DataFrame) -> pd.DataFrame:
    """Per rep, each activity type's share of the rep's activities (types present; NaN with no activity)."""
    cols = [f"act_{t}" for t in ACTIVITY_KEYS if f"act_{t}" in values.columns]
    counts = values[cols].fillna(0.0)
    total = counts.sum(axis=1)
    shares = counts.div(total.where(total > 0), axis=0)
    shares.columns = [c.removeprefix("act_") for c in cols]
    return shares
