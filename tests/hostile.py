"""What the hostile-user fault cases (tests/test_faults_hostile.py, tests/test_faults_runs.py) share: a small
generated team, a way to rewrite its columns, and a command run in-process."""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pandas as pd
import pytest
from faults import TRACEBACK

from salesnb import cli
from salesnb.generate import generate


@pytest.fixture(scope="module")
def team(tmp_path_factory) -> Path:
    """Six generated reps with little data (reports on one or two take seconds); copy before changing it."""
    folder = tmp_path_factory.mktemp("hostile-team") / "data"
    generate(folder, reps=6, seed=7, volume=0.05, stories=False)
    return folder


def rewrite(folder: Path, table: str, **columns) -> None:
    """Set whole columns of one table (column -> value, or a function of the frame)."""
    frame = pd.read_csv(folder / table, dtype=str, keep_default_na=False)
    for column, value in columns.items():
        frame[column] = value(frame) if callable(value) else value
    frame.to_csv(folder / table, index=False)


def run(argv: list[str]) -> tuple[int, str]:
    """One command in-process: its exit code and everything it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            code = cli.main(argv)
        except SystemExit as exc:
            code = exc.code
    assert TRACEBACK not in out.getvalue(), out.getvalue()
    return code, out.getvalue()
