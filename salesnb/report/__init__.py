"""One rep's report: facts (`RepView`), built from that rep's slice of the team (`RepInputs`), worded and
drawn section by section (`Report`) in the report notebook.

    inputs = inputs_for(open_team("data/sample"))
    view = build_view(inputs.slice("R015"))
    open_report(rep_id="R015").funnel()

Names are imported on first use: a report kernel showing a prepared view never loads pandas.
"""
from __future__ import annotations

import importlib

_EXPORTS = {"build_view": "build", "RepView": "facts", "RepInputs": "inputs", "RepSlice": "inputs", "inputs_for": "gather",
            "Report": "sections", "open_report": "sections"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
