"""Text to a canonical column's type, one column source over one chunk: choices, dates, numbers (with the sign
rules), and for values that do not fit, the fix the error will say (a format that reads them, the decimal
separator, a value map). Values that do not fit are recorded in the context's problems, never guessed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import Column
from ..schema import TABLES
from .dates import day_month_order, detect_date_format, has_time, most_read_format, parse_dates, resolve_date_format, suggest_date_format
from .mapping import ColumnSource
from .currencies import record_marks
from .parse import null_mask
from .numbers import clock_minutes, number_fix, parse_numbers


def what(src: ColumnSource) -> str:
    return src.describe() if src.column is not None or src.combine else "the"


def to_choice(src, col, index, text, present, ctx) -> pd.Series:
    folded = text.str.strip().str.casefold()
    bad = ~folded.isin(col.choices).to_numpy()
    if bad.any() and src.values is None:
        ctx.problem(
            src.key, f"have {what(src)} values that are not {' / '.join(col.choices)}",
            text[bad], f"map them with a value map under [{src.key}.values], e.g. \"{text[bad].iloc[0]}\" = "
            f"\"{col.choices[0]}\".")
    out = pd.Series(np.nan, index=index, dtype="str")
    out[present] = folded.where(~bad, np.nan).to_numpy()
    return out


def to_date(src, index, text, present, ctx) -> pd.Series:
    fmt = src.date_format or ctx.table.date_format
    if fmt == "auto" and len(text):
        lock = (src.key, src.describe(), ctx.file)
        fmt = ctx.date_formats.get(lock)
        if fmt is None:
            fmt = detect_date_format(text, ctx.date_orders.get(ctx.file)) or most_read_format(text) or "ISO"
            ctx.date_formats[lock] = fmt
    out = pd.Series(pd.NaT, index=index, dtype="datetime64[ms]")
    if len(text):
        dates, bad = parse_dates(text, fmt)
        if bad.any():
            ctx.problem(src.key, f"have {what(src)} values that do not read as dates in the format {fmt}", text[bad],
                        _date_fix(src, ctx.table.name, fmt, text[~bad]))
        out[present] = dates.to_numpy()
    return out


def decide_date_order(chunk: pd.DataFrame, ctx) -> None:
    """A file writes all its dates one way: the first of its date columns read automatically whose values show day-
    first or month-first (a day above 12) decides for the file's other such columns; two that disagree are an
    error. Decided on the file's first chunk with dates."""
    if ctx.file in ctx.date_orders:
        return
    found: dict[str, tuple] = {}
    for col_name, alts in ctx.columns.items():
        if TABLES[ctx.table.name].column(col_name).kind != "date":
            continue
        for src in alts:
            if src.column not in chunk.columns or src.values is not None or \
                    (src.date_format or ctx.table.date_format) != "auto":
                continue
            text = chunk[src.column].astype("str").str.strip()
            text = text[~null_mask(text, ctx.table.nulls) & (text != "").to_numpy()]
            order, proof = day_month_order(text) if len(text) else (None, None)
            if order is not None:
                found.setdefault(order, (src, proof))
    if not found:
        return  # nothing decides yet: the next chunk may
    ctx.date_orders[ctx.file] = next(iter(found)) if len(found) == 1 else None
    if len(found) == 2:
        (first, (a, proof_a)), (second, (b, proof_b)) = found.items()
        ctx.problem(b.key, f"have {what(b)} dates that read only {_ORDER_NAMES[second]} ({second}), while the file's "
                    f"{what(a)} dates read only {_ORDER_NAMES[first]} ({first}, e.g. {proof_a.iloc[0]!r})",
                    proof_b, "a file writes all its dates one way, so one of the columns is not what it seems: check "
                    "both in the export; if they really differ, set each column's date_format (e.g. { column = "
                    f"\"{b.column}\", date_format = \"{second}\" }}).")


_ORDER_NAMES = {"D/M/YYYY": "day-first", "M/D/YYYY": "month-first"}


