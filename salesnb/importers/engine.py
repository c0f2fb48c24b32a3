"""Applying a mapping to export files, chunk by chunk, into canonical CSV tables.

The recipe: inspect the sources (encoding, delimiter, header) -> match files to tables ->
check every column the mapping names exists -> stream each table's files through the
column transforms, appending to its CSV -> write the reps table (from a reps file and/or
the owners seen) -> raise one MappingError listing every value the mapping cannot place.
Only the rep registry and small lookup tables (joins) are held in memory.
"""
from __future__ import annotations

import difflib
import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import MappingError, SalesnbError
from ..schema import TABLES
from .mapping import ColumnSource, Mapping, TableMapping
from .parse import detect_delimiter, detect_encoding, iter_chunks, read_first_line, read_header
from .result import MAX_EXAMPLES, Dropped, ImportResult, Problems, TableSummary
from .transform import Context, LoadedJoin, drop_marked_rows, to_csv_text, transform_chunk, unpivot

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


def check_columns(t: TableMapping, src: SourceFile, available: set[str], where: str
                  ) -> tuple[dict[str, str], dict[str, tuple[ColumnSource, ...]]]:
    """Raise MappingError for a column the mapping names but the file lacks.

    Returns (canonical column -> where it comes from, the column sources this file can fill).
    Alternatives the file lacks are skipped; a column marked optional that the file lacks is left out.
    """
    used, effective = {}, {}
    for col, alts in t.columns.items():
        usable = tuple(a for a in alts if a.value is not None or a.column in available)
        if not usable:
            if all(a.optional for a in alts) and col not in TABLES[t.name].required_columns:
                continue
            named = [a.column for a in alts if a.column is not None]
            close = difflib.get_close_matches(named[0], sorted(c for c in available if c), n=3, cutoff=0.5)
            hint = f" Close matches: {', '.join(repr(c) for c in close)}." if close else ""
            header = ", ".join(repr(c) for c in src.header if c)
            raise MappingError(
                f"{where}: [{alts[0].key}] column {' / '.join(repr(c) for c in named)} is not in {src.name}.{hint} "
                f"Fix: use one of the file's columns ({header})"
                + ("." if col in TABLES[t.name].required_columns else ", or mark it optional = true.")
            )
        effective[col] = usable
        first = usable[0]
        used[col] = f"{first.column!r}" if first.column is not None else f"constant {first.value!r}"
        if len(usable) > 1:
            used[col] += " (then " + ", ".join(repr(a.column) if a.column else repr(a.value) for a in usable[1:]) + ")"
    return used, effective


class _TableWriter:
    """Appends canonical rows to one CSV in the build folder."""

    def __init__(self, path: Path, columns: list[str]):
        self.path = path
        self.columns = columns
        self.rows = 0
        self._fh = open(path, "w", encoding="utf-8", newline="")
        pd.DataFrame(columns=columns).to_csv(self._fh, index=False, lineterminator="\n")

    def write(self, df: pd.DataFrame) -> None:
        if len(df):
            df.reindex(columns=self.columns).to_csv(self._fh, index=False, header=False, lineterminator="\n", float_format="%.15g")
            self.rows += len(df)

    def close(self) -> None:
        self._fh.close()


def _output_columns(name: str, plans) -> list[str]:
    """Canonical columns some file of table `name` fills (plus its required ones), in schema order."""
    table = TABLES[name]
    filled = {c for p in plans if p[0].name == name for c in p[4]}
    return [c for c in table.column_names if c in filled or c in table.required_columns]


def import_tables(mapping: Mapping, sources: list[Path], build_dir: Path, result: ImportResult) -> None:
    """Stream every mapped table from `sources` into CSVs in `build_dir`; fill `result`."""
    files = [inspect_source(p, mapping) for p in sources]
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
    for t, _, table_joins, _, _ in plans:
        for j in table_joins:
            if j.key_path not in joins:
                jsrc = next(s for s in files if fnmatch.fnmatch(s.name.casefold(), j.file.casefold()))
                joins[j.key_path] = LoadedJoin(j, jsrc.path, jsrc.encoding, jsrc.delimiter, jsrc.header,
                                               mapping.chunk_rows)
    _stream_all(mapping, plans, joins, build_dir, result)


