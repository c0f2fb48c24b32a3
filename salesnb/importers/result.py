"""What an import did: the summary printed for the manager, and the problems that stop it."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

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
    examples: list[str] = field(default_factory=list)  # data row numbers (1 = first row under the header)

    def format(self) -> str:
        ex = f" (rows {', '.join(self.examples)}{', ...' if self.count > len(self.examples) else ''})" if self.examples else ""
        return f"{self.table}: {self.count:,} row(s) of {self.file} dropped: {self.reason}{ex}"


@dataclass
class TableSummary:
    """What went into one canonical table."""

    name: str
    files: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_written: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # canonical column -> where it came from


class Problems:
    """Values the mapping cannot place, gathered over whole files so the error can count them."""

    def __init__(self):
        self.items: dict[tuple[str, str, str], dict] = {}

    def add(self, key: str, file: str, what: str, values: pd.Series, fix: str) -> None:
        entry = self.items.setdefault((key, file, what), {"counts": Counter(), "rows": 0, "fix": fix})
        entry["rows"] += len(values)
        counts = values.value_counts()
        for v, n in counts.items():
            if len(entry["counts"]) < 1000 or v in entry["counts"]:
                entry["counts"][v] += int(n)

    def raise_if_any(self, where: str) -> None:
        if not self.items:
            return
        parts = []
        for (key, file, what), e in self.items.items():
            shown = ", ".join(f"{v!r} ({n})" for v, n in e["counts"].most_common(MAX_EXAMPLES))
            more = len(e["counts"]) - MAX_EXAMPLES
            more_txt = f" and {more} other value(s)" if more > 0 else ""
            parts.append(f"[{key}] {e['rows']:,} row(s) of {file} {what}: {shown}{more_txt}. Fix: {e['fix']}")
        head = f"{where}: the mapping does not fit the export ({len(parts)} problem(s)); nothing was written."
        raise MappingError("\n".join([head] + [f"  - {p}" for p in parts]))


@dataclass
class ImportResult:
    """What an import did: tables written, what each column came from, rows dropped and why."""

    out_dir: Path
    mapping: str
    tables: dict[str, TableSummary] = field(default_factory=dict)
    dropped: list[Dropped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing_tables: list[str] = field(default_factory=list)
    unused_columns: dict[str, list[str]] = field(default_factory=dict)  # file -> source columns not imported
    validation: object | None = None  # salesnb.validate.ValidationReport, when validation ran

    @property
    def ok(self) -> bool:
        """True when the written dataset has no validation error."""
        return self.validation is None or bool(self.validation.ok)

    def rows(self, table: str) -> int:
        return self.tables[table].rows_written if table in self.tables else 0

    def format(self) -> str:
        """A readable summary for the manager: mapped, dropped, missing, validation."""
        lines = [f"Imported with {self.mapping} into {self.out_dir}"]
        for name, s in self.tables.items():
            src = f" from {', '.join(s.files)}" if s.files else ""
            lines.append(f"  {name}: {s.rows_written:,} rows{src}")
            for col, origin in s.columns.items():
                lines.append(f"      {col:<20} <- {origin}")
        for f, cols in self.unused_columns.items():
            if cols:
                shown = ", ".join(cols[:8]) + (f" and {len(cols) - 8} more" if len(cols) > 8 else "")
                lines.append(f"Not imported from {f}: {shown}")
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
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()


