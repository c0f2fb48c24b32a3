"""Several currencies in one amount column stop the import; one currency written two ways does not.

Tiny hand-made exports; every expectation is stated by hand.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from salesnb.errors import MappingError
from exports import import_files

MAPPING = '''%s
[source]
chunk_rows = 2
[tables.opportunities]
file = "deals.csv"
[tables.opportunities.columns]
opportunity_id = "Id"
rep_id = "Owner"
created_date = "Created"
status = "Status"
amount = "Amount"
'''


def run(tmp_path: Path, amounts: list[str], top: str = ""):
    rows = "".join(f'D{i},ann,2024-01-01,open,"{a}"\n' for i, a in enumerate(amounts, start=1))
    return import_files(tmp_path, MAPPING % top, {"deals.csv": "Id,Owner,Created,Status,Amount\n" + rows})


def test_several_currencies_stop_the_import_naming_each_with_lines_and_the_fix(tmp_path):
    # The JPY and GBP rows come after the first chunk (two rows): every chunk counts.
    with pytest.raises(MappingError) as info:
        run(tmp_path, ["USD 1,000.00", "$200", "EUR 900.00", "JPY 150,000", "GBP 50", "EUR 10"])
    text = str(info.value)
    assert not (tmp_path / "ds").exists()
    assert "amounts of deals.csv (column 'Amount') are in 4 currencies" in text
    assert "USD 2 row(s), e.g. 'USD 1,000.00' (lines 2, 3)" in text
    assert "EUR 2 row(s), e.g. 'EUR 900.00' (lines 4, 7)" in text
    assert "JPY 1 row(s), e.g. 'JPY 150,000' (line 5)" in text
    assert "GBP 1 row(s)" in text
    assert '"Amount (converted)"' in text and 'currency = "' in text


@pytest.mark.parametrize("amounts, top", [(["$1,000", "USD 200", "300"], ""),
                                          (["¥1,000", "JPY 200"], 'currency = "JPY"'),
                                          (["€1.000", "EUR 5"], 'currency = "EUR"')])
def test_one_currency_written_two_ways_is_one_currency(tmp_path, amounts, top):
    result = run(tmp_path, amounts, top)
    opps = pd.read_csv(tmp_path / "ds" / "opportunities.csv")
    assert len(opps) == len(amounts)
    assert not any("currencies" in n for n in result.notes)


def test_another_single_currency_than_usd_is_a_note(tmp_path):
    result = run(tmp_path, ["€100", "EUR 5"])
    assert any('set currency = "EUR"' in n for n in result.notes)


CURRENCY_MAPPING = '''[tables.opportunities]
file = "deals.csv"
[tables.opportunities.columns]
opportunity_id = "Id"
rep_id = "Owner"
created_date = "Created"
status = "Status"
amount = "%s"
'''


def run_with_currency_column(tmp_path: Path, rows: str, amount: str = "Value"):
    head = "Id,Owner,Created,Status,Value,Deal - Currency,Value (converted)\n"
    return import_files(tmp_path, CURRENCY_MAPPING % amount, {"deals.csv": head + rows})


MIXED = ("D1,ann,2024-01-01,open,100,EUR,110\nD2,ann,2024-01-01,open,200,USD,200\n"
         "D3,bob,2024-01-01,open,300,EUR,330\nD4,bob,2024-01-01,open,0,GBP,0\n")


def test_a_currency_column_with_several_currencies_stops_the_import(tmp_path):
    with pytest.raises(MappingError) as info:
        run_with_currency_column(tmp_path, MIXED)
    text = str(info.value)
    assert "deals.csv: the amounts are in 2 currencies (column 'Deal - Currency')" in text  # GBP: amount 0 only
    assert "EUR 2 row(s) (lines 2, 4); USD 1 row(s) (line 3)" in text
    assert 'amount = "Value (converted)" under [tables.opportunities.columns]' in text
    assert not (tmp_path / "ds").exists()


def test_a_converted_amount_or_one_currency_imports(tmp_path):
    run_with_currency_column(tmp_path, MIXED, amount="Value (converted)")
    opps = pd.read_csv(tmp_path / "ds" / "opportunities.csv")
    assert list(opps["amount"]) == [110, 200, 330, 0]
    run_with_currency_column(tmp_path / "b", "D1,ann,2024-01-01,open,100,EUR,110\nD2,ann,2024-01-01,open,200,eur,220\n")
    assert list(pd.read_csv(tmp_path / "b" / "ds" / "opportunities.csv")["amount"]) == [100, 200]
