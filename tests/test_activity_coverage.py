"""An activity value the export does not hold for a rep is absent, not zero; a type too few reps log is not audited."""
from __future__ import annotations

import math

import pandas as pd

from salesnb.dataset import Dataset
from salesnb.diagnostics import diagnose
from salesnb.metrics import metrics

REPS = [f"r{i}" for i in range(8)]


def _team() -> Dataset:
    """Eight AEs: rep k wins k of 8 deals; everyone logs 5 calls a month, only r3 logs visits (with miles)."""
    reps = pd.DataFrame({"rep_id": REPS, "name": [f"Rep {i}" for i in range(8)], "role": "AE"})
    opps = [dict(opportunity_id=f"{r}-{i}", rep_id=r, created_date="2026-02-01", amount=1000.0,
                 status="won" if i < k else "lost", close_date="2026-04-01",
                 furthest_stage="won" if i < k else "proposal") for k, r in enumerate(REPS) for i in range(8)]
    acts = [dict(activity_id=f"{r}-c{m}-{j}", rep_id=r, date=f"2026-{m:02d}-{j + 1:02d}", type="call")
            for r in REPS for m in range(1, 6) for j in range(5)]
    acts += [dict(activity_id=f"r3-v{m}", rep_id="r3", date=f"2026-{m:02d}-10", type="visit", miles=30.0)
             for m in range(1, 6)]
    return Dataset.from_frames(reps=reps, opportunities=pd.DataFrame(opps), activities=pd.DataFrame(acts))


def test_a_rep_whose_activities_have_no_miles_has_no_miles_figure_not_zero():
    t = metrics(_team(), "2026", "2026-06-30")
    miles = t.values["miles"]
    assert miles["r3"] == 5 * 30.0
    assert all(math.isnan(miles[r]) for r in REPS if r != "r3")
    assert "has a miles value" in t.reason("miles", "r0")


def test_visits_and_miles_logged_for_one_rep_are_not_correlated():
    d = diagnose(_team(), period="2026", as_of="2026-06-30")
    v = d.vanity.set_index("metric")
    for metric in ("act_visit", "miles"):
        assert (v.loc[metric, "logged"], v.loc[metric, "reps"], bool(v.loc[metric, "covered"])) == (1, 8, False)
        assert v.loc[metric, "verdict"] == "unclear" and math.isnan(v.loc[metric, "rho"])
    assert bool(v.loc["act_call", "covered"]) and v.loc["act_call", "logged"] == 8
