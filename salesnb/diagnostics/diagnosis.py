"""`diagnose`: run every diagnosis for one period and collect the findings in a `Diagnosis`."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..metrics import CATALOGUE, funnel_counts, metrics, team_summary
from ..leaderboard import leaderboard, no_deal_notes, outcome_notes, withheld_notes
from ..metrics.context import settled_leads_at
from ..metrics.funnel import settling_note
from ..metrics.coverage import activity_window
from ..validate.duplicates import copies_set_aside
from ..metrics.profile import left_out_note, requirements
from ..scorecard import score
from ..schema import ACTIVITY_TYPES
from ..terms import ACTIVITY, STEPS, role_key
from . import bottleneck as bn
from . import thresholds as th
from . import (change, concentration, early_warning, evidence, foresight, hygiene, lead_quality, leavers,
               pairing, top_performers, vanity)

ACTIVITY_TYPES_FOR_MIX = ("call", "email", "meeting", "visit", "social", "mail")


@dataclass
class Diagnosis:
    """Every finding of one period, as facts: DataFrames of figures and verdicts, plus the team.

    No sentences: each reader words the facts for its audience (`salesnb.words`); the JSON document is
    `salesnb.pages.diagnose_json.to_document(d)`."""

    period: str
    period_start: pd.Timestamp
    period_end: pd.Timestamp
    as_of: pd.Timestamp
    outcome: str  # "attainment" or "won_revenue": what the audits and top quartile are measured by
    reps: pd.DataFrame  # one row per current rep: the headline of every diagnosis
    team: dict
    teams: pd.DataFrame
    bottleneck: pd.DataFrame
    funnel_steps: pd.DataFrame
    vanity: pd.DataFrame
    top_performers: pd.DataFrame
    pairing: pd.DataFrame
    early_warning: pd.DataFrame
    lead_quality: pd.DataFrame
    lead_bands: pd.DataFrame
    hygiene: pd.DataFrame
    hygiene_deals: pd.DataFrame
    breakdown: pd.DataFrame
    unavailable: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    too_early: str | None = None  # why outcomes cannot rank reps yet (vanity audit and top performers wait)
    currency: str = ""
    track_record: object = None  # foresight.TrackRecord: how the early warning did on earlier periods
    warning_basis: dict = field(default_factory=dict)  # what the early warning's projection was learned from
    change: object = None  # change.Change: what moved since the previous comparable period
    activity_window: object = None  # metrics.coverage.ActivityWindow: the days activity rates are per week of
    shape: object = None  # shape.ExportShape: what the data holds (every section asks it)
    settled_leads: object = None  # metrics.context.SettledLeads: the leads old enough to count in rates over leads
    deals_settling: str = ""  # which recent deals the funnel's steps leave out (`metrics.funnel.settling_note`), or ""


def _active_days(reps: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Days each rep was employed in [start, end] (the window the counts cover)."""
    lo = pd.Series(start, index=reps.index)
    hi = pd.Series(end, index=reps.index)
    if "hire_date" in reps:
        lo = reps["hire_date"].where(reps["hire_date"] > start, start).fillna(start)
    if "end_date" in reps:
        hi = reps["end_date"].where(reps["end_date"] < end, end).fillna(end)
    return ((hi - lo).dt.days + 1).clip(lower=0).astype(float)


