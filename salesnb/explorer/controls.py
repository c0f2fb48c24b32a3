"""The explorer's widgets: a compact control bar (period, team, role, preset, scoring), the weight sliders
grouped by metric class in an accordion (each with its colour and its share of the total), and the buttons.

Widgets only hold values; `app.ExplorerApp` turns their changes into a new `State`. Widths are fixed so that
nothing is cut off at 1280x800 with JupyterLab's file browser open: the bar wraps instead of squeezing.
"""
from __future__ import annotations

import html

import ipywidgets as W

from ..metrics import CATALOGUE, KINDS
from ..terms import NORMALISATION_HELP, NORMALISATION_NAMES, NORMALISATIONS
from .fold import Fold
from .state import ALL_ROLES, Scope, State, shares

SLIDER_MAX = 50.0
CUSTOM = "custom"
KIND_TITLES = {"outcome": "Outcomes", "pipeline": "Pipeline", "funnel": "Funnel conversion", "activity": "Activities",
               "efficiency": "Efficiency", "quality": "Lead quality", "hygiene": "Pipeline hygiene"}


def _dropdown(description: str, width: str) -> W.Dropdown:
    return W.Dropdown(description=description, layout=W.Layout(width=width, margin="2px 8px 2px 0"),
                      style={"description_width": "initial"})


class Controls:
    """Every control of the explorer, with the choices of one period."""

    def __init__(self, periods: list[str], presets: list[str], metrics: list[str], colours: dict[str, str]):
        self.period = _dropdown("Period", "190px")
        self.period.options = periods
        self.scope = _dropdown("Team", "250px")
        self.role = _dropdown("Role", "160px")
        self.preset = _dropdown("Weights", "240px")
        self.preset.options = [*presets, CUSTOM]
        self.normalisation = _dropdown("Scoring", "290px")
        self.normalisation.options = [(NORMALISATION_NAMES[k], k) for k in NORMALISATIONS]
        self.scoring_help = W.HTML(layout=W.Layout(margin="0 0 2px 0"))
        self.metrics = metrics
        self.colours = colours
        self.kinds = [k for k in KINDS if any(CATALOGUE[m].kind == k for m in metrics)]
        # the weight panel (a slider per metric) is made when first needed: the first screen shows none of it
        self.weights = W.VBox(layout=W.Layout(width="310px"))
        self.weights.add_class("snx-weights")
        self._sliders: dict[str, W.FloatSlider] | None = None
        self.shares: dict[str, W.HTML] = {}
        self.panel: W.VBox | None = None
        self.on_build = None  # called with the sliders once they exist (the app observes them)
        self.save = W.Button(description="Save weights", icon="save", tooltip="Save these weights for the reports",
                             layout=W.Layout(width="auto", min_width="140px"))
        self.export = W.Button(description="Export tables", icon="download",
                               tooltip="Download the leaderboard, at-risk and hygiene lists as CSV and Excel",
                               layout=W.Layout(width="auto", min_width="140px"))
        self.show_all = W.ToggleButton(description="Show all reps", value=False, icon="list",
                                       layout=W.Layout(width="auto", min_width="130px", align_self="flex-start"))
        self.rep = _dropdown("Rep", "320px")
        self.bar = W.HBox([self.period, self.scope, self.role, self.preset, self.normalisation],
                          layout=W.Layout(flex_flow="row wrap", align_items="center"))
        self.bar.add_class("snx-bar")

    @property
    def sliders(self) -> dict[str, W.FloatSlider]:
        """A slider per metric (made on first use)."""
        if self._sliders is None:
            self._sliders = {m: W.FloatSlider(min=0.0, max=SLIDER_MAX, step=1.0, continuous_update=False,
                                              readout=False, tooltip=CATALOGUE[m].meaning,
                                              layout=W.Layout(width="120px"))
                             for m in self.metrics}
            self.shares = {m: W.HTML(layout=W.Layout(width="38px")) for m in self.metrics}
            self.panel = W.VBox([Fold(KIND_TITLES.get(k, k.capitalize()), self._group(k, self.colours), open=i == 0)
                                 for i, k in enumerate(self.kinds)], layout=W.Layout(width="310px"))
            self.weights.children = [self.panel]
            if self.on_build:
                self.on_build(self._sliders)
        return self._sliders

    @property
    def built(self) -> bool:
        return self._sliders is not None

    def _group(self, kind: str, colours: dict[str, str]) -> W.VBox:
        rows = []
        for m in self.metrics:
            if CATALOGUE[m].kind != kind:
                continue
            # the metric's colour (the same in the leaderboard's bars), its name, the slider, its share
            name = W.HTML(f'<div style="display:flex;align-items:center;gap:5px;line-height:1.2;font-size:12px">'
                          f'<span style="flex:none;width:10px;height:10px;background:{colours[m]}"></span>'
                          f"<span>{html.escape(CATALOGUE[m].label)}</span></div>", layout=W.Layout(width="130px"))
            row = W.HBox([name, self.sliders[m], self.shares[m]], layout=W.Layout(align_items="center"))
            row.add_class("snx-weight")
            rows.append(row)
        return W.VBox(rows)

    # ------------------------------------------------------------------ showing a state
    def show(self, state: State, scopes: dict[str, Scope], roles: list[str], reps: list[tuple[str, str]]) -> None:
        """Set every control to `state` and the choices of its period (the caller silences the observers)."""
        self.period.value = state.period
        _choices(self.scope, [(s.label, k) for k, s in scopes.items()])
        self.scope.value = state.scope
        self.scope.disabled = len(scopes) < 2
        _choices(self.role, [("All roles", ALL_ROLES), *((r, r) for r in roles)] if len(roles) > 1 else
                 [(f"{roles[0]} only" if roles else "All roles", ALL_ROLES)])
        self.role.value = state.role
        self.role.disabled = len(roles) < 2
        self.preset.value = state.preset
        self.normalisation.value = state.normalisation
        self.scoring_help.value = _scoring_help(state.normalisation)
        if self.built:
            for m, v in state.weights:
                self.sliders[m].value = v
            self.show_shares(state)
        _choices(self.rep, [("Choose a rep", ""), *((name, rid) for rid, name in reps)])
        self.rep.value = state.rep

    def show_shares(self, state: State) -> None:
        """Each weight as a share of the total; each group's title with its share."""
        share = shares(state)
        for m, s in share.items():
            self.shares[m].value = f'<span style="font-size:12px">{s * 100:.0f}%</span>' if s > 0 else \
                '<span style="font-size:12px;color:#a0aec0">0%</span>'
        for i, k in enumerate(self.kinds):
            total = sum(s for m, s in share.items() if CATALOGUE[m].kind == k)
            weighted = sum(1 for m, s in share.items() if CATALOGUE[m].kind == k and s > 0)
            self.panel.children[i].title = (f"{KIND_TITLES.get(k, k.capitalize())}: {total * 100:.0f}%"
                                            f" ({weighted} of {sum(1 for m in share if CATALOGUE[m].kind == k)} "
                                            "weighted)")


def _choices(dropdown: W.Dropdown, options: list[tuple[str, str]]) -> None:
    """Set a dropdown's options only when they changed: a thousand reps' names are not sent on every move."""
    if tuple(dropdown.options) != tuple(options):
        dropdown.options = options


def _scoring_help(normalisation: str) -> str:
    return (f'<span style="font-size:12px;color:#4a5568"><b>{NORMALISATION_NAMES[normalisation]}:</b> '
            f"{NORMALISATION_HELP[normalisation]}</span>")
