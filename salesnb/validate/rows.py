"""A table as read from disk, where each row came from, and issues reported per row."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import TABLES, Table
from .report import ValidationReport

# Text columns are large_string: it is what pandas' str dtype holds, so no copy when converting.
STR = pa.large_string()
# Rows kept as individual issues per check; beyond this one summary issue gives the count.
MAX_ROWS_PER_CHECK = 1000


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
    found: dict = field(default_factory=dict)  # column -> what its reference lookup found (references.Found)
    frame: tuple | None = None  # (typed DataFrame, the columns it was built from), built early by the checks
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


def to_mask(arr) -> np.ndarray:
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


def all_found(found: pa.ChunkedArray, values: pa.ChunkedArray) -> bool:
    """True when `found` (a lookup of `values`) is true for every non-empty value; counting is cheaper than masking."""
    return (pc.sum(found).as_py() or 0) == len(values) - values.null_count


def present(arr: pa.ChunkedArray) -> np.ndarray:
    """True where a value is given (not empty)."""
    return to_mask(pc.is_valid(arr))
