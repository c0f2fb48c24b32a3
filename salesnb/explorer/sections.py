"""The explorer's first sections, drawn from one `View`: title, summary, team progress, the leaderboard (with
each score's breakdown), attainment, at risk and pipeline hygiene. Each returns an HTML string.

What needs attention leads; the rest sits in a fold. A section whose data is missing says so and how to add it.
"""
from __future__ import annotations

import pandas as pd

from ..metrics import CATALOGUE
from ..present import capital, data, esc, missing, money, pct, plural, points
from ..scorecard import rank_stability
from ..terms import HYGIENE_HELP, HYGIENE_LABELS, NORMALISATION_NAMES, PALETTE, REP_COLOR, RISK_COLOR, TEAM_COLOR, TOP_COLOR
from ..words import manager as words
from . import html as H
from .model import View

LEADERBOARD_ROWS = 15  # rows shown before "Show all"
TABLE_ROWS = 15  # rows of a table that leads with what needs attention; the rest sits in a fold
CHART_ROWS = 40  # bars in a rep-by-rep chart of a big team (the ones that need attention first)
DEALS_LISTED = 100  # flagged deals listed on screen (the export has them all)
SUMMARY_ITEMS = 5  # at-risk reps and deals listed in the summary before a fold
PX_PER_POINT = 0.9  # breakdown bar width: a 100-point score is 90 px (the board sits beside the sliders)
BAR_WIDTH = 260


def label(metric: str) -> str:
    return CATALOGUE[metric].label if metric in CATALOGUE else metric


def metric_colours(metrics: list[str]) -> dict[str, str]:
    """A CSS background per metric, in slider order, the same in the panel and the breakdown: the palette's
    colours, then (past its length) the same colours striped, so no two metrics look alike."""
    out = {}
    for i, m in enumerate(metrics):
        c = PALETTE[i % len(PALETTE)]
        out[m] = c if i < len(PALETTE) else f"repeating-linear-gradient(45deg,{c} 0 3px,#ffffff 3px 5px)"
    return out


def _missing_note(view: View, key: str, table: str | None = None) -> str:
    reason = view.team.diagnosis.unavailable.get(key) or (view.team.missing.get(table) if table else None)
    return H.note(capital(reason)) if reason else ""  # a note is a sentence of its own


# ------------------------------------------------------------------ title and summary


def title(view: View) -> str:
    t = view.team
    who = "" if not view.filtered else f" · {view.where}"
    return H.block(f"<h2>{data(t.dataset_name)}{esc(who)}: {esc(t.period.label)}, as of {t.as_of.date()}</h2>")


def summary(view: View) -> str:
    """Who is at risk and why, the gap to target, where the funnel leaks, the deals to fix first: a line each.
    Without quotas the leaks lead: the summary says what to coach either way."""
    over = view.team.period.over(view.team.as_of)  # a finished period: its end result, nothing projected
    gap = words.gap_to_target(view.totals, view.where, view.currency, over, words.to_date_span(view.team.period))
    parts = [f'<p class="lead" dir="auto">{esc(gap)}</p>']
    parts.append(_risk_lines(view))
    parts.append(_leak_lines(view))
    parts.append(_deals_to_fix(view))
    return H.block("".join(parts), "snx-summary")


def tenure_months(view: View) -> pd.Series:
    """Months each rep of the view has been on the team at the report date (NaN without a hire date)."""
    reps = view.team.table.reps.reindex(view.reps.index)
    if "hire_date" not in reps:
        return pd.Series(float("nan"), index=view.reps.index)
    return (view.team.as_of - pd.to_datetime(reps["hire_date"])).dt.days / 30.44


