"""The hygiene list on frames built by hand: which deals are open at as_of, the close-date bar, how staleness
was judged (said in `basis`, and "not judged" with what to add when it cannot be), and the per-rep counts."""
from __future__ import annotations

import pandas as pd
import pytest

from salesnb.diagnostics.hygiene import STALE_DAYS, STUCK_DAYS, flag_deals, open_at, summarise

AS_OF = pd.Timestamp("2026-06-30")


def day(back: int) -> pd.Timestamp:
    return AS_OF - pd.Timedelta(days=back)


def opps(*rows) -> pd.DataFrame:
    base = dict(rep_id="a", account="Acme", amount=1.0, created_date=day(100), close_date=day(-30), status="open",
                next_step=None, stage_changed_date=pd.NaT)
    return pd.DataFrame([{**base, "opportunity_id": f"o{i}", **r} for i, r in enumerate(rows)])


def test_open_at_counts_deals_created_by_as_of_and_not_closed_by_it():
    d = opps({"created_date": AS_OF}, {"created_date": day(-1)},
             {"status": "won", "close_date": AS_OF}, {"status": "lost", "close_date": day(-1)},
             {"status": "open", "close_date": day(5)})
    assert list(open_at(d, AS_OF)["opportunity_id"]) == ["o0", "o3", "o4"]


def test_a_close_date_is_past_only_before_as_of():
    d = opps({"close_date": AS_OF, "next_step": "call"}, {"close_date": day(1), "next_step": "call"})
    deals, _ = flag_deals(d, None, AS_OF)
    assert list(deals["opportunity_id"]) == ["o1"] and deals["past_close_date"].tolist() == [True]
    assert list(deals.index) == [0]


def test_without_activities_or_stage_dates_staleness_is_not_judged_and_says_what_to_add():
    d = opps({"next_step": "call"}, {})  # the second has no next step: listed for that, never called stale
    deals, basis = flag_deals(d, None, AS_OF)
    assert basis == "not judged: needs activities or stage_changed_date"
    assert list(deals["opportunity_id"]) == ["o1"] and deals["stale"].tolist() == [False]
    unlinked = pd.DataFrame({"rep_id": ["a"], "date": [day(1)], "opportunity_id": [None]})
    _, basis = flag_deals(d, unlinked, AS_OF)
    assert basis == "not judged: needs activities linked to deals (opportunity_id) or stage_changed_date"
    _, basis = flag_deals(d, unlinked.drop(columns="opportunity_id"), AS_OF)
    assert basis == "not judged: needs activities linked to deals (opportunity_id) or stage_changed_date"


def test_by_stage_changes_a_deal_stuck_longer_than_the_bar_is_stale():
    d = opps({"stage_changed_date": day(STUCK_DAYS), "next_step": "call"},
             {"stage_changed_date": day(STUCK_DAYS + 1), "next_step": "call"})
    deals, basis = flag_deals(d, None, AS_OF)
    assert basis == f"no stage change in {STUCK_DAYS} days (no activities table to see recent contact)"
    assert list(deals["opportunity_id"]) == ["o1"] and deals["days_since_stage_change"].tolist() == [STUCK_DAYS + 1]


def test_reps_who_link_activities_are_judged_by_them_and_the_others_by_stage_changes():
    d = opps({"rep_id": "a", "next_step": "call", "stage_changed_date": day(1)},
             {"rep_id": "a", "next_step": "call", "stage_changed_date": day(1)},
             {"rep_id": "b", "next_step": "call", "stage_changed_date": day(STUCK_DAYS + 5)},
             {"rep_id": "c", "next_step": "call", "stage_changed_date": day(2)})
    # a links: o0 touched on as_of itself, o1 last touched STALE_DAYS before (outside the window); b logs calls
    # on no deal; c's only linked activity comes after as_of, so c does not link yet
    acts = pd.DataFrame({"rep_id": ["a", "a", "b", "c"], "date": [AS_OF, day(STALE_DAYS), day(1), day(-1)],
                         "opportunity_id": ["o0", "o1", None, "o3"]})
    deals, basis = flag_deals(d, acts, AS_OF)
    assert basis == (f"no activity logged on the deal in the {STALE_DAYS} days before 2026-06-30 (deals older than "
                     f"that); no stage change in {STUCK_DAYS} days (for reps whose activities are not linked to deals)")
    assert deals.set_index("opportunity_id")["stale"].to_dict() == {"o1": True, "o2": True}
    assert list(deals.columns) == ["opportunity_id", "rep_id", "account", "amount", "created_date", "close_date",
                                   "next_step", "days_since_stage_change", "stage_changed_from", "no_next_step", "stale",
                                   "past_close_date"]
    assert deals["stage_changed_from"].tolist() == ["stage_changed_date", "stage_changed_date"]


def test_with_a_stage_history_a_deal_without_stage_changed_date_changed_stage_when_it_entered_its_last_stage():
    d = opps({"opportunity_id": "x", "next_step": "call"},  # last entered its stage STUCK_DAYS + 10 days ago
             {"opportunity_id": "y", "next_step": "call"},  # entered proposal 3 days ago (and one after as_of)
             {"opportunity_id": "z", "next_step": "call", "stage_changed_date": day(STUCK_DAYS + 1)},
             {"opportunity_id": "w", "next_step": "call"})  # no stage history at all: not judged
    history = pd.DataFrame({"opportunity_id": ["x", "x", "y", "y", "y", "z"],
                            "stage": ["qualified", "meeting", "qualified", "proposal", "commit", "qualified"],
                            "entered_date": [day(90), day(STUCK_DAYS + 10), day(60), day(3), day(-2), day(1)]})
    deals, basis = flag_deals(d, None, AS_OF, history)
    # z keeps its own stage_changed_date (46 days, stale) although the history has a later entry
    got = deals.set_index("opportunity_id")
    assert got["stale"].to_dict() == {"x": True, "z": True}
    assert got["days_since_stage_change"].to_dict() == {"x": STUCK_DAYS + 10, "z": STUCK_DAYS + 1}
    assert got["stage_changed_from"].to_dict() == {"x": "stage history", "z": "stage_changed_date"}
    # y, read from the history, is open, recent and flagged for nothing; w cannot be judged
    assert basis == (f"no stage change in {STUCK_DAYS} days (no activities table to see recent contact; the last stage "
                     "change of 2 deals read from the stage history, the day it entered its latest stage, as the "
                     "export has no stage_changed_date for them)")


def test_the_counts_per_rep_are_whole_numbers_with_zero_for_reps_with_nothing_flagged():
    deals = pd.DataFrame({"rep_id": ["a", "a", "b"], "no_next_step": [True, False, True],
                          "stale": [True, True, False], "past_close_date": [False, False, False]})
    got = summarise(deals, pd.Index(["a", "b", "c"]), pd.Series({"a": 3, "b": 1}))
    assert list(got.columns) == ["rep_id", "open_deals", "no_next_step", "stale", "past_close_date"]
    assert got.values.tolist() == [["a", 3, 1, 2, 0], ["b", 1, 1, 0, 0], ["c", 0, 0, 0, 0]]
    assert all(pd.api.types.is_integer_dtype(got[c]) for c in got.columns[1:])
