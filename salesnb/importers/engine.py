"""Applying a mapping to export files: finding each table's files and checking the mapping against them.

The recipe: inspect the sources (encoding, delimiter, header) -> match files to tables ->
check every column the mapping names exists -> stream each table's files into the build
folder (`stream.py`) -> raise one MappingError listing every value the mapping cannot place.
Only the rep registry and small lookup tables (joins) are held in memory.
"""
from __future__ import annotations

import difflib
import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import MappingError, SalesnbError
from ..schema import TABLES
from .joins import LoadedJoin
from .lines import LineFinder
from .mapping import ColumnSource, Join, Mapping, TableMapping
from .parse import detect_delimiter, detect_encoding, is_unnamed, read_first_line, read_header
from .result import ImportResult
from .run import Run
from .stream import read_columns, stream_all

SOURCE_SUFFIXES = (".csv", ".tsv", ".txt")


@dataclass
class SourceFile:
    """One export file as found on disk."""

    path: Path
    encoding: str
    delimiter: str
    header: list[str]

    @property
    def name(self) -> str:
        return self.path.name


# --------------------------------------------------------------------------------------
# Sources


def expand_sources(sources) -> list[Path]:
    """Source paths as files: a folder stands for the .csv/.tsv/.txt files in it."""
    files: list[Path] = []
    for s in sources:
        p = Path(s)
        if p.is_dir():
            files += sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in SOURCE_SUFFIXES)
        elif p.is_file():
            files.append(p)
        else:
            raise SalesnbError(f"{p}: no such file or folder. Give the export files (or the folder holding them).")
    if not files:
        raise SalesnbError("no export files given (looked for .csv, .tsv and .txt files).")
    return files


def inspect_source(path: Path, mapping: Mapping) -> SourceFile:
    """Encoding, delimiter and header of one export file."""
    encoding = detect_encoding(path) if mapping.encoding == "auto" else mapping.encoding
    first = read_first_line(path, encoding)
    delimiter = detect_delimiter(first) if mapping.delimiter == "auto" else mapping.delimiter
    header = read_header(path, encoding, delimiter) if first.strip() else []
    return SourceFile(path, encoding, delimiter, header)


def files_for_table(t: TableMapping, sources: list[SourceFile], chosen: dict[str, list[SourceFile]]) -> list[SourceFile]:
    """The source files that feed table `t`: by file-name pattern, by header columns, or another table's."""
    if t.same_file_as:
        return chosen.get(t.same_file_as, [])
    found = []
    for s in sources:
        if t.file and any(fnmatch.fnmatch(s.name.casefold(), g.casefold()) for g in t.file):
            found.append(s)
        elif not t.file and t.detect and all(c in s.header for c in t.detect):
            found.append(s)
    return found


# --------------------------------------------------------------------------------------
# Checking column names before reading any data


def _usable(a: ColumnSource, available: set[str]) -> bool:
    return a.value is not None or a.from_row or (bool(a.sources) and all(c in available for c in a.sources))


def check_columns(t: TableMapping, src: SourceFile, available: set[str], where: str
                  ) -> tuple[dict[str, str], dict[str, tuple[ColumnSource, ...]]]:
    """Raise MappingError for a column the mapping names but the file lacks.

    Returns (canonical column -> where it comes from, the column sources this file can fill).
    Alternatives the file lacks are skipped; a column marked optional that the file lacks is left out.
    """
    used, effective = {}, {}
    for col, alts in t.columns.items():
        usable = tuple(a for a in alts if _usable(a, available))
        if not usable:
            if all(a.optional for a in alts) and col not in TABLES[t.name].required_columns:
                continue
            absent = [c for a in alts for c in a.sources if c not in available]
            named = list(dict.fromkeys(absent)) or [c for a in alts for c in a.sources]
            raise _missing_column(alts[0].key, named, src, available, where,
                                  required=col in TABLES[t.name].required_columns)
        effective[col] = usable
        used[col] = usable[0].describe()
        later = [a.describe() for a in usable[1:]]
        default = next((a.default for a in usable if a.default is not None), None)
        if default is not None:
            later.append(f"default {default!r}")
        if later:
            used[col] += " (then " + ", then ".join(dict.fromkeys(later)) + ")"
    if t.period is not None:
        absent = [c for c in t.period.columns if c not in available]
        if absent:
            raise _missing_column(t.period.key, absent, src, available, where, required=True)
        used["period_start"] = used["period_end"] = t.period.describe()
    return used, effective


def _missing_column(key: str, named: list[str], src: SourceFile, available: set[str], where: str,
                    required: bool) -> MappingError:
    choices = sorted(c for c in available if c and not is_unnamed(c))
    close = difflib.get_close_matches(named[0], choices, n=3, cutoff=0.5)
    hint = f" Close matches: {', '.join(repr(c) for c in close)}." if close else ""
    header = ", ".join(repr(c) for c in src.header if c and not is_unnamed(c))
    return MappingError(
        f"{where}: [{key}] column {' / '.join(repr(c) for c in named)} is not in {src.name}.{hint} "
        f"Fix: use one of the file's columns ({header})" + ("." if required else ", or mark it optional = true."))


