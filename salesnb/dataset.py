"""The typed in-memory dataset: one DataFrame per canonical table.

Canonical dtypes (the loader, the importers and `Dataset.from_frames` all
produce these):

- id, str and choice columns: pandas ``str`` (ids are never parsed as numbers)
- date columns: ``datetime64[ms]`` at midnight, ``NaT`` when empty
- number and int columns: ``float64``, ``NaN`` when empty
- bool columns: pandas nullable ``boolean``

Optional tables that are absent are ``None``; `Dataset.missing` says what
their absence costs. The settings of dataset.toml (`DatasetMeta`) live in `salesnb.dataset_toml`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._ids import codes_in
from .dataset_toml import DatasetMeta, IdealCustomerProfile  # noqa: F401 (re-exported: their home was here)
from .schema import TABLES, Table

DATE_DTYPE = "datetime64[ms]"


def coerce_table(table: Table, df: pd.DataFrame) -> pd.DataFrame:
    """Return `df` with the canonical dtypes for `table`; absent optional columns are added empty.

    Assumes values are already valid (the loader validates first); extra columns are dropped.
    """
    out = {}
    n = len(df)
    for col in table.columns:
        if col.name in df.columns:
            s = df[col.name]
        else:
            s = pd.Series([None] * n, index=df.index, dtype=object)
        if col.kind in ("id", "str", "choice"):
            s = s.astype("str") if s.dtype != "str" else s
            # astype("str") turns None into NaN already; keep empty strings as missing.
            s = s.where(s != "", np.nan)
        elif col.kind == "date":
            s = pd.to_datetime(s).astype(DATE_DTYPE).dt.normalize()
        elif col.kind in ("number", "int"):
            s = pd.to_numeric(s).astype("float64")
        elif col.kind == "bool":
            s = s.astype("boolean")
        else:  # pragma: no cover - schema is fixed
            raise AssertionError(col.kind)
        out[col.name] = s
    return pd.DataFrame(out, index=df.index).reset_index(drop=True)


@dataclass
class Dataset:
    """A canonical sales dataset (see docs/data-model.md).

    Build one with `salesnb.load(folder)` (validated) or, for tests and
    notebooks, `Dataset.from_frames(reps=..., opportunities=..., ...)`.
    """

    reps: pd.DataFrame
    opportunities: pd.DataFrame
    quotas: pd.DataFrame | None = None
    team_quotas: pd.DataFrame | None = None
    leads: pd.DataFrame | None = None
    activities: pd.DataFrame | None = None
    stage_history: pd.DataFrame | None = None
    meta: DatasetMeta = field(default_factory=DatasetMeta)
    source: Path | None = None
    report: object | None = None  # the ValidationReport from loading, warnings included
    # (table, column) -> (row positions, the frame they index from, the frame they point into)
    _positions: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _shape: tuple | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_frames(cls, *, meta: DatasetMeta | None = None, **frames: pd.DataFrame | None) -> "Dataset":
        """Build a dataset from plain frames (or lists of dicts), coercing canonical dtypes."""
        unknown = set(frames) - set(TABLES)
        if unknown:
            raise TypeError(f"unknown table(s): {sorted(unknown)}")
        tables = {}
        for name, value in frames.items():
            if value is None:
                tables[name] = None
                continue
            df = value if isinstance(value, pd.DataFrame) else pd.DataFrame(list(value))
            tables[name] = coerce_table(TABLES[name], df)
        return cls(**tables, meta=meta or DatasetMeta())

    def table(self, name: str) -> pd.DataFrame | None:
        return getattr(self, name)

    def has(self, name: str) -> bool:
        """True when the table is present and has at least one row."""
        df = self.table(name)
        return df is not None and len(df) > 0

    def missing(self, name: str) -> str | None:
        """None when the table is usable, else a sentence saying what its absence costs."""
        if self.has(name):
            return None
        if name == "quotas" and self.has("team_quotas"):
            return ("No quotas per rep in this dataset (quotas.csv): the team target comes from team_quotas, but "
                    "rep attainment, pacing and the early warning need each rep's quota. Add quotas.csv to see them.")
        return f"No {name} table in this dataset: add {name}.csv to see {TABLES[name].enables}."

    @property
    def shape(self):
        """What this export holds (`salesnb.shape.ExportShape`), recognised once for the current frames."""
        from .shape import shape_of

        key = tuple(id(self.table(name)) for name in TABLES)
        if self._shape is None or self._shape[0] != key:
            self._shape = (key, shape_of(self))
        return self._shape[1]

    def positions(self, table: str, column: str) -> np.ndarray:
        """For each row of `table`, the row of the table its `column` points into; -1 where empty or unknown.

        A reference such as `activities.rep_id` as int32 row numbers of `reps`, so the
        metric engine joins tables by position instead of hashing millions of string ids.
        The loader hands over what it found while checking the references; otherwise
        the ids are looked up on first use. Either way the answer is kept for as long as
        both tables are the same frame objects (the frames are treated as read-only:
        assign a new frame rather than editing ids in place).
        """
        target = TABLES[table].references[column]
        src, tgt = self.table(table), self.table(target)
        kept = self._positions.get((table, column))
        if kept is not None and kept[1] is src and kept[2] is tgt:
            return kept[0]
        if tgt is None or column not in src.columns:
            pos = np.full(len(src), -1, dtype=np.int32)
        else:
            pos = codes_in(src[column], tgt[TABLES[target].key]).astype(np.int32)
        self.remember_positions(table, column, pos)
        return pos

    def remember_positions(self, table: str, column: str, pos: np.ndarray) -> None:
        """Keep `pos` as the answer of `positions(table, column)` for the current frames."""
        src, tgt = self.table(table), self.table(TABLES[table].references[column])
        if len(pos) != len(src):
            raise ValueError(f"{len(pos)} positions for {len(src)} rows of {table}")
        self._positions[(table, column)] = (pos, src, tgt)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The present tables by name."""
        return {name: df for name in TABLES if (df := self.table(name)) is not None}
