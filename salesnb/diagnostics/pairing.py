"""Pairing: for each rep, a peer in the same role who is strong where the rep leaks.

The peer is the one with the best conversion (relative to the team median) at
the rep's bottleneck step, among active reps of the same role whose strengths hold
that step (clearly above the rest of the role); a peer whose own bottleneck is a step where the rep is above the team
is preferred, so the two can learn from each other (complementary).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .bottleneck import MIN_REACHED, STEPS


def _relative(steps: pd.DataFrame) -> pd.DataFrame:
    """rep_id x step -> how far above the team median the rep is (ratio - 1), NaN if too few deals."""
    s = steps.copy()
    rate = np.where(s["source"] == "volume", s["advanced"] / s["expected"].where(s["expected"] > 0),
                    s["rate"] / s["team_median"].where(s["team_median"] > 0))
    ok = (s["source"] == "volume") | (s["reached"] >= MIN_REACHED)
    s["relative"] = np.where(ok, rate - 1.0, np.nan)
    return s.pivot_table(index="rep_id", columns="step", values="relative", aggfunc="first")


def suggest_pairs(summary: pd.DataFrame, steps: pd.DataFrame) -> pd.DataFrame:
    """One row per rep: ``rep_id, pair_with, step, complementary, helps``.

    ``summary`` and ``steps`` come from `find_bottlenecks`; ``helps`` lists the
    reps whose bottleneck is a step where this rep is strong.
    """
    rel = _relative(steps).reindex(summary["rep_id"])
    rel_arr = rel.to_numpy(dtype=float)
    col_of = {c: i for i, c in enumerate(rel.columns)}
    ids = summary["rep_id"].to_numpy()
    role = summary["role"].to_numpy()
    neck = summary["bottleneck"].to_numpy()
    neck_col = np.array([col_of.get(n, -1) for n in neck])
    strong = [set(x) if isinstance(x, (list, tuple)) else set() for x in
              (summary["strengths"] if "strengths" in summary else [()] * len(ids))]
    pair = np.full(len(ids), None, dtype=object)
    comp = np.zeros(len(ids), dtype=bool)
    # one block per (role, bottleneck step): every rep in it draws from the same peers
    for (g, step), idx in pd.Series(np.arange(len(ids))).groupby([role, neck]).groups.items():
        if step not in STEPS or step not in col_of:
            continue
        idx = np.asarray(idx)
        # "strong at" the step only when the peer's own strengths hold it (clearly above the rest of the role)
        peers = np.nonzero((role == g) & (rel_arr[:, col_of[step]] > 0) & np.array([step in s for s in strong]))[0]
        if peers.size == 0:
            continue
        strength = rel_arr[peers, col_of[step]]
        # complementary: the peer's own bottleneck is a step where the rep is above the team
        pc = neck_col[peers]
        mine = np.where(pc[None, :] >= 0, rel_arr[idx][:, np.maximum(pc, 0)], np.nan)
        is_comp = np.nan_to_num(mine, nan=-1.0) > 0
        rank = is_comp * 1e6 + strength[None, :]
        rank[idx[:, None] == peers[None, :]] = -np.inf  # never oneself
        best = np.argmax(rank, axis=1)
        ok = np.isfinite(rank[np.arange(len(idx)), best])
        pair[idx[ok]] = ids[peers[best[ok]]]
        comp[idx[ok]] = is_comp[np.arange(len(idx)), best][ok]
    rows = {"rep_id": ids, "pair_with": pair, "step": np.where(pair != None, neck, None),  # noqa: E711
            "complementary": comp}
    out = pd.DataFrame(rows)
    helps = out.dropna(subset=["pair_with"]).groupby("pair_with")["rep_id"].agg(list)
    out["helps"] = out["rep_id"].map(helps).apply(lambda x: x if isinstance(x, list) else [])

    return out
