"""Funnel bottleneck per rep: the step where the rep leaks most against the team.

Rule (documented in docs/diagnose-json.md):

1. Per funnel rung and role, the team reference is the median of the reps'
   conversion rates (reps with at least ``MIN_REACHED`` deals at that rung;
   the pooled rate when fewer than three reps qualify); the spread is the
   interquartile range.
2. A rung is *weak* for a rep when an exact one-sided binomial test says the
   rep's conversion is below the team median (p < alpha / number of rungs,
   so a rep with few deals cannot trip it by chance) **and** the shortfall is
   material (rate below ``(1 - MIN_RELATIVE_GAP)`` x the team median, 20% below it).
3. Prospecting (too few leads, or too few opportunities when there is no leads
   table) is tested the same way with a Poisson test of the rep's volume
   against the team's median pace per active day, material from ``MIN_VOLUME_GAP`` (30%) below it.
4. Among weak steps, the bottleneck is the one that costs the most *wins*:
   the deals lost at that step times the team's conversion downstream of it,
   so a leak near the close outweighs the same count near the top.
5. No weak step: ``none``, or ``insufficient_data`` when fewer deals reached the
   last rung (the one before the win, which has the fewest) than the test (at
   the same corrected level) needs to see a conversion half the team median
   there (the figure is reported).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..terms import NO_LEAK, NO_ROLE, STEP_KEYS, STEP_OF_RUNG, TOO_FEW_DEALS, WINNING, step_of
from ._stats import binom_cdf, binom_sf, poisson_cdf

RUNG_ORDER = tuple(STEP_OF_RUNG)
STEPS = STEP_KEYS
VERDICTS = STEPS + (NO_LEAK, TOO_FEW_DEALS)

ALPHA = 0.05
MIN_REACHED = 5  # a rep's rate counts towards the team median only from this many deals
MIN_RELATIVE_GAP = 0.2  # a leak must be at least 20% below the team median to matter
# Volume varies far more from rep to rep than conversion does (territories, tenure): a shortfall of leads
# or opportunities must be bigger to count as the step to work on.
MIN_VOLUME_GAP = 0.3
STRONG_GAP = 0.15  # a strength must be at least 15% above the team median


_RUNG_OF_STEP = {v: k for k, v in STEP_OF_RUNG.items()} | {WINNING.key: WINNING.rung}


def _rung_key(step) -> str | None:
    """Accept a rung named by its from-stage, its metric name, 'from->to' or its step."""
    return _RUNG_OF_STEP.get(step_of(step) or "")


def _team_reference(df: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Median and quartiles of the per-rep rate within each group; pooled rate as fallback."""
    enough = df[df["reached"] >= MIN_REACHED]
    g = enough.groupby(key)["rate"]
    q = pd.DataFrame({"team_q1": g.quantile(0.25), "team_median": g.quantile(0.5), "team_q3": g.quantile(0.75)})
    n = g.size().rename("team_reps")
    pooled = df.groupby(key)[["advanced", "reached"]].sum()
    pooled = (pooled["advanced"] / pooled["reached"].where(pooled["reached"] > 0)).rename("pooled")
    ref = pd.concat([q, n, pooled], axis=1)
    few = ref["team_reps"].fillna(0) < 3
    for c in ("team_q1", "team_median", "team_q3"):
        ref[c] = ref[c].where(~few, ref["pooled"])
    ref["team_reps"] = ref["team_reps"].fillna(0).astype(int)
    return ref.drop(columns="pooled").reset_index()