def _leak_lines(view: View) -> str:
    """The reps whose funnel leaks most (most wins lost against the role's rate), in words."""
    r = view.reps
    if "bottleneck_lost_wins" not in r:
        return ""
    leaks = r[r["bottleneck_lost_wins"].notna()].sort_values("bottleneck_lost_wins", ascending=False)
    lines = [f"{data(x['name'])}: {esc(line)}" for x in leaks.to_dict("records") if (line := words.leak_line(x))]
    if not lines:
        return ""
    rest = lines[SUMMARY_ITEMS:]
    folded = H.fold(f"{len(rest)} more reps with a leak", H.bullets(rest)) if rest else ""
    return H.heading("Where the funnel leaks most") + H.bullets(lines[:SUMMARY_ITEMS]) + folded


def _risk_lines(view: View) -> str:
    if (n := _missing_note(view, "early_warning")):
        return "<h3>At risk</h3>" + n
    r = view.reps
    if view.team.as_of >= view.team.period.end:  # nothing left to act on: say how it ended, in figures
        short = r[r["verdict"] == "missed"].sort_values("projected_attainment", na_position="last") \
            if "verdict" in r else r.iloc[0:0]
        if short.empty:
            made = r["verdict"].notna().any() if "verdict" in r else False
            return H.heading("How the period ended") + H.para(words.all_made(view.where) if made
                                                                else words.none_judged(view.where, finished=True))
        lines = [f"{data(x['name'])}: {esc(words.verdict_line(x, view.currency))}" for x in short.to_dict("records")]
        with_verdict = int(r["verdict"].notna().sum())
        head = H.heading(f"Finished short of quota: {len(lines)} of {with_verdict} reps"
                         f"{' with a quota' if with_verdict < len(r) else ''}")
    else:
        judged = r[r["at_risk"].notna()]  # reps with a quota and a projection: the others are neither way
        if judged.empty:
            return H.heading("At risk") + H.para(words.none_judged(view.where))
        risky = judged[judged["at_risk"].astype(bool)].sort_values("p_miss", ascending=False, na_position="last")
        if risky.empty:
            return H.heading("At risk") + H.para(words.no_flags(view.where, _flag_at(view)))
        tenure = tenure_months(view)
        lines = []
        for rep_id, x in zip(risky.index, risky.to_dict("records")):
            months = tenure.get(rep_id)
            why = words.risk_why(x, None if pd.isna(months) else float(months))
            figures = words.risk_reason(x, view.currency)
            lines.append(f'{data(x["name"])}: <span class="why">{esc(why)}</span>'
                         + (H.fold("The figures", H.para(figures), "snx-figures") if figures else ""))
        head = H.heading(f"At risk: {len(lines)} of {len(judged)} reps{' with a quota' if len(judged) < len(r) else ''}")
        why = words.carried(r.to_dict("records"), view.currency)
        if why:
            head += H.para(esc(why))
    rest = lines[SUMMARY_ITEMS:]
    folded = H.fold(f"{len(rest)} more", H.bullets(rest)) if rest else ""
    return head + H.bullets(lines[:SUMMARY_ITEMS]) + folded


def _flag_at(view: View):
    return (view.team.diagnosis.warning_basis or {}).get("flag_at")


def flagged_deals(view: View) -> pd.DataFrame:
    """The scope's open deals with a hygiene flag, most flags and largest amount first."""
    deals = view.team.diagnosis.hygiene_deals
    deals = deals[deals["rep_id"].astype(str).isin(view.ids)]
    flags = deals[["no_next_step", "stale", "past_close_date"]].astype(bool).sum(axis=1)
    return (deals.assign(n_flags=flags).sort_values(["n_flags", "amount", "opportunity_id"],
                                                     ascending=[False, False, True]).reset_index(drop=True))


def _deals_to_fix(view: View) -> str:
    deals = flagged_deals(view)
    if deals.empty:
        gone = view.team.diagnosis.unavailable
        n_open = int(view.team.diagnosis.hygiene.set_index("rep_id").reindex(view.ids)["open_deals"].fillna(0).sum())
        return f"<h3>Deals to fix first</h3>{H.para(esc(words.hygiene_none_flagged(n_open, gone)))}"
    names = view.names
    lines = [esc(words.deal_to_fix(d, names.get(d["rep_id"], d["rep_id"]), view.currency))
             for d in deals.head(SUMMARY_ITEMS).to_dict("records")]
    more = (f" ({len(deals) - SUMMARY_ITEMS} more flagged deals under Pipeline hygiene.)"
            if len(deals) > SUMMARY_ITEMS else "")
    return (f"<h3>Deals to fix first</h3>{H.bullets(lines)}"
            + H.note(f"Most flags and largest amounts first.{more}"))


