"""A rep's own report, in words: second-person sentences from the facts of a `RepView`.

Nothing here computes a figure or reads another rep's data; figures are formatted by
`salesnb.present`, so a sentence and the table beside it agree.
"""
from __future__ import annotations

from ..metrics.catalogue import CATALOGUE
from ..present import by_unit, capital, isolate, money, num, pct, pct_below, plural, points
from ..terms import (NO_LEAK, QUALIFYING, STEP, TOO_FEW_DEALS, activity_label, described, hygiene_checked,
                     volume_phrase)
from .manager import chance, how_sure, hygiene_unchecked, practice, rate_interval, won_deals, worth_naming
from .manager import team_progress as _team_line

LANGUAGE = "en"  # the language a rep's report (and the e-mail that delivers it) is written in
MIX_GAP = 0.05  # activity-mix differences from 5 points are worth a sentence
MAX_MIX_SENTENCES = 3
ON_TRACK = 0.75  # "On track" needs at least this chance of reaching quota (and a rep not below the median)
IN_LINE = 0.10  # a share is in line with the team's median when its whole 90% interval is within 10 points of it
MIN_LEADS = 5  # fewer leads than this: their quality is not set against the team's


def metric_label(metric: str) -> str:
    """A metric's label as the report shows it (plain words, arrows drawn as arrows)."""
    label = CATALOGUE[metric].label if metric in CATALOGUE else metric.replace("_", " ")
    return REPORT_LABELS.get(metric, label).replace("->", "→")


REPORT_LABELS = {
    "wasted_effort_share": "Share of activities spent on leads/deals that were lost",
    "conv_lead_qualified": "Leads that became opportunities",
}


def title(view) -> str:
    role = f" ({isolate(view.role)})" if view.role else ""
    return f"{isolate(view.name)}{role}: period {view.period_label}, as of {view.as_of}"


# ------------------------------------------------------------------ headline


def group(view) -> str:
    """Who a rep is compared with: the reps of their role, or the whole team when the data has no roles."""
    return "your role" if view.role else "the team"


def in_group(view, text: str) -> str:
    """`text` (written for reps with a role) for a rep of data without roles: the team is their group."""
    if view.role:
        return text
    return text.replace("of your role", "of the team").replace("your role", "the team").replace(
        "in the role", "in the team").replace("the role", "the team")


def compared(view, *figures) -> bool:
    """The one rule for a sentence that sets the rep against others: the rep's role (the team, without roles) is
    large enough for its figures to be shown, and every figure the sentence quotes is there."""
    return not view.few_in_role and all(f is not None for f in figures)


def too_few_reps(view) -> str:
    """What is missing when a comparison cannot be said."""
    return f"too few reps in {group(view)} to compare with"


def risk(view) -> str | None:
    """The early warning in the rep's words (the likely range, the chance, why), the verdict of a finished
    period, or None when there is none (no quota)."""
    r, cur = view.headline.risk, view.currency
    if r is None:
        return None
    if r.finished:
        if r.verdict == "made":
            return f"The period is over: you made it, with {pct(r.attainment)} of quota."
        return (f"The period is over: you reached {pct_below(r.attainment, 1.0)} of quota, "
                f"{money(r.short_by, cur)} short.")
    span = pct(r.likely_low) if pct(r.likely_low) == pct(r.likely_high) else \
        f"{pct(r.likely_low)[:-1]}–{pct(r.likely_high)}"
    outlook = f"you are likely to end at {span} of quota, with {chance(r.chance)} of reaching it"
    if not r.at_risk:  # reassurance only for a rep at or above the role's median with a clear chance
        sure = r.chance is not None and r.chance >= ON_TRACK and not no_praise(view)
        return f"{'On track' if sure else 'Not flagged at risk'}: {outlook}."
    why, against = [], []  # the reasons said, and those set against the team (said only when it can be)
    if r.pipeline_short:
        against.append(r.pipeline_ratio)
        if compared(view, r.pipeline_ratio):
            verb = "is" if r.open_deals == 1 else "are"
            why.append(f"your {plural(r.open_deals, 'open deal')} {verb} expected to bring "
                       f"{money(r.pipeline_expected, cur)}, {pct(r.pipeline_ratio)} of what {group(view)}'s median "
                       "rep's bring for the same quota")
    if r.closing_slow:
        against.append(r.closing)
        if compared(view, r.closing):
            why.append(f"your deals win {pct(r.closing)} as often as the team's from the same stages")
    if r.few_new_deals:
        against.append(r.created_ratio)
        if compared(view, r.created_ratio):
            why.append(f"you create new deals at {pct(r.created_ratio)} of {group(view)}'s median pace")
    if r.behind:
        why.append(f"you have won {money(r.won, cur)} of the {money(r.due_by_now, cur)} the season expects by now")
    if why:
        tail = " Why: " + "; ".join(why) + "."
    elif against:
        tail = f" Your pipeline and pace are not set against the team: {too_few_reps(view)}."
    else:
        tail = " No single part is short: your usual pace and your open deals fall short of the gap in the time left."
    return f"At risk: {outlook}.{tail}"