def step_table(funnel: pd.DataFrame, reps: pd.DataFrame, alpha: float = ALPHA, extra_tests: int = 0) -> pd.DataFrame:
    """Per rep x rung: conversion vs the team (within role), shortfall and its significance.

    ``funnel`` has ``rep_id, step, reached, advanced`` (step = a rung's from-stage,
    e.g. ``commit``, or its ``conv_commit_won`` name); ``reps`` has ``rep_id`` and
    optionally ``role``. ``extra_tests``: other tests run on the same rep (the
    volume test), counted in the multiple-testing correction.
    """
    f = funnel[["rep_id", "step", "reached", "advanced"]].copy()
    f["rung"] = f["step"].map(_rung_key)
    # the stage a rung leads to, as the data has it (meeting -> won when a CRM has no proposal stage)
    f["to"] = f["step"].map(lambda s: str(s).split("->")[1].strip() if "->" in str(s) else None)
    f["step"] = f["step"].map(step_of)
    f = f.dropna(subset=["rung"])
    f["reached"] = f["reached"].astype(float).fillna(0)
    f["advanced"] = f["advanced"].astype(float).fillna(0)
    f = f[f["rep_id"].isin(reps["rep_id"])]
    role = reps.set_index("rep_id")["role"] if "role" in reps else pd.Series(dtype="str")
    f["role"] = f["rep_id"].map(role).fillna(NO_ROLE).astype("str")
    f["rate"] = f["advanced"] / f["reached"].where(f["reached"] > 0)
    ref = _team_reference(f, ["role", "rung"])
    f = f.merge(ref, on=["role", "rung"], how="left")
    # team conversion downstream of each rung: what one more deal advanced is worth in wins
    order = {r: i for i, r in enumerate(RUNG_ORDER)}
    f["_pos"] = f["rung"].map(order)
    down = {}
    for role_name, grp in ref.groupby("role"):
        med = grp.set_index("rung")["team_median"].reindex([r for r in RUNG_ORDER if r in set(grp["rung"])])
        vals = med.fillna(1.0).to_numpy()
        for i, rung in enumerate(med.index):
            down[(role_name, rung)] = float(np.prod(vals[i + 1:])) if i + 1 < len(vals) else 1.0
    f["downstream"] = [down.get(k, 1.0) for k in zip(f["role"], f["rung"])]
    n_tests = f.groupby("rep_id")["rung"].transform("size") + extra_tests
    f["n_tests"] = n_tests
    f["expected"] = f["reached"] * f["team_median"]
    f["deficit"] = f["expected"] - f["advanced"]
    f["lost_wins"] = f["deficit"] * f["downstream"]
    f["p_low"] = binom_cdf(f["advanced"], f["reached"], f["team_median"])
    f["p_high"] = binom_sf(f["advanced"], f["reached"], f["team_median"])
    threshold = alpha / n_tests
    f["weak"] = (f["p_low"] < threshold) & (f["rate"] < (1 - MIN_RELATIVE_GAP) * f["team_median"])
    f["strong"] = (f["p_high"] < threshold) & (f["rate"] > (1 + STRONG_GAP) * f["team_median"])
    f["weak"] = f["weak"].fillna(False).astype(bool)
    f["strong"] = f["strong"].fillna(False).astype(bool)
    return f.sort_values(["rep_id", "_pos"]).drop(columns=["_pos"]).reset_index(drop=True)


def volume_table(volume: pd.DataFrame, reps: pd.DataFrame, steps: pd.DataFrame, unit: str,
                 alpha: float = ALPHA) -> pd.DataFrame:
    """The prospecting test: the rep's lead (or opportunity) count vs the team's median pace.

    ``volume`` has ``rep_id, count, active_days``; ``unit`` is ``leads`` or
    ``opportunities``. The rep's expected count is the role's median count per
    active day times the rep's active days (so a mid-year hire is not short).
    """
    v = volume[["rep_id", "count", "active_days"]].copy()
    v = v[v["rep_id"].isin(reps["rep_id"])]
    role = reps.set_index("rep_id")["role"] if "role" in reps else pd.Series(dtype="str")
    v["role"] = v["rep_id"].map(role).fillna(NO_ROLE).astype("str")
    v["pace"] = v["count"] / v["active_days"].where(v["active_days"] > 0)
    # reps with nothing at all are not part of the team's pace (they would drag the median to zero)
    med = v[v["count"] > 0].groupby("role")["pace"].median().rename("team_pace")
    v = v.join(med, on="role")
    v["expected"] = v["team_pace"] * v["active_days"]
    v["deficit"] = v["expected"] - v["count"]
    # one more lead/opportunity is worth the team's conversion from there to won
    first = "lead" if unit == "leads" else "qualified"
    conv = (
        steps[steps["rung"].map(RUNG_ORDER.index) >= RUNG_ORDER.index(first)]
        .drop_duplicates(["role", "rung"])
        .groupby("role")["team_median"]
        .apply(lambda s: float(np.prod(s.fillna(1.0))))
        .rename("downstream")
    ) if len(steps) else pd.Series(dtype=float, name="downstream")
    v = v.join(conv, on="role")
    v["downstream"] = v["downstream"].fillna(1.0)
    v["lost_wins"] = v["deficit"] * v["downstream"]
    v["p_low"] = poisson_cdf(v["count"], v["expected"])
    n_tests = 1 + steps.groupby("rep_id")["rung"].size().reindex(v["rep_id"]).fillna(0).to_numpy()
    v["weak"] = (
        (v["p_low"] < alpha / n_tests) & (v["count"] < (1 - MIN_VOLUME_GAP) * v["expected"])
    ).fillna(False).astype(bool)
    v["unit"] = unit
    v["step"] = "prospecting" if unit == "leads" else "qualifying"
    return v.reset_index(drop=True)


