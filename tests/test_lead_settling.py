"""Young leads are not yet failures: rates over leads count the leads old enough for their status to tell."""
import math

import pandas as pd
import pytest

from salesnb.dataset import Dataset
from salesnb.diagnostics import lead_quality
from salesnb.metrics import funnel_counts, metrics
from salesnb.metrics.context import SETTLE_MIN_LAGS, lead_settle_days, settled_leads_at

AS_OF = "2026-06-30"
PERIOD = "2026-01-01..2026-06-30"


def _team(lags, young_open=0, young_qualified=0):
    """Rep a: one qualified lead per lag (created Mar 1, its opportunity `lag` days later), as many disqualified
    leads of Mar 1, and young leads created Jun 28 (open or already qualified without a deal yet)."""
    leads, opps = [], []
    for i, lag in enumerate(lags):
        made = pd.Timestamp("2026-03-01") + pd.Timedelta(days=lag)
        opps.append({"opportunity_id": f"O{i}", "rep_id": "a", "created_date": made, "status": "open",
                     "amount": 100.0})
        leads.append({"lead_id": f"Q{i}", "rep_id": "a", "created_date": "2026-03-01", "status": "qualified",
                      "opportunity_id": f"O{i}"})
        leads.append({"lead_id": f"D{i}", "rep_id": "a", "created_date": "2026-03-01", "status": "disqualified"})
    for i in range(young_open):
        leads.append({"lead_id": f"Y{i}", "rep_id": "a", "created_date": "2026-06-28", "status": "open"})
    for i in range(young_qualified):
        leads.append({"lead_id": f"Z{i}", "rep_id": "a", "created_date": "2026-06-28", "status": "qualified"})
    return Dataset.from_frames(reps=[{"rep_id": "a", "name": "A"}], opportunities=opps, leads=leads)


def test_the_settling_time_is_the_time_nine_in_ten_leads_took_to_become_an_opportunity():
    ds = _team(range(1, 21))  # lags 1..20 days
    # the 0.9 quantile of 1..20 (linear): position 0.9 x 19 = 17.1 -> 18 + 0.1 = 18.1, a whole number of days: 19
    assert lead_settle_days(ds) == 19
    # seen on Mar 15, only the 14 opportunities made by then are known: too few to read the time from
    assert lead_settle_days(ds, "2026-03-15") == 0


def test_too_few_leads_with_an_opportunity_give_no_cut():
    ds = _team(range(1, SETTLE_MIN_LAGS))  # one fewer than needed
    assert lead_settle_days(ds) == 0
    s = settled_leads_at(ds, pd.Timestamp(AS_OF), pd.Timestamp(AS_OF))
    assert not s.cut and s.note() is None


def test_young_leads_do_not_count_against_the_rate_of_leads_qualified():
    # 20 qualified + 20 disqualified leads of March, 10 open leads two days old: 20 of 40 settled qualified
    ds = _team(range(1, 21), young_open=10)
    t = metrics(ds, PERIOD, AS_OF)
    assert t.values.at["a", "leads"] == 50  # the pace counts every lead
    assert t.values.at["a", "conv_lead_qualified"] == pytest.approx(0.5)  # not 20 / 50
    f = funnel_counts(ds, PERIOD, AS_OF).set_index("step")
    assert (f.at["lead->qualified", "reached"], f.at["lead->qualified", "advanced"]) == (40, 20)


def test_young_leads_are_left_out_whatever_their_status():
    # keeping the young leads that qualified quickly, and only those, would lift the rate: 25 / 45
    ds = _team(range(1, 21), young_open=5, young_qualified=5)
    assert metrics(ds, PERIOD, AS_OF).values.at["a", "conv_lead_qualified"] == pytest.approx(0.5)


def test_a_period_whose_leads_are_all_young_says_so():
    ds = _team(range(1, 21), young_open=3)
    t = metrics(ds, "2026-06-20..2026-06-30", AS_OF)
    assert t.values.at["a", "leads"] == 3
    assert math.isnan(t.values.at["a", "conv_lead_qualified"])
    assert "younger than 19 days" in t.reason("conv_lead_qualified", "a")


def test_the_cut_is_said_with_its_date_and_time():
    ds = _team(range(1, 21))
    s = settled_leads_at(ds, pd.Timestamp(AS_OF), pd.Timestamp(AS_OF))
    assert s.cut and s.days == 19
    assert s.last == pd.Timestamp("2026-06-11") and s.since == pd.Timestamp("2026-06-12")  # Jun 30 - 19 days
    assert "from 12 Jun 2026" in s.note() and "within 19 days" in s.note()
    # a period that ended long before as_of loses nothing
    assert not settled_leads_at(ds, pd.Timestamp("2026-03-31"), pd.Timestamp(AS_OF)).cut


def test_lead_quality_reads_conversions_on_settled_leads_and_shares_on_all():
    leads = pd.DataFrame({"lead_id": ["1", "2", "3", "4"], "rep_id": "a", "status": ["qualified", "disqualified",
                          "open", "open"], "created_date": pd.to_datetime(["2026-03-01"] * 2 + ["2026-06-28"] * 2),
                          "company_size": [500, 500, 500, 5], "opportunity_id": [None] * 4})
    opps = pd.DataFrame({"opportunity_id": pd.Series([], dtype="str"), "status": pd.Series([], dtype="str"),
                         "amount": pd.Series([], dtype=float), "revenue_type": pd.Series([], dtype="str")})
    icp = Dataset.from_frames(reps=[{"rep_id": "a", "name": "A"}], opportunities=[]).meta.icp
    _, per = lead_quality.assess(leads, opps, None, icp, pd.DataFrame({"rep_id": ["a"]}),
                                 settled_end=pd.Timestamp("2026-06-11"))
    row = per.set_index("rep_id").loc["a"]
    assert row["leads"] == 4 and row["low_share"] == pytest.approx(1 / 4)  # lead 4 is small
    assert row["conversion"] == pytest.approx(1 / 2)  # 1 and 2 only
    assert row["high_leads"] == 2  # 1, 2 of the fitting 1, 2, 3: lead 3's outcome is not known yet
