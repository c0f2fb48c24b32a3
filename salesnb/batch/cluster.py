"""Where the reports run: a Dask distributed cluster, started here or already running.

    outcomes = run_tasks(tasks, jobs=2, on_done=record)                               # a local cluster
    outcomes = run_tasks(tasks, jobs=2, on_done=record, scheduler="tcp://host:8786")  # an existing one

One engine either way. Without a scheduler address a `LocalCluster` is started for the run (worker
processes, `jobs` of them, one thread each, dying with this process) and closed after it. Each task
renders one rep's report (`runner.run_rep`: view, papermill on the worker's warm kernel, offline HTML,
atomic writes) and runs the privacy scan on the page it wrote, in the worker, and returns one
`RepOutcome`; `on_done` is called in this process as the outcomes arrive (`as_completed`), where the
status records, history, PDFs and index are written, as before.

Faults. A worker that dies mid-report has written no partial file (every write is a temporary file
renamed into place); the scheduler gives its task to another worker (Dask's ``allowed-failures``, and
``retries`` for an error raised outside the report). A scheduler that goes away ends the run with
`SchedulerLost` (a message, no traceback): every report that came back is recorded, so running the same
command again does only the rest.

The workers must see the output folder (and the run's snapshot in it) at the same path as this process:
on one machine they do; on a cluster, a shared file system mounted at the same place (docs/batch-reports.md).
"""
from __future__ import annotations

import os
import signal
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Iterable

from ..errors import SalesnbError, Terminated
from .runner import RepOutcome, RepTask, _first_line_error

RETRIES = 2  # a task that raised (outside the report itself, which never raises) runs again, elsewhere
RECONNECT = "20s"
SCRATCH = "dask"  # OUT/_batch/dask: the local cluster's scratch space, removed after the run  # how long the client waits for a scheduler that went away to come back


class SchedulerLost(SalesnbError):
    """The Dask scheduler went away mid-run; the reports that came back are kept."""


# ------------------------------------------------------------------ in the worker


def render(task: RepTask, team_names: list[tuple[str, str]], scan: bool) -> RepOutcome:
    """One rep's report, then the privacy scan of the page as written (in the worker, beside the page)."""
    from .privacy import scan_report
    from .runner import run_in_worker

    outcome = run_in_worker(task)
    if outcome.ok and scan:
        t0 = time.perf_counter()
        html_path = Path(task.html_path)
        leaks = scan_report(html_path.read_text(encoding="utf-8"), task.rep_id, team_names,
                            allowed_names=[task.peer_name] if task.peer_name else [], report=html_path.name)
        outcome.extra["leaks"] = [asdict(leak) for leak in leaks]
        outcome.extra.setdefault("clock", {})["scan"] = round(time.perf_counter() - t0, 4)
    outcome.extra["worker"] = os.getpid()
    return outcome


