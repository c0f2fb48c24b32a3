"""One rep's report, as a worker process runs it: `run_rep(task)`.

The task builds its rep's view and charts from the run's snapshot (`prepare`), executes the notebook with
papermill (through the ``salesnb-warm`` engine: one kernel per worker process, reset between reports,
`warm_kernel`), exports it to offline HTML, and writes the HTML and the executed ``.ipynb`` atomically. A
task never raises: it returns a `RepOutcome` saying what failed (the cell and the message), so one broken
rep cannot stop the others. Where the tasks run (a Dask cluster, local or not) is `batch.cluster`'s
concern; the worker-process set-up below (signals, temporary folder, dying with the parent) is used there.
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import sweep_temp_files, temp_path_for, write_bytes_atomic, write_text_atomic

KERNEL_NAME = "python3"
ENGINE = "salesnb-warm"  # papermill's engine for reports (`warm_kernel`); "nbclient": a fresh kernel per report
# The known race of starting many kernels at once: two kernels pick the same free port.
_KERNEL_RACE = "Address already in use"


@dataclass
class RepTask:
    """Everything a worker needs to produce one rep's report (plain data: it crosses a process boundary)."""

    rep_id: str
    notebook: str
    parameters: dict[str, Any]
    html_path: str
    ipynb_path: str
    failed_path: str
    title: str
    snapshot: str = ""  # the run's snapshot folder: the task builds its view from it into `view_path`
    view_path: str = ""
    last_report: dict | None = None  # the record of the rep's previous report (batch.history), if any
    execution_timeout: int = 600
    start_timeout: int = 120
    peer_name: str = ""  # the one other rep the report may name (the privacy scan allows it)


@dataclass
class RepOutcome:
    """What happened to one rep's report."""

    rep_id: str
    ok: bool
    seconds: float = 0.0
    cell: int | None = None  # index of the failing cell in the executed notebook
    cell_source: str = ""  # its first lines
    error: str = ""  # "ValueError: rep 'x' has no name"
    attempts: int = 1
    extra: dict = field(default_factory=dict)

    @property
    def reason(self) -> str:
        """One line for people: which cell failed and why."""
        if self.ok:
            return ""
        where = f"cell {self.cell}" if self.cell is not None else "before any cell ran"
        code = [ln.strip() for ln in self.cell_source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
        src = code[0][:80] if code else ""
        return f"{where}{f' ({src})' if src else ''}: {self.error}"

    def to_dict(self) -> dict:
        return asdict(self)


def _execute(task: RepTask, out_tmp: Path):
    import papermill

    from . import warm_kernel  # noqa: F401  (registers the salesnb-warm engine)

    return papermill.execute_notebook(
        task.notebook,
        str(out_tmp),
        parameters=task.parameters,
        kernel_name=KERNEL_NAME,
        engine_name=ENGINE,
        progress_bar=False,
        log_output=False,
        request_save_on_cell_execute=False,
        execution_timeout=task.execution_timeout,
        start_timeout=task.start_timeout,
    )


def _first_line_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[-1] if text else ''}".strip().rstrip(":")


def run_rep(task: RepTask) -> RepOutcome:
    """Execute and export one rep's report; never raises (the outcome carries the failure).

    A failed rep keeps no report from an earlier run: the folder must not offer outdated figures.
    """
    outcome = _run_rep(task)
    if not outcome.ok:
        _remove_stale(Path(task.html_path), Path(task.ipynb_path))
    return outcome


def _run_rep(task: RepTask) -> RepOutcome:
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    from .export import notebook_to_html

    t0 = time.perf_counter()
    html_path, ipynb_path = Path(task.html_path), Path(task.ipynb_path)
    record = None
    clock = {}  # where the report's time went (seconds): view, kernel, notebook, export, write
    if task.snapshot:
        try:
            from .history import record_of
            from .prepare import prepare_view

            record = record_of(prepare_view(task.snapshot, task.rep_id, task.view_path, task.last_report))
        except Exception as exc:
            return RepOutcome(task.rep_id, False, time.perf_counter() - t0,
                              error=f"preparing the view failed: {_first_line_error(exc)}")
    clock["view"] = time.perf_counter() - t0
    tmp = temp_path_for(ipynb_path)
    from . import warm_kernel

    warm_kernel.last_start_seconds = 0.0  # set by the warm engine; another engine's kernel start counts as notebook
    attempts = 0
    try:
        while True:
            attempts += 1
            try:
                nb = _execute(task, tmp)
                break
            except PapermillExecutionError as exc:
                _keep_failed(tmp, Path(task.failed_path))
                return RepOutcome(task.rep_id, False, time.perf_counter() - t0, cell=exc.cell_index,
                                  cell_source=exc.source or "", error=f"{exc.ename}: {exc.evalue}",
                                  attempts=attempts)
            except Exception as exc:  # kernel start, timeout, unreadable notebook
                if _KERNEL_RACE in str(exc) and attempts == 1:
                    time.sleep(0.5)
                    continue
                return RepOutcome(task.rep_id, False, time.perf_counter() - t0, error=_first_line_error(exc),
                                  attempts=attempts)
        t1 = time.perf_counter()
        clock["kernel"] = min(warm_kernel.last_start_seconds, t1 - t0 - clock["view"])
        clock["notebook"] = t1 - t0 - clock["view"] - clock["kernel"]
        _steady_ids(nb)
        try:
            html_text = notebook_to_html(nb, task.title)
        except Exception as exc:
            return RepOutcome(task.rep_id, False, time.perf_counter() - t0,
                              error=f"HTML export failed: {_first_line_error(exc)}", attempts=attempts)
        t2 = time.perf_counter()
        clock["export"] = t2 - t1
        write_text_atomic(html_path, html_text)
        _trust_here(nb)
        write_bytes_atomic(ipynb_path, nbformat.writes(nb).encode("utf-8"))
        Path(task.failed_path).unlink(missing_ok=True)
        clock["write"] = time.perf_counter() - t2
        extra = {"clock": {k: round(v, 4) for k, v in clock.items()}}
        return RepOutcome(task.rep_id, True, time.perf_counter() - t0, attempts=attempts,
                          extra={"history": record, **extra} if record else extra)
    finally:
        tmp.unlink(missing_ok=True)
        if task.view_path:
            Path(task.view_path).unlink(missing_ok=True)