def plan_tables(mapping: Mapping, files: list[SourceFile], chosen: dict[str, list[SourceFile]]) -> list[tuple]:
    """(table, file, joins, column origins, usable column sources) for every table and file.

    Checks every column the mapping names against the files' headers before any data is read.
    """
    plans = []
    for name, t in mapping.tables.items():
        if not chosen[name]:
            continue
        for src in chosen[name]:
            available = set(src.header)
            table_joins = []
            for j in t.joins:
                jsrc = next((s for s in files if fnmatch.fnmatch(s.name.casefold(), j.file.casefold())), None)
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
            plans.append((t, src, table_joins, used, effective))
    return plans


def _stream_all(mapping: Mapping, plans: list[tuple], joins: dict, build_dir: Path, result: ImportResult) -> None:
    """Convert every planned file into the build folder; raise MappingError for values that do not fit."""
    problems = Problems()
    date_formats: dict = {}
    rep_names: dict[str, str] = {}
    reps_frames: list[pd.DataFrame] = []
    writers: dict[str, _TableWriter] = {}
    try:
        for t, src, table_joins, used, effective in plans:
            summary = result.tables.setdefault(t.name, TableSummary(t.name))
            summary.files.append(src.name)
            summary.columns.update(used)
            ctx = Context(t, src.name, problems, date_formats, rep_names, effective)
            out_cols = _output_columns(t.name, plans)
            if t.name != "reps" and t.name not in writers:
                writers[t.name] = _TableWriter(build_dir / f"{t.name}.csv", out_cols)
            _stream_table(t, src, table_joins, joins, ctx, mapping, summary, result, writers.get(t.name),
                          reps_frames)
        problems.raise_if_any(mapping.path)
    finally:
        for w in writers.values():
            w.close()
    for name, w in writers.items():
        result.tables[name].rows_written = w.rows
    _record_unused(plans, result)
    for (key, file), fmt in date_formats.items():
        if fmt != "ISO":
            result.notes.append(f"{file}: [{key}] dates read as {fmt} (detected).")
    _write_reps(_output_columns("reps", plans), build_dir, reps_frames, rep_names, result)


def _stream_table(t, src, table_joins, joins, ctx, mapping, summary, result, writer, reps_frames) -> None:
    """One file of one table, chunk by chunk: drop footer lines, join, unpivot, convert, drop incomplete rows, write."""
    table = TABLES[t.name]
    needed = {a.column for alts in t.columns.values() for a in alts if a.column} | {j.on for j in table_joins}
    drop_counts: dict[str, list] = {}
    adjusted = 0
    offset = 0
    read = {a.column for alts in ctx.columns.values() for a in alts if a.column} | {j.on for j in table_joins}
    read |= {src.header[0]} if src.header else set()  # footer lines are recognised by their first cell
    if t.unpivot:
        rx = re.compile(t.unpivot)
        read |= {c for c in src.header if c and rx.search(c)}
    for chunk in iter_chunks(src.path, src.encoding, src.delimiter, mapping.chunk_rows, read):
        chunk.index = pd.RangeIndex(offset + 1, offset + 1 + len(chunk))  # data row numbers
        offset += len(chunk)
        summary.rows_read += len(chunk)
        chunk = chunk.loc[:, [c for c in chunk.columns if c]]
        chunk = chunk.loc[:, ~chunk.columns.duplicated()]
        rows_before = chunk.index
        chunk, marked = drop_marked_rows(chunk, t)
        if marked.any():
            _count_drop(drop_counts, "footer, subtotal or summary line (drop_rows)", rows_before[marked])
        for j in table_joins:
            chunk = joins[j.key_path].apply(chunk)
        if t.unpivot:
            chunk = unpivot(chunk, t.unpivot, needed)
        if chunk.empty:
            continue
        canon = transform_chunk(chunk, ctx)
        keep = np.ones(len(canon), dtype=bool)
        for col in table.required_columns:
            if col in canon.columns:
                empty = canon[col].isna().to_numpy() & keep
                if empty.any():
                    _count_drop(drop_counts, f"empty {col} (missing in the file, or mapped to \"\")",
                                canon.index[empty])
                keep &= ~empty
        canon = canon[keep]
        if t.created_after_close == "use_close_date" and {"created_date", "close_date"} <= set(canon.columns):
            late = (canon["close_date"] < canon["created_date"]).to_numpy()
            if late.any():
                canon = canon.copy()
                canon.loc[late, "created_date"] = canon.loc[late, "close_date"]
                adjusted += int(late.sum())
        if t.name == "stage_history":
            canon = canon.sort_values("entered_date", kind="stable").drop_duplicates(["opportunity_id", "stage"])
        if t.name == "reps":
            reps_frames.append(canon)
        elif not ctx.problems.items:  # once the import is doomed, stop writing
            writer.write(to_csv_text(canon, t.name))
        if "rep_id" in canon.columns and t.name != "reps":
            ids = canon["rep_id"].dropna().unique()
            for i in ids:
                ctx.rep_names.setdefault(i, i)
    if adjusted:
        result.notes.append(f"{src.name}: {adjusted:,} deal(s) closed before their created date (records loaded into "
                            f"the CRM after the fact): created_date set to the close date (created_after_close).")
    for reason, (count, examples) in drop_counts.items():
        result.dropped.append(Dropped(t.name, src.name, reason, count, [str(e) for e in examples]))


