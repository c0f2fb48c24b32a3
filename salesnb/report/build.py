"""Build one rep's `RepView` from that rep's `RepSlice`: facts only, one small function per section."""
from __future__ import annotations

from ..diagnostics.thresholds import MIN_REACHED
from ..metrics.catalogue import CATALOGUE, FUNNEL_RUNGS
from ..present import by_unit
from ..terms import HYGIENE_FLAGS, STEP, STEP_KEYS, STEP_OF_RUNG, hygiene_checked
from .facts import (TeamProgress, ActivityMix, FlaggedDeal, Funnel, Headline, Hygiene, LastReport, Leak, LeadQuality, MetricRow,
                    MixRow, Peer, PeriodChange, Point, Practice, QuotaProgress, Quartiles, RepView, Risk, ScorePart,
                    StepChange, StepFigures, Strength, Trend, WarningRecord, Weakest, WeightsUsed, clean_number)
from .inputs import RepSlice

QUALITY_METRICS = ("leads", "lead_quality_high_share", "conv_quality_high", "conv_quality_low", "conv_lead_qualified",
                   "wasted_effort_share", "avg_deal_size", "recurring_share")
HYGIENE_METRICS = {"no_next_step": "open_no_next_step", "stale": "stale_deals", "past_close_date": "past_close_date"}
MAX_STRENGTHS = 4
MIN_DEALS = MIN_REACHED  # a rate over fewer deals (or leads) than this is no strength: one won of one is 100%
# what a metric's figure rests on: the count in the rep's values (or the funnel step) it is a rate or sum of
DEALS_BEHIND = {
    **{m: "deals_won" for m in ("won_revenue", "attainment", "avg_deal_size", "sales_cycle_days", "recurring_share",
                                "revenue_per_activity", "revenue_per_mile", "win_rate", "win_rate_value")},
    **{m: "open_deals" for m in ("open_pipeline", "pipeline_in_period", "pipeline_coverage", "sales_velocity")},
    **{m: "leads" for m in ("lead_quality_high_share", "conv_quality_high", "conv_quality_low")},
    "assisted_revenue": "assisted_deals",
    **{m: STEP_OF_RUNG[rung] for m, rung, _to in FUNNEL_RUNGS},  # a funnel step: the deals that reached it
}
# ... of which sums (and sums over a quota or effort): facts however few deals make them, not rates to weigh
SUMS = ("won_revenue", "attainment", "assisted_revenue", "open_pipeline", "pipeline_in_period", "pipeline_coverage",
        "revenue_per_activity", "revenue_per_mile")


def build_view(s: RepSlice, last: dict | None = None) -> RepView:
    """The view of the rep `s` is about; `last`: the record of the rep's previous report (`batch.history`)."""
    m = s.meta
    head = headline(s)
    view = RepView(
        rep_id=s.rep_id, name=str(s.rep["name"]), role=s.rep.get("role"), period_label=m["period_label"],
        as_of=m["as_of"], currency=m["currency"], dataset_name=m["dataset_name"],
        headline=head, strengths=strengths(s, modest=head.no_praise), funnel=funnel(s), activity_mix=activity_mix(s),
        lead_quality=lead_quality(s), hygiene=hygiene(s), trend=trend(s), peer=peer(s), breakdown=breakdown(s),
        weights=WeightsUsed(**m["weights"]), change=change(s), warning_record=warning_record(s),
        team=TeamProgress(**m["team_progress"]) if m.get("team_progress") else None, unavailable=unavailable(s),
        holds=m.get("holds") or "", leads_settling=m.get("leads_settling") or "",
        few_in_role=s.rep["role_key"] in m.get("small_roles", []),
        deals_settling=m.get("deals_settling") or "")
    view.last_report = last_report(view, last) if last else None
    return view


def _num(x) -> float | None:
    return clean_number(x)


def _int(x) -> int | None:
    v = clean_number(x)
    return None if v is None else int(round(v))


def _quartiles(agg: dict | None) -> Quartiles | None:
    if not agg:
        return None
    return Quartiles(q1=_num(agg.get("q1")), median=_num(agg.get("median")), q3=_num(agg.get("q3")),
                     n=int(agg.get("n") or 0))


# ------------------------------------------------------------------ sections


