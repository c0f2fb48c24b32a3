"""The early warning run on a period, and how far to trust it: a backtest on the dataset's own history.

    ew, horizon = warning_at(dataset, table, current, roles)       # the warning of `table`'s period at its as_of
    bt = backtest(dataset, period, as_of, roles)                   # the same rule, as of the same point of
                                                                   # past periods, against how they ended

The backtest takes the past periods of the same kind that the data covers completely (the previous
quarters of a quarter, the previous years of a year, ...); when there is none of that kind (a first year
of data) it takes the fiscal quarters that ended before as_of. In each it runs the early warning as of the
same share of the period that has passed now, then compares with how each rep ended: below 100% of quota
(a miss) or not. Reps need a quota in that period and to have been on the team from the point to its end.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from ..periods import Period, earlier
from . import early_warning, evidence, hygiene

MAX_PAST = {"quarter": 4, "month": 6, "year": 3, "range": 3}
MIN_REPS = 3  # a past period with fewer reps to judge is left out


def _horizon(dataset, reps: pd.Index, as_of: pd.Timestamp) -> int:
    """The team's median sales cycle over the 12 months to as_of (won deals), as a horizon in days."""
    o = dataset.opportunities
    won = o[o["rep_id"].isin(reps) & (o["status"] == "won") & (o["close_date"] <= as_of)
            & (o["close_date"] > as_of - pd.Timedelta(days=365))]
    cycle = (won["close_date"] - won["created_date"]).dt.days.median() if len(won) else np.nan
    return int(np.clip(cycle, 14, 120)) if np.isfinite(cycle) else early_warning.HORIZON_DAYS


