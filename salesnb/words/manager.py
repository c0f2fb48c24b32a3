"""The manager's sentences: what the diagnosis found, in words, from its facts.

The team explorer, the command line and the JSON document (`sentence` fields) all word the diagnosis
here, so they say the same thing. Each function takes one row of facts (a mapping, e.g. a row of
`Diagnosis.reps`) and returns a sentence; figures are formatted by `salesnb.present`, so a sentence and
the table beside it agree.
"""
from __future__ import annotations

from typing import Any, Mapping

from ..present import capital, isolate, missing, money, pct, pct_below, plural
from ..terms import HYGIENE_CHECKS, NO_LEAK, STEP, TOO_FEW_DEALS, described, hygiene_checked, volume_phrase



def _get(row: Mapping, key: str, default=None):
    value = row.get(key, default) if hasattr(row, "get") else default
    return default if missing(value) and not isinstance(value, str) else value


def won_deals(x: Any, more: bool = False) -> str:
    """Expected wins as whole deals: ``about 32 (more) won deals``; under half a deal, ``less than one ...``."""
    extra = "more " if more else ""
    if missing(x) or float(x) < 0.5:
        return f"less than one {extra}won deal"
    n = round(float(x))
    return f"about {n} {extra}won deal{'s' if n != 1 else ''}"


def outcome_label(outcome: str) -> str:
    return "quota attainment" if outcome == "attainment" else "revenue"


# ------------------------------------------------------------------ funnel


def verdict(step, to: str | None = None) -> str:
    """A bottleneck verdict in a word or two: the step's name, "No clear leak" or "Too few deals yet"."""
    if step in STEP:
        return described(step, to).label
    return {NO_LEAK: "No clear leak", TOO_FEW_DEALS: "Too few deals yet"}.get(str(step or ""), "—")


def bottleneck(row: Mapping) -> str:
    """The step a rep leaks most at, with the numbers vs the team; or why none is named.

    row: a `Diagnosis.reps` row (``bottleneck`` and the ``bottleneck_*`` facts, ``at_risk``,
    ``projected_attainment``).
    """
    step = _get(row, "bottleneck")
    if _get(row, "bottleneck_unmeasured"):
        return f"No funnel verdict: {_get(row, 'bottleneck_unmeasured')}."
    if step == NO_LEAK:
        return no_leak(row)
    if step == TOO_FEW_DEALS:
        return too_few_deals(row)
    if step not in STEP:
        return "No funnel verdict for this rep."
    f = {k: _get(row, f"bottleneck_{k}") for k in ("source", "unit", "advanced", "reached", "rate", "team_median",
                                                   "team_q1", "team_q3", "expected", "lost_wins", "team_rate",
                                                   "rate_low", "rate_high", "sure")}
    phrase = described(step, _get(row, "bottleneck_to")).phrase
    if f["source"] == "volume":
        what = volume_phrase(f["unit"])
        return (f"The step to work on is {what}: {int(f['advanced'])} {f['unit']}{count_interval(f)} vs about "
                f"{float(f['expected']):.0f} at the pace of the rest of the role{how_sure(f['sure'])}; "
                f"at the team's conversion that costs {won_deals(f['lost_wins'])}.{_also_weak(row)}")
    ref = (f"{pct(f['team_rate'])} for the rest of the role (median {pct(f['team_median'])}, middle half "
           f"{pct(f['team_q1'])}–{pct(f['team_q3'])})" if f["team_rate"] is not None else
           f"a team median of {pct(f['team_median'])} (middle half {pct(f['team_q1'])}–{pct(f['team_q3'])})")
    return (f"The step to work on is {phrase}: {int(f['advanced'])} of {int(f['reached'])} "
            f"({pct(f['rate'])}{rate_interval(f)}) vs {ref}{how_sure(f['sure'])}; "
            f"at the team's rate that is {won_deals(f['lost_wins'], more=True)}.{_also_weak(row)}")


def _also_weak(row: Mapping) -> str:
    """The rep's other clear leaks, named after the one to work on ("" when none)."""
    also = row.get("also_weak")
    also = [s for s in also if s in STEP] if isinstance(also, list) else []
    return f" Also clearly below, with fewer wins at stake: {', '.join(STEP[s].label.lower() for s in also)}." \
        if also else ""


SURE = {"almost_certain": "almost certainly not chance", "very_likely": "very unlikely to be chance",
        "likely": "unlikely to be chance, though the evidence is not strong"}


def how_sure(sure) -> str:
    """How sure a shortfall is, in words, after a semicolon ("" without a test)."""
    return f"; {SURE[sure]}" if sure in SURE else ""


def rate_interval(f: Mapping) -> str:
    """", 90% interval 10–22%": the interval of a rate ("" without one)."""
    lo, hi = f.get("rate_low"), f.get("rate_high")
    if missing(lo) or missing(hi):
        return ""
    return f", 90% interval {pct(lo)[:-1]}–{pct(hi)}"


