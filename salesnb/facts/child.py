"""Running `salesnb cache warm` in another process: to compute a period without holding the data in this one
(a kernel), or to compute every period in the background (the dashboard, the explorer)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

WARM_ENV = "SALESNB_WARM"  # "off": no background warming (tests, or a machine too small for it)


def command(data_dir, period=None, as_of=None, weights=None, labels=None, background: bool = False) -> list[str]:
    """The `salesnb cache warm` command line that does `warm(...)` in another process."""
    cmd = [sys.executable, "-m", "salesnb", "cache", "warm", "--data", str(data_dir), "--quiet"]
    if period:
        cmd += ["--period", str(period)]
    if as_of:
        cmd += ["--as-of", str(as_of)]
    if weights:
        w = str(weights)
        cmd += ["--weights", w] if Path(w).suffix == ".toml" or os.sep in w else ["--preset", w]
    if labels == "all":
        cmd.append("--all-periods")
    elif labels:
        cmd += ["--periods", ",".join(labels)]
    if background:
        cmd.append("--background")
    return cmd


def in_another_process(data_dir, period=None, as_of=None, weights=None, labels=None) -> None:
    """Run `warm` in a child process and wait for it (the caller's memory never holds the data). Raises the
    child's own message (a `SalesnbError`) when it fails."""
    done = subprocess.run(command(data_dir, period, as_of, weights, labels), capture_output=True, text=True)
    if done.returncode != 0:
        from ..errors import SalesnbError

        message = (done.stderr or done.stdout).strip().removeprefix("salesnb cache: ")
        raise SalesnbError(message or f"computing the facts of {data_dir} failed (exit {done.returncode})")


def in_background(data_dir, period=None, as_of=None, weights=None) -> subprocess.Popen | None:
    """Start warming every offered period in a detached child process (None when warming is off)."""
    from . import store

    if not store.enabled() or os.environ.get(WARM_ENV, "").strip().lower() in ("off", "0", "no", "false"):
        return None
    import threading

    log = store.cache_root() / "warm.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(command(data_dir, period, as_of, weights, "all", background=True),
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    threading.Thread(target=proc.wait, daemon=True).start()  # reaped when it ends, never left a zombie
    return proc