# ------------------------------------------------------------------ team progress


def progress(view: View) -> str:
    """Won so far and the projection against the target, with where the straight path to it is today."""
    t, cur = view.totals, view.currency
    # what the target covers (the reps with a quota, when some have none): the gap to target says the same
    without = t.get("reps_without_quota") or 0
    target = t.get("target")
    won = (t.get("quota_won") if without else t.get("won")) or 0.0
    proj = t.get("quota_projection") if without else t.get("projection")
    if missing(target) or not target:
        return H.block(H.note(view.team.missing.get("quotas") or f"No target for {view.where} in this period."))
    per, as_of = view.team.period, view.team.as_of
    path = target * per.elapsed_days(as_of) / per.days if per.days else float("nan")
    scale = max(target, won, proj if not missing(proj) else 0.0)
    marks = [(target, "#1a202c", f"target {money(target, cur)}"), (path, REP_COLOR, f"on the path today {money(path, cur)}")]
    rows = [[f"{label('won_revenue')} so far", H.progress(won, BAR_WIDTH, scale, TOP_COLOR, marks), money(won, cur), pct(won / target)]]
    if not missing(proj):
        colour = TEAM_COLOR if proj >= target else RISK_COLOR
        rows.append(["Projection at period end", H.progress(proj, BAR_WIDTH, scale, colour, marks), money(proj, cur),
                     pct(proj / target)])
    rows.append(["Target", "", money(target, cur), "100%"])
    text = (f"Black line: the target. Orange line: where a straight path to the target is today "
            f"({per.elapsed_days(as_of)} of {per.days} days: {money(path, cur)}). The projection adds the open "
            "deals weighted by each rep's win rate."
            + (f" Only the reps with a quota are counted: {without} without one won "
               f"{money(t.get('won_without_quota'), cur)}." if without else ""))
    return H.block(H.heading(f"Progress to target: {view.where}") + H.table(["", "", "Amount", "Of target"], rows,
                                                                          numeric=(2, 3)) + H.note(text))


# ------------------------------------------------------------------ the leaderboard


def leaderboard(view: View, show_all: bool = False) -> str:
    """The one leaderboard: rank (with the move against the preset), score with its points per metric,
    attainment, won and the metrics that gave most points."""
    b = view.board
    if b.empty:
        return H.block(H.note(f"No current rep in {view.where} for this period."))
    colours = metric_colours([m for m, _v in view.state.weights])
    shown = b if show_all else b.head(LEADERBOARD_ROWS)
    several_roles = b["role"].nunique() > 1
    headers = ["Rank", "Rep", *(["Role"] if several_roles else []), "Points", "Score", label("attainment"),
               label("won_revenue") + (f" ({view.currency})" if view.currency else "")]
    points_of = view.card.breakdown.reindex(shown["rep_id"]).fillna(0.0).to_dict("index")
    rows = [_board_row(r, points_of[r["rep_id"]], view, colours, several_roles) for r in shown.to_dict("records")]
    n_num = 2 + several_roles
    attrs = [f'class="salesnb-lb-row" data-rep="{esc(r)}"' for r in shown["rep_id"]]  # read by tests and the page
    parts = [H.table(headers, rows, numeric=(n_num + 1, n_num + 2, n_num + 3), css="salesnb-leaderboard",
                     row_attrs=attrs)]
    if len(b) > len(shown):
        parts.append(H.note(f"Showing the first {len(shown)} of {len(b)} reps: Show all lists everyone."))
    parts.append(_board_caption(view, colours))
    return H.block("".join(parts))


