"""What the command line prints: the leaderboard and the diagnosis summary, as plain text.

Tables come from the one leaderboard builder and sentences from the manager's words, so the terminal says
what the team explorer says. Long values are clipped, so a 100,000-character name cannot pad every line.
"""
from __future__ import annotations

from .leaderboard import leaderboard, outcome_notes, withheld_notes
from .metrics.catalogue import CATALOGUE
from .present import MISSING, clip, isolate, missing, money, num, pct, text_table
from .terms import NO_LEAK, TOO_FEW_DEALS, described
from .words import manager as words

TOP_METRICS = 3  # how many top-contributing metrics to show per rep
WIDTH = 40  # widest cell of a terminal table


def _label(metric: str) -> str:
    return CATALOGUE[metric].label if metric in CATALOGUE else metric


def leaderboard_text(table, card, top: int | None = None) -> str:
    """The leaderboard as plain text: role by role, best first."""
    board = leaderboard(card, table, top=TOP_METRICS)
    shown = board if top is None else board.groupby("role", sort=False).head(top)
    points = card.breakdown
    rows = []
    for r in shown.itertuples(index=False):
        contrib = ", ".join(f"{_label(m)} {points.at[r.rep_id, m]:.0f}" for m in r.top_metrics) or MISSING
        rows.append([r.role, MISSING if missing(r.rank) else str(r.rank), r.name,
                     num(r.score, 1), pct(r.attainment) if "attainment" in table.values else "n/a",
                     money(r.won_revenue), contrib])
    w = card.weights
    head = (f"Scorecard {w.name} · {table.period.label} ({table.period.start.date()}..{table.period.end.date()}) "
            f"· as of {table.as_of.date()} · normalised by {w.normalisation} within {w.group_by or 'the whole team'}")
    lines = [head, ""]
    if rows:
        lines.append(text_table(["role", "rank", "name", "score", CATALOGUE["attainment"].label.lower(),
                                      CATALOGUE["won_revenue"].label.lower(), "top contributions (points)"],
                                rows, WIDTH))
    notes = outcome_notes(table) + withheld_notes(table.reps.reindex(card.scores["rep_id"]), w.group_by)
    for note in notes + list(card.notes):
        lines.append(f"note: {isolate(clip(note, 400))}")
    if "attainment" in table.unavailable and not any(n.startswith("attainment") for n in card.notes):
        lines.append(f"note: attainment: {table.unavailable['attainment']}")
    return "\n".join(lines)


def _risk_cell(r) -> str:
    """The at-risk column: yes / no while the period runs, made / missed once it is over."""
    if getattr(r, "finished", None) is True and isinstance(getattr(r, "verdict", None), str):
        return r.verdict
    return "yes" if r.at_risk is True else ("no" if r.at_risk is False else MISSING)