def deals_needed(p: float, alpha: float, n_tests: int = 1, max_n: int = 2000) -> float:
    """Fewest deals at which a conversion half the team's `p` would show as significant."""
    if not (0 < p < 1):
        return float("nan")
    # Scanned in growing blocks: the answer is usually a few dozen deals, and a block of n costs n x n terms.
    lo = 1
    for hi in (128, 512, max_n):
        n = np.arange(lo, min(hi, max_n) + 1)
        pv = binom_cdf(np.floor(n * p / 2), n, np.full(n.shape, p))
        hit = np.nonzero(pv < alpha / n_tests)[0]
        if hit.size:
            return float(n[hit[0]])
        lo = hi + 1
        if lo > max_n:
            break
    return float("nan")


def find_bottlenecks(funnel: pd.DataFrame, reps: pd.DataFrame, volume: pd.DataFrame | None = None,
                     volume_unit: str = "leads", alpha: float = ALPHA) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Name each rep's bottleneck. Returns ``(summary, steps)``.

    ``summary`` has one row per rep: ``rep_id, role, bottleneck, step figures
    (reached, advanced, rate, team_median, team_q1, team_q3, lost_wins, p_low),
    deals, deals_needed, strengths`` and the weakest step that is not a clear leak (``weakest_*``). ``steps`` is the per-rung table
    of `step_table` plus the volume test (step ``prospecting``) when given.
    """
    has_volume = volume is not None and len(volume) > 0
    steps = step_table(funnel, reps, alpha, extra_tests=int(has_volume))
    cand = steps.assign(source="rung", unit="deals")
    if has_volume:
        vol = volume_table(volume, reps, steps, volume_unit, alpha)
        vol = vol.rename(columns={"count": "advanced"})
        vol["reached"] = np.nan
        vol["rate"] = np.nan
        vol["team_median"] = vol["team_pace"]
        vol["source"] = "volume"
        vol["rung"] = "volume"
        cand = pd.concat([cand, vol[[c for c in vol.columns if c in cand.columns or c in ("team_pace", "active_days")]]],
                         ignore_index=True)
    # a rep with no deal and no lead in the period has nothing to compare: not a leak, and nobody to pair
    busy = set(steps.loc[steps["reached"] > 0, "rep_id"])
    if has_volume:
        busy |= set(volume.loc[volume["count"] > 0, "rep_id"])
    cand = cand[cand["rep_id"].isin(busy)]
    weak = cand[cand["weak"]].sort_values(["rep_id", "lost_wins"], ascending=[True, False])
    top = weak.drop_duplicates("rep_id").set_index("rep_id")

    role = reps.set_index("rep_id")["role"] if "role" in reps else pd.Series(dtype="str")
    out = pd.DataFrame({"rep_id": reps["rep_id"].to_numpy()})
    out["role"] = out["rep_id"].map(role).fillna(NO_ROLE).astype("str")
    # power: the last rung (closest to the win) has the fewest deals; "none" needs enough there
    last = steps[steps["rung"] == steps.groupby("rep_id")["rung"].transform("last")].set_index("rep_id")
    out["deals"] = out["rep_id"].map(last["reached"]).fillna(0.0)
    out["deals_step"] = out["rep_id"].map(last["step"])
    out["deals_to"] = out["rep_id"].map(last["to"])
    out["no_deals"] = ~out["rep_id"].isin(busy)
    out.loc[out["no_deals"], "deals_step"] = None  # words: "no deals in this period", not "0 reached closing"
    # at the same corrected level the test uses, so "none" is only said when a leak would have shown
    key = list(zip(last["team_median"], last["n_tests"]))
    need = {k: deals_needed(float(k[0]), alpha, int(k[1])) for k in set(key) if np.isfinite(k[0])}
    needed = pd.Series([need.get(k, np.nan) for k in key], index=last.index, dtype=float)
    out["deals_needed"] = out["rep_id"].map(needed).astype(float)
    cols = ["step", "to", "source", "unit", "reached", "advanced", "rate", "team_median", "team_q1", "team_q3",
            "expected", "lost_wins", "p_low"]
    for c in cols:
        out[c] = out["rep_id"].map(top[c]) if c in top else np.nan
    enough = out["deals"] >= out["deals_needed"]  # NaN (no team reference yet) is not enough
    out["bottleneck"] = out["step"].where(out["step"].notna(), np.where(enough, NO_LEAK, TOO_FEW_DEALS))
    strengths = steps[steps["strong"]].groupby("rep_id")["step"].agg(list)
    out["strengths"] = out["rep_id"].map(strengths).apply(lambda x: x if isinstance(x, list) else [])
    out = out.drop(columns=["step"]).join(_weakest(steps), on="rep_id")
    return out, cand.reset_index(drop=True)


WEAKEST_COLUMNS = ("weakest_step", "weakest_to", "weakest_reached", "weakest_advanced", "weakest_rate",
                   "weakest_median", "weakest_p")


def _weakest(steps: pd.DataFrame) -> pd.DataFrame:
    """Per rep, the step furthest below the team that is not (yet) a clear leak: the rung with the most
    wins lost against the team's rate, among rungs with ``MIN_REACHED`` deals and a rate below the
    median. Weak evidence, said as such: it lets a rep below target hear where to look first."""
    s = steps[(steps["reached"] >= MIN_REACHED) & (steps["rate"] < steps["team_median"]) & ~steps["weak"]]
    s = s.sort_values(["rep_id", "lost_wins"], ascending=[True, False]).drop_duplicates("rep_id")
    out = pd.DataFrame({"weakest_step": s["step"].to_numpy(), "weakest_to": s["to"].to_numpy(),
                        "weakest_reached": s["reached"].to_numpy(),
                        "weakest_advanced": s["advanced"].to_numpy(), "weakest_rate": s["rate"].to_numpy(),
                        "weakest_median": s["team_median"].to_numpy(), "weakest_p": s["p_low"].to_numpy()},
                       index=pd.Index(s["rep_id"].to_numpy(), name="rep_id"))
    return out


def unmeasured(neck: pd.DataFrame, reps: pd.DataFrame, shape) -> pd.DataFrame:
    """No funnel verdict where the data cannot measure one (``unmeasured``: why): an export of won deals only
    (every rate would be 100%), a role that owns no deals (SDRs), a rep who owns none. "Too few deals" would
    promise a verdict that more time cannot bring."""
    role = reps["role"].reindex(neck["rep_id"]).astype("object") if "role" in reps else pd.Series(None, index=neck["rep_id"])
    why = []
    for rid, r in zip(neck["rep_id"], role):
        if shape.lacks("lost_deals"):
            why.append(shape.lacks("lost_deals"))
        elif isinstance(r, str) and r in shape.roles_without_deals:
            why.append(f"the {r} role owns no deals in this data, so there is no funnel of its own to read")
        elif str(rid) in shape.reps_without_deals:
            why.append("this rep owns no deals in this data")
        else:
            why.append(None)
    neck = neck.assign(unmeasured=why)
    gone = neck["unmeasured"].notna()
    neck.loc[gone, "bottleneck"] = None
    neck.loc[gone, "strengths"] = pd.Series([[] for _ in range(int(gone.sum()))], index=neck.index[gone], dtype=object)
    return neck
