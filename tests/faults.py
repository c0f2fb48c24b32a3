"""The fault-injection kit of tests/test_faults.py: what a case can break, the case, and how it is run.

Each breaker returns a function of the data folder (a fresh copy of the sample, or of a small generated
team for `reports`) that damages it; `out(...)` breakers put obstacles in the output folder beside it.
"""
from __future__ import annotations

import contextlib
import csv
import datetime
import hashlib
import io
import json
import os
import shutil
import signal as signals
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Callable

from salesnb import cli
from salesnb.atomic import TMP_SUFFIX
from salesnb.fingerprint import file_hash
from salesnb.validate import dates

# In-process cases fix today's date, so that the sample (up to 2026-11-15) is never "in the future";
# subprocesses (permission and signal cases) use the real clock.
TODAY = datetime.date(2026, 12, 1)
TRACEBACK = "Traceback (most recent call last)"
NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
PLACES = {"out": "out", "nb": str(NOTEBOOKS / "minimal_report.ipynb"), "slow": str(NOTEBOOKS / "slow_report.ipynb"),
          "export": str(NOTEBOOKS.parent / "data" / "exports" / "sf_report" / "report1714.csv")}


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


def rename(old: str, new: str):
    """Replace a text (a name, an id) in every table."""
    def apply(data: Path):
        for path in data.glob("*.csv"):
            path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return apply


def out(*paths: str, file: str | None = None, mode: int | None = None):
    """Make folders in the output folder beside the data (`a/b/` ends with a slash) or files (`a/b`), then
    optionally one more `file`, and `mode` for the last path made."""
    def apply(data: Path):
        made = None
        for rel in (*paths, *([file] if file else [])):
            made = data.parent / "out" / rel
            if rel.endswith("/"):
                made.mkdir(parents=True, exist_ok=True)
            else:
                made.parent.mkdir(parents=True, exist_ok=True)
                made.write_text("not salesnb's\n")
        if mode is not None:
            os.chmod(made, mode)
    return apply


def nothing(data: Path) -> None:
    """The data as it is: the fault is in the command line or the output folder."""


def out_is_file(data: Path) -> None:
    (data.parent / "out").write_text("not a folder\n")


def copied(source: str, name: str, mode: int = 0o644):
    """A copy of one of the test suite's files (e.g. an export) in the data folder."""
    def apply(data: Path):
        shutil.copy(source.format(**PLACES), data / name)
        os.chmod(data / name, mode)
    return apply


def both(*breakers):
    return lambda data: [b(data) for b in breakers]


def at(file: str, number: int, column: str, value: str) -> tuple[str, ...]:
    """The fragments naming one cell as the report writes it."""
    return (f"{file}:{number}: column {column}: value {value!r}",)


class no(str):
    """A fragment that must not appear."""


class once(str):
    """A fragment that must appear exactly once."""


class fix(str):
    """A fragment that is the message's fix (every exit-1 answer names one: "Fix: ..." or a `fix`)."""


class size_below(int):
    """The whole output must be shorter than this many characters."""


@dataclass(frozen=True)
class File:
    """Fragments (and `no(...)`) that a file the command wrote must hold, e.g. File("out/index.html", "<bdi>")."""
    path: str
    fragments: tuple[str, ...]

    def __init__(self, path, *fragments):
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "fragments", fragments)


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], object]
    argv: tuple[str, ...]
    code: int
    fragments: tuple[str, ...] = ()
    subprocess: bool = False  # run `python -m salesnb` in its own process
    no_root: bool = False  # ... without root's power to read any file (permissions cases)
    team: str = "sample"  # the data copied for the case: "sample", or "small" (6 reps, for reports)
    writes: str | None = None  # the one folder (under the case's root) the command may change
    signal: int | None = None  # sent to the command once a report's kernel is running (Linux: reads /proc)

    def __init__(self, name, make, argv, code, *fragments, subprocess=False, no_root=False, team="sample",
                 writes=None, signal=None):
        flat = tuple(f for part in fragments for f in (part if isinstance(part, tuple) else (part,)))
        for key, value in dict(name=name, make=make, argv=argv, code=code, fragments=flat,
                               subprocess=subprocess or no_root or signal is not None, no_root=no_root,
                               team=team, writes=writes, signal=signal).items():
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


