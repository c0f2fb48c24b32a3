"""The weight panel of the team explorer: sliders per weighted metric, presets, normalisation, role filter, period.

Moving a slider re-scores with a prepared `Scorer` (no reload, no metric recompute) and redraws the
leaderboard and the breakdown, both plain HTML so a redraw costs milliseconds. Choosing another period
computes that period's metrics once (kept per period), prepares a new `Scorer` and redraws. The logic
(`current_weights`, `rescore`, `leaderboard`, `breakdown_html`) is plain Python on the widget values, so it
is tested by setting ``.value`` in pytest without a browser.
"""
from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as W
import pandas as pd

from . import metrics as metric_engine
from .config import DEFAULT_WEIGHTS_FILE
from .errors import SalesnbError
from .leaderboard import leaderboard as build_leaderboard
from .metrics import CATALOGUE, KINDS
from .periods import Period, fiscal_year_start, resolve_period
from .scorecard import PRESETS, Scorer, Weights, save_weights
from .terms import DEFAULT_PRESET, NORMALISATIONS, PALETTE

ALL_ROLES = "All roles"
CUSTOM = "custom"
SLIDER_MAX = 50.0
PX_PER_POINT = 4.0  # breakdown bar width per score point: a full 100-point score is 400 px wide


def breakdown_long(card) -> pd.DataFrame:
    """The scorecard's points per metric as a long frame ``rep_id, metric, points``."""
    wide = card.breakdown.rename_axis("rep_id").reset_index()
    return wide.melt(id_vars="rep_id", var_name="metric", value_name="points")


def weighted_metrics(table, presets: dict[str, Weights] | None = None, extra: Weights | None = None) -> list[str]:
    """Metrics that carry a weight in any preset (or in `extra`) and that this table has, catalogue order."""
    presets = PRESETS if presets is None else presets
    names = {m for w in [*presets.values(), *( [extra] if extra else [])] for m, v in w.weights.items() if v > 0}
    return [m for m in CATALOGUE if m in names and m in table.values.columns]


def period_choices(current: Period, as_of, fiscal_year_start_month: int = 1) -> dict[str, Period]:
    """The periods the panel offers, label -> `Period`: the current one, the fiscal year of `as_of`,
    each of its quarters and months that has started by `as_of`, and the year to date."""
    as_of = pd.Timestamp(as_of)
    first = fiscal_year_start(as_of, fiscal_year_start_month)
    months = pd.date_range(first, periods=12, freq="MS")
    specs = [str(first.year), *(f"{first.year}-Q{q}" for q in range(1, 5)),
             *(f"{m.year}-{m.month:02d}" for m in months), "ytd"]
    choices = {current.label: current}
    for spec in specs:
        p = resolve_period(spec, as_of, fiscal_year_start_month)
        if p.start <= as_of:
            choices.setdefault(p.label, p)
    return choices