def likely_range(view) -> str:
    """The likely range in the headline table, beside the projection's share of quota: "likely 85–99%"."""
    r = view.headline.risk
    lo, hi = pct(r.likely_low), pct(r.likely_high)
    return f"likely {lo}" if lo == hi else f"likely {lo[:-1]}–{hi}"


def to_go(view) -> str:
    h = view.headline
    if h.won is None or h.quota is None:
        return "—"
    return money(h.quota - h.won, view.currency) if h.quota > h.won else "quota reached"


def rank(view) -> str:
    h = view.headline
    if h.rank is None or not h.n_in_role:
        return "—"
    role = f" {isolate(view.role)}" if view.role else ""
    caveat = one_deal(view)
    return f"{h.rank} of {h.n_in_role}{role} reps, by score" + (f" ({caveat})" if caveat else "")


# ------------------------------------------------------------------ strengths and funnel


def strength(view, s) -> str:
    """A strength with its numbers; for a rep below target or below the role's median, the fact without praise."""
    cur = view.currency
    if s.kind == "step":
        step = described(s.key, s.to)
        if no_praise(view):
            return (f"{step.label}: {pct(s.value)} of your deals move on ({step.moves}), clearly above the rest of "
                    f"{group(view)} (team median {pct(s.team_median)}).")
        return (f"Strong at {step.phrase}: {pct(s.value)} of your deals move on ({step.moves}), against a team "
                f"median of {pct(s.team_median)}.")
    figure, median = by_unit(s.value, s.unit, cur), by_unit(s.team_median, s.unit, cur)
    if no_praise(view):
        return f"{metric_label(s.key)}: {figure}, in the best quarter of {group(view)} (team median {median})."
    return f"{metric_label(s.key)}: {figure}, among the best in {'the role' if view.role else 'the team'} (team median {median})."


def no_strengths(view=None) -> str:
    if view is not None and view.few_in_role:
        return f"No figure of yours is set against others: {too_few_reps(view)}."
    return (f"No figure stands clearly above the rest of {group(view) if view else 'your role'} this period; the "
            "sections below show where to gain most.")


def below_target(view) -> bool:
    """Short of quota (`Headline.below_target`)."""
    return view.headline.below_target


def no_praise(view) -> bool:
    """Below target or below the role's median: no praise, reassurance or teaching role (`Headline.no_praise`)."""
    return view.headline.no_praise


_PACE_OF = {"leads": "new leads", "opportunities": "opportunities created"}


def joined_row(view) -> str:
    """The headline's short "Joined" value; `joined` explains it under the table."""
    return f"{view.headline.joined} (ramping up)"


def count_label(view, metric: str) -> str:
    """A count's label in a table beside full-period medians: a new hire's count runs from their hire date."""
    label = metric_label(metric)
    return f"{label} (since you joined on {view.headline.joined})" if view.headline.joined else label


def joined(view) -> str:
    """How a rep who joined recently is compared: the ramp-up rule of the volume test, and the projection's
    when the report has a projection."""
    from ..diagnostics.projection import RAMP_DAYS as SELL_RAMP_DAYS, RAMP_START
    from ..diagnostics.thresholds import RAMP_DAYS, RAMP_WEIGHT

    h = view.headline
    whose = "your role's" if view.role else "the team's"
    text = (f"You joined on {h.joined}, so you are counted as ramping up. Your first {RAMP_DAYS} days count as "
            f"{RAMP_WEIGHT:g} of a day when your number of {_PACE_OF[h.volume_unit]} is set against {whose} pace")
    if h.projection is not None:
        text += (f", and the projection expects {pct(RAMP_START)} of full pace on your first day, full pace after "
                 f"{SELL_RAMP_DAYS} days")
    return text + "."


