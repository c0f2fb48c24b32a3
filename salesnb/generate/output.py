"""Writing generated tables chunk by chunk into a staging folder, then moving complete files into place."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..dataset_folder import check_replaceable, remove_stale
from ..errors import ConfigError
from ..schema import TABLES

FORMATS = ("csv", "parquet")


class TableSink:
    """Appends Arrow tables to one CSV or Parquet file, in the canonical column order."""

    def __init__(self, path: Path, columns: tuple[str, ...], fmt: str):
        self.path = path
        self.columns = list(columns)
        self.fmt = fmt
        self.rows = 0
        self._writer = None

    def write(self, table: pa.Table) -> None:
        table = table.select(self.columns)
        # Dates are written as dates (YYYY-MM-DD), never as midnight timestamps.
        for i, f in enumerate(table.schema):
            if pa.types.is_timestamp(f.type):
                table = table.set_column(i, f.name, table.column(i).cast(pa.date32()))
        if self._writer is None:
            if self.fmt == "csv":
                self._file = open(self.path, "wb")
                # Plain header; values never need quoting (generated text has no commas or quotes).
                self._file.write((",".join(self.columns) + "\n").encode())
                self._writer = pacsv.CSVWriter(
                    self._file, table.schema,
                    write_options=pacsv.WriteOptions(include_header=False, quoting_style="none"))
            else:
                self._writer = pq.ParquetWriter(self.path, table.schema)
        self._writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            if self.fmt == "csv":
                self._file.close()


def check_destination(out_dir: Path, fmt: str, overwrite: bool = False) -> None:
    """Refuse a folder that is not empty unless `overwrite`, and then any but a salesnb dataset
    (`dataset_folder`); without `overwrite`, name tables in the other format first (a common mix-up)."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"{out_dir} is a file, not a folder: choose a folder to write the dataset into.")
    if not overwrite:
        _no_other_format(out_dir, fmt)
    check_replaceable(out_dir, overwrite)


def _no_other_format(out_dir: Path, fmt: str) -> None:
    other = "parquet" if fmt == "csv" else "csv"
    clash = sorted(p.name for name in TABLES if (p := out_dir / f"{name}.{other}").exists())
    if clash:
        raise ConfigError(
            f"{out_dir} already holds {', '.join(clash)}; writing {fmt} files next to them would leave two "
            f"versions of the same tables. Fix: choose an empty folder, or pass --force to replace the dataset there.")


def staging_dir(out_dir: Path) -> Path:
    """A fresh hidden folder next to `out_dir` (same file system, so the final moves are renames)."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    stage = out_dir.parent / f".{out_dir.name}.generating-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    return stage


def publish(stage: Path, out_dir: Path) -> dict[str, Path]:
    """Move every finished file from `stage` into `out_dir` (each move is atomic), delete the files of the
    dataset it replaces that it did not write (`check_destination` let only a dataset be replaced), and remove
    `stage`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale(out_dir, {p.name for p in stage.iterdir()})
    moved = {}
    for path in sorted(stage.iterdir()):
        target = out_dir / path.name
        os.replace(path, target)
        moved[path.name] = target
    stage.rmdir()
    return moved