def summary_text(d) -> str:
    """The readable diagnosis: team, per-rep headline, bottlenecks, audits, risks, quality, hygiene."""
    t, cur = d.team, d.currency
    lines = [f"Diagnosis · {d.period} ({d.period_start.date()}..{d.period_end.date()}) · as of {d.as_of.date()}"]
    lines += [d.shape.summary(), ""] if d.shape is not None else [""]
    if not missing(t.get("target")):
        why_not = d.unavailable.get("early_warning") or "there are no rep quotas"
        without = t.get("reps_without_quota") or 0
        proj_key = "quota_projection" if without else "projection"
        projected = (f"; projected {money(t[proj_key], cur)} ({pct(t['projected_attainment'])})"
                     if not missing(t.get(proj_key)) else f"; no projection: {why_not}")
        if without:  # the target covers only the reps with a quota: measured on what they won
            lines.append(f"Team: won {money(t['won'], cur)}; the reps with a quota won {money(t['quota_won'], cur)} "
                         f"of their {money(t['target'], cur)} ({pct(t['attainment'])}){projected}")
            lines.append(f"{without} rep(s) without a quota in this period won {money(t['won_without_quota'], cur)}, "
                         "not counted against the target: add their rows to quotas.csv to count them.")
        else:
            lines.append(f"Team: won {money(t['won'], cur)} of {money(t['target'], cur)} ({pct(t['attainment'])})"
                         f"{projected}")
    else:
        quotas = d.shape.quotas if d.shape is not None else "none"
        lines.append(f"Team: won {money(t['won'], cur)}; {words.no_target(quotas, d.period)}")
    names = d.reps.set_index("rep_id")["name"]
    reps = d.reps.sort_values(["role", "rank_in_role", "name"], na_position="last", kind="mergesort")
    rows = [[r.role if isinstance(r.role, str) else MISSING,
             MISSING if missing(r.rank_in_role) else str(int(r.rank_in_role)), r.name, pct(r.attainment),
             _risk_cell(r), words.verdict(r.bottleneck),
             names.get(r.pair_with, MISSING) if isinstance(r.pair_with, str) else MISSING]
            for r in reps.itertuples(index=False)]
    if rows:
        lines += ["", text_table(["role", "rank", "name", "attainment", "at risk", "bottleneck", "pair with"], rows,
                                 WIDTH)]
    records = d.reps.to_dict("records")
    named = [r for r in records if r["bottleneck"] not in (NO_LEAK, TOO_FEW_DEALS) and not missing(r["bottleneck"])]
    if named:
        lines += ["", "Bottlenecks:"] + [f"- {isolate(clip(r['name'], WIDTH))}: {words.bottleneck(r)}" for r in named]
    few = [r for r in records if r["bottleneck"] == TOO_FEW_DEALS]
    if len(few) == 1:
        lines.append(f"- {isolate(clip(few[0]['name'], WIDTH))}: {words.bottleneck(few[0])}")
    elif few:
        over = bool(few[0].get("period_over"))
        lines.append(f"- too few deals{'' if over else ' yet'} to tell where the funnel leaks for {len(few)} reps "
                     f"({', '.join(isolate(clip(r['name'], WIDTH)) for r in few)})"
                     f"{': the period is over, so it cannot tell.' if over else ': review again later in the period.'}")
    unread = {}
    for r in records:
        if isinstance(r.get("bottleneck_unmeasured"), str):
            unread.setdefault(r["bottleneck_unmeasured"], []).append(isolate(clip(r["name"], WIDTH)))
    for why, who in unread.items():
        lines.append(f"- no funnel verdict for {', '.join(who)}: {why}.")
    lines += _audits(d)
    risky = [r for r in records if r["at_risk"] is True]
    short = [r for r in records if r.get("finished") is True and r.get("verdict") == "missed"]
    if risky:
        lines += ["", "At risk:"] + [f"- {isolate(clip(r['name'], WIDTH))}: {words.risk_reason(r, cur)}" for r in risky]
        if (why := words.carried(records, cur)):
            lines.append(why)
    elif short:
        lines += ["", "The period is over; finished short of quota:"] + [
            f"- {isolate(clip(r['name'], WIDTH))}: {words.verdict_line(r, cur)}" for r in short]
    if d.track_record is not None:
        lines += ["", f"How far to trust the early warning: {words.track_record(d.track_record)}"]
    lines += _changes(d)
    lq = d.lead_quality
    if "low_quality" in lq:
        flagged = [r for r in lq.to_dict("records") if r.get("low_quality") is True]
        if flagged:
            lines += ["", "Lead quality:"] + [f"- {isolate(clip(names.get(r['rep_id'], r['rep_id']), WIDTH))}: "
                                              f"{words.lead_quality(r)}" for r in flagged]
    checked = words.hygiene_checked(d.unavailable)
    if len(d.hygiene) and checked:
        h = d.hygiene[list(checked)].sum()
        said = {"no_next_step": "open deals with no next step", "stale": "stale", "past_close_date":
                "past their close date"}
        lines += ["", "Hygiene: " + ", ".join(f"{h[f]} {said[f]}" for f in checked) + "."]
    by_reason: dict[str, list[str]] = {}
    for name, reason in d.unavailable.items():  # one note per reason: no open deal empties several sections
        by_reason.setdefault(reason, []).append(name)
    for reason, names in by_reason.items():
        lines.append(f"note: {', '.join(names)} unavailable: {reason}")
    lines += [f"note: {isolate(clip(n, 400))}" for n in d.notes]
    return "\n".join(lines)


def _changes(d) -> list[str]:
    """The steps that really moved since the previous comparable period, one line each."""
    ch = d.change
    if ch is None or ch.unavailable or not len(ch.steps):
        return []
    names = d.reps.set_index("rep_id")["name"]
    moved = ch.steps[ch.steps["moved"].isin(["up", "down"])]
    head = f"Since {ch.then.label} ({ch.now.label} against it, each seen as far into it):"
    if not len(moved):
        return ["", f"{head} no funnel step of any rep moved clearly."]
    return ["", head] + [f"- {isolate(clip(names.get(r['rep_id'], r['rep_id']), WIDTH))}: "
                         f"{described(r['step'], r['to']).label} {'up' if r['moved'] == 'up' else 'down'}, "
                         f"{pct(r['then_rate'])} -> {pct(r['now_rate'])}" for r in moved.to_dict("records")]


def _audits(d) -> list[str]:
    lines = []
    if "vanity" not in d.unavailable and len(d.vanity):
        lines += ["", "Activity metrics vs outcomes:"]
        if said := words.activity_window(getattr(d, "activity_window", None)):
            lines.append(f"- {said}")
        if d.too_early:
            lines.append(f"- every verdict unclear: {d.too_early}.")
        elif d.vanity["rho"].isna().all():
            lines.append("- too few reps with an outcome to tell which activities go with results "
                         f"(n = {int(d.vanity['n'].max())}).")
        else:
            lines += [f"- [{v['verdict']}] {words.vanity(v, d.outcome)}" for v in d.vanity.to_dict("records")]
    tops = d.top_performers[d.top_performers["notable"]] if len(d.top_performers) else d.top_performers
    if len(tops):
        lines += ["", "What top performers do differently:"] + [f"- {words.practice(t)}" for t in tops.to_dict("records")]
    return lines