def one_deal(view) -> str:
    """The caveat when one deal carries the rep's result ("" otherwise)."""
    h = view.headline
    if not h.carried_by_one_deal:
        return ""
    rest = (f"; without it you would be at {pct(h.attainment_without_largest)} of quota"
            if h.attainment_without_largest is not None else "")
    return f"your largest deal is {pct(h.largest_deal_share)} of your won revenue{rest}"


def _moving(step: str) -> str:
    """What moves through a funnel step: leads at qualifying (lead -> opportunity), deals after it."""
    return "leads" if step == QUALIFYING else "deals"


def also_weak(f) -> str:
    """The other steps clearly below the rest of the role, after the one to work on ("" when none)."""
    if not f.also_weak:
        return ""
    rows = {s.step: s for s in f.steps}
    said = []
    for step in f.also_weak:
        s = rows.get(step)
        if s is None:  # a volume step (too few leads, or opportunities with no leads table): no rate in the table
            said.append(volume_phrase("leads" if step == "prospecting" else "opportunities"))
        else:
            median = f" against a team median of {pct(s.team.median)}" if s.team and s.team.median is not None else ""
            said.append(f"{described(s.step, s.to).phrase}, {s.advanced} of {s.reached} ({pct(s.rate)}){median}")
    return f" Also clearly below the rest of your role, with fewer wins at stake: {'; '.join(said)}."


def funnel(view) -> str:
    """The funnel verdict: the step to work on with its numbers, the weakest step (thin evidence), or why
    none is named. A rep projected below target is never told to keep doing what works."""
    f = view.funnel
    if f.unmeasured:
        return f"No funnel verdict for you: {f.unmeasured}."
    if view.few_in_role:  # every verdict (a leak, none, how many deals are needed) rests on the role's rates
        own = " The table shows your own steps." if f.steps else ""
        return f"Your funnel is not set against the team: {too_few_reps(view)}.{own}"
    if f.leak is not None:
        k = f.leak
        step = described(k.step, k.to)
        if k.source == "volume":
            what = volume_phrase(k.unit)
            cost = (f"; at the team's conversion that costs {won_deals(k.lost_wins)}" if k.lost_wins is not None
                    else "")
            return (f"The step to work on is {what}: {plural(k.advanced, k.unit[:-1])} so far, against about "
                    f"{num(k.expected, 0)} at the pace of the rest of your role{how_sure(k.sure)}{cost}.{also_weak(f)}")
        moved = (f"The step to work on is {step.phrase}: {k.advanced} of your {k.reached} {_moving(k.step)} moved on "
                 f"({pct(k.rate)}{rate_interval(k.__dict__)})")
        if not compared(view, k.team_median, k.team_q1, k.team_q3):
            return (f"{moved}, clearly below the rest of {group(view)}{how_sure(k.sure)}; its figures at this step are "
                    f"not shown: too few of its reps have enough deals there.{also_weak(f)}")
        ref = (f"{pct(k.team_rate)} for the rest of your role (median {pct(k.team_median)})"
               if k.team_rate is not None else f"a team median of {pct(k.team_median)}")
        cost = f"; at the team's rate that is {won_deals(k.lost_wins, more=True)}" if k.lost_wins is not None else ""
        return (f"{moved}, against {ref} (middle half {pct(k.team_q1)}–{pct(k.team_q3)}){how_sure(k.sure)}{cost}."
                f"{also_weak(f)}")
    if f.verdict == TOO_FEW_DEALS:
        later = "The period is over, so it cannot tell." if f.period_over else "Look again later in the period."
        if not f.deals_step:
            return f"No deals in this period{'' if f.period_over else ' yet'}: the funnel cannot be read. {later}"
        need = f"about {int(f.deals_needed)}" if f.deals_needed is not None else "more"
        return (f"Too few deals{'' if f.period_over else ' yet'} to tell where your funnel leaks: "
                f"{plural(f.deals or 0, 'deal')} reached the {described(f.deals_step, f.deals_to).label.lower()} step"
                f"{'' if f.period_over else ' so far'}, and {need} are needed. {later}")
    if f.verdict == NO_LEAK:
        head = "No step of your funnel is clearly below the team"
        w = f.weakest
        if not (no_praise(view) or (w is not None and worth_naming(w.rate, w.team_median))):
            return f"{head}: keep doing what works."
        if w is not None and not compared(view, w.team_median):
            return (f"{head}; the step furthest below it is not set against the team: too few reps have enough "
                    "deals there.")
        if w is not None:
            unmeasured = view.headline.quota is None and view.headline.below_median  # no quota: not known to be below
            why = ("you are below target, so" if below_target(view) else
                   "with no quota to measure your result by," if unmeasured else
                   f"your result is below {group(view)}'s median, so" if view.headline.below_median else
                   "to do better still,")
            return (f"{head}, but {why} start with the step furthest below it: "
                    f"{described(w.step, w.to).phrase}, {w.advanced} of {w.reached} ({pct(w.rate)}) against a team median "
                    f"of {pct(w.team_median)}. On {plural(w.reached, _moving(w.step)[:-1])} this could still be chance (thin "
                    "evidence).")
        gap = "the gap to quota" if below_target(view) else f"the gap to {group(view)}'s median"
        return (f"{head}, and none is below its median: {gap} is in volume. More deals entering "
                "the funnel, at the rates you have, close it.")
    return "The funnel below compares each step with the team."


