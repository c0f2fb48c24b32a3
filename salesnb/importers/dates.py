"""Dates as CRM exports write them: named formats, strptime patterns, times of day, serial numbers.

A date column is read with one format. A format without a time of day also reads values that carry one
(`2018-02-26 14:32`, `2/26/2018 2:32 PM`, `2024-01-22T16:14:25.000+0000`): the time is dropped and the date
kept as written (no time-zone conversion). A format with a time (`%Y-%m-%d %H:%M`) reads the whole value.
Every function works on a whole pandas Series of non-empty text, once per distinct value.
"""
from __future__ import annotations

import re
from datetime import datetime

import numpy as np
import pandas as pd

# Named date formats a mapping may use, and the strptime format each stands for ('@...': a number of days or
# seconds, read by `_from_number`).
DATE_FORMATS = {
    "ISO": "%Y-%m-%d",  # also reads timestamps such as 2024-01-22T16:14:25.000+0000 (the date as written)
    "YYYY-MM-DD": "%Y-%m-%d",
    "M/D/YYYY": "%m/%d/%Y",
    "D/M/YYYY": "%d/%m/%Y",
    "D.M.YYYY": "%d.%m.%Y",
    "YYYYMMDD": "%Y%m%d",
    "M/D/YY": "%m/%d/%y",
    "D/M/YY": "%d/%m/%y",
    "EXCEL": "@excel",  # Excel's serial day numbers: 45292 is 2024-01-01
    "UNIX": "@unix",  # seconds since 1970-01-01 (UTC)
    "UNIX_MS": "@unix_ms",  # milliseconds since 1970-01-01 (UTC), as some CRM APIs write them
}
# What "auto" tries, in order; the first format that reads every value of a column wins. Day-first and
# month-first are told apart only when a day above 12 shows which is which (M/D/YYYY wins a tie).
AUTO_ORDER = ("ISO", "M/D/YYYY", "D/M/YYYY", "D.M.YYYY", "YYYYMMDD", "%Y/%m/%d",
              "%d-%b-%Y", "%d-%b-%y", "%d %b %Y", "%d %b, %Y", "%b %d, %Y", "%b %d %Y",
              "%d %B %Y", "%d %B, %Y", "%B %d, %Y", "%B %d %Y")
# Further formats a suggestion may offer (never guessed by "auto": they could read another format's dates).
SUGGESTED_ONLY = ("M/D/YY", "D/M/YY", "%d-%m-%Y", "%m-%d-%Y", "%d.%m.%y", "%Y.%m.%d", "%d/%b/%Y",
                  "%a, %d %b %Y", "%a %b %d %Y")
NUMBER_FORMATS = ("EXCEL", "UNIX", "UNIX_MS")

_DIRECTIVES = set("aAwdbBmyYHIpMSfzZjUWcxXGuV%")
_TIME_DIRECTIVES = set("HIpMSfzZcX")
# A time of day after a date: ' 14:32', ' 2:32 PM', 'T16:14:25.000+0000', ' 00:02:00 UTC'.
_TIME_SUFFIX = re.compile(
    r"(?:[T\s]+|,\s*)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?"
    r"\s*(?:Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT)?$")
_EPOCH_EXCEL = pd.Timestamp("1899-12-30")
# The numbers each numeric format reads: days from 1970-01-02 to 2099-12-31 (a 0 or an amount is not a date).
_NUMBER_RANGES = {"@excel": (25_570, 73_051), "@unix": (86_400, 4_102_444_799), "@unix_ms": (86_400_000, 4_102_444_799_999)}
# A suggestion offers a numeric format only when every date it reads is after this (numbers such as 123456 would
# read as days of 1970).
_SUGGEST_NUMBERS_FROM = pd.Timestamp("1990-01-01")


# --------------------------------------------------------------------------------------
# Formats


