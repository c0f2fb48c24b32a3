"""Staleness at its edges: a deal last touched on the window's first day is not stale, one touched the day
before is; the same rule (metrics.staleness) in the deal list (diagnostics.hygiene) and in the per-rep count
(metrics), with activities or from stage changes."""
from __future__ import annotations

import pandas as pd

from salesnb.dataset import Dataset
from salesnb.diagnostics.hygiene import STALE_DAYS, STUCK_DAYS, flag_deals
from salesnb.metrics import metrics

AS_OF = pd.Timestamp("2026-06-30")


def day(back: int) -> str:
    return str((AS_OF - pd.Timedelta(days=back)).date())


def dataset(with_activities=True):
    # every deal created long ago, still open, with a next step and a close date ahead
    last_touch = {"inside": STALE_DAYS - 1, "outside": STALE_DAYS, "today": 0, "long_ago": 3 * STALE_DAYS}
    stage_change = {"inside": STUCK_DAYS, "outside": STUCK_DAYS + 1, "today": 0, "long_ago": 3 * STUCK_DAYS}
    ids = list(last_touch)
    opps = pd.DataFrame({"opportunity_id": ids, "rep_id": "a", "created_date": "2026-01-01", "status": "open",
                         "amount": 1.0, "close_date": "2026-12-31", "next_step": "call",
                         "stage_changed_date": [day(stage_change[i]) for i in ids]})
    acts = pd.DataFrame({"activity_id": [f"x{i}" for i in ids], "rep_id": "a", "type": "call",
                         "date": [day(last_touch[i]) for i in ids], "opportunity_id": ids})
    return Dataset.from_frames(reps=pd.DataFrame({"rep_id": ["a"], "name": ["A"]}), opportunities=opps,
                               activities=acts if with_activities else None)


def _stale(ds, acts) -> dict[str, bool]:
    deals, _ = flag_deals(ds.opportunities, acts, AS_OF)
    flagged = set(deals.loc[deals["stale"], "opportunity_id"])
    return {i: i in flagged for i in ds.opportunities["opportunity_id"]}


def test_a_deal_touched_inside_the_window_is_not_stale_and_one_touched_the_day_before_it_is():
    ds = dataset()
    assert _stale(ds, ds.activities) == {"inside": False, "outside": True, "today": False, "long_ago": True}


def test_without_activities_a_deal_is_stale_from_the_day_after_its_stuck_days():
    ds = dataset(with_activities=False)
    assert _stale(ds, None) == {"inside": False, "outside": True, "today": False, "long_ago": True}


def test_the_per_rep_count_uses_the_same_window():
    table = metrics(dataset(), "2026", str(AS_OF.date()))
    assert table.values.at["a", "stale_deals"] == 2  # "outside" and "long_ago"


def test_without_activities_the_per_rep_count_is_the_list_s_too():
    # no activities table: the count reads the stage changes, as the list does ("outside" and "long_ago")
    table = metrics(dataset(with_activities=False), "2026", str(AS_OF.date()))
    assert table.values.at["a", "stale_deals"] == 2


def test_a_deal_younger_than_the_window_has_not_gone_quiet_yet():
    # no activity at all: created on the window's first day it is not stale yet, the day before it is
    opps = pd.DataFrame({"opportunity_id": ["young", "old"], "rep_id": "a",
                         "created_date": [day(STALE_DAYS - 1), day(STALE_DAYS)], "status": "open", "amount": 1.0,
                         "close_date": "2026-12-31", "next_step": "call"})
    acts = pd.DataFrame({"activity_id": ["x"], "rep_id": "a", "type": "call", "date": day(1),
                         "opportunity_id": ["elsewhere"]})
    ds = Dataset.from_frames(reps=pd.DataFrame({"rep_id": ["a"], "name": ["A"]}), opportunities=opps,
                             activities=acts)
    table = metrics(ds, "2026", str(AS_OF.date()))
    assert table.values.at["a", "stale_deals"] == 1
    assert _stale(ds, ds.activities) == {"young": False, "old": True}  # the list agrees


def test_the_documented_window_is_fourteen_days():
    # the catalogue and the notes say "14 days": literal figures, so that a window moved in the code without
    # the words fails here
    opps = pd.DataFrame({"opportunity_id": ["d13", "d14"], "rep_id": "a", "created_date": "2026-01-01",
                         "status": "open", "amount": 1.0, "close_date": "2026-12-31", "next_step": "call"})
    acts = pd.DataFrame({"activity_id": ["x13", "x14"], "rep_id": "a", "type": "call", "date": [day(13), day(14)],
                         "opportunity_id": ["d13", "d14"]})
    ds = Dataset.from_frames(reps=pd.DataFrame({"rep_id": ["a"], "name": ["A"]}), opportunities=opps,
                             activities=acts)
    assert _stale(ds, ds.activities) == {"d13": False, "d14": True}
    assert metrics(ds, "2026", str(AS_OF.date())).values.at["a", "stale_deals"] == 1
