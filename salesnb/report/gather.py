"""Gather `RepInputs` from a `TeamAnalysis`: per-rep rows and role aggregates, each computed once
for the whole team (vectorised), so building one rep's view later is a lookup."""
from __future__ import annotations

import math

import pandas as pd

from ..config import MIN_REPS_FOR_COMPARISON
from ..leaderboard import leaderboard
from ..metrics.catalogue import CATALOGUE
from ..terms import HYGIENE_FLAGS, role_key
from ..metrics.shapes import activity_shares, step_rows
from .inputs import RepInputs

# A rep's report shows an aggregate of a group of reps (the role, the team, the role's top quarter, the reps with
# enough deals at a funnel step) only when at least MIN_REPS_FOR_COMPARISON *other* reps are in it: the reader
# knows their own figure, and a median of three values, one of them the reader's, with its quartiles gives the two
# colleagues' figures back; a top quarter of two, the reader one of them, gives the other's mix. Every aggregate
# shown is rounded to SHOWN_DIGITS significant digits.
MIN_GROUP = MIN_REPS_FOR_COMPARISON + 1
MIN_TOP_GROUP = MIN_GROUP  # the top quarter is a group like any other
SHOWN_DIGITS = 3
# per-rep facts that are aggregates of the rep's role, or set the rep against one (the rest of those rows are the
# rep's own figures): blanked for a rep whose role is under MIN_GROUP
ROLE_FIGURES = ("bottleneck_team_median", "bottleneck_team_q1", "bottleneck_team_q3", "bottleneck_expected",
                "bottleneck_lost_wins", "bottleneck_team_rate", "weakest_median", "team_low_share", "team_high_share",
                "team_high_conversion", "pipeline_ratio", "created_ratio", "closing")
# ... and those read at one funnel step, against the reps with enough deals there: blanked as well when the role's
# figures of that step are withheld (fewer than MIN_GROUP such reps), keyed by the column naming the step
STEP_FIGURES = {"bottleneck": ("bottleneck_team_median", "bottleneck_team_q1", "bottleneck_team_q3",
                               "bottleneck_lost_wins", "bottleneck_team_rate"),
                "weakest_step": ("weakest_median",)}
RECENT_WEEKS = 6

HEADLINE_FACTS = ("at_risk", "projection", "projected_attainment", "likely_low", "likely_high", "chance",
                  "open_deals", "pipeline_expected", "pipeline_ratio", "closing", "created_ratio", "due_by_now",
                  "pipeline_short", "closing_slow", "few_new_deals", "behind", "finished", "verdict", "short_by",
                  "bottleneck", "pair_complementary", "below_median", "carried_by_one_deal", "largest_deal_share",
                  "attainment_without_largest", "joined")


def inputs_for(team) -> RepInputs:
    """Everything report views need from a `TeamAnalysis`, for its current reps."""
    return RepInputs(**gather(team))


def gather(team) -> dict:
    """The keyword arguments of `RepInputs` for the current reps of `team` (a `TeamAnalysis`)."""
    d, table, card = team.diagnosis, team.table, team.card
    ids = pd.Index([str(r) for r in d.reps["rep_id"]], name="rep_id")
    role = role_of(table.reps).reindex(ids)
    values = table.values.reindex(ids)
    # team medians of deal figures count reps who have deals: a rep with none would drag them to zero
    sellers = ids[has_deals(values).to_numpy()]
    reps = _reps(d, ids, role)
    funnel = step_rows(team.funnel)
    funnel = funnel[funnel["rep_id"].isin(ids)]
    mix = activity_shares(values) if any(c.startswith("act_") for c in values.columns) else pd.DataFrame(index=ids)
    small_role = role.map(role.value_counts()) < MIN_GROUP
    role_funnel = _role_funnel(d.funnel_steps)
    role_mix = _shown(_role_mix(mix, role, card), ("top", "team"))
    practices, withheld = _practices(d)
    meta = _meta(team, small_roles=sorted(set(role[small_role])))
    if withheld:
        meta["unavailable"].setdefault("top_performers", withheld)
    headline = step_figures(role_figures(_headline(team, ids), small_role), role, role_funnel)
    return dict(
        meta=meta, reps=reps, values=values, points=card.breakdown.reindex(ids),
        headline=headline, funnel=funnel.reset_index(drop=True),
        monthly=_series(team.monthly, ids, "won_revenue", "won", deals="deals_won"),
        weekly=_recent(_series(team.weekly, ids, "activities", "activities")),
        quota_now=(team.quota_now.reindex(ids).dropna(subset=["quota"]).assign(
            start=lambda q: q["start"].dt.date.astype(str), end=lambda q: q["end"].dt.date.astype(str))
            if team.quota_now is not None else pd.DataFrame(columns=["start", "end", "quota"])),
        deals=_deals(d.hygiene_deals, ids), mix=mix, leads=role_figures(_leads(d.lead_quality, ids), small_role),
        role_metrics=_role_metrics(values, role, sellers),
        role_funnel=role_funnel, role_mix=role_mix,
        role_monthly=_role_series(team.monthly, sellers, role, "won_revenue"),
        role_weekly=_role_series(team.weekly, ids, role, "activities"),
        practices=practices, change=_change(d, ids, role, role_mix), change_steps=_change_steps(d, ids))


