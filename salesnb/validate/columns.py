"""Parsing typed columns (vectorised; a slower pass runs only over columns that fail the fast one),
and the checks of a table's columns and rows before parsing."""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..dataset_toml import DEFAULT_MAX_AMOUNT
from ..schema import Column
from .report import ValidationReport
from .rows import STR, RawTable, all_found, present, report_rows, to_mask

_DATE_RE = r"^\s*(?P<day>\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?\s*$"
# Five digits, maybe a time as a fraction: 10000..99999 are the days 1927..2173 in Excel's date system.
_EXCEL_SERIAL_RE = r"^\s*\d{5}(?:\.\d+)?\s*$"
_NUMBER_RE = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_NON_FINITE_RE = r"(?i)^[+-]?(?:nan|inf|infinity)$"
_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")


def _all_valid_in(ids: pa.ChunkedArray, value_set) -> tuple[bool, pa.ChunkedArray]:
    """(every non-empty id is in value_set, the is_in result); counting is cheaper than masking."""
    found = pc.is_in(ids, value_set=value_set, skip_nulls=True)
    return all_found(found, ids), found


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
    bad = present(arr) & ~present(parsed)
    serial = bad & to_mask(pc.match_substring_regex(arr, _EXCEL_SERIAL_RE)) if bad.any() else bad
    if serial.any():  # one example in the message, so that a whole column of them is summarised as one run
        first = arr[int(np.flatnonzero(serial)[0])].as_py().strip()
        report_rows(report, "error", raw, serial, col.name, arr,
                    f"is a number, not a date: it looks like an Excel date serial number ({first} is "
                    f"{_excel_day(first)}).",
                    "format the column as dates (YYYY-MM-DD) in the spreadsheet before saving it as CSV, "
                    "or export the table from the CRM again.")
    report_rows(report, "error", raw, bad & ~serial, col.name, arr, "is not a date.",
                "write dates as YYYY-MM-DD (e.g. 2026-03-31); a timestamp like 2026-03-31T14:05:00 is also accepted.")
    return pc.cast(parsed, pa.date32())


def _excel_day(text: str) -> str:
    """The day an Excel serial number stands for (day 0 is 1899-12-30 in Excel's 1900 date system)."""
    return (dt.date(1899, 12, 30) + dt.timedelta(days=int(float(text)))).isoformat()


def parse_number(raw: RawTable, col: Column, report: ValidationReport,
                 max_amount: float = DEFAULT_MAX_AMOUNT) -> pa.ChunkedArray:
    """Plain finite numbers; bounds from the schema (min_value, positive, money) are checked here.

    An amount of money above `max_amount` (dataset.toml) is an error: no real deal is that
    big, and such figures (1.7e308) overflow every total they are added to.
    """
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
        finite = pc.is_finite(num)
        num = pc.if_else(finite, num, pa.scalar(None, pa.float64()))  # 1e400 overflows to inf
        bad = present(arr) & ~present(num)
        # Written as a number (or as nan/inf) but not finite: say so rather than "not a number".
        infinite = bad & (to_mask(good) | to_mask(pc.match_substring_regex(trimmed, _NON_FINITE_RE)))
        report_rows(report, "error", raw, infinite, col.name, arr,
                    "is not a finite number (nan, inf and numbers beyond 1.8e308 cannot be counted).",
                    f"write the real {col.name} as a plain number like 1250.50, or correct the export.")
        what = "a whole number" if col.kind == "int" else "a number"
        report_rows(report, "error", raw, bad & ~infinite, col.name, arr, f"is not {what}.",
                    "write plain numbers like 1250 or 1250.50: no currency symbol, no thousands separator, "
                    "a dot for decimals.")
    low_high = pc.min_max(num)  # one cheap pass decides whether rows need checking
    lowest, highest = low_high["min"].as_py(), low_high["max"].as_py()
    if col.money and highest is not None and highest > max_amount:
        big = to_mask(pc.greater(num, max_amount))
        report_rows(report, "error", raw, big, col.name, raw.as_written(col.name),
                    f"is more than max_amount ({max_amount:,.0f}), the largest {col.name} salesnb accepts.",
                    f"correct the {col.name} (a slipped decimal point, a phone number pasted in?); if amounts "
                    f"this large are real, raise max_amount in dataset.toml.")
    if lowest is None:
        pass
    elif col.positive and lowest <= 0:
        low = to_mask(pc.less_equal(num, 0))
        report_rows(report, "error", raw, low, col.name, raw.as_written(col.name), f"{col.name} must be greater than 0.",
                    f"give every row a positive {col.name}, or remove rows that have no target.")
    elif col.min_value is not None and lowest < col.min_value:
        low = to_mask(pc.less(num, col.min_value))
        report_rows(report, "error", raw, low, col.name, raw.as_written(col.name), f"is negative; {col.name} cannot be below {col.min_value:g}.",
                    "the dataset keeps no negative amounts: remove credit notes and refunds (they are not deals), "
                    "write the size where the minus is only how the export writes it, and use 0 for a lost deal of "
                    "unknown value (salesnb import does the first two with sign = \"drop\" or \"abs\": "
                    "docs/importing.md, Negative amounts)." if col.name == "amount"
                    else "correct the value or leave it empty if unknown.")
    if col.kind == "int" and not pc.all(pc.fill_null(pc.equal(pc.floor(num), num), True)).as_py():
        frac = to_mask(pc.not_equal(pc.floor(num), num))
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
    bad = present(arr) & ~to_mask(is_true) & ~to_mask(is_false)
    report_rows(report, "error", raw, bad, col.name, arr, "is not true or false.",
                "write true or false (yes/no and 1/0 are also accepted), or leave it empty if unknown.")
    valid = to_mask(pc.or_kleene(is_true, is_false))
    return pc.if_else(pa.array(valid), is_true, pa.scalar(None, pa.bool_()))