def count_interval(f: Mapping) -> str:
    """" (90% interval 90–140)": the interval of a count at the rep's own pace ("" without one)."""
    lo, hi = f.get("rate_low"), f.get("rate_high")
    if missing(lo) or missing(hi):
        return ""
    return f" (90% interval {float(lo):.0f}–{float(hi):.0f})"


def short_of_quota(row: Mapping) -> bool:
    """Flagged at risk or projected below quota (a finished period: ended below it)."""
    proj = _get(row, "projected_attainment")
    return bool(_get(row, "at_risk", False)) or (proj is not None and float(proj) < 1.0)


def no_praise(row: Mapping) -> bool:
    """Short of quota or below the role's median: never tell them to keep going as is."""
    return short_of_quota(row) or bool(_get(row, "below_median", False))


def concentration(row: Mapping, currency: str = "") -> str:
    """The caveat when one deal carries a rep's result ("" otherwise): its share and the attainment without it."""
    if _get(row, "carried_by_one_deal") is not True:
        return ""
    rest = _get(row, "attainment_without_largest")
    without = f"; without it, attainment would be {pct(rest)}" if rest is not None else ""
    return (f"One deal carries this result: the largest deal is {pct(_get(row, 'largest_deal_share'))} of won "
            f"revenue ({money(_get(row, 'largest_deal'), currency)}){without}. Read the rank with that in mind.")


NOTABLE_GAP = 0.10  # a weakest step at least 10% below the median is named even for a rep on target


def worth_naming(rate, median) -> bool:
    """A step below the team by enough to mention, though not enough to call a leak."""
    return rate is not None and median is not None and float(rate) < (1 - NOTABLE_GAP) * float(median)


def no_leak(row: Mapping) -> str:
    """No step clearly below the team: the weakest step with its numbers when there is one."""
    step = _get(row, "weakest_step")
    head = "No step of the funnel is clearly below the team"
    if not (no_praise(row) or worth_naming(_get(row, "weakest_rate"), _get(row, "weakest_median"))):
        return f"{head}: keep doing what works."
    if step in STEP:
        return (f"{head}; the furthest below it is {described(step, _get(row, 'weakest_to')).phrase}: "
                f"{int(_get(row, 'weakest_advanced'))} of "
                f"{int(_get(row, 'weakest_reached'))} ({pct(_get(row, 'weakest_rate'))}) vs a team median of "
                f"{pct(_get(row, 'weakest_median'))}; on so few deals this could still be chance (thin evidence).")
    gap = "the gap to quota" if short_of_quota(row) else "the gap to the role's median"
    return f"{head}, and no step is below its median: {gap} is in volume, not conversion."


def too_few_deals(row: Mapping) -> str:
    """Too few deals for a funnel verdict; "later in the period" only while the period runs."""
    over = bool(_get(row, "period_over"))
    deals_step = _get(row, "bottleneck_deals_step")
    if deals_step is None:
        if over:
            return "No deals in this period: the funnel cannot be read for it."
        return "No deals in this period yet: the funnel cannot be read. Review again later in the period."
    need = _get(row, "bottleneck_deals_needed")
    need_s = f"about {int(need)}" if need is not None else "more"
    head = (f"Too few deals to tell where the funnel leaks ({int(_get(row, 'bottleneck_deals', 0))} reached the "
            f"{described(deals_step, _get(row, 'bottleneck_deals_to')).label.lower() if deals_step in STEP else deals_step}"
            f" step{'' if over else ' so far'}; {need_s} are needed)")
    return head + (": the period is over, so this period cannot tell." if over else ": review again later in the period.")


def pairing(row: Mapping, peer_name: str | None) -> str:
    """Who to pair the rep with, and why (the peer is strong where the rep leaks)."""
    step = _get(row, "bottleneck")
    if not peer_name or step not in STEP:
        return "No peer pairing suggested: no clear leak, or no peer in the same role is strong there."
    text = (f"Pair with {isolate(peer_name)}, who is strong at {described(step, _get(row, 'bottleneck_to')).phrase}, "
            "where this rep leaks most")
    return text + (", and who can learn from this rep where they leak." if _get(row, "pair_complementary")
                   else ".")


# ------------------------------------------------------------------ early warning


ODDS_AGAINST = (3, 4, 5, 10, 20, 30)  # "about a 1 in N chance" (and "about a N-1 in N chance")


