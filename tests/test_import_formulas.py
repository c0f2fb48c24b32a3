"""Cells a spreadsheet would run as formulas are imported as written, and the import says where they are.

Tiny hand-made exports; every expectation is stated by hand.
"""
from __future__ import annotations

import pandas as pd

from exports import import_files

MAPPING = '''rep_names = true
[tables.opportunities]
file = "deals.csv"
[tables.opportunities.columns]
opportunity_id = "Id"
rep_id = "Owner"
created_date = "Created"
status = "Status"
amount = "Amount"
account = "Account"
'''


def test_formula_cells_are_kept_and_named_with_their_lines(tmp_path):
    deals = ("Id,Owner,Created,Status,Amount,Account\n"
             'D1,Ann Lee,2024-01-01,open,-2,"=HYPERLINK(""http://x"",""y"")"\n'   # -2: a number in an amount column
             "D2,Ann Lee,2024-01-02,open,5,+1 Sales\n"
             "D3,Bob Stone,2024-01-03,open,5,-2\n"                                # a number as text: not a formula
             "D4,Bob Stone,2024-01-04,open,5,@SUM(1+1)\n"
             "D5,Bob Stone,2024-01-05,open,5,Acme\n")
    mapping = MAPPING.replace('amount = "Amount"', 'amount = { column = "Amount", sign = "abs" }')
    result = import_files(tmp_path, mapping, {"deals.csv": deals})
    opps = pd.read_csv(tmp_path / "ds" / "opportunities.csv", dtype=str, keep_default_na=False)
    assert list(opps["account"]) == ['=HYPERLINK("http://x","y")', "+1 Sales", "-2", "@SUM(1+1)", "Acme"]
    [note] = [n for n in result.notes if "would run as a formula" in n]
    assert note.startswith("deals.csv: 3 cell(s) of column 'Account' start with =, +, - or @")
    assert "'=HYPERLINK(\"http://x\",\"y\")' (line 2), '+1 Sales' (line 3), '@SUM(1+1)' (line 5)" in note
    assert "'-2'" not in note and "Amount" not in note
