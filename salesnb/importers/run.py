"""What one import keeps while it writes: the build folder, line lookups, and where every written row came from."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..schema import TABLES
from .lines import LineFinder


@dataclass
class Run:
    """What one import keeps beside the tables: line lookups and the source of every written row."""

    build_dir: Path
    finder: LineFinder
    # table -> [(source file, record indices of the rows written, in order)]
    origins: dict[str, list[tuple[str | None, np.ndarray]]] = field(default_factory=dict)
    unnamed_values: dict[tuple[str, str], int] = field(default_factory=dict)  # (file, column) -> non-empty cells
    generated_ids: dict[str, str] = field(default_factory=dict)  # table -> how its ids were made (from_row, hash)

    def origin(self, table: str, row: int) -> tuple[str | None, int | None]:
        """(source file, record) of written row `row` (0-based) of `table`."""
        for file, records in self.origins.get(table, []):
            if row < len(records):
                return file, int(records[row])
            row -= len(records)
        return None, None


class TableWriter:
    """Appends canonical rows to one CSV in the build folder, remembering where each came from."""

    def __init__(self, path: Path, columns: list[str], origins: list):
        self.path = path
        self.columns = columns
        self.rows = 0
        self.origins = origins
        self._fh = open(path, "w", encoding="utf-8", newline="")
        pd.DataFrame(columns=columns).to_csv(self._fh, index=False, lineterminator="\n")

    def write(self, df: pd.DataFrame, file: str | None, records=None) -> None:
        if len(df):
            df.reindex(columns=self.columns).to_csv(self._fh, index=False, header=False, lineterminator="\n",
                                                    float_format="%.15g")
            self.rows += len(df)
            index = df.index if records is None else records
            self.origins.append((file, np.asarray(index, dtype=np.int64 if file is None else np.int32)))

    def close(self) -> None:
        self._fh.close()


def output_columns(name: str, plans) -> list[str]:
    """Canonical columns some file of table `name` fills (plus its required ones), in schema order."""
    table = TABLES[name]
    filled = {c for p in plans if p.table.name == name for c in p.effective}
    filled |= {"period_start", "period_end"} if any(p.table.name == name and p.table.period for p in plans) else set()
    return [c for c in table.column_names if c in filled or c in table.required_columns]
