"""Which folders `sample` and `import` may write into, and which `--force` may replace.

A folder that holds anything is never written over by accident: without `--force` a command refuses it, and
`--force` replaces only a salesnb dataset, recognised by its files: the tables of the data model (CSV or
Parquet), `dataset.toml` and the sample's `README.md`, nothing else. A folder holding anything more (your
documents, a hidden file, a sub-folder, a link) is refused even with `--force`, naming what is there.
"""
from __future__ import annotations

from pathlib import Path

from .errors import ConfigError
from .schema import TABLES

TABLE_FILES = frozenset(f"{name}.{ext}" for name in TABLES for ext in ("csv", "parquet"))
DATASET_FILES = TABLE_FILES | {"dataset.toml", "README.md"}


def _shown(names: list[str], most: int = 5) -> str:
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return ", ".join(repr(n) for n in names[:most]) + more


def foreign_entries(folder: Path) -> list[str]:
    """What in `folder` is not a file of a salesnb dataset (sorted names)."""
    return sorted(p.name for p in folder.iterdir()
                  if p.name not in DATASET_FILES or p.is_symlink() or not p.is_file())


def check_replaceable(folder: Path, force: bool, flag: str = "--force") -> None:
    """Raise `ConfigError` unless `folder` is absent or empty, or `force` is given and it holds a salesnb dataset
    and nothing else."""
    if not folder.exists() and not folder.is_symlink():
        return
    if not folder.is_dir():
        raise ConfigError(f"{folder} is a file, not a folder: choose a folder to write the dataset into.")
    entries = sorted(p.name for p in folder.iterdir())
    if not entries:
        return
    if not force:
        raise ConfigError(f"{folder}: the folder is not empty (it holds {_shown(entries)}). Fix: choose a new or "
                          f"empty folder, or pass {flag} to replace the salesnb dataset in it.")
    foreign = foreign_entries(folder)
    if foreign or not any(name in TABLE_FILES for name in entries):
        raise ConfigError(f"{folder}: is not a salesnb dataset folder (it holds {_shown(foreign or entries)}), so "
                          f"{flag} will not replace it: it replaces only a folder of salesnb tables, dataset.toml "
                          "and README.md. Nothing was changed. Fix: choose a new or empty folder for the dataset.")


def remove_stale(folder: Path, kept: set[str]) -> None:
    """Delete the dataset files of `folder` that a new dataset did not write (an old table, the other format)."""
    for path in folder.iterdir():
        if path.name in DATASET_FILES and path.name not in kept and path.is_file() and not path.is_symlink():
            path.unlink()


def _dead(pid_text: str) -> bool:
    import os

    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except (ValueError, PermissionError, OverflowError):
        return False
    return False


def recover(out: Path) -> list[str]:
    """Finish or undo what a killed `import` or `sample` left beside `out`; returns what was done, in words.

    A run builds the new dataset in `.NAME.importing-PID-...` (or `.NAME.generating-PID`), then renames the old
    folder to `.NAME.replaced-PID` and the new one into place. Killed between the two renames, the data is only
    in the hidden folder: it is renamed back (the old dataset, as it was before the run). Killed after them,
    the old copy is deleted. A build folder of a run that is no longer running is deleted.
    """
    import re
    import shutil

    done = []
    pattern = re.compile(rf"\.{re.escape(out.name)}\.(importing|generating|replaced)-(\d+)(?:-.*)?")
    for path in sorted(out.parent.iterdir()) if out.parent.is_dir() else []:
        match = pattern.fullmatch(path.name)
        if not match or not _dead(match.group(2)) or path.is_symlink() or not path.is_dir():
            continue
        if match.group(1) == "replaced" and not out.exists():
            path.rename(out)
            done.append(f"{out}: an earlier import was stopped while replacing this dataset; the dataset it "
                        "replaced was put back as it was.")
        else:
            shutil.rmtree(path, ignore_errors=True)
            done.append(f"{path}: removed what a stopped run left (a {match.group(1)} folder).")
    return done
