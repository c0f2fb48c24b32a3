"""The sections of the team explorer notebook: each function shows one figure or table from a `Snapshot`.

Tables and sentences are returned as `Block`s (HTML + plain text, deterministic for nbval); charts are
displayed with `charts.show`. A section whose data is missing shows a short note instead.
"""
from __future__ import annotations

import weakref
from pathlib import Path

import pandas as pd

from . import charts
from .metrics import CATALOGUE
from .report_view import Block, bottleneck_words, bullets, money, note, num, paragraphs, pct, table
from .snapshot import Snapshot, build_snapshot, resolve_weights
from .widgets import WeightPanel, breakdown_long


def resolve_data_dir(data_dir: str | Path | None) -> Path:
    """The dataset folder a notebook parameter names; empty = the bundled sample team."""
    from .config import SAMPLE_DIR

    return Path(data_dir).expanduser() if data_dir else SAMPLE_DIR


def open_team(data_dir: str | Path | None = "", as_of: str | None = "", period: str | None = "",
              weights_file: str | Path | None = "", render: bool = False) -> Snapshot:
    """Load the dataset and compute everything the explorer shows (empty parameters = defaults).

    Charts are drawn when shown (SVG + PNG) unless `render` draws every rep's charts in advance.
    """
    from .load import load

    dataset = load(resolve_data_dir(data_dir))
    snap = build_snapshot(dataset, period=period or None, as_of=as_of or None, weights=weights_file or None,
                          render=render)
    _DATASETS[snap] = dataset
    return snap


# the dataset each opened snapshot came from, so the weight panel can compute other periods
# (a snapshot does not keep its dataset: report kernels never need it)
_DATASETS: "weakref.WeakKeyDictionary[Snapshot, object]" = weakref.WeakKeyDictionary()


def title(snap: Snapshot) -> Block:
    m = snap.meta
    text = f"{m['dataset_name']}: {m['period_label']}, as of {m['as_of']}"
    return Block(f"<h2>{_e(text)}</h2>", text)


def _e(x) -> str:
    import html

    return html.escape(str(x))


def _names(snap: Snapshot) -> pd.Series:
    return snap.table.reps["name"]


def _unavailable(snap: Snapshot, key: str) -> Block | None:
    reason = (snap.diagnosis.unavailable or {}).get(key) if snap.diagnosis is not None else None
    return note(reason) if reason else None


# ------------------------------------------------------------------ progress and leaderboard

def team_progress(snap: Snapshot) -> Block:
    """Team target, won, attainment and projection as a small table."""
    t = snap.diagnosis.team
    cur = snap.meta["currency"]
    rows = [["Target", money(t.get("target"), cur)], ["Won", money(t.get("won"), cur)],
            ["Attainment", pct(t.get("attainment"))], ["Projection", money(t.get("projection"), cur)],
            ["Projected attainment", pct(t.get("projected_attainment"))]]
    out = table(["Team", "Value"], rows)
    if missing := snap.meta["missing"].get("quotas"):
        return Block(out.html + note(missing).html, out.plain + "\nNote: " + missing)
    return out


def team_progress_chart(snap: Snapshot) -> None:
    t = snap.diagnosis.team
    charts.show(charts.team_progress(t.get("won") or 0.0, t.get("target"), t.get("projection"), snap.meta["currency"]))


def leaderboard(snap: Snapshot, card=None) -> Block:
    """Reps ranked within role on the score, with attainment, won, assisted deals and the top contributions."""
    card = card or snap.card
    s = card.scores.copy()
    v = snap.table.values
    bd = breakdown_long(card)
    top = (bd[bd["points"] > 0].sort_values(["rep_id", "points", "metric"], ascending=[True, False, True])
           .groupby("rep_id")["metric"].apply(lambda ms: ", ".join(CATALOGUE[m].label for m in list(ms)[:2])))
    s = s.sort_values(["role", "rank_in_role", "name"], na_position="last")
    rows = []
    for r in s.itertuples():
        rows.append([r.role if isinstance(r.role, str) else "", _rank(r.rank_in_role), r.name, num(r.score, 1),
                     pct(v.at[r.rep_id, "attainment"]) if "attainment" in v else "—",
                     money(v.at[r.rep_id, "won_revenue"]) if "won_revenue" in v else "—",
                     num(v.at[r.rep_id, "assisted_deals"], 0) if "assisted_deals" in v else "—",
                     top.get(r.rep_id, "")])
    return table(["Role", "Rank", "Rep", "Score", "Attainment", "Won", "Assisted deals", "Most points from"], rows)


def _rank(x) -> str:
    return "—" if pd.isna(x) else str(int(x))


def leaderboard_chart(snap: Snapshot) -> None:
    bd = breakdown_long(snap.card).merge(snap.card.scores[["rep_id", "name", "score"]], on="rep_id")
    bd["metric"] = bd["metric"].map(lambda m: CATALOGUE[m].label if m in CATALOGUE else m)
    charts.show(charts.score_breakdown(bd[bd["points"] > 0], title="Score breakdown (points per metric)"))


