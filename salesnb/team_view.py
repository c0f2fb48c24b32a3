"""The sections of the team explorer notebook: each shows one table, chart or finding of a `TeamAnalysis`.

Tables and sentences are `Block`s (HTML + plain text, deterministic for nbval), worded by
`salesnb.words.manager`; charts are drawn offline by `charts.show`. A section whose data is missing shows
a short note saying what to add instead.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import charts
from .analysis import TeamAnalysis, open_team
from .leaderboard import leaderboard as build_leaderboard
from .metrics import CATALOGUE
from .present import Block, bullets, heading, join, money, note, num, paragraphs, pct, table
from .terms import NO_ROLE
from .words import manager as words

__all__ = ["open_team", "title", "team_progress", "leaderboard", "weight_panel", "at_risk", "bottlenecks"]


def title(team: TeamAnalysis) -> Block:
    return heading(f"{team.dataset_name}: {team.period.label}, as of {team.as_of.date()}", from_data=True)


def _unavailable(team: TeamAnalysis, key: str) -> Block | None:
    reason = team.diagnosis.unavailable.get(key)
    return note(reason) if reason else None


def _label(metric: str) -> str:
    return CATALOGUE[metric].label if metric in CATALOGUE else metric


# ------------------------------------------------------------------ progress and leaderboard

def team_progress(team: TeamAnalysis) -> Block:
    """Team target, won, attainment and projection as a small table."""
    t, cur = team.diagnosis.team, team.currency
    rows = [["Target", money(t.get("target"), cur)], ["Won", money(t.get("won"), cur)],
            ["Attainment", pct(t.get("attainment"))], ["Projection", money(t.get("projection"), cur)],
            ["Projected attainment", pct(t.get("projected_attainment"))]]
    missing = team.missing.get("quotas")
    return join([table(["Team", "Value"], rows), note(missing) if missing else None])


def team_progress_chart(team: TeamAnalysis) -> None:
    t = team.diagnosis.team
    charts.show(charts.team_progress(t.get("won") or 0.0, t.get("target"), t.get("projection"), team.currency))


def leaderboard(team: TeamAnalysis, card=None) -> Block:
    """Reps ranked within role on the score, with attainment, won, assisted deals and the top contributions."""
    board = build_leaderboard(card or team.card, team.table)
    rows = [[r.role, "—" if pd.isna(r.rank) else str(int(r.rank)), r.name, num(r.score, 1), pct(r.attainment),
             money(r.won_revenue), num(r.assisted_deals, 0), ", ".join(_label(m) for m in r.top_metrics)]
            for r in board.itertuples()]
    return table(["Role", "Rank", "Rep", "Score", "Attainment", "Won", "Assisted deals", "Most points from"], rows,
                 data_columns=(0, 2))


def leaderboard_chart(team: TeamAnalysis) -> None:
    from .widgets import breakdown_long

    bd = breakdown_long(team.card).merge(team.card.scores[["rep_id", "name", "score"]], on="rep_id")
    bd["metric"] = bd["metric"].map(_label)
    charts.show(charts.score_breakdown(bd[bd["points"] > 0], title="Score breakdown (points per metric)"))


def weight_panel(team: TeamAnalysis, weights_file: str | Path | None = ""):
    """The interactive weight sliders over this team's metric table (and its other periods)."""
    from .config import DEFAULT_WEIGHTS_FILE
    from .scorecard import as_weights
    from .widgets import WeightPanel

    w = as_weights(weights_file) if weights_file else team.card.weights
    return WeightPanel(team.table, weights=w, weights_file=Path(weights_file) if weights_file else DEFAULT_WEIGHTS_FILE,
                       dataset=team.dataset)


_STABILITY_HEADERS = {"rank": "Rank", "changed_share": "Rank moved in (share of trials)",
                      "min_rank": "Best rank seen", "max_rank": "Worst rank seen"}


def rank_stability(team: TeamAnalysis) -> Block:
    """How often each rep's rank moves when the weights are jittered by ±20% (seeded)."""
    from .scorecard import rank_stability as stability

    st = stability(team.table, team.card.weights).reset_index()
    names = team.table.reps["name"]
    st = st.sort_values(["changed_share", "rep_id"], ascending=[False, True])
    rows = [[names.get(r.rep_id, r.rep_id), str(int(r.rank)), pct(r.changed_share), str(int(r.min_rank)),
             str(int(r.max_rank))] for r in st.itertuples()]
    return table(["Rep", *_STABILITY_HEADERS.values()], rows, data_columns=(0,))


