"""Is a rep's result carried by one deal? The largest won deal's share of the rep's won revenue, and the
attainment without it, so a rank or an "among the best" resting on one signature is said with that caveat."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .thresholds import ONE_DEAL_SHARE


def largest_deals(opportunities: pd.DataFrame, reps: pd.Index, start, end, as_of) -> pd.DataFrame:
    """Per rep (index ``reps``): ``largest_deal`` (the biggest deal won in [start, min(end, as_of)]),
    ``largest_deal_share`` of the rep's won revenue in the window, and ``carried_by_one_deal`` (that share at
    least `thresholds.ONE_DEAL_SHARE`; False without a win)."""
    o = opportunities
    last = min(pd.Timestamp(end), pd.Timestamp(as_of))
    won = o[o["rep_id"].isin(reps) & (o["status"].astype("str").str.lower() == "won")
            & (o["close_date"] >= pd.Timestamp(start)) & (o["close_date"] <= last)]
    amount = pd.to_numeric(won["amount"], errors="coerce").fillna(0.0)
    g = amount.groupby(won["rep_id"])
    largest = g.max().reindex(reps)
    total = g.sum().reindex(reps)
    share = (largest / total.where(total > 0)).astype(float)
    return pd.DataFrame({"largest_deal": largest.astype(float), "largest_deal_share": share,
                         "carried_by_one_deal": (share >= ONE_DEAL_SHARE).fillna(False).astype(bool)}, index=reps)


def without_largest(won: pd.Series, largest: pd.Series, quota: pd.Series) -> pd.Series:
    """Attainment without the largest deal: (won - largest) / quota (NaN without a quota)."""
    rest = won.fillna(0.0) - largest.fillna(0.0)
    return (rest / quota.where(quota > 0)).astype(float).where(np.isfinite(quota.astype(float)))


def standing(out: pd.DataFrame, largest: pd.DataFrame) -> None:
    """Where a rep stands, for the words that may praise, reassure or rank: ``below_median`` (the outcome, quota
    attainment or else won revenue, below the role's median) and whether one deal carries the result."""
    outcome = out["attainment"] if out["attainment"].notna().sum() >= 3 else out["won_revenue"]
    med = outcome.groupby(out["role"].fillna("")).transform("median")
    out["below_median"] = (outcome < med).fillna(False) | (outcome.isna() & med.notna())
    big = largest.reindex(out["rep_id"].to_numpy())
    for col in big.columns:
        out[col] = big[col].to_numpy()
    out["attainment_without_largest"] = without_largest(
        out["won_revenue"], out["largest_deal"], out["quota"]).to_numpy()
