"""Two files feeding one table (an export before and after a CRM move, tests/data/exports/two_files/): the
summary says, for each file, where each column came from, what it left out and how many rows it gave."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from salesnb.importers import import_export

TWO = Path(__file__).resolve().parent / "data" / "exports" / "two_files"


def test_the_summary_names_each_files_columns(tmp_path):
    result = import_export([TWO / "deals_2023.csv", TWO / "deals_2024.csv"], tmp_path / "ds", TWO / "mapping.toml")
    text = result.format()
    block = text.split("  opportunities: 7 rows from 2 files\n")[1].split("Not imported")[0]
    old, new = block.split("    deals_2024.csv: 4 rows\n")
    assert old.startswith("    deals_2023.csv: 3 rows\n")
    for col, origin in [("opportunity_id", "'Deal ID'"), ("rep_id", "'Owner'"), ("created_date", "'Created'"),
                        ("amount", "'Amount'"), ("status", "'Stage'")]:
        assert f"        {col:<20} <- {origin}\n" in old
    for col, origin in [("opportunity_id", "'Record ID'"), ("rep_id", "'Deal owner'"),
                        ("created_date", "'Create Date'"), ("amount", "'Amount (USD)' (then default '0')"),
                        ("status", "'Deal Stage'"), ("next_step", "'Next step'")]:
        assert f"        {col:<20} <- {origin}\n" in new
    assert "next_step" not in old  # the 2023 file has no next step
    assert "1 row(s) from the default '0'" in new and "default" not in old
    assert "Not imported from deals_2023.csv: Region\n" in text
    assert "Not imported from deals_2024.csv: Pipeline\n" in text
    written = pd.read_csv(tmp_path / "ds" / "opportunities.csv", dtype=str, keep_default_na=False)
    assert written["opportunity_id"].tolist() == ["D-101", "D-102", "D-103", "48213", "48214", "48215", "48216"]
    assert written["amount"].tolist() == ["12000", "8000", "5500", "15000", "9900", "3000", "0"]


def test_one_file_keeps_the_short_summary(tmp_path):
    result = import_export([TWO / "deals_2023.csv"], tmp_path / "ds", TWO / "mapping.toml")
    assert "  opportunities: 3 rows from deals_2023.csv\n      opportunity_id       <- 'Deal ID'\n" in result.format()
