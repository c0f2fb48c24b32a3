"""Atomic file writes: a temporary file in the target's folder, then `os.replace`.

A run killed at any moment leaves either the previous complete file or the new complete file,
never a truncated one. Temporary files carry a recognisable suffix so a later run can sweep them.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

TMP_SUFFIX = ".salesnb-tmp"


def temp_path_for(target: Path) -> Path:
    """A fresh, unique temporary path next to `target` (same folder, so `os.replace` is atomic)."""
    # keep the real extension last: papermill warns on output paths not ending in .ipynb
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TMP_SUFFIX + target.suffix, dir=target.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; reports are ordinary files
    return Path(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes_atomic(target: Path, data: bytes) -> None:
    """Write `data` to `target` atomically (flushed to disk before the rename)."""
    target = Path(target)
    tmp = temp_path_for(target)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(target: Path, text: str) -> None:
    """Write UTF-8 `text` to `target` atomically."""
    write_bytes_atomic(target, text.encode("utf-8"))


def write_atomic(target: Path, write) -> None:
    """Call `write(tmp_path)` to fill a temporary file next to `target`, then rename it into place.

    For writers that want a path (pyarrow, pandas, pickle); on any failure the temporary file is removed
    and `target` is left as it was.
    """
    target = Path(target)
    tmp = temp_path_for(target)
    try:
        write(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def sweep_temp_files(folder: Path, owned: set[str] | None = None, stale_after: float = 3600.0) -> int:
    """Delete temporary files left in `folder` by a killed run; returns how many.

    owned: stems of the files this run writes (their leftovers are swept at once); other leftovers may
    belong to another shard writing into the same folder right now, so they are swept only when older
    than `stale_after` seconds. None: sweep every leftover.
    """
    n = 0
    now = time.time()
    for p in Path(folder).glob(f".*{TMP_SUFFIX}*"):
        target = p.name[1:].split(".")[0]
        try:
            if owned is None or target in owned or now - p.stat().st_mtime > stale_after:
                p.unlink(missing_ok=True)
                n += 1
        except FileNotFoundError:
            pass
    return n
