"""The metric engine: per-rep metrics for a period, the funnel, and trend series.

    table = metrics(dataset, period="2026-Q2", as_of="2026-05-15")
    table.values          # DataFrame indexed by rep_id, one column per available metric
    table.unavailable     # {metric: reason} for metrics whose tables are missing

The catalogue (`salesnb.metrics.catalogue`) is plain Python; the engine needs pandas and is imported
on first use, so reading a metric's label costs nothing.
"""
from __future__ import annotations

from .._lazy import lazy_exports

from .catalogue import CATALOGUE, FUNNEL_RUNGS, KINDS, METRIC_NAMES, TARGET_MET_REASON, Metric, by_kind, get_metric

_LAZY = {"MetricTable": "engine", "metrics": "engine", "team_summary": "engine", "funnel_counts": "funnel",
         "trend": "trend"}

__all__ = ["CATALOGUE", "FUNNEL_RUNGS", "KINDS", "METRIC_NAMES", "Metric", "TARGET_MET_REASON", "by_kind",
           "get_metric", *_LAZY]


__getattr__ = lazy_exports(__name__, _LAZY)