# ------------------------------------------------------------------ activity, leads, hygiene


def mix_gaps(view) -> list[str]:
    """The largest gaps (5 points or more) between the rep's activity mix and the top quarter's."""
    rows = [r for r in view.activity_mix.rows if r.you is not None and r.top is not None]
    gaps = sorted(((r.you - r.top, r) for r in rows if abs(r.you - r.top) >= MIX_GAP), key=lambda g: -abs(g[0]))
    out = []
    for gap, r in gaps[:MAX_MIX_SENTENCES]:
        out.append(f"{activity_label(r.activity)}: {pct(r.you)} of your activities, {pct(r.top)} for top performers "
                   f"({abs(round(gap * 100))} points {'more' if gap > 0 else 'less'}).")
    return out


def mix_close(view=None) -> str:
    """No gap worth a sentence: said only when the top quarter's mix is there to be close to."""
    if view is not None and not any(r.top is not None for r in view.activity_mix.rows):
        why = too_few_reps(view) if view.few_in_role else f"too few reps in the top quarter of {group(view)} to show its mix"
        return f"Your mix of activities is not set against the top performers: {why}."
    return f"Your mix of activities is close to that of the top performers of {group(view) if view else 'your role'}."


def practices(view) -> list[str]:
    return [practice(p.__dict__) for p in view.activity_mix.practices]


