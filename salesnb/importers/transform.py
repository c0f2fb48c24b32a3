"""Turning one chunk of export rows into canonical columns, as the mapping says.

Each function works on a whole chunk (vectorised); values the mapping cannot place are
recorded in `Problems` (with counts) instead of stopping at the first one.
"""
from __future__ import annotations

import fnmatch
import hashlib
import re
import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..schema import TABLES, Column
from .mapping import ColumnSource, TableMapping
from .dates import detect_date_format, has_time, most_read_format, parse_dates, resolve_date_format, suggest_date_format
from .numbers import clock_minutes, currency_marks, number_fix, parse_numbers
from .parse import name_to_id, normalize_name, null_mask, parse_bools
from .quota_periods import period_columns
from .result import Problems


def _map_values(raw: pd.Series, values: tuple[tuple[str, str], ...]) -> tuple[pd.Series, np.ndarray]:
    """Apply a value map to non-empty text; keys match trimmed and case-insensitively, '*' and '?' are wildcards.

    Returns the mapped values ('' maps to empty) and a mask of values no key matched.
    """
    exact = {k.strip().casefold(): v for k, v in values if not any(ch in k for ch in "*?[")}
    patterns = [(k.strip().casefold(), v) for k, v in values if any(ch in k for ch in "*?[")]
    uniques = pd.unique(raw)
    table = {}
    for u in uniques:
        f = str(u).strip().casefold()
        if f in exact:
            table[u] = exact[f]
            continue
        for pat, v in patterns:
            if fnmatch.fnmatchcase(f, pat):
                table[u] = v
                break
    mapped = raw.map(table).astype(object)
    unmatched = mapped.isna().to_numpy()
    return mapped.where(~unmatched, raw).astype("str"), unmatched


@dataclass
class Context:
    """What transforming one file's chunks needs to know and where it records what it found."""

    table: TableMapping
    file: str
    problems: Problems
    date_formats: dict  # (column key, source column, file) -> date format found by 'auto' (each fallback its own)
    rep_names: dict  # rep_id -> display name, first seen
    columns: dict  # canonical column -> the column sources this file can fill
    # The current chunk is indexed by position while it is converted; `records` holds each row's record number.
    records: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    marks: list = field(default_factory=list)  # (column, how, positions): rows filled by a fallback, default, sign
    drops: dict = field(default_factory=dict)  # reason -> positions the mapping says to drop
    currencies: dict = field(default_factory=dict)  # (column key, file) -> currency signs and codes seen in amounts

    @property
    def stem(self) -> str:
        """The file's name without its extension: the first part of ids made with from_row."""
        return self.file.rsplit(".", 1)[0] if "." in self.file else self.file

    def start_chunk(self, records: np.ndarray) -> None:
        self.records, self.marks, self.drops = records, [], {}

    def mark(self, column: str, how: str, positions) -> None:
        if len(positions):
            self.marks.append((column, how, np.asarray(positions)))

    def problem(self, key: str, what: str, values: pd.Series, fix) -> None:
        """Record values the mapping cannot place, numbered by their records in the file (`fix`: see Problems.add)."""
        located = pd.Series(values.to_numpy(), index=self.records[values.index.to_numpy()])
        self.problems.add(key, self.file, what, located, fix)


def _raw_text(src: ColumnSource, chunk: pd.DataFrame, ctx: Context) -> tuple[pd.Series, np.ndarray]:
    """The text a column source reads from a chunk, and where it is empty (null marker, or no pattern match)."""
    n = len(chunk)
    if src.value is not None:
        raw = pd.Series([src.value] * n, index=chunk.index, dtype="str")
    elif src.combine:  # parts joined by sep; empty parts are left out ('Ann' + '' -> 'Ann')
        parts = [chunk[c].astype("str").str.strip().where(~null_mask(chunk[c].astype("str"), ctx.table.nulls), "")
                 for c in src.combine]
        raw = parts[0]
        for p in parts[1:]:
            sep = pd.Series(np.where((raw != "") & (p != ""), src.sep, ""), index=raw.index, dtype="str")
            raw = raw + sep + p
    elif src.from_row:  # the file's name and the row's number under the header: stable for the same file
        rows = pd.Series(ctx.records[chunk.index.to_numpy()] + 1, index=chunk.index).astype("str")
        raw = (ctx.stem + "-" + rows).astype("str")
    elif src.hash:
        raw = hashed_ids(chunk, src.hash, ctx.table.nulls)
    elif src.column in chunk.columns:
        raw = chunk[src.column].astype("str")
    else:  # an alternative column this file does not have
        raw = pd.Series([""] * n, index=chunk.index, dtype="str")
    empty = null_mask(raw, ctx.table.nulls) | (raw == "").to_numpy()
    if src.pattern:
        empty = empty | ~raw.str.contains(src.pattern, regex=True).to_numpy()
    return raw, empty


