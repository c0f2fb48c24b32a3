"""The team explorer as one live app: controls at the top, tabs of sections below, all drawn from one `State`.

    app = open_explorer("data/sample")      # a notebook cell; `app` on the last line shows it
    app.controls.scope.value = "team:East"  # as a click would: the state changes, the sections follow

A control change makes a new `State`; the sections that read a changed field are marked stale and the ones
on screen (the open tab and its open folds) are redrawn at once, the others when they are opened. Slider
moves only re-score (the period's `Scorer`); a new period is analysed once and kept.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import ipywidgets as W

from ..errors import SalesnbError
from ..present import esc, missing
from . import findings as F
from . import html as H
from . import sections as S
from . import since as T
from .charts import audit_chart, month_trend
from .controls import CUSTOM, Controls
from .fold import Fold
from .grid import RankTable
from .model import Explorer, View
from .state import ALL_ROLES, EVERYONE, State, changed, slider_values, weighted_metrics

FILTERS = frozenset({"period", "scope", "role"})
SCORING = frozenset({"weights", "normalisation", "base", "custom"})
TABS = ("Summary", "Leaderboard", "Funnel", "Activities", "Leads, pipeline", "Over time", "One-on-one")
ONE_ON_ONE = TABS.index("One-on-one")


@dataclass
class Section:
    """One redrawable piece: where it sits (tab; None = always on screen), what it reads, how it is drawn."""

    name: str
    tab: int | None
    reads: frozenset
    draw: Callable[[View], str]
    widget: W.HTML
    fold: Fold | None = None  # drawn only while its fold is open
    wait: str = ""  # shown while a slow section draws (charts drawn offline take a moment)
    stale: bool = True

    def on_screen(self, tab: int) -> bool:
        return (self.tab is None or self.tab == tab) and (self.fold is None or self.fold.selected_index == 0)


class ExplorerApp:
    """The widgets, the state and the redraws. `widget` is what a notebook shows."""

    def __init__(self, explorer: Explorer, state: State, save_dir: str | Path = ".", weights_file: Path | None = None,
                 weights_said: str = ""):
        self.explorer = explorer
        self.weights_said = weights_said
        self.state = state
        self.view = explorer.view(state)
        self.save_dir = Path(save_dir)
        self.weights_file = Path(weights_file) if weights_file else self.save_dir / "weights.toml"
        metrics = [m for m, _v in state.weights]
        self.controls = Controls(list(explorer.periods), list(explorer.presets), metrics, S.metric_colours(metrics))
        self.status = W.HTML(layout=W.Layout(margin="0 0 0 8px"))
        self.busy = W.HTML(layout=W.Layout(margin="0 0 0 8px"))  # shown at once while a change is worked on
        self.downloads = W.HTML(layout=W.Layout(margin="0 0 0 8px"))  # the export's links, for the state on screen
        self.weights_note = W.HTML(H.block(H.note(weights_said)) if weights_said else "")
        self.tabs = W.Tab()
        self.grid = RankTable(layout=W.Layout(max_width="100%", overflow="auto"))
        self.sections: dict[str, Section] = {}
        self._silent = False
        self.timings: dict[str, float] = {}  # seconds each section last took to draw
        self.widget = self._layout()
        self._show_controls()
        self._observe()
        self._redraw(set(State.__dataclass_fields__))

    # ------------------------------------------------------------------ layout
    def _section(self, name: str, tab: int | None, reads, draw, fold: str | None = None, wait: str = "",
                 widget: W.Widget | None = None) -> W.Widget:
        widget = widget or W.HTML(layout=W.Layout(overflow="auto", max_width="100%"))
        widget.add_class("snx-section")
        acc = None
        if fold:
            acc = Fold(fold, widget)
            acc.on_toggle(self._draw_on_screen)
        self.sections[name] = Section(name, tab, frozenset(reads), draw, widget, acc, wait)
        return acc or widget

    def _layout(self) -> W.Widget:
        c, sec = self.controls, self._section
        header = W.VBox([sec("title", None, FILTERS, lambda v: H.STYLE + S.title(v)), c.bar, c.scoring_help,
                         _classed(W.HBox([c.export, self.busy, self.status, self.downloads],
                                         layout=W.Layout(align_items="center", flex_flow="row wrap")), "snx-actions")])
        board = W.VBox([c.show_all, sec("leaderboard", 1, FILTERS | SCORING | {"show_all"}, self._draw_grid,
                                        widget=self.grid),
                        sec("board_notes", 1, FILTERS | SCORING, S.board_notes),
                        sec("stability", 1, FILTERS | SCORING, S.stability, "How stable is this ranking?")],
                       layout=W.Layout(flex="1 1 auto", min_width="0", overflow="auto"))
        weights = W.VBox([c.weights, W.HBox([c.save]), self.weights_note, W.HTML(H.block(H.note(
            "Shares: each weight's part of the 100 points. A moved slider makes the weights custom; "
            "arrows in the leaderboard count places moved against the chosen preset.")))],
                         layout=W.Layout(flex="0 0 320px"))
        weights.add_class("snx-weights")
        pages = [
            W.VBox([sec("summary", 0, FILTERS, S.summary), sec("progress", 0, FILTERS, S.progress),
                    sec("attainment", 0, FILTERS, S.attainment, "Attainment, rep by rep"),
                    sec("at_risk", 0, FILTERS, S.at_risk, "The figures behind the at-risk list"),
                    sec("trend", 0, FILTERS, month_trend, "Won month by month against the path to target",
                        "Drawing the chart…")]),
            _classed(W.HBox([weights, board]), "snx-board-tab"),
            W.VBox([sec("bottlenecks", 2, FILTERS, F.bottlenecks), sec("pairing", 2, FILTERS, F.pairing),
                    sec("funnel", 2, FILTERS, F.funnel_heat, "Every rep's funnel against the role")]),
            W.VBox([sec("audit", 3, FILTERS, F.audit, None, "Testing each activity against results over these reps…"),
                    sec("top_performers", 3, FILTERS, F.top_performers),
                    sec("audit_chart", 3, FILTERS, audit_chart, "Details: each activity against results (chart)",
                        "Drawing the chart…")]),
            W.VBox([sec("lead_quality", 4, FILTERS, F.lead_quality), sec("hygiene", 4, FILTERS, S.hygiene)]),
            W.VBox([sec("since", 5, FILTERS, T.since), sec("backtest", 5, {"period"}, T.backtest)]),
            W.VBox([c.rep, sec("one_on_one", ONE_ON_ONE, FILTERS | SCORING | {"rep"}, self._one_on_one, None,
                               "Drawing the one-on-one view…")]),
        ]
        self.tabs.children = pages
        self.tabs.titles = TABS
        self.tabs.observe(lambda _c: self._draw_on_screen(), names="selected_index")
        app = W.VBox([header, self.tabs], layout=W.Layout(max_width="1200px"))
        app.add_class("snx-app")
        return app

    # ------------------------------------------------------------------ state changes
    def _observe(self) -> None:
        c = self.controls
        watch = {c.period: "period", c.scope: "scope", c.role: "role", c.normalisation: "normalisation",
                 c.show_all: "show_all", c.rep: "rep"}
        for widget, name in watch.items():
            widget.observe(lambda ch, name=name: self._control(name, ch["new"]), names="value")
        c.preset.observe(lambda ch: self._control("preset", ch["new"]), names="value")
        c.on_build = self._watch_sliders
        self.grid.observe(lambda _c: self.open_rep(self.grid.selected), names="clicks")
        c.save.on_click(lambda _b: self.save())
        c.export.on_click(lambda _b: self.export())

    def _watch_sliders(self, sliders: dict) -> None:
        for m, slider in sliders.items():
            slider.observe(lambda ch, m=m: self._control("slider", (m, ch["new"])), names="value")
        self._show_controls()

    def _control(self, name: str, value) -> None:
        if self._silent:
            return
        s = self.state
        if name == "preset":
            if value == CUSTOM:
                return self._show_controls()  # "custom" is what moved sliders make, not a choice
            w = self.explorer.presets[value]
            return self.set(base=value, custom=False, normalisation=w.normalisation,
                            weights=slider_values([m for m, _v in s.weights], w))
        if name == "slider":
            metric, v = value
            return self.set(weights=tuple((m, float(v) if m == metric else w) for m, w in s.weights), custom=True)
        if name == "normalisation":
            return self.set(normalisation=value, custom=True)
        return self.set(**{name: value})

    def set(self, **changes) -> None:
        """Move to a new state: recompute what it needs, show it in the controls, redraw what changed.

        At once (before any work) the busy sign shows and the sections the change touches are dimmed; each is
        undimmed as it is redrawn, so no stale figure is ever shown as current."""
        new = replace(self.state, **changes)
        diff = changed(self.view.state, new)
        self._show_busy(new, diff)
        if diff - {"rep", "show_all"}:
            self.downloads.value = ""  # links made for the figures before the change
        try:
            self._set(new)
        finally:
            self.busy.value = ""

    def _show_busy(self, new: State, diff: set[str]) -> None:
        if new.period != self.state.period and not self.explorer.has_team(new.period):
            text = f"Loading {new.period}…"
        else:
            text = "Updating…"
        self.busy.value = (f'<span class="snx-busy" role="status" aria-live="polite"><span class="snx-spin">'
                           f'</span>{esc(text)}</span>')
        for sec in self.sections.values():
            if sec.reads & diff:
                sec.widget.add_class("snx-stale")

    def _set(self, new: State) -> None:
        try:
            new = self._fit(new)
            if not any(v > 0 for _m, v in new.weights):
                self.state = new
                self.status.value = "Set at least one weight above zero to score."
                return self._show_controls()
            view = self.explorer.view(new)
        except SalesnbError as exc:
            self.status.value = esc(str(exc))
            for sec in self.sections.values():
                if not sec.stale:
                    sec.widget.remove_class("snx-stale")
            return self._show_controls()  # back to the state still on screen
        if new.rep and new.rep not in view.ids:  # the rep is not among the reps now on screen
            new = replace(new, rep="")
            view = replace(view, state=new)
        # against the view on screen: after an all-zero interlude the weights differ from it, not from the state
        diff = changed(self.view.state, new)
        self.state, self.view = new, view
        self.status.value = ""
        self._show_controls()
        self._redraw(diff)

    def _fit(self, state: State) -> State:
        """The state with a team and a role that exist in its period (else everyone, all roles)."""
        scope = state.scope if state.scope in self.explorer.scopes(state.period) else EVERYONE
        role = state.role if state.role in self.explorer.roles(state.period) else ALL_ROLES
        return replace(state, scope=scope, role=role)

    def _show_controls(self) -> None:
        names = self.view.names
        reps = sorted(((r, str(names.get(r, r))) for r in self.view.ids), key=lambda x: (x[1], x[0]))
        self._silent = True
        try:
            self.controls.show(self.state, self.explorer.scopes(self.state.period),
                               self.explorer.roles(self.state.period), reps)
        finally:
            self._silent = False

    # ------------------------------------------------------------------ drawing
    def _redraw(self, diff: set[str]) -> None:
        for s in self.sections.values():
            if s.reads & diff:
                s.stale = True
        self._draw_on_screen()

    def _draw_on_screen(self) -> None:
        tab = self.tabs.selected_index or 0
        if tab == TABS.index("Leaderboard"):
            self.controls.sliders  # the weight panel, made on the tab's first opening
        for s in self.sections.values():
            if s.stale and s.on_screen(tab):
                self._draw(s)

    def _draw(self, s: Section) -> None:
        start = time.perf_counter()
        if s.wait:
            s.widget.value = H.block(H.note(s.wait))
        html = s.draw(self.view)
        if html is not None:  # a section of its own widget (the rank table) updates it itself
            s.widget.value = html
        s.widget.remove_class("snx-stale")
        s.stale = False
        self.timings[s.name] = time.perf_counter() - start

    def draw(self, name: str) -> None:
        """Draw one section now if it is stale, on screen or not (as opening its tab or fold would)."""
        if self.sections[name].stale:
            self._draw(self.sections[name])

    def draw_all(self) -> None:
        """Draw every stale section, on screen or not (tests and the benchmark)."""
        for name in self.sections:
            self.draw(name)

    def _draw_grid(self, view: View) -> None:
        self.grid.show(**S.leaderboard_table(view))

    def open_rep(self, rep_id: str) -> None:
        """Open a rep's one-on-one view (a click on their row in the rank table)."""
        if rep_id and rep_id in self.view.ids:
            self.set(rep=rep_id)
            self.tabs.selected_index = ONE_ON_ONE

    def _one_on_one(self, view: View) -> str:
        from ..report import Report
        from .drilldown import report_html

        if not view.state.rep:
            return H.block(H.note("Choose a rep above to see their one-on-one view: the same sections as their "
                                  "report, with the weights on screen."))
        return H.block(report_html(Report(self.explorer.rep_view(view, view.state.rep))), "snx-report")

    # ------------------------------------------------------------------ buttons
    def save(self) -> Path | None:
        """Write the weights on screen where the batch reports can use them, and say so in plain words."""
        from ..scorecard import save_weights

        if not any(v > 0 for _m, v in self.state.weights):
            self.status.value = "Set at least one weight above zero before saving."
            return None
        target = self.weights_file
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            save_weights(self.view.weights, target)
        except (OSError, SalesnbError) as exc:
            self.status.value = esc(f"Could not save the weights to {target}: {exc}. Choose a folder you may write "
                                    "to (the save_dir parameter of the notebook).")
            return None
        where = target.resolve()
        from ..saved_weights import saved_path

        data = self.explorer.facts.data_dir
        if data is not None and where == saved_path(data).resolve():
            self.status.value = (
                f"Saved these weights for this dataset ({esc(data)}), in {esc(where)}. From now on the dashboard, "
                f"this explorer and <code>salesnb reports --data {esc(data)}</code> use them unless told "
                "otherwise (<code>--weights FILE</code> or <code>--preset NAME</code>).")
            self.weights_note.value = H.block(H.note(f"Weights: saved for this dataset in {where}."))
        else:
            self.status.value = (
                f"Saved these weights to <b>{esc(where.name)}</b> in {esc(where.parent)}. The batch reports use "
                f"them when run with <code>salesnb reports --weights {esc(where)}</code>.")
        return target

    def export(self) -> dict[str, bytes]:
        """Offer the leaderboard, the at-risk list and the flagged deals on screen as CSV and Excel downloads
        (links that download in the browser; nothing is written on the server). Returns name -> bytes."""
        from .export import download_links, files

        named = files(self.view)
        self.downloads.value = H.block(
            f"<span>Download the lists of {esc(self.view.where)} ({esc(self.state.period)}): </span>"
            + download_links(named) + H.note("One CSV per list; the Excel workbook has a sheet each."))
        self.status.value = ""
        return named

    # ------------------------------------------------------------------ in a notebook
    def _repr_mimebundle_(self, **kwargs):
        """The widget, with a text snapshot where a notebook cannot show widgets (unrun, untrusted, or plain text)."""
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = self.text()
        return bundle

    def text(self) -> str:
        """A plain-text snapshot: the title, the gap to target, who is at risk, the top of the leaderboard and
        what the data lacks."""
        v = self.view
        from ..words import manager as words

        judged = v.reps[v.reps["at_risk"].notna()] if "at_risk" in v.reps else v.reps.iloc[0:0]
        risky = judged[judged["at_risk"].astype(bool)]["name"].tolist()
        no_warning = v.team.diagnosis.unavailable.get("early_warning")
        at_risk = (f"At risk: {', '.join(risky) if risky else 'nobody'}." if len(judged) else
                   f"At risk: not judged: {no_warning or 'no rep here has a quota'}.")
        top = [f"{int(r.rank)}. {r.name}" for r in v.board.head(5).itertuples() if not missing(r.rank)]
        return "\n".join([
            f"Team explorer: {v.team.dataset_name}, {v.team.period.label}, as of {v.team.as_of.date()}",
            words.gap_to_target(v.totals, v.where, v.currency, v.team.period.over(v.team.as_of),
                                words.to_date_span(v.team.period)),
            at_risk,
            f"Leaderboard ({v.state.preset}): {'; '.join(top)}." if top else
            f"Leaderboard ({v.state.preset}): no ranks (too few reps share a role to compare them).",
            *v.team.missing.values(),
            "Run the notebook to use the controls."])