class WeightPanel:
    """Sliders and controls over one `MetricTable`; `.widget` is what the notebook displays.

    With the `dataset` the table was computed from, the Period dropdown offers the year, its quarters and
    months so far and the year to date (at the table's as_of); without it the period is fixed.
    """

    def __init__(self, table, weights: Weights | None = None, weights_file: str | Path | None = None,
                 draw_charts: bool = True, top_n: int | None = None, dataset=None):
        self.table = table
        self.dataset = dataset
        self.as_of = pd.Timestamp(table.as_of)
        fy_month = int(getattr(getattr(dataset, "meta", None), "fiscal_year_start_month", 1) or 1)
        self.periods: dict[str, Period] = (period_choices(table.period, self.as_of, fy_month) if dataset is not None
                                           else {table.period.label: table.period})
        self._tables = {table.period.label: table}  # metrics per period label, each computed once
        self._scorers: dict[str, Scorer] = {}
        self.draw_charts = draw_charts
        self.top_n = top_n
        self.weights_file = Path(weights_file) if weights_file else DEFAULT_WEIGHTS_FILE
        start = weights or PRESETS[DEFAULT_PRESET]
        self.group_by = start.group_by
        self._base = start  # floors, caps and targets come from the last preset chosen
        self._scorer = self._scorers[table.period.label] = Scorer(table, group_by=self.group_by)
        self._batch = False
        self.metrics = weighted_metrics(table, extra=start)

        self.sliders: dict[str, W.FloatSlider] = {
            m: W.FloatSlider(value=float(start.weights.get(m, 0.0)), min=0.0, max=SLIDER_MAX, step=1.0,
                             description=CATALOGUE[m].label, continuous_update=False, readout_format=".0f",
                             style={"description_width": "190px"}, layout=W.Layout(width="420px"))
            for m in self.metrics
        }
        preset_names = list(PRESETS)
        self.preset = W.Dropdown(options=[*preset_names, CUSTOM],
                                 value=start.name if start.name in preset_names else CUSTOM, description="Preset")
        self.normalisation = W.ToggleButtons(options=list(NORMALISATIONS), value=start.normalisation,
                                             description="Normalise")
        self.role = W.Dropdown(options=_role_options(table), value=ALL_ROLES, description="Role")
        self.period = W.Dropdown(options=list(self.periods), value=table.period.label, description="Period",
                                 disabled=len(self.periods) < 2)
        self.save_button = W.Button(description="Save weights", icon="save")
        self.status = W.HTML()
        self.leaderboard_html = W.HTML()
        self.breakdown_html = W.HTML()

        for s in self.sliders.values():
            s.observe(self._on_slider, names="value")
        self.preset.observe(self._on_preset, names="value")
        self.normalisation.observe(self._on_change, names="value")
        self.role.observe(self._on_change, names="value")
        self.period.observe(self._on_period, names="value")
        self.save_button.on_click(lambda _b: self.save())
        self.card = self.rescore()
        self.widget = self._layout()
        self._render()

    # ------------------------------------------------------------------ pure logic
    def current_weights(self) -> Weights:
        """The weights the controls describe now."""
        base = self._base
        return Weights(
            weights={m: float(s.value) for m, s in self.sliders.items() if s.value > 0},
            normalisation=self.normalisation.value,
            floors=dict(base.floors) if base else {},
            caps=dict(base.caps) if base else {},
            targets=dict(base.targets) if base else {},
            group_by=self.group_by,
            name=self.preset.value,
            skip_unavailable=True,
        )

    def rescore(self):
        """Score with the current weights (no metric recompute); keeps and returns the `Scorecard`."""
        self.card = self._scorer.score(self.current_weights())
        return self.card

    def table_for(self, label: str):
        """The `MetricTable` of the period labelled `label`, computed on first use and kept."""
        if label not in self._tables:
            self._tables[label] = metric_engine.metrics(self.dataset, self.periods[label], self.as_of)
        return self._tables[label]

    def set_period(self, label: str) -> None:
        """Switch to another offered period: its metrics and `Scorer` (made once each), re-score and redraw."""
        try:
            table = self.table_for(label)
        except SalesnbError as exc:
            self.status.value = html.escape(str(exc))
            return
        self.table = table
        if label not in self._scorers:
            self._scorers[label] = Scorer(table, group_by=self.group_by)
        self._scorer = self._scorers[label]
        roles = _role_options(table)
        keep = self.role.value if self.role.value in roles else ALL_ROLES
        self._batch = True  # new role options must not trigger a redraw of their own
        try:
            self.role.options = roles
            self.role.value = keep
        finally:
            self._batch = False
        self._on_change()

    def leaderboard(self) -> pd.DataFrame:
        """The one leaderboard (`salesnb.leaderboard`) of the chosen role, plus the top contributing metric."""
        board = build_leaderboard(self.card, self.table, role=None if self.role.value == ALL_ROLES else self.role.value,
                                  top=1)
        board["top_metric"] = board["top_metrics"].map(lambda ms: CATALOGUE[ms[0]].label if ms else "")
        return board

    def save(self, path: str | Path | None = None) -> Path:
        """Write the current weights where batch reports read them; says where in the status line."""
        target = Path(path) if path else self.weights_file
        save_weights(self.current_weights(), target)
        where = html.escape(str(target.resolve()))
        self.status.value = (f"Saved weights to <code>{where}</code>. Batch reports use them with "
                             f"<code>salesnb reports --weights {where}</code>"
                             + (" (<code>make reports</code> picks this file up)." if target.resolve() == DEFAULT_WEIGHTS_FILE
                                else "."))
        return target

    # ------------------------------------------------------------------ events
    def _on_slider(self, change) -> None:
        if self._batch:
            return
        self._batch = True
        try:
            if self.preset.value != CUSTOM:
                self.preset.value = CUSTOM
        finally:
            self._batch = False
        self._on_change(change)

    def _on_preset(self, change) -> None:
        if self._batch or change["new"] == CUSTOM:
            return
        w = PRESETS[change["new"]]
        self._base = w
        self._batch = True
        try:
            for m, s in self.sliders.items():
                s.value = float(w.weights.get(m, 0.0))
            self.normalisation.value = w.normalisation
        finally:
            self._batch = False
        self._on_change(change)

    def _on_period(self, change) -> None:
        if change["new"] != change["old"]:
            self.set_period(change["new"])

    def _on_change(self, _change=None) -> None:
        if self._batch:
            return
        if not any(s.value > 0 for s in self.sliders.values()):
            self.status.value = "Set at least one weight above zero to score."
            return
        self.status.value = ""
        self.rescore()
        self._render()

    # ------------------------------------------------------------------ display
    def _render(self) -> None:
        board = self.leaderboard()
        self.leaderboard_html.value = leaderboard_html(board, self.top_n)
        if not self.draw_charts:
            return
        active = [m for m in self.metrics if self.sliders[m].value > 0]
        self.breakdown_html.value = breakdown_html(board if self.top_n is None else board.head(self.top_n),
                                                   self.card.breakdown, metric_colours(active))

    def _layout(self) -> W.Widget:
        groups = []
        for kind in KINDS:
            members = [self.sliders[m] for m in self.metrics if CATALOGUE[m].kind == kind]
            if members:
                groups.append(W.VBox([W.HTML(f"<b>{kind.capitalize()}</b>"), *members]))
        controls = W.VBox([W.HBox([self.preset, self.role, self.period]), self.normalisation, *groups,
                           W.HBox([self.save_button, self.status])])
        # the leaderboard sits beside the sliders so a move and its effect are seen together
        return W.VBox([W.HBox([controls, self.leaderboard_html]), self.breakdown_html])