# ------------------------------------------------------------------ attainment

def attainment_chart(team: TeamAnalysis) -> None:
    v, reps = team.table.values, team.diagnosis.reps
    if "attainment" not in v or v["attainment"].notna().sum() == 0:
        _show(note(team.missing.get("quotas") or "No quota covers this period: no attainment."))
        return
    df = reps[["rep_id", "name", "role"]].assign(attainment=reps["rep_id"].map(v["attainment"]))
    df = df.dropna(subset=["attainment"]).assign(role=lambda d: d["role"].fillna(NO_ROLE))
    charts.show(charts.attainment_spread(df))


def trend_chart(team: TeamAnalysis) -> None:
    """Cumulative team won by month against the straight-line path to the target."""
    tr = team.monthly
    if tr is None or tr.empty:
        _show(note("No closed deals in this period yet: no trend."))
        return
    won = tr.groupby("period_start")["won_revenue"].sum().sort_index().cumsum()
    df = pd.DataFrame({"period": won.index, "series": "Won so far", "value": won.values})
    target = team.diagnosis.team.get("target")
    if target is not None and pd.notna(target):
        per = team.period
        month_end = [min(p + pd.offsets.MonthEnd(0), per.end) for p in won.index]
        path = [target * per.elapsed_days(e) / per.days for e in month_end]
        df = pd.concat([df, pd.DataFrame({"period": won.index, "series": "On track to target", "value": path})])
    charts.show(charts.trend(df, title="Team won so far vs the path to target", y_title=f"Won ({team.currency})"))


def _show(block: Block) -> None:
    from IPython.display import display

    display(block)


# ------------------------------------------------------------------ outputs vs outcomes

def vanity_audit(team: TeamAnalysis) -> Block:
    """Each activity metric against the outcome: rank correlation, interval, n, verdict and the sentence."""
    if (n := _unavailable(team, "vanity")):
        return n
    d = team.diagnosis
    va = d.vanity
    if va.empty:
        return note("No activity metrics to audit.")
    rows = [[r["label"], f"{r['rho']:+.2f}" if pd.notna(r["rho"]) else "—",
             f"{r['low']:+.2f} .. {r['high']:+.2f}" if pd.notna(r["low"]) else "—", int(r["n"]), r["verdict"]]
            for _, r in va.iterrows()]
    within = bool(va["within_role"].any())
    return join([table(["Activity", "rho within role" if within else "rho", "90% interval", "n", "Verdict"], rows),
                 bullets([words.vanity(r, d.outcome, d.too_early) for r in va.to_dict("records")])])


def vanity_chart(team: TeamAnalysis) -> None:
    """The audit's data: each activity per active week (what was tested) against the outcome."""
    from .diagnostics.diagnosis import active_weeks

    d = team.diagnosis
    if d.vanity.empty or "vanity" in d.unavailable:
        return
    v = team.table.values.reindex(d.reps["rep_id"])  # the current reps the audit tested
    reps = team.table.reps.reindex(v.index)
    weeks = active_weeks(reps, d.period_start, min(d.period_end, d.as_of))
    frames = [pd.DataFrame({"panel": f"{r['label']}: {r['verdict']}", "value": v[r["metric"]] / weeks,
                            "outcome": v[d.outcome], "role": reps["role"].fillna(NO_ROLE)})
              for _, r in d.vanity.iterrows() if r["metric"] in v]
    if frames:
        title = "Quota attainment" if d.outcome == "attainment" else "Won revenue"
        charts.show(charts.outputs_vs_outcomes(pd.concat(frames).dropna(), outcome_title=title))


# ------------------------------------------------------------------ funnel

