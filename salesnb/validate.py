"""Validation of a canonical dataset: every problem found in one pass, each with its fix.

`validate_folder(path)` reads a dataset folder and returns a `ValidationReport`;
`salesnb.load.load` uses the same checks and refuses a dataset with errors.

What is an error and what is not:

- error (the dataset cannot be used until it is fixed): a missing required file
  or column, an unreadable file, a value that cannot be parsed, a negative amount,
  a quota <= 0, a duplicate id, an unknown status/stage/type, a won/lost deal
  without a close date, a date before the date it must follow, overlapping quota
  periods, an empty required table.
- warning (repaired, counted and reported): rows whose rep does not exist are
  dropped; a lead_id/opportunity_id pointing nowhere is cleared; a repeated
  header row or an empty row is dropped; an empty optional table is ignored.
- note (nothing lost): a UTF-8 byte-order mark, extra columns left out, files
  that are not part of the dataset, values whose case or spaces were tidied.
"""
from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .config import default_jobs
from .schema import TABLES, Column, Table

SEVERITIES = ("error", "warning", "note")
# Text columns are large_string: it is what pandas' str dtype holds, so no copy when converting.
STR = pa.large_string()
# Rows kept as individual issues per check; beyond this one summary issue gives the count.
MAX_ROWS_PER_CHECK = 1000
# In `format()`, a run longer than this is summarised with its first few examples.
RUN_SUMMARY_THRESHOLD = 5
RUN_EXAMPLES = 3


@dataclass(frozen=True)
class Issue:
    """One problem in a dataset.

    `line` is the line in a CSV file (the header is line 1) or the 1-based row of a
    Parquet file; None when the problem concerns the whole file or column.
    `count` is how many rows this issue stands for (more than 1 only for the
    summary issue that closes a very long run).
    """

    severity: str
    file: str
    line: int | None
    column: str | None
    value: str | None
    message: str
    fix: str
    count: int = 1

    @property
    def location(self) -> str:
        if self.line is None:
            return self.file
        if self.file.endswith(".parquet"):
            return f"{self.file} row {self.line}"
        return f"{self.file}:{self.line}"

    def format(self, *, with_fix: bool = True) -> str:
        parts = [self.location]
        if self.column:
            parts.append(f"column {self.column}")
        if self.value is not None:
            parts.append(f"value {_show(self.value)}")
        text = ": ".join(parts) + f": {self.message}"
        if with_fix and self.fix:
            text += f" Fix: {self.fix}"
        return text


def _show(value: str) -> str:
    value = str(value)
    if len(value) > 60:
        value = value[:57] + "..."
    return repr(value)


