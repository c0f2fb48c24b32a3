"""Quota periods as most companies keep them: a Year column with a Quarter or Month column (or a year alone).

`[tables.quotas.period]` (or `team_quotas`) names those columns; each row becomes a dated
span, period_start..period_end (inclusive). Quarters and years are fiscal: they start in the
mapping's `fiscal_year_start_month` (default January), which the import also writes to the
dataset's dataset.toml so that reports cut the same quarters. A fiscal year is named by the
calendar year it starts in (salesnb's convention, see salesnb/periods.py) unless the period
says `fiscal_year_named_by = "end"`. Months are calendar months.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import MappingError

_PERIOD_KEYS = {"year", "quarter", "month", "fiscal_year_named_by"}
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december")
_MONTHS = {**{m: i + 1 for i, m in enumerate(_MONTH_NAMES)}, **{m[:3]: i + 1 for i, m in enumerate(_MONTH_NAMES)},
           "sept": 9}
_YEAR_RX = re.compile(r"^(?:fy\s*)?(\d{4}|\d{2})(?:\.0+)?$")
_YEAR_IN_RX = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_QUARTER_RX = re.compile(r"(?<![a-z])q(?:uarter|tr)?\s*([1-4])(?!\d)|^([1-4])(?:\.0+)?$")
_MONTH_NUM_RX = re.compile(r"^(\d{1,2})(?:\.0+)?$")
_MONTH_IN_RX = re.compile(r"^(\d{4})[-/.](\d{1,2})$|^(\d{1,2})[-/.](\d{4})$")
_MONTH_NAME_RX = re.compile(r"([a-z]{3,9})")


@dataclass(frozen=True)
class PeriodSpec:
    """Which columns give a quota row's period, and how fiscal years are counted."""

    key: str  # e.g. tables.team_quotas.period, for messages
    year: str | None = None  # source column with the (fiscal) year
    year_value: int | None = None  # or a constant year, e.g. year = 2021
    quarter: str | None = None  # source column with the fiscal quarter: Q1..Q4, 1..4, "2021-Q3"
    month: str | None = None  # source column with the calendar month: 1..12, Jan, March, "2021-03"
    fiscal_year_start_month: int = 1
    named_by: str = "start"  # a fiscal year is named by the calendar year it starts in, or ends in

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c for c in (self.year, self.quarter, self.month) if c)

    def describe(self) -> str:
        parts = [repr(self.year) if self.year else (str(self.year_value) if self.year_value else "")]
        parts += [f"quarter {self.quarter!r}" if self.quarter else "", f"month {self.month!r}" if self.month else ""]
        text = " + ".join(p for p in parts if p)
        if self.fiscal_year_start_month != 1 and not self.month:
            text += f" (fiscal years from month {self.fiscal_year_start_month}, named by the year they {self.named_by})"
        return text


def parse_period_spec(raw, key: str, where: str, fy_month: int) -> PeriodSpec:
    """Check `[tables.X.period]` and build a PeriodSpec; raises MappingError naming the key."""
    def fail(msg: str, fix: str) -> MappingError:
        return MappingError(f"{where}: [{key}] {msg} Fix: {fix}")

    example = 'year = "Year", quarter = "Quarter" (or month = "Month", or year alone)'
    if not isinstance(raw, dict):
        raise fail("must be a table of settings.", f"write [{key}] with {example}.")
    bad = sorted(set(raw) - _PERIOD_KEYS)
    if bad:
        raise fail(f"unknown setting {bad[0]!r}.", f"known settings here: {', '.join(sorted(_PERIOD_KEYS))}.")
    year = raw.get("year")
    if isinstance(year, bool) or not isinstance(year, (str, int, type(None))):
        raise fail(f"year must be a column name or a year number, got {year!r}.", example + ".")
    if raw.get("quarter") and raw.get("month"):
        raise fail("give a quarter or a month column, not both.", example + ".")
    for k in ("quarter", "month"):
        if k in raw and not isinstance(raw[k], str):
            raise fail(f"{k} must be a column name, got {raw[k]!r}.", example + ".")
    if year is None and not raw.get("quarter") and not raw.get("month"):
        raise fail("names no column.", f"add {example}.")
    named_by = raw.get("fiscal_year_named_by", "start")
    if named_by not in ("start", "end"):
        raise fail(f"fiscal_year_named_by must be \"start\" or \"end\", got {named_by!r}.",
                   "\"start\" when FY2024 begins in 2024 (salesnb's convention), \"end\" when it ends in 2024.")
    return PeriodSpec(key, year=year if isinstance(year, str) else None,
                      year_value=year if isinstance(year, int) else None, quarter=raw.get("quarter"),
                      month=raw.get("month"), fiscal_year_start_month=fy_month, named_by=named_by)


# --------------------------------------------------------------------------------------
# Reading the cells


def _year(text: str) -> int | None:
    m = _YEAR_RX.match(text)
    if not m:
        return None
    y = int(m.group(1))
    return y + 2000 if y < 100 else y


