"""The team explorer: one state (period, team, role, weights), every section drawn from it.

    app = open_explorer("data/sample")     # in a notebook cell; `app` on the last line shows it
    app.controls.period.value = "2026-Q3"  # what a manager's click does; every section follows

`state` holds the control values and the choices they offer, `model` the work done once per period (cached)
and the facts of one state (`View`), `sections` and `findings` draw them as HTML, `controls` and `app` are the
widgets. `serve` runs the same notebook as a no-code dashboard (Voila). Names are imported on first use,
so `salesnb dashboard --help` does not load pandas or ipywidgets.
"""
from __future__ import annotations

from .._lazy import lazy_exports

_EXPORTS = {"open_explorer": "app", "explore": "app", "ExplorerApp": "app", "Explorer": "model", "View": "model", "State": "state"}
__all__ = sorted(_EXPORTS)


__getattr__ = lazy_exports(__name__, _EXPORTS)