def headline(s: RepSlice) -> Headline:
    h, v = s.headline, s.values
    quota = _num(v.get("quota"))
    risk = None
    if h.get("at_risk") is not None and quota:
        risk = Risk(at_risk=bool(h["at_risk"]), finished=bool(h.get("finished")), won=_num(v.get("won_revenue")),
                    attainment=_num(v.get("attainment")), projected_attainment=_num(h.get("projected_attainment")),
                    likely_low=_num(h.get("likely_low")), likely_high=_num(h.get("likely_high")),
                    chance=_num(h.get("chance")), open_deals=_int(h.get("open_deals")) or 0,
                    pipeline_expected=_num(h.get("pipeline_expected")), pipeline_ratio=_num(h.get("pipeline_ratio")),
                    closing=_num(h.get("closing")), created_ratio=_num(h.get("created_ratio")),
                    due_by_now=_num(h.get("due_by_now")),
                    **{k: bool(h.get(k)) for k in ("pipeline_short", "closing_slow", "few_new_deals", "behind")},
                    verdict=h.get("verdict") if isinstance(h.get("verdict"), str) else None,
                    short_by=_num(h.get("short_by")))
    return Headline(won=_num(v.get("won_revenue")), quota=quota, attainment=_num(v.get("attainment")),
                    projection=_num(h.get("projection")),
                    projected_attainment=_num(h.get("projected_attainment")) if quota else None,
                    score=_num(h.get("score")), rank=_int(h.get("rank")), n_in_role=_int(h.get("n_in_role")) or 0,
                    risk=risk, finished=bool(s.meta.get("period_over")) or bool(risk and risk.finished),
                    below_median=bool(h.get("below_median") is True),
                    largest_deal_share=_num(h.get("largest_deal_share")),
                    carried_by_one_deal=bool(h.get("carried_by_one_deal") is True),
                    attainment_without_largest=_num(h.get("attainment_without_largest")),
                    joined=h.get("joined") if isinstance(h.get("joined"), str) else None,
                    volume_unit=s.meta.get("volume_unit") or "leads")


def deals_behind(s: RepSlice, metric: str) -> int | None:
    """How many deals (or leads) the rep's figure of `metric` rests on; None for a figure that is no rate or sum
    over deals (activities, hygiene counts). A win rate rests on the deals closed (won / win rate)."""
    what = DEALS_BEHIND.get(metric)
    if what is None:
        return None
    if what in STEP:
        return next((int(r["reached"]) for r in s.funnel if r["step"] == what), 0)
    count = _num(s.values.get(what)) or 0.0
    rate = _num(s.values.get(metric))
    if metric == "win_rate" and rate:
        count = count / rate
    return int(round(count))


def strengths(s: RepSlice, modest: bool = False) -> list[Strength]:
    """Funnel steps clearly above the rest of the role (with the role's median shown); else weighted metrics
    where the rep is among the best of the role: strictly better than its median and in its best quarter (its
    upper quartile, lower when less is better), on a spread (no tie at the bottom), a figure other than 0, one
    that reads differently from the median, and at least `MIN_DEALS` deals behind it. `modest` (a rep below
    target or below the role's median): only figures that really stand out, strictly beyond that quartile."""
    steps = [x for x in str(s.headline.get("strengths") or "").split(",") if x in STEP]
    if steps:
        mine = {r["step"]: r for r in s.funnel}
        out = [Strength("step", k, _num(mine.get(k, {}).get("rate")),
                        _num((s.role_funnel.get(k) or {}).get("median")), to=mine.get(k, {}).get("to"))
               for k in steps]
        return [x for x in out if x.value is not None and x.team_median is not None]
    out = []
    for metric, _w in sorted(s.meta["weights"]["weights"].items(), key=lambda kv: -kv[1]):
        agg, value, m = s.role_metrics.get(metric), _num(s.values.get(metric)), CATALOGUE.get(metric)
        if not agg or value is None or m is None or agg.get("median") is None or agg["q3"] == agg["q1"]:
            continue
        if m.kind == "pipeline" and s.meta.get("period_over"):  # a finished period's pipeline is the next one's
            continue
        median, edge = agg["median"], agg["q3"] if m.higher_is_better else agg["q1"]
        better = (lambda a, b: a > b) if m.higher_is_better else (lambda a, b: a < b)
        best_quarter = better(value, edge) if modest else (value == edge or better(value, edge))
        deals = deals_behind(s, metric)
        if (best_quarter and better(value, median) and value != 0
                and by_unit(value, m.unit) != by_unit(median, m.unit)
                and (deals is None or deals >= MIN_DEALS)):
            out.append(Strength("metric", metric, value, _num(median), m.unit))
    return out[:MAX_STRENGTHS]


