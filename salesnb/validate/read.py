"""Reading the table files of a dataset folder (CSV or Parquet) into raw tables.

Ids and other text columns are read as text, so ids keep their exact spelling
(`007` stays `007`). Dates and numbers are parsed by pyarrow's CSV reader when every
value fits; otherwise the file is read again as text and the column checks find and
report each bad value with its line. Files are only ever opened for reading.
"""
from __future__ import annotations

import csv
import functools
import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..dataset_toml import META_FILE, DatasetMeta, read_settings
from ..schema import TABLES
from .files import NOT_READABLE_FIX, exists, path_problem
from .report import ValidationReport
from .rows import STR, RawTable

_BOM = b"\xef\xbb\xbf"
_SAVE_AS_UTF8 = ("save the file as UTF-8 text (in Excel: File > Save As > 'CSV UTF-8'; "
                 "in Google Sheets: File > Download > CSV).")


# --------------------------------------------------------------------------------------
# Reading one file as text


@functools.cache
def reader_memory_pool() -> pa.MemoryPool:
    """The allocator for the CSV reader's buffers: jemalloc where pyarrow has it, else the system's.

    pyarrow's default on Linux (mimalloc) made the system time of reading an 800 MiB dataset
    swing between 0.8 s and 4.3 s from one run to the next on our 2-core machines (page
    faults), against a steady 0.9 s with jemalloc or the system allocator
    (`bench/bench_load.py` prints both bare parses), and mimalloc kept the memory of a dropped
    dataset while jemalloc gave it back within seconds. Only the CSV reader uses it (pyarrow's
    Parquet reader takes no pool): the rest of the process keeps pyarrow's default.
    """
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:  # pyarrow built without jemalloc (e.g. on Windows)
        return pa.system_memory_pool()


def read_table_file(name: str, path: Path, report: ValidationReport) -> RawTable | None:
    """Read one table file with every column as a string; None when it cannot be read at all."""
    if path.suffix == ".parquet":
        return _read_parquet(name, path, report)
    return _read_csv(name, path, report)


def _read_csv(name: str, path: Path, report: ValidationReport) -> RawTable | None:
    file = path.name
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
    except OSError as exc:
        report.add("error", file, None, None, None, f"cannot be read ({exc.strerror}): {path}.", NOT_READABLE_FIX)
        return None
    if head.startswith(_BOM):
        report.add("note", file, 1, None, None, "starts with a UTF-8 byte-order mark (BOM); it was read correctly.",
                   "nothing to do; some tools prefer the file saved as 'UTF-8 without BOM'.")
        head = head[len(_BOM):]
    if not head.strip():
        return _empty(name, file, report, "is empty (no header line).")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        report.add("error", file, None, None, None, "is UTF-16 text; salesnb reads UTF-8.", _SAVE_AS_UTF8)
        return None
    if b"\x00" in head.split(b"\n", 1)[0]:  # a NUL in the header: not text at all (later ones are found per cell)
        report.add("error", file, 1, None, None, "is not a text CSV file (its first line holds binary data).",
                   f"export the {name} table as CSV (comma-separated text) or Parquet.")
        return None
    header = _read_header(head, file, report)
    if header is None:
        return None
    # First try: dates and numbers parsed by the (multi-threaded) CSV reader itself.
    # Any value it cannot convert sends us to the all-text read, where every bad value
    # is found and reported with its line.
    data = _read_csv_fast(path, header, _typed_columns(name, header))
    if data is None:
        data = _read_csv_fast(path, header, dict.fromkeys(header, STR))
    reread = None
    if data is not None:
        lines = functools.partial(_line_numbers, data)
        reread = functools.partial(_read_column_as_text, path, header)
    else:
        # Blank lines, ragged rows, line breaks inside quotes or bad bytes: read line by
        # line to say exactly where, keeping the good rows so the other checks still run.
        result = _read_csv_slowly(path, header, report)
        if result is None:
            return None
        data, lines = result
    if data.num_rows == 0:
        return _empty(name, file, report, "has a header but no rows.", header=header)
    return RawTable(name, file, data, lines, reread=reread)