def _skip_slow_import() -> None:
    """jsonschema (through nbformat) builds an RFC 3987 grammar when `rfc3987_syntax` is installed: seconds per
    process, for the "iri" string format that no notebook schema uses. Marking it absent skips just that check."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def _warm_up(log_dir: str | None, local: bool) -> None:
    """Once per worker process, before its first report: what every report would otherwise import again."""
    _skip_slow_import()
    if local:  # a worker of this run's own cluster: it dies with the run and logs into its folder
        from .runner import init_worker

        init_worker(log_dir)
    import nbformat  # noqa: F401
    import papermill  # noqa: F401

    from . import warm_kernel  # noqa: F401  (registers the salesnb-warm engine)
    from .export import _exporter

    _exporter()


def _plugin(log_dir: str | None, local: bool):
    from distributed import WorkerPlugin

    class SalesnbWorker(WorkerPlugin):
        name = "salesnb-worker"

        def setup(self, worker):
            _warm_up(log_dir, local)

    return SalesnbWorker()


# ------------------------------------------------------------------ in this process


def _quiet_dask() -> None:
    """Dask logs every worker start, stop and lost connection; the run says what matters in its own words."""
    import logging

    import distributed  # noqa: F401  (sets up its loggers, some with their own level)

    for name in ["distributed", "tornado", *logging.root.manager.loggerDict]:
        if name.split(".")[0] in ("distributed", "tornado"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


def connect(scheduler: str | None, jobs: int, log_dir: Path | None):
    """(client, cluster or None): a client of the scheduler at `scheduler`, or of a local cluster started now."""
    import dask
    from distributed import Client, LocalCluster

    _quiet_dask()
    _skip_slow_import()
    dask.config.set({"distributed.scheduler.allowed-failures": RETRIES})
    if log_dir is not None:  # the local workers' scratch space: in the run's folder, not the system's /tmp
        dask.config.set({"temporary-directory": str(Path(log_dir).parent / SCRATCH)})
    if scheduler:
        try:
            client = Client(scheduler, timeout=RECONNECT, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise SchedulerLost(f"cannot reach the Dask scheduler at {scheduler} ({_first_line_error(exc)}). Check "
                                "the address (e.g. tcp://host:8786) and that `dask scheduler` runs there.") from None
        client.register_plugin(_plugin(str(log_dir) if log_dir else None, local=False))
        return client, None
    cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0",
                           scheduler_port=0, host="127.0.0.1", silence_logs=50)
    client = Client(cluster, set_as_default=False)
    client.register_plugin(_plugin(str(log_dir) if log_dir else None, local=True))
    return client, cluster


def _dashboard() -> bool:
    """Dask serves its dashboard with Bokeh, when installed."""
    try:
        import bokeh  # noqa: F401
    except ImportError:
        return False
    return True


def where(client, cluster) -> str:
    """One line: the scheduler and where to watch it."""
    link = getattr(client, "dashboard_link", "") if _dashboard() or cluster is None else ""
    n = len(client.scheduler_info().get("workers", {}))
    address = client.scheduler.address if cluster is None else f"a local cluster ({n} worker(s))"
    return (f"Dask: {address}; dashboard: {link}" if link else
            f"Dask: {address} (pip install bokeh for its dashboard)")


def run_tasks(tasks: Iterable[RepTask], jobs: int, on_done: Callable[[RepOutcome], None], *,
              scheduler: str | None = None, log_dir: Path | None = None, team_names=(), scan: bool = True,
              say: Callable[[str], None] | None = None) -> list[RepOutcome]:
    """Run `tasks` on the cluster, calling `on_done` in this process as each outcome arrives."""
    tasks = list(tasks)
    outcomes: list[RepOutcome] = []
    if not tasks:
        return outcomes
    from distributed import as_completed

    client, cluster = connect(scheduler, min(jobs, len(tasks)), log_dir)
    previous = _terminate_on_sigterm()
    pending: dict = {}
    try:
        if say:
            say(where(client, cluster))
        names = client.scatter(list(team_names), broadcast=True)  # once per worker, not once per task
        pending = {client.submit(render, t, names, scan, key=f"salesnb-report-{i}-{t.rep_id}", retries=RETRIES,
                                 pure=False): t for i, t in enumerate(tasks)}
        for fut in as_completed(list(pending), loop=client.loop):
            task = pending.pop(fut)
            if fut.status == "finished":
                o = fut.result()
            elif fut.status == "cancelled" or _lost(client):  # the client cancels every task when it loses the scheduler
                pending[fut] = task
                break
            else:  # raised outside the report, or its workers kept dying
                try:
                    fut.result()
                    error = "the task did not finish"
                except BaseException as exc:  # noqa: BLE001  (CancelledError is a BaseException)
                    error = _first_line_error(exc)
                o = RepOutcome(task.rep_id, False, error=f"worker failed: {error}")
            outcomes.append(o)
            on_done(o)
        if pending or _lost(client):
            raise SchedulerLost(_lost_message(scheduler, len(outcomes), len(pending) or len(tasks) - len(outcomes)))
    except BaseException:
        _stop(client, cluster, pending)
        raise
    else:
        _close(client, cluster)
    finally:
        signal.signal(signal.SIGTERM, previous) if previous is not None else None
    return outcomes


def clock_of(o: RepOutcome) -> dict:
    """Where the report's time went, as measured in its worker (view, kernel, notebook, export, write, scan)."""
    return {"clock": o.extra["clock"]} if o.extra.get("clock") else {}


def progress_bar(total: int, initial: int, enabled: bool):
    """A bar over the reports as the cluster hands them back (None: no bar)."""
    if not enabled or total == 0:
        return None
    from tqdm.auto import tqdm

    bar = tqdm(total=total, initial=initial, desc="reports", unit="rep", file=sys.stderr, dynamic_ncols=True)
    bar.set_postfix(done=initial, failed=0, left=total - initial, refresh=True)
    return bar


def _lost(client) -> bool:
    return client.status != "running"  # "connecting": trying to reach a scheduler that went away


def _lost_message(scheduler: str | None, done: int, left: int) -> str:
    where_ = f"the Dask scheduler at {scheduler}" if scheduler else "the local Dask scheduler"
    return (f"lost {where_} mid-run: {done} report(s) came back and are kept, {left} did not run to the end. "
            "Run the same command again once the scheduler is back: it does only the reports still missing.")


def _terminate_on_sigterm():
    """Turn SIGTERM into `Terminated`, so the cluster is taken down instead of orphaned."""
    def handler(signum, frame):
        raise Terminated
    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        return None


def _close(client, cluster) -> None:
    try:
        client.close(timeout=10)
    except Exception:  # the scheduler is gone already
        pass
    if cluster is not None:
        try:
            cluster.close(timeout=10)
        except Exception:
            pass
        import dask
        import shutil

        scratch = dask.config.get("temporary-directory", None)
        if scratch and Path(scratch).name == SCRATCH:
            shutil.rmtree(scratch, ignore_errors=True)


def _stop(client, cluster, pending: dict, grace: float = 5.0) -> None:
    """Stop the run: on a cluster of our own, SIGTERM every worker (each kills its kernel and removes its task's
    temporary files) and wait for them; on someone else's, cancel our tasks (a report already running finishes
    and is kept, atomically, for the next run)."""
    if cluster is not None:
        pids = [w.process.process.pid for w in list(cluster.workers.values())
                if getattr(getattr(w, "process", None), "process", None) is not None]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except (ProcessLookupError, TypeError):
                pass
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(_alive(p) for p in pids):
            time.sleep(0.05)
        for pid in pids:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    elif pending and not _lost(client):
        try:
            client.cancel(list(pending), force=True)
        except Exception:
            pass
    _close(client, cluster)


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
        if waited == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


__all__ = ["SchedulerLost", "clock_of", "connect", "progress_bar", "render", "run_tasks", "where"]
