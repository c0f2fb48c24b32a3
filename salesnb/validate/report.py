"""Issues found in a dataset and the report that collects and formats them."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

SEVERITIES = ("error", "warning", "note")
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

    @property
    def column_label(self) -> str:
        """What `column` names: a column of a table, or a setting of dataset.toml."""
        return "setting" if self.file.endswith(".toml") else "column"

    def format(self, *, with_fix: bool = True) -> str:
        parts = [self.location]
        if self.column:
            parts.append(f"{self.column_label} {self.column}")
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
            "warning": "Warnings (the data loads, repaired where said; check they are what you expect):",
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
    col = f", {first.column_label} {first.column}" if first.column else ""
    out = [f"  - {first.file}{col}: {total:,} rows: {first.message} First {RUN_EXAMPLES}:"]
    for i in [i for i in run if i.line is not None][:RUN_EXAMPLES]:
        out.append(f"      {i.format(with_fix=False)}")
    if first.fix:
        out.append(f"    Fix: {first.fix}")
    return out
