"""The batch on a real Dask cluster that the test starts: a `dask scheduler` and two `dask worker` processes.

A worker killed in the middle of a report loses no report and leaves no partial file; the reports are the
ones a local run writes (byte for byte for the pages; the notebooks but for timestamps and the folder);
a scheduler that goes away ends the run with a message and a state the next run finishes.
Reports use tests/notebooks/paced_report.ipynb (the minimal report, 1.5 s long), so a kill lands mid-report.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from faults import _alive, _descendants, _is_kernel
from salesnb import cli
from ports import free_port
from salesnb.batch import cluster
from salesnb.reports import run_reports
from test_reports_helpers import FIXTURE_NOTEBOOKS

pytestmark = pytest.mark.slow
PACED = FIXTURE_NOTEBOOKS / "paced_report.ipynb"
REPS = ["R001", "R002", "R003", "R004", "R005"]
ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    return free_port()


class Cluster:
    """A scheduler and `n` workers (one thread each, no nanny: killing a worker's process kills the worker)."""

    def __init__(self, tmp: Path, n: int):
        self.address = f"tcp://127.0.0.1:{_free_port()}"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
        self.scheduler = subprocess.Popen([*dask, "--host", "127.0.0.1", "--port", self.address.rsplit(":", 1)[1],
                                           "--no-dashboard"], env=env, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, cwd=tmp)
        self.workers = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", self.address,
                                          "--nthreads", "1", "--no-nanny", "--no-dashboard", "--death-timeout", "30",
                                          "--local-directory", str(tmp / f"w{i}")], env=env,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp)
                        for i in range(n)]
        from distributed import Client

        with Client(self.address, timeout="60s") as client:
            client.wait_for_workers(n, timeout=120)

    def stop(self) -> None:
        procs = [*self.workers, self.scheduler]
        kernels = [k for p in self.workers for k in _descendants(p.pid) if _is_kernel(k)]
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait(timeout=30)
        for k in kernels:
            if _alive(k):
                os.kill(k, signal.SIGKILL)


@pytest.fixture
def two_workers(tmp_path):
    c = Cluster(tmp_path, 2)
    yield c
    c.stop()


def _busy(pid: int) -> bool:
    """The worker is running a report: it has a kernel."""
    return any(_is_kernel(k) and _alive(k) for k in _descendants(pid))


def _normalised(path: Path, out: Path) -> dict:
    """An executed notebook without what differs between two runs of the same report: timestamps, the folder."""
    nb = json.loads(path.read_text(encoding="utf-8").replace(str(out), "OUT"))
    nb["metadata"].pop("papermill", None)
    for cell in nb["cells"]:
        for key in ("execution", "papermill"):
            cell.get("metadata", {}).pop(key, None)
    return nb


def test_a_worker_killed_mid_run_loses_no_report(two_workers, sample_dir, tmp_path):
    out, local = tmp_path / "cluster", tmp_path / "local"
    victim = two_workers.workers[0]
    killed_busy = []

    def kill_when_busy():  # once a report has landed and the victim is in the middle of another
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            landed = [p for p in (out / "_batch" / "status").glob("*.json") if not p.name.startswith(".")]
            if landed and _busy(victim.pid):
                killed_busy.append(True)
                victim.kill()
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_when_busy)
    killer.start()
    result = run_reports(sample_dir, out, reps=REPS, notebook=PACED, scheduler=two_workers.address, progress=False)
    killer.join()
    assert killed_busy and victim.wait(timeout=10) is not None, "the worker was not killed mid-report"
    assert result.exit_code == 0 and result.failed == {} and result.leaks == []
    assert sorted(result.written) == sorted(REPS)
    for rep_id in REPS:
        status = json.loads((out / "_batch" / "status" / f"{rep_id}.json").read_text(encoding="utf-8"))
        assert status["ok"] and status["privacy"] == "passed"  # scanned, in the worker
        assert (out / f"{rep_id}.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert not list(out.rglob("*.salesnb-tmp*")), "a partial file was left"
    assert not [p for p in (out / "_batch" / "views").iterdir()], "a view was left"
    # the same reports as a run on a local cluster
    mine = run_reports(sample_dir, local, reps=REPS, notebook=PACED, jobs=2, progress=False)
    assert sorted(mine.written) == sorted(REPS)
    for rep_id in REPS:
        assert (out / f"{rep_id}.html").read_bytes() == (local / f"{rep_id}.html").read_bytes(), rep_id
        assert _normalised(out / f"{rep_id}.ipynb", out) == _normalised(local / f"{rep_id}.ipynb", local), rep_id
    index = result.index_path.read_text(encoding="utf-8")
    assert f"{len(REPS)} report(s) written, 0 failed" in index


def test_a_lost_scheduler_ends_the_run_with_a_message_and_a_rerun_finishes(tmp_path, sample_dir, capsys,
                                                                           monkeypatch):
    monkeypatch.setattr(cluster, "RECONNECT", "3s")
    c = Cluster(tmp_path, 1)
    out = tmp_path / "out"
    try:
        def kill_scheduler():
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                if list((out / "_batch" / "status").glob("[!.]*.json")) and _busy(c.workers[0].pid):
                    c.scheduler.kill()
                    return
                time.sleep(0.05)

        killer = threading.Thread(target=kill_scheduler)
        killer.start()
        code = cli.main(["reports", "--data", str(sample_dir), "--out", str(out), "--reps", ",".join(REPS[:4]),
                         "--notebook", str(PACED), "--scheduler", c.address, "--no-progress"])
        killer.join()
    finally:
        c.stop()
    err = capsys.readouterr().err
    assert code == 1
    assert f"lost the Dask scheduler at {c.address} mid-run" in err and "Run the same command again" in err
    assert "Traceback" not in err
    done = sorted(p.stem for p in (out / "_batch" / "status").glob("[!.]*.json"))
    assert 1 <= len(done) < 4
    assert "Not run in this batch" in (out / "index.html").read_text(encoding="utf-8")
    again = run_reports(sample_dir, out, reps=REPS[:4], notebook=PACED, jobs=1, progress=False)
    assert sorted(again.skipped) == done and sorted(again.written + again.skipped) == REPS[:4]
    assert again.exit_code == 0