def hashed_ids(chunk: pd.DataFrame, columns: tuple[str, ...], nulls) -> pd.Series:
    """'h-' and 12 hex digits of the SHA-1 of the columns' trimmed values: the same values give the same id in every
    import, whatever the file is called and wherever the row is."""
    parts = [chunk[c].astype("str").str.strip().where(~null_mask(chunk[c].astype("str"), nulls), "") for c in columns]
    joined = parts[0]
    for p in parts[1:]:
        joined = joined + "\x1f" + p
    codes, uniques = pd.factorize(joined)
    digests = np.array(["h-" + hashlib.sha1(u.encode("utf-8")).hexdigest()[:12] for u in uniques], dtype=object)
    ids = pd.Series(digests[codes] if len(uniques) else [], index=chunk.index, dtype="str")
    nothing = np.logical_and.reduce([(p == "").to_numpy() for p in parts])
    return ids.where(~nothing, "")  # a row with none of the values has no id (dropped and counted)


def _evaluate(src: ColumnSource, col: Column, chunk: pd.DataFrame, ctx: Context) -> pd.Series:
    """The canonical values of one column source over a chunk (NaN/NaT/NA where empty)."""
    raw, empty = _raw_text(src, chunk, ctx)
    return _convert(src, col, raw, empty, ctx)


def _evaluate_default(src: ColumnSource, col: Column, index: pd.Index, ctx: Context) -> pd.Series:
    """The source's default, as a column of `index`: written as it is, parsed as the column's type.

    The default is the value to write, not a value of the export: it does not go through the value map
    (whose "*" would otherwise turn it into whatever "*" maps to) nor the pattern.
    """
    raw = pd.Series([src.default] * len(index), index=index, dtype="str")
    as_written = replace(src, column=None, value=src.default, values=None, pattern=None)
    return _convert(as_written, col, raw, null_mask(raw, ctx.table.nulls), ctx)


def _convert(src: ColumnSource, col: Column, raw: pd.Series, empty: np.ndarray, ctx: Context) -> pd.Series:
    """Value map, then the column's type; values that do not fit are recorded in ctx.problems."""
    if src.values is not None and (~empty).any():
        mapped, unmatched = _map_values(raw[~empty], src.values)
        if col.kind == "choice":
            ok_as_is = mapped.str.strip().str.casefold().isin(col.choices).to_numpy()
            bad = unmatched & ~ok_as_is
            if bad.any():
                canon = ", ".join(col.choices)
                first_bad = mapped[bad].iloc[0]
                ctx.problem(
                    f"{src.key}.values", f"have {_what(src)} values the mapping does not map",
                    mapped[bad],
                    f"add each under [{src.key}.values], e.g. \"{first_bad}\" = \"{col.choices[0]}\" "
                    f"(canonical values: {canon}; \"\" for none; \"*\" matches any other value).")
        raw = raw.copy()
        raw[~empty] = mapped.to_numpy()
        empty = null_mask(raw, ctx.table.nulls) | empty | (raw.str.strip() == "").to_numpy()
    present = ~empty
    text = raw[present]
    if col.kind == "choice":
        return _to_choice(src, col, raw.index, text, present, ctx)
    if col.kind == "date":
        return _to_date(src, raw.index, text, present, ctx)
    if col.kind in ("number", "int"):
        return _to_number(src, col, raw.index, text, present, ctx)
    if col.kind == "bool":
        out = pd.Series(pd.NA, index=raw.index, dtype="boolean")
        if len(text):
            vals, bad = parse_bools(text)
            if bad.any():
                ctx.problem(src.key, f"have {_what(src)} values that are not yes/no", text[bad],
                                 "map them with values = { \"Some text\" = \"true\" } or add them to nulls.")
            out[present] = vals.to_numpy()
        return out
    # id and str
    out = pd.Series(np.nan, index=raw.index, dtype="str")
    if src.names:
        clean = normalize_name(text)
        ids = name_to_id(clean)
        _remember_reps(ctx.rep_names, ids, clean)
        out[present] = ids.to_numpy()
    elif col.kind == "str":  # stray spaces in names and labels ('Acme  Corp ' -> 'Acme Corp')
        out[present] = normalize_name(text).to_numpy()
    else:  # ids keep their exact spelling, apart from the ends
        out[present] = text.str.strip().to_numpy()
    return out


