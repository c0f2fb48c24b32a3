"""Fixtures shared by the whole test suite."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from salesnb.config import SAMPLE_DIR

ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The bundled sample team (read-only: copy it before writing anywhere near it)."""
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def two_table_dir(tmp_path_factory) -> Path:
    """The sample team reduced to the two required tables: reps and opportunities."""
    out = tmp_path_factory.mktemp("two-tables")
    for name in ("reps.csv", "opportunities.csv", "dataset.toml"):
        if (SAMPLE_DIR / name).exists():
            shutil.copy(SAMPLE_DIR / name, out / name)
    return out


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests keep what a person should look at (screenshots); git-ignored."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR
