"""The team's selling season: what share of a year's sales falls on each day, as of a given day.

From, in this order:

1. **earlier years** of the same team in the data: each fiscal month's share of the won revenue of the whole
   fiscal years that ended by then. A year counts once the data began early enough before it for its first
   months' wins to be there: at least the sales cycle within which ``WARMUP_SHARE`` of the won revenue
   closed (``MIN_WARMUP_DAYS`` at least; the first weeks of an export miss the deals created before it). The
   shares lean by ``PSEUDO_DEALS`` won deals' worth (few deals say little about a month) toward the year's
   phased quotas when there are some, else toward an even year;
2. **quotas phased by period** (e.g. quarterly quotas of 15/15/20/50% of the year): each fiscal month's share
   of the fiscal year's quota, per rep, averaged over reps, when it differs from an even year by more than
   ``PHASED``;
3. otherwise **an even year** (each day the same), and the source says so.

`Season.weights(days)` gives each day its share of a year (a year sums to about 1).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .book import Book, day_of

WARMUP_SHARE = 0.9  # a fiscal year counts once the data began a sales cycle this share of won revenue fits in
MIN_WARMUP_DAYS = 30  # ... and at least this many days before it
PSEUDO_DEALS = 200  # the prior's weight in the month shares (phased quotas, else an even year), in won deals
PHASED = 0.10  # quotas phased when a month's share differs from an even year's by this share of it
MIN_WON = 50  # won deals an earlier year needs to show a season

EVEN, EARLIER_YEARS, PHASED_QUOTAS = "even year", "earlier years", "phased quotas"


@dataclass
class Season:
    """Each fiscal month's share of a year's sales (index 0 = the fiscal year's first month)."""

    source: str  # EARLIER_YEARS, PHASED_QUOTAS or EVEN
    month_share: np.ndarray  # 12 shares adding up to 1
    first_month: int = 1  # the fiscal year's first calendar month
    years: list[str] = field(default_factory=list)  # the earlier years used (EARLIER_YEARS)

    def weights(self, day_numbers: np.ndarray) -> np.ndarray:
        """Each day's share of a year's sales."""
        d = np.asarray(day_numbers, dtype=np.int64).astype("datetime64[D]")
        month = d.astype("datetime64[M]")
        length = ((month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")).astype(np.int64)
        calendar = month.astype(np.int64) % 12  # 0 = January
        return self.month_share[(calendar - (self.first_month - 1)) % 12] / length


def even(first_month: int = 1) -> Season:
    days_in = np.array([31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    share = np.roll(days_in, -(first_month - 1)) / days_in.sum()
    return Season(EVEN, share, first_month)


def _fiscal_year_start(day: int, first_month: int) -> pd.Timestamp:
    t = pd.Timestamp(np.datetime64(day, "D"))
    year = t.year if t.month >= first_month else t.year - 1
    return pd.Timestamp(year=year, month=first_month, day=1)


def warmup_days(book: Book, as_of: int) -> int:
    """The days of data a fiscal year needs before it: the sales cycle within which WARMUP_SHARE of the revenue
    won by `as_of` closed (a year's first months close deals created that long before), MIN_WARMUP_DAYS at
    least."""
    won = book.won & (book.closed <= as_of)
    if not won.any():
        return MIN_WARMUP_DAYS
    cycle = book.closed[won] - book.created[won]
    order = np.argsort(cycle)
    share = np.cumsum(book.amount[won][order])
    total = share[-1] if len(share) else 0.0
    if total <= 0:
        return MIN_WARMUP_DAYS
    fits = int(cycle[order][min(np.searchsorted(share, WARMUP_SHARE * total), len(cycle) - 1)])
    return max(MIN_WARMUP_DAYS, fits)


def from_earlier_years(book: Book, as_of: int, first_month: int, prior: np.ndarray | None = None
                       ) -> Season | None:
    """Month shares of the won revenue of the whole fiscal years that ended by `as_of`, leaning toward
    `prior` (12 month shares; default an even year). None: no such year."""
    start = _fiscal_year_start(as_of, first_month)
    first = book.first_at(as_of) + warmup_days(book, as_of)
    years = []
    while True:
        start = start - pd.DateOffset(years=1)
        s, e = day_of(start), day_of(start + pd.DateOffset(years=1) - pd.Timedelta(days=1))
        if s < first:
            break
        if e <= as_of:
            years.append((s, e, start))
    if not years:
        return None
    won = np.zeros(len(book.won), dtype=bool)
    for s, e, _ in years:
        won |= book.won_between(s, e)
    if won.sum() < MIN_WON * len(years):
        return None
    when = book.closed[won].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    fiscal = (when - (first_month - 1)) % 12
    revenue = np.bincount(fiscal, weights=book.amount[won], minlength=12)
    base = even(first_month).month_share if prior is None else np.asarray(prior, dtype=float)
    n = int(won.sum())
    share = (revenue / revenue.sum() * n + base * PSEUDO_DEALS) / (n + PSEUDO_DEALS)
    labels = [str(st.year) if first_month == 1 else f"FY{st.year}" for _, _, st in sorted(years)]
    return Season(EARLIER_YEARS, share, first_month, labels)


def from_quotas(quotas: pd.DataFrame | None, as_of: int, first_month: int) -> Season | None:
    """Month shares of the fiscal year's quota holding `as_of` (None: not phased, or not covered)."""
    if quotas is None or not len(quotas):
        return None
    ys = _fiscal_year_start(as_of, first_month)
    s, e = day_of(ys), day_of(ys + pd.DateOffset(years=1) - pd.Timedelta(days=1))
    qs = np.asarray(pd.to_datetime(quotas["period_start"]).to_numpy(dtype="datetime64[D]").astype(np.int64))
    qe = np.asarray(pd.to_datetime(quotas["period_end"]).to_numpy(dtype="datetime64[D]").astype(np.int64))
    keep = (qe >= s) & (qs <= e) & (qe >= qs)
    if not keep.any():
        return None
    q = quotas[keep]
    per_day = q["quota"].to_numpy(dtype=float) / (qe[keep] - qs[keep] + 1)
    day = np.arange(s, e + 1)
    rep_codes, reps = pd.factorize(q["rep_id"].astype(str))
    rate = np.zeros((len(reps), len(day)))
    covered = np.zeros((len(reps), len(day)), dtype=bool)
    for r, a, b, v in zip(rep_codes, qs[keep], qe[keep], per_day):
        lo, hi = max(a, s) - s, min(b, e) - s
        rate[r, lo:hi + 1] += v
        covered[r, lo:hi + 1] = True
    whole = covered.all(axis=1)  # reps whose quotas cover the whole year
    if not whole.any():
        return None
    shape = (rate[whole] / rate[whole].mean(axis=1, keepdims=True)).mean(axis=0)
    fiscal = ((day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12) - (first_month - 1)) % 12
    share = np.bincount(fiscal, weights=shape, minlength=12)
    share = share / share.sum()
    base = even(first_month).month_share
    if np.max(np.abs(share / base - 1)) <= PHASED:
        return None
    return Season(PHASED_QUOTAS, share, first_month)


def season_at(book: Book, quotas: pd.DataFrame | None, as_of: int, first_month: int = 1) -> Season:
    """The season known at `as_of` (see the module): earlier years (leaning toward the phased quotas), else
    phased quotas, else an even year."""
    phased = from_quotas(quotas, as_of, first_month)
    prior = None if phased is None else phased.month_share
    return from_earlier_years(book, as_of, first_month, prior) or phased or even(first_month)

