"""Every deal of a dataset as arrays of days, so its state can be read as of any day (a "book").

The early warning runs as of today and, for its track record, as of every earlier month end; each time it
must see only what was known then: deals created by that day, their stage on that day (from stage_history),
whether they had closed. `Book` is built once per dataset and read as of any day without going back to the
tables. Days are counted from 1970-01-01.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..metrics._frame import NEVER  # "not yet": a day later than any real one
from ..schema import OPPORTUNITY_STAGES

OPEN_STAGES = tuple(s for s in OPPORTUNITY_STAGES if s != "won")  # the stages a deal can be open at, in order


def days(values) -> np.ndarray:
    """Dates (a Series or array) as int64 days since 1970-01-01; missing dates as NEVER."""
    s = pd.to_datetime(pd.Series(values), errors="coerce")
    out = s.to_numpy(dtype="datetime64[D]").astype(np.int64)
    return np.where(s.isna().to_numpy(), NEVER, out)


def day_of(ts) -> int:
    return int(np.datetime64(pd.Timestamp(ts).date(), "D").astype(np.int64))


START_DAYS, STEADY_DAYS = 30, 90  # an export's first days, against the days after them


def first_day(created: np.ndarray) -> int:
    """The data's first day, moved on by the days' worth of new deals missing at its start.

    An export (or a generated team) often begins with fewer new deals than usual for a few weeks: deals
    qualified from leads found before it are missing. Over the first START_DAYS, the days count for the
    share of the usual pace (days START_DAYS..STEADY_DAYS) it had; what is missing moves the first day on."""
    if not len(created):
        return 0
    first = int(created.min())
    count = np.bincount(np.clip(created - first, 0, STEADY_DAYS), minlength=STEADY_DAYS + 1)[:STEADY_DAYS]
    if created.max() - first < STEADY_DAYS:
        return first
    usual = count[START_DAYS:].mean()
    if usual <= 0:
        return first
    missing = np.clip((1 - count[:START_DAYS] / usual).sum(), 0, START_DAYS)  # summed first: noise cancels
    return first + int(round(missing))


@dataclass
class Book:
    """The deals of a dataset, one entry per opportunity, sorted by rep then opportunity id."""

    rep_ids: pd.Index  # the reps the codes point into (the dataset's reps)
    rep: np.ndarray  # code into rep_ids (-1: unknown rep)
    created: np.ndarray  # day created
    closed: np.ndarray  # day won or lost (NEVER while open)
    won: np.ndarray  # bool: the deal was won (on `closed`)
    amount: np.ndarray
    entered: np.ndarray  # (deals, len(OPEN_STAGES)): day each open stage was entered (NEVER: not entered)
    has_stages: bool  # stage_history was given: stage and age in stage can be read

    @classmethod
    def of(cls, dataset) -> "Book":
        o = dataset.opportunities
        rep_ids = pd.Index(dataset.reps["rep_id"].astype(str))
        order = np.lexsort((o["opportunity_id"].astype(str).to_numpy(),
                            o["rep_id"].astype(str).to_numpy()))
        o = o.iloc[order]
        status = o["status"].astype(str).str.lower().to_numpy()
        closed = np.where(np.isin(status, ("won", "lost")), days(o["close_date"]), NEVER)
        entered = np.full((len(o), len(OPEN_STAGES)), NEVER, dtype=np.int64)
        sh = dataset.stage_history
        has_stages = sh is not None and len(sh) > 0
        if has_stages:
            pos = pd.Index(o["opportunity_id"].astype(str)).get_indexer(sh["opportunity_id"].astype(str))
            stage = pd.Index(OPEN_STAGES).get_indexer(sh["stage"].astype(str))
            ok = (pos >= 0) & (stage >= 0)
            e = days(sh["entered_date"])
            flat = pos[ok] * len(OPEN_STAGES) + stage[ok]
            target = entered.reshape(-1)
            np.minimum.at(target, flat, e[ok])  # the first time each stage was entered
        created = days(o["created_date"])
        return cls(rep_ids=rep_ids, rep=rep_ids.get_indexer(o["rep_id"].astype(str)), created=created,
                   closed=closed, won=status == "won", amount=o["amount"].to_numpy(dtype=float, na_value=0.0),
                   entered=entered, has_stages=has_stages)

    def first_at(self, day: int) -> int:
        """The data's first day as seen on `day` (`first_day` of the deals created by then)."""
        return first_day(self.created[self.created <= day])

    def positions(self, reps: pd.Index) -> np.ndarray:
        """Each deal's rep as a position in `reps` (-1: a rep not in it)."""
        at = np.append(pd.Index(reps).get_indexer(self.rep_ids), -1)
        return at[np.where(self.rep >= 0, self.rep, len(self.rep_ids))]

    def known(self, day: int) -> np.ndarray:
        """Deals created on or before `day`."""
        return self.created <= day

    def open_at(self, day: int) -> np.ndarray:
        """Deals open at the end of `day`: created by then, not won or lost by then."""
        return (self.created <= day) & (self.closed > day)

    def closed_between(self, start: int, end: int) -> np.ndarray:
        """Deals won or lost in [start, end]."""
        return (self.closed >= start) & (self.closed <= end)

    def won_between(self, start: int, end: int) -> np.ndarray:
        return self.won & self.closed_between(start, end)

    def stage_at(self, day: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For the deals `rows` (indices, open at `day`): the stage they were at on `day` (index into
        OPEN_STAGES; the first stage, entered when created, for a deal with no stage entered by then) and
        the day they entered it."""
        e = self.entered[rows]
        seen = e <= day
        stage = np.where(seen.any(axis=1), len(OPEN_STAGES) - 1 - np.argmax(seen[:, ::-1], axis=1), 0)
        since = np.where(seen.any(axis=1), e[np.arange(len(rows)), stage], self.created[rows])
        return stage, np.minimum(since, day)

    def stage_exits(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For closed deals `rows`: (entered, left) per open stage: the day each stage was entered (NEVER if
        not) and the day it was left (the next stage entered, or the close)."""
        e = self.entered[rows]
        left = np.empty_like(e)
        nxt = self.closed[rows].copy()
        for s in range(len(OPEN_STAGES) - 1, -1, -1):  # the next stage entered after s, or the close
            left[:, s] = nxt
            nxt = np.where(e[:, s] < NEVER, np.minimum(nxt, e[:, s]), nxt)
        return e, left