def lead_quality(view) -> str | None:
    """The lead-quality finding: a flag with its numbers; else the rep's share of leads that fit the profile
    against the team's median, "in line" only when its whole 90% interval lies within `IN_LINE` of that median,
    a clear gap when the interval leaves the median out, and otherwise the direction as weak evidence."""
    q = view.lead_quality
    if not q.leads:
        return None
    parts = []
    if q.low_quality and compared(view, q.team_low_share):
        # the effort on lost causes backs the finding only where it is above the team's
        team_waste = next((r.team for r in q.rows if r.metric == "wasted_effort_share"), None)
        waste = (f"; {pct(q.wasted_effort_share)} of your activity goes to leads and deals that did not convert, "
                 f"against {pct(team_waste)} for the team"
                 if q.wasted_effort_share is not None and team_waste is not None
                 and q.wasted_effort_share > team_waste else "")
        parts.append(f"Your pipeline is filled with low-quality leads: only {pct(q.high_share)} of your "
                     f"{q.leads:,} leads fit the ideal-customer profile and {pct(q.low_share)} miss it, against "
                     f"{pct(q.team_low_share)} for the team{waste}. Fewer, better leads (right size, real need, "
                     "decision maker) convert more.")
    if q.weak_good_lead_conversion and compared(view, q.team_high_conversion):
        parts.append(f"Good leads are not being qualified: {pct(q.high_conversion)} of your {q.high_leads:,} leads "
                     f"that fit the ideal-customer profile became opportunities, against a team median of "
                     f"{pct(q.team_high_conversion)}.")
    if parts:
        return " ".join(parts)
    if view.few_in_role:
        return f"Your lead quality is not set against the team: {too_few_reps(view)}."
    m, lo, hi = q.team_high_share, q.high_share_low, q.high_share_high
    if not compared(view, q.high_share, m, lo, hi):
        return None
    mine = f"{pct(q.high_share)} of your {plural(q.leads, 'lead')}"
    if q.leads < MIN_LEADS:
        return (f"Too few of your leads so far to set their quality against the team's: "
                f"{round(q.high_share * q.leads)} of your {plural(q.leads, 'lead')} fit the ideal-customer profile.")
    interval = f"90% interval {pct(lo)[:-1]}–{pct(hi)}"
    if m - IN_LINE <= lo and hi <= m + IN_LINE:
        return (f"Your lead quality is in line with the team: {mine} fit the ideal-customer profile (team median "
                f"{pct(m)}; {interval}).")
    if hi < m or lo > m:
        return (f"{'Fewer' if hi < m else 'More'} of your leads fit the ideal-customer profile than the team's: "
                f"{mine}, against a team median of {pct(m)} ({interval}).")
    way = "below" if q.high_share < m else "above" if q.high_share > m else "level with"
    return (f"{capital(mine)} fit the ideal-customer profile, {way} the team median of {pct(m)}; on "
            f"{plural(q.leads, 'lead')} this could still be chance (weak evidence; {interval}).")


def hygiene_deals(n: int) -> str:
    return f"{plural(n, 'open deal')} to update in the CRM:"


def hygiene_clean(unavailable=None) -> str:
    """No flagged deal: said only of the flags the data could check."""
    unavailable = unavailable or {}
    checked = hygiene_checked(unavailable)
    if not checked:
        return hygiene_unchecked(unavailable)
    said = {"no_next_step": "without a next step", "stale": "stale", "past_close_date": "past its close date"}
    head = f"None of your open deals is {' or '.join(said[f] for f in checked)}."
    if len(checked) == len(said):
        return head[:-1] + ": the pipeline is clean."
    return f"{head} {hygiene_unchecked(unavailable)}"


# ------------------------------------------------------------------ trend and pace


def trend(view) -> list[str]:
    t, cur = view.trend, view.currency
    if not t.months:
        return []
    mine = [p.you or 0.0 for p in t.months]
    # a month with a won deal, counted by deals (a won deal without an amount still counts)
    won_in = sum(1 for p in t.months if (p.deals if p.deals is not None else (p.you or 0.0) > 0))
    out = [f"You won deals in {won_in} of the {len(mine)} months shown."]
    if len(t.months) >= 3 and all(p.team is not None for p in t.months[-3:]):
        last = t.months[-3:]
        medians = sum(p.team for p in last)
        team = (f"the team's monthly medians add up to {money(medians, cur)}" if medians > 0 else
                "in each of those months at least half of the team won nothing, so its monthly median is 0 and gives "
                "no bar")
        out.append(f"Last 3 months ({last[0].start[:7]} to {last[-1].start[:7]}): you won {money(sum(mine[-3:]), cur)}; "
                   f"{team}.")
    return out


def pace_heading(view) -> str:
    """The heading over `pace`: the weekly work, the quota, or both, as the data has them."""
    weeks = bool(view.trend.weeks) and any(p.you is not None for p in view.trend.weeks)
    if weeks and view.trend.quotas:
        return "Weekly work and the quota"
    return "Weekly work" if weeks else "Won against the quota"


def pace(view) -> list[str]:
    t, cur = view.trend, view.currency
    out = []
    if t.weeks and any(p.you is not None for p in t.weeks):
        you = [p.you or 0.0 for p in t.weeks]
        team = [p.team for p in t.weeks if p.team is not None]
        team_s = f", the team median {num(sum(team) / len(team), 1)}" if team else ""
        out.append(f"Activities per week over the last {plural(len(you), 'week')}: you averaged "
                   f"{num(sum(you) / len(you), 1)}{team_s}.")
    for g in t.quotas:
        what = (f"the period {view.period_label}" if g.span == "period"
                else f"the current quota period ({g.start} to {g.end})")
        share = (g.won or 0.0) / g.quota if g.quota else None
        out.append(f"For {what}: {money(g.won, cur)} won of a {money(g.quota, cur)} target ({pct(share)}).")
    return out