def chance(p) -> str:
    """A chance in plain words, in familiar odds: "about a 1 in 4 chance", "a little better than an even
    chance", "about a 9 in 10 chance".

    Below an even chance the words never read as better, above it never as less or even: the early warning's
    flag (a chance of missing of at least a half, so of reaching quota of at most a half) and the words agree."""
    if missing(p):
        return "no figure for the chance"
    p = float(p)
    if p < 0.03:
        return "almost no chance"
    if p > 0.97:
        return "an almost certain chance"
    if p < 0.4:
        n = min(ODDS_AGAINST, key=lambda n: abs(1 / n - p))
        return f"about a 1 in {n} chance"
    if p < 0.5:
        return "a little less than an even chance"
    if p == 0.5:
        return "an even chance"
    if p < 0.6:
        return "a little better than an even chance"
    n = min(ODDS_AGAINST, key=lambda n: abs(1 - 1 / n - p))
    return f"about a {n - 1} in {n} chance"


def span(row: Mapping) -> str:
    """The likely range as shares of quota: "78–96%" ("" without one)."""
    lo, hi = _get(row, "likely_low"), _get(row, "likely_high")
    if lo is None or hi is None:
        return ""
    return pct(lo) if pct(lo) == pct(hi) else f"{pct(lo)[:-1]}–{pct(hi)}"


def likely(row: Mapping) -> str:
    """The likely range and the chance of reaching quota: "likely 78–96% of quota; about a 1 in 4 chance of
    reaching it" ("" without a range)."""
    if not span(row):
        return ""
    return f"likely {span(row)} of quota; {chance(_get(row, 'chance'))} of reaching it"


def reasons(row: Mapping, currency: str = "") -> list[str]:
    """Why the projection falls short, one clause per part that is short (the facts' reason flags)."""
    out = []
    if _get(row, "pipeline_short"):
        n = int(_get(row, "open_deals", 0) or 0)
        out.append(f"pipeline short ({n} open deal{'s' if n != 1 else ''} expected to bring "
                   f"{money(_get(row, 'pipeline_expected'), currency)}, {pct(_get(row, 'pipeline_ratio'))} of what "
                   "the role's median rep's bring for the same quota)")
    if _get(row, "closing_slow"):
        out.append(f"closing slow (deals win {pct(_get(row, 'closing'))} as often as the team's from the same "
                   "stages)")
    if _get(row, "few_new_deals"):
        out.append(f"few new deals (deals created at {pct(_get(row, 'created_ratio'))} of the role's median pace)")
    if _get(row, "behind"):
        out.append(f"behind (won {money(_get(row, 'won', _get(row, 'won_revenue')), currency)} of the "
                   f"{money(_get(row, 'due_by_now'), currency)} the season expects by now)")
    return out


def risk_reason(row: Mapping, currency: str = "") -> str:
    """Why a rep is at risk, with the numbers ("" when not at risk; "no quota" when there is none; the verdict
    when the period is over)."""
    if _get(row, "quota") is None:
        return "no quota for this period"
    if _get(row, "finished"):
        return verdict_line(row, currency)
    if not _get(row, "at_risk"):
        return ""
    why = reasons(row, currency)
    tail = ("; " + "; ".join(why)) if why else \
        ("; no single part is short: the usual pace and the open deals fall short of the gap in the time left")
    return likely(row) + tail


def risk_short(row: Mapping) -> str:
    """The reason in a few words, for a narrow column ("likely 62–80% of quota")."""
    if _get(row, "finished"):
        return verdict_line(row)
    return f"likely {span(row)} of quota" if span(row) else ""


def carried(rows, currency: str = "") -> str | None:
    """Why a team projected to reach its reps' quotas still has reps at risk, in figures: what the reps projected
    above quota pass it by, against what the reps at risk fall short by. None when nobody is at risk or the reps'
    projections together fall short of their quotas (then there is nothing to reconcile)."""
    rows = [r for r in rows if _get(r, "quota") is not None and _get(r, "projection") is not None]
    risky = [r for r in rows if _get(r, "at_risk") is True]
    total, quotas = sum(r["projection"] for r in rows), sum(r["quota"] for r in rows)
    if not risky or total < quotas:
        return None
    # each rep counted once: by where their projection (the middle of their range) falls
    above = [r for r in rows if r["projection"] > r["quota"]]
    below = [r for r in rows if r["projection"] < r["quota"]]
    over = sum(r["projection"] - r["quota"] for r in above)
    short = sum(r["quota"] - r["projection"] for r in below)
    edge = sum(1 for r in risky if r["projection"] >= r["quota"])
    why = (f" ({edge} of those at risk {'is' if edge == 1 else 'are'} projected just above quota, with a range "
           "reaching below it)") if edge else ""
    return (f"Together the current reps are projected at {money(total, currency)} against quotas of "
            f"{money(quotas, currency)}, and still {len(risky)} {'is' if len(risky) == 1 else 'are'} at risk{why}: "
            f"the {len(above)} projected above quota are expected to pass it by {money(over, currency)} in all, the "
            f"{len(below)} projected below it to fall short by {money(short, currency)}. A team on track can still "
            "have reps who miss.")


