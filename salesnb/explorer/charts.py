"""The explorer's charts, drawn offline as SVG (vl-convert) into folds: the month trend against the path to
target, and each activity against results (the audit's evidence). Each takes a moment, so each is drawn when
its fold is opened."""
from __future__ import annotations

import pandas as pd

from ..diagnostics.diagnosis import active_weeks
from ..present import capital
from . import html as H
from ..terms import REP_COLOR, TOP_COLOR
from .model import View, members
from .state import ALL_ROLES


def month_trend(view: View) -> str:
    """Cumulative won by month against the straight path to the target (a chart drawn offline, as SVG)."""
    from .. import charts  # altair: imported when a chart is first drawn, not when the explorer opens

    tr = view.team.monthly
    ids = set(members(view.team.table.reps, view.scope, view.state.role))
    tr = tr[tr["rep_id"].isin(ids)] if tr is not None else tr
    if tr is None or tr.empty:
        return H.block(H.note("No closed deals in this period yet: no trend."))
    won = tr.groupby("period_start")["won_revenue"].sum().sort_index().cumsum()
    months = [p.strftime("%b %Y") for p in won.index]
    rows = [{"period": m, "series": "Won so far", "value": float(x)} for m, x in zip(months, won)]
    target, per = view.totals.get("target"), view.team.period
    if target is not None and target == target and view.state.role == ALL_ROLES:
        ends = [min(p + pd.offsets.MonthEnd(0), per.end) for p in won.index]
        rows += [{"period": m, "series": "Path to target", "value": target * per.elapsed_days(e) / per.days}
                 for m, e in zip(months, ends)]
    chart = charts.trend(rows, title=f"{capital(view.where)}: won so far by month",
                         y_title=f"Won ({view.currency})", order=months, y_format=",.0f",
                         colors={"Won so far": TOP_COLOR, "Path to target": REP_COLOR})  # as in the progress bars
    return H.block(f'<div class="snx-chart">{charts.svg(chart)}</div>')


def audit_chart(view: View) -> str:
    """Each activity per active week against the outcome, one panel per activity titled with its verdict."""
    from .. import charts

    f, d = view.findings, view.team.diagnosis
    if f.vanity.empty or "vanity" in f.unavailable:
        return H.block(H.note(f.unavailable.get("vanity", "No activity metrics to audit.")))
    v = view.team.table.values.reindex(view.ids)
    reps = view.team.table.reps.reindex(v.index)
    w = getattr(d, "activity_window", None)  # the rates are per week of the days the activities cover
    weeks = active_weeks(reps, w.start, w.end) if w is not None else active_weeks(reps, d.period_start,
                                                                                  min(d.period_end, d.as_of))
    frames = [pd.DataFrame({"panel": f"{r['label']}: {r['verdict']}", "value": v[r["metric"]] / weeks,
                            "outcome": v[f.outcome], "role": reps["role"].fillna("")})
              for _, r in f.vanity.iterrows() if r["metric"] in v and bool(r.get("covered", True))]
    if not frames:  # every activity is logged by too few reps: nothing measured to draw
        return H.block(H.note("No activity is logged by enough reps to draw against the outcome."))
    title = "Quota attainment" if f.outcome == "attainment" else "Won revenue"
    chart = charts.outputs_vs_outcomes(pd.concat(frames).dropna(), outcome_title=title)
    return H.block(f'<div class="snx-chart">{charts.svg(chart)}</div>')
