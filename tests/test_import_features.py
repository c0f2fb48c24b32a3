"""Mapping features on tiny hand-made exports: each does what the docs say, or says why not.

Every expectation is worked out by hand from the few rows written here.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from salesnb.errors import MappingError
from salesnb.importers import import_export

OPPS = '''[tables.opportunities]
file = "deals.csv"
[tables.opportunities.columns]
opportunity_id = "Id"
rep_id = "Owner"
created_date = "Created"
close_date = "Closed"
status = "Status"
'''


def run(tmp_path: Path, files: dict[str, str], mapping: str):
    """Write the export files and mapping, import them; return (result, output folder)."""
    src = tmp_path / "export"
    src.mkdir(exist_ok=True)
    for name, text in files.items():
        (src / name).write_text(text)
    (src / "m.toml").write_text(mapping)
    out = tmp_path / "ds"
    result = import_export([src / n for n in files], out, src / "m.toml")
    return result, out


def table(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False)


def fails(tmp_path: Path, files: dict[str, str], mapping: str) -> str:
    with pytest.raises(MappingError) as info:
        run(tmp_path, files, mapping)
    assert not (tmp_path / "ds").exists()
    return str(info.value)


# --------------------------------------------------------------------------------------
# Fallback columns before the default


DEALS = ("Id,Owner,Created,Closed,Status,close_value,sales_price\n"
         "1,ann,2024-01-01,2024-02-01,won,100,900\n"     # its own value
         "2,ann,2024-01-02,,open,,250\n"                 # no close value: the list price
         "3,bob,2024-01-03,,open,,\n"                    # neither: the default
         "4,bob,2024-01-04,2024-02-04,lost,0,300\n")     # 0 is a value, not empty


def test_fallback_column_is_tried_before_the_default_and_counted(tmp_path):
    mapping = OPPS + 'amount = { column = ["close_value", "sales_price"], default = "0" }\n'
    result, out = run(tmp_path, {"deals.csv": DEALS}, mapping)
    got = table(out, "opportunities").set_index("opportunity_id")["amount"].to_dict()
    assert got == {"1": "100", "2": "250", "3": "0", "4": "0"}
    fills = result.tables["opportunities"].fills["amount"]
    assert fills == {"from 'sales_price' (where 'close_value' gave no value)": 1,
                     "from the default '0' (where no source gave a value)": 1}
    assert "1 row(s) from 'sales_price' (where 'close_value' gave no value)" in result.format()
    assert "'close_value' (then 'sales_price', then default '0')" in result.format()


def test_a_list_of_sources_with_a_default_on_the_first_still_tries_the_rest(tmp_path):
    mapping = OPPS + 'amount = [{ column = "close_value", default = "0" }, { column = "sales_price" }]\n'
    _, out = run(tmp_path, {"deals.csv": DEALS}, mapping)
    assert table(out, "opportunities")["amount"].tolist() == ["100", "250", "0", "0"]


# --------------------------------------------------------------------------------------
# pattern + default


def test_pattern_with_default_uses_the_default_where_the_pattern_does_not_match(tmp_path):
    deals = ("Id,Owner,Created,Closed,Status,Amount,Src\n"
             "1,ann,2024-01-01,2024-02-01,won,10,web-form\n"
             "2,ann,2024-01-02,2024-02-02,lost,20,partner\n"
             "3,ann,2024-01-03,,open,30,\n")
    mapping = OPPS + 'amount = "Amount"\nlead_source = { column = "Src", pattern = "^web", default = "other" }\n'
    result, out = run(tmp_path, {"deals.csv": deals}, mapping)
    assert table(out, "opportunities")["lead_source"].tolist() == ["web-form", "other", "other"]
    assert result.tables["opportunities"].fills["lead_source"] == {
        "from the default 'other' (where no source gave a value)": 2}
    assert not result.dropped


def test_pattern_on_a_required_column_with_a_default_keeps_the_row(tmp_path):
    deals = ("Id,Owner,Created,Closed,Status,Amount\n"
             "1,005A,2024-01-01,2024-02-01,won,10\n"
             "2,00G9,2024-01-02,2024-02-02,lost,20\n")  # a queue, not a user
    mapping = OPPS.replace('rep_id = "Owner"', 'rep_id = { column = "Owner", pattern = "^005", default = "unassigned" }')
    _, out = run(tmp_path, {"deals.csv": deals}, mapping + 'amount = "Amount"\n')
    assert table(out, "opportunities")["rep_id"].tolist() == ["005A", "unassigned"]
    assert sorted(table(out, "reps")["rep_id"]) == ["005A", "unassigned"]


# --------------------------------------------------------------------------------------
# combine: a column built from several


def test_combine_builds_a_name_from_first_and_last_name(tmp_path):
    reps = ("emp_id,first_name,last_name\n"
            "1,Ann,Lee\n"
            "2, Bob ,\n"      # no last name: no trailing separator
            "3,,Diaz\n")
    deals = ("Id,Owner,Created,Closed,Status,Amount\n"
             "1,1,2024-01-01,2024-02-01,won,10\n")
    mapping = OPPS + 'amount = "Amount"\n' + (
        '[tables.reps]\nfile = "reps.csv"\n[tables.reps.columns]\nrep_id = "emp_id"\n'
        'name = { combine = ["first_name", "last_name"], sep = " " }\n')
    result, out = run(tmp_path, {"deals.csv": deals, "reps.csv": reps}, mapping)
    assert table(out, "reps")["name"].tolist() == ["Ann Lee", "Bob", "Diaz"]
    assert result.tables["reps"].columns["name"] == "'first_name' + ' ' + 'last_name'"


def test_combine_with_names_makes_rep_ids_from_the_full_name(tmp_path):
    deals = ("Id,First,Last,Created,Closed,Status,Amount\n"
             "1,Ann,Lee,2024-01-01,2024-02-01,won,10\n"
             "2,ann, lee,2024-01-02,2024-02-02,lost,0\n")
    mapping = OPPS.replace('rep_id = "Owner"', 'rep_id = { combine = ["First", "Last"], names = true }')
    _, out = run(tmp_path, {"deals.csv": deals}, mapping + 'amount = "Amount"\n')
    assert table(out, "opportunities")["rep_id"].tolist() == ["ann-lee", "ann-lee"]
    assert table(out, "reps").values.tolist() == [["ann-lee", "Ann Lee"]]


def test_combine_names_a_missing_part(tmp_path):
    deals = "Id,First,Created,Closed,Status,Amount\n1,Ann,2024-01-01,2024-02-01,won,10\n"
    mapping = OPPS.replace('rep_id = "Owner"', 'rep_id = { combine = ["First", "Last"] }')
    msg = fails(tmp_path, {"deals.csv": deals}, mapping + 'amount = "Amount"\n')
    assert "[tables.opportunities.columns.rep_id] column 'Last' is not in deals.csv" in msg


# --------------------------------------------------------------------------------------
# Sign rules


SIGNED = ("Id,Owner,Created,Closed,Status,Amount\n"
          "1,ann,2024-01-01,2024-02-01,won,100\n"
          "2,ann,2024-01-02,2024-02-02,won,-40\n"        # a refund
          "3,bob,2024-01-03,2024-02-03,won,(25)\n")      # an accountant's negative


def test_negative_amounts_stop_the_import_with_a_fix_in_the_mapping(tmp_path):
    msg = fails(tmp_path, {"deals.csv": SIGNED}, OPPS + 'amount = "Amount"\n')
    assert "[tables.opportunities.columns.amount] 2 row(s) of deals.csv have 'Amount' values that are negative" in msg
    assert "'-40' (1)" in msg and "'(25)' (1)" in msg
    assert "(lines 3, 4)" in msg
    assert 'sign = "abs"' in msg and 'sign = "drop"' in msg


def test_sign_abs_keeps_the_size_and_counts_it(tmp_path):
    result, out = run(tmp_path, {"deals.csv": SIGNED}, OPPS + 'amount = { column = "Amount", sign = "abs" }\n')
    assert table(out, "opportunities")["amount"].tolist() == ["100", "40", "25"]
    assert result.tables["opportunities"].fills["amount"] == {'made positive (sign = "abs")': 2}


def test_sign_drop_leaves_the_rows_out_with_their_lines(tmp_path):
    result, out = run(tmp_path, {"deals.csv": SIGNED}, OPPS + 'amount = { column = "Amount", sign = "drop" }\n')
    assert table(out, "opportunities")["opportunity_id"].tolist() == ["1"]
    [d] = result.dropped
    assert (d.count, d.examples) == (2, ["3", "4"])
    assert d.reason == 'amount below 0 (sign = "drop")'


def test_sign_is_refused_on_a_column_without_a_lower_bound(tmp_path):
    msg = fails(tmp_path, {"deals.csv": SIGNED},
                OPPS + 'amount = "Amount"\naccount = { column = "Owner", sign = "abs" }\n')
    assert "[tables.opportunities.columns.account.sign]" in msg


# --------------------------------------------------------------------------------------
# Joins: unmatched keys are listed with the closest keys; match = "loose"


PRICED = ("Id,Owner,Created,Closed,Status,product,close_value\n"
          "1,ann,2024-01-01,2024-02-01,won,GTX Pro,500\n"
          "2,ann,2024-01-02,,open,GTXPro,\n"
          "3,bob,2024-01-03,,open,GTXPro,\n"
          "4,bob,2024-01-04,,open,MG Advanced,\n"
          "5,bob,2024-01-05,,open,Zeta One,\n")
PRICES = "product,series,sales_price\nGTX Pro,GTX,4821\nMG Advanced,MG,3393\nGTX Plus Pro,GTX,5482\n"
JOINED = OPPS + 'amount = { column = ["close_value", "sales_price"], default = "0" }\n' + (
    '[[tables.opportunities.join]]\nfile = "products.csv"\non = "product"\nkey = "product"\n')


def test_unmatched_join_keys_are_counted_with_the_closest_keys(tmp_path):
    result, out = run(tmp_path, {"deals.csv": PRICED, "products.csv": PRICES}, JOINED)
    assert table(out, "opportunities")["amount"].tolist() == ["500", "0", "0", "3393", "0"]
    [u] = result.unmatched
    assert (u.table, u.file, u.lookup, u.rows) == ("opportunities", "deals.csv", "products.csv", 3)
    assert u.values == [("GTXPro", 2, ["GTX Pro"]), ("Zeta One", 1, [])]
    text = result.format()
    assert "'GTXPro' (2; did you mean 'GTX Pro'?)" in text
    assert 'match = "loose"' in text
    assert "3 row(s) from the default '0'" in text  # and the defaults it caused are counted
    assert "Not imported from products.csv: series" in text  # the lookup's columns are accounted for too


def test_loose_match_ignores_case_spaces_and_punctuation(tmp_path):
    mapping = JOINED.replace('key = "product"\n', 'key = "product"\nmatch = "loose"\n')
    result, out = run(tmp_path, {"deals.csv": PRICED, "products.csv": PRICES}, mapping)
    assert table(out, "opportunities")["amount"].tolist() == ["500", "4821", "4821", "3393", "0"]
    [u] = result.unmatched
    assert u.values == [("Zeta One", 1, [])]
    assert "add the missing keys to products.csv" in u.fix


def test_exact_match_compares_keys_as_written(tmp_path):
    mapping = JOINED.replace('key = "product"\n', 'key = "product"\nmatch = "exact"\n')
    deals = PRICED.replace("MG Advanced", "mg advanced")
    result, _ = run(tmp_path, {"deals.csv": deals, "products.csv": PRICES}, mapping)
    assert [v[0] for v in result.unmatched[0].values] == ["GTXPro", "mg advanced", "Zeta One"]


def test_duplicate_lookup_keys_are_noted(tmp_path):
    prices = PRICES + "GTX-Pro,GTX,9999\n"  # the same key as 'GTX Pro' once punctuation is ignored
    mapping = JOINED.replace('key = "product"\n', 'key = "product"\nmatch = "loose"\n')
    result, out = run(tmp_path, {"deals.csv": PRICED, "products.csv": prices}, mapping)
    assert table(out, "opportunities")["amount"].tolist()[1] == "4821"  # the first row of the key wins
    assert any("'GTX-Pro'" in n and "more than once" in n for n in result.notes)


def test_unknown_match_mode_names_the_key(tmp_path):
    mapping = JOINED.replace('key = "product"\n', 'key = "product"\nmatch = "fuzzy"\n')
    msg = fails(tmp_path, {"deals.csv": PRICED, "products.csv": PRICES}, mapping)
    assert "[tables.opportunities.join[0].match]" in msg


def test_each_fallback_date_column_gets_its_own_detected_format(tmp_path):
    deals = ("Id,Owner,Created,Opened,Closed,Status,Amount\n"
             "1,ann,1/15/2024,,2024-02-01,won,10\n"
             "2,ann,,20240120,2024-02-02,lost,0\n")
    mapping = OPPS.replace('created_date = "Created"', 'created_date = ["Created", "Opened"]') + 'amount = "Amount"\n'
    result, out = run(tmp_path, {"deals.csv": deals}, mapping)
    assert table(out, "opportunities")["created_date"].tolist() == ["2024-01-15", "2024-01-20"]
    assert any("'Created' dates read as M/D/YYYY" in n for n in result.notes)
    assert any("'Opened' dates read as YYYYMMDD" in n for n in result.notes)


def test_combine_three_parts_skips_the_empty_middle_one(tmp_path):
    deals = ("Region,Unit,No,Owner,Created,Closed,Status,Amount\n"
             "EU,B2B,0042,ann,2024-01-01,2024-02-01,won,10\n"
             "US,,0007,ann,2024-01-02,2024-02-02,lost,0\n")
    mapping = OPPS.replace('opportunity_id = "Id"', 'opportunity_id = { combine = ["Region", "Unit", "No"], sep = " - " }')
    _, out = run(tmp_path, {"deals.csv": deals}, mapping + 'amount = "Amount"\n')
    assert table(out, "opportunities")["opportunity_id"].tolist() == ["EU - B2B - 0042", "US - 0007"]
