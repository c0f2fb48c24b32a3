"""The window the activities actually cover, so activity rates are per week of logging, not per week of period.

An export whose calls start six weeks before its end, in a thirteen-week quarter, has not seen reps idle for
seven weeks: it has not seen those weeks at all. Rates divide by the weeks between the first and the last
activity the team logged inside the analysed window, when that leaves out more than `GAP_DAYS` at either end.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

GAP_DAYS = 14  # a whole team logging nothing for longer than this at an end of the window: not logged then


@dataclass(frozen=True)
class ActivityWindow:
    """The days activity rates are counted over: [start, end], inside the analysed window [period_start, until]."""

    start: pd.Timestamp
    end: pd.Timestamp
    period_start: pd.Timestamp
    until: pd.Timestamp  # the end of the analysed window: the period's end, or as_of when earlier
    first_logged: pd.Timestamp
    last_logged: pd.Timestamp

    @property
    def narrowed(self) -> bool:
        """True when the activities cover less than the analysed window."""
        return self.start > self.period_start or self.end < self.until

    @property
    def weeks(self) -> float:
        return ((self.end - self.start).days + 1) / 7

    @property
    def window_weeks(self) -> float:
        return ((self.until - self.period_start).days + 1) / 7

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "weeks": round(self.weeks, 1),
                "window_weeks": round(self.window_weeks, 1), "narrowed": self.narrowed,
                "first_logged": self.first_logged, "last_logged": self.last_logged}


def activity_window(activities: pd.DataFrame | None, start, until) -> ActivityWindow | None:
    """The window activity rates use for the analysed window [start, until]; None when no activity falls in it."""
    if activities is None or not len(activities):
        return None
    start, until = pd.Timestamp(start), pd.Timestamp(until)
    days = activities["date"]
    inside = days[(days >= start) & (days <= until)]
    if not len(inside):
        return None
    first, last = inside.min(), inside.max()
    lo = first if (first - start).days > GAP_DAYS else start
    hi = last if (until - last).days > GAP_DAYS else until
    return ActivityWindow(lo, hi, start, until, first, last)
