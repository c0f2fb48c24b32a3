"""The fault-injection kit of tests/test_faults.py: what a case can break, the case, and how it is run.

Each breaker returns a function of the data folder (a fresh copy of the sample) that damages it.
"""
from __future__ import annotations

import contextlib
import csv
import datetime
import hashlib
import io
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Callable

from salesnb import cli
from salesnb.validate import dates

# In-process cases fix today's date, so that the sample (up to 2026-11-15) is never "in the future";
# subprocesses (permission cases only) use the real clock.
TODAY = datetime.date(2026, 12, 1)
TRACEBACK = "Traceback (most recent call last)"


# ---- what a case can do to the copy of the sample (each returns a function of the data folder)


def cell(file: str, line: int, column: str, value: str):
    """Set one cell (line 1 is the header); only that line is rewritten."""
    def apply(data: Path):
        lines = (data / file).read_text(encoding="utf-8").split("\n")
        header = next(csv.reader([lines[0]]))
        row = next(csv.reader([lines[line - 1]]))
        row[header.index(column)] = value
        lines[line - 1] = ",".join(f'"{v}"' if any(c in v for c in ',"\n') else v for v in row)
        (data / file).write_text("\n".join(lines), encoding="utf-8")
    return apply


def line(file: str, number: int, text: str | None):
    """Replace a whole line (None deletes it)."""
    def apply(data: Path):
        lines = (data / file).read_text(encoding="utf-8").split("\n")
        lines[number - 1:number] = [] if text is None else [text]
        (data / file).write_text("\n".join(lines), encoding="utf-8")
    return apply


def write(file: str, content: str | bytes):
    def apply(data: Path):
        (data / file).write_bytes(content if isinstance(content, bytes) else content.encode())
    return apply


def toml(text: str):
    return write("dataset.toml", text)


def remove(file: str):
    return lambda data: (data / file).unlink()


def folder_named(file: str):
    return lambda data: _vacate(data / file).mkdir()


def link(file: str, target: str):
    return lambda data: _vacate(data / file).symlink_to(target)


def fifo(file: str):
    return lambda data: os.mkfifo(_vacate(data / file))


def _vacate(path: Path) -> Path:
    path.unlink(missing_ok=True)
    return path


def chmod(file: str, mode: int):
    return lambda data: os.chmod(data / file if file else data, mode)


def recode(file: str, encoding: str):
    return lambda data: (data / file).write_bytes((data / file).read_text(encoding="utf-8").encode(encoding))


def truncate(file: str, keep: int):
    return lambda data: (data / file).write_bytes((data / file).read_bytes()[:keep])


def both(*breakers):
    return lambda data: [b(data) for b in breakers]


def at(file: str, number: int, column: str, value: str) -> tuple[str, ...]:
    """The fragments naming one cell as the report writes it."""
    return (f"{file}:{number}: column {column}: value {value!r}",)


class no(str):
    """A fragment that must not appear."""


class once(str):
    """A fragment that must appear exactly once."""


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], object]
    argv: tuple[str, ...]
    code: int
    fragments: tuple[str, ...] = ()
    subprocess: bool = False  # run `python -m salesnb` in its own process
    no_root: bool = False  # ... without root's power to read any file (permissions cases)

    def __init__(self, name, make, argv, code, *fragments, subprocess=False, no_root=False):
        flat = tuple(f for part in fragments for f in (part if isinstance(part, tuple) else (part,)))
        for key, value in dict(name=name, make=make, argv=argv, code=code, fragments=flat,
                               subprocess=subprocess or no_root, no_root=no_root).items():
            object.__setattr__(self, key, value)


@cache
def root_can_be_restricted() -> str | None:
    """None when permission cases can run here, else why not."""
    if os.geteuid() != 0:
        return None
    if shutil.which("setpriv") is None:
        return "running as root without setpriv, so file permissions cannot be made to apply"
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe"
        probe.write_text("x")
        probe.chmod(0)
        if subprocess.run([*NO_ROOT, "cat", str(probe)], capture_output=True).returncode == 0:
            return "setpriv could not drop root's file capabilities here"
    return None


_CAPS = "-dac_override,-dac_read_search"
NO_ROOT = ["setpriv", "--inh-caps", _CAPS, "--ambient-caps", _CAPS, "--bounding-set", _CAPS]


def fingerprint(root: Path) -> dict[str, tuple]:
    """Kind, mode and content hash of every path under `root` (links and pipes are not followed or opened)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st_ = os.lstat(path)
            if stat.S_ISREG(st_.st_mode):
                try:
                    with open(path, "rb") as fh:
                        kind = ("file", hashlib.sha256(fh.read()).hexdigest())
                except PermissionError:  # not root: a file made unreadable by the case
                    kind = ("file", "unreadable")
            elif stat.S_ISLNK(st_.st_mode):
                kind = ("link", os.readlink(path))
            else:
                kind = (stat.S_IFMT(st_.st_mode),)
            out[os.path.relpath(path, root)] = (*kind, stat.S_IMODE(st_.st_mode))
    return out


def run_case(case: Case, root: Path, monkeypatch) -> tuple[int, str]:
    argv = [a.format(data=root / "data") for a in case.argv]
    env_tmp = root / "tmp"
    if case.subprocess:
        prefix = NO_ROOT if case.no_root and os.geteuid() == 0 else []
        env = {**os.environ, "TMPDIR": str(env_tmp)}
        done = subprocess.run([*prefix, sys.executable, "-m", "salesnb", *argv], cwd=root, env=env,
                              capture_output=True, text=True, timeout=300)
        return done.returncode, done.stdout + done.stderr
    monkeypatch.chdir(root)
    monkeypatch.setenv("TMPDIR", str(env_tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(env_tmp))
    monkeypatch.setattr(dates, "today", lambda: TODAY)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exc:  # argparse
            code = exc.code
    return code, out.getvalue() + err.getvalue()