@dataclass
class ValidationReport:
    """All problems found in a dataset folder, errors first when formatted."""

    source: str = ""
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def notes(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "note"]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings and notes are fine)."""
        return not self.errors

    def add(self, severity: str, file: str, line: int | None, column: str | None, value, message: str,
            fix: str = "", count: int = 1) -> None:
        assert severity in SEVERITIES, severity
        self.issues.append(Issue(severity, file, line, column, None if value is None else str(value),
                                 message, fix, count))

    def counts(self) -> dict[str, int]:
        """Number of problems per severity (a summary issue counts for all its rows)."""
        out = dict.fromkeys(SEVERITIES, 0)
        for i in self.issues:
            out[i.severity] += i.count
        return out

    def to_frame(self) -> pd.DataFrame:
        """The issues as a table (one row per issue), for notebooks."""
        cols = ["severity", "file", "line", "column", "value", "message", "fix", "count"]
        df = pd.DataFrame([asdict(i) for i in self.issues], columns=cols)
        df["line"] = df["line"].astype("Int64")
        df["count"] = df["count"].astype("int64")
        return df

    def format(self) -> str:
        """A readable report: grouped by severity and problem, long runs summarised."""
        counts = self.counts()
        where = f" in {self.source}" if self.source else ""
        if not self.issues:
            return f"No problems found{where}."
        summary = ", ".join(f"{n:,} {sev}{'s' if n != 1 else ''}" for sev, n in counts.items() if n)
        lines = [f"Found {summary}{where}."]
        headings = {
            "error": "Errors (fix these, then run 'salesnb validate' again):",
            "warning": "Warnings (repaired while loading; check they are what you expect):",
            "note": "Notes:",
        }
        for sev in SEVERITIES:
            group = [i for i in self.issues if i.severity == sev]
            if not group:
                continue
            lines += ["", headings[sev]]
            for run in _runs(group):
                lines += _format_run(run)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()


def _runs(issues: list[Issue]) -> list[list[Issue]]:
    """Issues grouped by (file, column, message, fix), in order of first appearance."""
    groups: dict[tuple, list[Issue]] = {}
    for i in issues:
        groups.setdefault((i.file, i.column, i.message, i.fix), []).append(i)
    return list(groups.values())


def _format_run(run: list[Issue]) -> list[str]:
    total = sum(i.count for i in run)
    if len(run) <= RUN_SUMMARY_THRESHOLD and total == len(run):
        return [f"  - {i.format()}" for i in run]
    first = run[0]
    col = f", column {first.column}" if first.column else ""
    out = [f"  - {first.file}{col}: {total:,} rows: {first.message} First {RUN_EXAMPLES}:"]
    for i in [i for i in run if i.line is not None][:RUN_EXAMPLES]:
        out.append(f"      {i.format(with_fix=False)}")
    if first.fix:
        out.append(f"    Fix: {first.fix}")
    return out


# --------------------------------------------------------------------------------------
# Row-level bookkeeping shared by the checks


@dataclass
class RawTable:
    """One table as read from disk, plus where each row came from.

    Text columns are strings; date and number columns may already have been parsed
    by the CSV reader (when every value fitted), otherwise they are strings too.
    `lines[i]` is the line of row i in its CSV file (or the 1-based Parquet row).
    `keep` marks the rows that survive repairs (orphans, repeated headers are dropped).
    """

    name: str
    file: str  # file name shown to the user, e.g. "reps.csv"
    data: pa.Table
    # The line of each row as read, or a function computing it: finding line breaks inside
    # quoted values costs a scan, paid only when a problem needs reporting.
    line_numbers: np.ndarray | Callable[[], np.ndarray]
    keep: np.ndarray = None  # type: ignore[assignment]
    columns: dict[str, pa.ChunkedArray] = field(default_factory=dict)  # parsed canonical columns
    rows: np.ndarray | None = None  # the row as read of each current row, once rows were dropped
    # Reads one column again as text (CSV columns the reader already parsed), for showing values as written.
    reread: Callable[[str], pa.ChunkedArray] | None = None
    _lines: np.ndarray | None = None

    def __post_init__(self):
        if self.keep is None:
            self.keep = np.ones(self.data.num_rows, dtype=bool)

    @property
    def lines(self) -> np.ndarray:
        if self._lines is None:
            if callable(self.line_numbers):
                self.line_numbers = self.line_numbers()
            self._lines = self.line_numbers if self.rows is None else self.line_numbers[self.rows]
        return self._lines

    def drop_rows(self, drop: np.ndarray) -> None:
        """Remove rows before parsing (they are reported by the caller)."""
        rows = np.arange(self.data.num_rows) if self.rows is None else self.rows
        self.rows = rows[~drop]
        self.data = self.data.filter(pa.array(~drop))
        self.keep = self.keep[~drop]
        self._lines = None

    @property
    def table(self) -> Table:
        return TABLES[self.name]

    def raw(self, column: str) -> pa.ChunkedArray:
        return self.data.column(column)

    def as_written(self, column: str) -> pa.ChunkedArray:
        """The column as text, exactly as in the file where possible (used when reporting problems)."""
        arr = self.data.column(column)
        if pa.types.is_large_string(arr.type):
            return arr
        if self.reread is None:
            return arr.cast(STR)
        text = self.reread(column)
        return text if self.rows is None else text.take(pa.array(self.rows))


def _mask(arr) -> np.ndarray:
    """A boolean arrow array (nulls = False) as a numpy mask."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def report_rows(report: ValidationReport, severity: str, raw: RawTable, mask: np.ndarray, column: str | None,
                values, message: str, fix: str, *, detail=None) -> int:
    """Add one issue per row in `mask` (up to MAX_ROWS_PER_CHECK, then one summary); return the count.

    `values` is the array whose entries are shown as the bad value (usually the raw column).
    `detail(i)` optionally adds row-specific text to the message.
    """
    idx = np.flatnonzero(mask)
    n = len(idx)
    if not n:
        return 0
    shown = idx[:MAX_ROWS_PER_CHECK]
    if values is not None:
        taken = values.take(pa.array(shown))
        vals = (taken if pa.types.is_large_string(taken.type) else taken.cast(STR)).to_pylist()
    else:
        vals = [None] * len(shown)
    for i, v in zip(shown, vals):
        msg = message if detail is None else f"{message} {detail(i)}"
        report.add(severity, raw.file, int(raw.lines[i]), column, "" if (v is None and values is not None) else v,
                   msg, fix)
    if n > len(shown):
        report.add(severity, raw.file, None, column, None, message, fix, count=n - len(shown))
    return n