def _classed(widget: W.Widget, css: str) -> W.Widget:
    widget.add_class(css)
    return widget


# ------------------------------------------------------------------ opening


def open_explorer(data_dir: str | Path | None = "", as_of: str | None = "", period: str | None = "",
                  weights_file: str | Path | None = "", save_dir: str | Path | None = "") -> ExplorerApp:
    """Open the explorer on a dataset folder.

    Empty arguments are the defaults: the bundled sample team, the dataset's report date and period, the
    weights saved for this dataset (else the outcomes-first preset). weights_file: a weights file to start from
    (saving writes back to it); save_dir: where Save weights writes for a dataset built in memory.

    The period's facts come from the facts cache (`salesnb.facts`) when any kernel or command computed them
    before; else they are computed once in another process (this kernel never holds the data), and the other
    periods of the menu are computed in the background.
    """
    from ..facts import Facts

    return _open(Facts(data_dir or None), period=period or None, as_of=as_of or None,
                 weights_file=weights_file or None, save_dir=save_dir or None)


def explore(dataset, period=None, as_of=None, weights_file: str | Path | None = None,
            save_dir: str | Path | None = None) -> ExplorerApp:
    """The explorer on a loaded `Dataset` (see `open_explorer`)."""
    from ..facts import Facts

    facts = Facts(dataset.source, dataset=dataset) if dataset.source else Facts.in_memory(dataset)
    return _open(facts, period=period, as_of=as_of, weights_file=weights_file, save_dir=save_dir)