def weight_panel(snap: Snapshot, weights_file: str | Path | None = "", dataset=None) -> WeightPanel:
    """The interactive weight sliders over this snapshot's metric table.

    The Period control can switch period when the dataset is known: `dataset`, or the one `open_team`
    loaded this snapshot from.
    """
    from .config import DEFAULT_WEIGHTS_FILE

    w = resolve_weights(weights_file or None)
    target = Path(weights_file) if weights_file else DEFAULT_WEIGHTS_FILE
    return WeightPanel(snap.table, weights=w or snap.card.weights, weights_file=target,
                       dataset=dataset if dataset is not None else _DATASETS.get(snap))


_STABILITY_HEADERS = {"rank": "Rank", "changed_share": "Rank moved in (share of trials)",
                      "min_rank": "Best rank seen", "max_rank": "Worst rank seen"}


def rank_stability(snap: Snapshot) -> Block:
    """How often each rep's rank moves when the weights are jittered by ±20% (seeded)."""
    from .scorecard import rank_stability as stability

    st = stability(snap.table, snap.card.weights)
    st = st.reset_index() if "rep_id" not in st.columns else st
    names = _names(snap)
    changed = next((c for c in st.columns if "change" in c or "moved" in c), None)
    cols = [c for c in st.columns if c not in ("rep_id", "name")]
    rows = [[names.get(r["rep_id"], r["rep_id"]), *(_cell(r[c], c == changed) for c in cols)]
            for _, r in st.sort_values([changed or cols[0]], ascending=False).iterrows()]
    return table(["Rep", *[_STABILITY_HEADERS.get(c, c.replace("_", " ").capitalize()) for c in cols]], rows)


def _cell(x, as_pct: bool = False) -> str:
    if isinstance(x, str):
        return x
    if pd.isna(x):
        return "—"
    if as_pct:
        return pct(x)
    return str(int(x)) if float(x).is_integer() else f"{float(x):.2f}"


# ------------------------------------------------------------------ attainment

def attainment_chart(snap: Snapshot) -> None:
    v, reps = snap.table.values, snap.diagnosis.reps
    if "attainment" not in v or v["attainment"].notna().sum() == 0:
        display_block(note(snap.meta["missing"].get("quotas") or "No quota covers this period: no attainment."))
        return
    df = reps[["rep_id", "name", "role"]].assign(attainment=reps["rep_id"].map(v["attainment"]))
    charts.show(charts.attainment_spread(df.dropna(subset=["attainment"]).fillna({"role": "(all)"})))


def trend_chart(snap: Snapshot) -> None:
    """Cumulative team won by month against the straight-line path to the target."""
    tr = snap.trend
    if tr is None or tr.empty:
        display_block(note("No closed deals in this period yet: no trend."))
        return
    won = tr.groupby("period_start")["won_revenue"].sum().sort_index().cumsum()
    df = pd.DataFrame({"period": won.index, "series": "Won so far", "value": won.values})
    target = snap.diagnosis.team.get("target")
    if target is not None and pd.notna(target):
        per = snap.table.period
        month_end = [min(p + pd.offsets.MonthEnd(0), per.end) for p in won.index]
        path = [target * per.elapsed_days(e) / per.days for e in month_end]
        df = pd.concat([df, pd.DataFrame({"period": won.index, "series": "On track to target", "value": path})])
    charts.show(charts.trend(df, title="Team won so far vs the path to target", y_title=f"Won ({snap.meta['currency']})"))


def display_block(block: Block) -> None:
    from IPython.display import display

    display(block)


# ------------------------------------------------------------------ outputs vs outcomes

def vanity_audit(snap: Snapshot) -> Block:
    """Each activity metric against the outcome: rank correlation, interval, n, verdict and the sentence."""
    if (n := _unavailable(snap, "vanity")):
        return n
    va = snap.diagnosis.vanity
    if va.empty:
        return note("No activity metrics to audit.")
    rows = [[r["label"], f"{r['rho']:+.2f}" if pd.notna(r["rho"]) else "—",
             f"{r['low']:+.2f} .. {r['high']:+.2f}" if pd.notna(r["low"]) else "—", int(r["n"]), r["verdict"]]
            for _, r in va.iterrows()]
    within = "within_role" in va and bool(va["within_role"].any())
    t = table(["Activity", "rho within role" if within else "rho", "90% interval", "n", "Verdict"], rows)
    s = bullets([x for x in va["sentence"] if isinstance(x, str) and x])
    return Block(t.html + s.html, t.plain + "\n" + s.plain)


def vanity_chart(snap: Snapshot) -> None:
    """The audit's data: each activity per active week (what was tested) against the outcome."""
    from .diagnostics.diagnosis import active_weeks

    d = snap.diagnosis
    if d.vanity.empty or "vanity" in (d.unavailable or {}):
        return
    outcome = d.outcome
    v = snap.table.values.reindex(d.reps["rep_id"])  # the current reps the audit tested
    reps = snap.table.reps.reindex(v.index)
    weeks = active_weeks(reps, d.period_start, min(d.period_end, d.as_of))
    frames = []
    for _, r in d.vanity.iterrows():
        m = r["metric"]
        if m not in v:
            continue
        frames.append(pd.DataFrame({"panel": f"{r['label']}: {r['verdict']}", "value": v[m] / weeks,
                                    "outcome": v[outcome], "role": reps["role"].fillna("(all)")}))
    if frames:
        title = "Quota attainment" if outcome == "attainment" else "Won revenue"
        charts.show(charts.outputs_vs_outcomes(pd.concat(frames).dropna(), outcome_title=title))