def _date_fix(src: ColumnSource, table: str, fmt: str, good: pd.Series):
    """The fix for values that are not dates, worked out when the error is written from every bad value counted
    (so that the format it suggests reads the values it quotes): the period columns for quota years/quarters, else
    a format that reads them (and the column's other values, when some did read)."""
    good = good.str.strip().drop_duplicates().head(200)

    def fix(bad: pd.Series) -> str:
        bad = bad.astype("str").str.strip()
        looks_like_period = bad.str.casefold().str.fullmatch(
            r"(fy\s*)?\d{4}(\.0+)?|q[1-4]|\d{4}[-\s]?q[1-4]|q[1-4][-\s]?\d{4}").all()
        if table in ("quotas", "team_quotas") and looks_like_period:
            return (f"these are years or quarters, not dates: remove period_start/period_end from "
                    f"[tables.{table}.columns] and add [tables.{table}.period] with year = \"Year\" and quarter = "
                    f"\"Quarter\" (or month = \"Month\", or the year alone): see docs/importing.md, Quotas.")
        guess = suggest_date_format(pd.concat([bad, good]))
        if guess is not None:
            return (f"set the format under [{src.key}], e.g. {_format_example(src, guess)}{_time_note(bad, guess)} "
                    f"({FORMATS_HINT}).")
        alone = suggest_date_format(bad)
        if alone is not None and len(good):
            return (f"the column mixes two formats: other values read as {fmt}, these read as {alone}. A column is "
                    f"read in one format: write these as the others are written, in the export.")
        if len(good):
            return (f"other values of the column read as {fmt}, so these are likely mistyped dates: correct them in "
                    f"the export, or add them to nulls = [...] under [source] if they mean 'unknown'.")
        return (f"check that [{src.key}] names the date column; if it does, set its format, e.g. "
                f"{_format_example(src, '%d-%b-%Y')} ({FORMATS_HINT}).")
    return fix


FORMATS_HINT = ("formats: ISO, M/D/YYYY, D/M/YYYY, D.M.YYYY, YYYYMMDD, EXCEL, UNIX, letters such as "
                "DD.MM.YYYY HH:mm, or a %-pattern such as %d %b, %Y %H:%M; see docs/importing.md, Dates")


def _format_example(src: ColumnSource, fmt: str) -> str:
    if src.column is None:
        return f'date_format = "{fmt}"'
    return '{ column = "' + src.column + '", date_format = "' + fmt + '" }'


def _time_note(values: pd.Series, fmt: str) -> str:
    if has_time(resolve_date_format(fmt)) or not values.str.contains(r"\d:\d\d", regex=True).any():
        return ""
    return " (the time of day is read and left out: the dataset keeps days)"


def to_number(src, col, index, text, present, ctx) -> pd.Series:
    out = pd.Series(np.nan, index=index, dtype="float64")
    if not len(text):
        return out
    decimal = src.decimal or ctx.table.decimal
    if col.money:  # the currencies the column is written in, with example records
        seen = ctx.currencies.setdefault((src.key, ctx.file, what(src)), {})
        record_marks(seen, text, ctx.records[text.index.to_numpy()])
    nums, bad = parse_numbers(text, decimal)
    if src.divide_by:
        nums = nums / src.divide_by
    if col.name == "duration_minutes" and bad.any():  # call logs write durations as 0:05:32: minutes already
        minutes = clock_minutes(text)
        nums = nums.where(~bad, minutes)
        bad = bad & minutes.isna().to_numpy()
    if bad.any():
        ctx.problem(src.key, f"have {what(src)} values that are not numbers", text[bad],
                    lambda values: number_fix(values, decimal, src.key))
    nums = _apply_sign(src, col, nums, text, ctx)
    out[present] = nums.to_numpy()
    return out


def _below(col: Column, nums: pd.Series) -> np.ndarray:
    """Values under the column's lower bound (negative; zero too for a quota)."""
    if col.positive:
        return (nums <= 0).to_numpy()
    if col.min_value is not None:
        return (nums < col.min_value).to_numpy()
    return np.zeros(len(nums), dtype=bool)


def _apply_sign(src: ColumnSource, col: Column, nums: pd.Series, text: pd.Series, ctx) -> pd.Series:
    """The sign rule for values below the column's minimum: "abs", "drop", or an "error" naming the fix."""
    low = _below(col, nums)
    if not low.any():
        return nums
    if src.sign == "abs":
        negative = (nums < 0).to_numpy()
        ctx.mark(col.name, "made positive (sign = \"abs\")", nums.index[negative])
        nums = nums.abs()
        low = _below(col, nums)  # a quota of 0 stays below its minimum
    elif src.sign == "drop":
        reason = f"{col.name} {'of 0 or less' if col.positive else 'below 0'} (sign = \"drop\")"
        ctx.drops.setdefault(reason, []).append(nums.index[low])
        return nums
    if low.any():
        where = f"[{src.key}]"
        below = "0 or less" if col.positive else "negative"
        if col.positive:
            fix = (f"a {col.name} of 0 means no target: leave those rows out with sign = \"drop\" under {where}, "
                   f"e.g. {{ column = \"{src.column}\", sign = \"drop\" }}.")
        else:
            fix = (f"if they are credit notes or refunds, leave those rows out with sign = \"drop\" under {where}, "
                   f"e.g. {{ column = \"{src.column}\", sign = \"drop\" }}; if the minus is only how the export "
                   f"writes them (the size is the value), keep the size with sign = \"abs\" (docs/importing.md, "
                   f"Negative amounts).")
        ctx.problem(src.key, f"have {what(src)} values that are {below}", text[low], fix)
    return nums
