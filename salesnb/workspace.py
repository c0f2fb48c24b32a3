"""Put salesnb's notebooks where a manager opens them, and open them.

    salesnb notebooks mywork        # copies team_explorer.ipynb and rep_report.ipynb into mywork/
    salesnb lab mywork              # the same when missing, then JupyterLab on mywork/

The notebooks ship inside the package; copies are the manager's to edit and keep.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .atomic import write_bytes_atomic
from .config import NOTEBOOK_NAMES, NOTEBOOKS_DIR
from .errors import ConfigError


def copy_notebooks(folder: str | os.PathLike, force: bool = False) -> list[Path]:
    """Copy the notebooks into `folder` (created if needed); existing ones are kept unless `force`.

    Returns the notebooks written.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{folder} is a file, not a folder: give a folder to put the notebooks in.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create {folder}: {exc.strerror or exc}. Choose a folder you may write to.") from None
    written = []
    for name in NOTEBOOK_NAMES:
        target = folder / name
        if target.exists() and not force:
            continue
        if target.is_dir():
            raise ConfigError(f"{target} is a folder: move it away to put the notebook there.")
        try:
            write_bytes_atomic(target, (NOTEBOOKS_DIR / name).read_bytes())
        except OSError as exc:
            raise ConfigError(f"cannot write {target}: {exc.strerror or exc}.") from None
        written.append(target)
    return written


def lab_command(jupyter: str, folder: Path, port: int | None = None, browser: bool = True, ip: str | None = None,
                allow_root: bool = False, extra: list[str] | None = None) -> list[str]:
    """The `jupyter lab` command line: salesnb's options, then `extra` (any Jupyter option) as given. As root,
    --allow-root is passed on (JupyterLab refuses to start as root without it)."""
    cmd = [jupyter, "lab", f"--notebook-dir={folder}"]
    if port:
        cmd.append(f"--port={port}")
    if ip:
        cmd.append(f"--ip={ip}")
    if not browser:
        cmd.append("--no-browser")
    if allow_root or (hasattr(os, "geteuid") and os.geteuid() == 0):
        cmd.append("--allow-root")
    return [*cmd, *(extra or [])]


def start_lab(folder: str | os.PathLike, port: int | None = None, browser: bool = True, ip: str | None = None,
              allow_root: bool = False, extra: list[str] | None = None) -> int:
    """Copy the notebooks into `folder` when missing, then run JupyterLab there until it is stopped."""
    folder = Path(folder)
    copy_notebooks(folder)
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or shutil.which("jupyter")
    if jupyter is None:
        raise ConfigError("JupyterLab is not installed here: pip install jupyterlab (it comes with salesnb).")
    return subprocess.call(lab_command(jupyter, folder, port, browser, ip, allow_root, extra))
