"""Early warning: who is likely to miss the period's quota, why, and, once the period is over, how it ended.

Each rep's projection (`projection.project`: the expected final figure, the likely range and the chance of
reaching quota, from open deals, new business, the season and tenure) is read here:

- ``at_risk``: the chance of missing quota is at least ``FLAG_AT``, while the period runs and the gap to
  quota is open. One bar: the docs, the words and the tests read it from here. On generated teams (bench/)
  a rep given about a 70% chance of missing misses about 7 times in 10, so a flag means what it says.
- why, for each rep (facts; the words pick those that hold for a flagged rep), each against ``REASON_SHARE``:
  ``pipeline_short`` (the open deals are expected to bring under that share of what the role's median rep's
  bring, per unit of quota), ``closing_slow`` (the rep's deals win under that share of what the team's win
  from the same stages), ``few_new_deals`` (deals created, by value, under that share of the role's median
  pace), ``behind`` (won so far under that share of what the season expects of the quota by now).
- a finished period (as_of on or after its last day): no warning, a verdict: ``verdict`` is "made" or
  "missed", ``short_by`` the amount missed by.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..terms import role_key

FLAG_AT = 0.5  # flag a rep when missing quota is at least this likely
REASON_SHARE = 0.8  # a part of the projection is short when under this share of the role's (or team's) usual
MADE, MISSED = "made", "missed"
REASONS = ("pipeline_short", "closing_slow", "few_new_deals", "behind")


def flag(p_miss, gap_open=True) -> bool:
    """The one rule: flagged when the chance of missing is at least FLAG_AT and the gap to quota is open."""
    return bool(gap_open) and p_miss is not None and not np.isnan(p_miss) and bool(p_miss >= FLAG_AT)


def warn(proj: pd.DataFrame, role: pd.Series | None = None, finished: bool = False) -> pd.DataFrame:
    """Per rep: the projection's figures, ``at_risk`` and why, or the verdict of a finished period.

    ``proj`` is indexed by rep_id with ``quota, won, projection, low, high, chance`` and the parts behind them
    (``pipeline_expected, closing, created_pace, due_by_now``; see `projection.project`)."""
    out = proj.copy()
    quota = out["quota"]
    has_quota = quota.notna() & (quota > 0)
    out["has_quota"] = has_quota
    out["gap"] = (quota - out["won"]).clip(lower=0).where(has_quota)
    out["finished"] = bool(finished)
    if finished:
        out["projection"] = out["won"]
        out[["low", "high"]] = np.column_stack([out["won"], out["won"]])
        out["chance"] = (out["won"] >= quota).astype(float).where(has_quota)
    out["projected_attainment"] = (out["projection"] / quota).where(has_quota)
    out["likely_low"] = (out["low"] / quota).where(has_quota)
    out["likely_high"] = (out["high"] / quota).where(has_quota)
    out["p_miss"] = 1 - out["chance"]
    gap_open = has_quota & (out["gap"] > 0)
    out["at_risk"] = (gap_open & (out["p_miss"] >= FLAG_AT) & (not finished)).astype(bool)
    if finished:
        out["verdict"] = np.where(has_quota, np.where(out["won"] >= quota, MADE, MISSED), None)
        out["short_by"] = out["gap"].where(has_quota)
    else:
        out["verdict"], out["short_by"] = None, np.nan
    # why: each part against the role's (or the team's) usual
    rk = (role.reindex(out.index) if role is not None else pd.Series("", index=out.index)).map(role_key)
    per_quota = (out["pipeline_expected"] / quota).where(has_quota)
    out["pipeline_ratio"] = per_quota / per_quota.groupby(rk).transform("median")
    out["created_ratio"] = out["created_pace"] / out["created_pace"].groupby(rk).transform("median")
    out["pipeline_short"] = (out["pipeline_ratio"] < REASON_SHARE).fillna(False)
    out["closing_slow"] = (out["closing"] < REASON_SHARE).fillna(False)
    out["few_new_deals"] = (out["created_ratio"] < REASON_SHARE).fillna(False)
    # behind the season: well under what it expects by now, and by at least one of the rep's usual deals (less
    # is when a deal happens to land, not a pace: on the third day of a year nobody is "behind")
    short = out["due_by_now"] - out["won"]
    deal = out["per_deal"] if "per_deal" in out else 0.0
    out["behind"] = ((out["won"] < REASON_SHARE * out["due_by_now"]) & (short >= deal)).fillna(False) & has_quota
    return out