def no_flags(where: str, flag_at) -> str:
    """No rep of a scope is flagged."""
    bar = f" for each, missing quota is less than {pct(flag_at)} likely" if flag_at is not None else ""
    return f"No rep of {where} is flagged at risk:{bar or ' none is likely to miss quota'}."


def flag_legend(flag_at) -> str:
    """What red means in the explorer's attainment chart."""
    bar = f"missing quota at least {pct(flag_at)} likely" if flag_at is not None else "likely to miss quota"
    return f"Red: flagged at risk ({bar})."


def none_judged(where: str, finished: bool = False) -> str:
    """No rep of a scope has a quota (and a projection) to be judged by."""
    if finished:
        return f"No rep of {where} has a quota in this period: there is no verdict to give."
    return f"No rep of {where} has a quota and a projection in this period: nobody is judged at risk."


def all_made(where: str) -> str:
    """A finished period in which every rep with a quota made it."""
    return f"The period is over: every rep of {where} with a quota made it."


def verdict_line(row: Mapping, currency: str = "") -> str:
    """How a finished period ended for a rep: made it, or missed by how much."""
    quota, won = _get(row, "quota"), _get(row, "won", _get(row, "won_revenue"))
    if quota is None:
        return "no quota for this period"
    won = float(won or 0.0)
    if won >= float(quota):
        return f"made it: {pct(won / float(quota))} of quota"
    return f"missed by {money(float(quota) - won, currency)}: {pct_below(won / float(quota), 1.0)} of quota"

# ------------------------------------------------------------------ team findings


def vanity(row: Mapping, outcome: str, too_early: str | None = None) -> str:
    """The audit's verdict on one activity metric (a `Diagnosis.vanity` row), with its evidence."""
    label = str(_get(row, "label", ""))
    label = capital(label)
    what = outcome_label(outcome)
    rho, n = _get(row, "rho"), int(_get(row, "n", 0))
    lo, hi = _get(row, "low"), _get(row, "high")
    # no correlation without variation on both sides: the figures then hold only n
    within = " within role" if _get(row, "within_role") else ""
    figures = f"(ρ = {float(rho):.2f}{within}, n = {n})" if rho is not None else f"(n = {n})"
    verdict = _get(row, "verdict")
    if _get(row, "covered", True) in (False, 0):
        return f"{label}: {not_covered(row, what)}."
    if too_early:
        return f"{label}: cannot tell yet whether it goes with {what} {figures}, {too_early}; do not set targets on it yet."
    if verdict == "driver" and lo is not None and hi is not None:
        return (f"{label} goes with higher {what} in this team {figures}, interval {lo:.2f} to {hi:.2f}: worth "
                "encouraging, and worth learning how the best reps do it.")
    if _get(row, "follows_volume"):
        return (f"{label} goes with higher {what} {figures} only as far as it grows with the rep's number of "
                f"opportunities (ρ = {float(_get(row, 'partial_rho')):.2f} with that held equal): it follows the work, "
                "it does not add to it; do not manage by it.")
    if _get(row, "volume_unclear"):
        return (f"{label} goes with higher {what} {figures}, but with the rep's number of opportunities held equal "
                f"the evidence is weak (ρ = {float(_get(row, 'partial_rho')):.2f}): it may only follow the work; watch "
                "it, do not set targets on it yet.")
    if verdict == "vanity":
        if hi is not None and float(hi) < 0:
            return f"{label} goes with lower {what} in this team {figures}{_interval(lo, hi)}: do not manage by it."
        return f"{capital(direction(row, what, label.lower()))} {figures}{_interval(lo, hi)}: do not manage by it."
    if not _get(row, "enough_reps", True) or lo is None:
        return f"{label}: too few reps to tell whether it goes with {what} {figures}; do not set targets on it yet."
    if _too_weak(row):
        return f"{capital(undecided(row, what, label.lower()))} {figures}{_interval(lo, hi)}: do not manage by it yet."
    way = "lower " if rho is not None and float(rho) < 0 else ""
    return (f"{label} may go with {way}{what} {figures}, but the evidence is weak (interval {lo:.2f} to {hi:.2f}); "
            "watch it, do not set targets on it yet.")


def direction(row: Mapping, what: str, label: str) -> str:
    """A weak or absent relation said with its direction and strength, never as a proven absence: "weak evidence
    that more calls go with lower quota attainment", or "no clear relation either way between ..."."""
    from ..diagnostics.thresholds import ACTIVITY_WEAK

    rho, lo = _get(row, "rho"), _get(row, "low")
    label = label.replace("the number of ", "")
    if lo is not None and float(lo) > 0:  # the interval leaves 0 out: a relation, shown to be weak
        return f"reps with more {label} have somewhat higher {what} in this team, but the relation is weak"
    if rho is not None and abs(float(rho)) >= ACTIVITY_WEAK:
        way = "higher" if float(rho) > 0 else "lower"
        return f"weak evidence that reps with more {label} have {way} {what} in this team"
    return (f"no clear relation either way between {label} and {what} in this team (the data rules out a strong "
            "positive one, not a weak one)")


