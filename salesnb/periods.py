"""Analysis periods: a month, fiscal quarter, year, year/quarter/month to date, or any date range.

Every period is inclusive of both ends and is resolved relative to an explicit
``as_of`` date (never the wall clock).

User-given dates and period specs (the command line's --as-of and --period, dataset.toml's
as_of and default_period) are parsed here and nowhere else: `parse_iso_date` and
`parse_period_spec` raise a `ConfigError` that says where the bad value came from.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd

from .errors import ConfigError

PERIOD_HELP = (
    'Use "2026" (fiscal year), "2026-Q2" (fiscal quarter), "2026-03" (month), "ytd", "qtd", "mtd", '
    'or a range "2026-01-01..2026-06-30".'
)  # ytd/qtd/mtd end on the report date (`Period.to_date`): no early warning, never over
DATE_HELP = "use an ISO date YYYY-MM-DD, e.g. 2026-11-15"
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# The whole years pandas can hold (its timestamps run from 1677-09-21 to 2262-04-11).
FIRST_YEAR, LAST_YEAR = pd.Timestamp.min.year + 1, pd.Timestamp.max.year - 1


def parse_iso_date(text, where: str) -> pd.Timestamp:
    """The day written in `text` as exactly ``YYYY-MM-DD`` (surrounding spaces ignored), at midnight.

    `where` names where the value came from, for the message: ``"--as-of"``,
    ``"dataset.toml as_of"``. Anything else (``2026-02-30``, ``next tuesday``,
    ``03/04/2026``, ``2026``, a timestamp) raises `ConfigError`: other spellings are
    ambiguous (is 03/04 March or April?), so none is guessed. A `datetime.date`
    (a bare TOML date) is accepted too.
    """
    if isinstance(text, dt.date) and not isinstance(text, dt.datetime):
        text = text.isoformat()
    if not isinstance(text, str):
        raise _bad_date(where, f"{text!r} is not a date")
    m = _ISO_DATE.fullmatch(text.strip())
    if m is None:
        raise _bad_date(where, f"{text!r} is not an ISO date")
    try:
        day = dt.date(*(int(g) for g in m.groups()))
    except ValueError as exc:  # 2026-02-30, 2026-13-01
        raise _bad_date(where, f"{text!r} is not a real date ({exc})") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise _bad_date(where, f"{text!r} is outside the years salesnb can handle ({FIRST_YEAR}..{LAST_YEAR})")
    return pd.Timestamp(day)


def _bad_date(where: str, problem: str) -> ConfigError:
    return ConfigError(f"{where}: {problem}; {DATE_HELP}.", problem=problem, fix=DATE_HELP)


def parse_period_spec(text, where: str) -> str:
    """`text` stripped, once it is a period spec `resolve_period` understands; else `ConfigError` naming `where`.

    The accepted forms are those of `resolve_period` (listed in `PERIOD_HELP`). A spec
    like "ytd" is resolved later, against the report date; only its form is checked here.
    """
    if not isinstance(text, str):
        raise _bad_period(where, text, 'must be text in quotes (e.g. "2026")')
    resolve_period(text, "2000-01-01", where=where)
    return text.strip()


@dataclass(frozen=True)
class Period:
    """An inclusive date range with a display label."""

    start: pd.Timestamp
    end: pd.Timestamp
    label: str
    # "year", "quarter", "month" (fiscal) or "range": what "the previous one" means (not part of equality)
    kind: str = field(default="range", compare=False)
    # "year", "quarter" or "month" for a to-date view ("ytd", ...): it ends on the report date by construction,
    # so reaching its end does not make it over (the year, quarter or month it is part of goes on)
    to_date: str = field(default="", compare=False)

    def over(self, as_of) -> bool:
        """The period has ended at `as_of` (a to-date view never has: its whole year, quarter or month goes on)."""
        return not self.to_date and _ts(as_of) >= self.end

    @property
    def days(self) -> int:
        """Days in the period, both ends included (0 if end is before start)."""
        return max(0, (self.end - self.start).days + 1)

    def contains(self, dates: pd.Series) -> pd.Series:
        """Boolean mask: which of `dates` fall inside the period (NaT is outside)."""
        return (dates >= self.start) & (dates <= self.end)

    def elapsed_days(self, as_of) -> int:
        """Days of the period up to and including `as_of` (0 before it starts, all after it ends)."""
        as_of = _ts(as_of)
        if as_of < self.start:
            return 0
        return min(self.days, (as_of - self.start).days + 1)

    def remaining_days(self, as_of) -> int:
        """Days of the period after `as_of`."""
        return self.days - self.elapsed_days(as_of)

    def elapsed_fraction(self, as_of) -> float:
        """Share of the period elapsed at `as_of` (NaN for a zero-length period)."""
        return self.elapsed_days(as_of) / self.days if self.days else float("nan")


def _ts(value) -> pd.Timestamp:
    """A day from a date-like value; text must be an ISO date (see `parse_iso_date`)."""
    if isinstance(value, str):
        return parse_iso_date(value, "as_of")
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"not a date: {value!r}. Use ISO dates like 2026-03-31.") from exc
    if ts is pd.NaT:
        raise ConfigError(f"not a date: {value!r}. Use ISO dates like 2026-03-31.")
    return ts.normalize().tz_localize(None) if ts.tzinfo else ts.normalize()


def fiscal_year_start(as_of, fiscal_year_start_month: int = 1) -> pd.Timestamp:
    """First day of the fiscal year containing `as_of`.

    A fiscal year is named by the calendar year it starts in ("2026" with start
    month 4 runs 2026-04-01..2027-03-31).
    """
    d = _ts(as_of)
    year = d.year if d.month >= fiscal_year_start_month else d.year - 1
    return pd.Timestamp(year=year, month=fiscal_year_start_month, day=1)


def _fiscal_year(year: int, m0: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    start = pd.Timestamp(year=year, month=m0, day=1)
    return start, start + pd.DateOffset(years=1) - pd.Timedelta(days=1)


def _fiscal_quarter(year: int, q: int, m0: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    start = pd.Timestamp(year=year, month=m0, day=1) + pd.DateOffset(months=3 * (q - 1))
    return start, start + pd.DateOffset(months=3) - pd.Timedelta(days=1)


def resolve_period(spec: str | Period | None, as_of, fiscal_year_start_month: int = 1, *,
                   where: str = "period") -> Period:
    """Turn a period spec into a `Period`.

    spec: "2026" (fiscal year starting in 2026), "2026-Q2" (fiscal quarter),
    "2026-03" (calendar month), "ytd"/"qtd"/"mtd" (start of the fiscal
    year/quarter/month to ``as_of``), "2026-01-01..2026-06-30" (inclusive), a
    `Period` (returned as is) or None (the fiscal year containing ``as_of``).
    Anything else raises `ConfigError`, whose message starts with `where`.
    """
    if isinstance(spec, Period):
        return spec
    m0 = int(fiscal_year_start_month)
    if not 1 <= m0 <= 12:
        raise ConfigError(f"fiscal_year_start_month must be 1..12, got {fiscal_year_start_month}.")
    as_of_ts = _ts(as_of)
    if spec is None:
        fy = fiscal_year_start(as_of_ts, m0)
        start, end = _fiscal_year(fy.year, m0)
        return Period(start, end, _fy_label(fy.year, m0), "year")
    if not isinstance(spec, str):
        raise _bad_period(where, spec, "is not understood")
    s = spec.strip()
    low = s.lower()
    if low in ("ytd", "qtd", "mtd"):
        if low == "ytd":
            start = fiscal_year_start(as_of_ts, m0)
        elif low == "qtd":
            fy = fiscal_year_start(as_of_ts, m0)
            months = (as_of_ts.year - fy.year) * 12 + as_of_ts.month - fy.month
            start = fy + pd.DateOffset(months=3 * (months // 3))
        else:
            start = as_of_ts.replace(day=1)
        whole = {"ytd": "year", "qtd": "quarter", "mtd": "month"}[low]
        return Period(start, as_of_ts, f"{low.upper()} {as_of_ts.date()}", to_date=whole)
    year = re.match(r"\d{4}", s)
    if year and not FIRST_YEAR <= int(year.group()) <= LAST_YEAR:
        raise _bad_period(where, spec, f"is outside the years salesnb can handle ({FIRST_YEAR}..{LAST_YEAR})")
    if re.fullmatch(r"\d{4}", s):
        start, end = _fiscal_year(int(s), m0)
        return Period(start, end, _fy_label(int(s), m0), "year")
    if mq := re.fullmatch(r"(\d{4})-?[Qq]([1-4])", s):
        y, q = int(mq.group(1)), int(mq.group(2))
        start, end = _fiscal_quarter(y, q, m0)
        label = f"{y}-Q{q}" if m0 == 1 else f"FY{y} Q{q}"
        return Period(start, end, label, "quarter")
    if mm := re.fullmatch(r"(\d{4})-(\d{1,2})", s):
        y, mo = int(mm.group(1)), int(mm.group(2))
        if not 1 <= mo <= 12:
            raise _bad_period(where, spec, "has a month that is not 01..12")
        start = pd.Timestamp(year=y, month=mo, day=1)
        end = start + pd.DateOffset(months=1) - pd.Timedelta(days=1)
        return Period(start, end, start.strftime("%Y-%m"), "month")
    if ".." in s:
        a, b = s.split("..", 1)
        try:
            start, end = parse_iso_date(a, where), parse_iso_date(b, where)
        except ConfigError as exc:
            raise _bad_period(where, spec, f"needs an ISO date YYYY-MM-DD at both ends ({exc.problem})") from None
        if end < start:
            raise _bad_period(where, spec, "ends before it starts")
        return Period(start, end, f"{start.date()}..{end.date()}")
    raise _bad_period(where, spec, "is not understood")


def earlier(period: Period, steps: int = 1, fiscal_year_start_month: int = 1) -> Period:
    """The period `steps` before `period`, of the same kind: the previous fiscal year, quarter or month;
    for any other span, the same span one year earlier (a quarter- or year-to-date compares with the same
    dates last year)."""
    m0 = int(fiscal_year_start_month)
    if period.kind == "year":
        start = period.start - pd.DateOffset(years=steps)
        return Period(start, start + pd.DateOffset(years=1) - pd.Timedelta(days=1), _fy_label(start.year, m0), "year")
    if period.kind == "quarter":
        start = period.start - pd.DateOffset(months=3 * steps)
        fy = fiscal_year_start(start, m0)
        q = ((start.year - fy.year) * 12 + start.month - fy.month) // 3 + 1
        label = f"{fy.year}-Q{q}" if m0 == 1 else f"FY{fy.year} Q{q}"
        return Period(start, start + pd.DateOffset(months=3) - pd.Timedelta(days=1), label, "quarter")
    if period.kind == "month":
        start = period.start - pd.DateOffset(months=steps)
        return Period(start, start + pd.DateOffset(months=1) - pd.Timedelta(days=1), start.strftime("%Y-%m"), "month")
    start, end = period.start - pd.DateOffset(years=steps), period.end - pd.DateOffset(years=steps)
    return Period(start, end, f"{start.date()}..{end.date()}", "range")


def _bad_period(where: str, spec, problem: str) -> ConfigError:
    return ConfigError(f"{where} {spec!r} {problem}. {PERIOD_HELP}", problem=f"{spec!r} {problem}", fix=PERIOD_HELP)


def _fy_label(year: int, m0: int) -> str:
    return str(year) if m0 == 1 else f"FY{year}"


LATE_CLOSE_GRACE_DAYS = 7  # a lost deal's close date this far past every other event may still be real


def default_as_of(dataset) -> pd.Timestamp:
    """The dataset's report date: ``meta.as_of`` if set, else the export's own date (`export_date`).

    Never the wall clock, so the same data always gives the same figures.
    """
    meta_as_of = getattr(dataset.meta, "as_of", None)
    if meta_as_of:
        return _ts(meta_as_of)
    return export_date(dataset)


def export_date(dataset) -> pd.Timestamp:
    """The date the export was taken: its latest recorded event.

    Events are the dates something happened: deals and leads created, deals won, activities, stage changes.
    Open deals' close dates are expected ones, in the future; CRMs often leave a lost deal's expected close
    date too, months after the export, so a lost deal's close date counts only up to
    ``LATE_CLOSE_GRACE_DAYS`` after the latest other event (a deal lost on the export's last day still counts).
    """
    latest = pd.NaT
    candidates = (
        ("opportunities", ("created_date", "close_date", "stage_changed_date")),
        ("activities", ("date",)),
        ("leads", ("created_date",)),
        ("stage_history", ("entered_date",)),
    )
    for table, cols in candidates:
        df = dataset.table(table)
        if df is None or not len(df):
            continue
        for col in cols:
            if col not in df.columns:
                continue
            series = df[col]
            if table == "opportunities" and col == "close_date":
                series = series[df["status"] == "won"]  # open deals' close dates are expected ones
            value = series.max()
            if value is not pd.NaT and pd.notna(value) and (latest is pd.NaT or value > latest):
                latest = value
    if dataset.table("opportunities") is not None and len(dataset.opportunities):
        lost = dataset.opportunities.loc[dataset.opportunities["status"] == "lost", "close_date"]
        if latest is not pd.NaT:
            lost = lost[lost <= latest + pd.Timedelta(days=LATE_CLOSE_GRACE_DAYS)]
        lost_close = lost.max()
        if pd.notna(lost_close) and (latest is pd.NaT or lost_close > latest):
            latest = lost_close
    if latest is pd.NaT or pd.isna(latest):
        raise ConfigError("cannot tell the report date: the dataset has no dates. Pass as_of=YYYY-MM-DD.")
    return pd.Timestamp(latest).normalize()


def default_period(dataset, as_of=None) -> Period:
    """The dataset's default period (``meta.default_period``, else the fiscal year of as_of)."""
    as_of = default_as_of(dataset) if as_of is None else _ts(as_of)
    return resolve_period(dataset.meta.default_period, as_of, dataset.meta.fiscal_year_start_month)


def period_choices(current: Period, as_of, fiscal_year_start_month: int = 1) -> dict[str, Period]:
    """The periods offered, label -> `Period`: the current one, the fiscal year of `as_of`, each of its
    quarters and months that has started by `as_of`, and the year to date."""
    as_of = pd.Timestamp(as_of)
    first = fiscal_year_start(as_of, fiscal_year_start_month)
    months = pd.date_range(first, periods=12, freq="MS")
    specs = [str(first.year), *(f"{first.year}-Q{q}" for q in range(1, 5)),
             *(f"{m.year}-{m.month:02d}" for m in months), "ytd"]
    choices = {current.label: current}
    for spec in specs:
        p = resolve_period(spec, as_of, fiscal_year_start_month)
        if p.start <= as_of:
            choices.setdefault(p.label, p)
    return choices
