"""Cells a spreadsheet would run as a formula ('=HYPERLINK(...)', '+1 Sales', '@SUM(...)', '=cmd|...').

The import writes the user's values as they are; it says where such cells are, since opening the dataset's CSVs
in Excel, LibreOffice or Google Sheets would run them. (salesnb's own tables for people, the explorer's CSV and
Excel downloads, write them as text: `salesnb.formula_safe`.) A number such as '-2' or '+3.5' is not a formula.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..formula_safe import FORMULA_START
from .result import MAX_EXAMPLES

_NUMBER = r"[+-]?\d+(?:[.,]\d+)?%?"


def note_formulas(seen: dict, where: tuple[str, str], text: pd.Series, records: np.ndarray) -> None:
    """Count the cells of `text` (non-empty text of one column source; `records`: their record numbers) that would
    run as a formula, into seen[where] = [cells, first records, first values]."""
    if not len(text):
        return
    starts = text.str.startswith(FORMULA_START).to_numpy()
    if not starts.any():
        return
    stripped = text.str.strip()
    formula = starts & ~stripped.str.fullmatch(_NUMBER).to_numpy() & (stripped.str.len() > 1).to_numpy()
    if not formula.any():
        return
    entry = seen.setdefault(where, [0, [], []])  # cells, then each distinct value's first record and the value
    entry[0] += int(formula.sum())
    for value, record in zip(text[formula], records[formula]):
        if len(entry[2]) >= MAX_EXAMPLES:
            break
        if value not in entry[2]:
            entry[1].append(int(record))
            entry[2].append(value)


def formula_notes(seen: dict, finder=None) -> list[str]:
    notes = []
    for (file, column), (count, records, values) in seen.items():
        lines = finder.lines(file, records) if finder is not None else [str(r + 2) for r in records]
        shown = ", ".join(f"{v!r} (line {line})" for v, line in zip(values, lines))
        notes.append(f"{file}: {count:,} cell(s) of column {column} start with =, +, - or @ and would run as a "
                     f"formula if the dataset's CSVs were opened in a spreadsheet: {shown}{' and others' if count > len(values) else ''}. "
                     f"They are imported as written (salesnb's own downloads write them as text); correct them in "
                     f"the CRM if they are not meant as text.")
    return notes