def _read_column_as_text(path: Path, header: list[str], column: str) -> pa.ChunkedArray:
    return _read_csv_as(path, header, {column: STR}, include=[column]).column(column)


def _read_csv_as(path: Path, header: list[str], types: dict[str, pa.DataType],
                 include: list[str] | None = None) -> pa.Table:
    """pyarrow's CSV reader with the given column types (raises when a value does not fit its type).

    An empty cell is a missing value; blank lines are kept, so that rows stay in step with lines.
    """
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
        parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types=types, include_columns=include or [], strings_can_be_null=True, null_values=[""],
            quoted_strings_can_be_null=True, check_utf8=True),
        memory_pool=reader_memory_pool(),
    )


def _typed_columns(name: str, header: list[str]) -> dict[str, pa.DataType]:
    table = TABLES[name]
    types = {}
    for h in header:
        kind = table.column(h).kind if h in table.column_names else "str"
        types[h] = {"date": pa.date32(), "number": pa.float64(), "int": pa.float64()}.get(kind, STR)
    return types


def _line_numbers(data: pa.Table) -> np.ndarray:
    """The line of each row: header is line 1, plus the line breaks inside quoted values before it."""
    lines = np.arange(2, data.num_rows + 2, dtype=np.int64)
    breaks = None
    for col in data.columns:
        if pa.types.is_large_string(col.type) and pc.any(pc.match_substring(col, "\n")).as_py():
            n = pc.fill_null(pc.count_substring(col, "\n"), 0).to_numpy().astype(np.int64)
            breaks = n if breaks is None else breaks + n
    if breaks is not None:
        lines[1:] += np.cumsum(breaks)[:-1]
    return lines


def _read_csv_fast(path: Path, header: list[str], types: dict[str, pa.DataType]) -> pa.Table | None:
    """pyarrow's CSV reader with fixed column types; None when any row does not fit them."""
    try:
        return _read_csv_as(path, header, types)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, OSError):
        return None


def _read_header(head: bytes, file: str, report: ValidationReport) -> list[str] | None:
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError as exc:
        report.add("error", file, 1, None, None,
                   f"is not UTF-8 text (byte 0x{first[exc.start]:02x} in the header cannot be read).", _SAVE_AS_UTF8)
        return None
    try:
        header = next(csv.reader([text]))
    except (csv.Error, StopIteration):
        report.add("error", file, 1, None, text, "the header line cannot be read as CSV.",
                   "the first line must list the column names, separated by commas.")
        return None
    header = [h.strip() for h in header]
    if not any(header):
        report.add("error", file, 1, None, text, "the first line is empty; it must be the header with the column names.",
                   "delete the empty lines above the header.")
        return None
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        sep = "semicolons" if ";" in header[0] else "tabs"
        report.add("error", file, 1, None, text, f"the columns are separated by {sep}, not commas.",
                   "save the file as comma-separated CSV.")
        return None
    seen: set[str] = set()
    problems = False
    for i, h in enumerate(header, start=1):
        if not h:
            report.add("error", file, 1, f"#{i}", "", "the header has an empty column name.",
                       "give every column a name (or delete the empty column).")
            problems = True
        elif h in seen:
            report.add("error", file, 1, h, h, "the column name appears twice in the header.",
                       "keep one of the two columns.")
            problems = True
        seen.add(h)
    return None if problems else header