def has_deals(values: pd.DataFrame) -> pd.Series:
    """Per rep: any deal in the period (created, won or open at as_of)."""
    cols = [c for c in ("opportunities_created", "deals_won", "open_deals") if c in values]
    return values[cols].fillna(0).gt(0).any(axis=1) if cols else pd.Series(False, index=values.index)


def _change(d, ids: pd.Index, role: pd.Series, role_mix: pd.DataFrame) -> pd.DataFrame:
    """Per rep, what changed since the previous period; how far the mix moved toward the role's top quarter
    only where the report shows that top quarter (a smaller one would give its members' mix away)."""
    ch = d.change
    if ch is None or ch.unavailable or not len(ch.reps):
        return pd.DataFrame(index=ids[:0])
    out = ch.reps.set_index("rep_id").reindex(ids)
    with_top = set(role_mix.loc[role_mix["top"].notna(), "role"]) if len(role_mix) else set()
    hidden = ~role.reindex(ids).isin(with_top).to_numpy()
    for col in [c for c in ("then_mix_distance", "now_mix_distance") if c in out]:
        out[col] = out[col].where(~hidden)
    if "mix_move" in out:
        out["mix_move"] = out["mix_move"].astype("object").where(~hidden, None)
    return out


def _change_steps(d, ids: pd.Index) -> pd.DataFrame:
    ch = d.change
    if ch is None or ch.unavailable or not len(ch.steps):
        return pd.DataFrame(columns=["rep_id", "step"])
    return ch.steps[ch.steps["rep_id"].isin(ids)].reset_index(drop=True)


def _meta(team, small_roles: list[str]) -> dict:
    w = team.card.weights
    big_team = len(team.current_ids) >= MIN_GROUP
    won = team.table.values.get("won_revenue", pd.Series(dtype=float)).groupby(role_of(team.table.reps)).sum()
    return {"period_label": team.period.label, "as_of": team.as_of.date().isoformat(), "currency": team.currency,
            "period_over": team.period.over(team.as_of),
            "roles_with_revenue": sorted(str(r) for r in won.index[won > 0]),
            "dataset_name": team.dataset_name,
            "weights": {"name": w.name, "normalisation": w.normalisation, "group_by": w.group_by,
                        "weights": dict(w.active)},
            "missing": dict(team.missing), "unavailable": dict(team.diagnosis.unavailable),
            "holds": team.diagnosis.shape.summary() if team.diagnosis.shape is not None else "",
            # what a rep's pace is counted in (a new hire's ramp-up is said in it): no leads table, no leads
            "volume_unit": ("opportunities" if team.diagnosis.shape is not None and team.diagnosis.shape.lacks("leads")
                            else "leads"),
            # rates over leads leave the youngest out: said under them, the same for every rep
            "leads_settling": (team.diagnosis.settled_leads.note() or "") if team.diagnosis.settled_leads else "",
            "deals_settling": team.diagnosis.deals_settling,  # the same for the funnel's steps over deals
            "too_early": team.diagnosis.too_early,
            # how often the warning came true on the team's earlier periods: counts of colleagues' misses
            "track_record": _record(team.diagnosis.track_record) if big_team else None,
            "team_progress": _team_progress(team),
            # roles (keys) with fewer than MIN_GROUP current reps: no aggregate of them, no comparison with them
            "small_roles": small_roles,
            "change": _change_meta(team.diagnosis.change)}


