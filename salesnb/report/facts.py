"""What one rep's report knows: numbers and structured facts, no sentences, no charts.

A `RepView` holds that rep's own figures, anonymous aggregates of the rep's role (quartiles, medians,
the top quarter's mix) and the suggested peer's name: nothing else about any other rep, so nothing has
to be redacted. It is plain data and round-trips through JSON (`to_json` / `from_json`), which is how
a batch run hands it to the report notebook.
"""
from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from dataclasses import dataclass, field

VIEW_VERSION = 3


@dataclass
class Quartiles:
    """An anonymous aggregate of the rep's role: lower quartile, median, upper quartile, number of reps."""

    q1: float | None
    median: float | None
    q3: float | None
    n: int


@dataclass
class Risk:
    """The early warning for this rep and the figures behind it, or how a finished period ended."""

    at_risk: bool  # missing quota is at least as likely as the early warning's bar
    finished: bool  # the period is over: a verdict, no warning
    won: float | None
    attainment: float | None
    projected_attainment: float | None  # the expected final figure / quota
    likely_low: float | None  # the likely range of the final figure, as shares of quota
    likely_high: float | None
    chance: float | None  # of reaching quota
    open_deals: int
    pipeline_expected: float | None  # what the open deals are expected to bring by the period's end
    pipeline_ratio: float | None  # that, per unit of quota, against the role's median rep
    closing: float | None  # how often the rep's deals win against the team's from the same stages
    created_ratio: float | None  # deals created (value) against the role's median pace
    due_by_now: float | None  # what the season expects of the quota by now
    pipeline_short: bool
    closing_slow: bool
    few_new_deals: bool
    behind: bool
    verdict: str | None  # finished: "made" or "missed"
    short_by: float | None  # finished: quota - won when missed


@dataclass
class TeamProgress:
    """The whole team's progress, anonymous: won so far against its target, and where it is heading."""

    won: float
    target: float
    projection: float | None = None


@dataclass
class Headline:
    won: float | None
    quota: float | None
    attainment: float | None
    projection: float | None
    projected_attainment: float | None
    score: float | None  # None when the role is too small to score
    rank: int | None  # within role, by score
    n_in_role: int
    risk: Risk | None  # None: no early warning (no quota)
    finished: bool = False  # the period is over at the report date: nothing is "so far" or "projected"
    below_median: bool = False  # the outcome below the role's median: no praise, no teaching role
    largest_deal_share: float | None = None  # the largest won deal's share of won revenue
    carried_by_one_deal: bool = False  # that share at least thresholds.ONE_DEAL_SHARE
    attainment_without_largest: float | None = None
    joined: str | None = None  # the hire date (ISO) when the rep's ramp-up overlaps the period
    volume_unit: str = "leads"  # what the rep's pace is counted in: "opportunities" when there is no leads table

    @property
    def below_target(self) -> bool:
        """Short of quota: flagged at risk or projected below it, or, the period over, ended below it."""
        if self.finished or (self.risk and self.risk.finished):
            return self.attainment is not None and self.attainment < 1.0
        return bool(self.risk and self.risk.at_risk) or (self.projected_attainment is not None
                                                         and self.projected_attainment < 1.0)

    @property
    def no_praise(self) -> bool:
        """Below target or below the role's median, or not known to be on target (a quota, no projection, and
        short of it so far): no praise, reassurance or teaching role."""
        unknown = self.quota is not None and self.projected_attainment is None and not (self.attainment or 0.0) >= 1.0
        return self.below_target or self.below_median or unknown


@dataclass
class StepFigures:
    """One funnel step: the rep's deals and rate, and the role's quartiles of the rate."""

    step: str  # terms.STEPS key
    reached: int
    advanced: int
    rate: float | None
    team: Quartiles | None
    to: str | None = None  # the stage the step leads to in this data (terms.described)


@dataclass
class Leak:
    """The step where the rep leaks most, with its evidence."""

    step: str
    source: str  # "rung" (a conversion) or "volume" (too few leads or opportunities)
    unit: str  # deals, leads or opportunities
    reached: int | None
    advanced: int
    rate: float | None
    team_median: float | None
    team_q1: float | None
    team_q3: float | None
    expected: float | None  # volume: the count expected at the team's pace
    lost_wins: float | None
    to: str | None = None
    team_rate: float | None = None  # the rest of the role's rate (volume: pace), the test's reference
    rate_low: float | None = None  # the 90% interval of the rep's rate (volume: of the count)
    rate_high: float | None = None
    sure: str | None = None  # how sure (bottleneck.sure): almost_certain, very_likely, likely


