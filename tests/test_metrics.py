"""The metric engine on a tiny hand-built team; every expected value is worked out by hand below.

Period: 2026-01-01..2026-06-30 (181 days: 31+28+31+30+31+30), as of 2026-06-30.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from salesnb import Dataset
from salesnb.errors import ConfigError
from salesnb.metrics import CATALOGUE, KINDS, funnel_counts, metrics, team_summary, trend
from salesnb.periods import Period

PERIOD = "2026-01-01..2026-06-30"
AS_OF = "2026-06-30"


def opp(oid, rep, created, status, amount, close, stage, **kw):
    return {"opportunity_id": oid, "rep_id": rep, "created_date": created, "status": status, "amount": amount,
            "close_date": close, "furthest_stage": stage, **kw}


REPS = [
    {"rep_id": "a", "name": "Ann", "team": "North", "role": "AE"},
    {"rep_id": "b", "name": "Bob", "team": "North", "role": "AE", "hire_date": "2026-04-01"},
    {"rep_id": "c", "name": "Cy", "team": "South", "role": "AE"},  # no deals, quota, activities or leads
    {"rep_id": "d", "name": "Dee", "team": "South", "role": "SDR", "end_date": "2025-12-31"},  # left before
    {"rep_id": "e", "name": "Eve", "team": "South", "role": "AE", "end_date": "2026-03-31"},  # left mid-period
]
OPPS = [
    opp("1", "a", "2026-01-05", "won", 100, "2026-02-01", "won", revenue_type="recurring", assisted_by="b",
        next_step="x"),
    opp("2", "a", "2026-01-10", "lost", 50, "2026-03-01", "proposal", revenue_type="one_off", next_step="x"),
    opp("3", "a", "2026-02-01", "won", 300, "2026-04-15", "won", revenue_type="one_off", next_step="x"),
    opp("4", "a", "2026-05-01", "open", 200, "2026-06-15", "commit"),  # no next step, close date passed
    opp("5", "a", "2025-11-01", "won", 1000, "2025-12-20", "won", next_step="x"),  # closed before the period
    opp("6", "b", "2026-04-10", "open", 70, "2026-06-30", "meeting", next_step="call"),
    opp("7", "b", "2026-04-20", "lost", 30, "2026-05-20", "qualified", next_step="x"),
    opp("8", "e", "2026-01-15", "won", 80, "2026-03-10", "won", next_step="x"),
    opp("9", "a", "2026-06-01", "open", 500, "2026-09-30", "qualified", next_step="demo"),
    # won only after as_of: at 2026-06-30 it was still open (at commit at most)
    opp("10", "a", "2026-03-01", "won", 120, "2026-07-05", "won", next_step="sign"),
    opp("11", "d", "2025-06-01", "won", 999, "2025-07-01", "won", next_step="x"),
]
QUOTAS = [
    {"rep_id": "a", "period_start": "2026-01-01", "period_end": "2026-12-31", "quota": 730},
    {"rep_id": "b", "period_start": "2026-01-01", "period_end": "2026-12-31", "quota": 730},
    {"rep_id": "e", "period_start": "2026-01-01", "period_end": "2026-12-31", "quota": 365},
]
ACTS = [
    {"activity_id": "x1", "rep_id": "a", "date": "2026-01-06", "type": "call", "opportunity_id": "2", "miles": 10},
    {"activity_id": "x2", "rep_id": "a", "date": "2026-02-10", "type": "meeting", "opportunity_id": "3", "miles": 30},
    {"activity_id": "x3", "rep_id": "a", "date": "2026-06-20", "type": "email", "opportunity_id": "4"},
    {"activity_id": "x4", "rep_id": "a", "date": "2025-12-01", "type": "call"},  # before the period
    {"activity_id": "x5", "rep_id": "b", "date": "2026-05-01", "type": "visit", "lead_id": "L2", "miles": 40},
    {"activity_id": "x6", "rep_id": "e", "date": "2026-02-01", "type": "call"},
]
LEADS = [
    {"lead_id": "L1", "rep_id": "a", "created_date": "2026-01-02", "status": "qualified", "company_size": 100,
     "has_need": True, "decision_maker": True},  # fits the profile (size >= 50, need, decision maker)
    {"lead_id": "L2", "rep_id": "b", "created_date": "2026-04-05", "status": "disqualified", "company_size": 10,
     "has_need": True, "decision_maker": False},
    {"lead_id": "L3", "rep_id": "a", "created_date": "2026-03-01", "status": "disqualified", "company_size": 200,
     "has_need": True, "decision_maker": True},  # fits
    {"lead_id": "L4", "rep_id": "a", "created_date": "2026-02-01", "status": "qualified", "company_size": 20,
     "has_need": True, "decision_maker": True},  # too small
    {"lead_id": "L5", "rep_id": "a", "created_date": "2025-10-01", "status": "qualified", "company_size": 500,
     "has_need": True, "decision_maker": True},  # before the period
]


@pytest.fixture(scope="module")
def ds():
    return Dataset.from_frames(reps=REPS, opportunities=OPPS, quotas=QUOTAS, activities=ACTS, leads=LEADS)


@pytest.fixture(scope="module")
def t(ds):
    return metrics(ds, PERIOD, AS_OF)


def v(t, rep, name):
    return t.values.at[rep, name]


def test_catalogue_is_well_formed():
    assert len(CATALOGUE) >= 40
    for m in CATALOGUE.values():
        assert m.kind in KINDS and m.meaning and m.label and m.needs
        assert m.name == m.name.lower() and " " not in m.name


def test_reps_in_view(t):
    # d left before the period: history, not in the current view; e left mid-period: shown, not active
    assert list(t.values.index) == ["a", "b", "c", "e"]
    assert t.reps.loc["e", "active"] == False  # noqa: E712
    assert t.reps.loc["a", "active"] == True  # noqa: E712
    assert t.reps.loc["a", "name"] == "Ann"


def test_won_revenue_and_deals(t):
    assert v(t, "a", "won_revenue") == 400  # deals 1 (100) + 3 (300); 5 closed in 2025, 10 after as_of
    assert v(t, "a", "deals_won") == 2
    assert v(t, "b", "won_revenue") == 0  # has deals, won none: a real zero
    assert v(t, "e", "won_revenue") == 80


def test_a_rep_without_deals_is_nan_with_a_reason(t):
    for name in ("won_revenue", "win_rate", "open_pipeline", "opportunities_created", "past_close_date"):
        assert math.isnan(v(t, "c", name)), name
        assert t.reason(name, "c") == "no deals in the data for this rep"
    assert t.reason("won_revenue", "a") is None


def test_win_rate_and_deal_size(t):
    assert v(t, "a", "win_rate") == pytest.approx(2 / 3)  # won 1, 3; lost 2
    assert v(t, "a", "win_rate_value") == pytest.approx(400 / 450)  # (100+300) / (100+300+50)
    assert v(t, "b", "win_rate") == 0  # lost 7, won nothing
    assert v(t, "a", "avg_deal_size") == 200  # 400 / 2
    assert math.isnan(v(t, "b", "avg_deal_size"))
    assert t.reason("avg_deal_size", "b") == "no deals won in the period"


def test_sales_cycle_is_median_of_won_deals(t):
    # deal 1: Jan 5 -> Feb 1 = 27 days; deal 3: Feb 1 -> Apr 15 = 28 + 31 + 14 = 73 days; median 50
    assert v(t, "a", "sales_cycle_days") == 50


def test_quota_is_prorated_for_period_and_employment(t):
    assert v(t, "a", "quota") == pytest.approx(730 * 181 / 365)  # 362: half a year's quota
    assert v(t, "b", "quota") == pytest.approx(730 * 91 / 365)  # hired Apr 1: Apr 30 + May 31 + Jun 30 = 91 days
    assert v(t, "e", "quota") == pytest.approx(365 * 90 / 365)  # left Mar 31: 31 + 28 + 31 = 90 days
    assert v(t, "a", "attainment") == pytest.approx(400 / 362)
    assert v(t, "e", "attainment") == pytest.approx(80 / 90)
    assert v(t, "b", "attainment") == 0
    assert v(t, "a", "gap_to_quota") == pytest.approx(362 - 400)
    assert v(t, "b", "gap_to_quota") == pytest.approx(182)


def test_a_rep_without_quota_is_nan_with_a_reason(t):
    assert math.isnan(v(t, "c", "attainment"))
    assert t.reason("attainment", "c").startswith("no quota for")


def test_quota_period_partly_inside_the_period(ds):
    t2 = metrics(ds, "2026-06", AS_OF)  # June: 30 of the year's 365 days
    assert t2.values.at["a", "quota"] == pytest.approx(730 * 30 / 365)
    assert "e" not in t2.values.index  # left in March


def test_pipeline_snapshot_at_as_of(t):
    # open at Jun 30: deals 4 (200), 9 (500) and 10 (120, won only on Jul 5)
    assert v(t, "a", "open_pipeline") == 820
    assert v(t, "a", "open_deals") == 3
    assert v(t, "a", "pipeline_in_period") == 200  # only deal 4 is expected to close by Jun 30
    assert v(t, "b", "pipeline_in_period") == 70
    assert v(t, "b", "pipeline_coverage") == pytest.approx(70 / 182)  # 70 / (182 - 0 won)
    assert math.isnan(v(t, "a", "pipeline_coverage"))  # 400 won > 362 quota
    assert t.reason("pipeline_coverage", "a").startswith("quota already met")


def test_target_met_tells_a_met_quota_from_missing_data(t):
    met = t.target_met("pipeline_coverage")
    # a: 400 won >= 362 quota -> met; b: 70 / 182, a value; c: no deals and no quota -> missing, not met
    assert met["a"] and not met["b"] and not met["c"]
    assert not t.target_met("win_rate").any()  # no metric but coverage has a "met" reason


def test_coverage_needed_and_velocity(t):
    assert v(t, "a", "coverage_needed") == pytest.approx(1.5)  # 1 / (2/3)
    assert math.isnan(v(t, "b", "coverage_needed"))  # win rate 0
    assert v(t, "a", "sales_velocity") == pytest.approx(8.0)  # 3 open x 2/3 x 200 / 50 days
    assert math.isnan(v(t, "b", "sales_velocity"))


def test_opportunities_created_uses_created_date(t):
    assert v(t, "a", "opportunities_created") == 6  # 1, 2, 3, 4, 9, 10 (5 was created in 2025)
    assert v(t, "b", "opportunities_created") == 2


def test_recurring_share_and_assisted(t):
    assert v(t, "a", "recurring_share") == pytest.approx(0.25)  # 100 recurring of 400 won
    assert v(t, "b", "assisted_deals") == 1  # named on deal 1
    assert v(t, "b", "assisted_revenue") == 100
    assert v(t, "a", "assisted_deals") == 0


def test_funnel_conversion_by_rung(t):
    # a's cohort (created in period): 1 won, 2 proposal (lost), 3 won, 4 commit (open), 9 qualified (open),
    # 10 commit at as_of (open). Open deals still at a stage are not counted at that stage's rung.
    assert v(t, "a", "conv_qualified_meeting") == 1.0  # 5 of 5 (9 undecided)
    assert v(t, "a", "conv_meeting_proposal") == 1.0  # 5 of 5
    assert v(t, "a", "conv_proposal_commit") == pytest.approx(0.8)  # 1, 3, 4, 10 of 1, 2, 3, 4, 10
    assert v(t, "a", "conv_commit_won") == 1.0  # 1 and 3 of 1 and 3 (4 and 10 undecided)
    assert v(t, "b", "conv_qualified_meeting") == 0.5  # 6 reached meeting, 7 lost at qualified
    assert math.isnan(v(t, "b", "conv_meeting_proposal"))  # 6 is still open at meeting


def test_funnel_counts_table(ds):
    f = funnel_counts(ds, PERIOD, AS_OF).set_index(["rep_id", "step"])
    assert list(f.index.get_level_values("step").unique()) == [
        "lead->qualified", "qualified->meeting", "meeting->proposal", "proposal->commit", "commit->won"]
    assert tuple(f.loc[("a", "proposal->commit"), ["reached", "advanced"]]) == (5, 4)
    assert tuple(f.loc[("a", "lead->qualified"), ["reached", "advanced"]]) == (3, 2)  # L1, L3, L4; L1, L4
    assert math.isnan(f.loc[("c", "commit->won"), "conversion"])


def test_funnel_skips_rungs_the_data_lacks():
    ds = Dataset.from_frames(
        reps=[{"rep_id": "a", "name": "A"}],
        opportunities=[opp("1", "a", "2026-01-05", "won", 1, "2026-02-01", "won"),
                       opp("2", "a", "2026-01-05", "lost", 1, "2026-02-01", "meeting"),
                       opp("3", "a", "2026-01-05", "lost", 1, "2026-02-01", "qualified")],
    )
    f = funnel_counts(ds, PERIOD, AS_OF)
    assert list(f["step"]) == ["qualified->meeting", "meeting->won"]
    assert list(f["advanced"]) == [2, 1] and list(f["reached"]) == [3, 2]
    t = metrics(ds, PERIOD, AS_OF)
    assert "proposal" in t.unavailable["conv_meeting_proposal"]


def test_stage_history_tells_how_far_lost_deals_got():
    ds = Dataset.from_frames(
        reps=[{"rep_id": "a", "name": "A"}],
        opportunities=[opp("1", "a", "2026-01-05", "lost", 1, "2026-02-01", None),
                       opp("2", "a", "2026-01-05", "lost", 1, "2026-02-01", None)],
        stage_history=[{"opportunity_id": "1", "stage": "qualified", "entered_date": "2026-01-05"},
                       {"opportunity_id": "1", "stage": "meeting", "entered_date": "2026-01-10"},
                       {"opportunity_id": "2", "stage": "qualified", "entered_date": "2026-01-05"}],
    )
    t = metrics(ds, PERIOD, AS_OF)
    assert t.values.at["a", "conv_qualified_meeting"] == 0.5  # 1 reached meeting, 2 did not


def test_no_stage_information_makes_funnel_unavailable():
    ds = Dataset.from_frames(reps=[{"rep_id": "a", "name": "A"}],
                             opportunities=[opp("1", "a", "2026-01-05", "won", 1, "2026-02-01", None)])
    t = metrics(ds, PERIOD, AS_OF)
    assert "furthest_stage" in t.unavailable["conv_qualified_meeting"]
    assert "conv_qualified_meeting" not in t.values.columns


def test_activity_counts(t):
    assert v(t, "a", "activities") == 3  # x1, x2, x3 (x4 is before the period)
    assert (v(t, "a", "act_call"), v(t, "a", "act_meeting"), v(t, "a", "act_email"), v(t, "a", "act_visit")) == (1, 1, 1, 0)
    for name in ("act_social", "act_mail", "act_task", "act_other"):  # no rep logs any: absent, not zero
        assert name not in t.values.columns and "absent, not zero" in t.unavailable[name]
    assert v(t, "b", "act_visit") == 1
    assert v(t, "a", "miles") == 40  # 10 + 30
    assert math.isnan(v(t, "c", "activities"))
    assert t.reason("activities", "c") == "no activities logged for this rep"


def test_efficiency(t):
    assert v(t, "a", "activities_per_opportunity") == 0.5  # 3 / 6
    assert v(t, "a", "revenue_per_activity") == pytest.approx(400 / 3)
    assert v(t, "a", "revenue_per_mile") == 10  # 400 / 40
    assert v(t, "b", "revenue_per_mile") == 0  # 0 won / 40 miles
    assert v(t, "a", "wasted_effort_share") == pytest.approx(1 / 3)  # x1 was on lost deal 2
    assert v(t, "b", "wasted_effort_share") == 1.0  # x5 was on disqualified lead L2


def test_leads_and_quality(t):
    assert v(t, "a", "leads") == 3  # L1, L3, L4
    assert v(t, "a", "conv_lead_qualified") == pytest.approx(2 / 3)  # L1, L4
    assert v(t, "a", "lead_quality_high_share") == pytest.approx(2 / 3)  # L1, L3 fit the profile
    assert v(t, "a", "conv_quality_high") == 0.5  # L1 of L1, L3
    assert v(t, "a", "conv_quality_low") == 1.0  # L4 of L4
    assert v(t, "b", "conv_lead_qualified") == 0
    assert math.isnan(v(t, "b", "conv_quality_high"))
    assert t.reason("conv_quality_high", "b") == "no high-quality leads in the period"
    assert math.isnan(v(t, "c", "leads"))


def test_hygiene(t):
    assert v(t, "a", "open_no_next_step") == 1  # deal 4
    assert v(t, "a", "past_close_date") == 1  # deal 4 expected Jun 15
    assert v(t, "b", "past_close_date") == 0  # deal 6 expected on as_of itself
    assert v(t, "a", "stale_deals") == 2  # 9 and 10 untouched since Jun 17; 4 touched Jun 20
    # b links activities to leads only (x5), never to a deal: whether deal 6 went quiet cannot be told
    assert math.isnan(v(t, "b", "stale_deals"))
    assert "none of this rep's activities is linked to a deal" in t.reason("stale_deals", "b")


def test_a_deal_younger_than_two_weeks_is_not_stale(ds):
    t = metrics(ds, PERIOD, "2026-06-10")  # deal 9 was created Jun 1: 9 days old
    # open on Jun 10: 4 (touched? x3 is Jun 20, later: no), 9 (too young), 10; x2 on Feb 10 is too old
    assert t.values.at["a", "stale_deals"] == 2  # 4 and 10


def test_missing_tables_are_unavailable_not_zero():
    ds = Dataset.from_frames(reps=REPS, opportunities=OPPS)
    t = metrics(ds, PERIOD, AS_OF)
    for name in ("attainment", "activities", "act_call", "miles", "leads", "conv_lead_qualified", "stale_deals"):
        assert name not in t.values.columns
        assert "No " in t.unavailable[name] and ".csv" in t.unavailable[name]
    assert t.values.at["a", "won_revenue"] == 400


def test_zero_length_period_is_nan_not_a_crash(ds):
    t = metrics(ds, Period(pd.Timestamp("2026-03-10"), pd.Timestamp("2026-03-09"), "empty"), AS_OF)
    assert t.values[["won_revenue", "win_rate", "activities", "leads", "attainment"]].isna().all().all()
    assert "no days" in t.reason("won_revenue", "a")


def test_period_after_as_of_is_nan(ds):
    t = metrics(ds, "2026-Q3", AS_OF)
    assert math.isnan(t.values.at["a", "won_revenue"])


def test_as_of_ignores_the_future(ds):
    t = metrics(ds, "2026", "2026-03-31")
    assert t.values.at["a", "won_revenue"] == 100  # deal 3 closed Apr 15
    assert t.values.at["a", "open_pipeline"] == 420  # deals 3 (300) and 10 (120) were open on Mar 31


def test_unknown_metric_reason_raises(t):
    with pytest.raises(ConfigError, match="unknown metric"):
        t.reason("revenue")


def test_team_summary(ds, t):
    s = team_summary(t)
    assert s.loc["North", "won_revenue"] == 400  # a 400 + b 0
    assert s.loc["North", "quota"] == pytest.approx(362 + 182)
    assert s.loc["South", "quota"] == pytest.approx(90)  # c has no quota, e 90
    assert s.loc["South", "attainment"] == pytest.approx(80 / 90)
    with_tq = Dataset.from_frames(reps=REPS, opportunities=OPPS, quotas=QUOTAS, team_quotas=[
        {"team": "North", "period_start": "2026-01-01", "period_end": "2026-12-31", "quota": 1000}])
    s2 = team_summary(metrics(with_tq, PERIOD, AS_OF), with_tq)
    assert s2.loc["North", "quota"] == pytest.approx(1000 * 181 / 365)
    assert s2.loc["South", "quota"] == pytest.approx(90)


def test_monthly_trend(ds):
    tr = trend(ds, AS_OF, "M", PERIOD)
    a = tr[tr["rep_id"] == "a"].set_index("period_start")
    assert len(a) == 6
    assert list(a["won_revenue"]) == [0, 100, 0, 300, 0, 0]
    assert list(a["activities"]) == [1, 1, 0, 0, 0, 1]
    assert a["opportunities_created"].sum() == 6
    assert a.loc[pd.Timestamp("2026-03-01"), "deals_lost"] == 1  # deal 2, Mar 1


def test_weekly_trend_starts_on_monday(ds):
    tr = trend(ds, AS_OF, "W", "2026-02")
    weeks = sorted(tr["period_start"].unique())
    assert weeks[0] == pd.Timestamp("2026-01-26")  # the Monday before Feb 1 (a Sunday)
    assert all(pd.Timestamp(w).weekday() == 0 for w in weeks)
    a = tr[tr["rep_id"] == "a"].set_index("period_start")
    assert a.loc[pd.Timestamp("2026-01-26"), "won_revenue"] == 100  # deal 1 closed Sunday Feb 1
    with pytest.raises(ConfigError):
        trend(ds, AS_OF, "D")


def test_row_order_does_not_change_metrics(ds, t):
    shuffled = Dataset.from_frames(
        reps=pd.DataFrame(REPS).sample(frac=1, random_state=1), opportunities=pd.DataFrame(OPPS).sample(frac=1, random_state=2),
        quotas=QUOTAS, activities=pd.DataFrame(ACTS).sample(frac=1, random_state=3), leads=LEADS)
    t2 = metrics(shuffled, PERIOD, AS_OF)
    pd.testing.assert_frame_equal(t2.values.loc[t.values.index], t.values)


def test_ids_stay_strings():
    ds = Dataset.from_frames(reps=[{"rep_id": "007", "name": "B"}],
                             opportunities=[opp("1", "007", "2026-01-05", "won", 5, "2026-02-01", "won")])
    t = metrics(ds, PERIOD, AS_OF)
    assert list(t.values.index) == ["007"] and t.values.at["007", "won_revenue"] == 5
    assert np.isfinite(t.values.at["007", "won_revenue"])


def test_a_rep_who_joins_after_as_of_is_in_the_period_but_not_yet_a_current_rep(ds):
    # Bob is hired 2026-04-01: at as_of 2026-03-15 he is not employed yet, at 2026-04-01 he is
    before = metrics(ds, PERIOD, "2026-03-15")
    assert before.reps.loc["b", "active"] == False  # noqa: E712
    assert before.reps.loc["a", "active"] == True  # noqa: E712
    assert metrics(ds, PERIOD, "2026-04-01").reps.loc["b", "active"] == True  # noqa: E712