def _quarter(text: str) -> tuple[int | None, int | None]:
    """(quarter, year written in the same cell or None) from 'Q3', '3', 'Quarter 3', '2021-Q3', 'Q3 FY2021'."""
    m = _QUARTER_RX.search(text)
    if not m:
        return None, None
    q = int(m.group(1) or m.group(2))
    y = _YEAR_IN_RX.search(text[: m.start()] + " " + text[m.end():])
    return q, int(y.group(1)) if y else None


def _month(text: str) -> tuple[int | None, int | None]:
    """(month, year written in the same cell or None) from '3', 'Mar', 'March', '2021-03', '03/2021', 'Mar 2021'."""
    if m := _MONTH_NUM_RX.match(text):
        n = int(m.group(1))
        return (n, None) if 1 <= n <= 12 else (None, None)
    if m := _MONTH_IN_RX.match(text):
        y, n = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        return (int(n), int(y)) if 1 <= int(n) <= 12 else (None, None)
    if m := _MONTH_NAME_RX.search(text):
        y = _YEAR_IN_RX.search(text)
        return _MONTHS.get(m.group(1)), int(y.group(1)) if y else None
    return None, None


def _cells(chunk: pd.DataFrame, column: str, nulls: np.ndarray) -> pd.Series:
    return chunk[column].astype("str").str.strip().str.casefold().where(~nulls, "")


def period_columns(spec: PeriodSpec, chunk: pd.DataFrame, null_mask, problem) -> tuple[pd.Series, pd.Series]:
    """period_start and period_end (datetime64[ms], NaT where a cell is empty) for every row of `chunk`.

    `null_mask(series)` marks empty cells; values that are not a year, quarter or month are
    reported with `problem(key, what, values, fix)`.
    """
    n = len(chunk)
    empty = np.zeros(n, dtype=bool)
    year = np.full(n, spec.year_value if spec.year_value else -1, dtype=np.int64)
    if spec.year:
        cells = _cells(chunk, spec.year, null_mask(chunk[spec.year].astype("str")))
        table = {u: _year(u) for u in pd.unique(cells) if u}
        year = cells.map(lambda u: table.get(u) or -1).to_numpy(dtype=np.int64)
        empty |= (cells == "").to_numpy()
        _bad(problem, spec, "year", chunk[spec.year], (cells != "").to_numpy() & (year < 0),
             "a year such as 2021 or FY2021")
    part = spec.quarter or spec.month
    sub = np.zeros(n, dtype=np.int64)
    if part:
        cells = _cells(chunk, part, null_mask(chunk[part].astype("str")))
        reader = _quarter if spec.quarter else _month
        table = {u: reader(u) for u in pd.unique(cells) if u}
        got = cells.map(lambda u: table.get(u, (None, None)))
        sub = np.array([g[0] or -1 for g in got], dtype=np.int64)
        cell_year = np.array([g[1] or -1 for g in got], dtype=np.int64)
        empty |= (cells == "").to_numpy()
        what = "a quarter such as Q3, 3 or 2021-Q3" if spec.quarter else "a month such as 3, Mar, March or 2021-03"
        _bad(problem, spec, "quarter" if spec.quarter else "month", chunk[part],
             (cells != "").to_numpy() & (sub < 0), what)
        if not spec.year and spec.year_value is None:
            missing = (cells != "").to_numpy() & (sub > 0) & (cell_year < 0)
            _bad(problem, spec, "year", chunk[part], missing,
                 "a period with its year (there is no year column)", fix=f"add year = \"Year column\" under [{spec.key}] "
                 f"(or year = 2021 when the whole file is one year).")
            year = cell_year
    ok = ~empty & (year > 0) & (sub >= 0 if part else True)
    starts, ends = _spans(spec, year, sub, ok)
    idx = chunk.index
    return pd.Series(starts, index=idx, dtype="datetime64[ms]"), pd.Series(ends, index=idx, dtype="datetime64[ms]")


def _spans(spec: PeriodSpec, year: np.ndarray, sub: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inclusive start and end dates (NaT where not ok) of each (year, quarter or month)."""
    starts = np.full(len(year), np.datetime64("NaT"), dtype="datetime64[M]")
    if spec.month:
        starts[ok] = ((year[ok] - 1970) * 12 + sub[ok] - 1).astype("datetime64[M]")
        length = 1
    else:
        m0 = spec.fiscal_year_start_month
        first_year = year - (1 if spec.named_by == "end" and m0 != 1 else 0)
        months = (first_year - 1970) * 12 + (m0 - 1)
        if spec.quarter:
            months = months + 3 * (sub - 1)
        starts[ok] = months[ok].astype("datetime64[M]")
        length = 3 if spec.quarter else 12
    ends = (starts + np.timedelta64(length, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    return starts.astype("datetime64[ms]"), ends.astype("datetime64[ms]")


def _bad(problem, spec: PeriodSpec, part: str, raw: pd.Series, bad: np.ndarray, what: str, fix: str = "") -> None:
    if bad.any():
        column = getattr(spec, part) or spec.quarter or spec.month
        problem(f"{spec.key}.{part}", f"have {column!r} values that are not {what}", raw[bad],
                fix or "clean the column, or add the marker to nulls = [...] if it means 'empty' "
                       "(docs/importing.md, Quotas).")
