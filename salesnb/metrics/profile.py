"""The ideal-customer profile (dataset.toml [icp]) applied to leads: which of its requirements the data can
check, and which leads meet them.

A requirement whose column holds no value in the export (no has_need, no decision_maker) is left out
and said so, instead of marking every lead as missing it: a lead is judged on what the data knows.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

SIGNALS = {"company_size": "a good size", "has_need": "a real need", "decision_maker": "the right contact"}


def requirements(leads: pd.DataFrame, icp) -> tuple[dict[str, np.ndarray], list[str]]:
    """(requirement -> per lead True where met, requirements left out because the data has no values).

    An unknown value on a lead does not count as met; a column with no value at all is not a requirement.
    """
    wanted = ["company_size"] + (["has_need"] if icp.require_need else []) + \
        (["decision_maker"] if icp.require_decision_maker else [])
    met, left_out = {}, []
    for col in wanted:
        if col not in leads.columns or not leads[col].notna().any():
            left_out.append(col)
        elif col == "company_size":
            met[col] = leads[col].to_numpy(dtype=np.float64, na_value=np.nan) >= float(icp.min_company_size)
        else:
            met[col] = leads[col].fillna(False).to_numpy(dtype=bool)
    return met, left_out


def is_high_quality(leads: pd.DataFrame, icp) -> np.ndarray:
    """Leads that meet every requirement the data can check (none when it can check none)."""
    met, _ = requirements(leads, icp)
    if not met:
        return np.zeros(len(leads), dtype=bool)
    return np.logical_and.reduce(list(met.values()))


def left_out_note(left_out: list[str]) -> str | None:
    """Says which requirements of the profile the export cannot check."""
    if not left_out:
        return None
    what = ", ".join(f"{c} ({SIGNALS[c]})" for c in left_out)
    return (f"The ideal-customer profile leaves out {what}: the leads have no such values. Add the column to "
            "leads.csv (or map it on import) to judge leads on it too.")
