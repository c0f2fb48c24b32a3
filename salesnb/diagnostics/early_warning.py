"""Early warning: who is at risk of missing the period's target, from day one.

Figures per rep (money in the dataset's currency, days inclusive):

- run-rate projection = won / elapsed days x days in period
- blended projection = won + the pipeline due within one sales cycle x win rate
  + the pace so far x the days of the period after that cycle (deals that close
  then are mostly not created yet). The win rate is the one given (e.g. the
  last 12 months'; the role's median when the rep has none of their own yet);
  the pace is the period's run-rate once ``TRUST_RUN_RATE`` of it has passed,
  before that the trailing pace given (``pace``, e.g. won per day over the last
  12 months) when there is one. At mid-year on generated teams its median error
  is about 9% of quota, where pipeline x win rate alone missed by 45%
  (`bench/bench_early_warning.py`).
- required pace = (quota - won) / remaining days, next to the pace so far
- coverage = pipeline closing in the period / (quota - won)
- horizon coverage: the pipeline closing within one sales cycle (the team's
  median, ``horizon_days``) against the part of the target due by then (quota x
  share of the period elapsed by then, minus won), compared with the coverage
  the rep's win rate needs (1 / win rate). Deals that will close within one
  cycle must already be in the pipeline; later ones can still be created, so on
  day one of a year nobody needs the whole year in pipeline. When less than
  the horizon is left it is the plain coverage.

``at_risk`` flags a material risk a manager can still act on, never a rep on
track, and only while the gap to quota is open:

- before ``TRUST_RUN_RATE`` of the period has passed (projections from a few
  weeks say little): the rep needs to sell at least ``PACE_MARGIN`` times faster
  than so far (always true with nothing won yet) AND the pipeline due within
  one cycle, at the rep's win rate, is expected to bring in less than
  ``COVER_MATERIAL`` of what is due by then (horizon coverage below
  ``COVER_MATERIAL`` x the coverage the win rate needs). With the horizon equal
  to the median sales cycle, about half of what closes within it is already
  open, so a pipeline expected to cover less than half of it is short;
- from then on: the blended projection falls below ``MATERIAL`` of quota.

``thin_pipeline`` and ``projected_short`` say which; the numbers behind them are columns too.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..terms import NO_ROLE

TRUST_RUN_RATE = 0.25  # before this share of the period, a run-rate says little
MATERIAL = 0.97  # a projected miss matters below this share of quota
PACE_MARGIN = 1.25  # "clearly faster than so far": at least this multiple of the pace so far
COVER_MATERIAL = 0.5  # share of what is due within one cycle the open pipeline must be expected to bring
HORIZON_DAYS = 90  # default horizon when the sales cycle is unknown
PSEUDO_DEALS = 10  # prior weight of the role's pooled win rate, in closed deals


def shrunk_win_rate(won: pd.Series, lost: pd.Series, role: pd.Series | None = None,
                    pseudo_deals: float = PSEUDO_DEALS) -> pd.Series:
    """Each rep's win rate shrunk toward the role's pooled win rate (a beta-binomial posterior mean).

    ``(won + k x pooled) / (won + lost + k)`` with ``k = pseudo_deals``: a rep with 1 win
    in 2 closed deals is not a 50% closer yet, a rep with 200 closed deals keeps
    about their own rate. ``pooled`` is the role's total won / total closed; NaN
    when nobody in the role has closed a deal. Indexed like ``won``.
    """
    won = won.astype(float)
    lost = lost.reindex(won.index).fillna(0).astype(float)
    role = (role.reindex(won.index) if role is not None else pd.Series(NO_ROLE, index=won.index)).fillna(NO_ROLE)
    role_won = won.groupby(role).transform("sum")
    role_closed = (won + lost).groupby(role).transform("sum")
    pooled = role_won / role_closed.where(role_closed > 0)
    return (won + pseudo_deals * pooled) / (won + lost + pseudo_deals)


def warn(frame: pd.DataFrame, period_days: int, elapsed_days: int, role: pd.Series | None = None,
         horizon_days: int = HORIZON_DAYS) -> pd.DataFrame:
    """Per rep: projections, pace, coverage, ``at_risk`` and why (``thin_pipeline``, ``projected_short``).

    ``frame`` is indexed by rep_id with ``quota, won_revenue, pipeline_in_period, win_rate`` and
    optionally ``pipeline_horizon`` (open pipeline expected to close in the next ``horizon_days``
    inside the period; defaults to ``pipeline_in_period``) and ``pace`` (a trailing won per day, used
    for the projection early in the period).
    """
    f = frame.reindex(columns=["quota", "won_revenue", "pipeline_in_period", "win_rate", "pipeline_horizon",
                               "pace"]).astype(float)
    f["pipeline_horizon"] = f["pipeline_horizon"].fillna(f["pipeline_in_period"]).fillna(0.0)
    f["pipeline_in_period"] = f["pipeline_in_period"].fillna(0.0)
    f["won_revenue"] = f["won_revenue"].fillna(0.0)
    role = (role.reindex(f.index) if role is not None else pd.Series(NO_ROLE, index=f.index)).fillna(NO_ROLE)
    team_wr = f.groupby(role)["win_rate"].transform("median")
    wr = f["win_rate"].where(f["win_rate"].notna(), team_wr)
    remaining = max(period_days - elapsed_days, 0)
    elapsed_share = elapsed_days / period_days if period_days else np.nan
    out = pd.DataFrame(index=f.index)
    out["quota"] = f["quota"]
    out["won"] = f["won_revenue"]
    out["gap"] = (f["quota"] - f["won_revenue"]).clip(lower=0)
    out["run_rate_projection"] = f["won_revenue"] / elapsed_days * period_days if elapsed_days else np.nan
    run_pace = f["won_revenue"] / elapsed_days if elapsed_days else pd.Series(np.nan, index=f.index)
    pace = run_pace if elapsed_share >= TRUST_RUN_RATE else f["pace"].fillna(run_pace)
    after = max(remaining - horizon_days, 0)  # days of the period beyond one cycle from now
    out["blended_projection"] = (f["won_revenue"] + f["pipeline_horizon"] * wr.fillna(0)
                                 + pace.fillna(0) * after)
    out["projected_attainment"] = out["blended_projection"] / f["quota"]
    out["pace_so_far"] = f["won_revenue"] / elapsed_days if elapsed_days else np.nan
    out["required_pace"] = out["gap"] / remaining if remaining else np.nan
    out["coverage"] = f["pipeline_in_period"] / out["gap"].where(out["gap"] > 0)
    due_share = min(1.0, (elapsed_days + horizon_days) / period_days) if period_days else 1.0
    out["horizon_gap"] = (f["quota"] * due_share - f["won_revenue"]).clip(lower=0)
    out["horizon_coverage"] = f["pipeline_horizon"] / out["horizon_gap"].where(out["horizon_gap"] > 0)
    out["coverage_needed"] = 1.0 / wr.where(wr > 0)
    out["win_rate_used"] = wr
    gap_open = (out["gap"] > 0) & f["quota"].notna()
    early = not (elapsed_share >= TRUST_RUN_RATE)
    pace_short = ~(out["required_pace"] < PACE_MARGIN * out["pace_so_far"].fillna(0))
    thin = (gap_open & (out["horizon_gap"] > 0) & pace_short
            & (out["horizon_coverage"].fillna(0) < COVER_MATERIAL * out["coverage_needed"].fillna(np.inf)))
    short = gap_open & (out["blended_projection"] < MATERIAL * f["quota"])
    thin = thin & early
    short = short & (not early)
    out["at_risk"] = (thin | short).fillna(False).astype(bool)
    # why, as facts: the words are written by each reader (salesnb.words)
    out["thin_pipeline"] = thin.fillna(False).astype(bool)
    out["projected_short"] = short.fillna(False).astype(bool)
    out["horizon_days"] = min(horizon_days, remaining)
    out["has_quota"] = f["quota"].notna()
    return out
