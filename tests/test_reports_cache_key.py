"""A report is redone when anything it is made from changes: a deal, the weights, the as-of date, the period.

The real batch path (`run_reports`: the analysis, the snapshot, the status records and their key, the view
and the HTML export) on a small copy of the sample (reps, deals, quotas) for one rep. Only the kernel is left
out: the fixture notebook is taken as executed, in this process (what a kernel does is tested in
test_reports.py); the test is about what decides a report is up to date. Between the changes, a run with
nothing changed redoes nothing, so each "redone" is that change's doing.
"""
from __future__ import annotations

import shutil

import nbformat
import pandas as pd
import pytest

import salesnb.reports
from salesnb.batch import runner

from salesnb.config import WEIGHTS_PRESETS_DIR
from salesnb.reports import run_reports
from test_reports_helpers import EMPTY_NOTEBOOK

pytestmark = pytest.mark.slow
REP = "R003"


@pytest.fixture
def no_kernel(monkeypatch):
    def as_executed(task, out_tmp):
        nb = nbformat.read(task.notebook, as_version=4)
        nbformat.write(nb, str(out_tmp))
        return nb

    monkeypatch.setattr(runner, "_execute", as_executed)
    monkeypatch.setattr(salesnb.reports, "run_tasks",
                        lambda tasks, jobs, on_done, log_dir=None: runner.run_tasks(tasks, 1, on_done))


@pytest.fixture
def data_dir(tmp_path, sample_dir):
    """Six reps of the sample with their deals and quotas."""
    d = tmp_path / "team"
    d.mkdir()
    reps = pd.read_csv(sample_dir / "reps.csv", dtype=str, keep_default_na=False)
    keep = set(reps["rep_id"][:6]) | {REP}
    reps[reps["rep_id"].isin(keep)].to_csv(d / "reps.csv", index=False)
    for name in ("opportunities.csv", "quotas.csv"):
        table = pd.read_csv(sample_dir / name, dtype=str, keep_default_na=False)
        table = table[table["rep_id"].isin(keep)]
        if "assisted_by" in table:
            table.loc[~table["assisted_by"].isin(keep), "assisted_by"] = ""
        table.to_csv(d / name, index=False)
    shutil.copy(sample_dir / "dataset.toml", d / "dataset.toml")
    return d


def test_each_input_change_redoes_the_report_and_nothing_else_does(data_dir, tmp_path, no_kernel):
    out = tmp_path / "out"

    def run(**kw):
        r = run_reports(data_dir, out, reps=[REP], notebook=EMPTY_NOTEBOOK, jobs=1, progress=False, scan=False, **kw)
        assert r.exit_code == 0, r.summary()
        return "written" if r.written == [REP] else "skipped" if r.skipped == [REP] else (r.written, r.skipped)

    assert run() == "written"
    assert run() == "skipped"

    # a deal amount: another rep's deal, so the rep's own figures may not even move; the data did
    opps = pd.read_csv(data_dir / "opportunities.csv", dtype=str, keep_default_na=False)
    row = opps.index[opps["rep_id"] != REP][0]
    opps.at[row, "amount"] = str(float(opps.at[row, "amount"]) + 1)
    opps.to_csv(data_dir / "opportunities.csv", index=False)
    assert run() == "written"
    assert run() == "skipped"

    # the weights: a file, then one weight in it moved
    weights = tmp_path / "mine.toml"
    text = (WEIGHTS_PRESETS_DIR / "balanced.toml").read_text(encoding="utf-8")
    weights.write_text(text, encoding="utf-8")
    assert run(weights_file=weights) == "written"
    assert run(weights_file=weights) == "skipped"
    weights.write_text(text.replace("win_rate = 10.0", "win_rate = 11.0"), encoding="utf-8")
    assert run(weights_file=weights) == "written"

    # the as-of date, then the period
    assert run(weights_file=weights, as_of="2026-10-31") == "written"
    assert run(weights_file=weights, as_of="2026-10-31") == "skipped"
    assert run(weights_file=weights, as_of="2026-10-31", period="2026-Q3") == "written"
    assert run(weights_file=weights, as_of="2026-10-31", period="2026-Q3") == "skipped"