def funnel_chart(team: TeamAnalysis) -> None:
    from .metrics.shapes import step_rows

    f = team.funnel
    if f is None or f.empty:
        _show(note("No opportunities created in this period: no funnel to compare."))
        return
    reps = team.table.reps
    role = team.roles()
    current = set(team.current_ids)
    df = step_rows(f)
    df = df[(df["reached"] > 0) & df["rep_id"].isin(current)].dropna(subset=["rate"])
    df = df.assign(role=df["rep_id"].map(role), name=df["rep_id"].map(reps["name"]), conversion=df["rate"])
    df["vs_team"] = df["conversion"] - df.groupby(["role", "step"])["conversion"].transform("median")
    charts.show(charts.funnel_heatmap(df[["name", "step", "conversion", "vs_team"]]))


def bottlenecks(team: TeamAnalysis) -> Block:
    """The step where each rep leaks most, with the sentence."""
    if (n := _unavailable(team, "bottleneck")):
        return n
    r = team.diagnosis.reps.sort_values(["role", "name"], na_position="last")
    rows = [[x["name"], x["role"] if isinstance(x["role"], str) else "", words.verdict(x["bottleneck"]), words.bottleneck(x)]
            for x in r.to_dict("records")]
    return table(["Rep", "Role", "Step to work on", "Why"], rows, data_columns=(0, 1))


# ------------------------------------------------------------------ risk, practices, pairing, quality, hygiene

def at_risk(team: TeamAnalysis) -> Block:
    if (n := _unavailable(team, "early_warning")):
        return n
    r = team.diagnosis.reps
    risky = r[r["at_risk"].fillna(False).astype(bool)].sort_values("name")
    if risky.empty:
        return paragraphs(["No rep is flagged at risk: every projection covers its quota."])
    cur = team.currency
    rows = [[x["name"], pct(x["attainment"]), money(x["projection"], cur), money(x["quota"], cur),
             words.risk_reason(x, cur)] for x in risky.to_dict("records")]
    return table(["Rep", "Attainment", "Projection", "Quota", "Reason"], rows, data_columns=(0,))


def top_performers(team: TeamAnalysis) -> Block:
    if (n := _unavailable(team, "top_performers")):
        return n
    tp = team.diagnosis.top_performers
    notable = tp[tp["notable"]] if len(tp) else tp
    if not len(notable):
        return paragraphs(["No large difference between the top quartile and the rest."])
    return bullets([words.practice(r) for r in notable.to_dict("records")])


def pairing(team: TeamAnalysis) -> Block:
    d = team.diagnosis.reps
    names = d.set_index("rep_id")["name"]
    rows = [[x["name"], words.pairing(x, names.get(x["pair_with"]))] for x in d.sort_values("name").to_dict("records")
            if isinstance(x["pair_with"], str) and x["pair_with"]]
    if not rows:
        return paragraphs(["No pairing suggested: no clear leak that a peer in the same role is strong at."])
    return table(["Rep", "Suggestion"], rows, data_columns=(0,))


def lead_quality(team: TeamAnalysis) -> Block:
    if (n := _unavailable(team, "lead_quality")):
        return n
    d, cur = team.diagnosis, team.currency
    parts = []
    if d.lead_bands is not None and len(d.lead_bands):
        rows = [[f"{b.band} fit", f"{int(b.leads):,}", pct(b.conversion), pct(b.win_rate), money(b.avg_deal_size, cur),
                 pct(b.recurring_share)] for b in d.lead_bands.itertuples()]
        parts.append(table(["Leads by fit to the ideal customer", "Leads", "Became opportunities", "Became won deals",
                            "Average won deal", "Recurring share of won"], rows))
    lq = d.lead_quality
    names = team.table.reps["name"]
    flagged = [f"{names.get(r['rep_id'], r['rep_id'])}: {words.lead_quality(r)}" for r in lq.to_dict("records")
               if r.get("low_quality") is True or r.get("weak_good_lead_conversion") is True]
    parts.append(bullets(flagged) if flagged else
                 paragraphs(["No rep stands out for filling the pipeline with low-quality leads."]))
    return join(parts)


def hygiene(team: TeamAnalysis) -> Block:
    h = team.diagnosis.hygiene.merge(team.table.reps["name"].reset_index(), on="rep_id", how="left")
    h = h.sort_values("name")
    rows = [[x.name, int(x.open_deals), int(x.no_next_step), int(x.stale), int(x.past_close_date)] for x in h.itertuples()]
    return table(["Rep", "Open deals", "No next step", "Stale", "Past close date"], rows, data_columns=(0,))
