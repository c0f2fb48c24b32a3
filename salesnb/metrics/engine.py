"""Per-rep metrics for one period and as-of date.

Which date each figure uses:

- won / lost figures (won revenue, win rate, deal size, cycle, recurring share,
  assisted deals): the close date, inside the period and on or before as_of;
- created figures (opportunities created, leads, funnel conversion, lead
  quality): the created date, inside the period and on or before as_of;
- activity figures: the activity date, inside the period and on or before as_of;
- pipeline and hygiene figures: a snapshot of the deals open at as_of (created
  on or before it and not closed by then);
- quota: the full period's target, prorated for the days a quota period
  overlaps the analysed period and the rep was employed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..periods import Period, _ts
from ..schema import ACTIVITY_TYPES
from . import _frame as F
from . import staleness
from .catalogue import ACTIVITY_TYPE_METRICS, CATALOGUE, TARGET_MET_REASON, Metric
from .context import Context, OppFrame, empty_cause, in_window, make_context, resolve_references, settled_leads
from .funnel import opportunity_rungs
from .profile import is_high_quality, requirements



@dataclass
class MetricTable:
    """The per-rep metrics of one period.

    values: wide DataFrame indexed by rep_id, one float column per available metric
        (NaN where a figure does not exist for that rep; `reason` says why).
    reps: DataFrame indexed by rep_id with name, team, role, active (employed at as_of: joined, not left).
        Reps who left before the period or joined after it are not included.
    unavailable: {metric: reason} for metrics the dataset cannot support (a table or column is missing).
    period, as_of: what the figures cover.
    """

    values: pd.DataFrame
    reps: pd.DataFrame
    unavailable: dict[str, str]
    period: Period
    as_of: pd.Timestamp
    catalogue: dict[str, Metric] = field(default_factory=lambda: dict(CATALOGUE))
    nan_reasons: dict[str, pd.Series] = field(default_factory=dict, repr=False)

    @property
    def available(self) -> tuple[str, ...]:
        """Names of the metrics computed for this dataset."""
        return tuple(self.values.columns)

    def reason(self, metric: str, rep_id: str | None = None) -> str | None:
        """Why a metric (or one rep's value of it) is not available; None when it is."""
        if metric in self.unavailable:
            return self.unavailable[metric]
        if metric not in self.values.columns:
            from .catalogue import get_metric

            get_metric(metric)  # unknown name -> ConfigError listing the known ones
            return "not computed"
        if rep_id is None:
            return None
        value = self.values.at[rep_id, metric]
        if pd.notna(value):
            return None
        reasons = self.nan_reasons.get(metric)
        if reasons is not None and rep_id in reasons.index and isinstance(reasons[rep_id], str):
            return reasons[rep_id]
        return "not available for this rep"

    def target_met(self, metric: str) -> pd.Series:
        """Per rep (aligned with ``values``): True where the figure is missing because the target is already met.

        Such a NaN is good news (e.g. no pipeline coverage is needed once quota is
        met), unlike a NaN for missing data; the scorecard counts it as the best value.
        """
        reasons = self.nan_reasons.get(metric)
        if reasons is None or metric not in self.values.columns:
            return pd.Series(False, index=self.values.index)
        met = reasons.reindex(self.values.index).eq(TARGET_MET_REASON).fillna(False).astype(bool)
        return met & self.values[metric].isna()

    @classmethod
    def from_frame(cls, values: pd.DataFrame, reps: pd.DataFrame | None = None, period: Period | None = None,
                   as_of=None, unavailable: dict[str, str] | None = None,
                   nan_reasons: dict[str, dict | pd.Series] | None = None) -> "MetricTable":
        """A table from ready-made values (index rep_id, columns metric names): for tests, benchmarks, demos.

        reps defaults to name = rep_id, no team, one role "all". ``nan_reasons``:
        {metric: {rep_id: reason}} for NaN values (see `reason`, `target_met`).
        """
        for name in values.columns:
            from .catalogue import get_metric

            get_metric(name)
        values = values.astype("float64")
        values.index = values.index.astype("str")
        values.index.name = "rep_id"
        if reps is None:
            reps = pd.DataFrame({"name": values.index.to_numpy(), "team": pd.NA, "role": "all", "active": True},
                                index=values.index)
        as_of = _ts(as_of) if as_of is not None else pd.Timestamp("1970-01-01")
        period = period or Period(as_of, as_of, "custom")
        reasons = {m: pd.Series(r, dtype=object).reindex(values.index) for m, r in (nan_reasons or {}).items()}
        return cls(values, reps, dict(unavailable or {}), period, as_of, nan_reasons=reasons)

    def metric(self, name: str) -> Metric:
        return self.catalogue[name]

    def __len__(self) -> int:
        return len(self.values)


class _Builder:
    """Collects metric columns, the reason behind each NaN, and unavailable metrics."""

    def __init__(self, n: int):
        self.n = n
        self.columns: dict[str, np.ndarray] = {}
        self.reasons: dict[str, np.ndarray] = {}
        self.unavailable: dict[str, str] = {}

    def put(self, name: str, values, *causes: tuple[np.ndarray | bool, str]) -> None:
        """Store a metric; each NaN gets the first cause whose mask is true for that rep."""
        assert name in CATALOGUE, name
        vals = np.asarray(values, dtype=np.float64)
        if vals.ndim == 0:
            vals = np.full(self.n, float(vals))
        vals = vals.copy()
        reason = np.full(self.n, None, dtype=object)
        for mask, text in causes:
            mask = np.broadcast_to(np.asarray(mask, dtype=bool), (self.n,))
            vals[mask] = np.nan
            reason[mask & (reason == None)] = text  # noqa: E711 - elementwise
        self.columns[name] = vals
        missing = np.isnan(vals) & (reason == None)  # noqa: E711
        reason[missing] = "not defined for this rep (division by zero or no data)"
        if np.isnan(vals).any():
            self.reasons[name] = reason

    def skip(self, names, reason: str) -> None:
        for name in names:
            self.unavailable[name] = reason


def metrics(dataset, period=None, as_of=None) -> MetricTable:
    """Compute every available metric per rep for `period` at `as_of`.

    period: a spec understood by `salesnb.periods.resolve_period` ("2026-Q2",
        "ytd", ...), a `Period`, or None for the dataset's default period.
    as_of: the report date (default: `default_as_of(dataset)`); data after it is ignored.

    Returns a `MetricTable`. A rep with no deals, quota or activities gets NaN
    (with a reason from `table.reason(metric, rep_id)`), never a made-up zero; a
    rep with deals but no wins has 0 won revenue.
    """
    ctx, reps = make_context(dataset, period, as_of)
    resolve_references(dataset)
    b = _Builder(len(reps))
    opp = OppFrame.build(ctx)
    _outcomes(ctx, b, opp)
    _quota(ctx, b, opp)
    _pipeline(ctx, b, opp)
    _funnel_metrics(ctx, b, opp)
    act = _activity(ctx, b, opp)
    _leads(ctx, b)
    _hygiene(ctx, b, opp, act)
    _without_lost_deals(dataset, b)
    order = [m for m in CATALOGUE if m in b.columns]
    values = pd.DataFrame({m: b.columns[m] for m in order}, index=ctx.rep_ids)
    values.index.name = "rep_id"
    nan_reasons = {m: pd.Series(r, index=ctx.rep_ids) for m, r in b.reasons.items()}
    return MetricTable(values, reps, dict(b.unavailable), ctx.period, ctx.as_of, nan_reasons=nan_reasons)


# rates that compare wins with what was not won: 100% by construction on an export of won deals only
# metrics an export cannot measure without lost deals, or without open deals (`ExportShape.lacks`)
NEED_LOST_DEALS = ("win_rate", "win_rate_value", "coverage_needed", "sales_velocity", "conv_qualified_meeting",
                   "conv_meeting_proposal", "conv_proposal_commit", "conv_commit_won", "wasted_effort_share")
NEED_OPEN_DEALS = ("open_pipeline", "open_deals", "pipeline_in_period", "pipeline_coverage", "open_no_next_step",
                   "stale_deals", "past_close_date")


def _without_lost_deals(dataset, b: _Builder) -> None:
    """An export that holds no lost deal at all cannot measure a win rate, a step's conversion or the effort
    spent on lost deals; one that holds no open deal cannot measure a pipeline: those metrics are unavailable
    (with the reason and how to add them), not a row of 100% or of 0."""
    for need, names in (("lost_deals", NEED_LOST_DEALS), ("open_deals", NEED_OPEN_DEALS)):
        reason = dataset.shape.lacks(need)
        if not reason:
            continue
        gone = [m for m in names if m in b.columns]
        for m in gone:
            b.columns.pop(m)
            b.reasons.pop(m, None)
        b.skip(gone, reason)


def _outcomes(ctx: Context, b: _Builder, o: OppFrame) -> None:
    n = len(ctx.rep_ids)
    closed_in = in_window(ctx, o.close)
    w, lo = o.won & closed_in, o.lost & closed_in
    won_rev = F.bincount(o.code[w], n, o.amount[w])
    n_won = F.bincount(o.code[w], n)
    n_lost = F.bincount(o.code[lo], n)
    lost_amt = F.bincount(o.code[lo], n, o.amount[lo])
    empty = empty_cause(ctx)
    no_deals = (~o.has_any, "no deals in the data for this rep")
    b.put("won_revenue", won_rev, empty, no_deals)
    b.put("deals_won", n_won, empty, no_deals)
    closed = n_won + n_lost
    no_closed = (closed == 0, "no deals won or lost in the period")
    with np.errstate(invalid="ignore", divide="ignore"):
        b.put("win_rate", n_won / closed, empty, no_deals, no_closed)
        value_closed = won_rev + lost_amt
        b.put("win_rate_value", won_rev / value_closed, empty, no_deals, no_closed,
              (value_closed == 0, "the deals closed in the period have no amounts"))
        b.put("avg_deal_size", won_rev / n_won, empty, no_deals, (n_won == 0, "no deals won in the period"))
    cycle = np.full(n, np.nan)
    if w.any():
        s = pd.Series((o.close[w] - o.created[w]).astype(np.float64)).groupby(o.code[w]).median()
        s = s[s.index >= 0]
        cycle[s.index.to_numpy()] = s.to_numpy()
    b.put("sales_cycle_days", cycle, empty, no_deals, (n_won == 0, "no deals won in the period"))

    df = o.frame
    if F.nonnull_any(df, "revenue_type"):
        rec = w & F.equals(df["revenue_type"], "recurring")
        rec_rev = F.bincount(o.code[rec], n, o.amount[rec])
        with np.errstate(invalid="ignore", divide="ignore"):
            b.put("recurring_share", rec_rev / won_rev, empty, no_deals,
                  (won_rev == 0, "no won revenue in the period"))
    else:
        b.skip(["recurring_share"], "opportunities have no revenue_type values: add revenue_type (one_off or recurring)")

    if F.nonnull_any(df, "assisted_by"):
        helpers = df.loc[w & df["assisted_by"].notna().to_numpy(), ["assisted_by", "amount", "rep_id"]]
        ids = helpers["assisted_by"].str.split(";").explode().str.strip()
        exploded = pd.DataFrame({"helper": ids, "amount": helpers["amount"].reindex(ids.index), "owner": helpers["rep_id"].reindex(ids.index)})
        exploded = exploded[(exploded["helper"] != "") & exploded["helper"].notna() & (exploded["helper"] != exploded["owner"])]
        exploded = exploded.reset_index().drop_duplicates(["index", "helper"])  # one credit per deal and helper
        hc = F.codes_in(exploded["helper"], ctx.rep_ids)
        b.put("assisted_deals", F.bincount(hc, n), empty)
        b.put("assisted_revenue", F.bincount(hc, n, exploded["amount"].to_numpy(dtype=np.float64, na_value=0.0)), empty)
    else:
        b.skip(["assisted_deals", "assisted_revenue"], "opportunities have no assisted_by values: add assisted_by (rep_ids that helped)")


def _prorated(rows: pd.DataFrame, per: Period, emp_start=None, emp_end=None) -> np.ndarray:
    """Each quota row's share inside the period (and the employment span, when given)."""
    qs, qe = F.days(rows["period_start"]), F.days(rows["period_end"])
    lo = np.maximum(qs, F.day_of(per.start))
    hi = np.minimum(qe, F.day_of(per.end))
    if emp_start is not None:
        lo = np.maximum(lo, emp_start)
        hi = np.minimum(hi, emp_end)
    overlap = np.clip(hi - lo + 1, 0, None)
    length = np.clip(qe - qs + 1, 1, None)
    return rows["quota"].to_numpy(dtype=np.float64) * overlap / length


def rep_quotas(dataset, reps: pd.DataFrame, per: Period) -> np.ndarray:
    """Per rep in `reps` (indexed by rep_id): the period's quota, prorated; NaN when the rep has none."""
    n = len(reps)
    q = dataset.quotas
    if q is None or not len(q):
        return np.full(n, np.nan)
    code = F.codes_in(q["rep_id"], reps.index)
    hire = F.days(reps["hire_date"]) if "hire_date" in reps.columns else np.full(n, F.NAT_DAYS)
    left = F.days(reps["end_date"]) if "end_date" in reps.columns else np.full(n, F.NAT_DAYS)
    left = np.where(left == F.NAT_DAYS, np.iinfo(np.int64).max // 2, left)
    ok = code >= 0
    share = _prorated(q.loc[ok], per, hire[code[ok]], left[code[ok]])
    covering = _prorated(q.loc[ok], per) > 0  # a quota period touching the analysed period
    total = F.bincount(code[ok], n, share)
    has = F.bincount(code[ok][covering], n) > 0
    return np.where(has, total, np.nan)


def _quota(ctx: Context, b: _Builder, o: OppFrame) -> None:
    names = ["quota", "attainment", "gap_to_quota"]
    missing = ctx.dataset.missing("quotas")
    if missing:
        b.skip(names + ["pipeline_coverage"], missing)
        return
    reps = ctx.dataset.reps.set_index("rep_id").loc[ctx.rep_ids]
    quota = rep_quotas(ctx.dataset, reps, ctx.period)
    won = b.columns["won_revenue"]
    won0 = np.nan_to_num(won) if not ctx.empty_window else won  # a rep without deals has won nothing
    no_quota = (np.isnan(quota), f"no quota for {ctx.period.label}")
    zero = (quota == 0, "the quota prorated to this period is 0 (not employed in it)")
    empty = empty_cause(ctx)
    b.put("quota", quota, no_quota)
    with np.errstate(invalid="ignore", divide="ignore"):
        b.put("attainment", won0 / quota, empty, no_quota, zero)
    b.put("gap_to_quota", quota - won0, empty, no_quota)


def _pipeline(ctx: Context, b: _Builder, o: OppFrame) -> None:
    n = len(ctx.rep_ids)
    op = o.open_at
    open_amt = F.bincount(o.code[op], n, o.amount[op])
    open_n = F.bincount(o.code[op], n)
    no_deals = (~o.has_any, "no deals in the data for this rep")
    b.put("open_pipeline", open_amt, no_deals)
    b.put("open_deals", open_n, no_deals)
    pend = F.day_of(ctx.period.end)
    in_per = op & (o.close >= F.day_of(ctx.period.start)) & (o.close <= pend)
    pip = F.bincount(o.code[in_per], n, o.amount[in_per])
    b.put("pipeline_in_period", pip, no_deals)
    created = in_window(ctx, o.created)
    empty = empty_cause(ctx)
    b.put("opportunities_created", F.bincount(o.code[created], n), empty, no_deals)
    if "quota" in b.columns:
        remaining = b.columns["quota"] - np.nan_to_num(b.columns["won_revenue"])
        with np.errstate(invalid="ignore", divide="ignore"):
            b.put("pipeline_coverage", pip / remaining, no_deals,
                  (np.isnan(remaining), f"no quota for {ctx.period.label}"),
                  (remaining <= 0, TARGET_MET_REASON))
    win_rate = b.columns["win_rate"]
    with np.errstate(invalid="ignore", divide="ignore"):
        b.put("coverage_needed", 1.0 / win_rate, (np.isnan(win_rate), "no win rate (no deals closed in the period)"),
              (win_rate == 0, "no deals won in the period: no coverage is enough"))
        cycle = b.columns["sales_cycle_days"]
        velocity = open_n * win_rate * b.columns["avg_deal_size"] / np.maximum(cycle, 1.0)
    b.put("sales_velocity", velocity, no_deals, (np.isnan(cycle), "no deals won in the period (no cycle or deal size)"))


def _funnel_metrics(ctx: Context, b: _Builder, o: OppFrame) -> None:
    rungs = opportunity_rungs(ctx.dataset, ctx, o)
    names = {"qualified->meeting": "conv_qualified_meeting", "meeting->proposal": "conv_meeting_proposal",
             "proposal->commit": "conv_proposal_commit", "commit->won": "conv_commit_won"}
    for step, name in names.items():
        if step not in rungs:
            a, z = step.split("->")
            lacking = [st for st in (a, z) if not any(k.startswith(st + "->") or k.endswith("->" + st) for k in rungs)]
            skipped = rungs.get("_skipped") if a == "qualified" else None
            b.skip([name], rungs.get("_why") or skipped or f"the data has no '{' or '.join(lacking) or z}' stage, so this rung "
                   "is not measured (see funnel_counts for the rungs it has)")
            continue
        reached, advanced = rungs[step]
        with np.errstate(invalid="ignore", divide="ignore"):
            b.put(name, advanced / reached, empty_cause(ctx), (~o.has_any, "no deals in the data for this rep"),
                  (reached == 0, f"no deals created in the period reached {step.split('->')[0]} and were decided"))


def _activity(ctx: Context, b: _Builder, o: OppFrame) -> dict | None:
    act_names = ["activities", *(m for m, _ in ACTIVITY_TYPE_METRICS), "miles", "activities_per_opportunity",
                 "revenue_per_activity", "revenue_per_mile", "wasted_effort_share"]
    missing = ctx.dataset.missing("activities")
    if missing:
        b.skip(act_names, missing)
        return None
    n = len(ctx.rep_ids)
    a = ctx.dataset.activities
    leads = ctx.dataset.leads
    linked_opp = F.nonnull_any(a, "opportunity_id")
    linked_lead = F.nonnull_any(a, "lead_id") and leads is not None and len(leads) > 0
    code = ctx.rep_codes("activities")
    tcode_all = F.codes_in(a["type"], list(ACTIVITY_TYPES))
    opos = ctx.dataset.positions("activities", "opportunity_id") if linked_opp else None
    lpos = ctx.dataset.positions("activities", "lead_id") if linked_lead else None
    day = F.days(a["date"])
    has_any = F.bincount(code[day <= ctx.as_of_day], n) > 0
    inw = in_window(ctx, day) & (code >= 0)
    c = code[inw]
    tcode = tcode_all[inw]
    per_type = np.bincount(c * len(ACTIVITY_TYPES) + np.where(tcode >= 0, tcode, len(ACTIVITY_TYPES) - 1),
                           minlength=n * len(ACTIVITY_TYPES)).reshape(n, len(ACTIVITY_TYPES)).astype(np.float64)
    total = per_type.sum(axis=1)
    empty = empty_cause(ctx)
    no_act = (~has_any, "no activities logged for this rep")
    b.put("activities", total, empty, no_act)
    logged = np.bincount(tcode_all[(code >= 0) & (tcode_all >= 0)], minlength=len(ACTIVITY_TYPES))
    for j, (name, t) in enumerate(ACTIVITY_TYPE_METRICS):
        if logged[j]:
            b.put(name, per_type[:, j], empty, no_act)
        else:  # a type the export never logs is absent, not zero: nothing to compare reps on
            b.skip([name], f"the data has no '{t}' activities at all (none logged by any rep): absent, not zero")
    won = b.columns["won_revenue"]
    with np.errstate(invalid="ignore", divide="ignore"):
        opps = b.columns["opportunities_created"]
        b.put("activities_per_opportunity", total / opps, empty, no_act, (~o.has_any, "no deals in the data for this rep"),
              (opps == 0, "no opportunities created in the period"))
        b.put("revenue_per_activity", won / total, empty, no_act, (np.isnan(won), "no deals in the data for this rep"),
              (total == 0, "no activities in the period"))
    if F.nonnull_any(a, "miles"):
        miles = F.bincount(c, n, a["miles"].to_numpy(dtype=np.float64, na_value=0.0)[inw])
        # a rep none of whose activities has a miles value is not measured: absent, not zero miles
        unmeasured = (F.bincount(code[(day <= ctx.as_of_day) & a["miles"].notna().to_numpy()], n) == 0,
                      "none of this rep's activities has a miles value: add miles to them to see distance driven")
        b.put("miles", miles, empty, no_act, unmeasured)
        with np.errstate(invalid="ignore", divide="ignore"):
            b.put("revenue_per_mile", won / miles, empty, no_act, unmeasured,
                  (np.isnan(won), "no deals in the data for this rep"), (miles == 0, "no miles driven in the period"))
    else:
        b.skip(["miles", "revenue_per_mile"], "activities have no miles values: add miles to see distance driven")
    # effort spent on deals that ended lost or leads that ended disqualified (as known at as_of)
    if linked_opp or linked_lead:
        wasted = np.zeros(len(a), dtype=bool)
        if linked_opp:
            wasted |= (opos >= 0) & o.lost[np.maximum(opos, 0)]
        if linked_lead:
            disq = F.equals(leads["status"], "disqualified")
            wasted |= (lpos >= 0) & disq[np.maximum(lpos, 0)]
        with np.errstate(invalid="ignore", divide="ignore"):
            b.put("wasted_effort_share", np.bincount(c[wasted[inw]], minlength=n) / total, empty, no_act,
                  (total == 0, "no activities in the period"))
    else:
        b.skip(["wasted_effort_share"], "activities are not linked to deals or leads (no opportunity_id / lead_id)")
    return {"code": code, "day": day, "frame": a, "opp_pos": opos}


def _leads(ctx: Context, b: _Builder) -> None:
    names = ["leads", "conv_lead_qualified", "lead_quality_high_share", "conv_quality_high", "conv_quality_low"]
    missing = ctx.dataset.missing("leads")
    if missing:
        b.skip(names, missing)
        return
    n = len(ctx.rep_ids)
    ld = ctx.dataset.leads
    code = ctx.rep_codes("leads")
    created = F.days(ld["created_date"])
    has_any = F.bincount(code[created <= ctx.as_of_day], n) > 0
    inw = in_window(ctx, created) & (code >= 0)
    qualified = F.equals(ld["status"], "qualified")
    total = F.bincount(code[inw], n)
    empty = empty_cause(ctx)
    no_leads = (~has_any, "no leads assigned to this rep in the data")
    b.put("leads", total, empty, no_leads)
    # rates over leads: only the leads old enough for their status to say whether they qualified
    settled = settled_leads(ctx)
    old = inw & (created <= settled.end)
    settled_total = F.bincount(code[old], n)
    conv = F.bincount(code[old & qualified], n)
    none = (total == 0, "no leads created in the period")
    young = (settled_total == 0, f"the period's leads are all younger than {settled.days} days, the time 9 in 10 "
                                 "leads take to become an opportunity here: too soon to read how many qualify")
    with np.errstate(invalid="ignore", divide="ignore"):
        b.put("conv_lead_qualified", conv / settled_total, empty, no_leads, none, young)
    icp = ctx.dataset.meta.icp
    met, _left_out = requirements(ld, icp)
    if not met:
        b.skip(names[2:], "leads have no company_size, has_need or decision_maker values: the ideal-customer "
                          "profile cannot be applied (add one of them to see lead quality)")
        return
    hi = is_high_quality(ld, icp)
    with np.errstate(invalid="ignore", divide="ignore"):
        b.put("lead_quality_high_share", F.bincount(code[inw & hi], n) / total, empty, no_leads, none)
        n_hi = F.bincount(code[old & hi], n)
        n_lo = settled_total - n_hi
        b.put("conv_quality_high", F.bincount(code[old & hi & qualified], n) / n_hi, empty, no_leads, young,
              (n_hi == 0, "no high-quality leads in the period"))
        b.put("conv_quality_low", F.bincount(code[old & ~hi & qualified], n) / n_lo, empty, no_leads, young,
              (n_lo == 0, "no lower-quality leads in the period"))


def _hygiene(ctx: Context, b: _Builder, o: OppFrame, act: dict | None) -> None:
    n = len(ctx.rep_ids)
    op = o.open_at
    no_deals = (~o.has_any, "no deals in the data for this rep")
    df = o.frame
    if F.nonnull_any(df, "next_step"):
        flag = op & df["next_step"].isna().to_numpy()
        b.put("open_no_next_step", F.bincount(o.code[flag], n), no_deals)
    else:
        b.skip(["open_no_next_step"], "opportunities have no next_step values: add next_step to check for empty next steps")
    past = op & (o.close != F.NAT_DAYS) & (o.close < ctx.as_of_day)
    b.put("past_close_date", F.bincount(o.code[past], n), no_deals)
    # stale: the hygiene list's rule (`staleness.judge`), so the count and the list of deals agree
    activities = act["frame"] if act is not None else None
    linking = staleness.linking_reps(activities, ctx.as_of)
    if not staleness.judgeable(df, linking, ctx.dataset.stage_history):
        b.skip(["stale_deals"], ctx.dataset.missing("activities") or (
            "activities are not linked to deals (no opportunity_id) and open deals have no stage_changed_date or "
            "stage history: cannot tell stale deals"))
        return
    judged = staleness.judge(df[op], activities, ctx.dataset.stage_history, ctx.as_of, linking)
    code = o.code[op]
    stale = F.bincount(code[judged["stale"].to_numpy(bool)], n)
    # a rep whose open deals neither rule reaches: unknown, not 0
    unjudged = (F.bincount(code[judged["how"].isna().to_numpy(bool)], n) > 0) & (
        F.bincount(code[judged["how"].notna().to_numpy(bool)], n) == 0)
    b.put("stale_deals", stale, no_deals,
          (unjudged, "none of this rep's activities is linked to a deal (opportunity_id) and their open deals have "
                     "no stage change date: cannot tell stale deals"))


def team_summary(table: MetricTable, dataset=None) -> pd.DataFrame:
    """Per team (index): quota, won_revenue, attainment, gap_to_quota and reps; ``quota_won`` and
    ``reps_without_quota`` (those who won something) say what the target covers.

    The team target is the team_quotas table prorated to the period when `dataset`
    has one (it covers every member), else the sum of the members' (prorated) quotas,
    which covers only the members with a quota: attainment is then their won revenue
    over it, not the whole team's (a rep without a quota would otherwise count towards
    a target set without them). Reps without a team are grouped under "(no team)". NaN
    quota when no member has a quota.
    """
    reps = table.reps
    team = reps["team"].fillna("(no team)") if "team" in reps.columns else pd.Series("(no team)", index=reps.index)
    vals = table.values
    won = vals["won_revenue"].fillna(0.0) if "won_revenue" in vals.columns else pd.Series(0.0, index=vals.index)
    quota = vals["quota"] if "quota" in vals.columns else pd.Series(np.nan, index=vals.index)
    has = quota.notna()
    g = pd.DataFrame({"team": team, "won_revenue": won, "quota": quota, "quota_won": won.where(has, 0.0),
                      "without": ~has & (won > 0)}).groupby("team")
    out = pd.DataFrame({
        "reps": g.size().astype("int64"),
        "won_revenue": g["won_revenue"].sum(),
        "quota": g["quota"].sum(min_count=1),
        "quota_won": g["quota_won"].sum(),
        "reps_without_quota": g["without"].sum().astype("int64"),
    })
    if dataset is not None and dataset.has("team_quotas"):
        tq = dataset.team_quotas
        share = pd.Series(_prorated(tq, table.period), index=tq.index).groupby(tq["team"]).sum()
        covered = pd.Series(_prorated(tq, table.period) > 0, index=tq.index).groupby(tq["team"]).any()
        share = share[covered]
        teams = out.index.intersection(share.index)  # a target for a team no rep is in has no one to measure
        out.loc[teams, "quota"] = share.loc[teams].to_numpy()
        out.loc[teams, "quota_won"] = out.loc[teams, "won_revenue"]  # a team target covers every member
        out.loc[teams, "reps_without_quota"] = 0
    out["attainment"] = out["quota_won"] / out["quota"]
    out["gap_to_quota"] = out["quota"] - out["quota_won"]
    out.index.name = "team"
    return out