def ramped_days(reps: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """`_active_days`, where each of the first ``RAMP_DAYS`` after a rep's hire date counts ``RAMP_WEIGHT`` of a
    day: a new hire's volume is compared with the role's pace as the pace of someone still ramping up."""
    days = _active_days(reps, start, end)
    if "hire_date" not in reps:
        return days
    hire = reps["hire_date"]
    ramp_end = hire + pd.Timedelta(days=th.RAMP_DAYS - 1)
    lo = hire.where(hire > start, start)
    hi = ramp_end.where(ramp_end < end, end)
    ramping = ((hi - lo).dt.days + 1).clip(lower=0).fillna(0).astype(float)
    return days - (1 - th.RAMP_WEIGHT) * np.minimum(ramping, days)


def ramping_since(reps: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """The hire date (ISO) of reps whose first ``RAMP_DAYS`` overlap [start, end]: the report says they joined
    and how that is counted; None for the others and where the data has no hire dates."""
    if "hire_date" not in reps:
        return pd.Series([None] * len(reps), index=reps.index, dtype="object")
    hire = reps["hire_date"]
    on = (hire + pd.Timedelta(days=th.RAMP_DAYS - 1) >= start) & (hire <= end)
    return hire.dt.strftime("%Y-%m-%d").where(on.fillna(False)).astype("object").where(lambda x: x.notna(), None)


def active_weeks(reps: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Weeks each rep was employed in [start, end] (NaN for none): activity counts are compared per active week,
    so a mid-year hire is not short of calls for the months before they joined."""
    return _weeks(_active_days(reps, start, end))


_FROM_DATA = object()


def activity_weeks(dataset, reps: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, window=_FROM_DATA) -> pd.Series:
    """Weeks each rep was employed inside the window the activities cover (`coverage.activity_window`, or the
    `window` already found for the whole team): the divisor of every activity rate."""
    w = (activity_window(dataset.activities if dataset.has("activities") else None, start, end)
         if window is _FROM_DATA else window)
    return active_weeks(reps, w.start, w.end) if w is not None else active_weeks(reps, start, end)


def _weeks(days: pd.Series) -> pd.Series:
    return (days / 7).where(days > 0)


def _lead_source_shares(dataset, reps: pd.Index, start, end) -> pd.DataFrame:
    o = dataset.opportunities
    o = o[o["rep_id"].isin(reps) & (o["created_date"] >= start) & (o["created_date"] <= end)]
    if o["lead_source"].notna().sum() == 0:
        return pd.DataFrame(index=reps)
    shares = pd.crosstab(o["rep_id"], o["lead_source"].fillna("unknown"), normalize="index")
    shares.columns = [f"source_{c}" for c in shares.columns]
    return shares.reindex(reps)


def _features(values: pd.DataFrame, active_weeks: pd.Series, sources: pd.DataFrame) -> tuple[pd.DataFrame, dict, dict, dict]:
    """The top-performer comparison features, with their group, label and display kind."""
    feats, groups, labels, kinds = {}, {}, {}, {}
    acts = [t for t in ACTIVITY_TYPES_FOR_MIX if f"act_{t}" in values]
    if acts:
        total = values[[f"act_{t}" for t in acts]].sum(axis=1)
        for t in acts:
            noun = ACTIVITY[t].noun
            feats[f"{t}_per_week"] = values[f"act_{t}"] / active_weeks
            groups[f"{t}_per_week"], labels[f"{t}_per_week"] = "activity mix", f"{noun} per week"
            feats[f"{t}_share"] = values[f"act_{t}"] / total.where(total > 0)
            groups[f"{t}_share"], labels[f"{t}_share"], kinds[f"{t}_share"] = "channel mix", f"{noun} as a share of activity", "share"
    if "miles" in values:
        feats["miles_per_week"] = values["miles"] / active_weeks
        groups["miles_per_week"], labels["miles_per_week"] = "activity mix", "miles driven per week"
    for c in sources.columns:
        feats[c] = sources[c]
        groups[c], labels[c], kinds[c] = "lead sources", f"deals from {c[7:].replace('_', ' ')}", "share"
    for step in STEPS:
        name = f"conv_{step.rung}_{step.to}"
        if step.rung and name in values:
            feats[name], groups[name], kinds[name] = values[name], "conversion steps", "share"
            labels[name] = f"{step.moves} conversion"
    for name, group, label, kind in (("avg_deal_size", "deal size", "average deal size", "money"),
                                     ("win_rate", "conversion steps", "win rate", "share"),
                                     ("recurring_share", "deal size", "recurring share of revenue", "share"),
                                     ("lead_quality_high_share", "lead quality", "leads fitting the ideal-customer profile", "share"),
                                     ("assisted_deals", "collaboration", "deals assisted for colleagues", "number")):
        if name in values:
            feats[name], groups[name], labels[name], kinds[name] = values[name], group, label, kind
    return pd.DataFrame(feats, index=values.index), groups, labels, kinds


@dataclass
class TeamFindings:
    """What the reps of a group have in common, over that group: the outcome compared, the vanity audit and
    what top performers do differently (empty, with the reason in ``unavailable``, when it cannot be told)."""

    outcome: str  # "attainment" or "won_revenue"
    too_early: str | None
    vanity: pd.DataFrame
    top_performers: pd.DataFrame
    unavailable: dict[str, str]


def team_findings(dataset, table, reps: pd.Index, seed: int = 0, window=_FROM_DATA) -> TeamFindings:
    """The audit and the top-performer comparison over the current reps `reps` of `table` (the whole team in
    `diagnose`; one team of it in the explorer, with the whole team's activity `window`, so a team's rates are
    per week of the same days as everyone's)."""
    per, as_of_ts = table.period, table.as_of
    window_end = min(per.end, as_of_ts)
    info = table.reps.loc[reps]
    values = table.values.reindex(reps)
    weeks = activity_weeks(dataset, info, per.start, window_end, window)
    unavailable: dict[str, str] = {}
    outcome = "attainment" if "attainment" in values and values["attainment"].notna().sum() >= 3 else "won_revenue"
    perf = values[outcome] if outcome in values else pd.Series(np.nan, index=reps)
    # evidence: on day one of a period most reps tie at zero and outcomes cannot rank them yet
    closed_now = evidence.closed_deals(dataset.opportunities, reps, per.start, window_end, as_of_ts)
    early_reason = evidence.too_early(perf, int(closed_now.to_numpy().sum()), over=per.over(as_of_ts))

    # an activity type the export does not hold at all says nothing about anyone: it is not audited
    absent = {f"act_{t}" for t in ACTIVITY_TYPES} - {f"act_{t}" for t in dataset.shape.activity_types}
    act_cols = [m.name for m in CATALOGUE.values()
                if m.kind == "activity" and m.name in values and m.name != "leads" and m.name not in absent]
    if act_cols and perf.notna().any():
        per_week = values[act_cols].div(weeks, axis=0)
        labels = {m: CATALOGUE[m].label.lower() for m in act_cols}
        work = values["opportunities_created"] / weeks if "opportunities_created" in values else None
        vanity_df = vanity.audit(per_week, perf, labels, seed=seed, too_early=early_reason, roles=info["role"],
                                 volume=work)
    else:
        vanity_df = vanity.audit(pd.DataFrame(index=reps), perf)
        unavailable["vanity"] = table.unavailable.get("activities", dataset.missing("activities")
                                                      or "no activity metrics for this period")

    sources = _lead_source_shares(dataset, reps, per.start, window_end)
    feats, groups, flabels, kinds = _features(values, weeks, sources)
    top_df = top_performers.compare(feats, perf, groups, flabels, kinds, roles=info["role"])
    if perf.notna().sum() < 4:
        unavailable["top_performers"] = "fewer than 4 reps with an outcome: no quartile to compare"
    elif early_reason:
        unavailable["top_performers"] = (f"not available: {early_reason}" if per.over(as_of_ts)
                                         else f"not yet available: {early_reason}")
    if "top_performers" in unavailable:
        top_df = top_df.iloc[0:0]
    return TeamFindings(outcome, early_reason, vanity_df, top_df, unavailable)


def to_date_reason(per) -> str:
    """Why a to-date view ("ytd", ...) has no early warning, and how to see one."""
    return (f"a {per.to_date}-to-date view ends on the report date, so there is nothing ahead of it to project and "
            f"no early warning: choose the whole {per.to_date}, which goes on after the report date, to see where it "
            "is likely to end and the risk of missing quota")


def diagnose(dataset, period=None, as_of=None, weights=None, seed: int = 0, *,
             table=None, card=None, funnel=None, compare_to=None) -> Diagnosis:
    """Run every diagnosis for `period` (spec or Period; default: the dataset's) at `as_of`.

    weights: scorecard weights (a `Weights`, a dict, a preset name or None for the
    default preset). seed: the seed of the audit's resampling (deterministic).
    table, card, funnel: the `metrics(...)`, `score(table, weights)` and `funnel_counts(...)`
    of the same dataset, period and as_of when the caller has them already (they are not recomputed).
    Diagnoses whose tables are missing are listed in ``unavailable`` with the reason.
    compare_to: the period to compare with (`change.compare`; default: the previous comparable one).
    """
    if table is None:
        table = metrics(dataset, period, as_of)
    per, as_of_ts = table.period, table.as_of
    window_end = min(per.end, as_of_ts)
    unavailable: dict[str, str] = {}
    notes: list[str] = []
    info = table.reps
    current = info.index[info["active"].astype(bool)] if "active" in info else info.index
    evidence.check_period(dataset, per, as_of_ts, len(current))
    reps = info.loc[current]
    reps_df = reps.reset_index()[["rep_id", "role"]].assign(role=lambda d: d["role"].map(role_key))
    values = table.values.reindex(current)
    active_days = ramped_days(reps, per.start, window_end)

    if card is None:
        card = score(table, weights)
    board = leaderboard(card, table).set_index("rep_id")
    notes += outcome_notes(table) + withheld_notes(reps, card.weights.group_by) + no_deal_notes(card, table)
    breakdown = card.breakdown

    # 1. bottleneck
    if funnel is None:
        funnel = funnel_counts(dataset, per, as_of_ts)
    if dataset.has("leads") and "leads" in values:
        vol_unit, vol_count = "leads", values["leads"]
    else:
        vol_unit, vol_count = "opportunities", values.get("opportunities_created", pd.Series(np.nan, index=current))
        notes.append("No leads table: prospecting is judged on opportunities created (named 'qualifying').")
    volume = pd.DataFrame({"rep_id": current, "count": vol_count.reindex(current).fillna(0).to_numpy(),
                           "active_days": active_days.reindex(current).to_numpy()})
    neck, steps = bn.find_bottlenecks(funnel, reps_df, volume, vol_unit)
    deals_settling = settling_note(funnel.attrs.get("settling"), funnel.attrs.get("settling_from") == "creation") or ""
    if deals_settling:
        notes.append(deals_settling)
    neck = bn.unmeasured(neck, reps, dataset.shape)
    if dataset.shape.lacks("leads"):  # no leads table: no strength at finding or qualifying leads
        neck["strengths"] = neck["strengths"].map(lambda s: [x for x in s if x not in ("prospecting", "qualifying")])
    if funnel.empty:
        unavailable["bottleneck"] = "no opportunities created in the period: nothing to read the funnel from"
    elif funnel.attrs.get("unmeasured"):
        unavailable["funnel_steps"] = funnel.attrs["unmeasured"]
    elif funnel.attrs.get("not_measured"):
        unavailable["funnel_steps"] = funnel.attrs["not_measured"]

    if orphaned := leavers.after_leaving(dataset.opportunities, dataset.reps.set_index("rep_id"), per.start,
                                         window_end, dataset.meta.currency):
        notes.append(orphaned)
    if copies := copies_set_aside(getattr(dataset, "report", None)):
        notes.append(f"{copies:,} activities were exact copies of another but for their id (logged twice by the "
                     "export): each was counted once ('salesnb validate' lists them).")

    # 2, 3. the vanity audit and what top performers do differently: over the whole team here
    found = team_findings(dataset, table, current, seed=seed)
    outcome, early_reason = found.outcome, found.too_early
    vanity_df, top_df = found.vanity, found.top_performers
    unavailable.update(found.unavailable)

    # 4. pairing
    pairs = pairing.suggest_pairs(neck, steps)

    # 5. early warning: a projection from the team's own history, so it exists from day one of a period
    ew_basis: dict = {}
    has_quota = "quota" in values and values["quota"].notna().any()
    # no warning for a to-date view (it ends on the report date: nothing ahead to project, and never over), nor
    # while the period runs without open or lost deals in the export (the projection weighs the open deals by how
    # often the team's deals were won or lost from their stage: it would only extend the wins)
    no_warning = to_date_reason(per) if per.to_date else (
        None if per.over(as_of_ts) else dataset.shape.lacks("open_deals", "lost_deals"))
    if has_quota and no_warning:
        ew = pd.DataFrame(index=current)
        record = None
        unavailable["early_warning"] = no_warning
    elif has_quota:
        ew, fit = foresight.warning_at(dataset, table, current, reps["role"])
        # a role that owns no deals (SDRs) cannot close its revenue quota itself: no forecast, no flag
        dealless = [r for r in dataset.shape.roles_without_deals if (reps["role"] == r).any()] if "role" in reps else []
        if dealless:
            ew = ew[~ew.index.isin(reps.index[reps["role"].isin(dealless)])]
            notes.append(f"No early warning for the {', '.join(dealless)} role: it owns no deals in this data, so "
                         "its reps' revenue quota is not theirs to close (add their deals, or give them a quota "
                         "they own).")
        record = foresight.track_record(dataset, per, as_of_ts, info["role"] if "role" in info else
                                        pd.Series(dtype="str"))
        ew_basis = warning_basis(fit)
        notes.append(warning_note(ew_basis))
    else:
        ew = pd.DataFrame(index=current)
        record = None
        unavailable["early_warning"] = dataset.missing("quotas") or "no quota covers this period"

    # 6. lead quality
    met, left_out = requirements(dataset.leads, dataset.meta.icp) if dataset.has("leads") else ({}, [])
    settled = settled_leads_at(dataset, window_end, as_of_ts) if dataset.has("leads") else None
    if settled is not None and settled.note():
        notes.append(settled.note())
    if dataset.has("leads") and met:
        leads = dataset.leads[(dataset.leads["created_date"] >= per.start) & (dataset.leads["created_date"] <= window_end)]
        bands, lq = lead_quality.assess(leads, dataset.opportunities, values.get("wasted_effort_share"),
                                        dataset.meta.icp, reps_df, settled.last)
        if left_out_note(left_out):
            notes.append(left_out_note(left_out))
    elif dataset.has("leads"):
        bands, lq = pd.DataFrame(), pd.DataFrame({"rep_id": current})
        unavailable["lead_quality"] = ("the leads have no company_size, has_need or decision_maker values, so the "
                                       "ideal-customer profile cannot be applied: add one of those columns to leads "
                                       "to see lead quality")
    else:
        bands, lq = pd.DataFrame(), pd.DataFrame({"rep_id": current})
        unavailable["lead_quality"] = dataset.missing("leads")

    # 7. hygiene
    opps = dataset.opportunities[dataset.opportunities["rep_id"].isin(current)]
    deals, basis = hygiene.flag_deals(opps, dataset.activities, as_of_ts, dataset.stage_history)
    open_counts = hygiene.open_at(opps, as_of_ts).groupby("rep_id").size()
    hyg = hygiene.summarise(deals, pd.Index(current), open_counts)
    notes.append(f"Stale deals: {basis}.")
    if not opps["next_step"].notna().any():
        unavailable["next_step"] = hygiene.NO_NEXT_STEPS

    rep_table = _rep_table(reps, values, board, neck, pairs, ew, lq, hyg, period_over=per.over(as_of_ts))
    rep_table["joined"] = rep_table["rep_id"].map(ramping_since(reps, per.start, window_end)).astype("object")
    concentration.standing(rep_table, concentration.largest_deals(dataset.opportunities, pd.Index(current), per.start,
                                                     per.end, as_of_ts))
    since = change.compare(dataset, per, as_of_ts, card.weights, pd.Index(current), compare_to)
    if dataset.shape.lacks("lost_deals") and not since.unavailable:  # every step 100% then and now: no change
        since.steps = since.steps.iloc[0:0]
    if since.unavailable:
        unavailable["change"] = since.unavailable
    if since.note:
        notes.append(since.note)
    teams = team_summary(table, dataset)
    team = team_totals(teams, ew)
    # what the data does not hold makes its findings unavailable, with the reason and how to add it
    for section, reason in dataset.shape.unavailable().items():
        unavailable.setdefault(section, reason)
    return Diagnosis(
        period=per.label, period_start=per.start, period_end=per.end, as_of=as_of_ts, outcome=outcome,
        reps=rep_table, team=team, teams=teams.reset_index(), bottleneck=neck, funnel_steps=steps, vanity=vanity_df,
        top_performers=top_df, pairing=pairs, early_warning=ew.reset_index(), lead_quality=lq, lead_bands=bands,
        hygiene=hyg, hygiene_deals=deals, breakdown=breakdown, unavailable=unavailable, notes=notes,
        too_early=early_reason, currency=dataset.meta.currency, track_record=record, warning_basis=ew_basis,
        change=since, shape=dataset.shape, settled_leads=settled, deals_settling=deals_settling,
        activity_window=activity_window(dataset.activities if dataset.has("activities") else None, per.start,
                                        window_end),
    )


def warning_basis(fit) -> dict:
    """What the early warning's projection was learned from, as facts (`projection.Fit`)."""
    from .projection import BY_AGE, HIGH, LOW

    s = fit.season
    return {"flag_at": early_warning.FLAG_AT, "likely_range": [LOW, HIGH],
            "win_chances_by": "deal age" if fit.stages == BY_AGE else "stage and age in stage",
            "season": s.source if s is not None else None, "season_years": list(s.years) if s is not None else [],
            "closed_deals": fit.closed_deals, "typical_cycle_days": fit.typical_cycle}


def warning_note(basis: dict) -> str:
    """The early warning's method in one note (the notes name what the figures were learned from)."""
    from . import season

    chances = ("each open deal's chance from the deals the team closed in the last 12 months at the same stage "
               "and age in stage" if basis["win_chances_by"] != "deal age" else
               "each open deal's chance from the deals the team closed in the last 12 months of the same age "
               "(no stage history: add stage_history.csv to weigh deals by stage)")
    when = {season.EARLIER_YEARS: f"the season of earlier years ({', '.join(basis.get('season_years', []))})",
            season.PHASED_QUOTAS: "the season the quotas are phased by",
            season.EVEN: "an even year (no earlier whole year of data and no phased quotas to show a season)"}
    return (f"Early warning: {chances}, plus new business at each rep's pace (leaning toward the role's) shaped "
            f"by {when.get(basis['season'], 'an even year')}; a rep is flagged when missing quota is at least "
            f"{round(basis['flag_at'] * 100)}% likely.")


RISK_FACTS = ("projected_attainment", "low", "high", "likely_low", "likely_high", "chance", "p_miss",
              "pipeline_expected", "pipeline_value", "open_deals", "new_expected", "closing", "pipeline_ratio",
              "created_ratio", "due_by_now", *early_warning.REASONS, "finished", "verdict", "short_by")
BOTTLENECK_FACTS = ("to", "reached", "advanced", "rate", "team_median", "team_q1", "team_q3", "expected", "unit",
                    "source", "lost_wins", "deals", "deals_step", "deals_to", "deals_needed", "no_deals", "unmeasured",
                    "team_rate", "rate_low", "rate_high", "effect", "q_low", "sure")


def _rep_table(reps, values, board, neck, pairs, ew, lq, hyg, period_over: bool = False) -> pd.DataFrame:
    """One row per current rep: the headline facts of every diagnosis (what `--json` prints per rep)."""
    out = pd.DataFrame(index=reps.index)
    out["name"] = reps["name"]
    out["team"] = reps.get("team")
    out["role"] = reps.get("role")
    # the leaderboard's score and rank within role (lone groups unscored): one rule everywhere
    out["score"] = board["score"].reindex(out.index)
    out["rank_in_role"] = board["rank"].reindex(out.index).astype("Int64")
    out["n_in_role"] = board["n_in_role"].reindex(out.index)
    for col in ("attainment", "won_revenue", "quota", "assisted_deals"):
        out[col] = values[col] if col in values else np.nan
    e = ew.reindex(out.index)
    out["projection"] = e["projection"] if "projection" in e else np.nan
    out["at_risk"] = e["at_risk"] if "at_risk" in e else np.nan
    if "has_quota" in e:  # without a quota there is nothing to be at risk of missing: unknown, not "no"
        out["at_risk"] = out["at_risk"].where(e["has_quota"].fillna(False).astype(bool))
    for col in RISK_FACTS:
        out[col] = e[col] if col in e else np.nan
    n = neck.set_index("rep_id")
    out["bottleneck"] = n["bottleneck"]
    out["strengths"] = n["strengths"]
    out["also_weak"] = n["also_weak"]
    for col in BOTTLENECK_FACTS:
        out[f"bottleneck_{col}"] = n[col] if col in n else np.nan
    for col in bn.WEAKEST_COLUMNS:
        out[col] = n[col] if col in n else np.nan
    p = pairs.set_index("rep_id")
    out["pair_with"] = p["pair_with"]
    out["pair_complementary"] = p["complementary"]
    q = lq.set_index("rep_id")
    out["low_quality_leads"] = q["low_quality"] if "low_quality" in q else np.nan
    out["weak_good_lead_conversion"] = q["weak_good_lead_conversion"] if "weak_good_lead_conversion" in q else np.nan
    out["hygiene_flags"] = hyg.set_index("rep_id")[list(hygiene.FLAGS)].sum(axis=1)
    out["period_over"] = period_over
    out.index.name = "rep_id"
    return out.reset_index()


def team_totals(teams: pd.DataFrame, ew: pd.DataFrame) -> dict:
    """The whole team: target (team_quotas when given), won, attainment and projection.

    The projection adds the current reps' expected wins from open pipeline to everything
    already won (leavers' wins included: the team booked them). Attainment is measured on
    what the target covers (``quota_won``, ``quota_projection``): a target summed from the
    reps' quotas leaves out the reps without one, and their wins (``reps_without_quota``,
    ``won_without_quota``) are said apart, not counted towards a target set without them.
    """
    won = float(teams["won_revenue"].sum()) if len(teams) else 0.0
    target = float(teams["quota"].sum(min_count=1)) if len(teams) else math.nan
    ok = np.isfinite(target) and target > 0
    covered = teams["quota"].notna() if "quota" in teams else pd.Series(False, index=teams.index)
    counted = (teams["quota_won"] if "quota_won" in teams else teams["won_revenue"]).where(covered, 0.0)
    quota_won = float(counted.sum()) if ok else math.nan
    without = int(teams["reps_without_quota"].sum()) if "reps_without_quota" in teams and ok else 0
    has = ew["has_quota"].fillna(False).astype(bool) if "has_quota" in ew else pd.Series(True, index=ew.index)
    gained = ew["projection"] - ew["won"] if "projection" in ew else pd.Series(math.nan, index=ew.index)
    pending = float(gained.sum()) if "projection" in ew else math.nan
    proj = won + pending
    quota_proj = quota_won + float(gained[has].sum()) if ok and "projection" in ew else math.nan
    return {"target": target, "won": won, "attainment": quota_won / target if ok else math.nan,
            "projection": proj, "projected_attainment": quota_proj / target if ok else math.nan,
            "quota_won": quota_won, "quota_projection": quota_proj, "reps_without_quota": without,
            "won_without_quota": won - quota_won if ok else math.nan}