# --------------------------------------------------------------------------------------
# Parsing typed columns (vectorised; a slower pass runs only over columns that fail the fast one)

_DATE_RE = r"^\s*(?P<day>\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?\s*$"
_NUMBER_RE = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")


def _all_valid_in(ids: pa.ChunkedArray, value_set) -> tuple[bool, pa.ChunkedArray]:
    """(every non-empty id is in value_set, the is_in result); counting is cheaper than masking."""
    found = pc.is_in(ids, value_set=value_set, skip_nulls=True)
    return (pc.sum(found).as_py() or 0) == len(ids) - ids.null_count, found


def _present(arr: pa.ChunkedArray) -> np.ndarray:
    return _mask(pc.is_valid(arr))


def parse_date(raw: RawTable, col: Column, report: ValidationReport) -> pa.ChunkedArray:
    """ISO dates (timestamps are truncated to their date); unparseable values are errors."""
    arr = raw.raw(col.name)
    if pa.types.is_date32(arr.type):  # already parsed by the CSV reader
        return arr
    try:
        return pc.cast(arr, pa.date32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    parts = pc.extract_regex(arr, _DATE_RE)
    day = pc.struct_field(parts, [0])
    parsed = pc.strptime(day, format="%Y-%m-%d", unit="s", error_is_null=True)
    # strptime rolls 2026-02-30 over to March; a round trip catches impossible dates.
    roundtrip = pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), day)
    parsed = pc.if_else(pc.fill_null(roundtrip, False), parsed, pa.scalar(None, parsed.type))
    bad = _present(arr) & ~_present(parsed)
    report_rows(report, "error", raw, bad, col.name, arr, "is not a date.",
                "write dates as YYYY-MM-DD (e.g. 2026-03-31); a timestamp like 2026-03-31T14:05:00 is also accepted.")
    return pc.cast(parsed, pa.date32())


def parse_number(raw: RawTable, col: Column, report: ValidationReport) -> pa.ChunkedArray:
    """Plain numbers; bounds from the schema (min_value, positive) are checked here."""
    arr = raw.raw(col.name)
    try:
        num = arr if pa.types.is_float64(arr.type) else pc.cast(arr, pa.float64())
        # The cast accepts nan and inf; the dataset does not. A finite sum proves all are finite
        # (an overflowing sum only sends us to the exact check below).
        total = pc.sum(num).as_py()
        if total is not None and not math.isfinite(total):
            raise ValueError("nan or inf")
    except (pa.ArrowInvalid, ValueError):
        arr = raw.as_written(col.name)
        trimmed = pc.utf8_trim_whitespace(arr)
        good = pc.fill_null(pc.match_substring_regex(trimmed, _NUMBER_RE), False)
        num = pc.cast(pc.if_else(good, trimmed, pa.scalar(None, STR)), pa.float64())
        num = pc.if_else(pc.is_finite(num), num, pa.scalar(None, pa.float64()))  # 1e400 overflows to inf
        bad = _present(arr) & ~_present(num)
        what = "a whole number" if col.kind == "int" else "a number"
        report_rows(report, "error", raw, bad, col.name, arr, f"is not {what}.",
                    "write plain numbers like 1250 or 1250.50: no currency symbol, no thousands separator, "
                    "a dot for decimals.")
    lowest = pc.min(num).as_py()  # one cheap pass decides whether rows need checking
    if lowest is None:
        pass
    elif col.positive and lowest <= 0:
        low = _mask(pc.less_equal(num, 0))
        report_rows(report, "error", raw, low, col.name, raw.as_written(col.name), f"{col.name} must be greater than 0.",
                    f"give every row a positive {col.name}, or remove rows that have no target.")
    elif col.min_value is not None and lowest < col.min_value:
        low = _mask(pc.less(num, col.min_value))
        report_rows(report, "error", raw, low, col.name, raw.as_written(col.name), f"is negative; {col.name} cannot be below {col.min_value:g}.",
                    f"correct the sign; for a lost deal of unknown value use 0." if col.name == "amount"
                    else f"correct the value or leave it empty if unknown.")
    if col.kind == "int" and not pc.all(pc.fill_null(pc.equal(pc.floor(num), num), True)).as_py():
        frac = _mask(pc.not_equal(pc.floor(num), num))
        report_rows(report, "error", raw, frac, col.name, raw.as_written(col.name), "is not a whole number.",
                    f"{col.name} counts things: write a whole number like 250.")
    return num