def _record_unused(plans, result: ImportResult) -> None:
    """Per source file, the columns no table of the mapping reads."""
    used: dict[str, set] = {}
    headers = {}
    for t, src, table_joins, _, effective in plans:
        cols = used.setdefault(src.name, set())
        headers[src.name] = src.header
        cols |= {a.column for alts in effective.values() for a in alts if a.column}
        cols |= {j.on for j in table_joins}
        if t.unpivot:
            rx = re.compile(t.unpivot)
            cols |= {c for c in src.header if c and rx.search(c)}
    for name, header in headers.items():
        result.unused_columns[name] = [c for c in header if c and c not in used[name]]


def _count_drop(counts: dict, reason: str, rows) -> None:
    entry = counts.setdefault(reason, [0, []])
    rows = list(rows)
    entry[0] += len(rows)
    entry[1] += rows[: max(0, MAX_EXAMPLES - len(entry[1]))]


def _write_reps(cols: list[str], build_dir: Path, frames: list[pd.DataFrame], rep_names: dict, result: ImportResult) -> None:
    """reps.csv from the reps file (duplicates merged) plus every owner seen that it lacks."""
    table = TABLES["reps"]
    if frames:
        reps = pd.concat(frames)
    else:
        reps = pd.DataFrame({"rep_id": pd.Series(dtype="str"), "name": pd.Series(dtype="str")})
    if "name" not in reps.columns or reps["name"].isna().any():
        derived = reps["rep_id"].map(rep_names)
        reps["name"] = reps["name"].fillna(derived) if "name" in reps.columns else derived
        reps["name"] = reps["name"].fillna(reps["rep_id"])
    before = len(reps)
    reps = reps.drop_duplicates("rep_id")
    if before > len(reps):
        result.notes.append(f"reps: {before - len(reps)} duplicate rep row(s) merged (same rep id, or the same name "
                            f"apart from case and spaces).")
    known = set(reps["rep_id"])
    extra_ids = [i for i in rep_names if i not in known]
    if extra_ids:
        extra = pd.DataFrame({"rep_id": extra_ids, "name": [rep_names[i] for i in extra_ids]})
        reps = pd.concat([reps, extra], ignore_index=True)
        if frames:
            shown = ", ".join(repr(rep_names[i]) for i in extra_ids[:5])
            result.notes.append(f"reps: {len(extra_ids)} owner(s) not in the reps file added with their name only: "
                                f"{shown}{' ...' if len(extra_ids) > 5 else ''}.")
        else:
            result.notes.append(f"reps: no reps file; {len(extra_ids)} rep(s) derived from the owners of the records.")
    if reps["name"].equals(reps["rep_id"]) and len(reps):
        result.notes.append("reps: the export has owner ids but no names; reps are named by their id "
                            "(add a users/reps file to the mapping to show names).")
    reps = reps.reindex(columns=[c for c in table.column_names if c in cols])
    _write_small_table(build_dir / "reps.csv", reps)
    summary = result.tables.setdefault("reps", TableSummary("reps"))
    summary.rows_written = len(reps)
    if not frames:
        summary.columns = {"rep_id": "owners of the other tables", "name": "owners of the other tables"}
    result.tables = {n: result.tables[n] for n in TABLES if n in result.tables}
    result.missing_tables = [n for n in TABLES if n not in result.tables]


def _write_small_table(path: Path, df: pd.DataFrame) -> None:
    w = _TableWriter(path, list(df.columns))
    try:
        w.write(to_csv_text(df, "reps"))
    finally:
        w.close()

