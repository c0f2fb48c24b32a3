"""Funnel bottleneck per rep: the step where the rep leaks most against the rest of the role.

Rule (documented in docs/diagnose-json.md; every bar is in `thresholds`):

1. Per funnel rung and role, each rep is compared with the rest of the role *without that rep* (their pooled
   conversion, ``team_rate``). The test is beta-binomial: the binomial widened by how much the role's reps
   really differ (their spread beyond chance, read from above the median so leaks cannot inflate it, as one
   share of the rate pooled over the role's rungs, `rung_spread`), so a rep is not called weak for an ordinary
   difference that many deals make look certain.
2. Prospecting (too few leads, or too few opportunities when there is no leads table) is tested the same
   way: the rep's count against the rest of the role's pace per active day (a new hire's first days weigh
   less, see `thresholds.RAMP_DAYS`), a Poisson test widened on the log scale by the reps' real spread.
3. The p-values of every rep and step of the team are adjusted together (Benjamini-Hochberg, false
   discovery rate ``FDR``); a step is *weak* when its adjusted p (``q_low``) is below ``FDR`` **and** the
   effect matters: at least ``MIN_EFFECT`` below the rest of the role. Strengths mirror it (``STRONG_EFFECT``).
4. Among weak steps, the bottleneck is the one that costs the most *wins*: the deals lost at that step
   times the team's conversion downstream of it, so a leak near the close outweighs the same count near the top.
5. No weak step: ``none``, or ``insufficient_data`` when fewer deals reached the last rung (the one before
   the win, which has the fewest) than a plain binomial test at level ``FDR`` / steps needs to see a
   conversion half the team median there (the figure is reported).

The median and middle half of the reps' rates (``team_median``, ``team_q1``, ``team_q3``) are kept as context.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..terms import NO_LEAK, NO_ROLE, STEP_KEYS, STEP_OF_RUNG, TOO_FEW_DEALS, WINNING, step_of
from . import thresholds as th
from ._stats import (betabinom_cdf, betabinom_sf, bh_adjust, binom_cdf, normal_cdf, poisson_cdf, upper_spread,
                     wilson)

RUNG_ORDER = tuple(STEP_OF_RUNG)
STEPS = STEP_KEYS
VERDICTS = STEPS + (NO_LEAK, TOO_FEW_DEALS)

ALPHA = th.FDR
MIN_REACHED = th.MIN_REACHED


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


def _against_the_rest(f: pd.DataFrame, usual: pd.Series) -> None:
    """Per rep and rung: the pooled rate of the role's other reps (``team_rate``), leaving out the rows not in
    ``usual`` (reps already found to leak at that rung, whose shortfall would pull the bar down), what the rep
    would have advanced at it (``expected``), the wins lost, the effect, and the test (`_test_rungs`)."""
    use = usual.reindex(f.index).fillna(True).astype(bool)
    # a strength is measured against the role's other reps as they are, leaks included (`_test_rungs`)
    f["team_rate"], f["rest_rate"] = _rest_of_group(f["advanced"], f["reached"], [f["role"], f["rung"]], use)
    f["expected"] = f["reached"] * f["team_rate"]
    f["deficit"] = f["expected"] - f["advanced"]
    f["lost_wins"] = f["deficit"] * f["downstream"]
    f["effect"] = f["rate"] / f["team_rate"].where(f["team_rate"] > 0) - 1
    f["effect_up"] = f["rate"] / f["rest_rate"].where(f["rest_rate"] > 0) - 1
    _test_rungs(f, use)


def _rest_of_group(num: pd.Series, den: pd.Series, group, usual: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Per row, sum(num) / sum(den) over the other rows of its group: first over those in ``usual`` (falling back
    to all of them where none is usual), then over all of them."""
    rates = []
    for mask in (usual, pd.Series(True, index=num.index)):
        n, d = num.where(mask, 0), den.where(mask, 0)
        rest_d = d.groupby(group).transform("sum") - d
        rates.append((n.groupby(group).transform("sum") - n) / rest_d.where(rest_d > 0))
    return rates[0].fillna(rates[1]), rates[1]


