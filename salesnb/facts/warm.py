"""Compute a dataset's periods ahead, so that opening the explorer or choosing another period reads facts
instead of analysing: `salesnb cache warm` (in the foreground, or in the background for the dashboard and the
explorer). The data is loaded once per run; each period is stored as soon as it is done.

A background run holds the dataset's warming lock, so a second one (another kernel, another dashboard) on the
same data does not start; it runs at a lower CPU priority than the pages it serves.
"""
from __future__ import annotations

import os
import time

from .source import Facts

WARMING_LOCK = "warming"


def offered(facts: Facts, period=None, as_of=None) -> dict:
    """The explorer's period menu for this data: label -> `Period` (the current one first)."""
    from ..periods import period_choices

    current, as_of_ts = facts.resolve(period, as_of)
    return period_choices(current, as_of_ts, facts.info["fiscal_year_start_month"])


def warm(data_dir, period=None, as_of=None, weights=None, labels=None, progress=None, background: bool = False):
    """Store the analyses of the periods `labels` (None: the current one; "all": every offered period).

    progress(label, seconds, cached): called after each period. background: give up at once when another
    background run holds this dataset, and run at a low CPU priority. Returns the labels now stored."""
    facts = Facts(data_dir)
    if background:
        with _niced(), (facts.store.lock(WARMING_LOCK, wait=False) if facts.store else _null()) as mine:
            if not mine:
                return []
            return _run(facts, period, as_of, weights, labels, progress)
    return _run(facts, period, as_of, weights, labels, progress)


def _run(facts: Facts, period, as_of, weights, labels, progress) -> list[str]:
    choices = offered(facts, period, as_of)
    _current, as_of_ts = facts.resolve(period, as_of)
    todo = [next(iter(choices))] if labels is None else list(choices) if labels == "all" else list(labels)
    done = []
    for label in todo:
        if label not in choices:
            from ..errors import ConfigError

            raise ConfigError(f"{label!r} is not a period offered for this data; offered: {', '.join(choices)}.")
        start = time.perf_counter()
        hit = facts.cached(period=choices[label], as_of=as_of_ts, weights=weights) is not None
        if not hit:
            facts.team(period=choices[label], as_of=as_of_ts, weights=weights)
            hit = not facts.computed  # another process kept it while this one waited
        done.append(label)
        if progress:
            progress(label, time.perf_counter() - start, hit)
    return done


class _null:
    def __enter__(self):
        return True

    def __exit__(self, *exc):
        return False


class _niced:
    def __enter__(self):
        try:
            os.nice(10)
        except (AttributeError, OSError):
            pass
        return self

    def __exit__(self, *exc):
        return False