def _read_csv_slowly(path: Path, header: list[str], report: ValidationReport):
    """Line-by-line reading: exact line numbers for every ragged, blank or undecodable line."""
    file = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        report.add("error", file, None, None, None, f"cannot be read ({exc.strerror}): {path}.", NOT_READABLE_FIX)
        return None
    if raw.startswith(_BOM):
        raw = raw[len(_BOM):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start:exc.start + 1]
        try:
            raw.decode("cp1252")
            guess = " It looks like Windows-1252 / Latin-1 text."
        except UnicodeDecodeError:
            guess = ""
        report.add("error", file, line, None, repr(bad)[2:-1],
                   f"is not UTF-8 text: a byte on this line cannot be read.{guess}", _SAVE_AS_UTF8)
        text = raw.decode("utf-8", errors="replace")  # keep going to find the other problems
    width = len(header)
    columns: list[list[str | None]] = [[] for _ in header]
    lines: list[int] = []
    blank: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    try:
        next(reader)  # the header
        prev = reader.line_num
        for row in reader:
            start, prev = prev + 1, reader.line_num
            if not row or all(not v.strip() for v in row) and len(row) <= 1:
                blank.append(start)
                continue
            if len(row) != width:
                report.add("error", file, start, None, ",".join(row)[:80],
                           f"has {len(row)} values but the header has {width} columns.",
                           "make every line have one value per column (quote values that contain commas).")
                continue
            lines.append(start)
            for values, v in zip(columns, row):
                values.append(v if v != "" else None)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # a value of megabytes: not a name, an id or a date
            limit = csv.field_size_limit()
            report.add("error", file, reader.line_num, None, None,
                       f"holds a value longer than {limit:,} characters, far more than any value of a sales table "
                       "(often a quote \" left open, so that the rest of the file reads as one value).",
                       "find the value on this line (or an unmatched quote before it), shorten or close it, and "
                       "save the file again as CSV.")
            return None
        report.add("error", file, reader.line_num, None, None, f"cannot be read as CSV ({exc}).",
                   "save the file again as plain comma-separated CSV.")
        return None
    if blank:
        report.add("warning", file, blank[0], None, None,
                   f"{len(blank):,} empty line(s) were skipped (first at line {blank[0]}).",
                   "delete the empty lines.", count=len(blank))
    data = pa.table({h: pa.array(v, STR) for h, v in zip(header, columns)})
    return data, np.asarray(lines, dtype=np.int64)


def _read_parquet(name: str, path: Path, report: ValidationReport) -> RawTable | None:
    file = path.name
    try:
        with path.open("rb") as fh:  # a permission problem is said as such, not as a damaged file
            fh.read(4)
    except OSError as exc:
        report.add("error", file, None, None, None, f"cannot be read ({exc.strerror}): {path}.", NOT_READABLE_FIX)
        return None
    try:
        data = pq.read_table(path)
    except Exception as exc:  # pyarrow raises many types for damaged files; all mean the same here
        report.add("error", file, None, None, None, f"is not a readable Parquet file ({type(exc).__name__}: {exc}).",
                   f"export the {name} table again as Parquet, or as CSV.")
        return None
    columns = {}
    for field in data.schema:
        col = data.column(field.name)
        try:
            if pa.types.is_dictionary(field.type):
                col = col.cast(field.type.value_type)
            if pa.types.is_date(field.type) or pa.types.is_timestamp(field.type):
                col = col.cast(pa.date32()) if pa.types.is_timestamp(field.type) else col
            columns[field.name.strip()] = col.cast(STR)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            report.add("error", file, None, field.name, None, f"has type {field.type}, which cannot be read as a value.",
                       "store plain text, numbers, booleans or dates in this column.")
    if data.num_rows == 0:
        return _empty(name, file, report, "has no rows.", header=list(columns))
    table = pa.table(columns) if columns else pa.table({})
    return RawTable(name, file, table, np.arange(1, data.num_rows + 1, dtype=np.int64))


def _empty(name: str, file: str, report: ValidationReport, what: str, header: list[str] | None = None):
    """Report an empty table: an error for a required table, a warning (table ignored) otherwise."""
    if TABLES[name].required:
        report.add("error", file, None, None, None, f"{what} The {name} table is required.",
                   f"fill {file} with your {name}, one per line under the header.")
    else:
        report.add("warning", file, None, None, None, f"{what} It is treated as absent.",
                   f"fill it with your {name} or delete the file.")
    return None


# --------------------------------------------------------------------------------------
# Metadata


def read_meta(folder: Path, report: ValidationReport) -> DatasetMeta:
    """dataset.toml if present (defaults otherwise); each bad setting is an error in the report."""
    path = folder / META_FILE
    if not exists(path):
        return DatasetMeta()
    if problem := path_problem(path):
        report.add("error", META_FILE, None, None, None, *problem)
        return DatasetMeta()
    meta, problems = read_settings(path)
    for p in problems:
        report.add("error", META_FILE, p.line, p.setting, p.value, p.message, p.fix)
    return meta
