"""The explorer's view over time: what moved since the previous comparable period, rep by rep, and how far to
trust the early warning (its track record on the team's earlier periods). Both come from the period's diagnosis
(`diagnostics.change`, `diagnostics.foresight`); nothing here recomputes them.
"""
from __future__ import annotations

import pandas as pd

from ..diagnostics.change import MIN_REACHED, MIN_RELATIVE_CHANGE, MIX_MOVE
from ..present import esc, missing, pct
from ..terms import RISK_COLOR, TEAM_COLOR, described
from ..words import manager as words
from . import html as H
from .model import View

ROWS = 15  # reps shown before the fold: the biggest falls first
BAR_WIDTH = 200
THEN_COLOR = "#1a202c"


def backtest(view: View) -> str:
    """How the early warning did on earlier periods, checked at each month end, in plain words."""
    d = view.team.diagnosis
    if (reason := d.unavailable.get("early_warning")):
        return H.block(H.heading("How far to trust the early warning") + H.note(reason))
    told = H.para(words.track_record(d.track_record))
    if d.track_record is None or d.track_record.too_little:
        return H.block(H.heading("How far to trust the early warning") + told)
    return H.block(H.heading("How far to trust the early warning") + told
                   + H.note("At each month end of the earlier periods the early warning was run on the data known "
                            "that day, and compared with how each rep ended that period; this period is never "
                            "part of it. Teams and roles are not told apart here: it is the whole team's record."))


def _rank(then, now, n_then, n_now) -> str:
    if missing(then) or missing(now):
        return '<span class="muted">—</span>'
    return f"{int(then)} of {int(n_then)} → {int(now)} of {int(n_now)} {H.arrow(int(then) - int(now), 'since then')}"


def _steps(moved: list[dict], judged: bool = True) -> str:
    """The funnel steps that really moved (records of `Change.steps`), with the counts behind each rate; `judged`:
    the rep had a step with enough deals in both periods to tell (else nothing can be said either way)."""
    if not judged:
        return '<span class="muted">too few deals to tell</span>'
    out = []
    for s in moved:
        word = "up" if s["moved"] == "up" else "down"
        out.append(f'<span class="{word}">{esc(described(s["step"], s["to"]).label)} {word}</span> '
                   f'{pct(s["then_rate"])} ({s["then_advanced"]}/{s["then_reached"]}) → {pct(s["now_rate"])} '
                   f'({s["now_advanced"]}/{s["now_reached"]})')
    return "<br>".join(out) or '<span class="muted">none clearly</span>'


def _dumbbell(then, now, scale: float) -> str:
    """Attainment now as a bar, then as a black tick, 100% as a grey tick."""
    if missing(now):
        return ""
    marks = [(1.0, "#a0aec0", "100% of quota")]
    if not missing(then):
        marks.append((float(then), THEN_COLOR, f"then: {pct(then)}"))
    colour = TEAM_COLOR if missing(then) or now >= then else RISK_COLOR
    return H.progress(float(now), BAR_WIDTH, scale, colour, marks)


