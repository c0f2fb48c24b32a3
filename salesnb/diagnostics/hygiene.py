"""CRM hygiene: open deals with no next step, stale deals, expected close dates in the past.

Deals are those open at ``as_of`` (created on or before it and not closed by
it). A deal is stale when no activity was logged on it in the ``STALE_DAYS``
before ``as_of``; without an activities table, when it has not changed stage
for ``STUCK_DAYS`` (needs ``stage_changed_date``).
"""
from __future__ import annotations

import pandas as pd

from ..terms import HYGIENE_FLAGS

STALE_DAYS = 14
STUCK_DAYS = 45
FLAGS = HYGIENE_FLAGS
NO_NEXT_STEPS = ("the opportunities have no next_step values, so open deals without a next step cannot be "
                 "found: export the Next Step field (or map it on import) to check them")


def open_at(opps: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Deals open at `as_of`: created by then and either still open or closed after it."""
    created = opps["created_date"] <= as_of
    still_open = (opps["status"] == "open") | (opps["close_date"] > as_of)
    return opps[created & still_open]


def flag_deals(opps: pd.DataFrame, activities: pd.DataFrame | None, as_of) -> tuple[pd.DataFrame, str]:
    """The open deals with at least one flag, and a note on how staleness was judged."""
    as_of = pd.Timestamp(as_of)
    d = open_at(opps, as_of).copy()
    # an export without next steps at all says nothing about them: no deal is flagged for it
    d["no_next_step"] = d["next_step"].isna() & (d["status"] == "open") & opps["next_step"].notna().any()
    # an expected close date before as_of on a deal that was still open then
    d["past_close_date"] = d["close_date"].notna() & (d["close_date"] < as_of)
    if activities is not None and len(activities):
        recent = activities[(activities["date"] <= as_of) & (activities["date"] > as_of - pd.Timedelta(days=STALE_DAYS))]
        touched = set(recent["opportunity_id"].dropna())
        d["stale"] = ~d["opportunity_id"].isin(touched)
        basis = f"no activity logged on the deal in the {STALE_DAYS} days before {as_of.date()}"
    elif d["stage_changed_date"].notna().any():
        d["stale"] = d["stage_changed_date"] < as_of - pd.Timedelta(days=STUCK_DAYS)
        basis = f"no stage change in {STUCK_DAYS} days (no activities table to see recent contact)"
    else:
        d["stale"] = False
        basis = "not judged: needs activities or stage_changed_date"
    d["days_since_stage_change"] = (as_of - d["stage_changed_date"]).dt.days
    flagged = d[d[list(FLAGS)].any(axis=1)]
    cols = ["opportunity_id", "rep_id", "account", "amount", "created_date", "close_date", "next_step",
            "days_since_stage_change", *FLAGS]
    return flagged[cols].reset_index(drop=True), basis


def summarise(deals: pd.DataFrame, rep_ids: pd.Index, open_counts: pd.Series) -> pd.DataFrame:
    """Per rep: open deals and counts per flag."""
    counts = deals.groupby("rep_id")[list(FLAGS)].sum().reindex(rep_ids).fillna(0).astype(int)
    counts.insert(0, "open_deals", open_counts.reindex(rep_ids).fillna(0).astype(int))

    counts.index.name = "rep_id"
    return counts.reset_index()
