"""The early warning run on a period, and its track record on the team's own past.

    ew, fit = warning_at(dataset, table, current, roles)       # the warning of `table`'s period at its as_of
    record = track_record(dataset, period, as_of, roles)        # how it did on earlier periods

The track record is a rolling backtest that never sees the period being judged: it takes the earlier periods
of the same kind that ended before that period starts and that the data covers (the previous quarters of a
quarter, the previous years of a year, ...; without an earlier year, the fiscal quarters that ended before the
year starts), runs the early warning as of each month end inside them (the middle of the period when a month
end falls on none) on what was known then, and compares with how each rep ended that period: below 100% of
quota (a miss) or not. Reps count when they were on the team at the month end and to the period's end, with a
quota in it. With fewer than ``MIN_CHECKS`` such checks there is "not enough history yet".
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from ..periods import Period, earlier, fiscal_year_start
from . import early_warning, projection, season
from .book import Book, day_of

MAX_PAST = {"quarter": 4, "month": 6, "year": 2, "range": 2}
MIN_CHECKS = 20  # rep x month-end checks a track record needs
RECORD_DRAWS = 500  # draws per rep in the track record's warnings (a flag only needs the chance's side of FLAG_AT)


def _first_month(dataset) -> int:
    return int(dataset.meta.fiscal_year_start_month or 1)


def book_of(dataset) -> Book:
    """The dataset's deals as a `Book`, built once per dataset object."""
    frames = (dataset.opportunities, dataset.stage_history, dataset.reps)
    kept = dataset.__dict__.get("_book")
    if kept is None or any(a is not b for a, b in zip(kept[0], frames)):
        kept = (frames, Book.of(dataset))
        dataset.__dict__["_book"] = kept
    return kept[1]


def project_at(dataset, book: Book, period: Period, as_of, reps: pd.DataFrame, quota: pd.Series,
               won: pd.Series, draws: int = projection.DRAWS) -> tuple[pd.DataFrame, projection.Fit]:
    """`projection.project` with the season known at as_of."""
    s = season.season_at(book, dataset.quotas, day_of(as_of), _first_month(dataset))
    return projection.project(book, s, period, as_of, reps, quota, won, draws=draws)


def warning_at(dataset, table, current: pd.Index, roles: pd.Series) -> tuple[pd.DataFrame, projection.Fit]:
    """The early warning (`early_warning.warn`) for the reps `current` of `table`'s period at its as_of.
    Returns the per-rep frame and what the projection learned (stages or ages, season, ...)."""
    per, as_of = table.period, table.as_of
    values = table.values.reindex(current)
    reps = table.reps.reindex(current)
    if "role" not in reps:
        reps = reps.assign(role=roles.reindex(current))
    book = book_of(dataset)
    proj, fit = project_at(dataset, book, per, as_of, reps, values["quota"], values["won_revenue"].fillna(0.0))
    finished = per.over(as_of)
    return early_warning.warn(proj, roles.reindex(current), finished=finished), fit


@dataclass
class TrackRecord:
    """How the early warning did on earlier periods, checked at each month end inside them."""

    kind: str = ""  # the kind of the periods checked ("quarter", ...)
    periods: list[str] = field(default_factory=list)
    month_ends: int = 0  # the days it was run on
    flagged_missed: int = 0  # true alarms
    flagged_made: int = 0  # false alarms
    unflagged_missed: int = 0  # misses the warning did not see
    unflagged_made: int = 0
    too_little: str | None = None  # why there is no record yet (not enough history: what is missing)

    @property
    def checks(self) -> int:
        return self.flagged_missed + self.flagged_made + self.unflagged_missed + self.unflagged_made

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

    @property
    def everyone(self) -> float | None:
        """The precision of flagging every rep: the share who missed."""
        return self.missed / self.checks if self.checks else None

    @classmethod
    def from_dict(cls, d: dict) -> "TrackRecord":
        """Back from `to_dict` (the derived figures are recomputed)."""
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})

    def to_dict(self) -> dict:
        return {**asdict(self), "checks": self.checks, "flagged": self.flagged, "missed": self.missed,
                "precision": self.precision, "recall": self.recall, "flag_everyone_precision": self.everyone}