_TOKEN = re.compile(r"YYYY|yyyy|YY|yy|MMMM|MMM|MM|M|mm|m|dddd|ddd|DD|dd|D|d|HH|H|hh|h|ss|SSS|fff|AM/PM|tt|A|a|T")
_TOKENS = {"YYYY": "%Y", "yyyy": "%Y", "YY": "%y", "yy": "%y", "MMMM": "%B", "MMM": "%b", "dddd": "%A",
           "ddd": "%a", "DD": "%d", "dd": "%d", "D": "%d", "d": "%d", "HH": "%H", "H": "%H", "ss": "%S",
           "SSS": "%f", "fff": "%f", "AM/PM": "%p", "tt": "%p", "A": "%p", "a": "%p", "T": "T"}


def token_format(name: str) -> str | None:
    """A strptime pattern for a format written with letters ('DD.MM.YYYY HH:mm', 'MM/DD/YYYY hh:mm A'), or None.

    M and MM are the month, except after an hour, where they are the minutes (as in 'HH:MM'); lower-case m and
    mm are the minutes after an hour and the month before one (Excel's 'dd/mm/yyyy'); hh is the 12-hour clock
    when the format has AM/PM.
    """
    out, pos, hour, minutes = [], 0, False, False
    has_ampm = bool(re.search(r"AM/PM|tt|(?<![A-Za-z])[Aa](?![A-Za-z])", name))
    for m in _TOKEN.finditer(name):
        literal = name[pos:m.start()]
        if re.search(r"[A-Za-z%]", literal):
            return None
        out.append(literal)
        tok = m.group()
        if tok in ("MM", "M", "mm", "m"):
            if hour and not minutes:
                out.append("%M")
                minutes = True
            else:
                out.append("%m")
        elif tok in ("hh", "h"):
            out.append("%I" if has_ampm else "%H")
            hour = True
        else:
            out.append(_TOKENS[tok])
            hour = hour or tok in ("HH", "H")
        pos = m.end()
    tail = name[pos:]
    if re.search(r"[A-Za-z%]", tail) or not out:
        return None
    pattern = "".join(out) + tail
    return pattern if re.search(r"%[Yy]", pattern) and "%d" in pattern and re.search(r"%[mbB]", pattern) else None


def resolve_date_format(name: str) -> str:
    """The strptime pattern of a format: a name ('M/D/YYYY'), letters ('DD.MM.YYYY HH:mm') or a %-pattern.

    Raises KeyError for a name it does not know and ValueError for a %-pattern with an unknown directive.
    """
    name = name.strip()
    if "%" in name:
        bad = [d for d in re.findall(r"%(.)", name) if d not in _DIRECTIVES]
        if bad or name.endswith("%") and not name.endswith("%%"):
            raise ValueError(f"%{bad[0] if bad else ''} is not a strptime directive")
        return name
    fmt = DATE_FORMATS.get(name.upper()) or token_format(name)
    if fmt is None:
        raise KeyError(name)
    return fmt


def has_time(fmt: str) -> bool:
    """True when the strptime pattern reads a time of day."""
    return any(d in _TIME_DIRECTIVES for d in re.findall(r"%(.)", fmt))


# --------------------------------------------------------------------------------------
# Parsing


def _date_only(values: pd.Series, fmt: str) -> pd.Series:
    """Values read by a format without a time: the time of day at the end removed ('.0' too for YYYYMMDD)."""
    if fmt == "%Y%m%d":
        values = values.str.replace(r"\.0+$", "", regex=True)
    return values.str.replace(_TIME_SUFFIX, "", regex=True)


def _from_number(values: pd.Series, kind: str) -> pd.Series:
    nums = pd.to_numeric(values.where(values.str.fullmatch(r"\d+(\.\d+)?"), None), errors="coerce")
    if kind == "@excel":
        out = _EPOCH_EXCEL + pd.to_timedelta(np.floor(nums), unit="D")
    else:
        seconds = nums / (1000 if kind == "@unix_ms" else 1)
        out = pd.to_datetime(np.floor(seconds), unit="s", errors="coerce")
    low, high = _NUMBER_RANGES[kind]
    return out.where((nums >= low) & (nums <= high))


