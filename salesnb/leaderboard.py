"""The one leaderboard: reps ranked on the weighted score within their role, with what made the score.

    board = leaderboard(card, table)                       # every current rep, role by role
    board = leaderboard(card, table, role="AE", reference=preset_card)   # one role, with rank moves

The team explorer, the weight panel, `salesnb score`, `salesnb diagnose` and the reports index all show
this frame, so they agree. Scores are normalised within a group (the role by default); a rep whose group
has fewer than `MIN_REPS_FOR_COMPARISON` current reps gets no score and no rank: it would compare them
against almost nobody.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .config import MIN_REPS_FOR_COMPARISON
from .terms import NO_ROLE, NO_TEAM, group_key, role_key

COLUMNS = ("rep_id", "name", "role", "team", "manager", "score", "rank", "n_in_role", "attainment",
           "won_revenue", "assisted_deals", "top_metrics", "rank_change")


def lone_groups(reps: pd.DataFrame, group_by: str | None) -> dict[str, list[str]]:
    """Groups (by `group_by`, or the whole team) of fewer than `MIN_REPS_FOR_COMPARISON` reps: key -> rep ids."""
    keys = _group_keys(reps, group_by)
    sizes = keys.value_counts()
    small = sizes[sizes < MIN_REPS_FOR_COMPARISON].index
    return {str(k): list(keys.index[keys == k].astype(str)) for k in small}


def _group_keys(reps: pd.DataFrame, group_by: str | None) -> pd.Series:
    if group_by and group_by in reps:
        missing = NO_TEAM if group_by == "team" else NO_ROLE
        return reps[group_by].map(lambda v: group_key(v, missing))
    return pd.Series("the whole team", index=reps.index)


def without_deals(table, ids: pd.Index, group) -> pd.Series:
    """Per rep: owns no deal in the data while others of the group do. Such a rep is not ranked among them
    (31 of 35 on figures that do not exist); a group owning no deals at all (SDRs) is ranked on what it owns."""
    v = table.values.reindex(ids) if table is not None and "won_revenue" in table.values else None
    if v is None:
        return pd.Series(False, index=ids)
    none = v["won_revenue"].isna()
    owns = (~none).groupby(pd.Series(group, index=ids)).transform("any")
    return none & owns


def no_deal_notes(card, table) -> list[str]:
    """One note naming the reps left unranked because they own no deals (for the manager's views only)."""
    s = card.scores.set_index("rep_id")
    ids = s.index
    gone = without_deals(table, ids, _group_keys(table.reps.reindex(ids).assign(role=s["role"]), card.weights.group_by))
    if not gone.any():
        return []
    names = [str(table.reps.at[r, "name"]) if "name" in table.reps else str(r) for r in ids[gone.to_numpy()]]
    return [f"Not ranked: {', '.join(names)} own{'s' if len(names) == 1 else ''} no deals in this data, while "
            "others of the same group do: a rank on figures that do not exist would say nothing."]


def withheld_notes(reps: pd.DataFrame, group_by: str | None) -> list[str]:
    """One note per group too small to score, naming its reps (for the manager's views only)."""
    notes = []
    for key, members in lone_groups(reps, group_by).items():
        names = [str(reps.at[m, "name"]) if "name" in reps else m for m in members]
        where = f"{group_by} {key}" if group_by and group_by in reps else key
        notes.append(f"No score for {', '.join(names)}: only {len(members)} current rep"
                     f"{'' if len(members) == 1 else 's'} in {where}, fewer than the {MIN_REPS_FOR_COMPARISON} a "
                     "score needs (it is normalised within the group, so it would compare against almost nobody).")
    return notes


def outcome_notes(table) -> list[str]:
    """Warnings when the period has no outcome to rank on yet (nothing won or lost so far)."""
    v = table.values
    won = v["won_revenue"].fillna(0).sum() if "won_revenue" in v else 0.0
    decided = v[[c for c in ("deals_won", "win_rate") if c in v]].notna().any(axis=1).sum() if len(v) else 0
    if won > 0:
        return []
    what = "no deal was won" if decided else "no deal was won or lost"
    return [f"In {table.period.label} up to {table.as_of.date()} {what}: every rep scores nothing on the "
            "outcome metrics, so the ranking rests on the other metrics only. Rank on outcomes once deals close "
            "(a later --as-of, or an earlier --period)."]


def ranks(scores: pd.Series, groups: pd.Series) -> pd.Series:
    """Rank within each group, 1 = highest; ties (equal to 9 decimals) share the best rank; NaN unranked."""
    return scores.round(9).groupby(groups).rank(ascending=False, method="min").astype("Int64")


def leaderboard(card, table=None, *, role: str | None = None, team: str | None = None,
                manager: str | None = None, reference=None, top: int = 2) -> pd.DataFrame:
    """The leaderboard frame (`COLUMNS`), sorted by role, rank and name.

    card: a `Scorecard`; table: its `MetricTable` (for attainment, won and assisted deals, and the reps'
    team and manager). role / team / manager: keep only those reps (ranks stay within the whole role).
    reference: another `Scorecard` of the same reps (e.g. the preset's): ``rank_change`` is how many
    places each rep moved against it (positive = up). top: how many contributing metrics to list.
    """
    s = card.scores.set_index("rep_id")
    reps = table.reps.reindex(s.index) if table is not None else s[["name", "team", "role"]]
    out = pd.DataFrame(index=s.index)
    out["name"] = s["name"]
    out["role"] = s["role"].map(role_key)
    out["team"] = s["team"]
    out["manager"] = reps["manager"] if "manager" in reps else pd.NA
    lone = {r for members in lone_groups(reps.assign(role=s["role"]), card.weights.group_by).values() for r in members}
    group = _group_keys(reps.assign(role=s["role"]), card.weights.group_by)
    out["score"] = s["score"].where(~s.index.isin(lone) & ~without_deals(table, s.index, group))
    out["rank"] = ranks(out["score"], group)
    out["n_in_role"] = out["score"].notna().groupby(group).transform("sum").astype(int)
    values = table.values.reindex(s.index) if table is not None else pd.DataFrame(index=s.index)
    for col in ("attainment", "won_revenue", "assisted_deals"):
        out[col] = values[col] if col in values else np.nan
    out["top_metrics"] = _top_metrics(card.breakdown.reindex(s.index), top)
    if reference is not None:
        ref = reference.scores.set_index("rep_id")["score"].reindex(s.index).where(~s.index.isin(lone))
        out["rank_change"] = (ranks(ref, group) - out["rank"]).astype("Int64")
    else:
        out["rank_change"] = pd.array([pd.NA] * len(out), dtype="Int64")
    keep = pd.Series(True, index=out.index)
    if role is not None:
        keep &= out["role"] == role
    if team is not None:
        keep &= out["team"].astype("string").fillna(NO_TEAM) == team
    if manager is not None:
        keep &= out["manager"].astype("string") == manager
    out = out[keep.to_numpy()].reset_index()
    return out.sort_values(["role", "rank", "name"], na_position="last", kind="stable").reset_index(drop=True)


def _top_metrics(points: pd.DataFrame, top: int) -> list[list[str]]:
    """Per rep, the metrics that gave most points (above zero), biggest first, ties by name."""
    out = []
    cols = list(points.columns)
    for row in points.fillna(0.0).to_numpy():
        order = sorted((i for i in range(len(cols)) if row[i] > 0), key=lambda i: (-row[i], cols[i]))
        out.append([cols[i] for i in order[:top]])
    return out