def funnel(s: RepSlice) -> Funnel | None:
    h = s.headline
    verdict = h.get("bottleneck") if isinstance(h.get("bottleneck"), str) else None
    rows = [StepFigures(step=r["step"], reached=int(r["reached"]), advanced=int(r["advanced"]), rate=_num(r["rate"]),
                        team=_quartiles(s.role_funnel.get(r["step"])), to=r.get("to"))
            for r in sorted(s.funnel, key=lambda r: STEP_KEYS.index(r["step"])) if r["reached"] > 0]
    if not verdict and not rows and not isinstance(h.get("bottleneck_unmeasured"), str):
        return None
    leak = None
    if verdict in STEP:
        leak = Leak(step=verdict, source=h.get("bottleneck_source") or "rung", unit=h.get("bottleneck_unit") or "deals",
                    reached=_int(h.get("bottleneck_reached")), advanced=_int(h.get("bottleneck_advanced")) or 0,
                    rate=_num(h.get("bottleneck_rate")), team_median=_num(h.get("bottleneck_team_median")),
                    team_q1=_num(h.get("bottleneck_team_q1")), team_q3=_num(h.get("bottleneck_team_q3")),
                    expected=_num(h.get("bottleneck_expected")), lost_wins=_num(h.get("bottleneck_lost_wins")),
                    to=h.get("bottleneck_to"), team_rate=_num(h.get("bottleneck_team_rate")),
                    rate_low=_num(h.get("bottleneck_rate_low")), rate_high=_num(h.get("bottleneck_rate_high")),
                    sure=h.get("bottleneck_sure") if isinstance(h.get("bottleneck_sure"), str) else None)
    weakest = None
    if h.get("weakest_step") in STEP:
        weakest = Weakest(step=h["weakest_step"], reached=_int(h["weakest_reached"]),
                          advanced=_int(h["weakest_advanced"]), rate=_num(h["weakest_rate"]),
                          team_median=_num(h["weakest_median"]), to=h.get("weakest_to"))
    unmeasured = h.get("bottleneck_unmeasured") if isinstance(h.get("bottleneck_unmeasured"), str) else None
    if unmeasured:  # rates the data cannot measure (100% by construction on won deals only) are not shown
        rows, weakest = [], None
    return Funnel(verdict=verdict or "", steps=rows, leak=leak, weakest=weakest,
                  deals=_int(h.get("bottleneck_deals")), deals_step=h.get("bottleneck_deals_step"),
                  deals_needed=_num(h.get("bottleneck_deals_needed")), deals_to=h.get("bottleneck_deals_to"),
                  unmeasured=unmeasured, period_over=bool(s.meta.get("period_over")),
                  also_weak=[x for x in str(h.get("also_weak") or "").split(",") if x in STEP] if leak else [])


def activity_mix(s: RepSlice) -> ActivityMix | None:
    if not s.mix:
        return None
    rows = []
    for t, you in s.mix.items():
        agg = s.role_mix.get(t) or {}
        row = MixRow(activity=t, you=_num(you), top=_num(agg.get("top")), team=_num(agg.get("team")))
        if any(x for x in (row.you, row.top, row.team)):
            rows.append(row)
    practices = [Practice(feature=p["feature"], label=str(p["label"]), kind=str(p["kind"]),
                          top_mean=float(p["top_mean"]), rest_mean=float(p["rest_mean"]), ratio=_num(p["ratio"]),
                          size=str(p["size"]), within_role=bool(p["within_role"])) for p in s.practices]
    return ActivityMix(rows=rows, practices=practices,
                       practices_unavailable=s.meta["unavailable"].get("top_performers"))


def _metric_row(s: RepSlice, metric: str) -> MetricRow | None:
    value, agg = _num(s.values.get(metric)), s.role_metrics.get(metric)
    if value is None and not agg:
        return None
    return MetricRow(metric=metric, unit=CATALOGUE[metric].unit, you=value, team=_num((agg or {}).get("median")))


def lead_quality(s: RepSlice) -> LeadQuality | None:
    rows = [r for m in QUALITY_METRICS if m in CATALOGUE and (r := _metric_row(s, m)) is not None]
    if not rows:
        return None
    q = s.leads or {}
    leads, high_share = _int(q.get("leads")) or 0, _num(q.get("high_share"))
    low, high = _share_interval(high_share, leads)
    return LeadQuality(rows=rows, leads=leads, high_share=high_share, high_share_low=low, high_share_high=high,
                       low_share=_num(q.get("low_share")), team_low_share=_num(q.get("team_low_share")),
                       team_high_share=_num(q.get("team_high_share")), high_leads=_int(q.get("high_leads")) or 0,
                       high_conversion=_num(q.get("high_conversion")),
                       team_high_conversion=_num(q.get("team_high_conversion")),
                       wasted_effort_share=_num(q.get("wasted_effort_share")),
                       low_quality=bool(q.get("low_quality")),
                       weak_good_lead_conversion=bool(q.get("weak_good_lead_conversion")))


