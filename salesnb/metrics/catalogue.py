"""Every metric salesnb computes, declared once.

A `Metric` says what a figure means to a manager, its unit, whether higher is
better, and which tables it needs. The engine (`salesnb.metrics.engine`)
computes exactly these names; when a needed table is missing the metric is
reported as unavailable with the reason, never as zeros.

Dates: won/lost figures use the close date (closed inside the period);
"created" figures (opportunities created, leads, activities) use the created /
activity date inside the period; pipeline and hygiene figures are a snapshot
of the deals open at ``as_of``.
"""
from __future__ import annotations

from dataclasses import dataclass

# The NaN reason of a figure that does not exist because the rep already reached the target it measures
# against (pipeline coverage of a remaining quota of 0 or less). The scorecard counts it as the best value.
TARGET_MET_REASON = "quota already met: no remaining target to cover"

KINDS = ("outcome", "pipeline", "funnel", "activity", "efficiency", "quality", "hygiene")
UNITS = ("money", "count", "ratio", "days", "money_per_day", "miles", "multiple")


@dataclass(frozen=True)
class Metric:
    """One metric: its snake_case name, display label, kind, unit and meaning.

    ``needs`` lists the tables it is computed from; ``higher_is_better`` is
    False for figures where less is better (sales cycle, hygiene flags).
    """

    name: str
    label: str
    kind: str
    unit: str
    higher_is_better: bool
    meaning: str
    needs: tuple[str, ...] = ("opportunities",)


def _m(name, label, kind, unit, hib, meaning, needs=("opportunities",)) -> Metric:
    return Metric(name, label, kind, unit, hib, meaning, tuple(needs))


_OPP = ("opportunities",)
_Q = ("opportunities", "quotas")
_ACT = ("activities",)
_OA = ("opportunities", "activities")
_LEADS = ("leads",)

# Funnel rungs between opportunity stages: (metric name, from stage, to stage).
FUNNEL_RUNGS = (
    ("conv_lead_qualified", "lead", "qualified"),
    ("conv_qualified_meeting", "qualified", "meeting"),
    ("conv_meeting_proposal", "meeting", "proposal"),
    ("conv_proposal_commit", "proposal", "commit"),
    ("conv_commit_won", "commit", "won"),
)

_ACT_LABELS = {"call": "Calls", "email": "Emails", "meeting": "Meetings", "visit": "Visits", "social": "Social touches",
               "mail": "Mail", "task": "Tasks", "other": "Other activities"}
ACTIVITY_TYPE_METRICS = tuple(
    (f"act_{t}", t) for t in ("call", "email", "meeting", "visit", "social", "mail", "task", "other")
)