def parse_choice(raw: RawTable, col: Column, report: ValidationReport) -> pa.ChunkedArray:
    """One of the schema's choices; case and surrounding spaces are tidied with a note."""
    arr = raw.raw(col.name)
    choices = pa.array(col.choices)
    ok, known = _all_valid_in(arr, choices)
    if ok:
        return arr
    norm = pc.utf8_lower(pc.utf8_trim_whitespace(arr))
    known_norm = to_mask(pc.is_in(norm, value_set=choices))
    tidied = known_norm & ~to_mask(known)
    if tidied.any():
        report.add("note", raw.file, None, col.name, None,
                   f"{int(tidied.sum()):,} values were written in another case or with spaces and were tidied "
                   f"(e.g. line {int(raw.lines[np.flatnonzero(tidied)[0]])}).", "")
    bad = present(arr) & ~known_norm
    report_rows(report, "error", raw, bad, col.name, arr, f"is not a known {col.name}.",
                f"use one of: {', '.join(col.choices)} (map your CRM's values onto these).")
    return pc.if_else(pa.array(known_norm), norm, pa.scalar(None, STR))


def parse_column(raw: RawTable, col: Column, report: ValidationReport,
                 max_amount: float = DEFAULT_MAX_AMOUNT) -> pa.ChunkedArray:
    if col.kind == "date":
        return parse_date(raw, col, report)
    if col.kind in ("number", "int"):
        return parse_number(raw, col, report, max_amount)
    if col.kind == "bool":
        return parse_bool(raw, col, report)
    if col.kind == "choice":
        return parse_choice(raw, col, report)
    return raw.raw(col.name)  # id and str: kept exactly as written


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


def drop_nul_bytes(raw: RawTable, report: ValidationReport) -> None:
    """A NUL character (byte 0) in any text value is an error at its file, line and column.

    It is never meant (a damaged export, a binary file pasted in) and would end up in ids
    and pages. The NULs are then taken out of the values, so that the other checks judge
    what remains instead of reporting the same cell twice. The check scans the text buffers
    the reader already holds: no second pass over the file.
    """
    for i, name in enumerate(raw.data.column_names):
        col = raw.data.column(i)
        if not pa.types.is_large_string(col.type) or not _has_nul(col):
            continue
        report_rows(report, "error", raw, to_mask(pc.match_substring(col, "\x00")), name, col,
                    "contains a NUL byte (character 0), which is not text: the file is damaged or holds binary data.",
                    "delete the NUL characters (a text editor shows them as \\0 or ^@), or export the table again.")
        cleaned = pc.replace_substring(col, "\x00", "")
        cleaned = pc.if_else(pc.equal(cleaned, ""), pa.scalar(None, STR), cleaned)  # a cell of NULs only: empty
        raw.data = raw.data.set_column(i, name, cleaned)


def _has_nul(col: pa.ChunkedArray) -> bool:
    """Whether any value of a large_string column holds a zero byte (a vectorised count over the raw bytes)."""
    for chunk in col.chunks:
        _, offsets, data = chunk.buffers()
        if data is None or len(chunk) == 0:
            continue
        ends = np.frombuffer(offsets, dtype=np.int64, count=len(chunk) + 1, offset=chunk.offset * 8)
        values = np.frombuffer(data, dtype=np.uint8)[ends[0]:ends[-1]]
        if np.count_nonzero(values) != values.size:
            return True
    return False


def drop_misplaced_rows(raw: RawTable, report: ValidationReport) -> None:
    """Drop repeated header rows (files pasted together) and rows with no value at all."""
    names = raw.data.column_names
    if not names:
        return
    first = raw.raw(names[0])
    header_like = np.zeros(raw.data.num_rows, dtype=bool)
    if pa.types.is_large_string(first.type) and pc.any(pc.equal(first, names[0])).as_py():
        header_like = to_mask(pc.equal(first, names[0]))
        for n in names[1:]:
            header_like &= to_mask(pc.or_kleene(pc.equal(raw.raw(n), n), pc.is_null(raw.raw(n))))
        report_rows(report, "warning", raw, header_like, None, None,
                    "the header line is repeated here (files pasted together?); the line was skipped.",
                    "delete the repeated header lines.")
    empty = np.zeros(raw.data.num_rows, dtype=bool)
    if all(raw.raw(n).null_count for n in names):  # a column without nulls rules out empty rows
        empty = ~empty
        for n in names:
            empty &= to_mask(pc.is_null(raw.raw(n)))
    report_rows(report, "warning", raw, empty, None, None, "the row has no values; it was skipped.",
                "delete the empty rows.")
    drop = header_like | empty
    if drop.any():
        raw.drop_rows(drop)


def parse_table(raw: RawTable, report: ValidationReport, max_amount: float = DEFAULT_MAX_AMOUNT) -> None:
    """Parse every canonical column present; flag empty values in required columns."""
    for col in raw.table.columns:
        if col.name not in raw.data.column_names:
            continue
        raw.columns[col.name] = parse_column(raw, col, report, max_amount)
        if col.required and raw.raw(col.name).null_count:
            missing = ~present(raw.raw(col.name))
            report_rows(report, "error", raw, missing, col.name, raw.raw(col.name), f"is empty; {col.name} is required.",
                        f"fill in {col.name} on every row of {raw.file}, or delete rows that have none.")
