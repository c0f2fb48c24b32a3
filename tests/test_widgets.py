"""The weight panel's logic, driven by setting widget values as a user would (no browser, no kernel)."""
from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from salesnb.dataset import Dataset
from salesnb.metrics import metrics
from salesnb.scorecard import PRESETS, Scorer, load_weights
from salesnb.widgets import (ALL_ROLES, CUSTOM, PX_PER_POINT, WeightPanel, breakdown_html, leaderboard_html,
                             metric_colours)


def _deal(i, rep, status, amount):
    return {"opportunity_id": f"o{i}", "rep_id": rep, "created_date": "2026-01-10", "status": status,
            "amount": amount, "close_date": "2026-03-01", "next_step": "call"}


@pytest.fixture(scope="module")
def table():
    # AE reps, by hand:       won revenue    win rate
    #   a: 3 won x 100          300          3/3 = 1.00
    #   b: 1 won x 500, 3 lost  500          1/4 = 0.25
    #   c: 2 won x 100, 2 lost  200          2/4 = 0.50
    # SE reps: e wins 50 (1 of 1), f wins 80 and loses 1 (1 of 2)
    plan = [("a", "won", 100)] * 3 + [("b", "won", 500)] + [("b", "lost", 10)] * 3 + [("c", "won", 100)] * 2 \
        + [("c", "lost", 10)] * 2 + [("e", "won", 50), ("f", "won", 80), ("f", "lost", 10)]
    opps = [_deal(i, rep, status, amount) for i, (rep, status, amount) in enumerate(plan)]
    reps = [{"rep_id": r, "name": f"Rep {r.upper()}", "role": "AE" if r in "abc" else "SE"} for r in "abcef"]
    ds = Dataset.from_frames(reps=reps, opportunities=opps)
    return metrics(ds, "2026", "2026-06-30")


def _only(panel, metric):
    """Move sliders so that only `metric` carries weight (as a user would, one slider at a time)."""
    panel.sliders[metric].value = 10.0
    for m, s in panel.sliders.items():
        if m != metric:
            s.value = 0.0


def _order(panel, role):
    panel.role.value = role
    return panel.leaderboard()["rep_id"].tolist()


def test_sliders_cover_the_weighted_metrics_grouped_by_kind(table):
    panel = WeightPanel(table, draw_charts=False)
    assert {"won_revenue", "win_rate"} <= set(panel.sliders)
    assert all(m in table.values.columns for m in panel.sliders)
    assert panel.preset.value == "outcomes-first"


def test_moving_sliders_reranks_within_role(table):
    panel = WeightPanel(table, draw_charts=False)
    _only(panel, "won_revenue")
    assert _order(panel, "AE") == ["b", "a", "c"]  # 500 > 300 > 200
    # two SEs are too few to score against each other: listed by name, without a score or rank
    assert _order(panel, "SE") == ["e", "f"] and panel.leaderboard()["score"].isna().all()
    _only(panel, "win_rate")
    assert _order(panel, "AE") == ["a", "c", "b"]  # 1.00 > 0.50 > 0.25
    assert panel.preset.value == CUSTOM  # a moved slider leaves the preset


def test_all_roles_view_lists_everyone_and_html_shows_the_new_leader(table):
    panel = WeightPanel(table, draw_charts=False)
    _only(panel, "win_rate")
    panel.role.value = ALL_ROLES
    board = panel.leaderboard()
    assert len(board) == 5
    html = panel.leaderboard_html.value
    first_row = html.split('class="salesnb-lb-row"')[1]
    assert 'data-rep="a"' in first_row or 'data-rep="e"' in first_row  # both have a 100% win rate


def test_choosing_a_preset_sets_the_sliders(table):
    panel = WeightPanel(table, draw_charts=False)
    _only(panel, "win_rate")
    panel.preset.value = "balanced"
    expected = PRESETS["balanced"].weights
    for m, s in panel.sliders.items():
        assert s.value == pytest.approx(float(expected.get(m, 0.0)))
    assert panel.current_weights().weights == {m: float(v) for m, v in expected.items() if m in panel.sliders and v > 0}


def test_all_zero_weights_say_so_instead_of_failing(table):
    panel = WeightPanel(table, draw_charts=False)
    _only(panel, "win_rate")
    before = panel.card
    panel.sliders["win_rate"].value = 0.0
    assert "at least one weight" in panel.status.value
    assert panel.card is before  # the last valid scoring stays on screen
    panel.sliders["won_revenue"].value = 5.0
    assert panel.status.value == ""
    assert _order(panel, "AE") == ["b", "a", "c"]


