"""When an open deal has gone quiet: one rule for the scorecard's ``stale_deals`` and the hygiene list.

For a rep who links activities to deals, a deal is stale when it is older than ``STALE_DAYS`` and no activity was
logged on it in the ``STALE_DAYS`` up to ``as_of`` (a call logged against no deal says nothing about any deal, so
reps who never link one are not judged this way). For the others, a deal is stale when it has not changed stage
for ``STUCK_DAYS``: the day it last changed stage is its ``stage_changed_date``, else the day it entered its latest
stage in the stage history (`last_stage_change`). A deal neither rule reaches is not judged.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._ids import codes_in

STALE_DAYS = 14
STUCK_DAYS = 45
FROM_EXPORT, FROM_HISTORY = "stage_changed_date", "stage history"
BY_ACTIVITY, BY_STAGE = "activity", "stage"


def open_at(opps: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Deals open at `as_of`: created by then and either still open or closed after it."""
    created = opps["created_date"] <= as_of
    still_open = (opps["status"] == "open") | (opps["close_date"] > as_of)
    return opps[created & still_open]


def last_stage_change(opps: pd.DataFrame, stage_history: pd.DataFrame | None, as_of) -> tuple[pd.Series, pd.Series]:
    """Per deal (the index of `opps`): the day it last changed stage, and where that day comes from: its
    ``stage_changed_date`` (``FROM_EXPORT``), else the last stage it entered on or before `as_of` in the stage
    history (``FROM_HISTORY``); NaT and None when neither gives one."""
    changed = opps["stage_changed_date"] if "stage_changed_date" in opps else pd.Series(pd.NaT, index=opps.index)
    source = pd.Series(None, index=opps.index, dtype=object).where(changed.isna(), FROM_EXPORT)
    if stage_history is None or not len(stage_history) or not changed.isna().any():
        return changed, source
    # only the entries of the deals that lack a date, known by as_of
    wanted = opps.loc[changed.isna(), "opportunity_id"].astype(str).unique()
    sh_ids = stage_history["opportunity_id"].astype(str)
    keep = sh_ids.isin(wanted) & (stage_history["entered_date"] <= pd.Timestamp(as_of))
    if not keep.any():
        return changed, source
    last = stage_history.loc[keep, "entered_date"].groupby(sh_ids[keep]).max()
    from_history = pd.Series(last.reindex(opps["opportunity_id"].astype(str)).to_numpy(), index=opps.index
                             ).where(changed.isna())
    source = source.where(from_history.isna(), FROM_HISTORY)
    return changed.fillna(from_history), source


def linking_reps(activities: pd.DataFrame | None, as_of: pd.Timestamp) -> set:
    """The reps with at least one activity linked to a deal on or before `as_of`."""
    if activities is None or not len(activities) or "opportunity_id" not in activities:
        return set()
    linked = activities["opportunity_id"].notna() & (activities["date"] <= as_of)
    return set(activities.loc[linked, "rep_id"].unique())  # unique first: millions of rows, a few hundred reps


def judgeable(opportunities: pd.DataFrame, linking: set, stage_history: pd.DataFrame | None) -> bool:
    """Whether the data can tell a stale deal at all: some rep links activities to deals (`linking`,
    `linking_reps`), or deals have stage change dates (their own, or a stage history)."""
    return bool(linking or ("stage_changed_date" in opportunities and opportunities["stage_changed_date"].notna().any())
                or (stage_history is not None and len(stage_history)))


def judge(deals: pd.DataFrame, activities: pd.DataFrame | None, stage_history: pd.DataFrame | None,
          as_of, linking: set | None = None) -> pd.DataFrame:
    """Per open deal (the index of `deals`): ``stale`` (bool), ``how`` it was judged (``BY_ACTIVITY``,
    ``BY_STAGE`` or None: not judged), ``stage_changed`` and ``stage_changed_from``. `linking`: the reps who link
    activities to deals, when the caller has them (`linking_reps`)."""
    as_of = pd.Timestamp(as_of)
    out = pd.DataFrame(index=deals.index)
    out["stage_changed"], out["stage_changed_from"] = last_stage_change(deals, stage_history, as_of)
    by_activity = deals["rep_id"].isin(linking if linking is not None else linking_reps(activities, as_of))
    by_stage = ~by_activity & out["stage_changed"].notna()
    out["how"] = pd.Series(np.select([by_activity, by_stage], [BY_ACTIVITY, BY_STAGE], ""), index=deals.index
                           ).replace("", None)
    stale = pd.Series(False, index=deals.index)
    if by_activity.any():
        window = pd.Timedelta(days=STALE_DAYS)
        recent = (activities["date"] <= as_of) & (activities["date"] > as_of - window)
        touched = activities.loc[recent, "opportunity_id"].dropna().unique()
        quiet = pd.Series(codes_in(deals["opportunity_id"], touched) < 0, index=deals.index)  # Arrow's hash lookup
        old_enough = deals["created_date"] <= as_of - window  # a younger deal cannot have gone quiet that long
        stale[by_activity] = (quiet & old_enough)[by_activity]
    if by_stage.any():
        stale[by_stage] = (out["stage_changed"] < as_of - pd.Timedelta(days=STUCK_DAYS))[by_stage]
    out["stale"] = stale.astype(bool)
    return out
