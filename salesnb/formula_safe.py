"""Cells a spreadsheet shows as text and never runs: the rule for every table salesnb writes for people to open.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by Excel,
LibreOffice and Google Sheets (a rep named `=HYPERLINK(...)` would become a link; `+cmd|...` could start a
program). OWASP's rule for CSV: prefix such a cell with a single quote. In an Excel workbook the cell is written
as a string instead (and marked with Excel's quote prefix, so that editing it keeps it text), with its text as
it is. Only text is touched: a negative number stays a number.
"""
from __future__ import annotations

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def runs_as_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value):
    """The cell as a CSV for a spreadsheet must hold it: a leading apostrophe when it would run."""
    return "'" + value if runs_as_formula(value) else value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell passed through `csv_cell` (numbers, dates and flags unchanged)."""
    out = frame.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            out[col] = out[col].astype(object).map(csv_cell)
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as a CSV file for people: formula-safe, UTF-8 with a byte-order mark (so Excel reads accents)."""
    return csv_frame(frame).to_csv(index=False).encode("utf-8-sig")


def excel_strings(sheet) -> int:
    """Make every openpyxl cell of `sheet` whose text would run a string cell (its text unchanged, Excel's
    quote prefix set); returns how many there were."""
    count = 0
    for row in sheet.iter_rows():
        for cell in row:
            if runs_as_formula(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True
                count += 1
    return count
