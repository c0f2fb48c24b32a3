"""The team-wide work, done once: metrics, scorecard, funnel, diagnosis and the time series.

    team = analyse(dataset, period="2026", as_of="2026-11-15")     # or open_team("data/sample")
    team.table, team.card, team.diagnosis                           # what every view reads

Everything a rep's report, the team explorer and the command line show about a period starts here;
none of them recomputes it. The result holds facts (DataFrames, numbers), no sentences.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .terms import role_key


@dataclass
class TeamAnalysis:
    """One period of one team, analysed."""

    dataset_name: str
    currency: str
    table: object  # MetricTable
    card: object  # Scorecard
    funnel: pd.DataFrame  # funnel_counts: rep_id, step, reached, advanced, conversion
    diagnosis: object  # Diagnosis
    monthly: pd.DataFrame  # trend per rep and month, only months the rep was on the team
    weekly: pd.DataFrame  # the same per week
    quota_now: pd.DataFrame | None  # per rep, the quota span holding as_of (e.g. the quarter)
    missing: dict[str, str]  # optional table -> what its absence costs (absent tables only)
    dataset: object | None = None  # kept for views that recompute another period (the explorer)

    @property
    def period(self):
        return self.table.period

    @property
    def as_of(self) -> pd.Timestamp:
        return self.table.as_of

    @property
    def weights(self):
        return self.card.weights

    @property
    def current_ids(self) -> list[str]:
        """The reps employed at as_of, in the diagnosis's order: the reps that get a report."""
        return [str(r) for r in self.diagnosis.reps["rep_id"]]

    def roles(self) -> pd.Series:
        """Each current rep's role key (`terms.role_key`), indexed by rep_id."""
        reps = self.table.reps
        return reps["role"].map(role_key) if "role" in reps else pd.Series(role_key(None), index=reps.index)


def analyse(dataset, period=None, as_of=None, weights=None, compare_to=None) -> TeamAnalysis:
    """Analyse one period of `dataset` at `as_of`.

    weights: a `Weights`, a preset name, a weights-file path, or None (the default preset).
    compare_to: the period "since last time" compares with (default: the previous comparable one).
    """
    from .diagnostics import diagnose
    from .metrics import funnel_counts, metrics, trend
    from .scorecard import as_weights, score

    w = as_weights(weights)
    table = metrics(dataset, period, as_of)  # resolves the default date and period, checks a given one
    as_of = table.as_of
    card = score(table, w)
    funnel = funnel_counts(dataset, table.period, as_of)
    diagnosis = diagnose(dataset, table.period, as_of, w, table=table, card=card, funnel=funnel,
                         compare_to=compare_to)
    monthly = employed_rows(trend(dataset, as_of=as_of, freq="M", period=table.period), table.reps, "M")
    weekly = employed_rows(trend(dataset, as_of=as_of, freq="W", period=table.period), table.reps, "W")
    missing = {name: dataset.missing(name) for name in ("quotas", "activities", "leads")
               if dataset.missing(name)}
    return TeamAnalysis(
        dataset_name=dataset.meta.name, currency=dataset.meta.currency, table=table, card=card, funnel=funnel,
        diagnosis=diagnosis, monthly=monthly, weekly=weekly,
        quota_now=current_quota(dataset.quotas if dataset.has("quotas") else None, as_of),
        missing=missing, dataset=dataset)


def open_team(data_dir: str | Path | None = "", as_of: str | None = "", period: str | None = "",
              weights_file: str | Path | None = "") -> TeamAnalysis:
    """Load and analyse a dataset folder (empty arguments = the defaults: the bundled sample team,
    the dataset's report date and period, the default preset)."""
    from .config import resolve_data_dir
    from .load import load

    dataset = load(resolve_data_dir(data_dir))
    return analyse(dataset, period=period or None, as_of=as_of or None, weights=weights_file or None)


def employed_rows(long: pd.DataFrame, reps: pd.DataFrame, freq: str) -> pd.DataFrame:
    """The rows of a per-rep time series (``rep_id, period_start``) whose bucket overlaps the rep's employment.

    A bucket is a month ("M") or a Monday-to-Sunday week ("W"); a missing hire or end date means no limit.
    """
    if long is None or not len(long):
        return long
    start = long["period_start"]
    end = start + (pd.offsets.MonthEnd(0) if freq == "M" else pd.Timedelta(days=6))
    keep = pd.Series(True, index=long.index)
    if "hire_date" in reps:
        hire = long["rep_id"].map(reps["hire_date"])
        keep &= hire.isna() | (hire <= end)
    if "end_date" in reps:
        leave = long["rep_id"].map(reps["end_date"])
        keep &= leave.isna() | (leave >= start)
    return long[keep.to_numpy()].reset_index(drop=True)


def current_quota(quotas: pd.DataFrame | None, as_of) -> pd.DataFrame | None:
    """Per rep, the quota row whose span holds `as_of` (e.g. this quarter): index rep_id, ``start, end, quota``."""
    if quotas is None or not len(quotas):
        return None
    as_of = pd.Timestamp(as_of)
    q = quotas[(quotas["period_start"] <= as_of) & (quotas["period_end"] >= as_of)]
    q = q.sort_values(["rep_id", "period_end"]).drop_duplicates("rep_id", keep="first")
    return pd.DataFrame({"start": q["period_start"].to_numpy(), "end": q["period_end"].to_numpy(),
                         "quota": q["quota"].astype(float).to_numpy()},
                        index=pd.Index(q["rep_id"].astype(str), name="rep_id"))