def _test_rungs(f: pd.DataFrame, usual: pd.Series) -> None:
    """``spread`` from the reps in ``usual`` (a second pass leaves out the reps already found to leak, whose
    shortfall is not the ordinary spread), then the beta-binomial p-values and the rate's interval."""
    f["spread"] = rung_spread(f[(f["reached"] >= MIN_REACHED) & usual], f)
    # a leak is tested against the rest's rate moved by the margin: "at least MARGIN below", not "below at all",
    # so a small real difference that many deals make certain is not called a fault
    f["p_low"] = betabinom_cdf(f["advanced"], f["reached"], f["team_rate"] * (1 - th.MARGIN), f["spread"])
    # a strength only ever names a peer to learn from, never a fault: tested against the rest as it is
    f["p_high"] = betabinom_sf(f["advanced"], f["reached"], f["rest_rate"], f["spread"])


def rung_spread(usual: pd.DataFrame, f: pd.DataFrame) -> np.ndarray:
    """Per row of `f`, how much the reps of its role really differ at its rung beyond chance, as the
    beta-binomial's intra-class correlation, read from the rows of `usual` (``role, rung, advanced, reached,
    rate``).

    A rung's dozen rates are mostly binomial noise, so its own reading of the reps' real spread is unsteady. Reps
    are taken to differ by about the same share of the rate at every rung: one relative variance per role,
    pooled over its rungs, each weighted by how precisely it reads it (its chance variance over the square root
    of its count above the median; read from above the median, so leaks cannot inflate it). A rung whose own
    reading is clearly larger than the other rungs' pooled one (``OWN_SPREAD`` standard errors: lead quality can
    make reps differ more at qualifying) keeps its own and is left out of the role's."""
    rows = {}
    for k, g in usual.groupby(["role", "rung"]):
        p = g["advanced"].sum() / g["reached"].sum()
        if len(g) < 3 or not 0 < p < 1:
            continue
        # the sampling variance the distances above the median hold: theirs, not a typical rep's (a few reps
        # with few deals above the median would otherwise read as real spread)
        above = g["rate"] > g["rate"].median()
        chance = float(np.mean(p * (1 - p) / g["reached"][above if above.any() else slice(None)])) / p**2
        root = np.sqrt(2 / max(1, int(above.sum())))
        rows[k] = dict(p=p, own=upper_spread(g["rate"]) / p**2 - chance, noise=chance * root, root=root)
    if not rows:
        return np.zeros(len(f))
    r = pd.DataFrame.from_dict(rows, orient="index")
    r.index = pd.MultiIndex.from_tuples(r.index, names=["role", "rung"])
    w = 1 / r["noise"].clip(lower=1e-12) ** 2
    role = r.index.get_level_values("role")
    others = ((r["own"] * w).groupby(level="role").transform("sum") - r["own"] * w) / (
        w.groupby(level="role").transform("sum") - w)
    others = others.clip(lower=0).fillna(0.0)
    clearly = r["own"] > others + th.OWN_SPREAD * (r["noise"] + others * r["root"])
    kept = w.where(~clearly, 0.0)
    pooled = (r["own"] * kept).groupby(level="role").sum() / kept.groupby(level="role").sum()
    pooled = pooled.clip(lower=0).fillna(0.0)
    r["rel"] = r["own"].where(clearly, pd.Series(role.map(pooled).to_numpy(float), index=r.index))
    key = pd.MultiIndex.from_arrays([f["role"], f["rung"]])
    rel = pd.Series(r["rel"].reindex(key).to_numpy(float), index=f.index)
    rel = rel.fillna(f["role"].map(pooled)).fillna(0.0)
    p = pd.Series(r["p"].reindex(key).to_numpy(float), index=f.index).fillna(f["team_rate"]).clip(0.02, 0.98)
    return (rel * p / (1 - p)).fillna(0.0).to_numpy(float)  # no rate anywhere to read it from: no widening


