"""Trend series per rep and week or month, for trend charts.

Each figure uses its own date: won/lost by close date, opportunities created
by created date, activities by activity date. Buckets cover the period up to
as_of; weeks start on Monday.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConfigError
from . import _frame as F
from .context import OppFrame, make_context

TREND_COLUMNS = ("won_revenue", "deals_won", "deals_lost", "opportunities_created", "activities")


def _bucket(day: np.ndarray, freq: str) -> np.ndarray:
    """Start day of each day's week (Monday) or month, in days since epoch."""
    if freq == "W":
        return day - ((day + 3) % 7)  # 1970-01-01 was a Thursday
    months = day.astype("datetime64[D]").astype("datetime64[M]")
    return months.astype("datetime64[D]").astype(np.int64)


def trend(dataset, as_of=None, freq: str = "W", period=None) -> pd.DataFrame:
    """Long table ``rep_id, period_start, won_revenue, deals_won, deals_lost, opportunities_created,
    activities`` (NaN activities when there is no activities table), one row per rep in view and
    week ("W") or month ("M") of `period` (default: the dataset's default period) up to as_of.
    """
    freq = str(freq).upper()
    if freq not in ("W", "M"):
        raise ConfigError(f'trend frequency {freq!r} is not supported: use "W" (weekly) or "M" (monthly).')
    ctx, reps = make_context(dataset, period, as_of)
    n = len(ctx.rep_ids)
    if ctx.empty_window or n == 0:
        return pd.DataFrame({"rep_id": pd.Series(dtype="str"), "period_start": pd.Series(dtype="datetime64[ms]"),
                             **{c: pd.Series(dtype="float64") for c in TREND_COLUMNS}})
    first = int(_bucket(np.array([ctx.start]), freq)[0])
    starts = np.unique(_bucket(np.arange(first, ctx.end + 1), freq))
    nb = len(starts)

    def grid(code, day, weights=None):
        ok = (code >= 0) & (day >= ctx.start) & (day <= ctx.end)
        b = np.searchsorted(starts, _bucket(day[ok], freq), side="right") - 1
        flat = code[ok] * nb + b
        w = None if weights is None else weights[ok]
        return np.bincount(flat, weights=w, minlength=n * nb).astype(np.float64)

    o = OppFrame.build(ctx)
    cols = {
        "won_revenue": grid(np.where(o.won, o.code, -1), o.close, o.amount),
        "deals_won": grid(np.where(o.won, o.code, -1), o.close),
        "deals_lost": grid(np.where(o.lost, o.code, -1), o.close),
        "opportunities_created": grid(o.code, o.created),
    }
    if dataset.has("activities"):
        a = dataset.activities
        cols["activities"] = grid(ctx.rep_codes("activities"), F.days(a["date"]))
    else:
        cols["activities"] = np.full(n * nb, np.nan)
    out = pd.DataFrame({
        "rep_id": np.repeat(ctx.rep_ids.to_numpy(), nb),
        "period_start": np.tile(starts.astype("datetime64[D]").astype("datetime64[ms]"), n),
        **cols,
    })
    out["rep_id"] = out["rep_id"].astype("str")
    return out