def _what(src: ColumnSource) -> str:
    return src.describe() if src.column is not None or src.combine else "the"


def _to_choice(src, col, index, text, present, ctx) -> pd.Series:
    folded = text.str.strip().str.casefold()
    bad = ~folded.isin(col.choices).to_numpy()
    if bad.any() and src.values is None:
        ctx.problem(
            src.key, f"have {_what(src)} values that are not {' / '.join(col.choices)}",
            text[bad], f"map them with a value map under [{src.key}.values], e.g. \"{text[bad].iloc[0]}\" = "
            f"\"{col.choices[0]}\".")
    out = pd.Series(np.nan, index=index, dtype="str")
    out[present] = folded.where(~bad, np.nan).to_numpy()
    return out


def _to_date(src, index, text, present, ctx) -> pd.Series:
    fmt = src.date_format or ctx.table.date_format
    if fmt == "auto" and len(text):
        lock = (src.key, src.describe(), ctx.file)
        fmt = ctx.date_formats.get(lock)
        if fmt is None:
            fmt = detect_date_format(text) or most_read_format(text) or "ISO"
            ctx.date_formats[lock] = fmt
    out = pd.Series(pd.NaT, index=index, dtype="datetime64[ms]")
    if len(text):
        dates, bad = parse_dates(text, fmt)
        if bad.any():
            ctx.problem(src.key, f"have {_what(src)} values that do not read as dates in the format {fmt}", text[bad],
                        _date_fix(src, ctx.table.name, fmt, text[~bad]))
        out[present] = dates.to_numpy()
    return out


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