def _too_weak(row: Mapping) -> bool:
    """An `unclear` verdict on a weak or negative estimate: the interval is too wide to call the metric vanity."""
    from ..diagnostics.vanity import WEAK_RHO

    rho = _get(row, "rho")
    return _get(row, "verdict") == "unclear" and rho is not None and float(rho) < WEAK_RHO


def undecided(row: Mapping, what: str, label: str) -> str:
    """A weak or negative estimate whose interval still reaches a strong positive relation: not enough evidence
    either way, said with its direction when there is one."""
    from ..diagnostics.thresholds import ACTIVITY_WEAK

    rho = _get(row, "rho")
    label = label.replace("the number of ", "")
    if rho is not None and abs(float(rho)) >= ACTIVITY_WEAK:
        way = "higher" if float(rho) > 0 else "lower"
        return (f"weak evidence that reps with more {label} have {way} {what} in this team, not enough to tell "
                "either way")
    return f"not enough evidence either way for a relation between {label} and {what} in this team"


def not_covered(row: Mapping, what: str) -> str:
    """An activity metric that too few reps log to be audited: how many do, and how to add it."""
    n_logged, n_reps = int(_get(row, "logged", 0) or 0), int(_get(row, "reps", 0) or 0)
    rest = n_reps - n_logged
    others = "the other logs none" if rest == 1 else f"the other {rest} log none"
    return (f"the data covers only {n_logged} of {plural(n_reps, 'rep')} ({others}), too few to tell whether "
            f"it goes with {what}: {how_to_log(str(_get(row, 'metric', '')), str(_get(row, 'label', '')))} to "
            "audit it")


def how_to_log(metric: str, label: str) -> str:
    """How to add an activity metric for every rep."""
    if metric == "miles":
        return "add miles to every rep's activities (activities.csv, column miles)"
    if metric.startswith("act_"):
        return f"log {label.replace('the number of ', '')} for every rep in activities.csv (type {metric[4:]})"
    return "log every rep's activities in activities.csv"


def _interval(lo, hi) -> str:
    return f", interval {float(lo):.2f} to {float(hi):.2f}" if lo is not None and hi is not None else ""


def _by_kind(value: Any, kind: str) -> str:
    if missing(value):
        return "n/a"
    if kind == "share":
        return pct(value)
    if kind == "money":
        return money(value)
    return f"{float(value):.1f}"


def practice(row: Mapping) -> str:
    """One notable difference between top performers and the rest (a `Diagnosis.top_performers` row)."""
    kind = _get(row, "kind", "number") or "number"
    label = str(_get(row, "label", ""))
    higher = "higher" if float(_get(row, "top_mean", 0)) > float(_get(row, "rest_mean", 0)) else "lower"
    ratio = _get(row, "ratio")
    ratio_s = f" ({float(ratio):.1f}x)" if ratio is not None and float(ratio) > 0 and kind != "share" else ""
    size = _get(row, "size", "medium") + (" within-role" if _get(row, "within_role") else "")
    return (f"{capital(label)} is {higher} among top performers: {_by_kind(_get(row, 'top_mean'), kind)} "
            f"vs {_by_kind(_get(row, 'rest_mean'), kind)} for the rest{ratio_s}, a {size} difference.")


def lead_quality(row: Mapping, name: str | None = None) -> str:
    """A rep's lead-quality finding (a `Diagnosis.lead_quality` row); with the rep's `name`, it says whose
    pipeline it is (the manager's views list several reps)."""
    leads = int(_get(row, "leads", 0))
    if leads == 0:
        return "No leads in this period to judge their quality."
    whose = f"{isolate(name)}'s pipeline" if name else "The pipeline"
    parts = []
    if _get(row, "low_quality"):
        waste, team_waste = _get(row, "wasted_effort_share"), _get(row, "team_wasted_effort_share")
        waste_s = (f"; {pct(waste)} of activity goes to leads and deals that did not convert, against {pct(team_waste)} "
                   "for the team" if waste is not None and team_waste is not None and waste > team_waste else "")
        parts.append(f"{whose} is filled with low-quality leads: only {pct(_get(row, 'high_share'))} of {leads} "
                     f"leads fit the ideal-customer profile and {pct(_get(row, 'low_share'))} miss it vs "
                     f"{pct(_get(row, 'team_low_share'))} for the team{waste_s}. Fewer, better leads (right size, "
                     "real need, decision maker) convert more.")
    if _get(row, "weak_good_lead_conversion"):
        mix = ("" if _get(row, "low_quality") else
               f" The leads themselves are fine ({pct(_get(row, 'high_share'))} fit the profile vs "
               f"{pct(_get(row, 'team_high_share'))} for the team): the leak is in qualifying them.")
        who = f" by {isolate(name)}" if name else ""
        parts.append(f"Good leads are not being qualified{who}: {pct(_get(row, 'high_conversion'))} of "
                     f"{int(_get(row, 'high_leads', 0))} leads that fit the ideal-customer profile became "
                     f"opportunities vs a team median of {pct(_get(row, 'team_high_conversion'))}.{mix}")
    if parts:
        return " ".join(parts)
    conv = _get(row, "high_conversion")
    team_conv = _get(row, "team_high_conversion")
    conv_s = (f", and {pct(conv)} of those became opportunities (team median {pct(team_conv)})"
              if conv is not None and team_conv is not None else "")
    subject = f"{isolate(name)}'s lead quality" if name else "Lead quality"
    return (f"{subject} and its conversion are in line with the team: {pct(_get(row, 'high_share'))} of {leads} "
            f"leads fit the ideal-customer profile (team median {pct(_get(row, 'team_high_share'))}){conv_s}.")


