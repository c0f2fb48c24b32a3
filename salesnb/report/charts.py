"""The charts of one rep's report, from the facts of its `RepView`.

`specs` builds the Vega-Lite specs (altair); `draw` renders them to SVG offline (vl-convert). A batch run
draws them in the rep's own report task, so a run for a few reps never pays for the whole team's charts.
"""
from __future__ import annotations

from .. import charts as C
from ..terms import activity_label, described
from ..words.rep import metric_label


def specs(view) -> dict[str, dict]:
    """Chart key -> Vega-Lite spec, for the sections that have data to draw."""
    out = {}
    f = view.funnel
    if f is not None:
        steps = [{"step": s.step, "label": described(s.step, s.to).label, "rep": s.rate, "q1": s.team.q1,
                  "median": s.team.median, "q3": s.team.q3}
                 for s in f.steps if s.rate is not None and s.team is not None]
        if steps:
            out["funnel"] = C.spec(C.rep_funnel_vs_team(steps))
    m = view.activity_mix
    if m is not None and m.rows:
        # a figure the report does not have (a role too small to show its median) is no bar at 0
        long = [{"category": activity_label(r.activity), "group": g, "value": v}
                for r in m.rows for g, v in (("You", r.you), ("Top quartile", r.top), ("Team median", r.team))
                if v is not None]
        out["activity_mix"] = C.spec(C.grouped_bars(long, "Activity mix: you vs top performers",
                                                    "Share of activities"))
    t = view.trend
    if t is not None and t.months:
        rows = [{"period": p.start[:7], "series": s, "value": v}
                for p in t.months for s, v in (("You", p.you), ("Team median", p.team)) if v is not None]
        out["trend"] = C.spec(C.trend(rows, title="Won per month: you vs the team median",
                                      y_title=f"Won ({view.currency})"))
    if t is not None and t.weeks and any(p.you is not None for p in t.weeks):
        rows = [{"period": p.start, "series": s, "value": v}
                for p in t.weeks for s, v in (("You", p.you), ("Team median", p.team)) if v is not None]
        out["activity_weeks"] = C.spec(C.trend(rows, title="Activities per week: you vs the team median",
                                               y_title="Activities"))
    if view.breakdown:
        out["breakdown"] = C.spec(C.rep_score_breakdown(
            [{"metric": metric_label(p.metric), "points": p.points, "weight": p.weight} for p in view.breakdown]))
    return out


def draw(view) -> dict[str, str]:
    """Chart key -> SVG text, drawn offline."""
    return {key: C.svg(spec) for key, spec in specs(view).items()}
