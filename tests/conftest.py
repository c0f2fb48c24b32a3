"""Fixtures shared by the whole test suite."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from salesnb.config import SAMPLE_DIR

ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="session", autouse=True)
def _own_cache_and_settings(tmp_path_factory):
    """The facts cache and saved weights of the test run live in its own folders (inherited by the servers and
    kernels the tests start): the user's are neither read nor changed. No background warming: tests that
    need it start it themselves."""
    import os

    root = tmp_path_factory.mktemp("salesnb-home")
    saved = {k: os.environ.get(k) for k in ("SALESNB_CACHE_DIR", "SALESNB_CONFIG_DIR", "SALESNB_WARM")}
    os.environ.update(SALESNB_CACHE_DIR=str(root / "cache"), SALESNB_CONFIG_DIR=str(root / "config"),
                      SALESNB_WARM="off")
    yield root
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


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