def _share_interval(share: float | None, n: int) -> tuple[float | None, float | None]:
    """The 90% (Wilson) interval of a share of `n` (None without one)."""
    if share is None or n < 1:
        return None, None
    from ..diagnostics._stats import wilson
    from ..diagnostics.thresholds import INTERVAL

    low, high = wilson(round(share * n), n, INTERVAL)
    return float(low), float(high)


def hygiene(s: RepSlice) -> Hygiene | None:
    # a flag the data cannot check (no open deal, no next_step values, ...) has no count, not a count of zero
    checked = hygiene_checked(s.meta["unavailable"])
    counts = [r for f in HYGIENE_FLAGS
              if f in checked and (r := _metric_row(s, HYGIENE_METRICS[f])) is not None and r.you is not None]
    if not counts:
        return None
    deals = [FlaggedDeal(opportunity_id=str(d["opportunity_id"]), account=str(d.get("account") or ""),
                         amount=_num(d.get("amount")), close_date=d.get("close_date") or None,
                         flags=[f for f in str(d.get("flags") or "").split(",") if f]) for d in s.deals]
    return Hygiene(counts=counts, deals=deals)


def trend(s: RepSlice) -> Trend | None:
    months = [Point(start=r["start"], you=_num(r["won"]) or 0.0, team=_num((s.role_monthly.get(r["start"]) or {}).get("median")),
                    deals=_int(r.get("deals")))
              for r in s.monthly]
    if s.rep["role_key"] not in s.meta.get("roles_with_revenue", []) and not any(p.you for p in months):
        months = []  # a role that closes no deals (e.g. SDRs): no row of zeros to read as a verdict
    weeks = [Point(start=r["start"], you=_num(r["activities"]), team=_num((s.role_weekly.get(r["start"]) or {}).get("median")))
             for r in s.weekly]
    quotas = []
    quota = _num(s.values.get("quota"))
    if quota:
        quotas.append(QuotaProgress(span="period", won=_num(s.values.get("won_revenue")), quota=quota))
    q = s.quota_now
    # the current quota span (e.g. the quarter): won from the monthly series when the span starts on a month in it
    if q and months and q["start"].endswith("-01") and q["start"] >= months[0].start:
        won = sum((p.you or 0.0) for p in months if q["start"] <= p.start <= s.meta["as_of"])
        quotas.append(QuotaProgress(span="current", won=won, quota=float(q["quota"]), start=q["start"], end=q["end"]))
    if not (months or weeks or quotas):
        return None
    return Trend(months=months, weeks=weeks, quotas=quotas)


def peer(s: RepSlice) -> Peer | None:
    name, step = s.rep.get("peer_name"), s.headline.get("bottleneck")
    if not name or step not in STEP or s.rep["role_key"] in s.meta.get("small_roles", []):
        return None  # a role too small to compare with names no leak, so no one to learn it away from
    return Peer(name=str(name), step=step, complementary=bool(s.headline.get("pair_complementary")),
                to=s.headline.get("bottleneck_to"))


def breakdown(s: RepSlice) -> list[ScorePart]:
    """The parts of the rep's score; none without a score (points against nobody would read as a verdict)."""
    if _num(s.headline.get("score")) is None:
        return []
    weights = s.meta["weights"]["weights"]
    # a metric with no points at all (NaN) is not one the rep's role owns: no part of the score out of 100
    parts = [ScorePart(metric=m, unit=CATALOGUE[m].unit if m in CATALOGUE else "", value=_num(s.values.get(m)),
                       weight=float(weights.get(m, 0.0)), points=_num(p) or 0.0, few_deals=_few_deals(s, m))
             for m, p in s.points.items() if m in weights and _num(p) is not None]
    return sorted(parts, key=lambda p: -p.points)


def _few_deals(s: RepSlice, metric: str) -> int | None:
    """The deals (leads) a rate or average of the rep's rests on when they are fewer than `MIN_DEALS` (None
    otherwise, and for sums such as won revenue or attainment, which are facts however few deals make them)."""
    if metric in SUMS or _num(s.values.get(metric)) is None:
        return None
    n = deals_behind(s, metric)
    return n if n is not None and 0 < n < MIN_DEALS else None