CHECK_WORDS = {"no_next_step": "next steps", "stale": "recent activity", "past_close_date": "close dates"}


def hygiene_unchecked(unavailable: Mapping[str, str]) -> str:
    """What hygiene could not check, why and how to add it ("" when every flag was checked)."""
    if "hygiene" in unavailable:
        return f"Pipeline hygiene not checked: {unavailable['hygiene']}."
    why = [f"{CHECK_WORDS[f]} ({unavailable[s]})" for f, s in HYGIENE_CHECKS.items() if s in unavailable]
    return ("Not checked: " + "; ".join(why) + ".") if why else ""


def hygiene_none_flagged(n_open: int, unavailable: Mapping[str, str]) -> str:
    """No open deal flagged: on what was checked only, and what was not."""
    checked = hygiene_checked(unavailable)
    if not checked:
        return hygiene_unchecked(unavailable) or "Pipeline hygiene not checked."
    if not n_open:
        return "No open deal to check."
    deals = f"{n_open} open deal{'s' if n_open != 1 else ''}"
    head = f"None of {deals} is flagged on {', '.join(CHECK_WORDS[f] for f in checked)}."
    rest = hygiene_unchecked(unavailable)
    return f"{head} {rest}" if rest else head


def hygiene(row: Mapping, unavailable: Mapping[str, str] | None = None) -> str:
    """A rep's pipeline hygiene (a `Diagnosis.hygiene` row); `unavailable`: the diagnosis's, naming the
    flags the data cannot check."""
    unavailable = unavailable or {}
    n_open = int(_get(row, "open_deals", 0))
    checked = hygiene_checked(unavailable)
    counts = {k: int(_get(row, k, 0)) if k in checked else 0 for k in HYGIENE_CHECKS}
    if not any(counts.values()):
        return hygiene_none_flagged(n_open, unavailable)
    parts = [f"{counts['no_next_step']} with no next step" if counts["no_next_step"] else "",
             f"{counts['stale']} stale" if counts["stale"] else "",
             f"{counts['past_close_date']} past their close date" if counts["past_close_date"] else ""]
    rest = hygiene_unchecked(unavailable)
    return (f"Of {n_open} open deals: " + ", ".join(p for p in parts if p) + ". Update them so the forecast can be "
            "trusted." + (f" {rest}" if rest else ""))


def track_record(rec) -> str:
    """How far to trust the early warning: its record on earlier periods (`diagnostics.foresight.TrackRecord`),
    checked at each month end on what was known then, beside flagging everyone."""
    if rec is None:
        return "It needs quotas: there is nothing to check it on."
    if rec.too_little:
        return f"Not enough history yet: {rec.too_little}."
    kind = {"quarter": "quarters", "month": "months", "year": "years"}.get(rec.kind, "periods")
    head = (f"Run at {rec.month_ends} month ends of the {len(rec.periods)} {kind} before this one "
            f"({', '.join(rec.periods)}), on what was known each day, for {rec.checks} checks of a rep")
    if not rec.flagged:
        flagged = "it flagged nobody"
    else:
        flagged = (f"{rec.flagged_missed} of the {rec.flagged} flags came true (the rep missed quota: "
                   f"{pct(rec.precision)})")
    if not rec.missed:
        seen = "nobody missed quota"
    else:
        seen = f"{rec.flagged_missed} of the {rec.missed} misses had been flagged ({pct(rec.recall)})"
    base = (f" Flagging every rep would have been right {pct(rec.everyone)} of the time."
            if rec.everyone is not None else "")
    weak = " Few checks: read it as a rough guide." if rec.checks < 50 else ""
    return f"{head}: {flagged}; {seen}.{base}{weak}"


# ------------------------------------------------------------------ the explorer's short lines


