"""What an import did: the summary printed for the manager, and the problems that stop it."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from ..errors import MappingError

MAX_EXAMPLES = 5


@dataclass
class Dropped:
    """Rows left out of a table, and why."""

    table: str
    file: str
    reason: str
    count: int
    examples: list[str] = field(default_factory=list)  # lines in the file (the header is line 1)

    def format(self) -> str:
        return f"{self.table}: {self.count:,} row(s) of {self.file} dropped: {self.reason}" + \
            _lines_text(self.examples, self.count)


def _lines_text(lines: list[str], count: int) -> str:
    if not lines:
        return ""
    more = ", ..." if count > len(lines) else ""
    return f" ({'line' if len(lines) == 1 and not more else 'lines'} {', '.join(lines)}{more})"


@dataclass
class Unmatched:
    """Join keys of a table's file that the lookup file does not have."""

    table: str
    file: str  # the table's file
    lookup: str  # the joined file
    on: str
    key: str
    rows: int  # rows with a key that is not found
    values: list[tuple[str, int, list[str]]]  # (key as written, rows, closest keys of the lookup file)
    fix: str

    def format(self) -> str:
        shown = []
        for value, n, close in self.values[:MAX_EXAMPLES]:
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            shown.append(f"{value!r} ({n}{hint})")
        more = len(self.values) - MAX_EXAMPLES
        more_txt = f" and {more} other value(s)" if more > 0 else ""
        return (f"{self.table}: {self.rows:,} row(s) of {self.file} have a {self.on!r} not found in {self.lookup} "
                f"(column {self.key!r}), so the columns looked up there are empty in those rows: "
                f"{', '.join(shown)}{more_txt}. Fix: {self.fix}")


@dataclass
class TableSummary:
    """What went into one canonical table."""

    name: str
    files: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_written: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # canonical column -> where it came from (the last file)
    # canonical column -> {a fallback column, the default or a sign rule: rows whose value came from it}
    fills: dict[str, Counter] = field(default_factory=dict)
    # Per source file, when several feed the table: each maps its own columns.
    file_columns: dict[str, dict[str, str]] = field(default_factory=dict)  # file -> canonical column -> origin
    file_fills: dict[str, dict[str, Counter]] = field(default_factory=dict)  # file -> canonical column -> fills
    file_rows: dict[str, int] = field(default_factory=dict)  # file -> rows written from it

    def format_lines(self) -> list[str]:
        """The table's lines of the summary: its rows and, per source file, where each column came from."""
        files = [f for f in self.files if f in self.file_columns]
        if len(files) < 2:
            src = f" from {', '.join(self.files)}" if self.files else ""
            return [f"  {self.name}: {_rows(self.rows_written)}{src}"] + _column_lines(self.columns, self.fills, 6)
        lines = [f"  {self.name}: {_rows(self.rows_written)} from {len(files)} files"]
        for f in files:
            written = f": {_rows(self.file_rows[f])}" if f in self.file_rows else ""
            lines.append(f"    {f}{written}")
            lines += _column_lines(self.file_columns[f], self.file_fills.get(f, {}), 8)
        return lines


def _rows(n: int) -> str:
    return f"{n:,} row" + ("" if n == 1 else "s")


def _column_lines(columns: dict[str, str], fills: dict[str, Counter], indent: int) -> list[str]:
    lines = []
    for col, origin in columns.items():
        lines.append(" " * indent + f"{col:<20} <- {origin}")
        if fills.get(col):
            lines.append(" " * (indent + 24) + "; ".join(f"{n:,} row(s) {how}" for how, n in fills[col].items()))
    return lines


