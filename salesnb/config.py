"""Paths and defaults, in one place. Notebooks and commands import these instead of typing paths."""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
SAMPLE_DIR = PROJECT_DIR / "data" / "sample"
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
TEAM_NOTEBOOK = NOTEBOOKS_DIR / "team_explorer.ipynb"
REPORT_NOTEBOOK = NOTEBOOKS_DIR / "rep_report.ipynb"
WEIGHTS_PRESETS_DIR = PACKAGE_DIR / "weights"
DEFAULT_REPORTS_DIR = PROJECT_DIR / "reports"
# The team explorer's "save weights" button writes here unless given a file; `make reports` reads it when present.
DEFAULT_WEIGHTS_FILE = PROJECT_DIR / "weights.toml"

# Analyses that compare reps need a few reps to compare with.
MIN_REPS_FOR_COMPARISON = 3


def default_jobs() -> int:
    """Worker processes for batch work: the number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