def to_date_span(period) -> str:
    """" for the 3 days of the quarter so far": what a to-date view's prorated target covers ("" otherwise)."""
    if not getattr(period, "to_date", ""):
        return ""
    return f" for the {plural(period.days, 'day')} of the {period.to_date} so far"


def gap_to_target(totals: Mapping, where: str, currency: str = "", finished: bool = False, span: str = "") -> str:
    """A team's gap to its target and the projection, in one sentence (`where`: "East", "the whole team").
    `finished`: the period is over, so what was won is the end result and nothing is projected; `span`: what a
    prorated target covers (`to_date_span`)."""
    target, won = _get(totals, "target"), _get(totals, "won") or 0.0
    if target is None or float(target) <= 0:
        return (f"No target for {where} in this period: add quotas (quotas.csv per rep, or team_quotas.csv per "
                "team) to see the gap to target.")
    without = int(_get(totals, "reps_without_quota") or 0)
    if without:  # the target was set for the reps with a quota: measured on their wins, the others said apart
        rest = (f" ({without} rep{'s' if without > 1 else ''} without a quota won "
                f"{money(float(_get(totals, 'won_without_quota') or 0.0), currency)}, not counted: give "
                f"{'them quotas' if without > 1 else 'them a quota'} in quotas.csv)")
        counted = {**dict(totals), "won": _get(totals, "quota_won"), "projection": _get(totals, "quota_projection"),
                   "reps_without_quota": 0}
        where = f"{where} (counting its reps with a quota)"
        return gap_to_target(counted, where, currency, finished, span)[:-1] + rest + "."
    target, won = float(target), float(won)
    goal = f"{money(target, currency)} target{span}"
    if finished:
        end = "reached it" if won >= target else f"{money(target - won, currency)} short"
        return f"{capital(where)} won {money(won, currency)} of its {goal} ({pct_below(won / target, 1.0)}): {end}."
    if won >= target:
        head = f"{capital(where)} has won {money(won, currency)} of its {goal} ({pct(won / target)}): reached"
    else:
        head = (f"{capital(where)} needs {money(target - won, currency)} more to reach its {goal} "
                f"({pct_below(won / target, 1.0)} won so far)")
    proj = _get(totals, "projection")
    if proj is None:
        return head + "."
    proj = float(proj)
    short = f", {money(target - proj, currency)} short" if proj < target else ""
    return (f"{head}; the projection at period end is {money(proj, currency)} ({pct_below(proj / target, 1.0)} of "
            f"target){short}.")


FLAG_WORDS = {"no_next_step": "no next step", "stale": "no activity in 14 days",
              "past_close_date": "past its close date"}


def deal_to_fix(deal: Mapping, rep_name: str, currency: str = "") -> str:
    """A flagged open deal in a line: what it is, whose, and what to update."""
    what = _get(deal, "account") or _get(deal, "opportunity_id")
    flags = [FLAG_WORDS[f] for f in FLAG_WORDS if _get(deal, f)]
    close = _get(deal, "close_date")
    if _get(deal, "past_close_date") and close is not None:
        flags[flags.index(FLAG_WORDS["past_close_date"])] += f" ({str(close)[:10]})"
    return f"{isolate(what)}, {money(_get(deal, 'amount'), currency)} ({isolate(rep_name)}): {', '.join(flags)}."


def vanity_verdict(row: Mapping, outcome: str, too_early: str | None = None) -> str:
    """The audit's verdict on one activity metric in plain words, without the statistics (they go in a fold)."""
    label = capital(str(_get(row, "label", "")))
    what = outcome_label(outcome)
    verdict = _get(row, "verdict")
    if _get(row, "covered", True) in (False, 0):
        n_logged, n_reps = int(_get(row, "logged", 0) or 0), int(_get(row, "reps", 0) or 0)
        return f"{label}: the data covers only {n_logged} of {plural(n_reps, 'rep')}: not audited."
    if too_early:  # "too early in the period", "too few closed deals in the period" or "too few reps"
        return f"{label}: {too_early.split(':')[0]} to tell whether it goes with {what}."
    if verdict == "driver":
        return f"{label} goes with higher {what}: worth encouraging."
    if _get(row, "follows_volume"):
        return f"{label} grows with the rep's number of opportunities, not with results for the same work: do not manage by it."
    if _get(row, "volume_unclear"):
        return f"{label} goes with higher {what}, but perhaps only as it grows with the rep's number of opportunities: watch it."
    if verdict == "vanity":
        hi = _get(row, "high")
        if hi is not None and float(hi) < 0:
            return f"{label} goes with lower {what}: do not manage by it."
        return f"{capital(direction(row, what, label.lower()))}: do not manage by it."
    if not _get(row, "enough_reps", True) or _get(row, "low") is None:
        return f"{label}: too few reps to tell; do not set targets on it yet."
    if _too_weak(row):
        return f"{capital(undecided(row, what, label.lower()))}: do not manage by it yet."
    return f"{label} may go with {what}, but the evidence is weak: watch it, do not set targets on it yet."


