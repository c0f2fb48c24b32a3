"""Deals that reached a stage days ago are not yet decided there: each step counts the deals old enough at it."""
import pandas as pd
import pytest

from salesnb.dataset import Dataset
from salesnb.metrics import funnel_counts, metrics
from salesnb.metrics.context import SETTLE_MIN_LAGS
from salesnb.metrics.funnel import settling_note

AS_OF = "2026-06-30"
PERIOD = "2026-01-01..2026-06-30"
MARCH = pd.Timestamp("2026-03-01")


def _team(lags, lost=10, young_moved=0, young_open=0):
    """Rep a: deals created on 1 March at qualified, one per lag moving on to meeting `lag` days later, `lost`
    more lost 10 days later; and deals created on 27 June, `young_moved` already at meeting the next day and
    `young_open` still at qualified."""
    opps, hist = [], []

    def deal(i, made, status, meeting=None, closed=None):
        oid = f"O{i}"
        opps.append({"opportunity_id": oid, "rep_id": "a", "created_date": made, "status": status,
                     "amount": 100.0, "close_date": closed})
        hist.append({"opportunity_id": oid, "stage": "qualified", "entered_date": made})
        if meeting is not None:
            hist.append({"opportunity_id": oid, "stage": "meeting", "entered_date": meeting})

    n = 0
    for lag in lags:
        deal(n, MARCH, "open", meeting=MARCH + pd.Timedelta(days=lag))
        n += 1
    for _ in range(lost):
        deal(n, MARCH, "lost", closed=MARCH + pd.Timedelta(days=10))
        n += 1
    young = pd.Timestamp("2026-06-27")
    for _ in range(young_moved):
        deal(n, young, "open", meeting=young + pd.Timedelta(days=1))
        n += 1
    for _ in range(young_open):
        deal(n, young, "open")
        n += 1
    return Dataset.from_frames(reps=[{"rep_id": "a", "name": "A"}], opportunities=opps, stage_history=hist)


def _step(ds, as_of=AS_OF):
    f = funnel_counts(ds, PERIOD, as_of)
    row = f.set_index("step").loc["qualified->meeting"]
    return int(row["reached"]), int(row["advanced"]), f.attrs.get("settling")


def test_young_deals_that_moved_on_quickly_do_not_lift_the_step():
    # 20 deals moved on after 1..20 days and 10 were lost after 10: 20 of 30. Five deals of three days ago
    # already at meeting and five still at qualified: counting the quick ones only would give 25 of 35
    ds = _team(range(1, 21), young_moved=5, young_open=5)
    # the time 9 in 10 of the 35 decided deals took: lags 1..20, ten of 10 and the five young ones of 1; sorted,
    # positions 0-5 are 1, 6-13 are 2..9, 14-24 are 10, 25-34 are 11..20; the 0.9 quantile (linear) is at
    # position 30.6: 16 + 0.6 x (17 - 16) = 16.6, a whole number of days: 17
    assert _step(ds) == (30, 20, {"qualified->meeting": 17})
    assert metrics(ds, PERIOD, AS_OF).values.at["a", "conv_qualified_meeting"] == pytest.approx(20 / 30)


def test_too_few_decided_deals_give_no_cut():
    assert SETTLE_MIN_LAGS == 20
    # 10 moved on, 8 lost, 1 young one moved on: 19 decided deals, too few to read the time from; the young open
    # deals are undecided and left out, the young one that moved on counts
    ds = _team(range(1, 11), lost=8, young_moved=1, young_open=5)
    assert _step(ds) == (19, 11, None)


def test_a_cut_that_leaves_nothing_out_is_not_said():
    ds = _team(range(1, 21))  # every deal of 1 March, long decided by 30 June
    assert _step(ds) == (30, 20, None)


def test_the_cut_is_said_with_the_days_of_each_step_named_as_the_funnel_names_it():
    assert settling_note(None) is None and settling_note({}) is None
    one = settling_note({"qualified->meeting": 18})
    assert "(9 in 10 do within 18 days for getting meetings)" in one and "not in its rate yet" in one
    two = settling_note({"qualified->meeting": 18, "commit->won": 25})
    assert "within 18 days for getting meetings and 25 for closing)" in two
    # a CRM whose stages skip some: the step named after the stages it spans
    assert "within 9 days for meeting held → signed deal)" in settling_note({"meeting->won": 9})


def test_the_diagnosis_notes_the_cut():
    from salesnb.diagnostics import diagnose

    ds = _team(range(1, 21), young_moved=5, young_open=5)
    d = diagnose(ds, PERIOD, AS_OF)
    assert d.deals_settling == settling_note({"qualified->meeting": 17})
    assert d.deals_settling in d.notes