@dataclass
class Weakest:
    """The step furthest below the team that is not a clear leak (thin evidence, said as such)."""

    step: str
    reached: int
    advanced: int
    rate: float
    team_median: float
    to: str | None = None


@dataclass
class Funnel:
    verdict: str  # a step key, terms.NO_LEAK or terms.TOO_FEW_DEALS
    steps: list[StepFigures] = field(default_factory=list)
    leak: Leak | None = None
    weakest: Weakest | None = None
    deals: int | None = None  # deals at the last step (the fewest): what the verdict rests on
    deals_step: str | None = None
    deals_needed: float | None = None
    deals_to: str | None = None
    unmeasured: str | None = None  # why the data cannot give this rep a funnel verdict (won deals only, no deals)
    period_over: bool = False  # no "look again later in the period" once it has ended
    also_weak: list[str] = field(default_factory=list)  # other steps clearly below the role, fewer wins at stake


@dataclass
class Strength:
    """A figure where the rep is among the best of the role: a funnel step, or a weighted metric."""

    kind: str  # "step" or "metric"
    key: str  # step key or metric name
    value: float | None
    team_median: float | None
    unit: str = "ratio"
    to: str | None = None  # for a step: the stage it leads to in this data


@dataclass
class MixRow:
    activity: str  # terms.ACTIVITIES key
    you: float | None
    top: float | None  # mean share of the role's top quarter (by score); None when that group is too small
    team: float | None  # median share of the role


@dataclass
class Practice:
    """A difference between the team's top performers and the rest (team level, anonymous)."""

    feature: str
    label: str
    kind: str  # share, money, number
    top_mean: float
    rest_mean: float
    ratio: float | None
    size: str  # medium or large
    within_role: bool


@dataclass
class ActivityMix:
    rows: list[MixRow] = field(default_factory=list)
    practices: list[Practice] = field(default_factory=list)
    practices_unavailable: str | None = None


@dataclass
class MetricRow:
    """One of the rep's figures next to the role's median."""

    metric: str
    unit: str
    you: float | None
    team: float | None


@dataclass
class LeadQuality:
    rows: list[MetricRow] = field(default_factory=list)
    leads: int = 0
    high_share: float | None = None
    high_share_low: float | None = None  # the 90% interval of high_share, from the rep's number of leads
    high_share_high: float | None = None
    low_share: float | None = None
    team_low_share: float | None = None
    team_high_share: float | None = None
    high_leads: int = 0
    high_conversion: float | None = None
    team_high_conversion: float | None = None
    wasted_effort_share: float | None = None
    low_quality: bool = False
    weak_good_lead_conversion: bool = False


@dataclass
class FlaggedDeal:
    opportunity_id: str
    account: str
    amount: float | None
    close_date: str | None
    flags: list[str]


@dataclass
class Hygiene:
    counts: list[MetricRow] = field(default_factory=list)  # metric = the flag's metric name
    deals: list[FlaggedDeal] = field(default_factory=list)


@dataclass
class Point:
    """One bucket of a time series: the rep's value and the role's median."""

    start: str  # ISO date of the month's or week's first day
    you: float | None
    team: float | None
    deals: int | None = None  # won per month: the rep's deals won in the month (None: not counted)


@dataclass
class QuotaProgress:
    span: str  # "period" or "current" (the quota span holding as_of, e.g. the quarter)
    won: float | None
    quota: float
    start: str | None = None
    end: str | None = None


@dataclass
class Trend:
    months: list[Point] = field(default_factory=list)  # won per month (none when the role closes no deals)
    weeks: list[Point] = field(default_factory=list)  # activities per recent week
    quotas: list[QuotaProgress] = field(default_factory=list)


@dataclass
class Peer:
    name: str
    step: str
    complementary: bool  # the peer leaks where this rep is strong
    to: str | None = None


@dataclass
class ScorePart:
    metric: str
    unit: str
    value: float | None
    weight: float
    points: float
    few_deals: int | None = None  # the deals (or leads) behind the value when under build.MIN_DEALS: weak evidence


@dataclass
class WeightsUsed:
    name: str
    normalisation: str
    group_by: str | None
    weights: dict[str, float]


