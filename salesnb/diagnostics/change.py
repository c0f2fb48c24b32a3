"""What changed since the previous comparable period: attainment, each funnel step, the activity mix, rank.

    ch = compare(dataset, period, as_of, weights, reps)     # a `Change`, facts only

The periods compared: the analysed period against the one before it of the same kind (quarter against the
previous quarter, month against the previous month, a year against the previous year, any other span
against the same dates a year earlier), or the period a manager names. When the data does not reach back
that far (a first year of data), the last complete quarter against the quarter before. Both are taken as
of the same point, so a quarter half gone is compared with
the first half of the previous one, and a finished quarter seen 46 days after its end with the quarter
before seen 46 days after its end: deals created in each have had about the same time to be decided.

A step "moved" only with evidence: both periods need ``MIN_REACHED`` deals at the step, the change must be
significant (two-sided two-proportion test at 0.05 / the number of steps compared) and material (at least
``MIN_RELATIVE_CHANGE`` of the earlier rate). Below ``MIN_REACHED`` a side the test cannot tell a halving from
chance (60% -> 30% on 9 deals each is z = 1.3), so all it could name are the extreme swings thin counts give by
chance: on 200 reps with 5 to 9 deals a side it named 4 of 314 rep-steps, about what chance gives, and none
with 10. The bench's planted mid-year halvings are named as often with 10 as with 5.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..metrics.shapes import activity_shares, step_rows
from ..periods import Period, earlier, fiscal_year_start, resolve_period
from ..terms import role_key
from .bottleneck import find_bottlenecks

ALPHA = 0.05
MIN_REACHED = 10  # deals at a step in each of the two periods before its change is tested (the bottleneck needs 5)
MIN_RELATIVE_CHANGE = 0.2
MIX_MOVE = 0.05  # the share of activity that must move to call the mix closer to (or further from) the top's


@dataclass
class Change:
    now: Period  # as of `now_as_of`
    then: Period  # as of `then_as_of` (the same number of days in)
    now_as_of: pd.Timestamp
    then_as_of: pd.Timestamp
    reps: pd.DataFrame  # per rep: then/now attainment, projection, rank, bottleneck, mix distance and move
    steps: pd.DataFrame  # per rep and step: then/now reached, advanced, rate; moved (up/down/none/too_few)
    unavailable: str | None = None
    note: str | None = None  # the earlier period is only partly covered by the data


MIN_COVERED = 0.5  # an earlier period the data covers only partly is compared when it covers at least half


def periods_to_compare(period: Period, as_of, data_start, m0: int, override=None) -> tuple[Period, Period]:
    """(now, then): see the module docstring."""
    as_of = pd.Timestamp(as_of)
    if override:
        return period, resolve_period(override, as_of, m0, where="compare with")
    then = earlier(period, 1, m0)
    if then.start >= data_start:
        return period, then
    fy = fiscal_year_start(as_of, m0)
    q = ((as_of.year - fy.year) * 12 + as_of.month - fy.month) // 3
    start = fy + pd.DateOffset(months=3 * q)
    label = f"{fy.year}-Q{q + 1}" if m0 == 1 else f"FY{fy.year} Q{q + 1}"
    holding = Period(start, start + pd.DateOffset(months=3) - pd.Timedelta(days=1), label, "quarter")
    now = holding if holding.end <= as_of else earlier(holding, 1, m0)  # the last complete quarter
    return now, earlier(now, 1, m0)


def _two_sided_p(a1, n1, a2, n2) -> np.ndarray:
    """Two-proportion z-test, two-sided (normal approximation; both samples have MIN_REACHED or more)."""
    p = (a1 + a2) / np.maximum(n1 + n2, 1)
    se = np.sqrt(p * (1 - p) * (1 / np.maximum(n1, 1) + 1 / np.maximum(n2, 1)))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.abs(a2 / np.maximum(n2, 1) - a1 / np.maximum(n1, 1)) / se
    return np.array([math.erfc(v / math.sqrt(2)) if np.isfinite(v) else 1.0 for v in np.atleast_1d(z)])


def step_moves(then: pd.DataFrame, now: pd.DataFrame) -> pd.DataFrame:
    """Per rep and step (rows of `step_rows` for each period): the rates then and now and whether it moved."""
    keys = ["rep_id", "step"]
    m = then.rename(columns={"reached": "then_reached", "advanced": "then_advanced", "rate": "then_rate"}).merge(
        now.rename(columns={"reached": "now_reached", "advanced": "now_advanced", "rate": "now_rate"}),
        on=keys, how="outer", suffixes=("_then", ""))
    for c in ("then_reached", "then_advanced", "now_reached", "now_advanced"):
        m[c] = m[c].fillna(0).astype(int)
    enough = (m["then_reached"] >= MIN_REACHED) & (m["now_reached"] >= MIN_REACHED)
    n_steps = m.groupby("rep_id")["step"].transform("size")
    m["p_value"] = _two_sided_p(m["then_advanced"].to_numpy(float), m["then_reached"].to_numpy(float),
                                m["now_advanced"].to_numpy(float), m["now_reached"].to_numpy(float))
    material = (m["now_rate"] - m["then_rate"]).abs() >= MIN_RELATIVE_CHANGE * m["then_rate"]
    moved = enough & (m["p_value"] < ALPHA / n_steps) & material
    m["moved"] = np.where(~enough, "too_few", np.where(moved, np.where(m["now_rate"] > m["then_rate"], "up", "down"),
                                                       "none"))
    if "to" not in m:
        m["to"] = m.get("to_then")
    return m[["rep_id", "step", "to", "then_reached", "then_advanced", "then_rate", "now_reached", "now_advanced",
              "now_rate", "p_value", "moved"]]


def _mix_distance(values: pd.DataFrame, card, roles: pd.Series) -> pd.Series:
    """Per rep: the share of activity that would have to move to match the mean mix of the role's top quarter
    by score (half the sum of absolute share differences); NaN without activities."""
    if not any(c.startswith("act_") for c in values.columns):
        return pd.Series(np.nan, index=values.index)
    mix = activity_shares(values)
    scores = card.scores.set_index("rep_id")["score"].reindex(mix.index)
    out = pd.Series(np.nan, index=mix.index)
    for _, members in mix.groupby(roles.reindex(mix.index)).groups.items():
        ranked = scores.reindex(members).dropna().sort_values(ascending=False, kind="stable")
        top = mix.loc[ranked.index[:max(2, math.ceil(len(ranked) / 4))]].mean()
        out[members] = 0.5 * (mix.loc[members] - top).abs().sum(axis=1).where(mix.loc[members].notna().all(axis=1))
    return out


def _period_facts(dataset, period: Period, as_of, weights, current: pd.Index):
    """Metrics, score, ranks, funnel steps and bottlenecks of one period at `as_of`."""
    from ..leaderboard import leaderboard
    from ..metrics import funnel_counts, metrics
    from ..scorecard import score

    table = metrics(dataset, period, as_of)
    card = score(table, weights)
    board = leaderboard(card, table).set_index("rep_id").reindex(current)
    funnel = funnel_counts(dataset, period, as_of)
    steps = step_rows(funnel)
    roles = table.reps["role"].map(role_key) if "role" in table.reps else pd.Series("", index=table.reps.index)
    reps_df = pd.DataFrame({"rep_id": current, "role": roles.reindex(current).fillna("").to_numpy()})
    neck, _ = find_bottlenecks(funnel[funnel["rep_id"].isin(current)], reps_df)
    return table, card, board, steps[steps["rep_id"].isin(current)], neck.set_index("rep_id"), roles


def compare(dataset, period: Period, as_of, weights, current: pd.Index, override=None) -> Change:
    """The change for the reps `current` between the analysed period and the previous comparable one."""
    as_of = pd.Timestamp(as_of)
    m0 = int(dataset.meta.fiscal_year_start_month or 1)
    data_start = dataset.opportunities["created_date"].min()
    now, then = periods_to_compare(period, as_of, data_start, m0, override)
    now_as_of = as_of
    if as_of >= now.end:  # a finished period: the one before, as long after its end
        then_as_of = then.end + (as_of - now.end)
    else:  # in progress: the one before, as far from its start
        then_as_of = then.start + (as_of - now.start)
    empty = Change(now, then, now_as_of, then_as_of, pd.DataFrame(index=current), pd.DataFrame())
    note = None
    covered = (then.end - data_start).days + 1
    span = (then.end - then.start).days + 1
    if then.start < data_start:
        if covered < MIN_COVERED * span or then_as_of < data_start:
            empty.unavailable = (
                f"the deals in the data start on {data_start.date()}, so there is no {then.label} to compare "
                f"{now.label} with"
                if now.end >= data_start else  # the fallback quarters are both before the data: name neither
                f"the deals in the data start on {data_start.date()}, within {period.label}, so it holds no "
                "earlier period to compare with yet")
            return empty
        note = (f"The deals in the data start on {data_start.date()}: {then.label} is compared from then on "
                f"({covered} of its {span} days).")
    if then_as_of < then.start:
        empty.unavailable = f"{then.label} had not started at the same point: nothing to compare {now.label} with"
        return empty
    t_now, c_now, b_now, s_now, n_now, roles = _period_facts(dataset, now, now_as_of, weights, current)
    t_then, c_then, b_then, s_then, n_then, _ = _period_facts(dataset, then, then_as_of, weights, current)
    v_now, v_then = t_now.values.reindex(current), t_then.values.reindex(current)
    out = pd.DataFrame(index=current)
    for name, v in (("then", v_then), ("now", v_now)):
        out[f"{name}_attainment"] = v["attainment"] if "attainment" in v else np.nan
        out[f"{name}_won"] = v["won_revenue"] if "won_revenue" in v else np.nan
    out["then_rank"], out["now_rank"] = b_then["rank"], b_now["rank"]
    out["then_n_in_role"], out["now_n_in_role"] = b_then["n_in_role"], b_now["n_in_role"]
    out["then_bottleneck"], out["now_bottleneck"] = n_then["bottleneck"], n_now["bottleneck"]
    out["then_mix_distance"] = _mix_distance(v_then, c_then, roles)
    out["now_mix_distance"] = _mix_distance(v_now, c_now, roles)
    delta = out["now_mix_distance"] - out["then_mix_distance"]
    out["mix_move"] = np.where(delta.isna(), None, np.where(delta <= -MIX_MOVE, "toward",
                                                             np.where(delta >= MIX_MOVE, "away", "same")))
    out.index.name = "rep_id"
    return Change(now, then, now_as_of, then_as_of, out.reset_index(), step_moves(s_then, s_now), note=note)