def _record(rec) -> dict | None:
    return None if rec is None else rec.to_dict()


def _team_progress(team) -> dict | None:
    """The whole team's won and target (and projection), for every rep's report: an aggregate of at least
    `MIN_GROUP` current reps, else None (a smaller team's total would give colleagues away)."""
    t = team.diagnosis.team
    target, won = t.get("target"), t.get("won")
    if len(team.current_ids) < MIN_GROUP or not _finite(target) or not _finite(won) or target <= 0:
        return None
    if t.get("reps_without_quota"):  # the target covers only some of the team: not the team's progress
        return None
    return {"won": float(won), "target": float(target),
            "projection": float(t["projection"]) if _finite(t.get("projection")) else None}


def _finite(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


def _change_meta(ch) -> dict | None:
    if ch is None or ch.unavailable:
        return None
    return {"now": ch.now.label, "then": ch.then.label, "now_end": ch.now.end.date().isoformat(),
            "now_as_of": ch.now_as_of.date().isoformat(), "then_as_of": ch.then_as_of.date().isoformat()}


def _reps(d, ids: pd.Index, role: pd.Series) -> pd.DataFrame:
    r = d.reps.set_index("rep_id").reindex(ids)
    names = r["name"]
    peer = r["pair_with"].map(lambda p: names.get(p) if isinstance(p, str) else None)
    return pd.DataFrame({"name": names.astype(str), "role": r["role"], "role_key": role, "peer_name": peer},
                        index=ids)


def _headline(team, ids: pd.Index) -> pd.DataFrame:
    d = team.diagnosis
    r = d.reps.set_index("rep_id").reindex(ids)
    board = leaderboard(team.card, team.table).set_index("rep_id").reindex(ids)
    out = pd.DataFrame({"score": board["score"], "rank": board["rank"].astype("float"),
                        "n_in_role": board["n_in_role"]}, index=ids)
    for col in HEADLINE_FACTS:
        out[col] = r[col] if col in r else math.nan
    for col in [c for c in r.columns if c.startswith(("bottleneck_", "weakest_"))]:
        out[col] = r[col]
    out["strengths"] = r["strengths"].map(lambda s: ",".join(s) if isinstance(s, list) else "")
    also = r["also_weak"] if "also_weak" in r else pd.Series(None, index=ids, dtype="object")
    out["also_weak"] = also.map(lambda s: ",".join(s) if isinstance(s, list) else "")
    return out


def _role_funnel(steps: pd.DataFrame) -> pd.DataFrame:
    """The team reference of every step, exactly as the bottleneck test used it (median and quartiles of
    the rates of the role's reps with enough deals there), for roles of at least 3 such reps."""
    cols = ["role", "step", "q1", "median", "q3", "n"]
    if steps is None or not len(steps) or "team_median" not in steps:
        return pd.DataFrame(columns=cols)
    rungs = steps[steps["source"] == "rung"].drop_duplicates(["role", "step"])
    out = pd.DataFrame({"role": rungs["role"], "step": rungs["step"], "q1": rungs["team_q1"],
                        "median": rungs["team_median"], "q3": rungs["team_q3"], "n": rungs["team_reps"]})
    return _shown(out[out["n"] >= MIN_GROUP].reset_index(drop=True), ("q1", "median", "q3"))


def _series(long: pd.DataFrame, ids: pd.Index, column: str, name: str, deals: str | None = None) -> pd.DataFrame:
    """One rep's series; with `deals`, the count of deals behind each bucket as well (a won deal of no amount
    is still a month with a won deal)."""
    cols = ["rep_id", "start", name, *(["deals"] if deals else [])]
    if long is None or not len(long):
        return pd.DataFrame(columns=cols)
    s = long[long["rep_id"].isin(ids)]
    out = pd.DataFrame({"rep_id": s["rep_id"].to_numpy(), "start": s["period_start"].dt.date.astype(str).to_numpy(),
                        name: s[column].to_numpy()})
    if deals:
        out["deals"] = s[deals].to_numpy() if deals in s else float("nan")
    return out


def _recent(weekly: pd.DataFrame) -> pd.DataFrame:
    if not len(weekly) or weekly["activities"].isna().all():
        return weekly.iloc[0:0]
    return weekly[weekly["start"].isin(sorted(set(weekly["start"]))[-RECENT_WEEKS:])].reset_index(drop=True)


def _role_series(long: pd.DataFrame, ids: pd.Index, role: pd.Series, column: str) -> pd.DataFrame:
    if long is None or not len(long) or long[column].isna().all():
        return pd.DataFrame(columns=["role", "start", "median", "n"])
    s = long[long["rep_id"].isin(ids)]
    s = s.assign(role=s["rep_id"].map(role), start=s["period_start"].dt.date.astype(str))
    q = quartiles(s, ["role", "start"], column)
    return q[["role", "start", "median", "n"]]


def _deals(deals: pd.DataFrame, ids: pd.Index) -> pd.DataFrame:
    cols = ["rep_id", "opportunity_id", "account", "amount", "close_date", "flags"]
    if deals is None or not len(deals):
        return pd.DataFrame(columns=cols)
    mine = deals[deals["rep_id"].isin(ids)].sort_values(["rep_id", "close_date", "opportunity_id"])
    return pd.DataFrame({
        "rep_id": mine["rep_id"].astype(str).to_numpy(), "opportunity_id": mine["opportunity_id"].astype(str).to_numpy(),
        "account": mine["account"].fillna("").astype(str).to_numpy(), "amount": mine["amount"].to_numpy(),
        "close_date": mine["close_date"].dt.date.astype("string").to_numpy(),
        "flags": hygiene_flags_of(mine).to_numpy() if len(mine) else []})


LEAD_FACTS = ("leads", "high_share", "low_share", "team_low_share", "team_high_share", "high_leads",
              "high_conversion", "team_high_conversion", "wasted_effort_share", "low_quality",
              "weak_good_lead_conversion")


def _leads(lq: pd.DataFrame, ids: pd.Index) -> pd.DataFrame:
    if lq is None or "leads" not in lq:
        return pd.DataFrame(index=ids)
    return lq.set_index("rep_id").reindex(ids)[[c for c in LEAD_FACTS if c in lq]]


DEAL_KINDS = ("outcome", "pipeline", "funnel", "efficiency", "hygiene")


def _role_metrics(values: pd.DataFrame, role: pd.Series, sellers: pd.Index) -> pd.DataFrame:
    """Quartiles per role and metric; deal figures over the reps who have deals, the rest over everyone."""
    deal = [m for m in values.columns if m in CATALOGUE and CATALOGUE[m].kind in DEAL_KINDS]
    other = [m for m in values.columns if m not in deal]
    parts = [values.loc[sellers, deal], values[other]]
    long = pd.concat([p.assign(role=role.reindex(p.index)).melt(id_vars="role", var_name="metric") for p in parts])
    return quartiles(long, ["role", "metric"], "value")


def _role_mix(mix: pd.DataFrame, role: pd.Series, card) -> pd.DataFrame:
    """Per role and activity type: the median share, and the mean share of the role's top quarter by score
    (None when that quarter would be a single rep, whose mix it would reveal)."""
    if mix is None or not len(mix.columns):
        return pd.DataFrame(columns=["role", "activity", "top", "team", "n"])
    scores = card.scores.set_index("rep_id")["score"].reindex(mix.index)
    rows = []
    for r, members in mix.groupby(role.reindex(mix.index)).groups.items():
        if len(members) < MIN_GROUP:
            continue
        ranked = scores.reindex(members).dropna().sort_values(ascending=False, kind="stable")
        k = math.ceil(len(ranked) / 4)
        top = mix.loc[ranked.index[:k]] if k >= MIN_TOP_GROUP else None
        for t in mix.columns:
            rows.append({"role": r, "activity": t, "team": mix.loc[members, t].median(),
                         "top": top[t].mean() if top is not None else math.nan, "n": len(members)})
    return pd.DataFrame(rows, columns=["role", "activity", "top", "team", "n"])


def _practices(d) -> tuple[pd.DataFrame, str]:
    """The team's notable top-performer differences, each a mean of its top quarter and of the rest: shown only
    when both groups hold at least `MIN_GROUP` reps. Returns them and, when some were withheld, why."""
    tp = d.top_performers
    cols = ["feature", "label", "kind", "top_mean", "rest_mean", "ratio", "size", "within_role"]
    if tp is None or not len(tp) or "notable" not in tp:
        return pd.DataFrame(columns=cols), ""
    notable = tp[tp["notable"]]
    sizes = [c for c in ("n_top", "n_rest") if c in notable]
    shown = notable[(notable[sizes] >= MIN_GROUP).all(axis=1)] if sizes else notable.iloc[0:0]
    why = (f"the top quarter holds fewer than {MIN_GROUP} reps, too few to show its figures without giving a "
           "colleague's away" if len(shown) < len(notable) else "")
    return shown[cols].reset_index(drop=True), why


# ------------------------------------------------------------------ aggregates (team-wide, anonymous)


def quartiles(frame: pd.DataFrame, by: list[str], value: str) -> pd.DataFrame:
    """``by..., q1, median, q3, n`` of `value` per group, only groups of `MIN_GROUP` values or more, rounded."""
    v = frame.dropna(subset=[value])
    g = v.groupby(by)[value]
    out = pd.DataFrame({"q1": g.quantile(0.25), "median": g.median(), "q3": g.quantile(0.75), "n": g.size()})
    return _shown(out[out["n"] >= MIN_GROUP].reset_index(), ("q1", "median", "q3"))


def shown_figure(x):
    """An aggregate as a report may show it: `SHOWN_DIGITS` significant digits (None/NaN unchanged)."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return x
    return x if not math.isfinite(x) or x == 0 else round(x, SHOWN_DIGITS - 1 - math.floor(math.log10(abs(x))))


def _shown(frame: pd.DataFrame, columns) -> pd.DataFrame:
    for col in columns:
        if col in frame and len(frame):
            frame[col] = frame[col].map(shown_figure).astype(float)
    return frame


# role figures the words show as a whole percent: rounded once, to that, so the report says what diagnose says
# (0.2545 read "25%" in diagnose and, rounded first to 0.255, "26%" in the report)
PERCENT_FIGURES = ("pipeline_ratio", "created_ratio", "closing", "team_low_share", "team_high_share",
                   "team_high_conversion")


def role_figures(frame: pd.DataFrame, small_role: pd.Series) -> pd.DataFrame:
    """`frame` (per rep) with its role aggregates rounded, and blanked for reps of a role too small to show one."""
    for col in [c for c in ROLE_FIGURES if c in frame]:
        shown = frame[col].where(~small_role.reindex(frame.index).fillna(True).astype(bool)).astype(float)
        frame[col] = shown.round(2) if col in PERCENT_FIGURES else shown.map(shown_figure).astype(float)
    return frame


def step_figures(frame: pd.DataFrame, role: pd.Series, role_funnel: pd.DataFrame) -> pd.DataFrame:
    """`frame` (per rep) with the role figures of a funnel step blanked where the role's figures of that step are
    not shown (`_role_funnel`: fewer than MIN_GROUP reps with enough deals there). A volume step (too few leads)
    is read against the rest of the role, whose size `role_figures` already checked."""
    shown = set(zip(role_funnel["role"].map(role_key), role_funnel["step"]))
    for step_col, cols in STEP_FIGURES.items():
        if step_col not in frame:
            continue
        source = frame["bottleneck_source"] if step_col == "bottleneck" and "bottleneck_source" in frame else None
        rung = ~source.eq("volume") if source is not None else pd.Series(True, index=frame.index)
        keys = zip(role.reindex(frame.index), frame[step_col])
        hidden = rung.to_numpy() & ~pd.Series([k in shown for k in keys], index=frame.index).to_numpy()
        for col in [c for c in cols if c in frame]:
            frame[col] = frame[col].where(~hidden)
    return frame


def role_of(reps: pd.DataFrame) -> pd.Series:
    return reps["role"].map(role_key) if "role" in reps else pd.Series(role_key(None), index=reps.index)


def hygiene_flags_of(deals: pd.DataFrame) -> pd.Series:
    return deals[list(HYGIENE_FLAGS)].apply(lambda r: ",".join(f for f in HYGIENE_FLAGS if bool(r[f])), axis=1)