@dataclass
class StepChange:
    step: str
    to: str | None
    then_reached: int
    then_advanced: int
    then_rate: float | None
    now_reached: int
    now_advanced: int
    now_rate: float | None
    moved: str  # "up", "down", "none" (no clear change) or "too_few" (too few deals in one of the periods)


@dataclass
class PeriodChange:
    """The rep against the previous comparable period, both seen the same number of days from their start."""

    now: str  # period labels
    then: str
    days_after_end: int  # > 0 when the "now" period is over and seen that many days after its end
    then_attainment: float | None
    now_attainment: float | None
    then_rank: int | None
    now_rank: int | None
    then_n_in_role: int | None
    now_n_in_role: int | None
    then_bottleneck: str | None
    now_bottleneck: str | None
    mix_move: str | None  # "toward" / "away" from the top quarter's activity mix, or "same"
    then_mix_distance: float | None
    now_mix_distance: float | None
    steps: list[StepChange] = field(default_factory=list)


@dataclass
class WarningRecord:
    """How often the early warning came true on the team's earlier periods (team level, anonymous), checked at
    each month end inside them on what was known then."""

    periods: list[str]
    kind: str
    month_ends: int
    checks: int
    flagged: int
    flagged_missed: int
    missed: int
    unflagged_missed: int
    everyone: float | None  # the precision of flagging every rep (the share who missed)


@dataclass
class LastReport:
    """What the rep's previous report (from an earlier batch run) said, next to the figures now."""

    as_of: str
    period: str
    bottleneck: str | None
    bottleneck_to: str | None
    then_rate: float | None
    then_team_median: float | None
    now_rate: float | None
    now_team_median: float | None
    then_at_risk: bool | None
    then_projected_attainment: float | None
    now_projected_attainment: float | None
    then_peer: str | None


@dataclass
class RepView:
    """Everything one rep's report shows (see the module docstring for what it may hold)."""

    rep_id: str
    name: str
    role: str | None
    period_label: str
    as_of: str
    currency: str
    dataset_name: str
    headline: Headline
    strengths: list[Strength] = field(default_factory=list)
    funnel: Funnel | None = None
    activity_mix: ActivityMix | None = None
    lead_quality: LeadQuality | None = None
    hygiene: Hygiene | None = None
    trend: Trend | None = None
    peer: Peer | None = None
    breakdown: list[ScorePart] = field(default_factory=list)
    weights: WeightsUsed | None = None
    change: PeriodChange | None = None
    warning_record: WarningRecord | None = None
    last_report: LastReport | None = None
    team: TeamProgress | None = None  # the whole team's won vs target (an anonymous aggregate)
    unavailable: dict[str, str] = field(default_factory=dict)  # section -> why it cannot be shown
    holds: str = ""  # what the team's data holds (`ExportShape.summary`): anonymous, the same for every rep
    leads_settling: str = ""  # which recent leads rates over leads leave out (`SettledLeads.note`), or ""
    deals_settling: str = ""  # which recent deals the funnel's steps leave out (`metrics.funnel.settling_note`)
    # fewer than gather.MIN_GROUP current reps share the rep's role (the team, without roles): none of its
    # aggregates is shown, and no sentence sets the rep against it (`words.rep.compared`)
    few_in_role: bool = False
    version: int = VIEW_VERSION

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, allow_nan=False)

    @classmethod
    def from_dict(cls, data: dict) -> "RepView":
        if data.get("version") != VIEW_VERSION:
            from ..errors import ReportError

            raise ReportError(f"this rep view is of version {data.get('version')!r}, not {VIEW_VERSION}: "
                              "it was written by another salesnb version. Run the reports again.")
        return _build(cls, data)

    @classmethod
    def from_json(cls, text: str) -> "RepView":
        return cls.from_dict(json.loads(text))


def clean_number(x) -> float | None:
    """A plain float, or None for missing and non-finite values (JSON has no NaN)."""
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _build(tp, value):
    """`value` (parsed JSON) as an instance of the annotated type `tp` (dataclasses, lists, dicts, optionals)."""
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _build(inner[0], value) if len(inner) == 1 else value
    if origin is list:
        (item,) = typing.get_args(tp)
        return [_build(item, v) for v in value]
    if origin is dict:
        _, item = typing.get_args(tp)
        return {k: _build(item, v) for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return tp(**{f.name: _build(hints[f.name], value[f.name]) for f in dataclasses.fields(tp) if f.name in value})
    return value