def _to_number(src, col, index, text, present, ctx) -> pd.Series:
    out = pd.Series(np.nan, index=index, dtype="float64")
    if not len(text):
        return out
    decimal = src.decimal or ctx.table.decimal
    if col.money and (src.key, ctx.file) not in ctx.currencies:  # the first chunk says how the column is written
        ctx.currencies[(src.key, ctx.file)] = currency_marks(text)
    nums, bad = parse_numbers(text, decimal)
    if src.divide_by:
        nums = nums / src.divide_by
    if col.name == "duration_minutes" and bad.any():  # call logs write durations as 0:05:32: minutes already
        minutes = clock_minutes(text)
        nums = nums.where(~bad, minutes)
        bad = bad & minutes.isna().to_numpy()
    if bad.any():
        ctx.problem(src.key, f"have {_what(src)} values that are not numbers", text[bad],
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


def _apply_sign(src: ColumnSource, col: Column, nums: pd.Series, text: pd.Series, ctx: Context) -> pd.Series:
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
        what = "0 or less" if col.positive else "negative"
        if col.positive:
            fix = (f"a {col.name} of 0 means no target: leave those rows out with sign = \"drop\" under {where}, "
                   f"e.g. {{ column = \"{src.column}\", sign = \"drop\" }}.")
        else:
            fix = (f"if they are credit notes or refunds, leave those rows out with sign = \"drop\" under {where}, "
                   f"e.g. {{ column = \"{src.column}\", sign = \"drop\" }}; if the minus is only how the export "
                   f"writes them (the size is the value), keep the size with sign = \"abs\" (docs/importing.md, "
                   f"Negative amounts).")
        ctx.problem(src.key, f"have {_what(src)} values that are {what}", text[low], fix)
    return nums


def _remember_reps(registry: dict, ids: pd.Series, names: pd.Series) -> None:
    pairs = pd.DataFrame({"id": ids.to_numpy(), "name": names.to_numpy()}).drop_duplicates("id")
    for i, nm in zip(pairs["id"], pairs["name"]):
        if i and i not in registry:
            registry[i] = nm


def transform_chunk(chunk: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Canonical columns of one chunk (typed), before rows with empty required values are dropped.

    Alternatives are tried in order, each only on the rows still empty; then the default
    (of the first alternative that has one). Rows filled by a fallback or the default are counted.
    """
    table = TABLES[ctx.table.name]
    out = {}
    for col_name, alts in ctx.columns.items():
        col = table.column(col_name)
        result = _evaluate(alts[0], col, chunk, ctx)
        for src in alts[1:]:
            todo = result.isna().to_numpy()
            if not todo.any():
                break
            part = _evaluate(src, col, chunk[todo], ctx)
            ctx.mark(col_name, f"from {src.describe()} (where {_earlier(alts, src)} gave no value)",
                     part.index[part.notna().to_numpy()])
            result = result.where(result.notna(), part.reindex(result.index))
        with_default = next((a for a in alts if a.default is not None), None)
        todo = result.isna().to_numpy()
        if with_default is not None and todo.any():
            part = _evaluate_default(with_default, col, chunk.index[todo], ctx)
            ctx.mark(col_name, f"from the default {with_default.default!r} (where no source gave a value)",
                     part.index[part.notna().to_numpy()])
            result = result.where(result.notna(), part.reindex(result.index))
        out[col_name] = result
    if ctx.table.period is not None:
        out["period_start"], out["period_end"] = period_columns(
            ctx.table.period, chunk, lambda s: null_mask(s, ctx.table.nulls), ctx.problem)
    return pd.DataFrame(out, index=chunk.index)


def _earlier(alts, src) -> str:
    earlier = [a.describe() for a in alts[: alts.index(src)] if a.column is not None or a.combine]
    return " and ".join(dict.fromkeys(earlier)) or "earlier sources"


def to_csv_text(df: pd.DataFrame, table_name: str) -> pd.DataFrame:
    """Typed canonical columns as the text written to CSV (ISO dates, plain numbers, true/false)."""
    table = TABLES[table_name]
    out = {}
    for name in df.columns:
        kind = table.column(name).kind
        s = df[name]
        if kind == "date":
            s = s.dt.strftime("%Y-%m-%d")
        elif kind == "int":
            s = s.round().astype("Int64")
        elif kind == "bool":
            s = s.map({True: "true", False: "false"})
        out[name] = s
    return pd.DataFrame(out, index=df.index)


# --------------------------------------------------------------------------------------
# Rows


def drop_marked_rows(chunk: pd.DataFrame, t: TableMapping) -> tuple[pd.DataFrame, np.ndarray]:
    """Remove footer/subtotal lines (first cell matches a drop_rows pattern) and blank rows."""
    if chunk.empty:
        return chunk, np.zeros(0, dtype=bool)
    first = chunk.iloc[:, 0].astype("str").str.strip()
    marked = np.zeros(len(chunk), dtype=bool)
    for rx in t.drop_rows:
        with warnings.catch_warnings():  # groups in a user's pattern are fine here
            warnings.simplefilter("ignore", UserWarning)
            marked |= first.str.contains(rx, regex=True).to_numpy()
    blank = (chunk.astype("str").apply(lambda s: s.str.strip()) == "").all(axis=1).to_numpy()
    return chunk[~(marked | blank)], marked & ~blank


def unpivot(chunk: pd.DataFrame, pattern: str, needed: set[str]) -> pd.DataFrame:
    """One row per (row, matching column): '@column', '@value' and each named group of `pattern` as '@group'."""
    rx = re.compile(pattern)
    matched = [c for c in chunk.columns if c and rx.search(c)]
    keep = [c for c in chunk.columns if c in needed and c not in matched]
    long = chunk[keep + matched].melt(id_vars=keep, value_vars=matched, var_name="@column", value_name="@value",
                                      ignore_index=False)
    long = long[long["@value"].astype("str").str.strip() != ""]
    groups = long["@column"].str.extract(rx)
    for g in groups.columns:
        long[f"@{g}"] = groups[g].astype("str").str.strip()
    return long
