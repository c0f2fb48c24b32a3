"""A file writes all its dates one way: one column that shows day-first (or month-first) decides for the others.

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
rep_id = "Owner"
status = "Status"
amount = "Amount"
close_date = "Closed"
created_date = "Created"
'''


def run(tmp_path: Path, rows: str):
    return import_files(tmp_path, MAPPING, {"deals.csv": "Id,Owner,Status,Amount,Closed,Created\n" + rows})


def test_an_ambiguous_column_follows_the_file_s_day_first_column(tmp_path):
    # Every close day is 12 or less (both orders read it); the created dates show day-first (31/05).
    # The close date column comes first in the mapping, so it is read before the column that decides.
    result = run(tmp_path, "D1,ann,won,1,02/06/2025,31/05/2025\nD2,ann,won,1,03/07/2025,15/06/2025\n")
    opps = pd.read_csv(tmp_path / "ds" / "opportunities.csv", dtype=str)
    assert list(opps["close_date"]) == ["2025-06-02", "2025-07-03"]
    assert list(opps["created_date"]) == ["2025-05-31", "2025-06-15"]
    assert any("'Closed' dates read as D/M/YYYY" in n for n in result.notes)


def test_an_ambiguous_column_follows_a_month_first_file_too(tmp_path):
    run(tmp_path, "D1,ann,won,1,06/02/2025,05/31/2025\n")
    opps = pd.read_csv(tmp_path / "ds" / "opportunities.csv", dtype=str)
    assert list(opps["close_date"]) == ["2025-06-02"]


def test_columns_that_disagree_are_an_error(tmp_path):
    with pytest.raises(MappingError) as info:
        run(tmp_path, "D1,ann,won,1,12/31/2025,31/01/2025\nD2,ann,won,1,01/02/2025,02/01/2025\n")
    text = str(info.value)
    assert "'Created' dates that read only day-first (D/M/YYYY)" in text
    assert "'Closed' dates read only month-first (M/D/YYYY, e.g. '12/31/2025')" in text
    assert "'31/01/2025' (1) (line 2)" in text
    assert "a file writes all its dates one way" in text
