"""The explorer's coaching sections, drawn from one `View`: funnel bottlenecks, the funnel of every rep,
pairing, the vanity audit, what top performers do differently, and lead quality.

Plain verdicts come first; the evidence behind them (rank correlations and their intervals, effect sizes,
p-values) sits in a "details" fold. The audit, top performers and lead bands are computed over the reps on
screen (`View.findings`); each rep's funnel and lead quality compare the rep with their role across all teams.
"""
from __future__ import annotations

import pandas as pd

from ..present import esc, money, pct, plural
from ..terms import CONVERSION_STEPS, NO_LEAK, QUALIFYING, STEP, TOO_FEW_DEALS, step_label
from ..words import manager as words
from . import html as H
from .model import View
from .sections import CHART_ROWS, _missing_note


def _across(view: View) -> str:
    """Over whose reps a team-level finding was computed."""
    n = view.findings.n_reps
    if n == 1:
        return f"Over the one current rep of {view.where}." if view.filtered else "Over the one current rep."
    return f"Over the {n} current reps of {view.where}." if view.filtered else f"Over all {n} current reps."


# ------------------------------------------------------------------ funnel


def bottlenecks(view: View) -> str:
    """The reps with a clear leak first (most wins lost first); the others folded, by verdict."""
    if (n := _missing_note(view, "bottleneck")):
        return H.block(H.heading("Where each rep leaks") + n)
    r = view.reps.reset_index()
    leaks = r[r["bottleneck"].isin(list(STEP))].sort_values(["bottleneck_lost_wins", "name"], ascending=[False, True])
    rows = [[H.name(x["name"]), esc(words.verdict(x["bottleneck"])), esc(words.bottleneck(x))]
            for x in leaks.to_dict("records")]
    parts = [H.heading("Where each rep leaks"),
             H.table(["Rep", "Step to work on", "Why"], rows) if rows else
             H.para(f"No rep of {view.where} has a clear leak in the funnel.")]
    for verdict in (NO_LEAK, TOO_FEW_DEALS):
        rest = r[r["bottleneck"] == verdict].sort_values("name")
        if len(rest):
            lines = [f"{H.name(x['name'])}: {esc(words.bottleneck(x))}" for x in rest.to_dict("records")]
            parts.append(H.fold(f"{words.verdict(verdict)}: {plural(len(rest), 'rep')}", H.bullets(lines)))
    return H.block("".join(parts))


def funnel_heat(view: View) -> str:
    """Conversion at each step for the reps on screen, red below the role's median, blue above; the reps with
    the step furthest below it first."""
    from ..metrics.shapes import step_rows

    f = view.team.funnel
    if f is None or f.empty:
        return H.block(H.note("No opportunities created in this period: no funnel to compare."))
    df = step_rows(f)
    df = df[(df["reached"] > 0) & df["rep_id"].isin(view.team.current_ids)].dropna(subset=["rate"])
    df = df.assign(role=df["rep_id"].map(view.team.roles()))
    df["vs_team"] = df["rate"] - df.groupby(["role", "step"])["rate"].transform("median")
    df = df[df["rep_id"].isin(view.ids)]
    steps = [s for s in CONVERSION_STEPS if s in set(df["step"])]
    cells = {(c.rep_id, c.step): f'<span style="{_heat(c.vs_team)}" title="{esc(STEP[c.step].moves)}: '
                                 f'{int(c.advanced)} of {int(c.reached)}">{pct(c.rate)}</span>'
             for c in df.itertuples()}
    worst = df.groupby("rep_id")["vs_team"].min()
    order = sorted(view.ids, key=lambda r: (worst.get(r, 0.0), str(view.names.get(r, r))))
    rows = [[H.name(view.names.get(r, r)), *(cells.get((r, s), '<span class="muted">—</span>') for s in steps)]
            for r in order[:CHART_ROWS]]
    more = f" The {CHART_ROWS} of {len(order)} reps furthest below first." if len(order) > CHART_ROWS else ""
    young = _young_leads(view) if QUALIFYING in steps else ""
    if view.team.diagnosis.deals_settling and any(s != QUALIFYING for s in steps):
        young += " " + view.team.diagnosis.deals_settling
    return H.block(H.table(["Rep", *[step_label(s) for s in steps]], rows, numeric=range(1, len(steps) + 1))
                   + H.note("Share of deals moving on at each step; red below the role's median, blue above "
                            "(the deeper, the further); the reps furthest below first." + more + young))


def _young_leads(view: View) -> str:
    """Which recent leads the rates over leads leave out (`SettledLeads.note`), as a sentence to append."""
    settled = view.team.diagnosis.settled_leads
    text = settled.note() if settled is not None else None
    return f" {text}" if text else ""


def _heat(diff: float) -> str:
    """A cell background for a gap to the median: blue above, red below, white near it."""
    if pd.isna(diff):
        return ""
    a = min(abs(float(diff)) / 0.3, 1.0) * 0.6
    rgb = "43,108,176" if diff > 0 else "197,48,48"
    return f"background:rgba({rgb},{a:.2f});padding:0 4px"


def pairing(view: View) -> str:
    r = view.reps.reset_index()
    names = view.team.diagnosis.reps.set_index("rep_id")["name"]
    pairs = r[r["pair_with"].map(lambda p: isinstance(p, str) and bool(p))].sort_values("name")
    head = H.heading("Who can learn from whom")
    if pairs.empty:
        return H.block(head + H.para(f"No pairing suggested for {view.where}: no clear leak that a peer of the same "
                                     "role is strong at."))
    teams = view.team.diagnosis.reps.set_index("rep_id")["team"]
    rows = [[H.name(x["name"]), esc(words.pairing(x, _peer(x, names, teams)))] for x in pairs.to_dict("records")]
    return H.block(head + H.table(["Rep", "Suggestion"], rows))


