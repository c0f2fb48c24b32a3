"""A team target summed from the reps' quotas covers only the reps who have one: attainment is measured on
their wins, and the wins of reps without a quota are said apart, never counted against a target set without
them. A rep without a quota is neither at risk nor safe. Tiny hand-built team, expectations by hand.

Year 2026, as of 2026-12-31 (the period is over). All in team East:
  a: quota 100, won 60          b: quota 100, won 150
  c: no quota, won 500           d: no quota, won nothing
The target is 200 (a + b), what it covers won 60 + 150 = 210 (105%); c's 500 are left out; d won nothing
and so leaves nothing out.
"""
from __future__ import annotations

import pytest

from salesnb import Dataset
from salesnb.diagnostics import diagnose
from salesnb.metrics import metrics, team_summary
from salesnb.terminal import summary_text
from salesnb.words.manager import gap_to_target

REPS = [{"rep_id": r, "name": n, "team": "East", "role": "AE"}
        for r, n in (("a", "Ann"), ("b", "Bob"), ("c", "Cy"), ("d", "Dee"))]


def won(oid, rep, amount):
    return {"opportunity_id": oid, "rep_id": rep, "created_date": "2026-02-01", "status": "won", "amount": amount,
            "close_date": "2026-03-01", "furthest_stage": "won"}


OPPS = [won("1", "a", 60), won("2", "b", 150), won("3", "c", 500),
        {"opportunity_id": "4", "rep_id": "d", "created_date": "2026-02-01", "status": "lost", "amount": 10,
         "close_date": "2026-03-01", "furthest_stage": "qualified"}]
QUOTAS = [{"rep_id": r, "period_start": "2026-01-01", "period_end": "2026-12-31", "quota": 100} for r in "ab"]


@pytest.fixture(scope="module")
def ds():
    return Dataset.from_frames(reps=REPS, opportunities=OPPS, quotas=QUOTAS)


def test_the_team_summary_measures_the_target_on_the_reps_it_covers(ds):
    s = team_summary(metrics(ds, "2026", "2026-12-31"), ds)
    east = s.loc["East"]
    assert east["won_revenue"] == 710
    assert east["quota"] == 200
    assert east["quota_won"] == 210
    assert east["reps_without_quota"] == 1  # c; d won nothing
    assert east["attainment"] == pytest.approx(210 / 200)


def test_a_team_target_covers_every_member(ds):
    with_target = Dataset.from_frames(reps=REPS, opportunities=OPPS, quotas=QUOTAS, team_quotas=[
        {"team": "East", "period_start": "2026-01-01", "period_end": "2026-12-31", "quota": 1000}])
    east = team_summary(metrics(with_target, "2026", "2026-12-31"), with_target).loc["East"]
    assert east["quota_won"] == 710
    assert east["reps_without_quota"] == 0
    assert east["attainment"] == pytest.approx(0.71)


def test_the_diagnosis_says_the_uncovered_wins_apart_and_no_risk_without_a_quota(ds):
    d = diagnose(ds, period="2026", as_of="2026-12-31")
    t = d.team
    assert (t["won"], t["target"], t["quota_won"]) == (710, 200, 210)
    assert t["attainment"] == pytest.approx(1.05)
    assert (t["reps_without_quota"], t["won_without_quota"]) == (1, 500)
    risk = d.reps.set_index("rep_id")["at_risk"]
    assert risk.loc[["c", "d"]].isna().all()
    text = summary_text(d)
    assert "the reps with a quota won 210 USD of their 200 USD (105%)" in text
    assert "1 rep(s) without a quota in this period won 500 USD, not counted against the target" in text
    assert "(355%)" not in text  # 710 / 200: the whole team's wins against a target set for two of its reps


def test_the_gap_to_target_counts_the_covered_reps_and_names_the_others():
    totals = {"target": 200.0, "won": 710.0, "quota_won": 210.0, "quota_projection": 230.0, "projection": 760.0,
              "reps_without_quota": 1, "won_without_quota": 500.0}
    said = gap_to_target(totals, "the whole team", "USD")
    assert said.startswith("The whole team (counting its reps with a quota) has won 210 USD of its 200 USD "
                           "target (105%): reached; the projection at period end is 230 USD (115% of target)")
    assert said.endswith("(1 rep without a quota won 500 USD, not counted: give them a quota in quotas.csv).")
    over = gap_to_target({**totals, "quota_won": 150.0}, "East", "USD", finished=True)
    assert over.startswith("East (counting its reps with a quota) won 150 USD of its 200 USD target (75%): "
                           "50 USD short")
