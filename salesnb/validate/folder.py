"""Checking a whole dataset folder: read, check every table and the references between them, type."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ..config import default_jobs
from ..dataset import DatasetMeta
from ..schema import TABLES
from .columns import check_columns, drop_misplaced_rows, drop_nul_bytes, parse_table
from .dates import check_dates
from .duplicates import check_duplicate_activities
from .files import find_table_files, list_folder
from .read import read_meta, read_table_file
from .references import check_assisted_by, check_references, start_lookups
from .report import ValidationReport
from .rows import STR, RawTable
from .rules import check_rows, check_unique
from .teams import check_team_quotas


def check_tables(raws: dict[str, RawTable], report: ValidationReport, meta: DatasetMeta | None = None) -> None:
    """All checks, in an order where repairs (dropped rows) feed the reference checks after them.

    `meta` (dataset.toml's settings, defaults when None) sets the limits some checks use.

    The work runs side by side (arrow releases the GIL): the tables are parsed, the biggest
    first, while the id lookups between tables run; issues are merged in a fixed order.
    """
    with ThreadPoolExecutor(max_workers=default_jobs()) as pool:
        # The id lookups are the longest tasks: started first (biggest first), they finish
        # while the shorter parsing tasks fill the other core.
        lookups = start_lookups(raws, pool)
        by_size = sorted(raws, key=lambda name: -raws[name].data.num_rows)
        limit = (meta or DatasetMeta()).amount_limit
        parsed = {name: pool.submit(_parse_and_check_unique, raws[name], limit) for name in by_size}
        for name in raws:  # each table is parsed into its own report, merged in table order
            report.issues.extend(parsed[name].result().issues)
        check_rows(raws, report)
        check_references(raws, report, pool, lookups)
    check_duplicate_activities(raws, report)  # after the references: a copy is judged on its repaired links
    if (opps := raws.get("opportunities")) is not None:
        check_assisted_by(opps, raws.get("reps"), report)
    check_team_quotas(raws.get("team_quotas"), raws.get("reps"), report)
    check_dates(raws, report, meta or DatasetMeta())


def _parse_and_check_unique(raw: RawTable, max_amount: float) -> ValidationReport:
    sub = ValidationReport()
    parse_table(raw, sub, max_amount)
    check_unique(raw, sub)
    if sub.ok:
        # Typed now, while the other core looks ids up; `final_frame` keeps it unless a repair follows.
        raw.frame = (to_frame(raw), dict(raw.columns))
    return sub


def final_frame(raw: RawTable) -> pd.DataFrame:
    """The typed frame of a checked table: the one built after parsing when no repair touched the table since."""
    if raw.frame is not None:
        frame, columns = raw.frame
        raw.frame = None
        if raw.keep.all() and columns.keys() == raw.columns.keys() and all(
                raw.columns[name] is arr for name, arr in columns.items()):
            return frame
    return to_frame(raw)


def to_frame(raw: RawTable) -> pd.DataFrame:
    """The kept rows of a checked table with the canonical dtypes (see salesnb.dataset)."""
    keep = pa.array(raw.keep) if not raw.keep.all() else None
    arrays, names = [], []
    for col in raw.table.columns:
        arr = raw.columns.get(col.name)
        if arr is None:
            arr = pa.nulls(raw.data.num_rows, _ARROW_TYPES[col.kind])
        if col.kind == "int":
            arr = arr.cast(pa.float64())
        if keep is not None:
            arr = arr.filter(keep)
        arrays.append(arr)
        names.append(col.name)
    table = pa.table(arrays, names=names)
    # date32 becomes datetime64[ms] in one step; casting to a timestamp first costs a copy.
    return table.to_pandas(date_as_object=False, types_mapper={pa.bool_(): pd.BooleanDtype()}.get)


_ARROW_TYPES = {"id": STR, "str": STR, "choice": STR, "date": pa.date32(),
                "number": pa.float64(), "int": pa.float64(), "bool": pa.bool_()}


def check_folder(path, positions: dict | None = None) -> tuple[dict[str, pd.DataFrame | None], DatasetMeta,
                                                               ValidationReport]:
    """Read and check a dataset folder: (typed frames by table, DatasetMeta, report).

    The frames are only complete when `report.ok`; with errors, use the report.
    `positions`, when given, is filled with {(table, column): row positions in the
    referenced frame} for every reference checked (see `Dataset.positions`).
    """
    folder = Path(path)
    report = ValidationReport(source=str(folder))
    names = list_folder(folder, report)
    if names is None:
        return {}, DatasetMeta(), report
    files = find_table_files(folder, report, names)
    meta = read_meta(folder, report)
    raws: dict[str, RawTable] = {}
    for name, file in files.items():
        raw = read_table_file(name, file, report)
        if raw is not None:
            drop_nul_bytes(raw, report)
        if raw is not None and check_columns(raw, report):
            drop_misplaced_rows(raw, report)
            raws[name] = raw
    check_tables(raws, report, meta)
    frames: dict[str, pd.DataFrame | None] = dict.fromkeys(TABLES)
    if report.ok:
        with ThreadPoolExecutor(max_workers=default_jobs()) as pool:
            frames.update(zip(raws, pool.map(final_frame, raws.values())))
        if positions is not None:
            positions.update(reference_positions(raws))
    return frames, meta, report


def reference_positions(raws: dict[str, RawTable]) -> dict[tuple[str, str], np.ndarray]:
    """Row positions of every looked-up reference, aligned with the frames of `to_frame`."""
    out = {}
    for name, raw in raws.items():
        for column, found in raw.found.items():
            target = raws[raw.table.references[column]]
            out[(name, column)] = found.final_positions(raw.keep, target.keep)
    return out


def validate_folder(path) -> ValidationReport:
    """Check the dataset in folder `path` and return every problem found (nothing is modified)."""
    return check_folder(path)[2]