def _role_options(table) -> list[str]:
    roles = sorted({str(r) for r in table.reps["role"].dropna()}) if "role" in table.reps else []
    return [ALL_ROLES, *roles]


def leaderboard_html(board: pd.DataFrame, top_n: int | None = None) -> str:
    """The leaderboard as an escaped HTML table (rows carry ``data-rep`` for tests and styling)."""
    rows = board if top_n is None else board.head(top_n)
    body = "".join(
        f'<tr class="salesnb-lb-row" data-rep="{html.escape(str(r.rep_id))}"><td>{_rank(r.rank)}</td>'
        f"<td><bdi>{html.escape(str(r.name))}</bdi></td><td>{html.escape(str(r.role))}</td><td>{_score(r.score)}</td>"
        f"<td>{html.escape(str(r.top_metric))}</td></tr>"
        for r in rows.itertuples()
    )
    return ('<table class="salesnb-leaderboard" style="white-space: nowrap; border-collapse: collapse">'
            '<thead><tr><th>Rank</th><th>Rep</th><th>Role</th><th>Score</th>'
            f"<th>Biggest contribution</th></tr></thead><tbody>{body}</tbody></table>")


def _rank(x) -> str:
    return "—" if pd.isna(x) else str(int(x))


def _score(x) -> str:
    return "—" if pd.isna(x) else f"{x:.1f}"


def metric_colours(metrics: list[str]) -> dict[str, str]:
    """A CSS background per metric, in the given order: the theme's palette colours, then (past its
    length) the same colours striped, so two metrics never look alike."""
    out = {}
    for i, m in enumerate(metrics):
        c = PALETTE[i % len(PALETTE)]
        out[m] = c if i < len(PALETTE) else f"repeating-linear-gradient(45deg,{c} 0 3px,#ffffff 3px 5px)"
    return out


def _label(metric: str) -> str:
    return CATALOGUE[metric].label if metric in CATALOGUE else metric


def breakdown_html(board: pd.DataFrame, breakdown: pd.DataFrame, colours: dict[str, str]) -> str:
    """Points per metric as one stacked HTML bar per rep, in the order of `board`, with a legend.

    `board` has ``rep_id, name, score``; `breakdown` is the scorecard's wide frame (rep_id index, a points
    column per metric); `colours` maps the metrics to draw (in legend and stacking order) to their CSS
    background (`metric_colours`). Each segment is ``points * PX_PER_POINT`` pixels wide and its ``title`` names the rep, metric and points.
    """
    metrics = list(colours)
    points = breakdown.reindex(index=board["rep_id"], columns=metrics).fillna(0.0).to_numpy()
    labels = [html.escape(_label(m)) for m in metrics]
    keys = [html.escape(m) for m in metrics]
    box = "display:inline-block;vertical-align:middle"
    legend = "".join(
        f'<span class="salesnb-bd-key" style="{box};margin-right:12px">'
        f'<span style="{box};width:10px;height:10px;background:{c};margin-right:4px"></span>'
        f"{label}</span>"
        for label, c in zip(labels, colours.values())
    )
    rows = []
    for r, row in zip(board.itertuples(), points):
        name = html.escape(str(r.name))
        bars = "".join(
            f'<div class="salesnb-bd-seg" data-metric="{keys[i]}" title="{name}: {labels[i]}, {p:.1f} points" '
            f'style="{box};height:14px;width:{p * PX_PER_POINT:.2f}px;background:{colours[metrics[i]]}"></div>'
            for i, p in enumerate(row) if p > 0
        )
        rows.append(
            f'<div class="salesnb-bd-row" data-rep="{html.escape(str(r.rep_id))}" style="white-space:nowrap;height:18px">'
            f'<span style="{box};width:170px;overflow:hidden;text-overflow:ellipsis">{name}</span>'
            f'{bars}<span style="{box};margin-left:6px">{_score(r.score)}</span></div>'
        )
    return ('<div class="salesnb-breakdown" style="font-size:12px">'
            '<div style="font-weight:bold;margin:8px 0 4px">Score breakdown (points per metric)</div>'
            f'<div class="salesnb-bd-legend" style="margin-bottom:6px">{legend}</div>{"".join(rows)}</div>')