def _peer(row: dict, names: pd.Series, teams: pd.Series) -> str | None:
    """The peer's name, with their team when it is not the rep's own (peers are paired within role, across teams)."""
    peer = row["pair_with"]
    name = names.get(peer)
    other = teams.get(peer)
    if name is not None and isinstance(other, str) and other != row.get("team"):
        return f"{name} ({other})"
    return name


# ------------------------------------------------------------------ outputs vs outcomes


VERDICT_ORDER = {"driver": 0, "vanity": 1, "unclear": 2}


def audit(view: View) -> str:
    """Does each activity go with results? Plain verdicts first, the correlations in a details fold."""
    f, head = view.findings, H.heading("Which activities go with results")
    if "vanity" in f.unavailable:
        return H.block(head + H.note(f.unavailable["vanity"]))
    va = f.vanity
    if va.empty:
        return H.block(head + H.note("No activity metrics to audit."))
    va = va.assign(order=va["verdict"].map(VERDICT_ORDER)).sort_values(["order", "rho"], ascending=[True, False])
    lines = [esc(words.vanity_verdict(r, f.outcome, f.too_early)) for r in va.to_dict("records")]
    rows = [[esc(r["label"]), _signed(r["rho"]), f"{_signed(r['low'])} to {_signed(r['high'])}" if pd.notna(r["low"]) else "—",
             str(int(r["n"])), esc(r["verdict"])] for r in va.to_dict("records")]
    within = bool(va["within_role"].any())
    evidence = (H.table(["Activity (per active week)",
                         H.term("Rank correlation (ρ)" + (" within role" if within else ""), "rho"),
                         H.term("90% interval", "interval"), "Reps", "Verdict"], rows, numeric=(1, 2, 3),
                        raw_headers=True)
                + H.bullets(esc(words.vanity(r, f.outcome, f.too_early)) for r in va.to_dict("records"))
                + H.note("A driver goes with results beyond chance; vanity: enough reps to have seen a relation, "
                         "and none is there; unclear: too little evidence for this many reps."))
    return H.block(head + H.bullets(lines) + H.note(_across(view)) + H.fold("Details: the evidence", evidence))


def _signed(x) -> str:
    return "—" if pd.isna(x) else f"{float(x):+.2f}"


def top_performers(view: View) -> str:
    """The notable differences between the top quarter and the rest, in sentences; effect sizes in a fold."""
    f, title = view.findings, H.heading("What top performers do differently")
    if "top_performers" in f.unavailable:
        return H.block(title + H.note(f"Not yet: {f.unavailable['top_performers']}."))
    tp = f.top_performers
    notable = tp[tp["notable"]] if len(tp) else tp
    head = (H.bullets(esc(words.practice(r)) for r in notable.to_dict("records")) if len(notable) else
            H.para("No large difference between the top quarter and the rest."))
    rows = [[esc(r["label"]), _mean(r["top_mean"], r["kind"]), _mean(r["rest_mean"], r["kind"]),
             f"{r['effect_size']:+.2f}", f"{int(r['n_top'])} / {int(r['n_rest'])}"]
            for r in tp.head(12).to_dict("records")]
    evidence = (H.table(["Difference", "Top quarter", "The rest", H.term("Effect size (d)", "d"),
                         "Reps (top / rest)"], rows, numeric=(1, 2, 3, 4), raw_headers=True)
                + H.note("Effect size: the difference in standard deviations (0.5 medium, 0.8 large); only medium "
                         "or larger differences get a sentence."))
    return H.block(title + head + H.note(_across(view)) + H.fold("Details: the evidence", evidence))


def _mean(value, kind: str) -> str:
    if pd.isna(value):
        return "—"
    return pct(value) if kind == "share" else money(value) if kind == "money" else f"{float(value):,.1f}"


# ------------------------------------------------------------------ lead quality


def lead_quality(view: View) -> str:
    """Reps whose pipeline fills with poor leads or who do not qualify good ones; the bands in a fold."""
    if (n := _missing_note(view, "lead_quality", "leads")):
        return H.block(H.heading("Lead quality") + n)
    lq = view.team.diagnosis.lead_quality.set_index("rep_id").reindex(view.ids)
    names = view.names
    flagged = lq[(lq["low_quality"] == True) | (lq["weak_good_lead_conversion"] == True)]  # noqa: E712 (NA-safe)
    lines = [esc(words.lead_quality(r, names.get(rep_id, rep_id))) for rep_id, r in flagged.iterrows()]
    parts = [H.heading("Lead quality"), H.bullets(lines) if lines else
             H.para(f"No rep of {view.where} stands out for filling the pipeline with low-quality leads or for "
                    "not qualifying good ones.")]
    bands = view.findings.bands
    if bands is not None and len(bands):
        cur = view.currency
        rows = [[esc(f"{b.band} fit"), f"{int(b.leads):,}", pct(b.conversion), pct(b.win_rate),
                 money(b.avg_deal_size, cur), pct(b.recurring_share)] for b in bands.itertuples()]
        parts.append(H.fold("Details: leads by fit to the ideal customer", H.table(
            ["Fit", "Leads", "Became opportunities", "Became won deals", "Average won deal", "Recurring share of won"],
            rows, numeric=(1, 2, 3, 4, 5)) + H.note(_across(view) + _young_leads(view))))
    return H.block("".join(parts))


__all__ = ["bottlenecks", "funnel_heat", "pairing", "audit", "top_performers", "lead_quality"]