class Problems:
    """Values the mapping cannot place, gathered over whole files so the error can count them."""

    def __init__(self):
        self.items: dict[tuple[str, str, str], dict] = {}

    def add(self, key: str, file: str, what: str, values: pd.Series, fix: str | Callable[[pd.Series], str]) -> None:
        """Record `values` (indexed by record number in `file`) that the mapping at `key` cannot place.

        `fix` is the text saying what to do, or a function that writes it from the bad values counted (the
        first 1,000 distinct ones, the values the message quotes among them), called when the error is raised.
        """
        entry = self.items.setdefault((key, file, what), {"counts": Counter(), "rows": 0, "fix": fix, "records": []})
        entry["rows"] += len(values)
        entry["records"] += list(values.index[: max(0, MAX_EXAMPLES - len(entry["records"]))])
        counts = values.value_counts()
        for v, n in counts.items():
            if len(entry["counts"]) < 1000 or v in entry["counts"]:
                entry["counts"][v] += int(n)

    def add_message(self, key: str, file: str, message: Callable) -> None:
        """Record a problem worded as a whole: `message(finder)` writes it (the lines it names, the fix)."""
        self.items[(key, file, "")] = {"message": message}

    def raise_if_any(self, where: str, finder=None) -> None:
        """Raise one MappingError listing every problem; `finder` (a LineFinder) turns records into lines."""
        if not self.items:
            return
        parts = []
        for (key, file, what), e in self.items.items():
            if "message" in e:
                parts.append(f"[{key}] {e['message'](finder)}")
                continue
            shown = ", ".join(f"{v!r} ({n})" for v, n in e["counts"].most_common(MAX_EXAMPLES))
            more = len(e["counts"]) - MAX_EXAMPLES
            more_txt = f" and {more} other value(s)" if more > 0 else ""
            lines = _lines_text(finder.lines(file, e["records"]), e["rows"]) if finder and e["records"] else ""
            fix = e["fix"] if isinstance(e["fix"], str) else e["fix"](pd.Series(list(e["counts"]), dtype="str"))
            parts.append(f"[{key}] {e['rows']:,} row(s) of {file} {what}: {shown}{more_txt}{lines}. Fix: {fix}")
        head = f"{where}: the mapping does not fit the export ({len(parts)} problem(s)); nothing was written."
        raise MappingError("\n".join([head] + [f"  - {p}" for p in parts]))


@dataclass
class ImportResult:
    """What an import did: tables written, what each column came from, rows dropped and why."""

    out_dir: Path
    mapping: str
    tables: dict[str, TableSummary] = field(default_factory=dict)
    dropped: list[Dropped] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing_tables: list[str] = field(default_factory=list)
    unused_columns: dict[str, list[str]] = field(default_factory=dict)  # file -> source columns not imported
    validation: object | None = None  # salesnb.validate.ValidationReport, when validation ran

    @property
    def ok(self) -> bool:
        """True when the written dataset has no validation error (an import that would have one writes nothing)."""
        return self.validation is None or bool(self.validation.ok)

    def rows(self, table: str) -> int:
        return self.tables[table].rows_written if table in self.tables else 0

    def format(self) -> str:
        """A readable summary for the manager: mapped, dropped, missing, validation."""
        lines = [f"Imported with {self.mapping} into {self.out_dir}"]
        for s in self.tables.values():
            lines += s.format_lines()
        for f, cols in self.unused_columns.items():
            if cols:  # every one of them: a column left out is a decision the manager should see
                lines.append(f"Not imported from {f}: {', '.join(cols)}")
        if self.unmatched:
            lines.append("Join keys not found:")
            lines += [f"  {u.format()}" for u in self.unmatched]
        if self.dropped:
            lines.append("Dropped:")
            lines += [f"  {d.format()}" for d in self.dropped]
        if self.missing_tables:
            lines.append("Not in this export (the analyses that need them will say so): "
                         + ", ".join(self.missing_tables))
        if self.notes:
            lines.append("Notes:")
            lines += [f"  {n}" for n in self.notes]
        if self.validation is not None:
            lines.append("Validation: " + ("passed" if self.validation.ok else "FAILED"))
            if self.validation.issues:
                lines.append(self.validation.format())
        else:
            lines.append(f"Validation: skipped; run 'salesnb validate --data {self.out_dir}' before using the dataset.")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()


