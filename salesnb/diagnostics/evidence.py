"""Is there enough outcome evidence yet to compare reps by their results?

Early in a period most reps have won nothing: their outcomes tie at zero, a rank
correlation then mostly measures who happened to close the first deal, and a
"top quartile" is a handful of reps with one win each. The vanity audit and the
top-performer comparison wait until:

- at least ``MIN_REPS_WITH_OUTCOME`` reps, and at least ``MIN_SHARE_WITH_OUTCOME``
  of the reps compared, have a non-zero outcome (so at most half tie at zero), and
- at least ``MIN_CLOSED_DEALS`` deals were won or lost in the period.
"""
from __future__ import annotations

import math

import pandas as pd


MIN_REPS_WITH_OUTCOME = 3
MIN_SHARE_WITH_OUTCOME = 0.5
MIN_CLOSED_DEALS = 10


def closed_deals(opportunities: pd.DataFrame, reps: pd.Index, start, end, as_of) -> pd.DataFrame:
    """Per rep (index ``reps``): ``won`` and ``lost`` deals closed in [start, end], known at ``as_of``.

    A deal counts when it was created on or before ``as_of`` and its close date
    is on or before both ``end`` and ``as_of``.
    """
    o = opportunities
    last = min(pd.Timestamp(end), pd.Timestamp(as_of))
    keep = (o["rep_id"].isin(reps) & (o["close_date"] >= pd.Timestamp(start)) & (o["close_date"] <= last)
            & (o["created_date"] <= pd.Timestamp(as_of)))
    status = o.loc[keep, "status"].astype("str").str.lower()
    rep = o.loc[keep, "rep_id"]
    won = rep[status == "won"].value_counts().reindex(reps, fill_value=0)
    lost = rep[status == "lost"].value_counts().reindex(reps, fill_value=0)
    return pd.DataFrame({"won": won.to_numpy(int), "lost": lost.to_numpy(int)}, index=reps)


def too_early(outcome: pd.Series, n_closed: int, over: bool = False) -> str | None:
    """The reason the outcome cannot rank reps (yet), or None when there is enough evidence.

    ``outcome`` is per rep (attainment or won revenue; missing values are left
    out); ``n_closed`` is the number of deals won or lost in the period; ``over``: the
    period has ended, so waiting will not help and the reason does not say "early".
    """
    y = outcome.dropna()
    n = len(y)
    k = int((y > 0).sum())
    if n < MIN_REPS_WITH_OUTCOME:  # no wait makes a team of one or two comparable
        return f"too few reps: {n} with an outcome to compare (needs at least {MIN_REPS_WITH_OUTCOME})"
    need = max(MIN_REPS_WITH_OUTCOME, math.ceil(MIN_SHARE_WITH_OUTCOME * n))
    lead = "too few closed deals in the period" if over else "too early in the period"
    if k < need:
        return (f"{lead}: only {k} of {n} reps {'closed' if over else 'have closed'} a deal "
                f"(needs at least {need}; the others tie at zero)")
    if n_closed < MIN_CLOSED_DEALS:
        return (f"{lead}: only {n_closed} deals won or lost {'in it' if over else 'so far'} "
                f"(needs at least {MIN_CLOSED_DEALS})")
    return None


def check_period(dataset, period, as_of, n_current: int) -> None:
    """Raise ConfigError, naming the cause and the fix, when a period cannot be scored at ``as_of``.

    Causes: ``as_of`` before the period starts (nothing has happened in it yet),
    a period that ends before the data starts, or no rep employed at ``as_of``
    among those employed in the period (``n_current``).
    """
    from ..errors import ConfigError

    where = f"period {period.label} ({period.start.date()}..{period.end.date()})"
    as_of = pd.Timestamp(as_of)
    if as_of < period.start:
        raise ConfigError(
            f"--as-of {as_of.date()} is before {where} starts: nothing has happened in it yet. "
            f"Pass an --as-of on or after {period.start.date()}, or pick a --period that has started "
            f"by {as_of.date()} (e.g. --period ytd).")
    opps = dataset.opportunities
    first = opps["created_date"].min() if len(opps) else pd.NaT
    if pd.notna(first) and period.end < first:
        raise ConfigError(
            f"{where} ends before the data starts (first opportunity created {first.date()}): there is "
            f"nothing to score. Pick a --period from {first.date()} on.")
    if n_current == 0:
        raise ConfigError(
            f"no rep is employed at as_of {as_of.date()} among those employed in {where}: nothing to score. "
            "Pick an --as-of inside the data (the default is dataset.toml as_of, else the latest date in "
            "the data) or another --period.")