def parse_bool(raw: RawTable, col: Column, report: ValidationReport) -> pa.ChunkedArray:
    """true/false, yes/no, 1/0 (any case); other values are errors."""
    arr = raw.raw(col.name)
    if _all_valid_in(arr, pa.array(["true", "false"], STR))[0]:  # the canonical spelling: one comparison
        return pc.equal(arr, "true")
    norm = pc.utf8_lower(pc.utf8_trim_whitespace(arr))
    is_true = pc.is_in(norm, value_set=pa.array(_TRUE))
    is_false = pc.is_in(norm, value_set=pa.array(_FALSE))
    bad = _present(arr) & ~_mask(is_true) & ~_mask(is_false)
    report_rows(report, "error", raw, bad, col.name, arr, "is not true or false.",
                "write true or false (yes/no and 1/0 are also accepted), or leave it empty if unknown.")
    valid = _mask(pc.or_kleene(is_true, is_false))
    return pc.if_else(pa.array(valid), is_true, pa.scalar(None, pa.bool_()))


def parse_choice(raw: RawTable, col: Column, report: ValidationReport) -> pa.ChunkedArray:
    """One of the schema's choices; case and surrounding spaces are tidied with a note."""
    arr = raw.raw(col.name)
    choices = pa.array(col.choices)
    ok, known = _all_valid_in(arr, choices)
    if ok:
        return arr
    norm = pc.utf8_lower(pc.utf8_trim_whitespace(arr))
    known_norm = _mask(pc.is_in(norm, value_set=choices))
    tidied = known_norm & ~_mask(known)
    if tidied.any():
        report.add("note", raw.file, None, col.name, None,
                   f"{int(tidied.sum()):,} values were written in another case or with spaces and were tidied "
                   f"(e.g. line {int(raw.lines[np.flatnonzero(tidied)[0]])}).", "")
    bad = _present(arr) & ~known_norm
    report_rows(report, "error", raw, bad, col.name, arr, f"is not a known {col.name}.",
                f"use one of: {', '.join(col.choices)} (map your CRM's values onto these).")
    return pc.if_else(pa.array(known_norm), norm, pa.scalar(None, STR))


def parse_column(raw: RawTable, col: Column, report: ValidationReport) -> pa.ChunkedArray:
    if col.kind == "date":
        return parse_date(raw, col, report)
    if col.kind in ("number", "int"):
        return parse_number(raw, col, report)
    if col.kind == "bool":
        return parse_bool(raw, col, report)
    if col.kind == "choice":
        return parse_choice(raw, col, report)
    return raw.raw(col.name)  # id and str: kept exactly as written


# --------------------------------------------------------------------------------------
# Checks of one table


def check_columns(raw: RawTable, report: ValidationReport) -> bool:
    """Required columns present (else error, and False); extra columns noted and left out."""
    table = raw.table
    present = set(raw.data.column_names)
    missing = [c for c in table.required_columns if c not in present]
    for c in missing:
        close = [h for h in raw.data.column_names if h.lower().replace(" ", "_") == c]
        hint = f" (the header has {close[0]!r}: rename it to {c})" if close else ""
        report.add("error", raw.file, 1, c, None, f"the required column {c} is missing{hint}.",
                   f"add a column named {c} to the header ({table.name} needs {', '.join(table.required_columns)}).")
    extra = [c for c in raw.data.column_names if c not in table.column_names]
    if extra:
        report.add("note", raw.file, 1, ", ".join(extra), None,
                   f"{len(extra)} column(s) that are not part of the {table.name} table were left out.",
                   f"nothing to do, unless one is a misspelled canonical column ({', '.join(table.column_names)}).")
        raw.data = raw.data.drop_columns(extra)
    return not missing


