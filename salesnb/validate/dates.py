"""Dates that cannot be right: events in the future, after the report date, or before the rep was hired.

Two references, because they catch different mistakes:

- today's date (the wall clock, one day of grace for time zones): an event after it cannot
  have happened yet (a deal closed in 2030, an activity in 2099: a typo in the year). Without
  as_of in dataset.toml such a row would also become the report date of every analysis.
- dataset.toml's as_of, when set: events after it are invisible to analyses as of that date.

Both are warnings (the data loads). Only events count: expected close dates of open deals,
quota periods, hire and end dates may lie ahead. A rep whose hire date is after their own
deals or activities is a warning (deals handed over to a new hire are normal), and an error
when the hire date is also after the report date: score and diagnose would leave the rep,
and their deals, out.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..dataset_toml import DatasetMeta
from .report import ValidationReport
from .rows import RawTable, report_rows
from .rules import closed_deals

# (table, date column, only closed deals): the events whose dates must not lie ahead
EVENTS = (
    ("opportunities", "created_date", False),
    ("opportunities", "close_date", True),
    ("opportunities", "stage_changed_date", False),
    ("activities", "date", False),
    ("leads", "created_date", False),
    ("stage_history", "entered_date", False),
)
# The rep's own rows that must not predate their hire date: (table, date column)
OWN_ROWS = (("opportunities", "created_date"), ("activities", "date"))
_EPOCH = dt.date(1970, 1, 1)
_NULL = np.iinfo(np.int32).min  # a missing date, as days: before every date


def today() -> dt.date:
    """Today's date (a function, so that tests can fix it)."""
    return dt.date.today()


def check_dates(raws: dict[str, RawTable], report: ValidationReport, meta: DatasetMeta) -> None:
    """Warn about events after today or after as_of; check hire dates against the rep's own rows."""
    now = today()
    limit = _day(now) + 1  # one day of grace: an export from a time zone ahead of ours
    as_of = _day(dt.date.fromisoformat(meta.as_of)) if meta.as_of else None
    for table, column, closed_only in EVENTS:
        raw = raws.get(table)
        # One max over the whole column decides whether any row needs looking at (it seldom does).
        if raw is not None and column in raw.columns and (top := _max_day(raw.columns[column])) is not None \
                and (top > limit or (as_of is not None and top > as_of)):
            _report_late(raw, report, column, closed_deals(raw) if closed_only else None, now, limit, as_of,
                         meta.as_of)
    if "reps" in raws:
        check_hire_dates(raws, report, lambda: as_of if as_of is not None else latest_event(raws))


def latest_event(raws: dict[str, RawTable]) -> int | None:
    """The latest event date of the kept rows (days since 1970): the report date when as_of is not set."""
    latest = None
    for table, column, closed_only in EVENTS:
        raw = raws.get(table)
        if raw is None or column not in raw.columns:
            continue
        closed = closed_deals(raw) if closed_only else None
        where = raw.keep if closed is None else raw.keep & closed
        top = _max_day(raw.columns[column].filter(pa.array(where)))
        if top is not None and (latest is None or top > latest):
            latest = top
    return latest


def _report_late(raw: RawTable, report: ValidationReport, column: str, closed, now: dt.date, limit: int,
                 as_of: int | None, as_of_text: str | None) -> None:
    days = _days(raw.columns[column], _NULL)
    where = raw.keep if closed is None else raw.keep & closed
    report_rows(report, "warning", raw, where & (days > limit), column, raw.raw(column),
                f"is in the future (after today, {now}): it cannot have happened yet.",
                "correct the date (a typo in the year?). " + (
                    f"As it is, analyses as of {as_of_text} (dataset.toml) do not count it." if as_of is not None
                    else "As it is, with no as_of in dataset.toml, the latest date in the data is the report "
                         "date, so every analysis would run as of this one."))
    if as_of is not None:
        report_rows(report, "warning", raw, where & (days > as_of) & (days <= limit), column, raw.raw(column),
                    f"is after the report date as_of = {as_of_text} (dataset.toml): analyses as of that date "
                    "treat it as not having happened yet.",
                    "nothing to do if as_of is meant to look back; otherwise set as_of in dataset.toml to the "
                    "date the data runs to.")


