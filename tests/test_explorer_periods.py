"""The explorer's period control, role filter, score bars and evidence chart, checked against figures worked
out by hand or against the package's scorer (where the point is that the views agree)."""
from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest

from salesnb.dataset import Dataset
from salesnb.explorer import explore, open_explorer
from salesnb.metrics import metrics

AS_OF = "2026-06-30"
# won revenue by hand, per quarter (each rep wins something in both quarters, so no ties):
#   AE   Q1     Q2    year        SE   Q1   Q2   year
#   a   300    100    400         e    50   90   140
#   b   100    250    350         f    80   20   100
#   c   200    120    320         g    10   10    20
QUARTERLY_WINS = {"a": (300, 100), "b": (100, 250), "c": (200, 120), "e": (50, 90), "f": (80, 20), "g": (10, 10)}
ORDER = {  # AE order, SE order, by won revenue
    "2026-Q1": (["a", "c", "b"], ["f", "e", "g"]),
    "2026-Q2": (["b", "c", "a"], ["e", "f", "g"]),
    "2026": (["a", "b", "c"], ["e", "f", "g"]),
    "2026-02": (["a", "c", "b"], ["f", "e", "g"]),  # every Q1 win closed on 2026-02-15
}


@pytest.fixture(scope="module")
def two_quarters() -> Dataset:
    opps = []
    for rep, (q1, q2) in QUARTERLY_WINS.items():
        for amount, created, closed in ((q1, "2026-01-10", "2026-02-15"), (q2, "2026-04-05", "2026-05-20")):
            opps.append({"opportunity_id": f"o{len(opps)}", "rep_id": rep, "created_date": created,
                         "status": "won", "amount": amount, "close_date": closed, "next_step": "call"})
    reps = [{"rep_id": r, "name": f"Rep {r.upper()}", "role": "AE" if r in "abc" else "SE"} for r in "abcefg"]
    return Dataset.from_frames(reps=reps, opportunities=opps)


def won_only(app) -> None:
    app.controls.sliders["won_revenue"].value = 10.0
    for m, s in app.controls.sliders.items():
        if m != "won_revenue":
            s.value = 0.0


def board(app) -> list[str]:
    app.draw("leaderboard")
    rows = app.grid.rows[:app.grid.limit] if app.grid.limit else app.grid.rows
    return [r["id"] for r in rows]


def test_period_offers_the_year_its_started_quarters_and_months_and_ytd(two_quarters, tmp_path):
    app = explore(two_quarters, period="2026", as_of=AS_OF, save_dir=tmp_path)
    # as of 2026-06-30, Q3, Q4 and the months from July have not started
    assert list(app.controls.period.options) == ["2026", "2026-Q1", "2026-Q2", "2026-01", "2026-02", "2026-03",
                                                 "2026-04", "2026-05", "2026-06", "YTD 2026-06-30"]


def test_period_choices_follow_a_fiscal_year_starting_in_april():
    from salesnb.periods import resolve_period
    from salesnb.explorer.state import period_choices

    current = resolve_period("2026", "2026-05-20", 4)  # fiscal 2026 = 2026-04-01 .. 2027-03-31
    choices = period_choices(current, "2026-05-20", 4)
    assert list(choices) == ["FY2026", "FY2026 Q1", "2026-04", "2026-05", "YTD 2026-05-20"]
    assert [str(p.start.date()) for p in choices.values()] == ["2026-04-01", "2026-04-01", "2026-04-01",
                                                               "2026-05-01", "2026-04-01"]


def _independent(ds, period, role):
    """The ranking the package gives for won revenue only, computed without the explorer."""
    from salesnb.scorecard import Weights, score

    card = score(metrics(ds, period, AS_OF), Weights({"won_revenue": 10.0}, name="won only"))
    s = card.scores[card.scores["role"] == role].sort_values(["rank_in_role", "name"])
    return s["rep_id"].tolist()


@pytest.mark.parametrize("period", ["2026-Q1", "2026-Q2", "2026-02"])
def test_changing_the_period_reranks_on_that_periods_metrics(two_quarters, tmp_path, period):
    app = explore(two_quarters, period="2026", as_of=AS_OF, save_dir=tmp_path)
    won_only(app)
    assert board(app) == ORDER["2026"][0] + ORDER["2026"][1]
    app.controls.period.value = period
    ae, se = ORDER[period]
    assert board(app) == ae + se
    assert ae == _independent(two_quarters, period, "AE") and se == _independent(two_quarters, period, "SE")


def test_the_role_filter_narrows_the_board_and_survives_a_period_change(two_quarters, tmp_path):
    app = explore(two_quarters, period="2026", as_of=AS_OF, save_dir=tmp_path)
    won_only(app)
    assert [label for label, _k in app.controls.role.options] == ["All roles", "AE", "SE"]
    app.controls.role.value = "SE"
    app.controls.period.value = "2026-Q1"
    assert app.controls.role.value == "SE" and board(app) == ["f", "e", "g"]
    app.controls.role.value = "AE"
    assert board(app) == ["a", "c", "b"]


