"""Turning one chunk of export rows into canonical columns, as the mapping says.

Each function works on a whole chunk (vectorised); values the mapping cannot place are
recorded in `Problems` (with counts) instead of stopping at the first one.
"""
from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..schema import TABLES, Column
from .mapping import ColumnSource, TableMapping
from .parse import name_to_id, normalize_name, null_mask, parse_bools
from .quota_periods import period_columns
from .result import Problems
from .formulas import note_formulas
from .stages import check_catch_all_status, is_pattern, match, unmapped_stage_fix, unmapped_status_fix
from .typed import decide_date_order, to_choice, to_date, to_number, what


def _map_values(raw: pd.Series, values: tuple[tuple[str, str], ...], used: set | None = None
                ) -> tuple[pd.Series, np.ndarray]:
    """Apply a value map to non-empty text; keys match trimmed and case-insensitively, '*' and '?' are wildcards.

    Returns the mapped values ('' maps to empty) and a mask of values no key matched; the keys that matched a value
    are added to `used`.
    """
    table = {}
    for u in pd.unique(raw):
        v, key = match(u, values)
        if key is None:
            continue
        table[u] = v
        if used is not None and not is_pattern(key):
            used.add(key.strip().casefold())
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
    currencies: dict = field(default_factory=dict)  # (column key, file, column) -> currency marks seen in amounts
    formulas: dict = field(default_factory=dict)  # (file, column) -> cells a spreadsheet would run as formulas
    date_orders: dict = field(default_factory=dict)  # file -> the day-month order its dates show (None: they disagree)
    names: list = field(default_factory=list)  # (positions, ids, names) of this chunk's names=true columns
    keys_used: dict = field(default_factory=dict)  # column source -> the value-map keys (casefolded) some row matched

    @property
    def stem(self) -> str:
        """The file's name without its extension: the first part of ids made with from_row."""
        return self.file.rsplit(".", 1)[0] if "." in self.file else self.file

    def start_chunk(self, records: np.ndarray) -> None:
        self.records, self.marks, self.drops, self.names = records, [], {}, []

    def keep_names(self, keep: np.ndarray) -> None:
        """Remember the reps named in the rows kept (rows dropped, such as a report's summary lines, name none)."""
        for positions, ids, names in self.names:
            kept = keep[positions]
            _remember_reps(self.rep_names, ids[kept], names[kept])

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
        mapped, unmatched = _map_values(raw[~empty], src.values, ctx.keys_used.setdefault(src, set()))
        if col.kind == "choice":
            ok_as_is = mapped.str.strip().str.casefold().isin(col.choices).to_numpy()
            bad = unmatched & ~ok_as_is
            if bad.any():
                canon = ", ".join(col.choices)
                first_bad = mapped[bad].iloc[0]
                fix = (unmapped_stage_fix(src, ctx) if col.name in ("furthest_stage", "stage") else
                       unmapped_status_fix(src) if col.name == "status" and ctx.table.name == "opportunities" else
                       f"add each under [{src.key}.values], e.g. \"{first_bad}\" = \"{col.choices[0]}\" "
                       f"(canonical values: {canon}; \"\" for none; \"*\" matches any other value).")
                ctx.problem(f"{src.key}.values", f"have {what(src)} values the mapping does not map", mapped[bad], fix)
        raw = raw.copy()
        raw[~empty] = mapped.to_numpy()
        empty = null_mask(raw, ctx.table.nulls) | empty | (raw.str.strip() == "").to_numpy()
    present = ~empty
    text = raw[present]
    if col.kind == "choice":
        return to_choice(src, col, raw.index, text, present, ctx)
    if col.kind == "date":
        return to_date(src, raw.index, text, present, ctx)
    if col.kind in ("number", "int"):
        return to_number(src, col, raw.index, text, present, ctx)
    if col.kind == "bool":
        out = pd.Series(pd.NA, index=raw.index, dtype="boolean")
        if len(text):
            vals, bad = parse_bools(text)
            if bad.any():
                ctx.problem(src.key, f"have {what(src)} values that are not yes/no", text[bad],
                                 "map them with values = { \"Some text\" = \"true\" } or add them to nulls.")
            out[present] = vals.to_numpy()
        return out
    # id and str
    if src.column is not None or src.combine:
        note_formulas(ctx.formulas, (ctx.file, what(src)), text, ctx.records[text.index.to_numpy()])
    out = pd.Series(np.nan, index=raw.index, dtype="str")
    if src.names:
        clean = normalize_name(text)
        ids = name_to_id(clean)
        ctx.names.append((text.index.to_numpy(), ids, clean))
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
    """Canonical columns of one chunk (typed), before rows with empty required values are dropped.

    Alternatives are tried in order, each only on the rows still empty; then the default
    (of the first alternative that has one). Rows filled by a fallback or the default are counted.
    """
    table = TABLES[ctx.table.name]
    decide_date_order(chunk, ctx)
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
    check_catch_all_status(chunk, out, ctx)
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


def unused_key_notes(ctx: Context, preset_keys=frozenset()) -> list[str]:
    """A note per value map with keys (not patterns, not from a preset) that no row of the file matched: usually a
    misspelling ('Lost' where the export writes 'Closed Lost'), whose rows then go to "*" or stop the import."""
    notes = []
    for src, used in ctx.keys_used.items():
        idle = [k for k, _ in src.values if not is_pattern(k)
                and k.strip().casefold() not in used and k.strip().casefold() not in preset_keys]
        if idle:
            notes.append(f"{ctx.file}: [{src.key}.values] {', '.join(repr(k) for k in idle[:5])}"
                         f"{' ...' if len(idle) > 5 else ''} matched no row of the file ({what(src)}); check the "
                         f"spelling against the export's values.")
    return notes