def leaderboard_table(view: View) -> dict:
    """The rank table's content (`grid.RankTable.show`): every rep of the board in rank order, each cell as
    (shown, sort value), the points per weighted metric, the tags its filter offers, the text its search reads."""
    b = view.board
    colours = metric_colours([m for m, _v in view.state.weights])
    active = [m for m in colours if view.state.weight.get(m, 0) > 0]
    several_roles = b["role"].nunique() > 1 if len(b) else False
    won = label("won_revenue") + (f" ({view.currency})" if view.currency else "")
    columns = [{"key": "rank", "label": "Rank", "kind": "rank", "num": False, "sortable": True},
               {"key": "name", "label": "Rep", "kind": "name", "sortable": True},
               *([{"key": "role", "label": "Role", "kind": "text", "sortable": True}] if several_roles else []),
               {"key": "points", "label": "Points", "kind": "points", "sortable": False},
               {"key": "score", "label": "Score", "kind": "num", "num": True, "sortable": True, "desc_first": True},
               {"key": "attainment", "label": label("attainment"), "kind": "num", "num": True, "sortable": True,
                "desc_first": True},
               {"key": "won", "label": won, "kind": "num", "num": True, "sortable": True, "desc_first": True}]
    points_of = view.card.breakdown.reindex(b["rep_id"]).fillna(0.0)
    risky = set(view.reps.index[view.reps["at_risk"].eq(True)]) if "at_risk" in view.reps else set()
    flagged = set(view.reps.index[view.reps["hygiene_flags"].fillna(0) > 0]) if "hygiene_flags" in view.reps else set()
    rows = []
    for r in b.to_dict("records"):
        rid = str(r["rep_id"])
        team = r["team"] if isinstance(r["team"], str) else ""
        tags = [t for t, on in (("risk", rid in risky), ("below", _num(r["attainment"]) is not None
                                                           and r["attainment"] < 1.0), ("flags", rid in flagged)) if on]
        pts = points_of.loc[rid] if rid in points_of.index else None
        rows.append({
            "id": rid, "move": 0 if pd.isna(r["rank_change"]) else int(r["rank_change"]),
            "cells": {"rank": ["—" if pd.isna(r["rank"]) else str(int(r["rank"])), _num(r["rank"])],
                      "name": [str(r["name"]), str(r["name"]).casefold()], "role": [str(r["role"]), str(r["role"])],
                      "score": [points(r["score"]), _num(r["score"])],
                      "attainment": [pct(r["attainment"]), _num(r["attainment"])],
                      "won": [money(r["won_revenue"]), _num(r["won_revenue"])]},
            "points": [round(float(pts.get(m, 0.0)), 2) if pts is not None else 0.0 for m in active],
            "top": ("Most points from " + ", ".join(label(m) for m in r["top_metrics"])) if r["top_metrics"] else "",
            "tags": tags, "text": " ".join([str(r["name"]), team, str(r["role"] or ""), rid])})
    filters = [["risk", "At risk"], ["below", "Below quota so far"], ["flags", "With flagged deals"]]
    return {"columns": columns, "rows": rows, "filters": filters,
            "legend": [{"key": m, "label": label(m), "colour": colours[m]} for m in active],
            "limit": 0 if view.state.show_all else LEADERBOARD_ROWS,
            "moves_against": f"against the {view.state.base} weights"}


def _num(v):
    return None if v is None or pd.isna(v) else float(v)


def board_notes(view: View) -> str:
    """What the rank table's colours, arrows and scores mean."""
    if view.board.empty:
        return H.block(H.note(f"No current rep in {view.where} for this period."))
    return H.block(H.note("Click a rep's name (or press Enter on it) to open their one-on-one view; click a "
                          "column's title to sort by it.") + _board_caption(view, metric_colours(
                              [m for m, _v in view.state.weights])))


