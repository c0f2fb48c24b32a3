"""Rules within a table: unique ids, date order, closed deals, non-overlapping quota periods."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..addresses import FORM_HELP, MAX_LENGTH, PATTERN
from .report import ValidationReport
from .rows import RawTable, present, report_rows, to_mask


def check_unique(raw: RawTable, report: ValidationReport) -> None:
    key = raw.table.key
    if key is None or key not in raw.columns:
        return
    ids = raw.columns[key]
    if _strictly_increasing(ids) or pc.count_distinct(ids, mode="only_valid").as_py() == len(ids) - ids.null_count:
        return
    s = pd.Series(ids.to_pandas(), copy=False)
    dup = (s.duplicated(keep="first") & s.notna()).to_numpy()
    firsts = s.isin(s[dup].unique()) & ~s.duplicated(keep="first")
    first_by_id = dict(zip(s[firsts], raw.lines[firsts.to_numpy()]))
    report_rows(report, "error", raw, dup, key, ids, f"is a duplicate {key}.",
                f"give every row its own {key}, or delete the duplicate row.",
                detail=lambda i: f"(first used on line {first_by_id[s.iat[i]]})")


def _strictly_increasing(ids: pa.ChunkedArray) -> bool:
    """True when the ids are in strictly increasing (length, text) order, which proves them unique.

    Exports usually list records in id order (R001, R002, ... or A9, A10, ...): this check is
    one cheap comparison per row, and the hash-based count runs only when it fails.
    """
    if ids.null_count or len(ids) < 2:
        return len(ids) < 2
    previous = None
    for chunk in ids.chunks:
        if len(chunk) == 0:
            continue
        if previous is not None:
            pair = pa.array([previous, chunk[0].as_py()], ids.type)
            if not _increasing_pairs(pair.slice(0, 1), pair.slice(1)):
                return False
        if len(chunk) > 1 and not _increasing_pairs(chunk.slice(0, len(chunk) - 1), chunk.slice(1)):
            return False
        previous = chunk[len(chunk) - 1].as_py()
    return True


def _increasing_pairs(a: pa.Array, b: pa.Array) -> bool:
    la, lb = pc.binary_length(a), pc.binary_length(b)
    ok = pc.or_(pc.less(la, lb), pc.and_(pc.equal(la, lb), pc.less(a, b)))
    return pc.all(ok).as_py() is True


def check_date_order(raw: RawTable, report: ValidationReport, earlier: str, later: str, fix: str,
                     *, where=None, severity: str = "error", what: str = "") -> None:
    """Report rows (optionally only those in the boolean mask `where`) whose `later` date is before `earlier`."""
    if earlier not in raw.columns or later not in raw.columns:
        return
    bad = to_mask(pc.less(raw.columns[later], raw.columns[earlier]))
    if where is not None:
        bad = bad & where
    first = raw.columns[earlier]
    report_rows(report, severity, raw, bad, later, raw.raw(later), f"{what}{later} is before {earlier}.", fix,
                detail=lambda i: f"({earlier} is {first[int(i)].as_py()})")


def closed_deals(raw: RawTable) -> np.ndarray | None:
    """Rows of won or lost deals (None without a status column)."""
    if "status" not in raw.columns:
        return None
    return to_mask(pc.is_in(raw.columns["status"], value_set=pa.array(["won", "lost"])))


def check_closed_deals(raw: RawTable, report: ValidationReport, closed: np.ndarray | None = None) -> None:
    """A won or lost deal needs a close date (`closed`: the rows of closed deals, when already known)."""
    cols = raw.columns
    if closed is None:
        closed = closed_deals(raw)
    if closed is None:
        return
    # Empty as written: a close date that is there but not a date is reported once, by the parser.
    no_date = closed & ~present(raw.raw("close_date")) if "close_date" in cols else closed
    status = cols["status"]
    report_rows(report, "error", raw, no_date, "close_date", raw.raw("close_date") if "close_date" in cols else None,
                "a won or lost deal needs a close date.",
                "fill in the date the deal was won or lost (YYYY-MM-DD).",
                detail=lambda i: f"(status {status[int(i)].as_py()})")


def check_open_won(raw: RawTable, report: ValidationReport) -> None:
    """An open deal cannot have reached won: one of the two is wrong (an import whose status map sent an unknown
    closed stage to "open", most often)."""
    cols = raw.columns
    if "status" not in cols or "furthest_stage" not in cols:
        return
    bad = to_mask(pc.and_(pc.equal(cols["status"], "open"), pc.equal(cols["furthest_stage"], "won")))
    report_rows(report, "error", raw, bad & raw.keep, "status", raw.raw("status"),
                "an open deal cannot have reached won (furthest_stage is won).",
                "if the deal was won, set status to won and fill in its close date; if it is still open, set "
                "furthest_stage to the rung it is at. From an import: map the deal's stage under [tables.opportunities"
                ".columns.status.values] (e.g. \"Renewed\" = \"won\"), since a status \"*\" = \"open\" made it open.")


def check_no_overlap(raw: RawTable, report: ValidationReport, owner: str) -> None:
    """Periods of one owner (rep or team) must not overlap."""
    cols = raw.columns
    if not {owner, "period_start", "period_end"} <= set(cols):
        return
    df = pd.DataFrame({
        "owner": cols[owner].to_pandas(), "start": cols["period_start"].cast(pa.timestamp("ms")).to_pandas(),
        "end": cols["period_end"].cast(pa.timestamp("ms")).to_pandas(), "line": raw.lines, "row": np.arange(raw.data.num_rows),
    }).dropna().sort_values(["owner", "start", "line"])
    if df.empty:
        return
    g = df.groupby("owner", sort=False)
    # The latest end so far in this owner's earlier periods, and the line of the period just before.
    prev_end = g["end"].cummax().groupby(df["owner"]).shift()
    prev_line = g["line"].shift()
    overlap = df["start"] <= prev_end
    bad = np.zeros(raw.data.num_rows, dtype=bool)
    bad[df.loc[overlap, "row"].to_numpy()] = True
    other = dict(zip(df.loc[overlap, "row"], prev_line[overlap].astype("int64")))
    report_rows(report, "error", raw, bad, "period_start", raw.raw("period_start"),
                f"this period overlaps another period of the same {owner.replace('_id', '')}.",
                "make the periods of one owner follow each other without overlap (period_end is inclusive).",
                detail=lambda i: f"({owner} {cols[owner][int(i)].as_py()}, see line {other[int(i)]})")


def check_emails(raw: RawTable, report: ValidationReport) -> None:
    """A rep's address must be in the form `salesnb send` delivers to, and belong to that rep alone.

    Both are warnings: the analyses do not need addresses, but the rep gets no e-mail until it is fixed.
    """
    if "email" not in raw.columns:
        return
    emails = raw.columns["email"]
    given = to_mask(pc.is_valid(emails))
    if not given.any():
        return
    good = to_mask(pc.and_(pc.match_substring_regex(emails, PATTERN),
                           pc.less_equal(pc.utf8_length(emails), MAX_LENGTH)))
    report_rows(report, "warning", raw, given & ~good, "email", raw.raw("email"),
                "is not an e-mail address salesnb can send to; this rep gets no e-mail.", f"{FORM_HELP}.")
    # Two reps with one address: each would receive the other's report. Compared without case, as mail is.
    folded = pd.Series(pc.utf8_lower(emails).to_pandas(), copy=False).where(given & good)
    shared = (folded.duplicated(keep=False) & folded.notna()).to_numpy()
    if shared.any():
        lines = pd.Series(raw.lines).groupby(folded.to_numpy()).agg(list)
        ids = raw.columns["rep_id"] if "rep_id" in raw.columns else None
        report_rows(report, "warning", raw, shared, "email", raw.raw("email"),
                    "is the address of more than one rep; none of them gets an e-mail, so that no report reaches "
                    "another rep.", "give each rep their own address.",
                    detail=lambda i: f"(rep {ids[int(i)].as_py() if ids is not None else '?'}; the address is on "
                                     f"lines {', '.join(str(n) for n in lines[folded.iat[int(i)]])})")


def check_rows(raws: dict[str, RawTable], report: ValidationReport) -> None:
    """Rules within a row or a table: close dates, date order, quota periods."""
    get = raws.get
    if opps := get("opportunities"):
        closed = closed_deals(opps)
        check_closed_deals(opps, report, closed)
        check_open_won(opps, report)
        check_date_order(opps, report, "created_date", "close_date",
                         "a deal closes on or after the day it was created: correct one of the two dates.",
                         where=closed)
        if closed is not None:
            # An open deal's close date is only expected: a stale one is a hygiene flag, not broken data.
            check_date_order(opps, report, "created_date", "close_date",
                             "update the expected close date in the CRM; the deal is kept and counted as past "
                             "its close date.", where=~closed, severity="warning", what="open deal: expected ")
    if reps := get("reps"):
        check_date_order(reps, report, "hire_date", "end_date", "correct the hire or end date.")
        check_emails(reps, report)
    for name, owner in (("quotas", "rep_id"), ("team_quotas", "team")):
        if q := get(name):
            check_date_order(q, report, "period_start", "period_end",
                             "period_end is the last day of the period: it cannot be before period_start.")
            check_no_overlap(q, report, owner)
