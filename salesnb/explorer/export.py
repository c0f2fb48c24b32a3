"""Export the explorer's lists (the leaderboard, who is at risk, the flagged deals) as CSV files and one Excel
workbook, for the reps on screen. Figures stay numbers (attainment 0.93, not "93%") so a spreadsheet can
sort and sum them; columns are named in plain words.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from ..atomic import write_bytes_atomic
from ..metrics import CATALOGUE
from ..words import manager as words
from .model import View
from .sections import flagged_deals

EXPORT_DIR = "salesnb-exports"


def tables(view: View) -> dict[str, pd.DataFrame]:
    """The three lists, name -> frame (the names are the file and sheet names)."""
    return {"leaderboard": _leaderboard(view), "at_risk": _at_risk(view), "hygiene": _hygiene(view)}


def _leaderboard(view: View) -> pd.DataFrame:
    b = view.board
    return pd.DataFrame({
        "Rank in role": b["rank"], f"Places moved against {view.state.base}": b["rank_change"],
        "Rep id": b["rep_id"], "Rep": b["name"], "Role": b["role"], "Team": b["team"], "Manager": b["manager"],
        "Score": b["score"].round(1), "Attainment": b["attainment"], "Won": b["won_revenue"],
        "Assisted deals": b["assisted_deals"],
        "Most points from": b["top_metrics"].map(lambda ms: ", ".join(CATALOGUE[m].label for m in ms))})


def _at_risk(view: View) -> pd.DataFrame:
    r = view.reps
    cols = ["Rep id", "Rep", "Team", "Attainment", "Projection", "Quota", "Projected attainment",
            "Likely low", "Likely high", "Chance of reaching quota", "Why"]
    if "at_risk" not in r or r["at_risk"].isna().all():
        return pd.DataFrame(columns=cols)
    r = r[r["at_risk"].fillna(False).astype(bool)].sort_values("p_miss", ascending=False)
    return pd.DataFrame({
        "Rep id": r.index, "Rep": r["name"].to_numpy(), "Team": r["team"].to_numpy(),
        "Attainment": r["attainment"].to_numpy(), "Projection": r["projection"].round(0).to_numpy(),
        "Quota": r["quota"].to_numpy(), "Projected attainment": r["projected_attainment"].to_numpy(),
        "Likely low": r["likely_low"].to_numpy(), "Likely high": r["likely_high"].to_numpy(),
        "Chance of reaching quota": r["chance"].to_numpy(),
        "Why": [words.risk_reason(x, view.currency) for x in r.to_dict("records")]}, columns=cols)


def _hygiene(view: View) -> pd.DataFrame:
    d = flagged_deals(view)
    return pd.DataFrame({
        "Deal": d["opportunity_id"], "Account": d["account"], "Rep id": d["rep_id"],
        "Rep": d["rep_id"].map(view.names), "Amount": d["amount"], "Expected close": d["close_date"].dt.date,
        "No next step": d["no_next_step"].astype(bool), "Stale": d["stale"].astype(bool),
        "Past close date": d["past_close_date"].astype(bool)})


def folder_name(view: View) -> str:
    """A folder per period, scope and role: "2026", "2026-East", "2026-Q3-East-AE"."""
    parts = [view.state.period, view.scope.team or view.scope.manager or "", view.state.role]
    return "-".join(_slug(p) for p in parts if p)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", str(text)).strip("_") or "x"


def export(view: View, root: str | Path) -> list[Path]:
    """Write leaderboard.csv, at_risk.csv, hygiene.csv and tables.xlsx (a sheet each) under
    ``root/salesnb-exports/<period>[-<team>][-<role>]/``; returns the files written."""
    folder = Path(root) / EXPORT_DIR / folder_name(view)
    folder.mkdir(parents=True, exist_ok=True)
    frames = tables(view)
    written = []
    for name, frame in frames.items():
        target = folder / f"{name}.csv"
        write_bytes_atomic(target, frame.to_csv(index=False).encode("utf-8"))
        written.append(target)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as xl:
        for name, frame in frames.items():
            frame.to_excel(xl, sheet_name=name, index=False)
    target = folder / "tables.xlsx"
    write_bytes_atomic(target, buffer.getvalue())
    return [*written, target]
