"""Activities logged twice: rows identical in everything but their activity_id.

Some CRM syncs write each call again under a new id. Counted as they are, the copies would double a rep's
calls and drive the activity audit, so each is counted once; the files are not changed, and the warning
says how many rows were set aside and how to remove them at the source.

Dates carry no time, so two five-minute emails a rep sent on one day, to no deal, are identical too: a few
such pairs are ordinary work (about 1 in 100 activities of the bundled sample team, more than 1 in 10 of a
small team logging one type against a few deals). Copies are taken for double logging only when they are a
large share of the activities, `DOUBLE_LOGGED_SHARE` or more (a sync that logged each call twice: a half).
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from .report import ValidationReport
from .rows import RawTable, report_rows

DOUBLE_LOGGED_SHARE = 0.25
COPY_MESSAGE = "this activity is an exact copy of an earlier one except for its activity_id"


def exact_copies(raw: RawTable, min_copies: int = 1) -> np.ndarray:
    """Rows (of all rows) that repeat an earlier kept row in every column but activity_id (none when there are
    fewer than `min_copies`)."""
    names = [c for c in raw.data.column_names if c != "activity_id"]
    keep = raw.keep
    copies = np.zeros(raw.data.num_rows, dtype=bool)
    if not names or keep.sum() < 2:
        return copies
    cols = {}
    for name in names:
        arr = raw.columns.get(name, raw.raw(name))
        cols[name] = arr.filter(pa.array(keep)) if not keep.all() else arr
    table = pa.table(cols)
    distinct = table.group_by(names).aggregate([]).num_rows  # counted in arrow: the rows are seldom copies
    if table.num_rows - distinct < min_copies:
        return copies
    copies[np.flatnonzero(keep)] = table.to_pandas().duplicated(keep="first").to_numpy()
    return copies


def check_duplicate_activities(raws: dict[str, RawTable], report: ValidationReport) -> int:
    """Warn about activities that are copies of another but for their id, when they are so many that the
    export logged them twice, and count each once (left out of the analyses, not of the file). Returns how
    many were set aside."""
    raw = raws.get("activities")
    if raw is None or any(i.file == raw.file for i in report.errors):
        return 0  # rows with errors are judged once they are fixed (a column of bad dates looks all alike)
    copies = exact_copies(raw, max(1, int(np.ceil(DOUBLE_LOGGED_SHARE * raw.keep.sum()))))
    n = int(copies.sum())
    if not n or n < DOUBLE_LOGGED_SHARE * int(raw.keep.sum()):
        return 0
    report_rows(report, "warning", raw, copies, "activity_id", raw.raw("activity_id"),
                f"{COPY_MESSAGE} ({n:,} of "
                f"{int(raw.keep.sum()):,} activities are, too many to be chance: the export logged them twice): it "
                "is counted once, so copies do not inflate the activity counts, rates or the vanity-metric audit.",
                "remove the repeated rows from the export (a CRM sync that logged each activity twice is the usual "
                "cause); if they are separate activities, give them what tells them apart (the deal or lead they "
                "were for, their duration).")
    raw.keep &= ~copies
    return n


def copies_set_aside(report: ValidationReport | None) -> int:
    """How many activities `check_duplicate_activities` counted once (0 without a report)."""
    if report is None:
        return 0
    return sum(i.count for i in report.warnings if i.column == "activity_id" and i.message.startswith(COPY_MESSAGE))