# ------------------------------------------------------------------ peer and score


def peer(view) -> str:
    p = view.peer
    text = f"Pair with {isolate(p.name)}, who is strong at {described(p.step, p.to).phrase}, where you leak most"
    return text + (", and who can learn from you where they leak." if p.complementary else ".")


def no_peer(view) -> str:
    if view.funnel and view.funnel.unmeasured:
        return f"No pairing suggested: no funnel verdict to pair on ({view.funnel.unmeasured})."
    if view.few_in_role:
        return f"No pairing suggested: {too_few_reps(view)}."
    verdict = view.funnel.verdict if view.funnel else ""
    if verdict == NO_LEAK:
        # a teaching role only for a rep doing well: not below target nor below the role's median
        praise = "" if no_praise(view) else " Others may well learn from you."
        return ("No pairing suggested: no funnel step is clearly below the team, so there is no leak to learn "
                "away." + praise)
    if verdict == TOO_FEW_DEALS:
        return "No pairing suggested yet: too few deals so far to name the step to work on."
    return f"No pairing suggested: no rep of {group(view)} is clearly strong at the step you work on."


def against_targets(view) -> bool:
    """Scored as value / target: the sum is a share of target (it can pass 100), not a score out of 100."""
    return bool(view.weights and view.weights.normalisation == "target")


def score_row(view) -> list[str]:
    """The headline's score row: "Score" out of 100, or the points against targets under target scoring."""
    h = view.headline
    if h.score is None:
        return ["Score", "—"]
    if against_targets(view):
        return ["Points against targets", f"{points(h.score)} (100 = every metric at its target)"]
    return ["Score", f"{points(h.score)} out of 100"]


def part_value(p, currency: str = "") -> str:
    """A score part's value; a target already met has no value but earns its points, and says why."""
    if p.value is None and p.points > 0:
        return "target met (nothing left to cover)"
    if p.few_deals is not None:  # a rate of a handful of deals: its count says how little it rests on
        unit = "lead" if p.metric in ("lead_quality_high_share", "conv_quality_high", "conv_quality_low",
                                      "conv_lead_qualified") else "deal"
        return f"{by_unit(p.value, p.unit, currency)} (on {plural(p.few_deals, unit)}: weak evidence)"
    return by_unit(p.value, p.unit, currency)


def breakdown(view, how: str) -> list[str]:
    w, h = view.weights, view.headline
    total = sum(p.weight for p in view.breakdown)
    if against_targets(view):
        head = (f"Weights used: {w.name}. Your points against targets are {num(h.score, 1)}: 100 means every metric "
                f"exactly at its target, and a metric above its target gives up to its cap times its share.")
    else:
        head = f"Weights used: {w.name}. Your score is {num(h.score, 1)} out of 100."
    whose = "your role" if view.role else "the team"
    out = [f"{head} Each metric gives up to its share of the 100 points (its weight), scaled {how}; metrics no "
           f"one in {whose} has a value for are left out and the weights re-shared over the rest."]
    if total and abs(total - 100.0) >= 1e-6:
        out.append(f"The weights of the metrics used add up to {total:g}, so each one's most points is its weight "
                   f"x 100 / {total:g}.")
    if any(p.value is None for p in view.breakdown):
        out.append("A metric with no value this period (—) gives 0 points.")
    return out


# ------------------------------------------------------------------ over time


def _step_rate(rate, advanced, reached) -> str:
    return f"{pct(rate)} ({advanced} of {reached})" if reached else "no deals"