def trailing_pace(dataset, reps: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Per rep: won per day over the 12 months to as_of (from the data's first day, or the rep's hire date,
    when later); the projection's pace early in a period, when the period's own run-rate says little."""
    o = dataset.opportunities
    start = max(as_of - pd.Timedelta(days=364), o["created_date"].min())
    won = o[o["rep_id"].isin(reps.index) & (o["status"] == "won") & (o["close_date"] >= start)
            & (o["close_date"] <= as_of)].groupby("rep_id")["amount"].sum().reindex(reps.index).fillna(0.0)
    first = reps["hire_date"].where(reps["hire_date"] > start, start) if "hire_date" in reps else start
    days = (as_of - pd.Series(first, index=reps.index)).dt.days.clip(lower=30) + 1
    return won / days


def pipeline_due(dataset, reps: pd.Index, as_of: pd.Timestamp, until: pd.Timestamp) -> pd.Series:
    """Per rep: open pipeline at as_of expected to close after it and by `until`."""
    o = hygiene.open_at(dataset.opportunities, as_of)
    due = o[o["rep_id"].isin(reps) & (o["close_date"] > as_of) & (o["close_date"] <= until)]
    return due.groupby("rep_id")["amount"].sum().reindex(reps).fillna(0.0)


def warning_at(dataset, table, current: pd.Index, roles: pd.Series) -> tuple[pd.DataFrame, int]:
    """The early warning (`early_warning.warn`) for the reps `current` of `table`'s period at its as_of:
    each rep's win rate over the 12 months to as_of (shrunk toward the role's), and the open pipeline due
    within one sales cycle. Returns the per-rep frame and the horizon in days."""
    per, as_of = table.period, table.as_of
    values = table.values.reindex(current)
    horizon = _horizon(dataset, current, as_of)
    closed = evidence.closed_deals(dataset.opportunities, current, as_of - pd.Timedelta(days=364), as_of, as_of)
    frame = values.reindex(columns=["quota", "won_revenue", "pipeline_in_period"]).assign(
        win_rate=early_warning.shrunk_win_rate(closed["won"], closed["lost"], roles.reindex(current)),
        pipeline_horizon=pipeline_due(dataset, current, as_of, min(per.end, as_of + pd.Timedelta(days=horizon))),
        pace=trailing_pace(dataset, table.reps.reindex(current), as_of))
    return early_warning.warn(frame, per.days, per.elapsed_days(as_of), roles.reindex(current), horizon), horizon


@dataclass
class Backtest:
    """How the early warning did on past periods, as of the same point of each."""

    point: float  # share of the period passed at as_of (the point each past period is judged at)
    periods: list[str] = field(default_factory=list)
    kind: str = ""  # the kind of the periods used ("quarter", ...)
    flagged_missed: int = 0  # true alarms
    flagged_made: int = 0  # false alarms
    unflagged_missed: int = 0  # misses the warning did not see
    unflagged_made: int = 0
    median_error: float | None = None  # median |projection - final won| / quota
    too_little: str | None = None  # why there is no backtest

    @property
    def flagged(self) -> int:
        return self.flagged_missed + self.flagged_made

    @property
    def missed(self) -> int:
        return self.flagged_missed + self.unflagged_missed

    @property
    def precision(self) -> float | None:
        return self.flagged_missed / self.flagged if self.flagged else None

    @property
    def recall(self) -> float | None:
        return self.flagged_missed / self.missed if self.missed else None

    def to_dict(self) -> dict:
        return {**asdict(self), "flagged": self.flagged, "missed": self.missed, "precision": self.precision,
                "recall": self.recall}


def past_periods(period: Period, as_of: pd.Timestamp, data_start: pd.Timestamp, m0: int) -> list[Period]:
    """Complete past periods of `period`'s kind inside the data, most recent first; else the fiscal quarters
    that ended before as_of (a first year of data has no previous year)."""
    found = []
    for k in range(1, MAX_PAST.get(period.kind, 3) + 1):
        p = earlier(period, k, m0)
        if p.start < data_start:
            break
        if p.end < as_of:
            found.append(p)
    if found or period.kind in ("quarter", "month"):
        return found
    q = Period(period.start, period.start + pd.DateOffset(months=3) - pd.Timedelta(days=1), "", "quarter")
    while q.end < as_of:  # step forward to the quarter holding as_of, then take the complete ones before it
        q = earlier(q, -1, m0)
    return [p for p in (earlier(q, k, m0) for k in range(1, MAX_PAST["quarter"] + 1)) if p.start >= data_start]


def backtest(dataset, period: Period, as_of, roles: pd.Series) -> Backtest:
    """Run the early warning as of the same point of past periods and count how it did (see the module)."""
    from ..metrics import metrics

    as_of = pd.Timestamp(as_of)
    point = period.elapsed_days(as_of) / period.days if period.days else 0.0
    bt = Backtest(point=point)
    if not dataset.has("quotas"):
        bt.too_little = dataset.missing("quotas")
        return bt
    data_start = dataset.opportunities["created_date"].min()
    m0 = int(dataset.meta.fiscal_year_start_month or 1)
    errors = []
    for p in past_periods(period, as_of, data_start, m0):
        at = p.start + pd.Timedelta(days=max(1, round(point * p.days)) - 1)
        then, final = metrics(dataset, p, at), metrics(dataset, p, p.end)
        reps = then.reps.index[then.reps["active"].astype(bool)].intersection(
            final.reps.index[final.reps["active"].astype(bool)])
        quota = final.values["quota"].reindex(reps) if "quota" in final.values else pd.Series(dtype=float)
        reps = quota.index[quota > 0]
        if len(reps) < MIN_REPS:
            continue
        ew, _ = warning_at(dataset, then, reps, roles)
        missed = (final.values["won_revenue"].reindex(reps).fillna(0) / quota[reps]) < 1.0
        flagged = ew["at_risk"].reindex(reps).fillna(False).astype(bool)
        bt.flagged_missed += int((flagged & missed).sum())
        bt.flagged_made += int((flagged & ~missed).sum())
        bt.unflagged_missed += int((~flagged & missed).sum())
        bt.unflagged_made += int((~flagged & ~missed).sum())
        err = (ew["blended_projection"].reindex(reps) - final.values["won_revenue"].reindex(reps).fillna(0)).abs()
        errors += list((err / quota[reps]).dropna())
        bt.periods.append(p.label)
        bt.kind = p.kind
    bt.periods.reverse()  # oldest first
    if errors:
        bt.median_error = float(np.median(errors))
    if not bt.periods:
        bt.too_little = ("too little history: no earlier period with quotas, complete in the data, to test the "
                         "early warning on")
    return bt