# ------------------------------------------------------------------ funnel

def funnel_chart(snap: Snapshot) -> None:
    f = snap.funnel
    if f is None or f.empty:
        display_block(note("No opportunities created in this period: no funnel to compare."))
        return
    from .snapshot import STEP_OF_RUNG

    reps = snap.table.reps
    role = reps["role"].fillna("(all)")
    current = set(snap.diagnosis.reps["rep_id"])
    df = f[(f["reached"] > 0) & f["rep_id"].isin(current)].assign(step=lambda d: d["step"].map(STEP_OF_RUNG), role=lambda d: d["rep_id"].map(role),
                                    name=lambda d: d["rep_id"].map(reps["name"]))
    df = df.dropna(subset=["conversion"])
    df["vs_team"] = df["conversion"] - df.groupby(["role", "step"])["conversion"].transform("median")
    charts.show(charts.funnel_heatmap(df[["name", "step", "conversion", "vs_team"]]))


def bottlenecks(snap: Snapshot) -> Block:
    """The step where each rep leaks most, with the sentence."""
    if (n := _unavailable(snap, "bottleneck")):
        return n
    r = snap.diagnosis.reps.sort_values(["role", "name"], na_position="last")
    rows = [[x.name, x.role if isinstance(x.role, str) else "", bottleneck_words(x.bottleneck), x.bottleneck_sentence]
            for x in r.itertuples()]
    return table(["Rep", "Role", "Step to work on", "Why"], rows)


# ------------------------------------------------------------------ risk, practices, pairing, quality, hygiene

def at_risk(snap: Snapshot) -> Block:
    if (n := _unavailable(snap, "early_warning")):
        return n
    r = snap.diagnosis.reps
    risky = r[r["at_risk"].fillna(False).astype(bool)].sort_values("name")
    if risky.empty:
        return paragraphs(["No rep is flagged at risk: every projection covers its quota."])
    cur = snap.meta["currency"]
    rows = [[x.name, pct(x.attainment), money(x.projection, cur), money(x.quota, cur), x.at_risk_reason]
            for x in risky.itertuples()]
    return table(["Rep", "Attainment", "Projection", "Quota", "Reason"], rows)


def top_performers(snap: Snapshot) -> Block:
    if (n := _unavailable(snap, "top_performers")):
        return n
    tp = snap.diagnosis.top_performers
    sentences = [s for s in tp.get("sentence", pd.Series(dtype=str)) if isinstance(s, str) and s]
    if not sentences:
        return paragraphs(["No large difference between the top quartile and the rest."])
    return bullets(sentences)


def pairing(snap: Snapshot) -> Block:
    p = snap.diagnosis.reps.sort_values("name")
    rows = [[x.name, x.pair_sentence] for x in p.itertuples() if isinstance(x.pair_with, str) and x.pair_with]
    if not rows:
        return paragraphs(["No pairing suggested: no clear leak that a peer in the same role is strong at."])
    return table(["Rep", "Suggestion"], rows)


def lead_quality(snap: Snapshot) -> Block:
    if (n := _unavailable(snap, "lead_quality")):
        return n
    d = snap.diagnosis
    parts = []
    if d.lead_bands is not None and len(d.lead_bands):
        cur = snap.meta["currency"]
        rows = [[f"{b.band} fit", f"{int(b.leads):,}", pct(b.conversion), pct(b.win_rate),
                 money(b.avg_deal_size, cur), pct(b.recurring_share)] for b in d.lead_bands.itertuples()]
        parts.append(table(["Leads by fit to the ideal customer", "Leads", "Became opportunities",
                            "Became won deals", "Average won deal", "Recurring share of won"], rows))
    lq = d.lead_quality
    flagged = [s for s in lq.get("sentence", pd.Series(dtype=str)) if isinstance(s, str) and s]
    if "low_quality" in lq:
        flagged = [s for s, low in zip(lq["sentence"], lq["low_quality"]) if low is True or low == 1]
    parts.append(bullets(flagged) if flagged else paragraphs(["No rep stands out for filling the pipeline with low-quality leads."]))
    return Block("".join(p.html for p in parts), "\n".join(p.plain for p in parts))


def hygiene(snap: Snapshot) -> Block:
    h = snap.diagnosis.hygiene.merge(snap.table.reps["name"].reset_index(), on="rep_id", how="left")
    h = h.sort_values("name")
    rows = [[x.name, int(x.open_deals), int(x.no_next_step), int(x.stale), int(x.past_close_date)] for x in h.itertuples()]
    return table(["Rep", "Open deals", "No next step", "Stale", "Past close date"], rows)