def _open(facts, period=None, as_of=None, weights_file=None, save_dir=None) -> ExplorerApp:
    from ..facts import child as warm
    from ..saved_weights import resolve, saved_path
    from ..scorecard import PRESETS, load_weights
    from ..terms import DEFAULT_PRESET

    if facts.data_dir is not None:
        spec, said = resolve(facts.data_dir, weights_file)
    else:
        spec = str(weights_file) if weights_file else DEFAULT_PRESET
        said = f"Weights: {spec}."
    presets = dict(PRESETS)
    if spec in presets:
        base = spec
    else:
        base = Path(spec).name  # the file is offered as a preset of its own, and counted against
        presets = {base: load_weights(spec), **presets}
    team = facts.cached(period=period, as_of=as_of, weights=spec)
    if team is None and facts.store is not None and facts._dataset is None:
        warm.in_another_process(facts.data_dir, period=period, as_of=as_of, weights=spec)
        team = facts.cached(period=period, as_of=as_of, weights=spec)
    if team is None:
        team = facts.team(period=period, as_of=as_of, weights=spec)
    explorer = Explorer(team, presets, facts, weights=spec, period_spec=period)
    if facts.store is not None and not all(facts.stored(period=p, as_of=explorer.as_of, weights=spec)
                                           for p in explorer.periods.values()):
        warm.in_background(facts.data_dir, period=period, as_of=as_of, weights=spec)
    metrics = weighted_metrics(team.table, list(presets.values()))
    w = presets[base]
    state = State(period=team.period.label, base=base, weights=slider_values(metrics, w), normalisation=w.normalisation)
    if weights_file:
        target = Path(weights_file)
    elif facts.data_dir is not None:
        target = saved_path(facts.data_dir)
    else:
        target = (Path(save_dir) if save_dir else Path.cwd()) / "weights.toml"
    return ExplorerApp(explorer, state, save_dir=Path(save_dir) if save_dir else Path.cwd(), weights_file=target,
                       weights_said=said)


__all__ = ["ExplorerApp", "explore", "open_explorer"]