def judge(t: pd.DataFrame) -> None:
    """``weak`` / ``strong`` from the adjusted p-values of the whole table (Benjamini-Hochberg over every rep and
    step in it) and the minimum effect; ``q_low`` / ``q_high`` and ``sure`` (how sure, for the words)."""
    t["q_low"] = bh_adjust(t["p_low"])
    t["q_high"] = bh_adjust(t["p_high"])
    t["weak"] = ((t["q_low"] < th.FDR) & (t["effect"] <= -th.MIN_EFFECT)).fillna(False).astype(bool)
    up = t["effect_up"] if "effect_up" in t else t["effect"]
    t["strong"] = ((t["q_high"] < th.FDR) & (up >= th.STRONG_EFFECT)).fillna(False).astype(bool)
    t["sure"] = sure(t["q_low"])


def sure(q) -> np.ndarray:
    """How sure a shortfall is, from its adjusted p-value: ``almost_certain``, ``very_likely``, ``likely`` or
    ``could_be_chance`` (NaN: no test)."""
    q = np.asarray(q, dtype=float)
    return np.select([q < th.SURE_BARS[0], q < th.SURE_BARS[1], q < th.FDR, np.isfinite(q)],
                     ["almost_certain", "very_likely", "likely", "could_be_chance"], default=None)


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
    _against_the_rest(f, pd.Series(True, index=f.index))
    f["rate_low"], f["rate_high"] = wilson(f["advanced"], f["reached"], th.INTERVAL)
    judge(f)
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
    # reps with nothing at all are not part of the team's pace (they would drag it to zero); the rest of
    # the role's pace is theirs without the rep
    med = v[v["count"] > 0].groupby("role")["pace"].median().rename("team_pace")
    v = v.join(med, on="role")
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
    _volume_against_the_rest(v, pd.Series(True, index=v.index))
    judge(v)
    v["unit"] = unit
    v["step"] = "prospecting" if unit == "leads" else "qualifying"
    return v.reset_index(drop=True)


def _volume_against_the_rest(v: pd.DataFrame, usual: pd.Series) -> None:
    """The rest of the role's pace per active day without the rep (``team_rate``), leaving out reps with no
    lead at all (they would drag it to zero) and those not in ``usual`` (already found short); the count
    expected at it, the wins lost, the effect, and the test (`_test_volume`)."""
    use = usual.reindex(v.index).fillna(True).astype(bool)
    busy = v["count"] > 0
    v["team_rate"], _ = _rest_of_group(v["count"].where(busy, 0), v["active_days"].where(busy, 0), v["role"], use)
    v["expected"] = v["team_rate"] * v["active_days"]
    v["deficit"] = v["expected"] - v["count"]
    v["lost_wins"] = v["deficit"] * v["downstream"]
    v["effect"] = v["count"] / v["expected"].where(v["expected"] > 0) - 1
    v["rest_rate"], v["effect_up"] = v["team_rate"], v["effect"]  # no strength is read from volume
    _test_volume(v, use)