def drop_misplaced_rows(raw: RawTable, report: ValidationReport) -> None:
    """Drop repeated header rows (files pasted together) and rows with no value at all."""
    names = raw.data.column_names
    if not names:
        return
    first = raw.raw(names[0])
    header_like = np.zeros(raw.data.num_rows, dtype=bool)
    if pa.types.is_large_string(first.type) and pc.any(pc.equal(first, names[0])).as_py():
        header_like = _mask(pc.equal(first, names[0]))
        for n in names[1:]:
            header_like &= _mask(pc.or_kleene(pc.equal(raw.raw(n), n), pc.is_null(raw.raw(n))))
        report_rows(report, "warning", raw, header_like, None, None,
                    "the header line is repeated here (files pasted together?); the line was skipped.",
                    "delete the repeated header lines.")
    empty = np.zeros(raw.data.num_rows, dtype=bool)
    if all(raw.raw(n).null_count for n in names):  # a column without nulls rules out empty rows
        empty = ~empty
        for n in names:
            empty &= _mask(pc.is_null(raw.raw(n)))
    report_rows(report, "warning", raw, empty, None, None, "the row has no values; it was skipped.",
                "delete the empty rows.")
    drop = header_like | empty
    if drop.any():
        raw.drop_rows(drop)


def parse_table(raw: RawTable, report: ValidationReport) -> None:
    """Parse every canonical column present; flag empty values in required columns."""
    for col in raw.table.columns:
        if col.name not in raw.data.column_names:
            continue
        raw.columns[col.name] = parse_column(raw, col, report)
        if col.required and raw.raw(col.name).null_count:
            missing = ~_present(raw.raw(col.name))
            report_rows(report, "error", raw, missing, col.name, raw.raw(col.name), f"is empty; {col.name} is required.",
                        f"fill in {col.name} on every row of {raw.file}, or delete rows that have none.")


def check_unique(raw: RawTable, report: ValidationReport) -> None:
    key = raw.table.key
    if key is None or key not in raw.columns:
        return
    ids = raw.columns[key]
    if _strictly_increasing(ids) or pc.count_distinct(ids, mode="only_valid").as_py() == len(ids) - ids.null_count:
        return
    s = pd.Series(ids.to_pandas(), copy=False)
    dup = (s.duplicated(keep="first") & s.notna()).to_numpy()
    firsts = s.isin(s[dup].unique()) & ~s.duplicated(keep="first")
    first_by_id = dict(zip(s[firsts], raw.lines[firsts.to_numpy()]))
    report_rows(report, "error", raw, dup, key, ids, f"is a duplicate {key}.",
                f"give every row its own {key}, or delete the duplicate row.",
                detail=lambda i: f"(first used on line {first_by_id[s.iat[i]]})")


def _strictly_increasing(ids: pa.ChunkedArray) -> bool:
    """True when the ids are in strictly increasing (length, text) order, which proves them unique.

    Exports usually list records in id order (R001, R002, ... or A9, A10, ...): this check is
    one cheap comparison per row, and the hash-based count runs only when it fails.
    """
    if ids.null_count or len(ids) < 2:
        return len(ids) < 2
    previous = None
    for chunk in ids.chunks:
        if len(chunk) == 0:
            continue
        if previous is not None:
            pair = pa.array([previous, chunk[0].as_py()], ids.type)
            if not _increasing_pairs(pair.slice(0, 1), pair.slice(1)):
                return False
        if len(chunk) > 1 and not _increasing_pairs(chunk.slice(0, len(chunk) - 1), chunk.slice(1)):
            return False
        previous = chunk[len(chunk) - 1].as_py()
    return True


def _increasing_pairs(a: pa.Array, b: pa.Array) -> bool:
    la, lb = pc.binary_length(a), pc.binary_length(b)
    ok = pc.or_(pc.less(la, lb), pc.and_(pc.equal(la, lb), pc.less(a, b)))
    return pc.all(ok).as_py() is True


def check_date_order(raw: RawTable, report: ValidationReport, earlier: str, later: str, fix: str,
                     *, where=None, severity: str = "error", what: str = "") -> None:
    """Report rows (optionally only those in the boolean mask `where`) whose `later` date is before `earlier`."""
    if earlier not in raw.columns or later not in raw.columns:
        return
    bad = _mask(pc.less(raw.columns[later], raw.columns[earlier]))
    if where is not None:
        bad = bad & where
    first = raw.columns[earlier]
    report_rows(report, severity, raw, bad, later, raw.raw(later), f"{what}{later} is before {earlier}.", fix,
                detail=lambda i: f"({earlier} is {first[int(i)].as_py()})")