def no_target(quotas: str, period: str) -> str:
    """Why the team has no target for `period`, and which rows to add for one. `quotas`: what the export holds
    (`ExportShape.quotas`: "per rep", "team only" or "none")."""
    if quotas == "none":
        return ("no target: the data has no quotas: add quotas.csv, a quota per rep and period (rep_id, "
                "period_start, period_end, quota; see docs/data-model.md)")
    table, who = ("quotas.csv", "rep_id") if quotas == "per rep" else ("team_quotas.csv", "team")
    return (f"no target: no quota covers {period}: add {table} rows for it ({who}, period_start, period_end, quota; "
            "see docs/data-model.md)")


def finished_short(row: Mapping, currency: str = "") -> str:
    """How far a rep finished below quota in a period that is over."""
    return verdict_line(row, currency)


# ------------------------------------------------------------------ why, in words (the figures go in a fold)

RAMPING_MONTHS = 6  # a rep who joined this recently is still ramping up


def risk_why(row: Mapping, tenure_months: float | None = None) -> str:
    """Why a rep is at risk, in words: where the funnel leaks, the parts of the projection that are short, how
    new they are. The figures behind it are `risk_reason` (shown behind a fold). Only what the facts hold."""
    reasons = []
    step = _get(row, "bottleneck")
    if step in STEP:
        phrase = described(step, _get(row, "bottleneck_to")).phrase
        if _get(row, "bottleneck_source") == "volume":
            reasons.append(f"too little coming in at {phrase}")
        else:
            rate, median = _get(row, "bottleneck_rate"), _get(row, "bottleneck_team_median")
            vs = f" ({pct(rate)} against the role's {pct(median)})" if rate is not None and median is not None else ""
            reasons.append(f"deals are lost at {phrase}{vs}")
    if _get(row, "pipeline_short"):
        reasons.append("too little open pipeline to close the gap")
    if _get(row, "closing_slow"):
        reasons.append("deals win less often than the team's")
    if _get(row, "few_new_deals"):
        reasons.append("too few new deals")
    if _get(row, "behind"):
        reasons.append("behind what the season expects by now")
    if tenure_months is not None and tenure_months < RAMPING_MONTHS:
        months = max(1, round(tenure_months))
        reasons.append(f"joined {months} month{'s' if months != 1 else ''} ago, still ramping up")
    lead = f"likely {span(row)} of quota" if span(row) else "short of quota"
    return lead + (": " + "; ".join(reasons) if reasons else "") + "."


def leak_line(row: Mapping) -> str:
    """A rep's biggest funnel leak in a line, for a summary that works without quotas ("" when none is named)."""
    step = _get(row, "bottleneck")
    if step not in STEP or _get(row, "bottleneck_source") == "volume":
        return ""
    rate, median, lost = (_get(row, f"bottleneck_{k}") for k in ("rate", "team_median", "lost_wins"))
    phrase = described(step, _get(row, "bottleneck_to")).phrase
    head = f"loses deals at {phrase}"
    if rate is not None and median is not None:
        head += f": {pct(rate)} against the role's {pct(median)}"
    return head + (f" ({won_deals(lost, more=True)} at the role's rate)" if lost is not None else "") + "."


def team_progress(totals: Mapping, currency: str = "", finished: bool = False) -> str:
    """The whole team's won so far against its target, anonymous (for a rep's report): "" without a target.
    `finished`: the period is over, so what was won is the end result and nothing is projected."""
    target, won = _get(totals, "target"), _get(totals, "won")
    if target is None or won is None or float(target) <= 0:
        return ""
    line = (f"The whole team {'won' if finished else 'has won'} {money(won, currency)} of its "
            f"{money(target, currency)} target{'' if finished else ' so far'} ({pct(float(won) / float(target))}).")
    proj = _get(totals, "projection")
    if proj is not None and not finished:
        line += f" Projected at period end: about {pct(float(proj) / float(target))} of target."
    return line


def activity_window(w) -> str | None:
    """What the activity rates are per week of (a `coverage.ActivityWindow`); None when it is the whole window."""
    if w is None or not w.narrowed:
        return None
    return (f"Activity rates are per week of {w.start.date()} to {w.end.date()}, the {w.weeks:.0f} of "
            f"{w.window_weeks:.0f} weeks the activities cover (none logged outside them), not of the whole period.")


def no_new_deals(now: str, then: str) -> str:
    """Why the funnel steps of a period cannot be compared with the one before: it has no new deals."""
    return (f"No new deals in the period ({now}): no funnel step has a rate to compare with {then} (the rates "
            "are empty, not zero).")