def test_a_two_table_dataset_switches_period_and_says_what_is_missing(two_table_dir, tmp_path):
    from salesnb.load import load
    from salesnb.scorecard import score

    app = open_explorer(two_table_dir, as_of="2026-11-15", period="2026", save_dir=tmp_path)
    before = board(app)
    app.controls.period.value = "2026-Q3"
    expected = score(metrics(load(two_table_dir), "2026-Q3", "2026-11-15"), app.view.weights).scores
    expected = expected.sort_values(["role", "rank_in_role", "name"])["rep_id"].tolist()
    assert expected != before, "the quarter must rank differently from the year, or the test cannot see it"
    assert board(app)[:15] == expected[:15]  # the board lists the first 15 until "Show all"
    app.controls.show_all.value = True
    assert board(app) == expected
    app.draw_all()
    for section, table in (("summary", "quotas"), ("audit", "activities"), ("lead_quality", "leads")):
        assert f"No {table} table" in app.sections[section].widget.value, section


def test_each_score_bar_is_the_reps_points_per_metric(two_quarters, tmp_path):
    from salesnb.explorer.sections import PX_PER_POINT
    from salesnb.scorecard import PRESETS, Scorer

    app = explore(two_quarters, period="2026", as_of=AS_OF, save_dir=tmp_path)
    won_only(app)
    assert "win_rate" not in app.controls.sliders  # won deals only: no win rate to weigh
    app.controls.sliders["avg_deal_size"].value = 30.0
    weights = replace(PRESETS["outcomes-first"], weights={"won_revenue": 10.0, "avg_deal_size": 30.0}, name="check")
    points = Scorer(metrics(two_quarters, "2026", AS_OF)).score(weights).breakdown
    app.draw("leaderboard")
    keys = [x["key"] for x in app.grid.legend]
    for row in app.grid.rows:
        rep = row["id"]
        drawn = {m: v for m, v in zip(keys, row["points"]) if v > 0}
        expected = {m: points.at[rep, m] for m in ("won_revenue", "avg_deal_size") if points.at[rep, m] > 0}
        assert drawn == pytest.approx(expected, abs=0.01), rep
    assert app.grid.px_per_point == PX_PER_POINT


def test_names_from_data_are_escaped(tmp_path):
    opps = [{"opportunity_id": f"o{i}", "rep_id": r, "created_date": "2026-01-10", "status": "won",
             "amount": 100.0 * (i + 1), "close_date": "2026-02-15"} for i, r in enumerate("xyz")]
    reps = [{"rep_id": "x", "name": "<script>alert(1)</script>", "role": "AE"},
            {"rep_id": "y", "name": "Ann", "role": "AE"}, {"rep_id": "z", "name": "Bo", "role": "AE"}]
    app = explore(Dataset.from_frames(reps=reps, opportunities=opps), period="2026", as_of=AS_OF, save_dir=tmp_path)
    app.draw_all()
    for name, section in app.sections.items():
        if name != "leaderboard":
            assert "<script>" not in section.widget.value, name
    # the rank table shows names as text (the page sets textContent, never HTML): the name exactly as given
    assert [r["cells"]["name"][0] for r in app.grid.rows if r["id"] == "x"] == ["<script>alert(1)</script>"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in "".join(
        s.widget.value for n, s in app.sections.items() if n != "leaderboard")


# ------------------------------------------------------------------ the audit's chart plots what it tested

# calls in 2026; e joined on 2 July (183 days in the year), f left on 31 March (not a current rep)
CALLS = {"a": 73, "b": 146, "c": 219, "d": 292, "e": 183, "f": 500}
AUDITED = ["a", "b", "c", "d", "e"]  # f left before the year ended


def calls_team() -> Dataset:
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


def test_the_audit_chart_plots_each_activity_per_active_week(tmp_path, monkeypatch):
    from salesnb import charts

    app = explore(calls_team(), period="2026", as_of="2026-12-31", save_dir=tmp_path)
    drawn = []
    real = charts.outputs_vs_outcomes
    monkeypatch.setattr(charts, "outputs_vs_outcomes", lambda df, **k: drawn.append(df) or real(df, **k))
    app.draw("audit_chart")
    calls = drawn[0][drawn[0]["panel"].str.startswith("calls")]
    # the team logged nothing after its last call (e's, 2026-07-02 + 79 days): the rates are per week of the
    # days the activities cover, each rep's from the later of 1 January and the hire date; f left: not audited
    last = pd.Timestamp("2026-07-02") + pd.Timedelta(days=79)
    first = {r: pd.Timestamp("2026-07-02" if r == "e" else "2026-01-01") for r in AUDITED}
    expected = sorted(CALLS[r] * 7 / ((last - first[r]).days + 1) for r in AUDITED)
    assert sorted(calls["value"]) == pytest.approx(expected)
    assert "<svg" in app.sections["audit_chart"].widget.value
