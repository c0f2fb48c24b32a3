"""Hygiene flags on a handful of deals whose flags are known."""
from __future__ import annotations

import pandas as pd

from salesnb.dataset import Dataset
from salesnb.diagnostics.hygiene import flag_deals, open_at, summarise

AS_OF = "2026-06-30"


def dataset(with_activities=True):
    opps = pd.DataFrame({
        "opportunity_id": ["clean", "nonext", "past", "stale", "closed", "later"],
        "rep_id": ["a", "a", "b", "b", "a", "b"],
        "created_date": ["2026-05-01", "2026-05-01", "2026-04-01", "2026-03-01", "2026-02-01", "2026-07-05"],
        "status": ["open", "open", "open", "open", "won", "open"],
        "amount": [1.0] * 6,
        "close_date": ["2026-08-01", "2026-08-01", "2026-06-01", "2026-09-01", "2026-03-01", "2026-09-01"],
        "next_step": ["call back", None, "send quote", "demo", None, None],
        "stage_changed_date": ["2026-06-20", "2026-06-20", "2026-06-20", "2026-03-01", "2026-03-01", "2026-07-05"],
    })
    acts = pd.DataFrame({
        "activity_id": ["x1", "x2", "x3", "x4"],
        "rep_id": ["a", "a", "b", "b"],
        "date": ["2026-06-25", "2026-06-29", "2026-06-28", "2026-05-01"],
        "type": ["call"] * 4,
        "opportunity_id": ["clean", "nonext", "past", "stale"],
    }) if with_activities else None
    reps = pd.DataFrame({"rep_id": ["a", "b"], "name": ["A", "B"]})
    return Dataset.from_frames(reps=reps, opportunities=opps, activities=acts)


def test_each_flag_on_the_deal_that_has_it():
    ds = dataset()
    deals, basis = flag_deals(ds.opportunities, ds.activities, AS_OF)
    flags = deals.set_index("opportunity_id")[["no_next_step", "stale", "past_close_date"]]
    assert sorted(flags.index) == ["nonext", "past", "stale"]  # clean has none; closed/later are not open
    assert flags.loc["nonext"].tolist() == [True, False, False]
    assert flags.loc["past"].tolist() == [False, False, True]
    assert flags.loc["stale"].tolist() == [False, True, False]
    assert "14 days" in basis
    ds2 = dataset()
    summary = summarise(deals, pd.Index(["a", "b"]), open_at(ds2.opportunities, pd.Timestamp(AS_OF)).groupby("rep_id").size())
    s = summary.set_index("rep_id")
    assert s.loc["a", "open_deals"] == 2 and s.loc["a", "no_next_step"] == 1
    assert s.loc["b", "open_deals"] == 2 and s.loc["b", "stale"] == 1 and s.loc["b", "past_close_date"] == 1


def test_without_activities_stale_means_no_stage_change_in_45_days():
    ds = dataset(with_activities=False)
    deals, basis = flag_deals(ds.opportunities, None, AS_OF)
    flags = deals.set_index("opportunity_id")
    assert flags.loc["stale", "stale"]  # stage unchanged since March
    assert "stage change" in basis
