"""A papermill engine that keeps one kernel warm per worker process: ``salesnb-warm``.

    papermill.execute_notebook(nb, out, parameters=..., engine_name="salesnb-warm")

Starting a kernel and importing what the report needs is the part of a report that is the same for
every rep; this engine pays it once per worker process instead of once per report. Before each
notebook it resets the kernel to a new session (every name the previous report defined is deleted and
the execution counter starts at 1 again, so the executed notebook is numbered as a fresh kernel's would
be). The report notebook keeps no state outside its namespace: it reads everything from its rep's view
file. A report that fails in any way (a cell raised, a timeout, the kernel died) retires the kernel, so
the next report starts a fresh one; so does a kernel that has served `MAX_REPORTS` reports.

The kernel is shut down when the worker process exits; a worker killed outright leaves a kernel that
notices its parent is gone (ipykernel's parent poller) and exits within a second.
"""
from __future__ import annotations

import atexit
import os
import time

from jupyter_core.utils import ensure_async, run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.utils import merge_kwargs, remove_args

ENGINE_NAME = "salesnb-warm"
MAX_REPORTS = 200  # a long-lived kernel's memory creeps up (IPython's output cache, allocator): renew it now and then
# A new session: no name from the previous report, execution counts from 1 (as a fresh kernel numbers cells).
_RESET = "get_ipython().reset(new_session=True, aggressive=False)"

_warm: dict = {"km": None, "pid": None, "served": 0, "started": 0.0}
last_start_seconds = 0.0  # seconds the last report waited for its kernel (start, if cold, and connection)


def _kernel_manager():
    """This process's warm kernel manager, or None (none yet, or it belongs to the process we were forked from)."""
    km = _warm["km"]
    if km is None or _warm["pid"] != os.getpid():
        return None
    try:
        if km.has_kernel and not _sync(km.is_alive):
            retire()
            return None
    except Exception:
        retire()
        return None
    return km


def retire() -> None:
    """Shut this process's warm kernel down (the next report starts a fresh one)."""
    km, _warm["km"], _warm["served"] = _warm["km"], None, 0
    if km is None or _warm["pid"] != os.getpid():
        return
    try:
        if km.has_kernel:
            _sync(km.shutdown_kernel, now=True)
    except Exception:  # already gone
        pass


atexit.register(retire)


def _sync(method, *args, **kwargs):
    """Call a kernel manager's method, asynchronous (nbclient's AsyncKernelManager) or not."""
    async def call():
        return await ensure_async(method(*args, **kwargs))

    return run_sync(call)()


class _WarmClient(PapermillNotebookClient):
    """papermill's client, resetting the (warm) kernel before the notebook's first cell."""

    def papermill_execute_cells(self):
        global last_start_seconds
        last_start_seconds = time.perf_counter() - self.asked_at  # the kernel started (if cold) and connected
        msg_id = self.kc.execute(_RESET, silent=True, store_history=False)
        reply = self.wait_for_reply(msg_id)
        if reply is None or reply["content"].get("status") != "ok":
            raise RuntimeError("the warm kernel could not be reset for the next report")
        return super().papermill_execute_cells()


class WarmEngine(NBClientEngine):
    """papermill's nbclient engine with the kernel kept alive between notebooks of one process."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                 start_timeout=60, execution_timeout=None, **kwargs):
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        final = merge_kwargs(kwargs, timeout=execution_timeout, startup_timeout=start_timeout,
                             kernel_name=kernel_name, log_output=log_output, stdout_file=stdout_file,
                             stderr_file=stderr_file)
        client = _WarmClient(nb_man, **final)
        km = _kernel_manager()
        if km is not None and km.kernel_name != kernel_name:
            retire()
            km = None
        t0 = time.perf_counter()
        if km is None:
            km = client.create_kernel_manager()
            client.start_new_kernel()
            _warm.update(km=km, pid=os.getpid(), served=0)
        client.km, client.owns_km = km, False  # the kernel outlives this notebook
        client.asked_at = t0
        ok = False
        try:
            nb = client.execute()
            ok = all(not _has_error(c) for c in nb.cells)
            return nb
        finally:
            if client.kc is not None:
                client.kc.stop_channels()
            _warm["served"] += 1
            if not ok or _warm["served"] >= MAX_REPORTS:
                retire()


def _has_error(cell) -> bool:
    return cell.get("cell_type") == "code" and any(o.get("output_type") == "error" for o in cell.get("outputs", []))


papermill_engines.register(ENGINE_NAME, WarmEngine)

__all__ = ["ENGINE_NAME", "WarmEngine", "retire"]
