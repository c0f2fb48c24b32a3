"""One `salesnb reports` run at a time per output folder.

Two runs into one `--out` would sweep each other's temporary files and write each other's reports; the second
one stops at once instead, naming the run that holds the folder. The lock is `fcntl.flock` on
`OUT/_batch/run.lock` (as the facts cache locks its entries): the system releases it when the process ends, even
killed, so a stale lock never blocks a later run. The file holds who took it, for the message, and is removed
by the run that made it.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from pathlib import Path

from ..errors import ConfigError

LOCK_FILE = "run.lock"


@contextlib.contextmanager
def output_lock(batch_dir: Path, out_dir: Path):
    """Hold the output folder's lock for the block; `ConfigError` at once when another run holds it."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock (runs into one folder are then the user's to avoid)
        yield
        return
    path = batch_dir / LOCK_FILE
    while True:
        fh = open(path, "a+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "a process that has not said who it is yet"
            fh.close()
            raise ConfigError(f"{out_dir}: another salesnb reports run is writing there ({holder}). Fix: wait for "
                              "it to finish (or stop it), or choose another --out.") from None
        try:
            if os.fstat(fh.fileno()).st_ino == os.stat(path).st_ino:
                break  # the file is still the lock (the run before may have removed it as we opened it)
        except FileNotFoundError:
            pass
        fh.close()
    started = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    fh.seek(0)
    fh.truncate()
    fh.write(f"process {os.getpid()}, started {started}: salesnb {' '.join(sys.argv[1:])[:300]}\n")
    fh.flush()
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        fh.close()  # releases the lock
