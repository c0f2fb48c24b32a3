"""Fault injection, second part (continued from tests/test_faults_hostile.py): runs of `reports` that meet
each other or their own past, small roles, a damaged snapshot. The same promises: a clear answer, no user file
lost or changed, and no report flagged by the privacy scan kept as current.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from faults import TRACEBACK, fingerprint
from hostile import rewrite, run, team  # noqa: F401 (team: a fixture)


# ---- history and privacy: last time's peer may be named; a report the scan flags is never current


def notebook(path: Path, body: str) -> str:
    """A small report notebook (the batch's `view_file` parameter) whose one cell shows `body`'s HTML."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('view_file = ""', metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import html, json\nfrom IPython.display import HTML, display\n"
                                          "view = json.load(open(view_file, encoding='utf-8'))['view']\n" + body)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return str(path)


SINCE = ("last = view.get('last_report') or {}\n"
         "display(HTML(f\"<h2>{html.escape(view['name'])}</h2><p>Last time it suggested pairing with \"\n"
         "             f\"{html.escape(str(last.get('then_peer')))}.</p>\"))\n")


def reports(data: Path, out: Path, nb: str, *more: str) -> tuple[int, str]:
    return run(["reports", "--data", str(data), "--out", str(out), "--no-progress", "--reps", "R001", "--jobs", "1",
                "--notebook", nb, *more])


def test_last_times_peer_is_allowed_in_a_report_like_todays(team, tmp_path):
    out, since = tmp_path / "out", notebook(tmp_path / "since.ipynb", SINCE)
    before = fingerprint(team)
    assert reports(team, out, since, "--as-of", "2026-09-30")[0] == 0
    names = pd.read_csv(team / "reps.csv", dtype=str).set_index("rep_id")["name"]
    record = json.loads((out / "_history" / "R001.json").read_text(encoding="utf-8"))
    today = record["records"][-1]["peer"]
    earlier = next(n for r, n in names.items() if r != "R001" and n != today)  # a peer an earlier run suggested
    record["records"][-1]["peer"] = earlier
    (out / "_history" / "R001.json").write_text(json.dumps(record), encoding="utf-8")
    code, said = reports(team, out, since, "--as-of", "2026-10-31")
    assert code == 0 and "PRIVACY" not in said, said
    assert f"suggested pairing with {earlier}." in (out / "R001.html").read_text(encoding="utf-8")
    assert fingerprint(team) == before


def test_a_report_the_scan_flags_is_never_kept_as_current(team, tmp_path):
    out = tmp_path / "out"
    names = pd.read_csv(team / "reps.csv", dtype=str).set_index("rep_id")["name"]
    leaking = notebook(tmp_path / "leak.ipynb", f"display(HTML('<p>' + html.escape({names['R005']!r}) + '</p>'))\n")
    for attempt in range(2):  # the same run twice: the second redoes it, and flags it again
        code, said = reports(team, out, leaking)
        assert code == 3 and "1 report(s) written, 0 already up to date" in said, (attempt, said)
        status = json.loads((out / "_batch" / "status" / "R001.json").read_text(encoding="utf-8"))
        assert status["privacy"] == "leak"
        index = (out / "index.html").read_text(encoding="utf-8")
        assert "held back: the privacy scan" in index and 'href="R001.html"' not in index


# ---- small roles: no aggregate of fewer than 3 other reps, and every aggregate rounded


def test_a_small_role_shows_no_colleagues_figures_and_a_big_one_only_rounded_ones(team, tmp_path):
    from dataclasses import asdict

    from salesnb.analysis import analyse
    from salesnb.load import load
    from salesnb.report.build import build_view
    from salesnb.report.gather import inputs_for

    data = tmp_path / "data"
    shutil.copytree(team, data)
    rewrite(data, "reps.csv", role=["SDR", "SDR", "AM", "AM", "AM", "AE"])  # roles of 2 (R001, R002) and 3
    inputs = inputs_for(analyse(load(data)))
    for rep_id in ("R001", "R003"):
        view = json.dumps(asdict(build_view(inputs.slice(rep_id))), default=str)
        shown = re.findall(r'"(team\w*|median|q1|q3|top|then_team_median)": (-?[0-9.e+-]+)', view)
        assert shown == [], (rep_id, shown)
    big = inputs_for(analyse(load(team)))  # one role of 6: shown, to 3 significant digits
    figures = [float(v) for _, v in re.findall(r'"(team_median|median|q1|q3|top|team)": (-?[0-9.e+-]+)',
                                                json.dumps(asdict(build_view(big.slice("R001"))), default=str))]
    assert figures and all(v == float(f"{v:.3g}") for v in figures), figures


