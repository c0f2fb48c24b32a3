"""A grouped or formatted report (the owner written only on each group's first row) is not imported as a few deals,
and a report's summary lines never become reps.

Tiny hand-made exports; every expectation is stated by hand.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from salesnb.errors import MappingError
from exports import import_files

MAPPING = '''[tables.opportunities]
file = "deals.csv"
[tables.opportunities.columns]
opportunity_id = "Id"
rep_id = { column = "Owner", names = true }
created_date = "Created"
status = "Status"
amount = "Amount"
'''
HEAD = "Owner,Id,Created,Status,Amount\n"


def run(tmp_path: Path, rows: str):
    return import_files(tmp_path, MAPPING, {"deals.csv": HEAD + rows})


def test_an_owner_written_only_on_each_groups_first_row_stops_the_import(tmp_path):
    rows = ("Ann Lee,D1,2024-01-01,open,10\n,D2,2024-01-01,open,20\n,D3,2024-01-01,open,30\n"
            "Bob Stone,D4,2024-01-01,open,40\n,D5,2024-01-01,open,50\n")
    with pytest.raises(MappingError) as info:
        run(tmp_path, rows)
    text = str(info.value)
    assert "3 of the 5 row(s) of deals.csv have no rep_id ('Owner' empty; lines 3, 4, 6)" in text
    assert "Details Only" in text and "fill the value down" in text
    assert not (tmp_path / "ds").exists()


def test_a_few_rows_without_an_owner_are_dropped_and_counted(tmp_path):
    result = run(tmp_path, "Ann Lee,D1,2024-01-01,open,10\n,D2,2024-01-01,open,20\nBob Stone,D3,2024-01-01,open,30\n")
    assert [(d.reason.split(" (")[0], d.count) for d in result.dropped] == [("empty rep_id", 1)]
    assert list(pd.read_csv(tmp_path / "ds" / "opportunities.csv", dtype=str)["opportunity_id"]) == ["D1", "D3"]


def test_rows_dropped_for_having_no_deal_id_make_no_rep(tmp_path):
    rows = ("Opportunities by Owner,,,,\nAnn Lee,D1,2024-01-01,open,10\nBob Stone,D2,2024-01-01,open,20\n"
            "Ann Lee,D3,2024-01-01,open,30\nRecord Count,,,,3\n")
    run(tmp_path, rows)
    reps = pd.read_csv(tmp_path / "ds" / "reps.csv", dtype=str)
    assert sorted(reps["name"]) == ["Ann Lee", "Bob Stone"]