def check_closed_deals(raw: RawTable, report: ValidationReport) -> None:
    cols = raw.columns
    if "status" not in cols:
        return
    closed = _mask(pc.is_in(cols["status"], value_set=pa.array(["won", "lost"])))
    no_date = closed & ~_present(cols["close_date"]) if "close_date" in cols else closed
    status = cols["status"]
    report_rows(report, "error", raw, no_date, "close_date", raw.raw("close_date") if "close_date" in cols else None,
                "a won or lost deal needs a close date.",
                "fill in the date the deal was won or lost (YYYY-MM-DD).",
                detail=lambda i: f"(status {status[int(i)].as_py()})")


def check_no_overlap(raw: RawTable, report: ValidationReport, owner: str) -> None:
    """Periods of one owner (rep or team) must not overlap."""
    cols = raw.columns
    if not {owner, "period_start", "period_end"} <= set(cols):
        return
    df = pd.DataFrame({
        "owner": cols[owner].to_pandas(), "start": cols["period_start"].cast(pa.timestamp("ms")).to_pandas(),
        "end": cols["period_end"].cast(pa.timestamp("ms")).to_pandas(), "line": raw.lines, "row": np.arange(raw.data.num_rows),
    }).dropna().sort_values(["owner", "start", "line"])
    if df.empty:
        return
    g = df.groupby("owner", sort=False)
    # The latest end so far in this owner's earlier periods, and the line of the period just before.
    prev_end = g["end"].cummax().groupby(df["owner"]).shift()
    prev_line = g["line"].shift()
    overlap = df["start"] <= prev_end
    bad = np.zeros(raw.data.num_rows, dtype=bool)
    bad[df.loc[overlap, "row"].to_numpy()] = True
    other = dict(zip(df.loc[overlap, "row"], prev_line[overlap].astype("int64")))
    report_rows(report, "error", raw, bad, "period_start", raw.raw("period_start"),
                f"this period overlaps another period of the same {owner.replace('_id', '')}.",
                "make the periods of one owner follow each other without overlap (period_end is inclusive).",
                detail=lambda i: f"({owner} {cols[owner][int(i)].as_py()}, see line {other[int(i)]})")


# --------------------------------------------------------------------------------------
# Checks across tables: orphans are dropped, dangling optional references cleared


def _known(raw: RawTable | None, column: str) -> pa.ChunkedArray | None:
    """The ids of the kept rows of `raw` (the lookup set of a reference check)."""
    if raw is None or column not in raw.columns:
        return None
    ids = raw.columns[column]
    if not raw.keep.all():
        ids = ids.filter(pa.array(raw.keep))
    # A single array hashes faster as a lookup set than many chunks.
    return ids.combine_chunks() if len(ids) else pa.array([], ids.type)


@dataclass(frozen=True)
class Reference:
    """`table.column` points at `target.key`; unknown values are repaired by dropping the row or clearing it."""

    table: str
    column: str
    target: str
    key: str
    repair: str  # "drop": the row means nothing without it; "clear": an optional link

    def apply(self, raw: RawTable, target: RawTable, found: pa.ChunkedArray, report: ValidationReport) -> None:
        ids = raw.columns[self.column]
        bad = _present(ids) & ~_mask(found) & raw.keep
        if self.repair == "drop":
            report_rows(report, "warning", raw, bad, self.column, raw.raw(self.column),
                        f"{self.column} is not in {target.file}; the row was left out.",
                        f"add the missing {target.name} to {target.file}, or correct the {self.column}.")
            raw.keep &= ~bad
        elif report_rows(report, "warning", raw, bad, self.column, raw.raw(self.column),
                         f"{self.column} is not in {target.file}; the reference was cleared and the row kept.",
                         f"add it to {target.file} or correct the {self.column}."):
            raw.columns[self.column] = pc.if_else(pa.array(bad), pa.scalar(None, STR), ids)


# Two rounds: rows of unknown reps go first, so that what points at them is then found dangling.
REFERENCE_ROUNDS = (
    tuple(Reference(t, "rep_id", "reps", "rep_id", "drop") for t in ("opportunities", "quotas", "leads", "activities")),
    (
        Reference("stage_history", "opportunity_id", "opportunities", "opportunity_id", "drop"),
        Reference("opportunities", "lead_id", "leads", "lead_id", "clear"),
        Reference("leads", "opportunity_id", "opportunities", "opportunity_id", "clear"),
        Reference("activities", "opportunity_id", "opportunities", "opportunity_id", "clear"),
        Reference("activities", "lead_id", "leads", "lead_id", "clear"),
    ),
)


