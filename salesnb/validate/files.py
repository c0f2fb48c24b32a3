"""Finding a dataset's files: the folder, each table's file, and paths that are not readable files.

A folder, a symbolic-link loop, a pipe or an unreadable entry named like a table is an
error naming the path, never "the table is missing" (nor, for an optional table, silently
absent). Nothing here opens a file: a pipe named reps.csv would block the first read.
"""
from __future__ import annotations

import difflib
import errno
import os
import stat
from pathlib import Path

from ..dataset_toml import META_FILE
from ..schema import TABLES
from .report import ValidationReport

FORMATS = ("csv", "parquet")
NOT_READABLE_FIX = ("give your user permission to read it (e.g. chmod a+r on the file, a+rx on a folder), "
                     "or copy the dataset somewhere you can read.")


def path_problem(path: Path, wanted: str = "file") -> tuple[str, str] | None:
    """(message, fix) when `path` is not a readable regular file (or folder, for wanted="folder"); else None."""
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return ("is a symbolic link that points back to itself (a loop).",
                    f"replace the link with the real {wanted}, or delete it.")
        if exc.errno == errno.ENOENT and os.path.islink(path):
            return (f"is a symbolic link to {os.readlink(path)}, which does not exist.",
                    f"point the link at the real {wanted}, or delete it.")
        if exc.errno == errno.ENOENT:
            return "does not exist.", f"check the path of the {wanted}."
        return f"cannot be read ({exc.strerror}): {path}.", NOT_READABLE_FIX
    if wanted == "file" and stat.S_ISDIR(st.st_mode):
        return "is a folder, not a file.", "move the folder away, or put the file in its place."
    if wanted == "folder" and not stat.S_ISDIR(st.st_mode):
        return "is a file, not a folder.", "give the folder that holds reps.csv, opportunities.csv and the other tables."
    if wanted == "file" and not stat.S_ISREG(st.st_mode):
        return ("is not a regular file (a pipe, socket or device).",
                "put an exported file in its place; salesnb does not read from pipes.")
    return None


def exists(path: Path) -> bool:
    """Whether there is anything at `path` (a broken link, an entry that cannot be looked at: yes)."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    return True


def list_folder(folder: Path, report: ValidationReport) -> set[str] | None:
    """The names in the data folder; None (with an error) when it is not a folder that can be listed."""
    problem = path_problem(folder, "folder")
    if problem is None:
        try:
            with os.scandir(folder) as entries:
                names = {e.name for e in entries}
            os.stat(os.path.join(folder, os.curdir))  # listed but not entered (no x permission)? (pathlib drops ".")
            return names
        except OSError as exc:
            problem = f"cannot be read ({exc.strerror}).", NOT_READABLE_FIX
    report.add("error", str(folder), None, None, None, *problem)
    return None


def find_table_files(folder: Path, report: ValidationReport, names: set[str] | None = None) -> dict[str, Path]:
    """The file of each canonical table present in `folder`; problems go into `report`.

    `names` is the folder's listing (from `list_folder`) when already known.
    """
    if names is None:
        names = list_folder(folder, report) or set()
    found: dict[str, Path] = {}
    for name, table in TABLES.items():
        paths, broken = [], False
        for fmt in FORMATS:
            path = folder / f"{name}.{fmt}"
            if path.name not in names and not exists(path):  # not listed: a case-insensitive file system?
                continue
            if problem := path_problem(path):
                report.add("error", path.name, None, None, None, *problem)
                broken = True
            else:
                paths.append(path)
        if len(paths) > 1:
            report.add("error", paths[0].name, None, None, None,
                       f"both {paths[0].name} and {paths[1].name} exist, so it is unclear which {name} table to use.",
                       "keep one of the two files.")
        if paths:
            found[name] = paths[0]
        elif table.required and not broken:
            report.add("error", f"{name}.csv", None, None, None,
                       f"the required table {name} is missing from the folder.",
                       f"add {name}.csv (or {name}.parquet) with at least the columns "
                       f"{', '.join(table.required_columns)}.")
    _note_other_files(folder, names, report)
    return found


def _note_other_files(folder: Path, names: set[str], report: ValidationReport) -> None:
    known = {f"{n}.{fmt}" for n in TABLES for fmt in FORMATS} | {META_FILE}
    for name in sorted(names - known):
        if Path(name).suffix.lower() not in (".csv", ".parquet", ".tsv", ".xlsx") or path_problem(folder / name):
            continue
        close = difflib.get_close_matches(name.lower(), sorted(known), n=1, cutoff=0.6)
        hint = f"rename it to {close[0]} if it is that table" if close else (
            f"tables must be named {', '.join(f'{n}.csv' for n in TABLES)}")
        report.add("note", name, None, None, None, "is not one of the dataset's tables and was ignored.", hint + ".")
