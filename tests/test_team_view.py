"""Team explorer views built from a hand-made team, checked against figures worked out by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from salesnb import charts, team_view
from salesnb.dataset import Dataset
from salesnb.analysis import analyse

# calls in 2026; e joined on 2 July (183 days in the year), f left on 31 March (not a current rep)
CALLS = {"a": 73, "b": 146, "c": 219, "d": 292, "e": 183, "f": 500}
ACTIVE_DAYS = {"a": 365, "b": 365, "c": 365, "d": 365, "e": 183}


def hand_team() -> Dataset:
    ids = list(CALLS)
    reps = pd.DataFrame({"rep_id": ids, "name": [f"Rep {i.upper()}" for i in ids], "role": "AE",
                         "hire_date": ["2020-01-01"] * 4 + ["2026-07-02", "2020-01-01"],
                         "end_date": [None] * 5 + ["2026-03-31"]})
    acts, opps = [], []
    for rep, n in CALLS.items():
        first = pd.Timestamp("2026-07-02" if rep == "e" else "2026-01-01")
        acts += [dict(activity_id=f"{rep}-{i}", rep_id=rep, date=(first + pd.Timedelta(days=i % 80)).date().isoformat(),
                      type="call") for i in range(n)]
        for i in range(6):
            opps.append(dict(opportunity_id=f"{rep}-o{i}", rep_id=rep, created_date="2026-02-01" if rep != "e" else "2026-07-10",
                             status="won" if i < 3 else "lost", amount=1000.0 * (1 + ids.index(rep)),
                             close_date="2026-03-15" if rep != "e" else "2026-08-15"))
    return Dataset.from_frames(reps=reps, activities=pd.DataFrame(acts), opportunities=pd.DataFrame(opps))


def test_vanity_chart_plots_what_the_audit_tested_per_active_week(monkeypatch):
    team = analyse(hand_team(), period="2026", as_of="2026-12-31")
    drawn = []
    monkeypatch.setattr(charts, "show", drawn.append)
    team_view.vanity_chart(team)
    data = drawn[0].data
    calls = data[data["panel"].str.startswith("calls")]
    expected = sorted(CALLS[r] * 7 / ACTIVE_DAYS[r] for r in ACTIVE_DAYS)  # f left: not in the audit
    assert sorted(calls["value"]) == pytest.approx(expected)
    assert set(data["role"]) == {"AE"}


def test_lead_bands_read_as_figures_a_manager_knows():
    team = team_view.open_team()
    bands = team.diagnosis.lead_bands.set_index("band")
    text = team_view.lead_quality(team).plain
    high = bands.loc["high"]
    row = next(line for line in text.splitlines() if line.startswith("high fit"))
    assert f"{int(high['leads']):,}" in row and f"{high['conversion'] * 100:.0f}%" in row
    assert f"{high['avg_deal_size']:,.0f} {team.currency}" in row
    assert "win_rate" not in text and "0." not in row  # no column codes, no raw ratios