def check_references(raws: dict[str, RawTable], report: ValidationReport, pool: ThreadPoolExecutor) -> None:
    """Look every reference up, then repair round by round in a fixed order.

    The lookups of all rounds run side by side (arrow releases the GIL); a later round is
    looked up again only when an earlier one dropped rows, which can leave more references
    dangling.
    """
    rounds = [[(ref, raws[ref.table], raws[ref.target]) for ref in round_
               if ref.table in raws and ref.target in raws and ref.column in raws[ref.table].columns
               and ref.key in raws[ref.target].columns]
              for round_ in REFERENCE_ROUNDS]
    results = _lookup([item for todo in rounds for item in todo], pool)
    repaired = False
    for todo in rounds:
        if repaired:
            results.update(_lookup(todo, pool))
        for ref, raw, target in todo:
            ok, found = results[ref]
            if not ok:
                ref.apply(raw, target, found, report)
                repaired = True


def _lookup(todo: list, pool: ThreadPoolExecutor) -> dict:
    """Reference -> (all found, per-row found), one is_in per target so each key set is hashed once."""
    by_target: dict[str, list] = {}
    for item in todo:
        by_target.setdefault(item[0].target, []).append(item)

    def lookup(items):
        ref, _, target = items[0]
        columns = [raw.columns[r.column] for r, raw, _ in items]
        probe = pa.chunked_array([c for col in columns for c in col.chunks], type=STR)
        found = pc.is_in(probe, value_set=_known(target, ref.key), skip_nulls=True)
        out, start = [], 0
        for col in columns:
            part = found.slice(start, len(col))
            start += len(col)
            out.append(((pc.sum(part).as_py() or 0) == len(col) - col.null_count, part))
        return out

    results = {}
    for items, found in zip(by_target.values(), pool.map(lookup, by_target.values())):
        results.update({item[0]: f for item, f in zip(items, found)})
    return results


def check_assisted_by(opps: RawTable, reps: RawTable | None, report: ValidationReport) -> None:
    known = _known(reps, "rep_id")
    if known is None or "assisted_by" not in opps.columns:
        return
    col = opps.columns["assisted_by"]
    parts = pc.utf8_trim_whitespace(pc.list_flatten(pc.split_pattern(col, ";")))
    if _mask(pc.or_kleene(pc.is_in(parts, value_set=known), pc.equal(parts, ""))).all():
        return
    counts = pc.list_value_length(pc.split_pattern(col, ";")).fill_null(0).to_numpy(zero_copy_only=False)
    row_of_part = np.repeat(np.arange(len(col)), counts)
    bad_part = ~_mask(pc.or_kleene(pc.is_in(parts, value_set=known), pc.equal(parts, "")))
    bad = np.zeros(len(col), dtype=bool)
    bad[row_of_part[bad_part]] = True
    report_rows(report, "warning", opps, bad & opps.keep, "assisted_by", opps.raw("assisted_by"),
                "names a rep_id that is not in the reps table; that collaboration credit is ignored.",
                "separate rep_ids with ';' and use ids from the reps table.")


# --------------------------------------------------------------------------------------
# The whole folder


def check_tables(raws: dict[str, RawTable], report: ValidationReport) -> None:
    """All checks, in an order where repairs (dropped rows) feed the reference checks after them."""
    with ThreadPoolExecutor(max_workers=default_jobs()) as pool:
        # Tables are parsed side by side, each into its own report, merged in table order.
        for sub in pool.map(_parse_and_check_unique, raws.values()):
            report.issues.extend(sub.issues)
        _check_rows(raws, report)
        check_references(raws, report, pool)
    if (opps := raws.get("opportunities")) is not None:
        check_assisted_by(opps, raws.get("reps"), report)


def _parse_and_check_unique(raw: RawTable) -> ValidationReport:
    sub = ValidationReport()
    parse_table(raw, sub)
    check_unique(raw, sub)
    return sub


