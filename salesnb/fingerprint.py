"""Fingerprints: which salesnb made an output, and which files went into it.

A report is up to date only if the same inputs went through the same package; the package is identified
by its version and a hash of everything it ships (code, notebooks, templates, presets), so moving code
between modules or editing a notebook makes earlier reports stale.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from . import __version__
from .config import NOTEBOOKS_DIR, PACKAGE_DIR

_SHIPPED = ("*.py", "*.ipynb", "*.toml", "*.j2", "*.css", "*.json", "*.tpl")


@lru_cache(maxsize=1)
def package_hash() -> str:
    """``<version>+<sha256 prefix>`` of the installed package's own files (and the report notebook)."""
    h = hashlib.sha256(__version__.encode())
    roots = [PACKAGE_DIR] + ([NOTEBOOKS_DIR] if not NOTEBOOKS_DIR.is_relative_to(PACKAGE_DIR) else [])
    for root in roots:
        files = sorted(p for pattern in _SHIPPED for p in root.rglob(pattern)
                       if "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts)
        for p in files:
            h.update(str(p.relative_to(root)).encode() + b"\0")
            h.update(p.read_bytes())
    return f"{__version__}+{h.hexdigest()[:16]}"


def file_hash(path: Path, h=None) -> str:
    """sha256 of a file's bytes, read in chunks."""
    h = h or hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def files_hash(paths: list[Path]) -> str:
    """sha256 over several files' names and bytes (sorted, so the order given does not matter)."""
    h = hashlib.sha256()
    for p in sorted(Path(p) for p in paths):
        h.update(p.name.encode() + b"\0")
        file_hash(p, h)
    return h.hexdigest()