def _test_volume(v: pd.DataFrame, usual: pd.Series) -> None:
    """Poisson on the log scale, widened by the reps' real spread of pace (beyond Poisson chance), the spread
    taken from the reps in ``usual``; and the count's 90% interval."""
    # one spread for the team, from each usual rep's log pace against their role's median: roles differ in
    # level (an account manager's leads are fewer), less in how much their reps differ, and a role's dozen reps
    # alone give a spread too noisy to test by
    g = v[(v["count"] >= MIN_REACHED) & usual]
    g = g[g.groupby("role")["rep_id"].transform("size") >= 3]
    spread = 0.0
    if len(g) >= 3:
        dev = np.log(g["pace"]) - np.log(g["pace"]).groupby(g["role"]).transform("median")
        spread = max(0.0, upper_spread(dev) - float(np.median(1 / g["count"])))
    v["spread"] = spread
    with np.errstate(divide="ignore", invalid="ignore"):
        bar = v["expected"] * (1 - th.MARGIN)
        z = np.log((v["count"] + 0.5) / (bar + 0.5)) / np.sqrt(1 / (bar + 0.5) + v["spread"])
    p_low = np.where(v["spread"] > 0, normal_cdf(z), poisson_cdf(v["count"], bar))
    v["p_low"] = pd.Series(p_low, index=v.index).where(v["expected"].notna())
    v["p_high"] = np.nan  # more leads than the rest is not a funnel strength
    half = np.sqrt(1 / v["count"].clip(lower=1) + v["spread"]) * 1.6449  # 90%: the count's interval
    v["rate_low"], v["rate_high"] = v["count"] * np.exp(-half), v["count"] * np.exp(half)


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
        cand = pd.concat([cand, vol[[c for c in vol.columns if c in cand.columns or c in ("team_pace", "active_days", "pace")]]],
                         ignore_index=True)
    # one family for the false-discovery rate: every rep and step of the team, volume included. Then again with
    # the bar and the spread measured without the reps found to leak (their shortfall is neither the team's
    # level nor its ordinary variation), until the leaks found stop changing
    judge(cand)
    rung = cand["source"] == "rung"
    moved = ["team_rate", "rest_rate", "expected", "deficit", "lost_wins", "effect", "effect_up", "spread", "p_low",
             "p_high"]
    # reps below the rest even at a loose level are left out of the bar and the spread too: a leak not yet
    # found would otherwise pull the median down and widen the spread that hides it
    for _ in range(th.PASSES):
        before = cand["weak"].to_numpy().copy()
        usual = ~cand["weak"] & ~((cand["p_low"] < th.SUSPECT) & (cand["effect"] < 0)).fillna(False)
        part = cand[rung].copy()
        _against_the_rest(part, usual[rung])
        cand.loc[rung, moved] = part[moved]
        if has_volume:
            part = cand[~rung].rename(columns={"advanced": "count"})
            _volume_against_the_rest(part, usual[~rung])
            cand.loc[~rung, moved + ["rate_low", "rate_high"]] = part[moved + ["rate_low", "rate_high"]]
        judge(cand)
        if (cand["weak"].to_numpy() == before).all():
            break
    steps = cand[cand["source"] == "rung"].drop(columns=["source", "unit"]).reset_index(drop=True)
    # a rep with no deal and no lead in the period has nothing to compare: not a leak, and nobody to pair
    busy = set(steps.loc[steps["reached"] > 0, "rep_id"])
    if has_volume:
        busy |= set(volume.loc[volume["count"] > 0, "rep_id"])
    cand = cand[cand["rep_id"].isin(busy)]
    weak = cand[cand["weak"]].sort_values(["rep_id", "lost_wins"], ascending=[True, False])
    top = weak.drop_duplicates("rep_id").set_index("rep_id")
    # the other clear leaks, fewer wins at stake first-to-last: said too, never left for the table to hint at
    also = weak.groupby("rep_id", sort=False)["step"].agg(lambda s: list(s)[1:])

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
            "expected", "lost_wins", "p_low", "team_rate", "rate_low", "rate_high", "effect", "q_low", "sure"]
    for c in cols:
        out[c] = out["rep_id"].map(top[c]) if c in top else np.nan
    enough = out["deals"] >= out["deals_needed"]  # NaN (no team reference yet) is not enough
    out["bottleneck"] = out["step"].where(out["step"].notna(), np.where(enough, NO_LEAK, TOO_FEW_DEALS))
    out["also_weak"] = out["rep_id"].map(also).apply(lambda x: x if isinstance(x, list) else [])
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
