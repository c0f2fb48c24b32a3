"""Chart builders: every figure the notebooks and reports draw, built with altair under one theme.

Each builder takes a small tidy DataFrame (columns documented on the function) and returns an
``alt.Chart``; nothing here computes metrics. `show` displays a chart so that it draws everywhere:
an SVG (and a PNG fallback for untrusted notebooks) rendered offline by vl-convert, no CDN script.
"""
from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from .terms import (CONVERSION_STEPS, PALETTE, REP_COLOR, SERIES_COLORS, TEAM_BAND_COLOR, TEAM_COLOR,
                    step_label)

THEME = "salesnb"
FUNNEL_STEPS = CONVERSION_STEPS
WIDTH = 460


@alt.theme.register(THEME, enable=True)
def _theme() -> alt.theme.ThemeConfig:
    """The one look of salesnb charts: quiet axes, readable fonts, one categorical palette."""
    return {
        "config": {
            "view": {"continuousWidth": WIDTH, "continuousHeight": 260, "stroke": None},
            "font": "Helvetica, Arial, sans-serif",
            "title": {"fontSize": 14, "anchor": "start", "fontWeight": "bold"},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "gridColor": "#e2e8f0", "domainColor": "#a0aec0"},
            "legend": {"labelFontSize": 11, "titleFontSize": 12},
            "range": {"category": list(PALETTE)},
            "bar": {"color": PALETTE[0]},
            "line": {"color": PALETTE[0]},
            "point": {"color": PALETTE[0], "filled": True},
        }
    }


def series_color(values) -> alt.Scale | None:
    """A colour scale fixing You / Top quartile / Team median to their theme colours (None if other series).

    Series are listed in that order (the rep first), so legends read the same in every chart.
    """
    names = list(dict.fromkeys(str(v) for v in values))
    if not names or any(n not in SERIES_COLORS for n in names):
        return None
    order = [n for n in SERIES_COLORS if n in names]
    return alt.Scale(domain=order, range=[SERIES_COLORS[n] for n in order])


def _frame(data: pd.DataFrame | list[dict], required: tuple[str, ...]) -> pd.DataFrame:
    """A copy of `data` as a DataFrame, checking the columns a builder needs."""
    df = data if isinstance(data, pd.DataFrame) else pd.DataFrame(list(data))
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ValueError(f"chart data lacks column(s) {missing}; it has {list(df.columns)}")
    return df.reset_index(drop=True)


def rep_score_breakdown(breakdown: pd.DataFrame | list[dict]) -> alt.Chart:
    """One rep's points per metric (rep colour) over the most the metric can give (grey).

    Columns: ``metric`` (label), ``points``, ``weight``. Scores are out of 100, so a metric gives at most
    100 x its weight / the sum of the weights.
    """
    df = _frame(breakdown, ("metric", "points", "weight"))
    total = float(df["weight"].sum())
    df = df.assign(most=df["weight"] * 100.0 / total if total > 0 else 0.0)
    order = df.sort_values(["most", "points"], ascending=False, kind="stable")["metric"].tolist()
    base = alt.Chart(df, title="How the score is made: your points out of the most each metric gives").encode(
        alt.Y("metric:N", sort=order, title=None))
    tooltip = ["metric:N", alt.Tooltip("points:Q", format=".1f", title="your points"),
               alt.Tooltip("most:Q", format=".1f", title="most possible")]
    most = base.mark_bar(color=TEAM_BAND_COLOR).encode(
        alt.X("most:Q", title="Points (grey: the most the metric gives)"), tooltip=tooltip)
    yours = base.mark_bar(color=REP_COLOR, size=10).encode(alt.X("points:Q"), tooltip=tooltip)
    return (most + yours).properties(height=alt.Step(20))


def trend(series: pd.DataFrame | list[dict], title: str = "Trend", y_title: str = "Won",
          order: list[str] | None = None, y_format: str | None = None,
          colors: dict[str, str] | None = None) -> alt.Chart:
    """Lines over time. Columns: ``period`` (date or label), ``series``, ``value``.

    order: the period labels in time order (labels such as "Jan 2026" do not sort by themselves);
    y_format: a d3 format for the value axis (",.0f" writes 1,500,000 rather than "1.5M");
    colors: series -> colour, to match the same series drawn elsewhere on the page.
    """
    df = _frame(series, ("period", "series", "value"))
    kind = "T" if pd.api.types.is_datetime64_any_dtype(df["period"]) else "O"
    scale = alt.Scale(domain=list(colors), range=list(colors.values())) if colors else series_color(df["series"])
    color = alt.Color("series:N", title=None, scale=scale, sort=scale.domain) if scale else alt.Color("series:N", title=None)
    x = alt.X(f"period:{kind}", title=None, sort=order) if order else alt.X(f"period:{kind}", title=None)
    y = alt.Y("value:Q", title=y_title, axis=alt.Axis(format=y_format)) if y_format else alt.Y("value:Q", title=y_title)
    return (
        alt.Chart(df, title=title)
        .mark_line(point=True)
        .encode(
            x,
            y,
            color,
            tooltip=["period", "series:N", alt.Tooltip("value:Q", format=",.0f")],
        )
        .properties(width=WIDTH, height=200)
    )