def since(view: View) -> str:
    """Rep by rep: attainment then and now (a chart), rank in role, the funnel steps that moved, the mix."""
    d = view.team.diagnosis
    ch = d.change
    if ch is None or ch.unavailable:
        reason = (ch.unavailable if ch is not None else None) or d.unavailable.get("change") or "no earlier period"
        return H.block(H.heading("Since the previous period") + H.note(f"Nothing to compare: {reason}."))
    days_after = (ch.now_as_of - ch.now.end).days
    seen = (f"Each period seen {days_after} days after it ended, so deals had the same time to close."
            if days_after > 0 else f"Each period as far into it: up to {ch.now_as_of.date()} and "
            f"{ch.then_as_of.date()}.")
    head = H.heading(f"Since the previous period: {ch.now.label} against {ch.then.label}")
    reps = ch.reps.set_index("rep_id").reindex(view.ids)
    reps = reps.assign(name=view.names.reindex(reps.index),
                       gain=reps["now_attainment"] - reps["then_attainment"])
    steps = ch.steps[ch.steps["rep_id"].astype(str).isin(view.ids)]
    moved = steps[steps["moved"].isin(["up", "down"])]
    tested = set(steps.loc[steps["moved"] != "too_few", "rep_id"].astype(str))  # reps with a step to judge
    by_rep: dict[str, list[dict]] = {}
    for s in moved.to_dict("records"):
        by_rep.setdefault(str(s["rep_id"]), []).append(s)
    # what needs attention first: steps that fell, then the biggest falls in attainment
    fell = pd.Series({r: sum(s["moved"] == "down" for s in g) for r, g in by_rep.items()}, dtype=float)
    reps = reps.assign(fell=fell.reindex(reps.index).fillna(0)).sort_values(
        ["fell", "gain", "name"], ascending=[False, True, True], na_position="last")
    has_quota = reps["now_attainment"].notna().any()
    scale = max(1.25, float(pd.concat([reps["then_attainment"], reps["now_attainment"]]).max())) if has_quota else 1.0
    rows = []
    for rep_id, x in zip(reps.index, reps.to_dict("records")):
        mix = {"toward": '<span class="up">closer</span>', "away": '<span class="down">further</span>',
               "same": "about the same"}.get(x["mix_move"], '<span class="muted">—</span>')
        row = [H.name(x["name"])]
        if has_quota:
            row += [_dumbbell(x["then_attainment"], x["now_attainment"], scale),
                    f"{pct(x['then_attainment'])} → {pct(x['now_attainment'])}"]
        row += [_rank(x["then_rank"], x["now_rank"], x["then_n_in_role"], x["now_n_in_role"]),
                _steps(by_rep.get(str(rep_id), []), str(rep_id) in tested), mix]
        rows.append(row)
    headers = ["Rep"] + (["Attainment (bar: now; black tick: then)", "Then → now"] if has_quota else []) + \
              ["Rank in role", "Funnel steps that moved", "Mix vs top performers"]
    numeric = (2,) if has_quota else ()
    ups, downs = int((moved["moved"] == "up").sum()), int((moved["moved"] == "down").sum())
    judged = int((steps["moved"] != "too_few").sum())
    if judged:
        lead = (f"{seen} Of {judged} rep-step{'s' if judged != 1 else ''} with enough deals in both to judge, {ups} "
                f"rose and {downs} fell clearly; the rest could be chance.")
    else:  # nothing could be judged: say so, not that nothing moved
        lead = (f"{seen} No rep has {MIN_REACHED} or more deals reaching a step in both periods, so no step can be "
                "told to have moved.")
    lead += f" {ch.note}" if getattr(ch, "note", None) else ""
    table = H.table(headers, rows[:ROWS], numeric=numeric)
    rest = H.fold(f"{len(rows) - ROWS} more reps", H.table(headers, rows[ROWS:], numeric=numeric)) \
        if len(rows) > ROWS else ""
    legend = (f"A step counts as moved only with at least {MIN_REACHED} deals reaching it in both periods, a "
              "difference unlikely to be chance (two-proportion test) and a change of at least "
              f"{round(MIN_RELATIVE_CHANGE * 100)}% of the earlier rate. Ranks are within each role under the team's "
              "default weights. Mix: the share of activity that would have to move to match the top quarter's; "
              f"closer or further means by {round(MIX_MOVE * 100)} points or more. Reps with a step that fell first.")
    colours = (f'<span class="swatch" style="background:{TEAM_COLOR}"></span>up or level '
               f'<span class="swatch" style="background:{RISK_COLOR}"></span>down') if has_quota else ""
    return H.block(head + H.para(lead) + table + rest
                   + (f'<p class="note">{colours}</p>' if colours else "") + H.note(legend))