def change(s: RepSlice) -> PeriodChange | None:
    c, meta = s.change, s.meta.get("change")
    if not c or not meta:
        return None
    steps = [StepChange(step=r["step"], to=r.get("to"), then_reached=_int(r["then_reached"]) or 0,
                        then_advanced=_int(r["then_advanced"]) or 0, then_rate=_num(r["then_rate"]),
                        now_reached=_int(r["now_reached"]) or 0, now_advanced=_int(r["now_advanced"]) or 0,
                        now_rate=_num(r["now_rate"]), moved=str(r["moved"]))
             for r in sorted(s.change_steps, key=lambda r: STEP_KEYS.index(r["step"]))]
    after = (pd_days(meta["now_as_of"]) - pd_days(meta["now_end"]))
    return PeriodChange(now=meta["now"], then=meta["then"], days_after_end=max(after, 0),
                        then_attainment=_num(c.get("then_attainment")), now_attainment=_num(c.get("now_attainment")),
                        then_rank=_int(c.get("then_rank")), now_rank=_int(c.get("now_rank")),
                        then_n_in_role=_int(c.get("then_n_in_role")), now_n_in_role=_int(c.get("now_n_in_role")),
                        then_bottleneck=c.get("then_bottleneck"), now_bottleneck=c.get("now_bottleneck"),
                        mix_move=c.get("mix_move"), then_mix_distance=_num(c.get("then_mix_distance")),
                        now_mix_distance=_num(c.get("now_mix_distance")), steps=steps)


def pd_days(iso: str) -> int:
    """Days since 1970-01-01 of an ISO date (no pandas needed)."""
    from datetime import date

    return (date.fromisoformat(iso) - date(1970, 1, 1)).days


def warning_record(s: RepSlice) -> WarningRecord | None:
    rec = s.meta.get("track_record")
    if not rec or rec.get("too_little") or not rec.get("periods"):
        return None
    return WarningRecord(periods=list(rec["periods"]), kind=str(rec["kind"]), month_ends=int(rec["month_ends"]),
                         checks=int(rec["checks"]), flagged=int(rec["flagged"]),
                         flagged_missed=int(rec["flagged_missed"]), missed=int(rec["missed"]),
                         unflagged_missed=int(rec["unflagged_missed"]), everyone=_num(rec.get("flag_everyone_precision")))


def last_report(view: RepView, rec: dict) -> LastReport:
    """The previous report's record next to the same figures in this view."""
    step = rec.get("bottleneck")
    now = next((x for x in (view.funnel.steps if view.funnel else []) if x.step == step), None)
    return LastReport(as_of=rec["as_of"], period=rec.get("period", ""), bottleneck=step,
                      bottleneck_to=rec.get("bottleneck_to"), then_rate=_num(rec.get("rate")),
                      then_team_median=_num(rec.get("team_median")), now_rate=now.rate if now else None,
                      now_team_median=now.team.median if now and now.team else None,
                      then_at_risk=rec.get("at_risk"), then_projected_attainment=_num(rec.get("projected_attainment")),
                      now_projected_attainment=view.headline.projected_attainment, then_peer=rec.get("peer"))


def unavailable(s: RepSlice) -> dict[str, str]:
    """Sections that cannot be shown, and why (the reasons name what to add)."""
    m = s.meta
    out = {}
    for section, table in (("headline", "quotas"), ("activity_mix", "activities"), ("lead_quality", "leads")):
        if m["missing"].get(table):
            out[section] = m["missing"][table]
    for section, key in (("funnel", "bottleneck"), ("funnel_steps", "funnel_steps"), ("next_step", "next_step"),
                         ("lead_quality", "lead_quality"), ("change", "change"), ("hygiene", "hygiene"),
                         ("stale", "stale"), ("past_close_date", "past_close_date"), ("lead_step", "lead_step"),
                         ("win_rate", "win_rate"), ("projection", "early_warning")):
        if m["unavailable"].get(key) and section not in out:
            out[section] = m["unavailable"][key]
    if s.rep["role_key"] not in m.get("roles_with_revenue", [s.rep["role_key"]]):
        out["won_per_month"] = (("your role closes no deals" if s.rep.get("role") else "the team closes no deals")
                                + " in this period, so won revenue per month is not shown: the figures that "
                                "measure your work are below")
    if s.headline.get("score") is None:
        out["score"] = ("no score: fewer than 3 current reps share your role, and a score compares you with "
                        "the others of your role" if s.rep.get("role") else
                        "no score: fewer than 3 current reps in the team, and a score compares you with the others")
    return out