# ---- concurrent runs: one run per output folder; the data's hash is taken before it is read


NOTEBOOKS = Path(__file__).parent / "notebooks"


def test_a_second_run_into_the_same_folder_stops_and_names_the_first(team, tmp_path):
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "salesnb", "reports", "--data", str(team), "--out", str(out), "--no-progress",
            "--reps", "R001", "--jobs", "1", "--notebook"]
    first = subprocess.Popen([*argv, str(NOTEBOOKS / "slow_report.ipynb")], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        lock = out / "_batch" / "run.lock"
        deadline = time.monotonic() + 180
        while not (lock.is_file() and lock.read_text()):
            assert first.poll() is None and time.monotonic() < deadline, first.stdout.read()
            time.sleep(0.2)
        second = subprocess.run([*argv, str(NOTEBOOKS / "minimal_report.ipynb")], capture_output=True, text=True,
                                timeout=300)
        said = second.stdout + second.stderr
        assert second.returncode == 1 and TRACEBACK not in said, said
        assert f"another salesnb reports run is writing there (process {first.pid}, started" in said, said
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # killed: its lock goes with it
        first.wait()
    code, said = reports(team, out, str(NOTEBOOKS / "minimal_report.ipynb"))
    assert code == 0 and "1 report(s) written" in said and not lock.exists(), said


def test_data_changed_during_a_run_makes_the_next_run_redo_the_report(team, tmp_path, monkeypatch):
    import salesnb.load

    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(team, data)
    real = salesnb.load.load

    def load_then_change(folder, *args, **kwargs):
        dataset = real(folder, *args, **kwargs)
        with open(data / "reps.csv", "a", encoding="utf-8") as fh:  # the CRM export lands mid-run
            fh.write("R099,Late Arrival,East,East,AE,Kim,2026-01-05,,\n")
        monkeypatch.setattr(salesnb.load, "load", real)
        return dataset

    monkeypatch.setattr(salesnb.load, "load", load_then_change)
    nb = str(NOTEBOOKS / "minimal_report.ipynb")
    assert reports(data, out, nb)[0] == 0
    code, said = reports(data, out, nb)
    assert code == 0 and "1 report(s) written, 0 already up to date" in said, said


# ---- a snapshot whose manifest lists nothing is refused, then rebuilt, not kept to fail every report


@pytest.mark.parametrize("manifest", [{"files": {}}, {"files": {"meta.json": None}}, [], {}], ids=str)
def test_an_empty_snapshot_manifest_is_rejected_and_the_snapshot_rebuilt(manifest, team, tmp_path):
    from salesnb.analysis import analyse
    from salesnb.errors import ReportError
    from salesnb.load import load
    from salesnb.report.gather import inputs_for
    from salesnb.snapshot import MANIFEST, check_snapshot, load_snapshot, save_snapshot

    inputs = inputs_for(analyse(load(team)))
    folder = save_snapshot(inputs, tmp_path / "snap")
    whole = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    broken = {**whole, **manifest} if isinstance(manifest, dict) else manifest
    if isinstance(broken, dict) and broken.get("files"):
        broken["files"] = {"meta.json": whole["files"]["meta.json"]}
    (folder / MANIFEST).write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(ReportError, match="run the reports again|Run the reports again"):
        check_snapshot(folder)
    save_snapshot(inputs, folder)  # the next run rebuilds it
    assert load_snapshot(folder).rep_ids == inputs.rep_ids
