"""Paths and defaults, in one place. Notebooks and commands import these instead of typing paths.

The notebooks and the sample team ship inside the installed package (``salesnb/notebooks``,
``salesnb/sample``); in a source checkout they live at the top of the project (``notebooks/``,
``data/sample/``) and are read from there. Outputs go where the user runs a command, never next to the
package.
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _shipped(inside: str, checkout: str) -> Path:
    """A folder the wheel ships inside the package, or the same folder of a source checkout."""
    installed = PACKAGE_DIR / inside
    return installed if installed.is_dir() else PACKAGE_DIR.parent / checkout


SAMPLE_DIR = _shipped("sample", "data/sample")
NOTEBOOKS_DIR = _shipped("notebooks", "notebooks")
TEAM_NOTEBOOK = NOTEBOOKS_DIR / "team_explorer.ipynb"
REPORT_NOTEBOOK = NOTEBOOKS_DIR / "rep_report.ipynb"
NOTEBOOK_NAMES = ("team_explorer.ipynb", "rep_report.ipynb")
WEIGHTS_PRESETS_DIR = PACKAGE_DIR / "weights"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
# Relative to the folder the command runs in.
DEFAULT_REPORTS_DIR = Path("reports")
# The team explorer's "Save weights" writes here unless given a file; `make reports` reads it when present.
DEFAULT_WEIGHTS_FILE = Path("weights.toml")

# Analyses that compare reps need a few reps to compare with; team aggregates of fewer reps would
# give a colleague's figures away.
MIN_REPS_FOR_COMPARISON = 3


def resolve_data_dir(data_dir: str | os.PathLike | None) -> Path:
    """The dataset folder a notebook parameter names; empty = the bundled sample team."""
    return Path(data_dir).expanduser() if data_dir else SAMPLE_DIR


def default_jobs() -> int:
    """Worker processes for batch work: the number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
