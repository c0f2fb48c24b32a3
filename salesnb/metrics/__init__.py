"""The metric engine: per-rep metrics for a period, the funnel, and trend series.

    table = metrics(dataset, period="2026-Q2", as_of="2026-05-15")
    table.values          # DataFrame indexed by rep_id, one column per available metric
    table.unavailable     # {metric: reason} for metrics whose tables are missing
"""
from .catalogue import CATALOGUE, FUNNEL_RUNGS, KINDS, METRIC_NAMES, TARGET_MET_REASON, Metric, by_kind, get_metric
from .engine import MetricTable, metrics, team_summary
from .funnel import funnel_counts
from .trend import trend

__all__ = [
    "CATALOGUE",
    "FUNNEL_RUNGS",
    "KINDS",
    "METRIC_NAMES",
    "Metric",
    "TARGET_MET_REASON",
    "MetricTable",
    "by_kind",
    "funnel_counts",
    "get_metric",
    "metrics",
    "team_summary",
    "trend",
]
