"""`salesnb score`: the leaderboard in the terminal."""
from __future__ import annotations

import math

import pandas as pd

from .diagnostics.evidence import check_period, withhold_lone_scores
from .errors import ConfigError

TOP_METRICS = 3  # how many top-contributing metrics to show per rep


def add_dataset_args(p) -> None:
    """The options every analysis command shares: --data, --as-of and --period."""
    p.add_argument("--data", required=True, help="the dataset folder, e.g. data/sample")
    p.add_argument("--as-of", dest="as_of", default=None,
                   help="report date YYYY-MM-DD (default: dataset.toml as_of, else the latest date in the data)")
    p.add_argument("--period", default=None,
                   help='"2026", "2026-Q2", "2026-03", "ytd", "qtd", "mtd" or "2026-01-01..2026-06-30" '
                        "(default: the dataset's default period)")


def add_cli(subparsers) -> None:
    """Register `salesnb score --data DIR [--as-of D] [--period P] [--weights F | --preset NAME]`."""
    p = subparsers.add_parser(
        "score",
        help="print the weighted scorecard leaderboard",
        description=(
            "Compute every rep's metrics for a period and print the weighted scorecard: rank within role, "
            "score, attainment, won revenue and the metrics that contributed most. Scores are normalised "
            "within each role. Use --weights FILE for a team's own weights (TOML) or --preset NAME."
        ),
    )
    add_dataset_args(p)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--weights", default=None, help="a weights TOML file")
    group.add_argument("--preset", default=None,
                       help="outcomes-first (default), balanced or activity-coaching")
    p.add_argument("--top", type=int, default=None, help="show only the first N reps")
    p.set_defaults(func=_run)


def _money(x: float) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.0f}"


def _pct(x: float) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.0%}"


def leaderboard_text(table, card, top: int | None = None) -> str:
    """The leaderboard as plain text (one line per rep, best first)."""
    from .metrics.catalogue import CATALOGUE

    vals = table.values
    s = card.scores if top is None else card.scores.head(top)
    rows = []
    for r in s.itertuples(index=False):
        contrib = card.breakdown.loc[r.rep_id]
        best = contrib[contrib > 0].sort_values(ascending=False, kind="stable").head(TOP_METRICS)
        tops = ", ".join(f"{CATALOGUE[m].label} {v:.0f}" for m, v in best.items()) or "-"
        rows.append({
            "rank": str(r.rank_overall),
            "in role": str(r.rank_in_role),
            "name": str(r.name) if pd.notna(r.name) else r.rep_id,
            "role": str(r.role) if pd.notna(r.role) else "-",
            "score": f"{r.score:.1f}",
            "attainment": _pct(vals.at[r.rep_id, "attainment"]) if "attainment" in vals else "n/a",
            "won": _money(vals.at[r.rep_id, "won_revenue"]),
            "top contributions (points)": tops,
        })
    frame = pd.DataFrame(rows)
    notes = list(card.notes)
    if len(frame):
        every = card.scores.set_index("rep_id")[["score"]]  # group sizes count every scored rep, not only --top
        kept, lone_notes = withhold_lone_scores(every, table.reps.reindex(every.index), card.weights.group_by)
        lone = (kept["score"].isna() & every["score"].notna()).reindex(s["rep_id"]).to_numpy()
        frame.loc[lone, ["rank", "in role", "score"]] = "-"
        notes = lone_notes + notes
    head = (f"Scorecard {card.weights.name} · {table.period.label} "
            f"({table.period.start.date()}..{table.period.end.date()}) · as of {table.as_of.date()} · "
            f"normalised by {card.weights.normalisation} within {card.weights.group_by or 'the whole team'}")
    lines = [head, ""]
    if len(frame):
        lines.append(frame.to_string(index=False))
    for note in notes:
        lines.append(f"note: {note}")
    if "attainment" in table.unavailable and not any(n.startswith("attainment") for n in card.notes):
        lines.append(f"note: attainment: {table.unavailable['attainment']}")
    return "\n".join(lines)


def _run(args) -> int:
    from .load import load
    from .metrics import metrics
    from .scorecard import as_weights, score

    if args.top is not None and args.top < 1:
        raise ConfigError(f"--top must be 1 or more, got {args.top}.")
    dataset = load(args.data)
    table = metrics(dataset, period=args.period, as_of=args.as_of)
    n_current = int(table.reps["active"].sum()) if "active" in table.reps else len(table.reps)
    check_period(dataset, table.period, table.as_of, n_current)
    weights = as_weights(args.weights or args.preset)
    card = score(table, weights)
    print(leaderboard_text(table, card, args.top))
    return 0
