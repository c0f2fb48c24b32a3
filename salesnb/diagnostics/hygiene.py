"""CRM hygiene: open deals with no next step, stale deals, expected close dates in the past.

Deals are those open at ``as_of`` (created on or before it and not closed by
it). A deal is stale when no activity was logged on it in the ``STALE_DAYS``
before ``as_of`` (on deals older than that), for reps who link activities to deals; for the others (no activities
table, or activities linked to no deal), when it has not changed stage for ``STUCK_DAYS``
(`last_stage_change`: the deal's ``stage_changed_date``, else the last stage it entered by ``as_of`` in the stage
history); else staleness is not judged.
"""
from __future__ import annotations

import pandas as pd

from ..metrics import staleness
from ..metrics.staleness import FROM_HISTORY, STALE_DAYS, STUCK_DAYS, open_at
from ..terms import HYGIENE_FLAGS

FLAGS = HYGIENE_FLAGS
NO_NEXT_STEPS = ("the opportunities have no next_step values, so open deals without a next step cannot be "
                 "found: export the Next Step field (or map it on import) to check them")


def flag_deals(opps: pd.DataFrame, activities: pd.DataFrame | None, as_of,
               stage_history: pd.DataFrame | None = None) -> tuple[pd.DataFrame, str]:
    """The open deals with at least one flag, and a note on how staleness was judged (`staleness.judge`: the
    same rule as the scorecard's ``stale_deals``). `stage_history` gives the day a deal last changed stage where
    the export has no ``stage_changed_date``."""
    as_of = pd.Timestamp(as_of)
    d = open_at(opps, as_of).copy()
    judged = staleness.judge(d, activities, stage_history, as_of)
    d[["stage_changed", "stage_changed_from", "stale"]] = judged[["stage_changed", "stage_changed_from", "stale"]]
    # an export without next steps at all says nothing about them: no deal is flagged for it
    d["no_next_step"] = d["next_step"].isna() & (d["status"] == "open") & opps["next_step"].notna().any()
    # an expected close date before as_of on a deal that was still open then
    d["past_close_date"] = d["close_date"].notna() & (d["close_date"] < as_of)
    basis = []
    if (judged["how"] == staleness.BY_ACTIVITY).any():
        basis.append(f"no activity logged on the deal in the {STALE_DAYS} days before {as_of.date()} (deals older "
                     f"than that)")
    by_stage = judged["how"] == staleness.BY_STAGE
    if by_stage.any():
        why = ("no activities table to see recent contact" if activities is None or not len(activities)
               else "for reps whose activities are not linked to deals")
        source = _where_from(d.loc[by_stage, "stage_changed_from"])
        basis.append(f"no stage change in {STUCK_DAYS} days ({why}{source})")
    if not basis:
        basis.append("not judged: needs activities linked to deals (opportunity_id) or stage_changed_date"
                     if activities is not None and len(activities) and not staleness.linking_reps(activities, as_of)
                     else "not judged: needs activities or stage_changed_date")
    basis = "; ".join(basis)
    d["days_since_stage_change"] = (as_of - d["stage_changed"]).dt.days
    flagged = d[d[list(FLAGS)].any(axis=1)]
    cols = ["opportunity_id", "rep_id", "account", "amount", "created_date", "close_date", "next_step",
            "days_since_stage_change", "stage_changed_from", *FLAGS]
    return flagged[cols].reset_index(drop=True), basis


def _where_from(sources: pd.Series) -> str:
    """Where the days of the last stage change came from, when the stage history gave any."""
    n = int((sources == FROM_HISTORY).sum())
    if not n:
        return ""
    deals = f"{n} deal{'s' if n != 1 else ''}"
    return (f"; the last stage change of {deals} read from the stage history, the day it entered its latest stage, "
            "as the export has no stage_changed_date for them")


def summarise(deals: pd.DataFrame, rep_ids: pd.Index, open_counts: pd.Series) -> pd.DataFrame:
    """Per rep: open deals and counts per flag."""
    counts = deals.groupby("rep_id")[list(FLAGS)].sum().reindex(rep_ids).fillna(0).astype(int)
    counts.insert(0, "open_deals", open_counts.reindex(rep_ids).fillna(0).astype(int))

    counts.index.name = "rep_id"
    return counts.reset_index()