def outputs_vs_outcomes(points: pd.DataFrame | list[dict], columns: int = 3, outcome_title: str = "Outcome",
                        value_title: str = "Per active week") -> alt.Chart:
    """Each activity metric against attainment, one panel per metric titled with the audit's verdict.

    Columns: ``panel`` (e.g. "Miles driven: vanity"), ``value``, ``outcome``; an optional
    ``role`` colours the points when there is more than one (the audit compares within role).
    """
    df = _frame(points, ("panel", "value", "outcome"))
    by_role = "role" in df and df["role"].nunique() > 1
    extra = [alt.Color("role:N", title="Role")] if by_role else []
    return (
        alt.Chart(df)
        .mark_point(filled=True, size=50, opacity=0.8)
        .encode(
            alt.X("value:Q", title=value_title, scale=alt.Scale(zero=False)),
            alt.Y("outcome:Q", title=outcome_title),
            *extra,
            tooltip=[alt.Tooltip("value:Q", format=",.1f"), alt.Tooltip("outcome:Q", format=",.2f")]
            + ([alt.Tooltip("role:N")] if by_role else []),
        )
        .properties(width=180, height=150)
        .facet(facet=alt.Facet("panel:N", title=None), columns=columns)
        .resolve_scale(x="independent")
        .properties(title="Outputs vs outcomes")
    )


def rep_funnel_vs_team(steps: pd.DataFrame | list[dict], order: tuple[str, ...] = FUNNEL_STEPS) -> alt.Chart:
    """One rep's conversion per step against the team's quartile band and median.

    Columns: ``step``, ``rep``, ``q1``, ``median``, ``q3`` (ratios); ``label`` names the steps when given.
    """
    df = _frame(steps, ("step", "rep", "q1", "median", "q3"))
    present = [s for s in order if s in set(df["step"])] + sorted(set(df["step"]) - set(order))
    if "label" not in df:
        df = df.assign(label=df["step"].map(step_label))
    label_of = dict(zip(df["step"], df["label"]))
    labels = [label_of.get(s, step_label(s)) for s in present]
    base = alt.Chart(df, title="Funnel conversion: you (orange) vs the team (grey: median and middle half)").encode(
        alt.X("label:N", sort=labels, title=None, axis=alt.Axis(labelAngle=0, labelLimit=120)))
    band = base.mark_bar(size=30, color=TEAM_BAND_COLOR).encode(
        alt.Y("q1:Q", title="Share moving to the next step", axis=alt.Axis(format="%")), alt.Y2("q3:Q"))
    median = base.mark_tick(color=TEAM_COLOR, size=30, thickness=2).encode(alt.Y("median:Q"))
    rep = base.mark_point(filled=True, size=90, color=REP_COLOR, opacity=1).encode(
        alt.Y("rep:Q"),
        tooltip=[alt.Tooltip("label:N", title="step"), alt.Tooltip("rep:Q", format=".0%", title="you"),
                 alt.Tooltip("median:Q", format=".0%", title="team median")],
    )
    return (band + median + rep).properties(width=alt.Step(95), height=200)


def grouped_bars(rows: pd.DataFrame | list[dict], title: str, x_title: str, percent: bool = True,
                 labels: dict[str, str] | None = None) -> alt.Chart:
    """Side-by-side bars per category and group (e.g. activity mix: you vs top quartile).

    Columns: ``category``, ``group``, ``value``. `labels` renames categories for display
    (e.g. activity labels: "call" -> "Calls").
    """
    df = _frame(rows, ("category", "group", "value"))
    if labels:
        df = df.assign(category=df["category"].map(lambda c: labels.get(c, c)))
    fmt = "%" if percent else ",.1f"
    scale = series_color(df["group"])
    color = alt.Color("group:N", title=None, scale=scale, sort=scale.domain) if scale else alt.Color("group:N", title=None)
    offset = alt.YOffset("group:N", sort=scale.domain) if scale else alt.YOffset("group:N")
    categories = list(dict.fromkeys(df["category"]))
    return (
        alt.Chart(df, title=title)
        .mark_bar()
        .encode(
            alt.Y("category:N", title=None, sort=categories),
            offset,
            alt.X("value:Q", title=x_title, axis=alt.Axis(format=fmt if percent else "~s")),
            color,
            tooltip=["category:N", "group:N", alt.Tooltip("value:Q", format=".0%" if percent else ",.1f")],
        )
        .properties(height=alt.Step(12))
    )


def spec(chart: alt.TopLevelMixin | dict) -> dict[str, Any]:
    """The Vega-Lite spec of a chart with its data inlined (a plain dict, no altair needed to draw)."""
    if isinstance(chart, dict):
        return chart
    with alt.data_transformers.disable_max_rows():
        return chart.to_dict()


def svg(chart: alt.TopLevelMixin | dict) -> str:
    """The chart drawn as SVG, offline, by vl-convert (no browser, no network)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(spec(chart))


def bundle(chart: alt.TopLevelMixin | dict, alt_text: str | None = None, png: bool = True) -> dict[str, str]:
    """A chart's MIME bundle: SVG, optionally a PNG (what JupyterLab shows in an untrusted notebook, where SVG
    output is hidden), and a text line."""
    import base64

    import vl_convert as vlc

    d = spec(chart)
    out = {"image/svg+xml": vlc.vegalite_to_svg(d)}
    if png:
        out["image/png"] = base64.b64encode(vlc.vegalite_to_png(d, scale=1.5)).decode("ascii")
    title = d.get("title") or next((layer.get("title") for layer in d.get("layer", []) if layer.get("title")), None)
    if isinstance(title, dict):
        title = title.get("text")
    out["text/plain"] = alt_text or (f"Chart: {title}" if title else "Chart")
    return out


def show(chart: alt.TopLevelMixin | dict, alt_text: str | None = None) -> None:
    """Display a chart so it draws live and offline: SVG + PNG rendered by vl-convert, plus a text line."""
    from IPython.display import display

    display(bundle(chart, alt_text), raw=True)
