"""Chart builders: checked on their Vega-Lite specs (marks, fields, types), not on pixels."""
from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from salesnb import charts, terms


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def _mark(layer: dict) -> str:
    m = layer["mark"]
    return m["type"] if isinstance(m, dict) else m


def test_one_theme_is_registered_and_enabled():
    assert alt.theme.active == charts.THEME
    spec = charts.spec(charts.trend([{"period": "2026-01", "series": "AE", "value": 1.0}]))
    assert spec["config"]["range"]["category"] == list(terms.PALETTE)


def test_builder_names_missing_columns():
    with pytest.raises(ValueError, match="value"):
        charts.trend(pd.DataFrame({"period": ["2026-01"], "series": ["You"]}))


def test_trend_uses_temporal_axis_for_dates():
    df = pd.DataFrame({"period": pd.to_datetime(["2026-01-01", "2026-02-01"]), "series": ["You", "You"],
                       "value": [1.0, 2.0]})
    spec = charts.spec(charts.trend(df))
    assert _mark(spec) == "line"
    assert spec["encoding"]["x"]["type"] == "temporal"
    spec2 = charts.spec(charts.trend(df.assign(period=["2026-01", "2026-02"])))
    assert spec2["encoding"]["x"]["type"] == "ordinal"


def test_trend_can_order_month_names_and_write_whole_amounts():
    rows = [{"period": m, "series": "Won so far", "value": v} for m, v in (("Feb 2026", 2e6), ("Jan 2026", 1e6))]
    spec = charts.spec(charts.trend(rows, order=["Jan 2026", "Feb 2026"], y_format=",.0f"))
    assert spec["encoding"]["x"]["sort"] == ["Jan 2026", "Feb 2026"]  # months, in time order, not "2026"
    assert spec["encoding"]["y"]["axis"]["format"] == ",.0f"  # 1,000,000, never "1M" next to "0.5M"
    coloured = charts.spec(charts.trend(rows, colors={"Won so far": "#111111"}))
    assert coloured["encoding"]["color"]["scale"] == {"domain": ["Won so far"], "range": ["#111111"]}


def test_outputs_vs_outcomes_is_one_scatter_panel_per_metric():
    df = pd.DataFrame({"panel": ["Calls: driver"] * 2 + ["Miles: vanity"] * 2, "value": [1, 2, 3, 4],
                       "outcome": [0.1, 0.2, 0.3, 0.1]})
    spec = charts.spec(charts.outputs_vs_outcomes(df))
    assert spec["facet"]["field"] == "panel"
    assert _mark(spec["spec"]) == "point"
    assert spec["resolve"]["scale"]["x"] == "independent"


def test_rep_funnel_vs_team_layers_band_median_and_rep():
    rows = [{"step": "closing", "rep": 0.1, "q1": 0.2, "median": 0.3, "q3": 0.4}]
    spec = charts.spec(charts.rep_funnel_vs_team(rows))
    assert [_mark(layer) for layer in spec["layer"]] == ["bar", "tick", "point"]
    assert spec["layer"][0]["encoding"]["y2"]["field"] == "q3"
    assert spec["layer"][2]["encoding"]["y"]["field"] == "rep"


def test_grouped_bars_offsets_groups():
    rows = [{"category": "call", "group": "You", "value": 0.5}, {"category": "call", "group": "Top", "value": 0.3}]
    spec = charts.spec(charts.grouped_bars(rows, "Mix", "Share"))
    assert spec["encoding"]["yOffset"]["field"] == "group"


def test_show_emits_svg_png_and_text(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    charts.show(charts.trend([{"period": "2026-01", "series": "You", "value": 1.0}], title="Won by month"))
    (bundle,) = shown
    assert bundle["image/svg+xml"].lstrip().startswith("<svg")
    assert "<rect" in bundle["image/svg+xml"] or "<path" in bundle["image/svg+xml"]
    assert bundle["image/png"]  # base64 text
    assert bundle["text/plain"] == "Chart: Won by month"


def _scale_of(spec: dict) -> dict:
    return spec["encoding"]["color"]["scale"]


def test_you_team_and_top_performers_have_one_colour_in_every_chart():
    you, top, team = terms.REP_COLOR, terms.TOP_COLOR, terms.TEAM_COLOR
    assert len({you, top, team}) == 3
    mix = charts.spec(charts.grouped_bars(
        [{"category": "call", "group": g, "value": 0.1} for g in ("Team median", "Top quartile", "You")], "Mix", "Share"))
    assert _scale_of(mix) == {"domain": ["You", "Top quartile", "Team median"], "range": [you, top, team]}
    line = charts.spec(charts.trend([{"period": "2026-01", "series": s, "value": 1.0} for s in ("Team median", "You")]))
    assert _scale_of(line) == {"domain": ["You", "Team median"], "range": [you, team]}
    funnel = charts.spec(charts.rep_funnel_vs_team([{"step": "closing", "rep": 0.1, "q1": 0.2, "median": 0.3, "q3": 0.4}]))
    band, median, rep = funnel["layer"]
    assert rep["mark"]["color"] == you and median["mark"]["color"] == team
    score = charts.spec(charts.rep_score_breakdown([{"metric": "Win rate", "points": 5.0, "weight": 15.0}]))
    assert score["layer"][1]["mark"]["color"] == you


def test_other_series_keep_the_palette():
    spec = charts.spec(charts.trend([{"period": "2026-01", "series": s, "value": 1.0} for s in ("AE", "SDR")]))
    assert "scale" not in spec["encoding"]["color"]


def test_rep_funnel_names_steps_in_words():
    spec = charts.spec(charts.rep_funnel_vs_team([{"step": "committing", "rep": 0.1, "q1": 0.2, "median": 0.3, "q3": 0.4}]))
    rows = spec["datasets"][spec["data"]["name"]]
    assert rows[0]["label"] == "Getting commitments"
    assert all(layer["encoding"]["x"]["field"] == "label" for layer in spec["layer"])


def test_rep_score_breakdown_scales_weights_to_points_out_of_100():
    # weights 3 and 1 (sum 4): the metrics give at most 75 and 25 points
    spec = charts.spec(charts.rep_score_breakdown([{"metric": "A", "points": 30.0, "weight": 3.0},
                                                   {"metric": "B", "points": 5.0, "weight": 1.0}]))
    rows = spec["datasets"][spec["data"]["name"]]
    assert [r["most"] for r in rows] == [75.0, 25.0]


def test_grouped_bars_can_name_categories_for_people():
    rows = [{"category": "call", "group": "You", "value": 0.5}, {"category": "odd", "group": "You", "value": 0.5}]
    spec = charts.spec(charts.grouped_bars(rows, "Mix", "Share", labels={"call": "Calls"}))
    assert [r["category"] for r in spec["datasets"][spec["data"]["name"]]] == ["Calls", "odd"]
    assert spec["encoding"]["y"]["sort"] == ["Calls", "odd"]


def test_the_report_breakdown_shows_plain_metric_labels():
    from salesnb.words.rep import metric_label

    assert metric_label("conv_lead_qualified") == "Leads that became opportunities"
    assert metric_label("conv_qualified_meeting") == "Qualified → meeting"  # arrows drawn as arrows
    spec = charts.spec(charts.rep_score_breakdown([{"metric": metric_label("conv_lead_qualified"), "points": 1.0,
                                                    "weight": 5.0}]))
    assert spec["datasets"][spec["data"]["name"]][0]["metric"] == "Leads that became opportunities"
