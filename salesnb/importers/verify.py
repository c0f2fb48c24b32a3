"""Validating the built dataset before it is moved into place: a dataset with errors is never written.

A validation error names a line of the built table; the import names the source line it came
from too, since that is the file the manager can open and correct.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..errors import SalesnbError
from ..schema import TABLES
from .lines import line_records
from .run import Run

MAX_SHOWN = 20


class ImportValidationError(SalesnbError):
    """The export converted, but the dataset it makes breaks a rule of the data model; nothing was written."""

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report


def check_build(build: Path, run: Run, mapping_path: str):
    """The validation report of the build folder; raises ImportValidationError when it has errors."""
    try:
        from ..validate import validate_folder
    except ImportError:  # pragma: no cover - the validator ships with salesnb
        return None
    report = validate_folder(build)
    if report.ok:
        return report
    errors = report.errors
    shown = [_describe(i, build, run) for i in errors[:MAX_SHOWN]]
    more = sum(i.count for i in errors) - sum(i.count for i in errors[:MAX_SHOWN])
    lines = [f"{mapping_path}: the export converts, but the dataset it makes breaks {sum(i.count for i in errors):,} "
             f"rule(s) of the data model; nothing was written."]
    lines += [f"  - {s}" for s in shown]
    if more > 0:
        lines.append(f"  ... and {more:,} more.")
    if any(i.file == "team_quotas.csv" and i.column == "team" for i in errors):
        lines.append("Team targets must name the reps' teams as the reps' file writes them: rename them in either file, "
                     "or with a value map in the mapping, e.g. team = { column = \"Team\", values = { \"East Coast\" "
                     "= \"East\" } } under [tables.team_quotas.columns] (docs/importing.md, Quotas).")
    for table, how in run.generated_ids.items():
        key = TABLES[table].key
        if any(i.file.startswith(f"{table}.") and i.column == key and "duplicate" in i.message for i in errors):
            lines.append(f"The {key}s are made from {how}: rows with the same values get the same id. Add a column "
                         f"that tells them apart to hash = [...], or use from_row = true (docs/importing.md, "
                         f"An export without ids).")
    lines.append("Correct these rows in the export (or change the mapping), then import again.")
    raise ImportValidationError("\n".join(lines), report)


def _describe(issue, build: Path, run: Run) -> str:
    """One validation error, located in the source file when the built row came from one."""
    text = issue.format()
    table = issue.file.rsplit(".", 1)[0]
    if issue.line is None or not (build / issue.file).is_file():
        return text + (f" ({issue.count:,} rows)" if issue.count > 1 else "")
    record = line_records(build / issue.file, "utf-8", ",", [issue.line]).get(issue.line)
    file, source_record = run.origin(table, record) if record is not None else (None, None)
    if file is None or source_record is None or source_record < 0:
        return text
    line = run.finder.lines(file, [source_record])[0]
    return replace(issue, file=f"{file} line {line} (built {issue.file} line {issue.line})", line=None).format()
