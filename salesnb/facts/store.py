"""The facts cache on disk: where it lives, how an entry is named, written, checked and cleared.

Location: ``$SALESNB_CACHE_DIR`` when set, else the user's cache folder (``~/.cache/salesnb`` on Linux,
``~/Library/Caches/salesnb`` on macOS, ``%LOCALAPPDATA%\\salesnb\\Cache`` on Windows). Never the dataset
folder. ``SALESNB_CACHE=off`` turns it off (every command computes afresh and writes nothing there).
``salesnb cache clear`` empties it; ``salesnb cache info`` lists it.

Layout::

    <root>/<data key>/dataset.json          what the data says about itself (report date, settings)
    <root>/<data key>/tables/*.parquet      the rows the explorer re-reads for one team (opportunities, leads)
    <root>/<data key>/<entry key>/          one entry: manifest.json, tree.json, f*.parquet

The data key is a sha256 over the dataset folder's files (names and bytes); an entry's key adds the package
(version and content hash) and the settings (period, report date, weights, comparison). An entry is written
whole in a temporary folder and renamed into place, under a lock so that two processes asking for the same
entry compute it once; a reader checks every file's sha256 against the manifest and treats a damaged entry
as missing.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from ..atomic import write_text_atomic
from ..fingerprint import file_hash, package_hash
from . import codec

CACHE_ENV = "SALESNB_CACHE_DIR"
SWITCH_ENV = "SALESNB_CACHE"  # "off": no cache
FORMAT = "salesnb-facts/1"
MANIFEST = "manifest.json"
DATASET_INFO = "dataset.json"
TABLES = "tables"
STAT_INDEX = "stat-index.json"
ROW_GROUP = 32_768  # rows per Parquet row group of a kept table
UNUSED_DAYS = 30  # datasets not used for this long are removed when another is added


def enabled() -> bool:
    return os.environ.get(SWITCH_ENV, "").strip().lower() not in ("off", "0", "no", "false")


def cache_root() -> Path:
    """Where the facts cache lives (see the module docstring)."""
    given = os.environ.get(CACHE_ENV)
    if given:
        return Path(given).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("salesnb", appauthor=False))


# ------------------------------------------------------------------ keys


def data_key(data_dir: Path, root: Path | None = None) -> str:
    """sha256 over the dataset folder's files (names and bytes). A file's hash is remembered against its size,
    modification time and inode, so an unchanged folder is not read again."""
    data_dir = Path(data_dir).resolve()
    root = root or cache_root()
    index_path = root / STAT_INDEX
    try:
        index = json.loads(index_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        index = {}
    h = hashlib.sha256(FORMAT.encode())
    changed = False
    for p in sorted(data_dir.iterdir()):
        if not p.is_file() or p.name.startswith("."):
            continue
        st = p.stat()
        stamp = f"{p}|{st.st_size}|{st.st_mtime_ns}|{st.st_ino}"
        digest = index.get(stamp)
        if digest is None:
            digest = index[stamp] = file_hash(p)
            changed = True
        h.update(p.name.encode() + b"\0" + digest.encode())
    if changed and enabled():
        with contextlib.suppress(OSError):
            root.mkdir(parents=True, exist_ok=True)
            live = {k: v for k, v in index.items() if Path(k.split("|", 1)[0]).exists()}
            write_text_atomic(index_path, json.dumps(live))
    return h.hexdigest()


def entry_key(data: str, settings: dict) -> str:
    text = json.dumps({"format": FORMAT, "salesnb": package_hash(), "data": data, "settings": settings},
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# ------------------------------------------------------------------ the store


class Store:
    """The cache folder of one dataset (its data key)."""

    def __init__(self, data: str, root: Path | None = None):
        self.data = data
        self.root = Path(root) if root else cache_root()
        self.folder = self.root / data[:24]

    # ------------------------------------------------------------------ entries
    def path(self, key: str) -> Path:
        return self.folder / key[:24]

    def get(self, key: str):
        """The facts stored under `key`, or None (absent, from another salesnb, or damaged: then removed)."""
        folder = self.path(key)
        if not (folder / MANIFEST).is_file():
            return None
        try:
            check(folder)
            obj = codec.load(folder)
        except (OSError, ValueError, KeyError, TypeError, ImportError, AttributeError):
            shutil.rmtree(folder, ignore_errors=True)
            return None
        with contextlib.suppress(OSError):
            os.utime(folder)  # last used
        return obj

    def put(self, key: str, obj, about: dict) -> Path:
        """Write `obj` under `key`, whole or not at all; an entry another process wrote first is kept."""
        folder = self.path(key)
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".salesnb-tmp", dir=self.folder))
        try:
            files = codec.dump(obj, tmp)
            manifest = {"format": FORMAT, "salesnb": package_hash(), "about": about, "created": time.time(),
                        "files": {p.name: file_hash(p) for p in files}}
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True, default=str),
                                        encoding="utf-8")
            try:
                os.rename(tmp, folder)
            except OSError:  # another process put the same entry first: theirs is as good
                pass
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return folder

    @contextlib.contextmanager
    def lock(self, key: str, wait: bool = True):
        """Hold the lock of entry `key` (yields True), or, with wait=False, yield False when another holds it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f".{key[:24]}.lock"
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock; writes stay atomic, work may be done twice
            yield True
            return
        with open(path, "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # ------------------------------------------------------------------ what the data says about itself
    def info(self) -> dict | None:
        try:
            return json.loads((self.folder / DATASET_INFO).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put_info(self, info: dict) -> None:
        fresh = not self.folder.exists()
        self.folder.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.folder / DATASET_INFO, json.dumps(info, ensure_ascii=False, default=str))
        if fresh:
            prune(self.root)

    def table_path(self, name: str) -> Path:
        return self.folder / TABLES / f"{name}.parquet"

    def put_table(self, name: str, frame) -> None:
        """Keep a copy of a dataset table, sorted by rep in small row groups so that one team's rows are read
        without decoding the rest (``_row`` keeps the original order)."""
        from ..atomic import write_atomic

        path = self.table_path(name)
        if path.is_file():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        out = frame.assign(_row=range(len(frame)))
        if "rep_id" in out:
            out = out.sort_values(["rep_id", "_row"], kind="stable")
        write_atomic(path, lambda tmp: out.to_parquet(tmp, index=False, row_group_size=ROW_GROUP))


def check(folder: Path) -> dict:
    """The manifest of a complete entry written by this salesnb whose files are unaltered; else ValueError."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT or manifest.get("salesnb") != package_hash():
        raise ValueError(f"{folder}: written by another salesnb")
    for name, digest in manifest["files"].items():
        if file_hash(folder / name) != digest:
            raise ValueError(f"{folder / name} was altered")
    return manifest


# ------------------------------------------------------------------ looking after the folder


def entries(root: Path | None = None) -> list[dict]:
    """Every stored entry: dataset folder, what it holds, size in bytes, last used."""
    root = root or cache_root()
    out = []
    for data in sorted(p for p in root.glob("*") if p.is_dir()):
        info = _read_json(data / DATASET_INFO) or {}
        for entry in sorted(p for p in data.iterdir() if p.is_dir() and (p / MANIFEST).is_file()):
            manifest = _read_json(entry / MANIFEST) or {}
            out.append({"dataset": info.get("source", "?"), "about": manifest.get("about", {}), "path": entry,
                        "bytes": _size(entry), "used": entry.stat().st_mtime})
    return out


def clear(root: Path | None = None, data: str | None = None) -> tuple[int, int]:
    """Remove the whole cache (or one dataset's part): returns (folders removed, bytes freed)."""
    root = root or cache_root()
    if not root.is_dir():
        return 0, 0
    targets = [root / data[:24]] if data else [p for p in root.iterdir()]
    n = size = 0
    for p in targets:
        if not p.exists():
            continue
        size += _size(p) if p.is_dir() else p.stat().st_size
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        n += 1
    return n, size


def prune(root: Path, days: float = UNUSED_DAYS) -> int:
    """Remove the datasets whose facts were not used for `days` days."""
    cutoff = time.time() - days * 86400
    n = 0
    for data in (p for p in root.glob("*") if p.is_dir()):
        used = max((p.stat().st_mtime for p in data.iterdir()), default=data.stat().st_mtime)
        if used < cutoff:
            shutil.rmtree(data, ignore_errors=True)
            n += 1
    return n


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
