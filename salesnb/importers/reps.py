"""The reps table: the roster file (duplicates merged) plus every owner seen that it lacks."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import TABLES
from .result import ImportResult, TableSummary
from .run import Run, TableWriter
from .transform import to_csv_text


def write_reps(cols: list[str], frames: list[tuple[str, pd.DataFrame]], rep_names: dict, run: Run,
               result: ImportResult) -> None:
    """reps.csv from the reps file(s) plus the owners of the other tables that it lacks."""
    table = TABLES["reps"]
    if frames:
        reps = pd.concat([f.assign(**{"@file": name, "@record": f.index}) for name, f in frames], ignore_index=True)
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
            names = [rep_names[i] for i in extra_ids[:5]]
            shown = ("; " if any("," in n for n in names) else ", ").join(repr(n) for n in names)
            result.notes.append(f"reps: {len(extra_ids)} owner(s) not in the reps file added with their name only: "
                                f"{shown}{' ...' if len(extra_ids) > 5 else ''}.")
        else:
            result.notes.append(f"reps: no reps file; {len(extra_ids)} rep(s) derived from the owners of the records.")
    if reps["name"].equals(reps["rep_id"]) and len(reps):
        result.notes.append("reps: the export has owner ids but no names; reps are named by their id "
                            "(add a users/reps file to the mapping to show names).")
    origins = run.origins.setdefault("reps", [])
    writer = TableWriter(run.build_dir / "reps.csv", [c for c in table.column_names if c in cols], origins)
    try:
        for file, part in (reps.groupby("@file", sort=False) if "@file" in reps.columns else []):
            writer.write(to_csv_text(part.drop(columns=["@file", "@record"]), "reps"), file, part["@record"])
        rest = reps[reps["@file"].isna()] if "@file" in reps.columns else reps
        writer.write(to_csv_text(rest.drop(columns=["@file", "@record"], errors="ignore"), "reps"), None,
                     np.full(len(rest), -1))
    finally:
        writer.close()
    summary = result.tables.setdefault("reps", TableSummary("reps"))
    summary.rows_written = len(reps)
    if not frames:
        summary.columns = {"rep_id": "owners of the other tables", "name": "owners of the other tables"}
    result.tables = {n: result.tables[n] for n in TABLES if n in result.tables}
    result.missing_tables = [n for n in TABLES if n not in result.tables]

