"""The weight panel's logic, driven by setting widget values as a user would (no browser, no kernel)."""
from __future__ import annotations

import pytest

from salesnb.dataset import Dataset
from salesnb.metrics import metrics
from salesnb.scorecard import PRESETS, load_weights
from salesnb.widgets import ALL_ROLES, CUSTOM, WeightPanel, leaderboard_html


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
    assert _order(panel, "SE") == ["f", "e"]  # 80 > 50
    _only(panel, "win_rate")
    assert _order(panel, "AE") == ["a", "c", "b"]  # 1.00 > 0.50 > 0.25
    assert _order(panel, "SE") == ["e", "f"]  # 1/1 > 1/2
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


def test_leaderboard_html_escapes_names():
    import pandas as pd

    board = pd.DataFrame({"rank": [1], "rep_id": ["x"], "name": ["<script>alert(1)</script>"], "role": ["AE"],
                          "score": [50.0], "top_metric": ["Won revenue"]})
    out = leaderboard_html(board)
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out


def test_breakdown_image_redraws_when_weights_move(table):
    panel = WeightPanel(table, draw_charts=True)
    first = panel.breakdown_image.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    _only(panel, "win_rate")
    assert panel.breakdown_image.value[:8] == b"\x89PNG\r\n\x1a\n" and panel.breakdown_image.value != first