def test_save_writes_the_weights_file_and_says_where(table, tmp_path):
    target = tmp_path / "team-weights.toml"
    panel = WeightPanel(table, draw_charts=False, weights_file=target)
    _only(panel, "win_rate")
    panel.save_button.click()
    assert target.exists()
    assert load_weights(target).weights == {"win_rate": 10.0}
    assert str(target.resolve()) in panel.status.value
    assert f"salesnb reports --weights {target.resolve()}" in panel.status.value


def test_without_a_weights_file_the_panel_saves_where_make_reports_reads(table):
    from pathlib import Path

    from salesnb.config import DEFAULT_WEIGHTS_FILE

    assert WeightPanel(table, draw_charts=False).weights_file == DEFAULT_WEIGHTS_FILE
    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    assert f"$(wildcard {DEFAULT_WEIGHTS_FILE.name})" in makefile


def test_leaderboard_html_escapes_names():
    import pandas as pd

    board = pd.DataFrame({"rank": [1], "rep_id": ["x"], "name": ["<script>alert(1)</script>"], "role": ["AE"],
                          "score": [50.0], "top_metric": ["Won revenue"]})
    out = leaderboard_html(board)
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out


class _Bars(HTMLParser):
    """Reads the breakdown HTML: rep ids in row order, each with its segments (metric, width px, title)."""

    def __init__(self, text):
        super().__init__()
        self.rows, self.legend = [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class", "")
        if cls == "salesnb-bd-row":
            self.rows.append((a["data-rep"], []))
        elif cls == "salesnb-bd-seg":
            width = float(re.search(r"width:([0-9.]+)px", a["style"]).group(1))
            colour = re.search(r"background:([^;]+)", a["style"]).group(1)
            self.rows[-1][1].append((a["data-metric"], width, a["title"], colour))
        elif self.legend is not None and "background:" in a.get("style", "") and not self.rows:
            self.legend.append(re.search(r"background:([^;]+)", a["style"]).group(1))


def _independent_points(table, weights):
    """Each rep's points per metric from the package's `Scorer`, without the panel."""
    card = Scorer(table).score(replace(PRESETS["outcomes-first"], weights=weights, name="check"))
    return card.breakdown


def test_breakdown_bars_are_each_reps_points_in_leaderboard_order(table):
    panel = WeightPanel(table, draw_charts=True)
    _only(panel, "won_revenue")
    panel.sliders["win_rate"].value = 30.0
    points = _independent_points(table, {"won_revenue": 10.0, "win_rate": 30.0})
    bars = _Bars(panel.breakdown_html.value)
    assert [rep for rep, _ in bars.rows] == panel.leaderboard()["rep_id"].tolist()
    assert len(bars.rows) == 5
    for rep, segments in bars.rows:
        drawn = {metric: width / PX_PER_POINT for metric, width, _t, _c in segments}
        expected = {m: points.at[rep, m] for m in ("won_revenue", "win_rate") if points.at[rep, m] > 0}
        assert drawn == pytest.approx(expected, abs=0.01), rep
        for metric, _w, title, _c in segments:
            label = "Won revenue" if metric == "won_revenue" else "Win rate"
            assert title == f"Rep {rep.upper()}: {label}, {points.at[rep, metric]:.1f} points"
    # rep a wins all 3 of 3 deals: the best win rate, so a win-rate segment of non-zero width
    assert any(m == "win_rate" and w > 0 for m, w, _t, _c in dict(bars.rows)["a"])


def test_breakdown_follows_the_role_filter_and_colours_come_from_the_theme(table):
    from salesnb.terms import PALETTE

    panel = WeightPanel(table, draw_charts=True)
    _only(panel, "won_revenue")
    panel.role.value = "AE"
    bars = _Bars(panel.breakdown_html.value)
    assert [rep for rep, _ in bars.rows] == ["b", "a", "c"]  # won revenue 500 > 300 > 200, SE reps left out
    assert bars.legend == list(PALETTE[:1])
    panel.sliders["win_rate"].value = 30.0
    bars = _Bars(panel.breakdown_html.value)
    assert [rep for rep, _ in bars.rows] == panel.leaderboard()["rep_id"].tolist()
    assert {rep for rep, _ in bars.rows} == {"a", "b", "c"}
    # two weighted metrics, catalogue order (won revenue first): the theme's first two colours
    assert bars.legend == list(PALETTE[:2])
    colour = {m: c for _rep, segs in bars.rows for m, _w, _t, c in segs}
    assert colour == {"won_revenue": PALETTE[0], "win_rate": PALETTE[1]}


def test_metric_colours_reuse_the_theme_and_stripe_past_its_length():
    from salesnb.terms import PALETTE

    names = [f"m{i}" for i in range(len(PALETTE) + 2)]
    fills = metric_colours(names)
    assert [fills[m] for m in names[:len(PALETTE)]] == list(PALETTE)
    # the ninth and tenth metrics: the first two theme colours again, striped so they differ from the first two
    for m, colour in zip(names[len(PALETTE):], PALETTE[:2]):
        assert fills[m].startswith("repeating-linear-gradient(") and colour in fills[m]
    assert len(set(fills.values())) == len(names)


def test_breakdown_html_widths_are_points_and_names_are_escaped():
    import pandas as pd

    board = pd.DataFrame({"rep_id": ["x", "y"], "name": ['<b>Eve & "Co"</b>', "Ann"], "score": [40.0, 12.5]})
    wide = pd.DataFrame({"won_revenue": [30.0, 12.5], "win_rate": [10.0, 0.0]}, index=["x", "y"])
    out = breakdown_html(board, wide, {"won_revenue": "#111111", "win_rate": "#222222"})
    assert "<b>Eve" not in out and "&lt;b&gt;Eve &amp; &quot;Co&quot;&lt;/b&gt;" in out
    bars = _Bars(out)
    assert [rep for rep, _ in bars.rows] == ["x", "y"]
    x, y = dict(bars.rows)["x"], dict(bars.rows)["y"]
    assert [(m, w) for m, w, _t, _c in x] == [("won_revenue", 30.0 * PX_PER_POINT), ("win_rate", 10.0 * PX_PER_POINT)]
    assert [(m, w) for m, w, _t, _c in y] == [("won_revenue", 12.5 * PX_PER_POINT)]  # zero points: no segment
    assert x[0][2] == '<b>Eve & "Co"</b>: Won revenue, 30.0 points'  # the parser unescapes the attribute


# ------------------------------------------------------------------ the period control

AS_OF = "2026-06-30"
# won revenue by hand, per quarter (each rep wins something in both quarters, so no NaN ties):
#   AE   Q1     Q2    year        SE   Q1   Q2   year
#   a   300    100    400         e    50   90   140
#   b   100    250    350         f    80   20   100
#   c   200    120    320         g    10   10    20
QUARTERLY_WINS = {"a": (300, 100), "b": (100, 250), "c": (200, 120), "e": (50, 90), "f": (80, 20), "g": (10, 10)}
ORDER = {  # AE order, SE order
    "2026-Q1": (["a", "c", "b"], ["f", "e", "g"]),
    "2026-Q2": (["b", "c", "a"], ["e", "f", "g"]),
    "2026": (["a", "b", "c"], ["e", "f", "g"]),
    "2026-02": (["a", "c", "b"], ["f", "e", "g"]),  # every Q1 win closed on 2026-02-15
}


@pytest.fixture(scope="module")
def two_quarters():
    opps = []
    for rep, (q1, q2) in QUARTERLY_WINS.items():
        for amount, created, closed in ((q1, "2026-01-10", "2026-02-15"), (q2, "2026-04-05", "2026-05-20")):
            opps.append({"opportunity_id": f"o{len(opps)}", "rep_id": rep, "created_date": created,
                         "status": "won", "amount": amount, "close_date": closed, "next_step": "call"})
    reps = [{"rep_id": r, "name": f"Rep {r.upper()}", "role": "AE" if r in "abc" else "SE"} for r in "abcefg"]
    ds = Dataset.from_frames(reps=reps, opportunities=opps)
    return ds, metrics(ds, "2026", AS_OF)


def _independent(ds, period, role):
    """The ranking the package gives for won revenue only, computed without the panel."""
    from salesnb.scorecard import Weights, score

    card = score(metrics(ds, period, AS_OF), Weights({"won_revenue": 10.0}, name="won only"))
    s = card.scores[card.scores["role"] == role].sort_values(["rank_in_role", "name"])
    return s["rep_id"].tolist()


def test_period_offers_the_year_its_started_quarters_and_ytd(two_quarters):
    ds, year = two_quarters
    panel = WeightPanel(year, draw_charts=False, dataset=ds)
    # as of 2026-06-30, Q3, Q4 and the months from July have not started
    assert list(panel.period.options) == ["2026", "2026-Q1", "2026-Q2", "2026-01", "2026-02", "2026-03", "2026-04",
                                          "2026-05", "2026-06", "YTD 2026-06-30"]
    assert panel.period.value == "2026" and not panel.period.disabled


def test_period_choices_follow_a_fiscal_year_starting_in_april():
    from salesnb.periods import resolve_period
    from salesnb.widgets import period_choices

    current = resolve_period("2026", "2026-05-20", 4)  # fiscal 2026 = 2026-04-01 .. 2027-03-31
    choices = period_choices(current, "2026-05-20", 4)
    assert list(choices) == ["FY2026", "FY2026 Q1", "2026-04", "2026-05", "YTD 2026-05-20"]
    assert [str(p.start.date()) for p in choices.values()] == ["2026-04-01", "2026-04-01", "2026-04-01",
                                                               "2026-05-01", "2026-04-01"]


def test_period_is_fixed_without_the_dataset(two_quarters):
    _ds, year = two_quarters
    panel = WeightPanel(year, draw_charts=False)
    assert list(panel.period.options) == ["2026"] and panel.period.disabled


@pytest.mark.parametrize("period", ["2026-Q1", "2026-Q2", "2026-02"])
def test_changing_the_period_reranks_on_that_periods_metrics(two_quarters, period):
    ds, year = two_quarters
    panel = WeightPanel(year, draw_charts=False, dataset=ds)
    _only(panel, "won_revenue")
    assert _order(panel, "AE") == ORDER["2026"][0]
    panel.period.value = period
    ae, se = ORDER[period]
    assert _order(panel, "AE") == ae == _independent(ds, period, "AE")
    assert _order(panel, "SE") == se == _independent(ds, period, "SE")
    assert panel.table.period.label == period
    assert 'data-rep="%s"' % se[0] in panel.leaderboard_html.value.split('class="salesnb-lb-row"')[1]


def test_role_filter_survives_a_period_change(two_quarters):
    ds, year = two_quarters
    panel = WeightPanel(year, draw_charts=False, dataset=ds)
    _only(panel, "won_revenue")
    panel.role.value = "SE"
    panel.period.value = "2026-Q1"
    assert panel.role.value == "SE"
    assert panel.leaderboard()["rep_id"].tolist() == ["f", "e", "g"]
    assert panel.leaderboard_html.value.count("salesnb-lb-row") == 3  # only the SE reps are shown
    panel.role.value = "AE"
    assert panel.leaderboard()["rep_id"].tolist() == ["a", "c", "b"]


def test_period_metrics_are_computed_once_and_sliders_never_recompute(two_quarters, monkeypatch):
    import salesnb.metrics

    ds, year = two_quarters
    calls = []
    real = salesnb.metrics.metrics

    def counting(*args, **kwargs):
        calls.append(args[1] if len(args) > 1 else kwargs.get("period"))
        return real(*args, **kwargs)

    monkeypatch.setattr(salesnb.metrics, "metrics", counting)
    panel = WeightPanel(year, draw_charts=True, dataset=ds)
    assert calls == []  # the table it was given is used as is
    for value in (10.0, 20.0, 0.0, 5.0):
        panel.sliders["won_revenue"].value = value
    panel.preset.value = "balanced"
    panel.role.value = "AE"
    assert calls == []
    panel.period.value = "2026-Q1"
    assert len(calls) == 1 and calls[0].label == "2026-Q1"
    drawn = panel.breakdown_html.value
    panel.sliders["win_rate"].value = 30.0
    assert len(calls) == 1 and panel.breakdown_html.value != drawn  # redrawn, not recomputed
    panel.period.value = "2026"
    panel.period.value = "2026-Q1"
    panel.period.value = "2026-Q2"
    panel.period.value = "2026-Q1"
    assert [p.label for p in calls] == ["2026-Q1", "2026-Q2"]  # each period once, then from the cache


def test_team_view_panel_switches_period_of_an_opened_team(two_table_dir):
    from salesnb import team_view as tv
    from salesnb.load import load
    from salesnb.scorecard import score

    snap = tv.open_team(two_table_dir, as_of="2026-11-15", period="2026")
    panel = tv.weight_panel(snap)
    panel.draw_charts = False
    assert "2026-Q3" in panel.period.options and not panel.period.disabled
    before = panel.leaderboard()["rep_id"].tolist()
    panel.period.value = "2026-Q3"
    expected = score(metrics(load(two_table_dir), "2026-Q3", "2026-11-15"), panel.current_weights()).scores
    expected = expected.sort_values(["role", "rank_in_role", "name"])["rep_id"].tolist()
    assert expected != before, "the quarter must rank differently from the year, or the test cannot see it"
    assert panel.leaderboard()["rep_id"].tolist() == expected