def _with_zone(values: pd.Series, fmt: str) -> pd.Series:
    """A pattern with %z/%Z: each value read by strptime, its date kept as written (no conversion)."""
    def one(v: str):
        try:
            return datetime.strptime(v, fmt).replace(tzinfo=None)
        except ValueError:
            return None
    return pd.to_datetime(pd.Series([one(v) for v in values], index=values.index, dtype=object), errors="coerce")


def _parse_unique(values: pd.Series, fmt: str) -> pd.Series:
    if fmt.startswith("@"):
        return _from_number(values, fmt)
    if not has_time(fmt):
        values = _date_only(values, fmt)
    if "%z" in fmt or "%Z" in fmt:
        return _with_zone(values, fmt)
    return pd.to_datetime(values, format=fmt, errors="coerce")


def parse_dates(s: pd.Series, fmt_name: str) -> tuple[pd.Series, np.ndarray]:
    """Parse non-empty text `s` with a date format; returns (datetime64[ms] days, bad-value mask).

    Each distinct value is read once; the time of day is dropped (a dataset's dates are days).
    """
    fmt = resolve_date_format(fmt_name)
    codes, uniques = pd.factorize(s.str.strip())
    parsed = _parse_unique(pd.Series(uniques, dtype="str"), fmt).dt.normalize()
    values = pd.Series(parsed.to_numpy()[codes], index=s.index).astype("datetime64[ms]")
    return values, values.isna().to_numpy()


def _reads_all(values: pd.Series, name: str) -> bool:
    _, bad = parse_dates(values, name)
    return not bad.any()


def detect_date_format(s: pd.Series, prefer: str | None = None) -> str | None:
    """The first format of AUTO_ORDER that reads every value of non-empty text `s` (None if none does); `prefer`
    (day-first or month-first, as the file's other dates show) is tried before its twin."""
    sample = s.drop_duplicates()
    order = AUTO_ORDER
    if prefer in ORDERS:
        order = (prefer,) + tuple(f for f in AUTO_ORDER if f != prefer)
    return next((name for name in order if _reads_all(sample, name)), None)


DAY_FIRST, MONTH_FIRST = "D/M/YYYY", "M/D/YYYY"
ORDERS = (DAY_FIRST, MONTH_FIRST)


def day_month_order(s: pd.Series) -> tuple[str | None, pd.Series]:
    """(DAY_FIRST or MONTH_FIRST, the values that prove it) when only one of the two reads every value of non-empty
    text `s` (a day above 12 shows which); (None, empty) when both, or neither, do."""
    sample = s.drop_duplicates()
    reads = {f: parse_dates(sample, f)[1] for f in ORDERS}
    if reads[DAY_FIRST].any() == reads[MONTH_FIRST].any():
        return None, sample.iloc[:0]
    order = MONTH_FIRST if reads[DAY_FIRST].any() else DAY_FIRST
    other = DAY_FIRST if order == MONTH_FIRST else MONTH_FIRST
    return order, s[s.isin(sample[reads[other]])]


def most_read_format(s: pd.Series) -> str | None:
    """The format of AUTO_ORDER that reads the most values of `s` (None if none reads any): when no format reads
    a column whole, the values it cannot read are the ones to name."""
    counts = {name: int((~parse_dates(s, name)[1]).sum()) for name in AUTO_ORDER}
    best = max(counts, key=lambda n: counts[n])
    return best if counts[best] else None


def suggest_date_format(values: pd.Series) -> str | None:
    """A format that reads every one of `values` (a sample of a column), or None: what an error tells to write.

    The date formats come first (they read values with a time of day too), then day numbers (Excel) and
    seconds since 1970 (Unix), offered only when every date they read is after 1990.
    """
    sample = values.drop_duplicates().head(2000)
    if sample.empty:
        return None
    for name in AUTO_ORDER + SUGGESTED_ONLY:
        if _reads_all(sample, name):
            return name
    for name in NUMBER_FORMATS:
        dates, bad = parse_dates(sample, name)
        if not bad.any() and (dates >= _SUGGEST_NUMBERS_FROM).all():
            return name
    return None
