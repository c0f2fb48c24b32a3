"""Reps who left but still own deals: their wins count in the team's total, yet no report is theirs.

An export often keeps a leaver as the owner of deals that closed, or are still open, after their last day
(the CRM was not updated when they left). Those deals are nobody's to follow up, so diagnose says so, with
the fix, instead of letting the team's total hold them unexplained.
"""
from __future__ import annotations

import pandas as pd

from ..metrics.staleness import open_at
from ..present import money


def after_leaving(opportunities: pd.DataFrame, reps: pd.DataFrame, start, as_of, currency: str = "") -> str | None:
    """One note on the reps whose ``end_date`` is before ``as_of`` and who still own deals open at ``as_of``
    or won after their last day within [``start``, ``as_of``]; None when there are none.

    ``reps`` is indexed by rep_id with ``name`` and ``end_date``."""
    if "end_date" not in reps or reps["end_date"].isna().all():
        return None
    as_of, start = pd.Timestamp(as_of), pd.Timestamp(start)
    gone = reps["end_date"].dropna()
    gone = gone[gone < as_of]
    o = opportunities[opportunities["rep_id"].isin(gone.index)]
    if o.empty:
        return None
    last_day = o["rep_id"].map(gone)
    still_open = o.index.isin(open_at(o, as_of).index)
    won_after = ((o["status"] == "won") & (o["close_date"] > last_day) & (o["close_date"] >= start)
                 & (o["close_date"] <= as_of))
    parts = []
    for rid, deals in o[still_open | won_after].groupby("rep_id", sort=True):
        n_open, wins = int(still_open[o["rep_id"] == rid].sum()), deals[won_after.loc[deals.index]]
        what = [f"{n_open} open deal{'s' if n_open != 1 else ''}"] if n_open else []
        if len(wins):
            what.append(f"{len(wins)} deal{'s' if len(wins) != 1 else ''} won after that day "
                        f"({money(float(wins['amount'].sum()), currency)}, counted in the team's total)")
        name = reps.at[rid, "name"] if "name" in reps else rid
        parts.append(f"{name} left on {gone[rid].date()} but owns {' and '.join(what)}")
    if not parts:
        return None
    return ("; ".join(parts) + ": no report follows them up. Reassign those deals in the CRM and export again, "
            "or correct end_date in reps.csv.")