def _check_rows(raws: dict[str, RawTable], report: ValidationReport) -> None:
    """Rules within a row or a table: close dates, date order, quota periods."""
    get = raws.get
    if opps := get("opportunities"):
        check_closed_deals(opps, report)
        closed = (_mask(pc.is_in(opps.columns["status"], value_set=pa.array(["won", "lost"])))
                  if "status" in opps.columns else None)
        check_date_order(opps, report, "created_date", "close_date",
                         "a deal closes on or after the day it was created: correct one of the two dates.",
                         where=closed)
        if closed is not None:
            # An open deal's close date is only expected: a stale one is a hygiene flag, not broken data.
            check_date_order(opps, report, "created_date", "close_date",
                             "update the expected close date in the CRM; the deal is kept and counted as past "
                             "its close date.", where=~closed, severity="warning", what="open deal: expected ")
    if reps := get("reps"):
        check_date_order(reps, report, "hire_date", "end_date", "correct the hire or end date.")
    for name, owner in (("quotas", "rep_id"), ("team_quotas", "team")):
        if q := get(name):
            check_date_order(q, report, "period_start", "period_end",
                             "period_end is the last day of the period: it cannot be before period_start.")
            check_no_overlap(q, report, owner)


def to_frame(raw: RawTable) -> pd.DataFrame:
    """The kept rows of a checked table with the canonical dtypes (see salesnb.dataset)."""
    keep = pa.array(raw.keep) if not raw.keep.all() else None
    arrays, names = [], []
    for col in raw.table.columns:
        arr = raw.columns.get(col.name)
        if arr is None:
            arr = pa.nulls(raw.data.num_rows, _ARROW_TYPES[col.kind])
        if col.kind == "date":
            arr = arr.cast(pa.timestamp("ms"))
        elif col.kind == "int":
            arr = arr.cast(pa.float64())
        if keep is not None:
            arr = arr.filter(keep)
        arrays.append(arr)
        names.append(col.name)
    table = pa.table(arrays, names=names)
    return table.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)


_ARROW_TYPES = {"id": STR, "str": STR, "choice": STR, "date": pa.date32(),
                "number": pa.float64(), "int": pa.float64(), "bool": pa.bool_()}


def check_folder(path) -> tuple[dict[str, pd.DataFrame | None], object, ValidationReport]:
    """Read and check a dataset folder: (typed frames by table, DatasetMeta, report).

    The frames are only complete when `report.ok`; with errors, use the report.
    """
    from . import load as loader  # the reader needs this module's RawTable

    folder = Path(path)
    report = ValidationReport(source=str(folder))
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        report.add("error", str(folder), None, None, None, f"{what}.",
                   "give the folder that holds reps.csv, opportunities.csv and the other tables.")
        return {}, loader.DatasetMeta(), report
    files = loader.find_table_files(folder, report)
    meta = loader.read_meta(folder, report)
    raws: dict[str, RawTable] = {}
    for name, file in files.items():
        raw = loader.read_table_file(name, file, report)
        if raw is not None and check_columns(raw, report):
            drop_misplaced_rows(raw, report)
            raws[name] = raw
    check_tables(raws, report)
    frames: dict[str, pd.DataFrame | None] = dict.fromkeys(TABLES)
    if report.ok:
        with ThreadPoolExecutor(max_workers=default_jobs()) as pool:
            frames.update(zip(raws, pool.map(to_frame, raws.values())))
    return frames, meta, report


def validate_folder(path) -> ValidationReport:
    """Check the dataset in folder `path` and return every problem found (nothing is modified)."""
    return check_folder(path)[2]


# --------------------------------------------------------------------------------------
# Command line


def _run(args: argparse.Namespace) -> int:
    report = validate_folder(args.path)
    print(report.format())
    return 0 if report.ok else 1


def add_cli(subparsers) -> None:
    """Register `salesnb validate PATH`."""
    p = subparsers.add_parser(
        "validate",
        help="check a dataset folder and say what to fix",
        description=(
            "Check a dataset folder (reps.csv, opportunities.csv and the optional quotas, leads, activities, "
            "stage_history, team_quotas tables, as CSV or Parquet) against the canonical data model. Every "
            "problem is listed in one pass with the file, line, column, value and the fix. Errors stop the "
            "workbook from loading the data; warnings are repaired while loading (e.g. rows of unknown reps are "
            "left out); notes are for information. The files are only read, never changed."
        ),
        epilog="Exit status: 0 when there are no errors (warnings and notes are fine), 1 when there are errors.",
    )
    p.add_argument("path", help="the dataset folder, e.g. data/sample")
    p.set_defaults(func=_run)