def _steady_ids(nb) -> None:
    """papermill gives the cell it injects a random id; a fixed one keeps equal reports byte for byte equal."""
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"


def _trust_here(nb) -> None:
    """Sign the executed notebook for this user on this machine, as JupyterLab does when it saves one.

    JupyterLab does not draw the SVG charts of a notebook it has not signed (they fall back to
    their data tables); our own run produced these outputs, so they are trusted here, and only here.
    """
    try:
        from nbformat.sign import NotebookNotary

        NotebookNotary().sign(nb)
    except Exception:  # no writable Jupyter data folder, a locked signature database: charts show as tables
        pass


def _remove_stale(*paths: Path) -> None:
    for p in paths:
        p.unlink(missing_ok=True)


def _keep_failed(executed: Path, target: Path) -> None:
    """Keep the failed run's notebook (papermill writes it with an error banner) for whoever debugs it."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(target, executed.read_bytes())
    except OSError:
        pass


def _die_with_parent() -> None:
    """Ask Linux to send this worker SIGTERM when the process that started it dies (even by SIGKILL), so no
    worker goes on writing reports for a run that is over. Elsewhere the parent's own clean-up stops them."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() == 1:  # the parent died before the request took effect
            os._exit(1)
    except (OSError, AttributeError):
        pass


_current: RepTask | None = None  # the task this worker process is running, if any
_tmpdir: str | None = None  # this worker's own temporary folder


def run_in_worker(task: RepTask) -> RepOutcome:
    """`run_rep`, remembering the task so that a stopped worker can remove its temporary files."""
    global _current
    _current = task
    try:
        return run_rep(task)
    finally:
        _current = None


def _stop_worker(signum, frame) -> None:
    """SIGTERM in a worker (the batch is stopping, or its parent died): kill the task's kernel, remove the
    task's temporary files and exit at once.

    Cleaning up here, rather than raising into papermill's event loop, works wherever the signal lands; the
    kernel is killed first because one still starting would write its connection file after the clean-up.
    """
    _clean_up()
    _exit(128 + signum)


def _clean_up() -> None:
    _kill_children()
    task = _current
    if task is not None:
        for target in (task.html_path, task.failed_path, task.view_path):
            if target:
                sweep_temp_files(Path(target).parent, {Path(target).stem}, stale_after=float("inf"))
        if task.view_path:
            Path(task.view_path).unlink(missing_ok=True)
    if _tmpdir:
        shutil.rmtree(_tmpdir, ignore_errors=True)


_exit = os._exit


def _clean_up_on_exit(code) -> None:
    """`os._exit` in a worker of a local cluster. Dask's worker process watches its parent from a thread and
    calls `os._exit` the moment the parent dies (even by SIGKILL), before our SIGTERM handler could run: so
    that exit also kills the task's kernel and removes its temporary files first."""
    if threading.current_thread() is not threading.main_thread():
        _clean_up()
    _exit(code)


def _kill_children() -> None:
    """SIGKILL this process's children (its kernels). Linux only (/proc); elsewhere a kernel exits by itself
    within a second of noticing that its parent is gone."""
    me = os.getpid()
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == me:
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            pass


def _own_tempdir() -> None:
    """Give this worker (and the kernels it starts, whose connection files land there) a temporary folder of
    its own, removed when the worker exits or is stopped: a stopped batch leaves nothing in the system's."""
    global _tmpdir
    _tmpdir = tempfile.mkdtemp(prefix="salesnb-worker-")
    os.environ["TMPDIR"] = tempfile.tempdir = _tmpdir
    multiprocessing.util.Finalize(None, shutil.rmtree, args=(_tmpdir,), kwargs={"ignore_errors": True},
                                  exitpriority=0)


def init_worker(log_dir: str | None) -> None:
    """Set up a worker process (once, before its first report)."""
    # Workers must die with the batch: the parent decides when to stop, and Ctrl-C goes to the parent.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_worker)
    _die_with_parent()
    os._exit = _clean_up_on_exit
    _own_tempdir()
    if log_dir:
        # Kernels inherit this stderr: their start-up chatter goes to a log file, not over the progress bar.
        Path(log_dir).mkdir(parents=True, exist_ok=True)
        fd = os.open(Path(log_dir) / f"worker-{os.getpid()}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