def _board_row(r: dict, pts: dict, view: View, colours: dict, several_roles: bool) -> list[str]:
    rank = "—" if pd.isna(r["rank"]) else str(int(r["rank"]))
    rank = f'<span class="nowrap">{rank} {H.arrow(r["rank_change"]) if not pd.isna(r["rank_change"]) else ""}</span>'
    team = f" ({r['team']})" if view.scope.team is None and isinstance(r["team"], str) else ""
    segments = [(m, pts[m], colours[m], f"{label(m)}: {points(pts[m])} points") for m in colours if pts.get(m, 0.0) > 0]
    bar = H.stacked(segments, PX_PER_POINT) if not pd.isna(r["score"]) else '<span class="muted">no score</span>'
    most = "Most points from " + ", ".join(label(m) for m in r["top_metrics"]) if r["top_metrics"] else ""
    extra = [data(r["role"])] if several_roles else []
    return [rank, f'<span class="nowrap" title="{esc(r["name"] + team)}">{data(r["name"])}</span>', *extra,
            f'<span class="nowrap" title="{esc(most)}">{bar}</span>', points(r["score"]), pct(r["attainment"]),
            money(r["won_revenue"])]


def _board_caption(view: View, colours: dict) -> str:
    active = [m for m in colours if view.state.weight.get(m, 0) > 0]
    legend = "".join(f'<span class="nowrap" style="margin-right:10px"><span class="swatch" style="background:{colours[m]}">'
                     f"</span>{esc(label(m))}</span> " for m in active)
    preset = view.state.base
    lines = [f"Ranked on the score within each role across all teams, as in the reports; ▲▼ places moved against "
             f"the {preset} weights. Scoring: {NORMALISATION_NAMES[view.weights.normalisation].lower()}."]
    if view.weights.normalisation == "target":
        lines.append("Scores can pass 100 here: a metric above its target gives up to 1.5 times its points.")
    from ..leaderboard import withheld_notes

    lines += withheld_notes(view.team.table.reps.loc[view.team.current_ids], view.weights.group_by)
    return f'<div style="margin:4px 0">{legend}</div>' + "".join(H.note(x) for x in lines)


def stability(view: View) -> str:
    """How often each rep's rank moves when every weight changes by up to ±20% (seeded)."""
    st = rank_stability(view.model.scorer(view.state.period, view.weights.group_by), view.weights).reindex(view.ids)
    moving = st[st["changed_share"] > 0].sort_values("changed_share", ascending=False)
    names = view.names
    lead = (f"The ranks of {len(st) - len(moving)} of {len(st)} reps never move when each weight changes by up "
            "to ±20% (200 seeded trials).")
    if moving.empty:
        return H.block(H.para(lead))
    rows = [[data(names.get(r, r)), str(int(x["rank"])), f"{x['changed_share'] * 100:.0f}%",
             f"{int(x['min_rank'])}–{int(x['max_rank'])}"] for r, x in moving.iterrows()]
    return H.block(H.para(lead + " These move:") + H.table(["Rep", "Rank", "Trials where it moves", "Ranks seen"],
                                                           rows, numeric=(1, 2, 3)))


# ------------------------------------------------------------------ attainment and risk figures


def attainment(view: View) -> str:
    """Each rep's attainment so far against 100%, lowest first (the reps at risk in red)."""
    v = view.team.table.values
    if "attainment" not in v or v["attainment"].reindex(view.ids).notna().sum() == 0:
        return H.block(H.note(view.team.missing.get("quotas") or "No quota covers this period: no attainment."))
    r = view.reps.assign(attainment=v["attainment"].reindex(view.reps.index)).dropna(subset=["attainment"])
    r = r.sort_values(["attainment", "name"])
    scale = max(1.25, float(r["attainment"].max()))
    rows, lowest = [], r.head(CHART_ROWS)
    for x in lowest.to_dict("records"):
        risky = bool(x["at_risk"]) if not pd.isna(x["at_risk"]) else False
        bar = H.progress(x["attainment"], BAR_WIDTH, scale, RISK_COLOR if risky else TOP_COLOR,
                         [(1.0, "#1a202c", "100% of quota")])
        rows.append([data(x["name"]), bar, pct(x["attainment"]), "at risk" if risky else ""])
    more = (f" The {CHART_ROWS} lowest of {len(r)}: choose a team to see all of its reps." if len(r) > CHART_ROWS
            else "")
    return H.block(H.table(["Rep", f"{label('attainment')} so far (black line: 100%)", "", ""], rows, numeric=(2,))
                   + H.note(words.flag_legend(_flag_at(view)) + more))