def check_hire_dates(raws: dict[str, RawTable], report: ValidationReport, reference) -> None:
    """A rep hired after some of their own deals or activities: one issue per rep, naming the first such row.

    `reference()` gives the report date (days since 1970) the analyses default to; it is
    only asked for when there is something to report.
    """
    reps = raws["reps"]
    if "hire_date" not in reps.columns or (last_hire := _max_day(reps.columns["hire_date"])) is None:
        return
    hire = np.append(_days(reps.columns["hire_date"], _NULL), _NULL)  # [-1]: no rep; _NULL: never after a row
    found_rows = []  # per table with early rows: (rep row, day, table order, row) arrays
    for order, (table, column) in enumerate(OWN_ROWS):
        raw = raws.get(table)
        found = raw.found.get("rep_id") if raw is not None else None
        if found is None or column not in raw.columns or _min_day(raw.columns[column]) >= last_hire:
            continue  # no lookup to go by, or every row is on or after every hire date
        # the reps row of each row (positions count the reps rows kept at lookup time); -1: none
        rep_rows = found.positions if found.target_keep.all() else \
            np.append(np.flatnonzero(found.target_keep), -1)[found.positions]
        days = _days(raw.columns[column], np.iinfo(np.int32).max)  # no date: never before a hire date
        idx = np.flatnonzero(days < hire[rep_rows])
        idx = idx[raw.keep[idx]]
        if len(idx):
            found_rows.append((rep_rows[idx], days[idx], np.full(len(idx), order), idx))
    if not found_rows:
        return
    rep, day, order, row = (np.concatenate(parts) for parts in zip(*found_rows))
    sort = np.lexsort((row, order, day, rep))  # by rep, then the earliest row (opportunities first on a tie)
    starts = np.flatnonzero(np.r_[True, rep[sort][1:] != rep[sort][:-1]])
    when = reference()
    for start, count in zip(starts, np.diff(np.r_[starts, len(sort)])):
        k = sort[start]
        table, column = OWN_ROWS[order[k]]
        first = (int(day[k]), int(raws[table].lines[row[k]]), raws[table].file, column, int(count))
        _report_hire(reps, report, int(rep[k]), int(hire[rep[k]]), when, first)


def _report_hire(reps: RawTable, report: ValidationReport, rep: int, hired: int, reference: int, row: tuple) -> None:
    day, line, file, column, count = row
    rep_id = reps.columns["rep_id"][rep].as_py()
    name = reps.columns["name"][rep].as_py() if "name" in reps.columns else None
    who = f"rep {rep_id}" + (f" ({name})" if name else "")
    rows = f"{count:,} of their deals and activities {'is' if count == 1 else 'are'} dated before it " \
           f"(first: {file}:{line}, {column} {_date(day)})"
    mask = np.zeros(reps.data.num_rows, dtype=bool)
    mask[rep] = True
    if hired > reference:
        report_rows(report, "error", reps, mask, "hire_date", reps.raw("hire_date"),
                    f"{who} is hired after the report date ({_date(reference)}), yet {rows}: score and diagnose "
                    "would leave the rep, and those deals, out.",
                    "correct the hire date (a typo in the year?), or leave it empty if it is unknown.")
    else:
        report_rows(report, "warning", reps, mask, "hire_date", reps.raw("hire_date"),
                    f"{who} was hired on {_date(hired)}, but {rows}.",
                    "correct the hire date if it is wrong. If the deals were handed over from another rep, nothing "
                    "to do: analyses of periods that end before the hire date leave the rep and these rows out.")


def _days(dates: pa.ChunkedArray, null: int) -> np.ndarray:
    """date32 as int32 days since 1970, nulls as `null`."""
    return pc.fill_null(dates.cast(pa.int32()), null).to_numpy()


def _max_day(dates: pa.ChunkedArray) -> int | None:
    top = pc.max(dates.cast(pa.int32())).as_py()
    return None if top is None else int(top)


def _min_day(dates: pa.ChunkedArray) -> int:
    low = pc.min(dates.cast(pa.int32())).as_py()
    return np.iinfo(np.int32).max if low is None else int(low)


def _day(date: dt.date) -> int:
    return (date - _EPOCH).days


def _date(day: int) -> str:
    return (_EPOCH + dt.timedelta(days=int(day))).isoformat()