def leftovers(root: Path) -> list[str]:
    """What a run must never leave: temporary files or staging folders, prepared views, and reports that
    are not whole and recorded (an HTML page without a status saying it is the one the run wrote)."""
    found = []
    for path in root.rglob("*"):
        if TMP_SUFFIX in path.name or (path.name.startswith(".") and any(
                marker in path.name for marker in (".importing-", ".generating-", ".salesnb-"))):
            found.append(f"temporary: {path.relative_to(root)}")
    views = root / "out" / "_batch" / "views"
    found += [f"view: {p.name}" for p in views.iterdir()] if views.is_dir() else []
    for page in (root / "out").glob("*.html") if (root / "out").is_dir() else []:
        if page.name == "index.html" or page.name.startswith(".") or not page.is_file():
            continue
        status = root / "out" / "_batch" / "status" / f"{page.stem}.json"
        try:
            recorded = json.loads(status.read_text(encoding="utf-8")).get("html_sha256")
        except (OSError, ValueError):
            recorded = None
        if recorded != file_hash(page):
            found.append(f"unrecorded report: {page.name}")
    return found


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        return (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) != "Z"
    except (OSError, IndexError):
        return False


def _is_kernel(pid: int) -> bool:
    try:
        return b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


# Waits are on conditions and end as soon as they hold; the deadlines only bound a hang, generously, for a
# loaded 2-core machine (several test runs at once), where a kernel can take minutes to start.
START_WITHIN = 600  # seconds for the command's kernels to start
END_WITHIN = 300  # seconds for the command to end once signalled
DIE_WITHIN = 60  # seconds for its workers and kernels to be gone after it ended


def run_signalled(cmd: list[str], signum: int, kernels: int, **popen) -> tuple[int, str, list[str]]:
    """Run `cmd`; once `kernels` report kernels run under it, send `signum` to the command's own process.

    Returns the exit code, the output, and the processes it started that are still alive DIE_WITHIN after it ended
    (workers and kernels must die with the command). Survivors are killed before returning.
    """
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen)
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + START_WITHIN
        while sum(_is_kernel(p) for p in seen if _alive(p)) < kernels:
            assert proc.poll() is None, "the command ended before its kernels ran: " + proc.stdout.read()
            assert time.monotonic() < deadline, f"no kernels started within {START_WITHIN} s"
            seen |= _descendants(proc.pid)
            time.sleep(0.1)
        seen |= _descendants(proc.pid)
        proc.send_signal(signum)
        output = proc.communicate(timeout=END_WITHIN)[0]
        deadline = time.monotonic() + DIE_WITHIN
        while any(_alive(p) for p in seen) and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = [f"{p}: {Path(f'/proc/{p}/cmdline').read_bytes()[:80]!r}" for p in seen if _alive(p)]
        return proc.returncode, output, survivors
    finally:
        for p in [proc.pid, *seen]:
            if _alive(p):
                with contextlib.suppress(OSError):
                    os.kill(p, signals.SIGKILL)
        proc.wait()


def run_case(case: Case, root: Path, monkeypatch) -> tuple[int, str, list[str]]:
    """Run the case's command; returns its exit code, output, and the processes it left running."""
    argv = [a.format(data=root / "data", **PLACES) for a in case.argv]
    env_tmp = root / "tmp"
    if case.subprocess:
        prefix = NO_ROOT if case.no_root and os.geteuid() == 0 else []
        env = {**os.environ, "TMPDIR": str(env_tmp)}
        cmd = [*prefix, sys.executable, "-m", "salesnb", *argv]
        if case.signal is not None:
            return run_signalled(cmd, case.signal, kernels=1, cwd=root, env=env)
        done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=900)
        return done.returncode, done.stdout + done.stderr, []
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
    return code, out.getvalue() + err.getvalue(), []
