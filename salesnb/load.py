"""Reading a dataset folder (CSV or Parquet) into a validated, typed `Dataset`, and writing one.

Reading and checking happen in `salesnb.validate` (files are only ever opened for
reading); this module turns a clean folder into a `Dataset` and writes datasets.
"""
from __future__ import annotations

import os
from dataclasses import fields
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .atomic import write_atomic
from .dataset import Dataset, DatasetMeta, coerce_table
from .errors import DatasetError
from .schema import TABLES
from .validate import check_folder
from .validate.files import FORMATS, find_table_files
from .validate.read import META_FILE, read_meta, read_table_file


# --------------------------------------------------------------------------------------
# Loading


def load(path: str | os.PathLike) -> Dataset:
    """Read, validate and type the dataset in folder `path`.

    Returns a `Dataset` with canonical dtypes (absent optional tables are None) and the
    `ValidationReport` attached as `dataset.report`. Warning-level problems are repaired
    (orphans dropped or cleared) and reported. Raises `DatasetError` (its message is the
    formatted report) when there is any error.
    """
    positions: dict = {}
    frames, meta, report = check_folder(path, positions)
    if not report.ok:
        raise DatasetError(report.format(), report)
    dataset = Dataset(**frames, meta=meta, source=Path(path), report=report)
    for (table, column), pos in positions.items():
        dataset.remember_positions(table, column, pos)  # found while checking: the engine need not look again
    return dataset


# --------------------------------------------------------------------------------------
# Writing


def write_dataset(tables: dict[str, pd.DataFrame] | Dataset, out_dir: str | os.PathLike, *, fmt: str = "csv",
                  meta: DatasetMeta | None = None) -> Path:
    """Write canonical tables into `out_dir` (created if needed), each file atomically.

    CSV dates are written as YYYY-MM-DD, ids exactly as they are, empty values as empty
    cells; Parquet keeps the canonical types (dates as date32). `meta` (or the dataset's
    own meta) is written to dataset.toml. Returns `out_dir`.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if isinstance(tables, Dataset):
        meta = meta or tables.meta
        tables = tables.tables()
    unknown = set(tables) - set(TABLES)
    if unknown:
        raise ValueError(f"unknown table(s): {sorted(unknown)}; canonical tables are {list(TABLES)}")
    for name, df in tables.items():
        if df is None:
            continue
        other = out / f"{name}.{'parquet' if fmt == 'csv' else 'csv'}"
        if other.exists():
            raise DatasetError(f"{other} exists; writing {name}.{fmt} next to it would make the dataset ambiguous. "
                               f"Delete {other.name} or write to an empty folder.")
        table = TABLES[name]
        canon = coerce_table(table, df)
        keep = [c for c in table.column_names if c in df.columns or table.column(c).required]
        canon = canon[keep]
        write_atomic(out / f"{name}.{fmt}", lambda tmp, c=canon, t=table: _write_frame(c, t, tmp, fmt))
    if meta is not None:
        text = meta_to_toml(meta)
        write_atomic(out / META_FILE, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return out


def _write_frame(df: pd.DataFrame, table, tmp: Path, fmt: str) -> None:
    kinds = {c.name: c.kind for c in table.columns}
    if fmt == "parquet":
        arrow = pa.Table.from_pandas(df, preserve_index=False)
        for i, name in enumerate(arrow.column_names):
            if kinds[name] == "date":
                arrow = arrow.set_column(i, name, arrow.column(i).cast(pa.timestamp("ms")).cast(pa.date32()))
        pq.write_table(arrow, tmp)
        return
    out = df.copy()
    for name in out.columns:
        if kinds[name] == "date":
            out[name] = out[name].dt.strftime("%Y-%m-%d")
        elif kinds[name] == "int":
            out[name] = out[name].astype("Int64")
        elif kinds[name] == "bool":
            out[name] = out[name].map({True: "true", False: "false"}).astype("str")
    out.to_csv(tmp, index=False, float_format="%.15g", lineterminator="\n")


def meta_to_toml(meta: DatasetMeta) -> str:
    """dataset.toml text for `meta` (settings left at None are omitted)."""
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = []
    sections = ("icp", "reports")
    for f in fields(meta):
        v = getattr(meta, f.name)
        if f.name not in sections and v is not None:
            lines.append(f"{f.name} = {value(v)}")
    for name in sections:
        section = getattr(meta, name)
        if name == "icp" or section != type(section)():  # [reports] only when it is not the defaults
            lines += ["", f"[{name}]"] + [f"{f.name} = {value(getattr(section, f.name))}" for f in fields(section)]
    return "\n".join(lines) + "\n"


__all__ = ["load", "write_dataset", "read_table_file", "find_table_files", "read_meta", "meta_to_toml", "DatasetError"]