@dataclass
class Plan:
    """One source file of one table: the joins it needs, where each column comes from, what it can fill."""

    table: TableMapping
    src: SourceFile
    joins: list[Join]
    used: dict[str, str]
    effective: dict[str, tuple[ColumnSource, ...]]


def _lookup_file(j: Join, files: list[SourceFile]) -> SourceFile | None:
    return next((s for s in files if fnmatch.fnmatch(s.name.casefold(), j.file.casefold())), None)


def import_tables(mapping: Mapping, sources: list[Path], build_dir: Path, result: ImportResult) -> Run:
    """Stream every mapped table from `sources` into CSVs in `build_dir`; fill `result`.

    Returns the run (where each written row came from), for naming source lines in later messages.
    """
    files = [inspect_source(p, mapping) for p in sources]
    finder = LineFinder()
    for s in files:
        finder.add(s.name, s.path, s.encoding, s.delimiter)
    chosen: dict[str, list[SourceFile]] = {}
    for name, t in mapping.tables.items():
        chosen[name] = files_for_table(t, files, chosen)
    used_files = {s.path for fs in chosen.values() for s in fs}
    for s in files:
        if s.path not in used_files and not any(
                fnmatch.fnmatch(s.name.casefold(), j.file.casefold()) for t in mapping.tables.values() for j in t.joins):
            result.notes.append(f"{s.name}: not used (no table of the mapping matches it).")
    if not chosen.get("opportunities"):
        t = mapping.tables["opportunities"]
        how = f"a file named {' or '.join(t.file)}" if t.file else f"a file with the columns {', '.join(t.detect)}"
        raise MappingError(
            f"{mapping.path}: [tables.opportunities] no source file matches: expected {how}; got "
            f"{', '.join(s.name for s in files)}. Fix: give the opportunities export, or set file = \"...\" "
            f"under [tables.opportunities].")

    plans = plan_tables(mapping, files, chosen)
    for t_name in mapping.tables:
        if not chosen[t_name] and t_name != "reps":
            result.notes.append(f"{t_name}: no source file for it among the files given.")
    joins: dict[str, LoadedJoin] = {}
    for plan in plans:
        for j in plan.joins:
            if j.key_path not in joins:
                jsrc = _lookup_file(j, files)
                joins[j.key_path] = LoadedJoin(j, jsrc.name, jsrc.path, jsrc.encoding, jsrc.delimiter, jsrc.header,
                                               mapping.chunk_rows)
    run = Run(build_dir, finder)
    stream_all(mapping, plans, joins, run, result)
    _record_unused(plans, {j.key_path: _lookup_file(j, files) for p in plans for j in p.joins}, run, result)
    return run


def plan_tables(mapping: Mapping, files: list[SourceFile], chosen: dict[str, list[SourceFile]]) -> list[Plan]:
    """A Plan for every table and file; checks every column the mapping names before any data is read."""
    plans = []
    for name, t in mapping.tables.items():
        for src in chosen[name]:
            available = set(src.header)
            table_joins = []
            for j in t.joins:
                jsrc = _lookup_file(j, files)
                if jsrc is None:
                    raise MappingError(f"{mapping.path}: [{j.key_path}.file] no source file matches {j.file!r}; "
                                       f"got {', '.join(s.name for s in files)}. Fix: add that file to the command.")
                for col, f in ((j.on, src), (j.key, jsrc)):
                    if col not in f.header:
                        raise MappingError(f"{mapping.path}: [{j.key_path}] column {col!r} is not in {f.name}.")
                table_joins.append(j)
                available |= set(jsrc.header)
            if t.unpivot:
                rx = re.compile(t.unpivot)
                if not any(rx.search(c) for c in src.header if c):
                    raise MappingError(f"{mapping.path}: [{t.key}.unpivot] no column of {src.name} matches "
                                       f"{t.unpivot!r}.")
                available |= {"@column", "@value"} | {f"@{g}" for g in rx.groupindex}
            used, effective = check_columns(t, src, available, mapping.path)
            plans.append(Plan(t, src, table_joins, used, effective))
    return plans


def _record_unused(plans: list[Plan], lookups: dict[str, SourceFile], run: Run, result: ImportResult) -> None:
    """Per source file (lookup files too), the columns no table of the mapping reads, in header order."""
    used: dict[str, set] = {}
    headers: dict[str, list[str]] = {}
    for plan in plans:
        headers[plan.src.name] = plan.src.header
        used.setdefault(plan.src.name, set()).update(read_columns(plan))
        for j in plan.joins:
            look = lookups[j.key_path]
            headers[look.name] = look.header
            mine = {c for alts in plan.effective.values() for a in alts for c in a.sources}
            used.setdefault(look.name, set()).update({j.key} | (mine & set(look.header)))
    for name, header in headers.items():
        cols = []
        for c in header:
            if not c or c in used[name]:
                continue
            if is_unnamed(c):
                filled = run.unnamed_values.get((name, c))
                c = c[:-1] + (", empty)" if filled == 0 else (f", {filled:,} value(s))" if filled else ")"))
            cols.append(c)
        result.unused_columns[name] = cols
