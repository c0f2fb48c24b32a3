"""`salesnb diagnose`: why each rep is where they are, as a readable summary or one JSON document."""
from __future__ import annotations

import math

import pandas as pd

from .scorecard_cli import add_dataset_args


def add_cli(subparsers) -> None:
    """Register `salesnb diagnose --data DIR [--as-of D] [--period P] [--weights F | --preset NAME] [--json]`."""
    p = subparsers.add_parser(
        "diagnose",
        help="diagnose every rep: funnel bottleneck, vanity metrics, top-performer practices, pairing, risk",
        description=(
            "Run the diagnostics for a period: each rep's funnel bottleneck against the team (within role), "
            "the vanity-metric audit, what top performers do differently, peer pairing, early warning, lead "
            "quality and pipeline hygiene. --json prints one JSON document (schema: docs/diagnose-json.md)."
        ),
    )
    add_dataset_args(p)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--weights", default=None,
                       help="a weights TOML file (a preset name is accepted too)")
    group.add_argument("--preset", default=None,
                       help="outcomes-first (default), balanced or activity-coaching")
    p.add_argument("--json", action="store_true", help="print one JSON document instead of the summary")
    p.set_defaults(func=_run)


def _pct(x) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.0%}"


def summary_text(d) -> str:
    """The readable summary: team, per-rep headline, vanity verdicts, top-performer differences."""
    t = d.team
    lines = [
        f"Diagnosis · {d.period} ({d.period_start.date()}..{d.period_end.date()}) · as of {d.as_of.date()}",
        "",
        f"Team: won {t['won']:,.0f} of {t['target']:,.0f} ({_pct(t['attainment'])}); "
        f"projected {t['projection']:,.0f} ({_pct(t['projected_attainment'])})"
        if t["target"] == t["target"] else f"Team: won {t['won']:,.0f} (no quotas: no target)",
        "",
    ]
    reps = d.reps.sort_values(["rank_overall"], na_position="last", kind="mergesort")
    rows = []
    for r in reps.itertuples(index=False):
        rows.append({
            "name": r.name if isinstance(r.name, str) else r.rep_id,
            "role": r.role if isinstance(r.role, str) else "-",
            "rank": "-" if pd.isna(r.rank_in_role) else str(int(r.rank_in_role)),
            "attainment": _pct(r.attainment),
            "at risk": "yes" if r.at_risk is True else ("no" if r.at_risk is False else "-"),
            "bottleneck": r.bottleneck,
            "pair with": d.reps.set_index("rep_id")["name"].get(r.pair_with, "-") if isinstance(r.pair_with, str) else "-",
        })
    if rows:
        lines.append(pd.DataFrame(rows).to_string(index=False))
    lines += ["", "Bottlenecks:"]
    named = d.reps[~d.reps["bottleneck"].isin(["none", "insufficient_data"])]
    for r in named.itertuples(index=False):
        lines.append(f"- {r.name}: {r.bottleneck_sentence}")
    lines += _too_early(d.reps)
    if "vanity" not in d.unavailable and len(d.vanity):
        lines += ["", "Activity metrics vs outcomes:"]
        if d.too_early:
            lines.append(f"- every verdict unclear: {d.too_early}.")
        elif d.vanity["rho"].isna().all():
            n = int(d.vanity["n"].max())
            lines.append(f"- too few reps with an outcome to tell which activities go with results (n = {n}).")
        else:
            lines += [f"- [{r.verdict}] {r.sentence}" for r in d.vanity.itertuples(index=False)]
    tops = d.top_performers[d.top_performers["sentence"] != ""] if len(d.top_performers) else d.top_performers
    if len(tops):
        lines += ["", "What top performers do differently:"]
        lines += [f"- {s}" for s in tops["sentence"]]
    risky = d.reps[d.reps["at_risk"] == True]  # noqa: E712 (NaN-safe)
    if len(risky):
        lines += ["", "At risk:"]
        lines += [f"- {r.name}: {r.at_risk_reason}" for r in risky.itertuples(index=False)]
    lowq = d.lead_quality[d.lead_quality.get("low_quality", pd.Series(dtype=bool)) == True] \
        if "low_quality" in d.lead_quality else d.lead_quality.iloc[0:0]  # noqa: E712
    if len(lowq):
        names = d.reps.set_index("rep_id")["name"]
        lines += ["", "Lead quality:"]
        lines += [f"- {names.get(r.rep_id, r.rep_id)}: {r.sentence}" for r in lowq.itertuples(index=False)]
    h = d.hygiene[["no_next_step", "stale", "past_close_date"]].sum() if len(d.hygiene) else None
    if h is not None:
        lines += ["", f"Hygiene: {h['no_next_step']} open deals with no next step, {h['stale']} stale, "
                      f"{h['past_close_date']} past their close date."]
    for name, reason in d.unavailable.items():
        lines.append(f"note: {name} unavailable: {reason}")
    for note in d.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines)


def _too_early(reps: pd.DataFrame) -> list[str]:
    """One line for the reps with too few deals to name a bottleneck (several identical sentences say less)."""
    few = reps[reps["bottleneck"] == "insufficient_data"]
    if len(few) == 0:
        return []
    if len(few) == 1:
        return [f"- {few['name'].iloc[0]}: {few['bottleneck_sentence'].iloc[0]}"]
    return [f"- too few deals yet to tell where the funnel leaks for {len(few)} reps "
            f"({', '.join(few['name'].astype(str))}): review again later in the period."]


def _run(args) -> int:
    from .diagnostics import diagnose
    from .load import load
    from .scorecard import as_weights

    dataset = load(args.data)
    spec = args.weights or args.preset
    weights = as_weights(spec) if spec else None
    d = diagnose(dataset, period=args.period, as_of=args.as_of, weights=weights)
    print(d.to_json() if args.json else summary_text(d))
    return 0