def at_risk(view: View) -> str:
    """The figures behind the at-risk list: the likely range, the chance of reaching quota, why."""
    if (n := _missing_note(view, "early_warning")):
        return H.block(n)
    r = view.reps[view.reps["at_risk"].fillna(False).astype(bool)].sort_values("p_miss", ascending=False)
    if r.empty:
        return H.block(H.para("No rep is flagged at risk."))
    cur = view.currency
    rows = [[data(x["name"]), pct(x["attainment"]), money(x["quota"], cur), esc(words.risk_short(x)),
             esc(words.chance(x["chance"])), esc("; ".join(words.reasons(x, cur)) or "—")]
            for x in r.to_dict("records")]
    return H.block(H.table(["Rep", label("attainment"), "Quota", "Likely at the end", "Chance of reaching quota",
                            "Why"], rows, numeric=(1, 2)))


# ------------------------------------------------------------------ pipeline hygiene


def hygiene(view: View) -> str:
    """Reps with flagged open deals first (most flags first), the rest and the clean ones folded, then the deals."""
    gone = view.team.diagnosis.unavailable
    checked = list(words.hygiene_checked(gone))  # a flag the data cannot check gets no column of zeros
    if not checked:  # nothing the data holds can tell a flagged deal from a fine one
        return H.block(H.heading("Pipeline hygiene") + H.note(words.hygiene_unchecked(gone)))
    h = view.team.diagnosis.hygiene.set_index("rep_id").reindex(view.ids).fillna(0)
    h = h.assign(name=view.names.reindex(h.index), flags=h[checked].sum(axis=1))
    h = h.sort_values(["flags", "name"], ascending=[False, True])
    need, clean = h[h["flags"] > 0], h[h["flags"] == 0]
    rows = [[H.name(x["name"]), str(int(x["open_deals"])), *(str(int(x[f])) for f in checked)]
            for _, x in need.iterrows()]
    headers = ["Rep", "Open deals", *(HYGIENE_LABELS[f] for f in checked)]
    numeric = range(1, len(headers))
    parts = [H.heading("Pipeline hygiene")]
    if rows:
        parts.append(H.table(headers, rows[:TABLE_ROWS], numeric=numeric))
        if len(rows) > TABLE_ROWS:
            parts.append(H.fold(f"{len(rows) - TABLE_ROWS} more reps with flagged deals",
                                H.table(headers, rows[TABLE_ROWS:], numeric=numeric)))
    else:
        parts.append(H.para(f"No open deal of {view.where} is flagged."))
    if words.hygiene_unchecked(gone):
        parts.append(H.note(words.hygiene_unchecked(gone)))
    if len(clean):
        checked = "every open deal up to date" if len(words.hygiene_checked(gone)) == 3 else "no flagged open deal"
        parts.append(H.fold(f"{plural(len(clean), 'rep')} with {checked}",
                            "<p>" + ", ".join(data(n) for n in clean["name"]) + "</p>"))
    deals = flagged_deals(view)
    if len(deals):
        names = view.names
        lines = [esc(words.deal_to_fix(d, names.get(d["rep_id"], d["rep_id"]), view.currency))
                 for d in deals.head(DEALS_LISTED).to_dict("records")]
        more = (H.note(f"The first {DEALS_LISTED} of {len(deals):,}: Export tables saves them all.")
                if len(deals) > DEALS_LISTED else "")
        parts.append(H.fold(f"The {len(deals):,} flagged deals, most flags and largest first", H.bullets(lines) + more))
    parts.append(H.note("What the flags mean: " + "; ".join(HYGIENE_HELP.values()) + "."))
    return H.block("".join(parts))
