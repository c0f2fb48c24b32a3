"""Every bench script still imports: a name the package drops or renames fails here, not the next time someone
runs the bench (the benches are not run by the suite; their figures are in the closing notes)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.mark.parametrize("path", sorted(BENCH.glob("bench_*.py")) + [BENCH / "mutants.py"], ids=lambda p: p.stem)
def test_the_bench_imports(path, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    spec = importlib.util.spec_from_file_location(f"_bench_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the scripts run only under __main__
    assert module.__doc__, f"{path.name} says what it measures"
    sys.modules.pop(spec.name, None)
