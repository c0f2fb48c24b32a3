"""salesnb installed as users install it: the wheel in a fresh virtualenv, run from an empty folder."""
from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


def _run(cmd, cwd, timeout=600):
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh virtualenv with only the built wheel (and what it depends on) installed."""
    base = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(base / "dist"), str(ROOT)], base)
    (wheel,) = (base / "dist").glob("salesnb-*.whl")
    venv.create(base / "env", with_pip=True)
    bin_dir = base / "env" / "bin"
    _run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], base, timeout=900)
    work = base / "work"
    work.mkdir()
    return bin_dir, work


def test_the_installed_package_ships_its_notebooks_and_sample(installed):
    bin_dir, work = installed
    code = ("import salesnb.config as c; print(c.SAMPLE_DIR); print(c.REPORT_NOTEBOOK); "
            "print(c.SAMPLE_DIR.joinpath('reps.csv').is_file(), c.REPORT_NOTEBOOK.is_file())")
    out = _run([str(bin_dir / "python"), "-c", code], work).stdout.splitlines()
    assert "site-packages" in out[0] and "site-packages" in out[1], out  # not the checkout
    assert out[2] == "True True"


def test_sample_reports_and_notebooks_run_from_an_empty_folder(installed):
    bin_dir, work = installed
    salesnb = str(bin_dir / "salesnb")
    _run([salesnb, "sample", "--reps", "5", "--seed", "3", "--volume", "0.05", "--no-stories", "--out", "team"], work)
    out = _run([salesnb, "reports", "--data", "team", "--jobs", "2", "--no-progress"], work).stdout
    assert "5 report(s) written" in out and "0 failed" in out
    assert (work / "reports" / "index.html").is_file()  # relative to where the command ran
    assert len(list((work / "reports").glob("R*.html"))) == 5
    _run([salesnb, "notebooks", "mine"], work)
    assert sorted(p.name for p in (work / "mine").iterdir()) == ["rep_report.ipynb", "team_explorer.ipynb"]
    # nothing was written next to the installed package
    site = next((bin_dir.parent / "lib").glob("python3*/site-packages/salesnb"))
    assert not (site / "reports").exists() and not (site.parent / "reports").exists()
