"""The explorer's lists (the leaderboard, who is at risk, the flagged deals) as files the manager downloads in
the browser: a CSV per list and one Excel workbook with a sheet each, for the reps on screen.

Nothing is written on the server: the files are built in memory and offered as download links. Figures stay
numbers (attainment 0.93, shown as 93% in Excel) so a spreadsheet can sort and sum them; Excel sheets carry
money and percent formats, column widths, a bold frozen header and filters. Text cells that a spreadsheet would
run as a formula are written as text (`formula_safe`: a leading apostrophe in CSV, a string cell in Excel).
"""
from __future__ import annotations

import base64
import io
import re

import pandas as pd

from ..formula_safe import excel_strings, to_csv_bytes
from ..metrics import CATALOGUE
from ..words import manager as words
from .model import View
from .sections import flagged_deals

MONEY = "money"
PERCENT = "percent"


def tables(view: View) -> dict[str, pd.DataFrame]:
    """The three lists, name -> frame (the names are the file and sheet names)."""
    return {"leaderboard": _leaderboard(view), "at_risk": _at_risk(view), "hygiene": _hygiene(view)}


def kinds(view: View) -> dict[str, str]:
    """Column name -> MONEY or PERCENT, for the Excel formats."""
    cur = f" ({view.currency})" if view.currency else ""
    return {CATALOGUE["attainment"].label: PERCENT, "Projected attainment": PERCENT, f"{CATALOGUE['won_revenue'].label}{cur}": MONEY,
            f"Projection{cur}": MONEY, f"Quota{cur}": MONEY, f"Amount{cur}": MONEY}


def _leaderboard(view: View) -> pd.DataFrame:
    b = view.board
    cur = f" ({view.currency})" if view.currency else ""
    return pd.DataFrame({
        "Rank in role": b["rank"], f"Places moved against {view.state.base}": b["rank_change"],
        "Rep id": b["rep_id"], "Rep": b["name"], "Role": b["role"], "Team": b["team"], "Manager": b["manager"],
        "Score": b["score"].round(1), CATALOGUE["attainment"].label: b["attainment"], f"{CATALOGUE['won_revenue'].label}{cur}":
            b["won_revenue"], CATALOGUE["assisted_deals"].label: b["assisted_deals"],
        "Most points from": b["top_metrics"].map(lambda ms: ", ".join(CATALOGUE[m].label for m in ms))})


def _at_risk(view: View) -> pd.DataFrame:
    r = view.reps
    cur = f" ({view.currency})" if view.currency else ""
    cols = ["Rep id", "Rep", "Team", CATALOGUE["attainment"].label, f"Projection{cur}", f"Quota{cur}",
            "Projected attainment", "Likely low", "Likely high", "Chance of reaching quota", "Why"]
    if "at_risk" not in r or r["at_risk"].isna().all():
        return pd.DataFrame(columns=cols)
    r = r[r["at_risk"].fillna(False).astype(bool)].sort_values("p_miss", ascending=False)
    return pd.DataFrame({
        "Rep id": r.index, "Rep": r["name"].to_numpy(), "Team": r["team"].to_numpy(),
        CATALOGUE["attainment"].label: r["attainment"].to_numpy(), f"Projection{cur}": r["projection"].round(0).to_numpy(),
        f"Quota{cur}": r["quota"].to_numpy(), "Projected attainment": r["projected_attainment"].to_numpy(),
        "Likely low": r["likely_low"].to_numpy(), "Likely high": r["likely_high"].to_numpy(),
        "Chance of reaching quota": r["chance"].to_numpy(),
        "Why": [words.risk_reason(x, view.currency) for x in r.to_dict("records")]}, columns=cols)


def _hygiene(view: View) -> pd.DataFrame:
    d = flagged_deals(view)
    cur = f" ({view.currency})" if view.currency else ""
    return pd.DataFrame({
        "Deal": d["opportunity_id"], "Account": d["account"], "Rep id": d["rep_id"],
        "Rep": d["rep_id"].map(view.names), f"Amount{cur}": d["amount"], "Expected close": d["close_date"].dt.date,
        "No next step": d["no_next_step"].astype(bool), "Stale": d["stale"].astype(bool),
        "Past close date": d["past_close_date"].astype(bool)})


def file_stem(view: View) -> str:
    """The files' name per period, scope and role: "2026", "2026-East", "2026-Q3-East-AE"."""
    parts = [view.state.period, view.scope.team or view.scope.manager or "", view.state.role]
    return "-".join(_slug(p) for p in parts if p)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", str(text)).strip("_") or "x"


def files(view: View) -> dict[str, bytes]:
    """File name -> bytes: a CSV per list (UTF-8 with a byte-order mark, so Excel reads accents) and one workbook."""
    frames = tables(view)
    stem = file_stem(view)
    out = {f"{name}-{stem}.csv": to_csv_bytes(frame) for name, frame in frames.items()}
    out[f"tables-{stem}.xlsx"] = workbook(frames, kinds(view))
    return out


def workbook(frames: dict[str, pd.DataFrame], formats: dict[str, str]) -> bytes:
    """An Excel workbook, a sheet per frame: bold frozen header with filters, money and percent formats, widths."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as xl:
        for name, frame in frames.items():
            frame.to_excel(xl, sheet_name=name, index=False)
            ws = xl.sheets[name]
            excel_strings(ws)  # before saving: openpyxl would write a text starting with "=" as a formula
            ws.freeze_panes = "A2"
            if len(frame.columns):
                ws.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{max(len(frame) + 1, 1)}"
            for i, col in enumerate(frame.columns, start=1):
                letter = get_column_letter(i)
                ws[f"{letter}1"].font = Font(bold=True)
                kind = formats.get(col)
                fmt = "#,##0" if kind == MONEY else "0%" if kind == PERCENT else None
                if fmt:
                    for cell in ws[letter][1:]:
                        cell.number_format = fmt
                shown = [len(str(col))] + [len(str(v)) for v in frame[col].head(500) if v is not None]
                ws.column_dimensions[letter].width = min(max(shown) + 2, 60)
    return buffer.getvalue()


MIME = {".csv": "text/csv", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def download_links(named: dict[str, bytes]) -> str:
    """HTML links that download each file in the browser (data URLs: nothing is written on the server)."""
    from ..present import esc

    links = []
    for name, data in named.items():
        mime = MIME.get(name[name.rfind("."):], "application/octet-stream")
        url = f"data:{mime};base64,{base64.b64encode(data).decode()}"
        links.append(f'<a class="snx-download" download="{esc(name)}" href="{url}">{esc(name)}</a>')
    return " ".join(links)
