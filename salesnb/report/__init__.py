"""One rep's report: facts (`RepView`), built from that rep's slice of the team (`RepInputs`), worded and
drawn section by section (`Report`) in the report notebook.

    inputs = inputs_for(open_team("data/sample"))
    view = build_view(inputs.slice("R015"))
    open_report(rep_id="R015").funnel()

Names are imported on first use: a report kernel showing a prepared view never loads pandas.
"""
from __future__ import annotations

from .._lazy import lazy_exports

_EXPORTS = {"build_view": "build", "RepView": "facts", "RepInputs": "inputs", "RepSlice": "inputs", "inputs_for": "gather",
            "Report": "sections", "open_report": "sections"}
__all__ = sorted(_EXPORTS)


__getattr__ = lazy_exports(__name__, _EXPORTS)
