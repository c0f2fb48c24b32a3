"""The early warning projects the open deals by how the team's deals were won or lost: an export without open
deals, or without lost ones, gets no warning while the period runs (the reason and the fix instead of a flag on
every rep), and still gets its verdicts once the period is over. Tiny hand-built teams."""
from __future__ import annotations

import pytest

from salesnb import Dataset
from salesnb.diagnostics import diagnose
from salesnb.terminal import summary_text

REPS = [{"rep_id": r, "name": n, "role": "AE"} for r, n in (("a", "Ann"), ("b", "Bob"), ("c", "Cy"))]
QUOTAS = [{"rep_id": r, "period_start": "2026-01-01", "period_end": "2026-12-31", "quota": 1000} for r in "abc"]


def deal(oid, rep, status, close):
    return {"opportunity_id": oid, "rep_id": rep, "created_date": "2026-01-10", "status": status, "amount": 100,
            "close_date": close, "furthest_stage": "won" if status == "won" else "qualified"}


# each rep wins one deal a month, January to October: 1,000 by the end of October, on a 1,000 quota
WON = [deal(f"{r}{m}", r, "won", f"2026-{m:02d}-15") for r in "abc" for m in range(1, 11)]


@pytest.mark.parametrize("extra, reason", [
    ([], "the data holds no open deal"),
    ([deal("o1", "a", "open", "2026-12-20")], "the data holds no lost deal"),
])
def test_no_warning_while_the_period_runs_without_open_or_lost_deals(extra, reason):
    ds = Dataset.from_frames(reps=REPS, opportunities=WON + extra, quotas=QUOTAS)
    d = diagnose(ds, period="2026", as_of="2026-11-15")
    assert d.unavailable["early_warning"].startswith(reason)
    assert d.reps["at_risk"].isna().all()  # neither at risk nor safe: nothing was projected
    assert f"no projection: {reason}" in summary_text(d)


def test_with_open_and_lost_deals_the_warning_runs():
    more = [deal("o1", "a", "open", "2026-12-20"), deal("l1", "b", "lost", "2026-03-01")]
    d = diagnose(Dataset.from_frames(reps=REPS, opportunities=WON + more, quotas=QUOTAS), period="2026",
                 as_of="2026-11-15")
    assert "early_warning" not in d.unavailable
    assert d.reps["at_risk"].notna().all()


def test_a_finished_period_still_gets_its_verdicts_from_won_deals_only():
    d = diagnose(Dataset.from_frames(reps=REPS, opportunities=WON, quotas=QUOTAS), period="2026-Q1",
                 as_of="2026-11-15")
    # Q1's quota: 1,000 x 90/365 = 246.6; each rep won 300 in it (January to March)
    assert set(d.early_warning["verdict"]) == {"made"}


def test_behind_the_season_needs_a_shortfall_of_at_least_one_usual_deal():
    import pandas as pd

    from salesnb.diagnostics.early_warning import warn

    # all three won nothing yet; the season expects 1,708 by now. a's usual deal is 10,000 (two days into the
    # year that is when a deal lands, not a pace); b's is 1,000 and c's 1,708: both are a deal or more behind
    proj = pd.DataFrame({"quota": 100_000.0, "won": 0.0, "projection": 60_000.0, "low": 40_000.0, "high": 90_000.0,
                         "chance": 0.2, "pipeline_expected": 5_000.0, "closing": 1.0, "created_pace": 10.0,
                         "due_by_now": 1_708.0, "per_deal": [10_000.0, 1_000.0, 1_708.0]}, index=["a", "b", "c"])
    assert warn(proj)["behind"].to_dict() == {"a": False, "b": True, "c": True}


def test_a_new_hire_is_due_only_what_deals_created_since_joining_can_have_closed():
    import numpy as np

    from salesnb.diagnostics.projection import RAMP_DAYS, RAMP_START, _due_since_hire

    class Even:  # every day of the year sells alike
        def weights(self, days):
            return np.full(len(days), 1 / 365)

    class Thirty:  # every deal closes exactly 30 days after it is created
        cycle_cdf = np.r_[np.zeros(30), np.ones(400)]
        typical_cycle = 30

    # joined on day 100 of a period of days 0..364; seen on day 130: only the deals of day 100 have closed
    hire = first = np.array([100])
    pace = [RAMP_START + (1 - RAMP_START) * min(d, RAMP_DAYS) / RAMP_DAYS for d in range(334 - 100 + 1)]
    by_now, by_end = pace[0], sum(pace)  # created on day 100 / on days 100..334 (closing by day 364)
    share = _due_since_hire(Thirty(), Even(), hire, first, 0, 130, 364)
    assert share[0] == pytest.approx(by_now / by_end)
    assert share[0] < 0.01  # about half a day's deals of some 200 days' worth
    assert _due_since_hire(Thirty(), Even(), hire, first, 0, 129, 364)[0] == 0.0  # nothing can have closed yet
