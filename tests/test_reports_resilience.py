"""Resilience of the batch: a broken rep fails alone, a killed run finishes on a re-run with no truncated
file, hostile rep ids and names are safe, shards split the team.

These runs use the tiny fixture notebook tests/notebooks/minimal_report.ipynb (same parameters as the
real report, raises for a rep whose name starts with BROKEN), so they test the machinery, fast.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from salesnb.batch.select import shard_of
from salesnb.reports import run_reports
from salesnb.snapshot import load_snapshot
from test_reports_helpers import (EMPTY_NOTEBOOK, HOSTILE, MINIMAL_NOTEBOOK, XSS_NAME,
                                  hostile_dataset)

pytestmark = pytest.mark.slow
BROKEN_REP = "R010"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, sample_dir):
    d = tmp_path_factory.mktemp("hostile") / "team"
    hostile_dataset(sample_dir, d, broken=(BROKEN_REP,))
    return d


@pytest.fixture(scope="module")
def run(tmp_path_factory, data_dir):
    out = tmp_path_factory.mktemp("box") / "out"
    return run_reports(data_dir, out, notebook=MINIMAL_NOTEBOOK, jobs=2, progress=False)


def _snapshot_ids(out: Path) -> list[str]:
    """The reps of the run (current reps: people who left are kept for history, not reported on)."""
    (folder,) = (out / "_batch").glob("snapshot-*")
    return load_snapshot(folder).rep_ids


def _complete_html(path: Path) -> bool:
    return path.read_text(encoding="utf-8").rstrip().endswith("</html>")


def test_a_broken_rep_fails_alone_with_cell_and_message(run, data_dir):
    assert list(run.failed) == [BROKEN_REP]
    reason = run.failed[BROKEN_REP]
    assert reason.startswith("cell ") and "ValueError" in reason and "is broken" in reason
    assert run.exit_code == 1
    n_reps = len(_snapshot_ids(run.out_dir))
    assert len(run.reports) == n_reps - 1 and BROKEN_REP not in run.reports
    index = run.index_path.read_text(encoding="utf-8")
    assert "Failed reports" in index and "is broken" in index and "ValueError" in index
    assert (run.out_dir / "_failed" / f"{BROKEN_REP}.ipynb").is_file()
    assert not (run.out_dir / f"{BROKEN_REP}.html").exists()


def test_hostile_ids_give_safe_unique_files_inside_the_out_folder(run):
    names = [p.name for p in run.reports.values()]
    assert len(set(n.lower() for n in names)) == len(names)
    for rep_id, path in run.reports.items():
        assert path.parent == run.out_dir, (rep_id, path)
        assert path.name.endswith(".html") and not path.name.startswith(".")
    assert run.reports[HOSTILE["R008"][0]].name != "index.html"
    assert run.reports[HOSTILE["R006"][0]] != run.reports[HOSTILE["R007"][0]]
    assert run.reports["05"].name == "05.html" and run.reports["."].name.endswith(".html")
    assert run.leaks == []  # ids 05 and . raise no false alarm in anyone's report
    # "../x" wrote nothing next to the out folder
    assert sorted(p.name for p in run.out_dir.parent.iterdir()) == ["out"]


def test_hostile_names_are_escaped_in_the_index(run):
    index = run.index_path.read_text(encoding="utf-8")
    assert XSS_NAME not in index
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in index
    assert "<script" not in index.lower()
    page = run.reports[HOSTILE["R001"][0]].read_text(encoding="utf-8")
    assert "<script" not in page.lower()


def test_the_cli_exit_code_and_summary(data_dir, tmp_path):
    out = tmp_path / "cli"
    proc = subprocess.run([sys.executable, "-m", "salesnb", "reports", "--data", str(data_dir), "--out", str(out),
                           "--reps", f"R009,{BROKEN_REP}", "--jobs", "1", "--no-progress",
                           "--notebook", str(MINIMAL_NOTEBOOK)], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 1, proc.stderr
    assert "1 report(s) written" in proc.stdout and f"FAILED {BROKEN_REP}: cell" in proc.stdout
    assert str(out / "index.html") in proc.stdout


def test_a_killed_run_leaves_whole_files_and_a_rerun_finishes(data_dir, tmp_path):
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "salesnb", "reports", "--data", str(data_dir), "--out", str(out), "--jobs", "1",
           "--no-progress", "--notebook", str(MINIMAL_NOTEBOOK)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 600  # bounds a hang only: a loaded 2-core machine starts kernels slowly
        # the first report has landed once its status is recorded (just after its files)
        # (pathlib's glob also matches the hidden temporary file of a status still being written: skip those)
        while not [p for p in (out / "_batch" / "status").glob("*.json") if not p.name.startswith(".")]:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no report landed in time"
            time.sleep(0.05)
        proc.terminate()
        proc.wait(timeout=300)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.stdout.close()
        proc.stderr.close()
    landed = [p for p in out.glob("*.html") if p.name != "index.html" and not p.name.startswith(".")]
    n_reps = len(_snapshot_ids(out))
    assert 1 <= len(landed) < n_reps, "the run was not stopped half way"
    for p in landed:  # every report present is whole
        assert _complete_html(p), p.name
    for p in out.glob("*.ipynb"):
        if not p.name.startswith("."):  # hidden temporary files are swept by the next run
            nbformat.read(p, as_version=4)
    again = run_reports(data_dir, out, notebook=MINIMAL_NOTEBOOK, jobs=2, progress=False)
    assert list(again.failed) == [BROKEN_REP]
    assert len(again.reports) == n_reps - 1
    assert len(again.skipped) >= 1  # finished reports were kept, not redone
    for p in again.reports.values():
        assert _complete_html(p) and nbformat.read(p.with_suffix(".ipynb"), as_version=4)
    assert not list(out.rglob("*.salesnb-tmp*")), "temporary files left behind"
    # the run's kernels and workers are gone (they may take a while to exit on a loaded machine)
    deadline = time.monotonic() + 60
    while True:
        leftovers = subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True, text=True).stdout.split()
        if not leftovers or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert leftovers == [], f"processes of the killed run still alive: {leftovers}"


def test_shards_share_the_team_and_the_last_one_completes_the_index(data_dir, tmp_path):
    reps = ["R009", "R012", "R013", "R014", "R015", "R016"]
    out = tmp_path / "sharded"
    first = run_reports(data_dir, out, reps=reps, shard="1/2", notebook=EMPTY_NOTEBOOK, jobs=2, progress=False)
    second = run_reports(data_dir, out, reps=reps, shard="2/2", notebook=EMPTY_NOTEBOOK, jobs=2, progress=False)
    assert sorted(first.written) == sorted(r for r in reps if shard_of(r, 2) == 1)
    assert sorted(second.written) == sorted(r for r in reps if shard_of(r, 2) == 2)
    assert sorted(second.reports) == sorted(reps)  # the index after the last shard has everyone
    index = second.index_path.read_text(encoding="utf-8")
    assert f"{len(reps)} report(s) written, 0 failed" in index
    status = json.loads((out / "_batch" / "status" / "R009.json").read_text(encoding="utf-8"))
    assert status["ok"] is True


def test_a_failing_cell_is_reported_with_its_index_source_and_message(tmp_path):
    from salesnb.batch.runner import RepTask, run_rep

    task = RepTask(rep_id="R1", notebook=str(MINIMAL_NOTEBOOK.parent / "broken_cell.ipynb"),
                   parameters={"rep_id": "R1"}, html_path=str(tmp_path / "R1.html"),
                   ipynb_path=str(tmp_path / "R1.ipynb"), failed_path=str(tmp_path / "_failed" / "R1.ipynb"),
                   title="R1")
    outcome = run_rep(task)
    assert not outcome.ok
    # cells: title, parameters, injected parameters, the raising cell
    assert outcome.cell == 3
    assert outcome.error == "RuntimeError: this cell always fails"
    assert outcome.reason == 'cell 3 (raise RuntimeError("this cell always fails")): RuntimeError: this cell always fails'
    kept = nbformat.read(tmp_path / "_failed" / "R1.ipynb", as_version=4)
    assert any(o.get("output_type") == "error" for c in kept.cells if c.cell_type == "code" for o in c.outputs)
    assert not (tmp_path / "R1.html").exists()
