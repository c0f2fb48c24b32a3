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


def test_the_cut_is_said_with_the_days_it_takes():
    assert settling_note(None) is None and settling_note({}) is None
    one = settling_note({"qualified->meeting": 18})
    assert "those of the last 18 days are not in its rate yet (9 in 10 deals move on or drop out within that)" in one
    # steps that take different times: the range
    assert "those of the last 18–25 days are not" in settling_note({"qualified->meeting": 18, "commit->won": 25})


def test_the_diagnosis_notes_the_cut():
    from salesnb.diagnostics import diagnose

    ds = _team(range(1, 21), young_moved=5, young_open=5)
    d = diagnose(ds, PERIOD, AS_OF)
    assert d.deals_settling == settling_note({"qualified->meeting": 17})
    assert d.deals_settling in d.notes


def _no_history(lags, lost_stage="qualified", young_won=0, young_open=0, stage_of_lost=True):
    """Rep a without a stage history: one deal lost per lag (created 1 March at `lost_stage`, lost `lag` days
    later), 20 deals created 1 March now at meeting (open), and deals created 27 June: `young_won` won two days
    later, `young_open` open at qualified. `stage_of_lost` False: lost deals do not say how far they got."""
    opps = []
    for i, lag in enumerate(lags):
        opps.append({"opportunity_id": f"L{i}", "rep_id": "a", "created_date": MARCH, "status": "lost",
                     "close_date": MARCH + pd.Timedelta(days=lag), "amount": 100.0,
                     "furthest_stage": lost_stage if stage_of_lost else None})
    for i in range(20):
        opps.append({"opportunity_id": f"M{i}", "rep_id": "a", "created_date": MARCH, "status": "open",
                     "amount": 100.0, "furthest_stage": "meeting" if stage_of_lost else None})
    young = pd.Timestamp("2026-06-27")
    for i in range(young_won):
        opps.append({"opportunity_id": f"W{i}", "rep_id": "a", "created_date": young, "status": "won",
                     "close_date": young + pd.Timedelta(days=2), "amount": 100.0,
                     "furthest_stage": "won" if stage_of_lost else None})
    for i in range(young_open):
        opps.append({"opportunity_id": f"Y{i}", "rep_id": "a", "created_date": young, "status": "open",
                     "amount": 100.0, "furthest_stage": "qualified" if stage_of_lost else None})
    return Dataset.from_frames(reps=[{"rep_id": "a", "name": "A"}], opportunities=opps)


def test_without_a_stage_history_deals_are_cut_by_their_creation_day():
    # 20 deals lost at qualified 1..20 days after creation: 9 in 10 within 19 days (0.9 quantile of 1..20 is
    # 18.1, a whole number of days: 19). At qualified -> meeting the 5 young won deals would count as moved on
    # (25 of 45); created 3 days before as_of, they are left out: 20 of 40
    ds = _no_history(range(1, 21), young_won=5, young_open=5)
    f = funnel_counts(ds, PERIOD, AS_OF)
    row = f.set_index("step").loc["qualified->meeting"]
    assert (int(row["reached"]), int(row["advanced"])) == (40, 20)
    assert f.attrs["settling"]["qualified->meeting"] == 19 and f.attrs["settling_from"] == "creation"
    note = settling_note(f.attrs["settling"], from_creation=True)
    assert "those created in the last 19 days are not in its rate yet (9 in 10 of the deals that closed at a step " \
           "did so within that)" in note


def test_when_lost_deals_do_not_say_how_far_they_got_the_win_rate_is_cut_by_creation_too():
    # the one step is qualified -> won over decided deals: 20 lost (1..20 days) and 5 won within 2 days of
    # creation, 3 days before as_of. Their cycles: 2 x 5 and 1..20; the 0.9 quantile of the 25 sorted is at
    # position 21.6: 17 + 0.6 = 17.6, a whole number of days: 18. The young wins are left out: 0 of 20
    ds = _no_history(range(1, 21), young_won=5, stage_of_lost=False)
    f = funnel_counts(ds, PERIOD, AS_OF)
    row = f.set_index("step").loc["qualified->won"]
    assert (int(row["reached"]), int(row["advanced"])) == (20, 0)
    assert f.attrs["settling"] == {"qualified->won": 18}
