"""Importing CRM exports (Salesforce, HubSpot, any CSV through a mapping file) into a canonical dataset.

`import_export` is the recipe: pick the mapping -> check it against the files' headers ->
stream the files into a build folder next to the output -> validate the build folder ->
move it into place. A bad mapping raises `MappingError`, a dataset that would not validate
raises `ImportValidationError`; either way nothing is written.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from ..dataset_folder import check_replaceable, recover
from ..errors import MappingError, SalesnbError
from .engine import expand_sources, import_tables, inspect_source
from .result import Dropped, ImportResult, TableSummary, Unmatched
from .mapping import PRESET_NAMES, Mapping, load_mapping, preset_path
from .verify import ImportValidationError, check_build

FORMAT_CHOICES = ("salesforce", "salesforce-report", "salesforce-api", "hubspot")


def detect_salesforce_kind(sources: list[Path]) -> str:
    """'salesforce-api' when a file has API field names (StageName, OwnerId), else 'salesforce-report'."""
    probe = load_mapping("salesforce-api")
    for path in sources:
        header = set(inspect_source(path, probe).header)
        if header & {"StageName", "OwnerId", "IsWon"}:
            return "salesforce-api"
    return "salesforce-report"


def resolve_mapping(source_format: str | os.PathLike, sources: list[Path]) -> Mapping:
    """The mapping for `source_format`: a preset name, 'salesforce' (report or API, detected), or a TOML path."""
    fmt = str(source_format)
    if fmt == "salesforce":
        fmt = detect_salesforce_kind(sources)
    if fmt in PRESET_NAMES:
        return load_mapping(fmt)
    path = Path(fmt)
    if path.suffix.lower() != ".toml" and not path.exists():
        raise MappingError(f"--from {fmt}: not a known format ({', '.join(FORMAT_CHOICES)}) nor a mapping file. "
                           f"Fix: give one of those names, or the path of a .toml mapping (docs/importing.md).")
    return load_mapping(path)


def _check_out_dir(out: Path, given: list[Path], files: list[Path], overwrite: bool) -> None:
    """Refuse an output that would put files among the exports, or that holds them (--force would delete them),
    and one holding anything but a salesnb dataset (`dataset_folder`: --force replaces only that).

    A folder given as SOURCE is an input folder: nothing is written anywhere inside it.
    """
    protected = [(p.resolve(), True) for p in given if p.is_dir()] + [(f.resolve().parent, False) for f in files]
    for folder, whole in protected:
        inside = out.is_relative_to(folder) if whole else out == folder
        if inside or folder.is_relative_to(out):
            raise SalesnbError(f"--out {out}: would write into or around the export's folder {folder}. "
                               f"Fix: choose an output folder outside it (exports are never modified).")
    if out.exists() and not out.is_dir():
        raise SalesnbError(f"--out {out}: exists and is not a folder.")
    check_replaceable(out, overwrite, "--force (overwrite=True)")


def import_export(sources, out_dir, source_format: str | os.PathLike = "salesforce", *, overwrite: bool = False,
                  validate: bool = True) -> ImportResult:
    """Import CRM export files into a canonical dataset folder `out_dir` and validate it.

    `sources`: export files (or folders of them). `source_format`: "salesforce" (report or API
    export, detected from the header), "salesforce-report", "salesforce-api", "hubspot", or the
    path of a TOML mapping file. The folder is built next to `out_dir`, validated, and moved into
    place only when the whole import succeeded and the dataset has no validation error; otherwise
    `MappingError` or `ImportValidationError` says why and nothing is written. Returns an
    `ImportResult` (print it for the summary: mapped columns, dropped rows and why, validation).
    `validate=False` skips the validation (and its guarantee).
    """
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    given = [Path(s) for s in sources]
    files = expand_sources(given)
    mapping = resolve_mapping(source_format, files)
    out = Path(out_dir).resolve()
    for note in recover(out):  # said at once: the import may still stop on something else
        print(f"salesnb import: {note}", file=sys.stderr)
    _check_out_dir(out, given, files, overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{out.name}.importing-{os.getpid()}-", dir=out.parent))
    result = ImportResult(out_dir=out, mapping=mapping.path)
    try:
        run = import_tables(mapping, files, build, result)
        _write_meta(mapping, build, result)
        if validate:
            result.validation = check_build(build, run, mapping.path)
        _move_into_place(build, out)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    if result.validation is not None:
        result.validation.source = str(out)
    return result


def _write_meta(mapping: Mapping, build: Path, result: ImportResult) -> None:
    """dataset.toml with what the mapping says of the dataset as a whole: the fiscal year its quarters are read in
    (so that reports cut the same quarters) and the currency of its amounts."""
    settings = {}
    if mapping.fiscal_year_start_month not in (None, 1):
        settings["fiscal_year_start_month"] = str(mapping.fiscal_year_start_month)
    if mapping.currency is not None:
        settings["currency"] = f'"{mapping.currency}"'
    if not settings:
        return
    lines = [f"# Written by salesnb import from {mapping.path}"] + [f"{k} = {v}" for k, v in settings.items()]
    (build / "dataset.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for k, v in settings.items():
        result.notes.append(f"dataset.toml: {k} = {v} (from the mapping).")


def _move_into_place(build: Path, out: Path) -> None:
    """Swap the new dataset in; Ctrl-C and SIGTERM wait until both renames are done (a SIGKILL between them is
    undone by `recover` on the next run)."""
    import signal

    old = None
    blocked = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, blocked) if hasattr(signal, "pthread_sigmask") else None
    try:
        if out.exists():
            old = out.parent / f".{out.name}.replaced-{os.getpid()}"
            os.rename(out, old)
        os.rename(build, out)
    finally:
        if previous is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


__all__ = ["import_export", "ImportResult", "TableSummary", "Dropped", "Unmatched", "load_mapping",
           "preset_path", "MappingError", "ImportValidationError"]
