"""salesnb: outcome-first sales performance analysis for Jupyter.

The public API is available from here, e.g. ``salesnb.load_dataset``,
``salesnb.compute_metrics``, ``salesnb.score``, ``salesnb.diagnose``; each also lives
in its module (``salesnb.load.load``, ``salesnb.metrics.metrics``, ...). Names are
imported on first use so that ``import salesnb`` stays cheap for per-rep report kernels.
Names equal to a submodule (``load``, ``metrics``, ``generate``) are deliberately not
re-exported: importing the submodule would replace them.
"""
from __future__ import annotations

import importlib

from .errors import ConfigError, DatasetError, MappingError, ReportError, SalesnbError

__version__ = "0.1.0"

# public name -> module that defines it (or (module, name in that module))
_EXPORTS = {
    "Dataset": "salesnb.dataset",
    "DatasetMeta": "salesnb.dataset",
    "load_dataset": ("salesnb.load", "load"),
    "write_dataset": "salesnb.load",
    "validate_folder": "salesnb.validate",
    "generate_dataset": ("salesnb.generate", "generate"),
    "Period": "salesnb.periods",
    "resolve_period": "salesnb.periods",
    "default_as_of": "salesnb.periods",
    "compute_metrics": ("salesnb.metrics", "metrics"),
    "funnel_counts": "salesnb.metrics",
    "trend": "salesnb.metrics",
    "team_summary": "salesnb.metrics",
    "MetricTable": "salesnb.metrics",
    "CATALOGUE": "salesnb.metrics",
    "score": "salesnb.scorecard",
    "Scorer": "salesnb.scorecard",
    "Weights": "salesnb.scorecard",
    "PRESETS": "salesnb.scorecard",
    "load_weights": "salesnb.scorecard",
    "save_weights": "salesnb.scorecard",
    "rank_stability": "salesnb.scorecard",
    "diagnose": "salesnb.diagnostics",
    "import_export": "salesnb.importers",
    "run_reports": "salesnb.reports",
}

__all__ = ["SalesnbError", "DatasetError", "ConfigError", "MappingError", "ReportError", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        module, attr = _EXPORTS[name] if isinstance(_EXPORTS[name], tuple) else (_EXPORTS[name], name)
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'salesnb' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