_METRICS: tuple[Metric, ...] = (
    # outcome
    _m("won_revenue", "Won revenue", "outcome", "money", True,
       "Total amount of deals won, by close date inside the period."),
    _m("deals_won", "Deals won", "outcome", "count", True,
       "Number of deals won, by close date inside the period."),
    _m("attainment", "Quota attainment", "outcome", "ratio", True,
       "Won revenue divided by the quota for the period (prorated for part-period reps and quotas).", _Q),
    _m("gap_to_quota", "Gap to quota", "outcome", "money", False,
       "Quota minus won revenue: what is still needed to hit target (negative = above target).", _Q),
    _m("quota", "Quota", "outcome", "money", True,
       "The rep's target for the period, prorated for time employed and for quota periods partly inside it.", _Q),
    _m("win_rate", "Win rate", "outcome", "ratio", True,
       "Won deals / (won + lost) deals closed in the period; open deals are not counted."),
    _m("win_rate_value", "Win rate (by value)", "outcome", "ratio", True,
       "Won amount / (won + lost) amount closed in the period."),
    _m("avg_deal_size", "Average deal size", "outcome", "money", True,
       "Won revenue / number of deals won in the period."),
    _m("sales_cycle_days", "Sales cycle", "outcome", "days", False,
       "Median days from created to close, over deals won in the period."),
    _m("recurring_share", "Recurring share of revenue", "outcome", "ratio", True,
       "Share of won revenue that is recurring (revenue_type = recurring)."),
    _m("assisted_deals", "Assisted deals", "outcome", "count", True,
       "Deals won by colleagues in the period where this rep is named in assisted_by (collaboration credit)."),
    _m("assisted_revenue", "Assisted revenue", "outcome", "money", True,
       "Amount of the deals this rep helped colleagues win in the period."),
    # pipeline
    _m("open_pipeline", "Open pipeline", "pipeline", "money", True,
       "Amount of deals open at the as-of date (created on or before it, not yet closed)."),
    _m("open_deals", "Open deals", "pipeline", "count", True,
       "Number of deals open at the as-of date."),
    _m("pipeline_in_period", "Pipeline closing in period", "pipeline", "money", True,
       "Deals open at the as-of date whose expected close date falls inside the period (overdue ones included)."),
    _m("pipeline_coverage", "Pipeline coverage", "pipeline", "multiple", True,
       "Open pipeline closing in the period / remaining quota (quota minus won). A rep who already met "
       "quota has nothing left to cover: no figure, and the scorecard counts it as the best coverage."),
    _m("coverage_needed", "Coverage needed", "pipeline", "multiple", False,
       "The coverage this rep's win rate needs: 1 / win rate (33% win rate needs 3x)."),
    _m("sales_velocity", "Sales velocity", "pipeline", "money_per_day", True,
       "Open deals x win rate x average deal size / sales cycle days: money the pipeline makes per day."),
    _m("opportunities_created", "Opportunities created", "pipeline", "count", True,
       "Qualified opportunities created in the period (by created date)."),
    # funnel
    _m("conv_lead_qualified", "Lead -> opportunity", "funnel", "ratio", True,
       "Leads created in the period that were qualified into an opportunity / leads created; leads younger than the "
       "time 9 in 10 leads take to become an opportunity here are not counted yet (their fate is not known).", _LEADS),
    _m("conv_qualified_meeting", "Qualified -> meeting", "funnel", "ratio", True,
       "Deals created in the period that got a meeting / deals that were qualified."),
    _m("conv_meeting_proposal", "Meeting -> proposal", "funnel", "ratio", True,
       "Deals created in the period that got a proposal / deals that reached a meeting."),
    _m("conv_proposal_commit", "Proposal -> commit", "funnel", "ratio", True,
       "Deals created in the period that got a verbal commitment / deals that reached a proposal."),
    _m("conv_commit_won", "Commit -> won", "funnel", "ratio", True,
       "Deals created in the period that were signed / deals that reached a verbal commitment."),
    # activity
    _m("leads", "Leads", "activity", "count", True,
       "Leads the rep owns that were created in the period.", _LEADS),
    _m("activities", "Activities", "activity", "count", True,
       "Activities logged in the period (all types).", _ACT),
    *(
        _m(name, _ACT_LABELS[t],
           "activity", "count", True, f"Activities of type '{t}' logged in the period.", _ACT)
        for name, t in ACTIVITY_TYPE_METRICS
    ),
    _m("miles", "Miles driven", "activity", "miles", False,
       "Miles driven for activities in the period (effort, not an outcome).", _ACT),
    # efficiency
    _m("activities_per_opportunity", "Activities per opportunity", "efficiency", "ratio", False,
       "Activities in the period / opportunities created in the period.", _OA),
    _m("revenue_per_activity", "Revenue per activity", "efficiency", "money", True,
       "Won revenue / activities in the period.", _OA),
    _m("revenue_per_mile", "Revenue per mile", "efficiency", "money", True,
       "Won revenue / miles driven in the period.", _OA),
    _m("wasted_effort_share", "Effort on lost causes", "efficiency", "ratio", False,
       "Share of activities in the period spent on leads that were disqualified or deals that were lost.", _ACT),
    # quality
    _m("lead_quality_high_share", "High-quality lead share", "quality", "ratio", True,
       "Share of the period's leads that fit the ideal customer profile (size, need, decision maker).", _LEADS),
    _m("conv_quality_high", "Conversion of high-quality leads", "quality", "ratio", True,
       "Lead -> opportunity rate for leads that fit the ideal customer profile (young leads not yet counted).", _LEADS),
    _m("conv_quality_low", "Conversion of other leads", "quality", "ratio", True,
       "Lead -> opportunity rate for leads that do not fit the ideal customer profile (young leads not yet "
       "counted).", _LEADS),
    # hygiene (snapshot at as_of)
    _m("open_no_next_step", "Open deals without next step", "hygiene", "count", False,
       "Deals open at the as-of date with an empty next step."),
    _m("stale_deals", "Stale deals", "hygiene", "count", False,
       "Deals open at the as-of date that went quiet: older than 14 days with no activity in the 14 days up to it, "
       "for reps who link activities to deals; for the others, no stage change in 45 days (stage_changed_date, or "
       "the stage history)."),
    _m("past_close_date", "Past close date", "hygiene", "count", False,
       "Deals open at the as-of date whose expected close date has already passed."),
)

CATALOGUE: dict[str, Metric] = {m.name: m for m in _METRICS}
METRIC_NAMES: tuple[str, ...] = tuple(CATALOGUE)
OUTCOME_METRICS: tuple[str, ...] = tuple(m.name for m in _METRICS if m.kind == "outcome")


def get_metric(name: str) -> Metric:
    """The declaration of metric `name`; ConfigError naming the known metrics if it does not exist."""
    from ..errors import ConfigError

    try:
        return CATALOGUE[name]
    except KeyError:
        raise ConfigError(
            f"unknown metric {name!r}. Known metrics: {', '.join(METRIC_NAMES)}."
        ) from None


def by_kind(kind: str) -> tuple[Metric, ...]:
    """The metrics of one kind, in catalogue order."""
    return tuple(m for m in _METRICS if m.kind == kind)
