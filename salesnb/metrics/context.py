"""What the metric engine, the funnel and the trends share: the reps in view, the window, the deals.

`make_context` resolves the report date and the period and picks the reps in view; `OppFrame` holds the
opportunity columns as arrays with each deal's status at as_of; `stage_index` says how far each deal got.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..periods import Period, _ts, default_as_of, resolve_period
from ..schema import OPPORTUNITY_STAGES
from . import _frame as F


@dataclass
class Context:
    """Everything the metric blocks share: the reps in view, the window and the rep codes."""

    dataset: object
    period: Period
    as_of: pd.Timestamp
    rep_ids: pd.Index
    start: int  # first day of the window (days since epoch)
    end: int  # last day of the window: min(period end, as_of)
    as_of_day: int
    empty_window: bool
    rep_view: np.ndarray  # per row of dataset.reps (plus a last -1): its position in rep_ids, -1 if not in view

    def rep_codes(self, table: str) -> np.ndarray:
        """Per row of `table`: the position of its rep in rep_ids, -1 when the rep is not in view."""
        return self.rep_view[self.dataset.positions(table, "rep_id")]


# The references the engine joins by row position (see Dataset.positions).
_JOINS = (("activities", "lead_id"), ("activities", "opportunity_id"), ("stage_history", "opportunity_id"),
          ("activities", "rep_id"), ("leads", "rep_id"), ("opportunities", "rep_id"))


def resolve_references(dataset) -> None:
    """Make sure the row positions the engine joins on are known, looking up the missing ones side by side.

    A loaded dataset has them all already (found while validating); a dataset built
    from frames pays the lookups once, on its first metrics.
    """
    todo = [(t, c) for t, c in _JOINS if dataset.table(t) is not None and c in dataset.table(t).columns]
    F.parallel(*(lambda t=t, c=c: dataset.positions(t, c) for t, c in todo))


def make_context(dataset, period=None, as_of=None) -> tuple[Context, pd.DataFrame]:
    """Resolve as_of and the period, and pick the reps in view (shared by metrics, funnel and trend)."""
    as_of_ts = default_as_of(dataset) if as_of is None else _ts(as_of)
    if period is None:
        period = dataset.meta.default_period
    per = resolve_period(period, as_of_ts, dataset.meta.fiscal_year_start_month)
    reps, rows = reps_in_view(dataset.reps, per, as_of_ts)
    start, end = F.day_of(per.start), min(F.day_of(per.end), F.day_of(as_of_ts))
    rep_view = np.full(len(dataset.reps) + 1, -1, dtype=np.int32)  # the extra -1 is where position -1 lands
    rep_view[rows] = np.arange(len(rows), dtype=np.int32)
    ctx = Context(dataset, per, as_of_ts, pd.Index(reps.index), start, end, F.day_of(as_of_ts), start > end, rep_view)
    return ctx, reps


def reps_in_view(reps: pd.DataFrame, per: Period, as_of: pd.Timestamp) -> tuple[pd.DataFrame, np.ndarray]:
    """Reps employed at some point of the period (left-before or joined-after reps are history), and their rows."""
    hire = reps["hire_date"] if "hire_date" in reps.columns else pd.Series(pd.NaT, index=reps.index)
    left = reps["end_date"] if "end_date" in reps.columns else pd.Series(pd.NaT, index=reps.index)
    keep = ~(hire > per.end) & ~(left < per.start)
    out = reps.loc[keep].set_index("rep_id")
    cols = {}
    for col in ("name", "team", "role"):
        cols[col] = out[col] if col in out.columns else pd.Series(np.nan, index=out.index, dtype="str")
    # employed at as_of: not left before it and not yet to join (a future hire is not a current rep)
    active = pd.Series(True, index=out.index)
    if "end_date" in out.columns:
        active &= ~(out["end_date"] < as_of)
    if "hire_date" in out.columns:
        active &= ~(out["hire_date"] > as_of)
    cols["active"] = active
    # the manager, when the export names one: the leaderboard and the explorer filter by it
    for col in ("manager", "hire_date", "end_date"):
        if col in out.columns:
            cols[col] = out[col]
    frame = pd.DataFrame(cols, index=out.index)
    frame.index.name = "rep_id"
    return frame, np.flatnonzero(keep.to_numpy(dtype=bool))


@dataclass
class OppFrame:
    """Opportunity columns as numpy arrays, with the status as it stood at as_of."""

    code: np.ndarray  # rep position in ctx.rep_ids, -1 = rep not in view
    amount: np.ndarray
    created: np.ndarray
    close: np.ndarray
    won: np.ndarray  # won on or before as_of
    lost: np.ndarray
    open_at: np.ndarray  # open at as_of
    has_any: np.ndarray  # per rep: owns at least one opportunity created on or before as_of
    frame: pd.DataFrame

    @classmethod
    def build(cls, ctx: Context) -> "OppFrame":
        df = ctx.dataset.opportunities
        code = ctx.rep_codes("opportunities")
        created = F.days(df["created_date"])
        close = F.days(df["close_date"])
        existed = created <= ctx.as_of_day
        closed_by = close <= ctx.as_of_day
        won = F.equals(df["status"], "won") & closed_by & existed
        lost = F.equals(df["status"], "lost") & closed_by & existed
        open_at = existed & ~won & ~lost
        has_any = F.bincount(code[existed], len(ctx.rep_ids)) > 0
        amount = df["amount"].to_numpy(dtype=np.float64, na_value=0.0)
        return cls(code, amount, created, close, won, lost, open_at, has_any, df)


def in_window(ctx: Context, day: np.ndarray) -> np.ndarray:
    return (day >= ctx.start) & (day <= ctx.end)


def empty_cause(ctx: Context) -> tuple[bool, str]:
    return (
        ctx.empty_window,
        f"the period {ctx.period.label} has no days on or before the as-of date {ctx.as_of.date()}",
    )


def stage_index(dataset, as_of=None) -> tuple[np.ndarray, set[str], np.ndarray]:
    """Per opportunity row: index in OPPORTUNITY_STAGES of the furthest stage reached, the stages seen, and
    whether the row's stage is known at all.

    Uses stage_history (entries on or before as_of) and furthest_stage; a won
    deal reached "won"; a deal with no stage information is at "qualified" (and not known).
    """
    df = dataset.opportunities
    idx = np.zeros(len(df), dtype=np.int64)
    known = np.zeros(len(df), dtype=bool)
    seen: set[str] = set()
    if F.nonnull_any(df, "furthest_stage"):
        codes = F.codes_in(df["furthest_stage"], list(OPPORTUNITY_STAGES))
        idx = np.maximum(idx, codes)
        known |= codes >= 0
        seen |= set(df["furthest_stage"].dropna().unique())
    sh = dataset.stage_history
    if sh is not None and len(sh):
        pos = dataset.positions("stage_history", "opportunity_id")
        st = F.codes_in(sh["stage"], list(OPPORTUNITY_STAGES))
        entered = np.ones(len(sh), dtype=bool) if as_of is None else F.days(sh["entered_date"]) <= F.day_of(as_of)
        ok = entered & (pos >= 0) & (st >= 0)
        best = np.zeros(len(df), dtype=np.int64)
        for k in np.unique(st[ok]):  # ascending, so each deal ends with its furthest stage
            best[pos[ok & (st == k)]] = k
        idx = np.maximum(idx, best)
        known[pos[ok]] = True
        seen |= {OPPORTUNITY_STAGES[k] for k in np.unique(st[entered & (st >= 0)])}
    return idx, seen, known


# A lead created days ago has not had the time to become an opportunity: counted as "not qualified", it would pull
# down the rate of whoever has the most recent leads (a new hire above all). Rates over leads are read on the leads
# old enough to have settled, whatever their status (leaving out only the open ones would keep the quick
# successes and drop the slow ones).
# The funnel's steps over deals do the same (`funnel._settled_at`).
SETTLE_SHARE = 0.9  # settled: as old as the time this share of the decided ones took (leads that became an opportunity)
SETTLE_MIN_LAGS = 20  # fewer decided ones than this: no cut (nothing to read the time from)


def settle_days(lags: np.ndarray) -> int:
    """The settling time from the times (days) the decided ones took: SETTLE_SHARE of them took at most this long,
    a whole number of days; 0 (no cut) from fewer than SETTLE_MIN_LAGS."""
    if len(lags) < SETTLE_MIN_LAGS:
        return 0
    return int(np.ceil(np.quantile(np.clip(lags, 0, None), SETTLE_SHARE)))


def lead_settle_days(dataset, as_of=None) -> int:
    """Days a lead takes to become an opportunity here: 9 in 10 of the leads whose opportunity (``opportunity_id``)
    was created by as_of took at most this long. 0 when fewer than `SETTLE_MIN_LAGS` leads say it."""
    leads, opps = dataset.table("leads"), dataset.table("opportunities")
    if leads is None or opps is None or not len(leads) or "opportunity_id" not in leads.columns:
        return 0
    pos = dataset.positions("leads", "opportunity_id")
    linked = pos >= 0
    if int(linked.sum()) < SETTLE_MIN_LAGS:
        return 0
    made = F.days(opps["created_date"])[pos[linked]]
    born = F.days(leads["created_date"])[linked]
    known = (made > F.NAT_DAYS) & (born > F.NAT_DAYS)
    if as_of is not None:
        known &= made <= F.day_of(as_of)
    return settle_days(made[known] - born[known])


@dataclass(frozen=True)
class SettledLeads:
    """The last creation day (``end``, days since epoch) of the window's leads counted in rates over leads;
    ``days`` is the settling time it comes from; ``cut`` is True when it leaves some of the window out."""

    end: int
    days: int
    cut: bool

    @property
    def last(self) -> pd.Timestamp:
        """The last creation date counted."""
        return pd.Timestamp(np.datetime64(self.end, "D"))

    @property
    def since(self) -> pd.Timestamp:
        """The first creation date left out."""
        return pd.Timestamp(np.datetime64(self.end + 1, "D"))

    def note(self) -> str | None:
        """What the cut leaves out, for a reader of rates over leads; None when it leaves nothing out."""
        if not self.cut:
            return None
        return (f"Leads created from {self.since.strftime('%d %b %Y').lstrip('0')} are not in the rates of leads "
                f"qualified yet: here 9 in 10 leads that become an opportunity do so within {self.days} days.")


def settled_leads(ctx: Context) -> SettledLeads:
    """Which of the window's leads are old enough at as_of for their status to say whether they qualified."""
    return settled_leads_at(ctx.dataset, ctx.end, ctx.as_of)


def settled_leads_at(dataset, window_end, as_of) -> SettledLeads:
    """`settled_leads` for a window ending on `window_end` (a day number or a date), seen at `as_of`."""
    last = window_end if isinstance(window_end, (int, np.integer)) else F.day_of(window_end)
    days = lead_settle_days(dataset, as_of)
    end = min(int(last), F.day_of(as_of) - days)
    return SettledLeads(end, days, end < last)
