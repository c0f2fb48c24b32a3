"""Turning one chunk of export rows into canonical columns, as the mapping says.

Each function works on a whole chunk (vectorised); values the mapping cannot place are
recorded in `Problems` (with counts) instead of stopping at the first one.
"""
from __future__ import annotations

import fnmatch
import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..schema import TABLES, Column
from .mapping import ColumnSource, Join, TableMapping
from .parse import (
    detect_date_format, iter_chunks, name_to_id, normalize_name, null_mask, parse_bools, parse_dates, parse_numbers,
)
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
    date_formats: dict  # (column key, file) -> date format found by 'auto'
    rep_names: dict  # rep_id -> display name, first seen
    columns: dict  # canonical column -> the column sources this file can fill


def _evaluate(src: ColumnSource, col: Column, chunk: pd.DataFrame, ctx: Context) -> pd.Series:
    """The canonical values of one column source over a chunk (NaN/NaT/NA where empty)."""
    n = len(chunk)
    if src.value is not None:
        raw = pd.Series([src.value] * n, index=chunk.index, dtype="str")
    elif src.column in chunk.columns:
        raw = chunk[src.column].astype("str")
    else:  # an alternative column this file does not have
        raw = pd.Series([""] * n, index=chunk.index, dtype="str")
    empty = null_mask(raw, ctx.table.nulls)
    if src.default is not None:
        raw = raw.where(~empty, src.default)
        empty = null_mask(raw, ctx.table.nulls)
    if src.pattern:
        empty = empty | ~raw.str.contains(src.pattern, regex=True).to_numpy()
    if src.values is not None and (~empty).any():
        mapped, unmatched = _map_values(raw[~empty], src.values)
        if col.kind == "choice":
            ok_as_is = mapped.str.strip().str.casefold().isin(col.choices).to_numpy()
            bad = unmatched & ~ok_as_is
            if bad.any():
                canon = ", ".join(col.choices)
                first_bad = mapped[bad].iloc[0]
                ctx.problems.add(
                    f"{src.key}.values", ctx.file, f"have {src.column or 'values'} values the mapping does not map",
                    mapped[bad],
                    f"add each under [{src.key}.values], e.g. \"{first_bad}\" = \"{col.choices[0]}\" "
                    f"(canonical values: {canon}; \"\" for none; \"*\" matches any other value).")
        raw = raw.copy()
        raw[~empty] = mapped.to_numpy()
        empty = null_mask(raw, ctx.table.nulls) | empty | (raw.str.strip() == "").to_numpy()
    present = ~empty
    text = raw[present]
    if col.kind == "choice":
        folded = text.str.strip().str.casefold()
        bad = ~folded.isin(col.choices).to_numpy()
        if bad.any() and src.values is None:
            ctx.problems.add(
                src.key, ctx.file, f"have {src.column or 'values'} values that are not {' / '.join(col.choices)}",
                text[bad], f"map them with a value map under [{src.key}.values], e.g. \"{text[bad].iloc[0]}\" = "
                f"\"{col.choices[0]}\".")
        out = pd.Series(np.nan, index=chunk.index, dtype="str")
        out[present] = folded.where(~bad, np.nan).to_numpy()
        return out
    if col.kind == "date":
        fmt = src.date_format or ctx.table.date_format
        if fmt == "auto" and len(text):
            lock = (src.key, ctx.file)
            fmt = ctx.date_formats.get(lock)
            if fmt is None:
                fmt = detect_date_format(text) or "ISO"
                ctx.date_formats[lock] = fmt
        out = pd.Series(pd.NaT, index=chunk.index, dtype="datetime64[ms]")
        if len(text):
            dates, bad = parse_dates(text, fmt)
            if bad.any():
                guess = detect_date_format(text[bad]) or "M/D/YYYY"
                ctx.problems.add(
                    src.key, ctx.file, f"have {src.column!r} values that do not read as dates in the format {fmt}",
                    text[bad], f"set the format under [{src.key}], e.g. {{ column = \"{src.column}\", date_format = "
                    f"\"{guess}\" }} (formats: ISO, M/D/YYYY, D/M/YYYY, YYYYMMDD, or a %-pattern such as %d-%b-%Y).")
            out[present] = dates.to_numpy()
        return out
    if col.kind in ("number", "int"):
        out = pd.Series(np.nan, index=chunk.index, dtype="float64")
        if len(text):
            nums, bad = parse_numbers(text, src.decimal or ctx.table.decimal)
            if bad.any():
                ctx.problems.add(src.key, ctx.file, f"have {src.column!r} values that are not numbers", text[bad],
                                 "clean the column, or add the marker to nulls = [...] if it means 'empty'.")
            if src.divide_by:
                nums = nums / src.divide_by
            out[present] = nums.to_numpy()
        return out
    if col.kind == "bool":
        out = pd.Series(pd.NA, index=chunk.index, dtype="boolean")
        if len(text):
            vals, bad = parse_bools(text)
            if bad.any():
                ctx.problems.add(src.key, ctx.file, f"have {src.column!r} values that are not yes/no", text[bad],
                                 "map them with values = { \"Some text\" = \"true\" } or add them to nulls.")
            out[present] = vals.to_numpy()
        return out
    # id and str
    out = pd.Series(np.nan, index=chunk.index, dtype="str")
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


def _remember_reps(registry: dict, ids: pd.Series, names: pd.Series) -> None:
    pairs = pd.DataFrame({"id": ids.to_numpy(), "name": names.to_numpy()}).drop_duplicates("id")
    for i, nm in zip(pairs["id"], pairs["name"]):
        if i and i not in registry:
            registry[i] = nm


def transform_chunk(chunk: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Canonical columns of one chunk (typed), before rows with empty required values are dropped."""
    table = TABLES[ctx.table.name]
    out = {}
    for col_name, alts in ctx.columns.items():
        col = table.column(col_name)
        result = None
        for src in alts:
            part = _evaluate(src, col, chunk, ctx)
            result = part if result is None else result.where(result.notna(), part)
        out[col_name] = result
    return pd.DataFrame(out, index=chunk.index)


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


class LoadedJoin:
    """A loaded lookup file for one join, keyed by the normalised key column."""

    def __init__(self, join: Join, path, encoding: str, delimiter: str, header: list[str], chunk_rows: int):
        parts = list(iter_chunks(path, encoding, delimiter, chunk_rows))
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=header)
        frame = frame.loc[:, [c for c in frame.columns if c]]
        self.join = join
        self.columns = [c for c in frame.columns if c != join.key]
        key = frame[join.key].astype("str")
        frame["@key"] = name_to_id(key) if join.names else key.str.strip()
        self.frame = frame.drop_duplicates("@key")[["@key"] + self.columns]

    def apply(self, chunk: pd.DataFrame) -> pd.DataFrame:
        on = chunk[self.join.on].astype("str")
        keys = name_to_id(on) if self.join.names else on.str.strip()
        add = [c for c in self.columns if c not in chunk.columns]
        looked = self.frame.set_index("@key")[add].reindex(keys.to_numpy())
        looked.index = chunk.index
        return pd.concat([chunk, looked.fillna("")], axis=1)