def past_periods(period: Period, data_start: pd.Timestamp, m0: int) -> list[Period]:
    """Earlier periods of `period`'s kind that end before it starts and start inside the data, most recent
    first; else (a year or range with none) the fiscal quarters that ended before it starts."""
    found = []
    for k in range(1, MAX_PAST.get(period.kind, 2) + 1):
        p = earlier(period, k, m0)
        if p.start < data_start:
            break
        if p.end < period.start:
            found.append(p)
    if found or period.kind in ("quarter", "month"):
        return found
    fy = fiscal_year_start(period.start, m0)
    start = fy + pd.DateOffset(months=3 * (((period.start.year - fy.year) * 12 + period.start.month - fy.month) // 3))
    q = Period(start, start + pd.DateOffset(months=3) - pd.Timedelta(days=1), "", "quarter")  # holds its start
    out = []
    for k in range(1, MAX_PAST["quarter"] + 1):
        p = earlier(q, k, m0)
        if p.start < data_start:
            break
        if p.end < period.start:
            out.append(p)
    return out


def checkpoints(p: Period) -> list[pd.Timestamp]:
    """The month ends inside `p` before its last day; its middle day when there is none."""
    ends = pd.date_range(p.start, p.end, freq="ME")
    ends = [d for d in ends if d < p.end]
    return ends or [p.start + pd.Timedelta(days=p.days // 2)]


def _employed(reps: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp) -> pd.Index:
    """Reps on the team from `first` to `last`."""
    hire = pd.to_datetime(reps["hire_date"]) if "hire_date" in reps else pd.Series(pd.NaT, index=reps.index)
    gone = pd.to_datetime(reps["end_date"]) if "end_date" in reps else pd.Series(pd.NaT, index=reps.index)
    ok = (hire.isna() | (hire <= first)) & (gone.isna() | (gone >= last))
    return reps.index[ok.to_numpy()]


def track_record(dataset, period: Period, as_of, roles: pd.Series) -> TrackRecord:
    """Run the early warning at each month end of earlier periods and count how it did (see the module)."""
    from ..metrics.engine import rep_quotas

    rec = TrackRecord()
    if not dataset.has("quotas"):
        rec.too_little = "no quotas to judge earlier periods by"
        return rec
    book = book_of(dataset)
    data_start = pd.Timestamp(np.datetime64(int(book.created.min()) if len(book.created) else 0, "D"))
    reps = dataset.reps.set_index(dataset.reps["rep_id"].astype(str))
    if "role" not in reps:
        reps = reps.assign(role=roles.reindex(reps.index))
    for p in past_periods(period, data_start, _first_month(dataset)):
        quota = pd.Series(rep_quotas(dataset, reps, p), index=reps.index)
        final = _won(book, reps.index, p.start, p.end)
        judged = 0
        for at in checkpoints(p):
            ids = _employed(reps, at, p.end)
            ids = ids[(quota.reindex(ids) > 0).to_numpy()]
            if not len(ids):
                continue
            proj, _ = project_at(dataset, book, p, at, reps.loc[ids], quota[ids], _won(book, ids, p.start, at),
                                 draws=RECORD_DRAWS)
            ew = early_warning.warn(proj, reps.loc[ids, "role"])
            flagged = ew["at_risk"].to_numpy(bool)
            missed = (final[ids] < quota[ids]).to_numpy()
            rec.flagged_missed += int((flagged & missed).sum())
            rec.flagged_made += int((flagged & ~missed).sum())
            rec.unflagged_missed += int((~flagged & missed).sum())
            rec.unflagged_made += int((~flagged & ~missed).sum())
            rec.month_ends += 1
            judged += len(ids)
        if judged:
            rec.periods.append(p.label)
            rec.kind = p.kind
    rec.periods.reverse()  # oldest first
    if not rec.periods:
        rec.too_little = (f"no earlier {period.kind if period.kind != 'range' else 'period'} "
                          f"with quotas ends before {period.label} starts in the data (it begins "
                          f"{data_start.date()})")
    elif rec.checks < MIN_CHECKS:
        rec.too_little = (f"{rec.checks} checks of a rep at a month end in "
                          f"{', '.join(rec.periods)} (needs {MIN_CHECKS})")
    return rec


def _won(book: Book, ids: pd.Index, start, end) -> pd.Series:
    """Won revenue per rep of deals closed in [start, end] (known by `end`)."""
    pos = book.positions(ids)
    ok = book.won_between(day_of(start), day_of(end)) & (pos >= 0)
    return pd.Series(np.bincount(pos[ok], weights=book.amount[ok], minlength=len(ids)), index=ids)