def since_period(view) -> list[str]:
    """What moved against the previous comparable period, with the evidence for each change."""
    c = view.change
    seen = (f" (each seen {c.days_after_end} days after it ended, so its deals had the same time to close)"
            if c.days_after_end else " (each at the same point)")
    out = [f"{c.now} against {c.then}{seen}:"]
    if c.then_attainment is not None and c.now_attainment is not None:
        out.append(f"Attainment: {pct(c.then_attainment)} in {c.then}, {pct(c.now_attainment)} in {c.now}.")
    elif c.now_attainment is not None:  # no quota then (not yet on the team): nothing to set it against
        out.append(f"Attainment: {pct(c.now_attainment)} in {c.now} (no quota of yours in {c.then}).")
    elif c.then_attainment is not None:
        out.append(f"Attainment: {pct(c.then_attainment)} in {c.then} (no quota of yours in {c.now}).")
    if c.then_rank is not None and c.now_rank is not None:
        move = ("up" if c.now_rank < c.then_rank else "down") if c.now_rank != c.then_rank else "the same"
        out.append(f"Rank within {group(view)}: {c.then_rank} of {c.then_n_in_role} in {c.then}, {c.now_rank} of "
                   f"{c.now_n_in_role} in {c.now} ({move}).")
    if c.steps and not any(s.now_reached for s in c.steps):
        out.append(f"No new deals of yours in {c.now} have reached a funnel step yet, so no step can be compared "
                   f"with {c.then}.")
    focus = c.then_bottleneck if c.then_bottleneck in STEP else None
    for s in c.steps:
        if s.step != focus and s.moved not in ("up", "down"):
            continue
        step = described(s.step, s.to)
        head = (f"{step.label} (your step to work on in {c.then})" if s.step == focus else step.label)
        verdict = {"up": "a real improvement", "down": "a real drop",
                   "none": "no clear change yet: the difference could be chance",
                   "too_few": "too few deals in one of the two to tell"}[s.moved]
        out.append(f"{head}: {_step_rate(s.then_rate, s.then_advanced, s.then_reached)} in {c.then}, "
                   f"{_step_rate(s.now_rate, s.now_advanced, s.now_reached)} in {c.now}; {verdict}.")
    if c.mix_move in ("toward", "away"):
        way = "closer to" if c.mix_move == "toward" else "further from"
        out.append(f"Your activity mix moved {way} the top performers' ({round(c.then_mix_distance * 100)} points "
                   f"apart in {c.then}, {round(c.now_mix_distance * 100)} in {c.now}).")
    return out


def since_last_report(view) -> str:
    """What the previous report said, and what happened since."""
    r = view.last_report
    parts = [f"Your last report ({r.as_of})"]
    if r.bottleneck in STEP:
        step = described(r.bottleneck, r.bottleneck_to)
        now = (f"{pct(r.now_rate)} now" if r.now_rate is not None else "no deals at that step yet now")
        team = f", team median {pct(r.now_team_median)}" if r.now_team_median is not None else ""
        parts.append(f" named {step.phrase} as the step to work on: {pct(r.then_rate)} then, {now}{team}.")
    else:
        parts.append(" named no funnel step to work on.")
    if r.then_at_risk is not None:
        then = "flagged you at risk" if r.then_at_risk else "had no early warning for you"
        parts.append(f" It {then}, with a projection of {pct(r.then_projected_attainment)} of quota; now "
                     f"{pct(r.now_projected_attainment)}.")
    if r.then_peer:
        parts.append(f" It suggested pairing with {isolate(r.then_peer)}.")
    return "".join(parts)


def warning_record(view) -> str:
    """One sentence on how often the early warning came true on the team's earlier periods."""
    w = view.warning_record
    kind = {"quarter": "quarters", "month": "months", "year": "years"}.get(w.kind, "periods")
    if not w.flagged:
        return (f"How far to trust it: run at {w.month_ends} month ends of the earlier {kind} ({', '.join(w.periods)}), "
                "the warning flagged nobody, so how often it comes true cannot be said yet.")
    return (f"How far to trust it: run at {w.month_ends} month ends of the earlier {kind} ({', '.join(w.periods)}) on "
            f"what was known then, {w.flagged_missed} of its {w.flagged} warnings came true (the rep missed quota), "
            f"where flagging every rep would have been right {pct(w.everyone)} of the time.")


def team_progress(view) -> str:
    """The whole team's won against its target (anonymous), for a rep's report."""
    t = view.team
    return _team_line({"won": t.won, "target": t.target, "projection": t.projection}, view.currency,
                      finished=view.headline.finished)

