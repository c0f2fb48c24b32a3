"""Importing CRM exports: each hand-made export round-trips to canonical tables written by hand."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from salesnb.errors import SalesnbError
from salesnb.importers import import_export
from salesnb.load import load

DATA = Path(__file__).resolve().parent / "data"
EXPORTS = DATA / "exports"
SF_SAMPLE = DATA / "salesforce-api-export"


def read_table(folder: Path, name: str) -> pd.DataFrame:
    """A written table as text, exactly as in the file (empty cells as '')."""
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)


def expect(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows).astype(str)


def assert_table(folder: Path, name: str, expected: pd.DataFrame, key: str | list[str]) -> None:
    got = read_table(folder, name)
    assert list(got.columns) == list(expected.columns)
    got = got.sort_values(key).reset_index(drop=True)
    expected = expected.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


# --------------------------------------------------------------------------------------
# Salesforce report export: quoted labels, $1,234.00, subtotal rows, footer lines


def test_salesforce_report_with_subtotals_and_footer(tmp_path):
    out = tmp_path / "ds"
    result = import_export([EXPORTS / "sf_report" / "report1714.csv"], out, "salesforce")
    assert result.mapping == "preset salesforce-report"
    assert result.ok, result.format()
    assert_table(out, "reps", expect([
        {"rep_id": "ann-lee", "name": "Ann Lee"},
        {"rep_id": "bob-stone", "name": "Bob Stone"},
    ]), "rep_id")
    cols = ["opportunity_id", "rep_id", "created_date", "status", "amount", "close_date", "furthest_stage",
            "account", "lead_source", "next_step"]
    rows = [
        ["0061x00000AAA01", "ann-lee", "2023-12-01", "won", "1234", "2024-01-22", "won", "Acme", "Web", ""],
        ["0061x00000AAA02", "ann-lee", "2023-12-15", "lost", "0", "2024-02-05", "", "Globex", "Referral", ""],
        ["0061x00000AAA03", "bob-stone", "2024-01-10", "open", "10500.5", "2024-03-31", "proposal", "Initech", "",
         "Send pricing"],
        ["0061x00000AAA04", "bob-stone", "2024-01-20", "open", "2000", "2024-04-15", "commit", "Umbrella", "Partner",
         "Call CFO"],
    ]
    assert_table(out, "opportunities", pd.DataFrame(rows, columns=cols), "opportunity_id")
    # Lines of the file (header = 1, blank lines 8 and 11 counted, as in an editor or `salesnb validate`):
    # 4 and 7 are subtotals, 9 the grand total, 12-13 the footer; line 10 is the totals' amount line.
    dropped = {d.reason.split(" (")[0]: (d.count, d.examples) for d in result.dropped}
    assert dropped["footer, subtotal or summary line"] == (5, ["4", "7", "9", "12", "13"])
    assert dropped["empty opportunity_id"] == (1, ["10"])
    assert set(result.missing_tables) == {"quotas", "team_quotas", "leads", "activities", "stage_history"}
    assert "Opportunity Name" in result.unused_columns["report1714.csv"]


# --------------------------------------------------------------------------------------
# Salesforce API export: BOM, zoned timestamps, true/false flags, Tasks and Users


def test_salesforce_api_with_bom_zoned_timestamps_tasks_and_users(tmp_path):
    out = tmp_path / "ds"
    result = import_export([EXPORTS / "sf_api"], out, "salesforce")
    assert result.mapping == "preset salesforce-api"
    assert result.ok, result.format()
    assert_table(out, "reps", expect([
        {"rep_id": "005U1", "name": "Ann Lee", "role": "00E1", "manager": "", "email": "ann.lee@example.com"},
        {"rep_id": "005U2", "name": "Bob Stone", "role": "00E1", "manager": "005U1", "email": "bob.stone@example.com"},
    ]), "rep_id")
    cols = ["opportunity_id", "rep_id", "created_date", "status", "amount", "close_date", "furthest_stage",
            "lead_source", "next_step"]
    rows = [
        # 2024-01-06T23:59:59.000-0800 keeps the date as written (the export's own time zone)
        ["006A1", "005U1", "2024-01-05", "won", "5000", "2024-02-10", "won", "Web", ""],
        ["006A2", "005U1", "2024-01-06", "lost", "0", "2024-02-20", "", "Partner", ""],
        ["006A3", "005U2", "2024-02-01", "open", "7500.5", "2024-05-01", "commit", "", "Send contract"],
        ["006A4", "005U2", "2024-02-02", "open", "0", "2024-06-30", "qualified", "Web", ""],
    ]
    assert_table(out, "opportunities", pd.DataFrame(rows, columns=cols), "opportunity_id")
    cols = ["activity_id", "rep_id", "date", "type", "opportunity_id", "lead_id", "duration_minutes"]
    rows = [
        ["00T1", "005U1", "2024-01-08", "call", "006A1", "00Q1", "10"],  # 600 s = 10 min
        ["00T2", "005U2", "2024-02-03", "email", "006A3", "", ""],  # WhoId 003... is a contact, not a lead
        ["00T3", "005U2", "2024-02-04", "meeting", "", "", ""],  # no ActivityDate: CreatedDate; WhatId is an account
        ["00T4", "005U1", "2024-02-05", "task", "", "00Q1", ""],  # empty Type: TaskSubtype 'Task'
    ]
    assert_table(out, "activities", pd.DataFrame(rows, columns=cols), "activity_id")


def test_salesforce_api_sample_imports_and_validates(tmp_path):
    assert (SF_SAMPLE / "LICENSE.txt").read_text().startswith("Copyright (c) 2020, Salesforce.com")
    out = tmp_path / "ds"
    result = import_export([SF_SAMPLE / "Opportunity.csv", SF_SAMPLE / "Task.csv", SF_SAMPLE / "Lead.csv"],
                           out, "salesforce-api")
    assert result.validation is not None
    assert result.ok, result.format()
    with open(SF_SAMPLE / "Opportunity.csv", encoding="utf-8-sig", newline="") as fh:
        opps = list(csv.DictReader(fh))
    won = sum(r["IsWon"] == "1" for r in opps)
    lost = sum(r["IsClosed"] == "1" and r["IsWon"] != "1" for r in opps)
    got = read_table(out, "opportunities")
    assert len(got) == len(opps) == 50
    assert (got["status"] == "won").sum() == won
    assert (got["status"] == "lost").sum() == lost
    assert len(read_table(out, "activities")) == 75
    assert len(read_table(out, "leads")) == 60
    assert read_table(out, "reps")["rep_id"].tolist() == ["005Ec000004oBPNIA2"]
    # The sample's records were loaded after they closed; the preset dates them from their close.
    assert (pd.to_datetime(got["close_date"]) >= pd.to_datetime(got["created_date"])).all()
    assert any("closed before their created date" in n for n in result.notes)
    dataset = load(out)  # the typed loader reads it as it is
    assert len(dataset.opportunities) == 50 and dataset.activities is not None


# --------------------------------------------------------------------------------------
# HubSpot: UTF-16, tab-separated, internal stage ids, Date entered columns


def test_hubspot_utf16_tsv_with_stage_ids_and_date_entered(tmp_path):
    out = tmp_path / "ds"
    result = import_export([EXPORTS / "hubspot"], out, "hubspot")
    assert result.ok, result.format()
    assert_table(out, "reps", expect([
        {"rep_id": "ann-lee", "name": "Ann Lee"},  # 'Ann Lee ' with a trailing space is the same rep
        {"rep_id": "bob-stone", "name": "bob stone"},
    ]), "rep_id")
    cols = ["opportunity_id", "rep_id", "created_date", "status", "amount", "close_date", "furthest_stage"]
    rows = [
        ["101", "ann-lee", "2024-01-10", "won", "1500", "2024-03-01", "won"],
        ["102", "bob-stone", "2024-02-01", "open", "2500.5", "", "meeting"],
        ["103", "ann-lee", "2024-02-03", "lost", "0", "2024-03-05", ""],
    ]
    assert_table(out, "opportunities", pd.DataFrame(rows, columns=cols), "opportunity_id")
    rows = [
        ["101", "qualified", "2024-01-10"], ["101", "meeting", "2024-01-20"], ["101", "commit", "2024-02-15"],
        ["101", "won", "2024-03-01"], ["102", "qualified", "2024-02-01"], ["102", "meeting", "2024-02-10"],
        ["103", "qualified", "2024-02-03"],  # 'Closed Lost' is not a funnel rung
    ]
    assert_table(out, "stage_history", pd.DataFrame(rows, columns=["opportunity_id", "stage", "entered_date"]),
                 ["opportunity_id", "stage"])
    assert 'Date exited "Appointment Scheduled (Sales Pipeline)"' in result.unused_columns[
        "hubspot-crm-exports-all-deals.tsv"]


# --------------------------------------------------------------------------------------
# Any CSV through a mapping file


GENERIC = EXPORTS / "generic"
GENERIC_REPS = expect([
    {"rep_id": "ann-lee", "name": "Ann Lee", "team": "East", "region": "NY", "hire_date": "2023-01-02"},
    # 'Bob Stone ' in the roster and 'Bob  Stone' in the deals are one rep
    {"rep_id": "bob-stone", "name": "Bob Stone", "team": "West", "region": "CA", "hire_date": "2023-06-01"},
    {"rep_id": "dan-ray", "name": "Dan Ray", "team": "West", "region": "CA", "hire_date": "2024-02-01"},  # no deals
    {"rep_id": "cara-diaz", "name": "Cara Diaz", "team": "", "region": "", "hire_date": ""},  # owner not in roster
])
GENERIC_OPPS = pd.DataFrame([
    ["D-001", "ann-lee", "2024-01-15", "won", "12000", "2024-03-01", "won", "referral", "recurring"],
    ["D-002", "ann-lee", "2024-02-01", "lost", "0", "2024-03-10", "", "web", "one_off"],
    ["D-003", "bob-stone", "2024-02-20", "open", "8500", "", "proposal", "", ""],
    ["D-004", "bob-stone", "2024-03-03", "open", "4250.5", "2024-06-30", "commit", "event", "recurring"],
    ["D-005", "cara-diaz", "2024-03-15", "open", "0", "", "qualified", "web", ""],
], columns=["opportunity_id", "rep_id", "created_date", "status", "amount", "close_date", "furthest_stage",
            "lead_source", "revenue_type"])


def test_generic_csv_with_mapping(tmp_path):
    out = tmp_path / "ds"
    result = import_export([GENERIC / "deals.csv", GENERIC / "reps.csv"], out, GENERIC / "my-crm.toml")
    assert result.ok, result.format()
    assert_table(out, "reps", GENERIC_REPS, "rep_id")
    assert_table(out, "opportunities", GENERIC_OPPS, "opportunity_id")
    assert any("'Cara Diaz'" in n for n in result.notes)
    assert not result.dropped


def test_small_chunks_give_the_same_tables(tmp_path):
    mapping = (GENERIC / "my-crm.toml").read_text().replace("[source]", "[source]\nchunk_rows = 2")
    (tmp_path / "m.toml").write_text(mapping)
    out = tmp_path / "ds"
    import_export([GENERIC / "deals.csv", GENERIC / "reps.csv"], out, tmp_path / "m.toml")
    assert_table(out, "reps", GENERIC_REPS, "rep_id")
    assert_table(out, "opportunities", GENERIC_OPPS, "opportunity_id")


def test_only_reps_and_opportunities_is_a_valid_dataset(tmp_path):
    out = tmp_path / "ds"
    result = import_export([EXPORTS / "sf_api" / "Opportunity.csv"], out, "salesforce")
    assert result.ok, result.format()
    assert sorted(p.name for p in out.iterdir()) == ["opportunities.csv", "reps.csv"]
    assert read_table(out, "reps")["rep_id"].tolist() == ["005U1", "005U2"]


# --------------------------------------------------------------------------------------
# Where it writes


def test_never_writes_into_the_source_folder(tmp_path):
    src = tmp_path / "export"
    shutil.copytree(GENERIC, src)
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    refused = [
        ([src], src / "dataset"),  # a folder given as source is never written into
        ([src / "deals.csv", src / "reps.csv"], src),  # tables would land among the exports
        ([src / "deals.csv", src / "reps.csv"], tmp_path),  # --force would delete the exports
    ]
    for sources, out in refused:
        with pytest.raises(SalesnbError, match="outside"):
            import_export(sources, out, src / "my-crm.toml", overwrite=True)
    assert {p.name: p.read_bytes() for p in src.iterdir()} == before
    # Files given one by one: a new folder beside them is fine (salesnb import --out mydata deals.csv reps.csv).
    import_export([src / "deals.csv", src / "reps.csv"], src / "mydata", src / "my-crm.toml")
    assert {p.name: p.read_bytes() for p in src.iterdir() if p.is_file()} == before
    assert sorted(p.name for p in (src / "mydata").iterdir()) == ["opportunities.csv", "reps.csv"]


def test_refuses_a_non_empty_output_folder_unless_forced(tmp_path):
    out = tmp_path / "ds"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    with pytest.raises(SalesnbError, match="not empty"):
        import_export([GENERIC / "deals.csv", GENERIC / "reps.csv"], out, GENERIC / "my-crm.toml")
    with pytest.raises(SalesnbError, match="is not a salesnb dataset folder"):  # --force replaces only a dataset
        import_export([GENERIC / "deals.csv", GENERIC / "reps.csv"], out, GENERIC / "my-crm.toml", overwrite=True)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    (out / "keep.txt").unlink()
    (out / "leads.csv").write_text("lead_id\n")  # an earlier import's table
    with pytest.raises(SalesnbError, match="not empty"):
        import_export([GENERIC / "deals.csv", GENERIC / "reps.csv"], out, GENERIC / "my-crm.toml")
    import_export([GENERIC / "deals.csv", GENERIC / "reps.csv"], out, GENERIC / "my-crm.toml", overwrite=True)
    assert sorted(p.name for p in out.iterdir()) == ["opportunities.csv", "reps.csv"]
    assert [p.name for p in tmp_path.iterdir()] == ["ds"]  # no build folder left behind


# --------------------------------------------------------------------------------------
# Command line


def test_cli_help_explains_formats(capsys):
    from salesnb.cli import main

    assert main(["import", "--help"]) == 0
    text = capsys.readouterr().out
    for word in ("--from", "--out", "salesforce", "hubspot", "mapping", "docs/importing.md"):
        assert word in text


def test_cli_imports_and_prints_what_it_did(tmp_path, capsys):
    out = tmp_path / "ds"
    from salesnb.cli import main

    assert main(["import", "--from", "salesforce", "--out", str(out),
                 str(EXPORTS / "sf_report" / "report1714.csv")]) == 0
    text = capsys.readouterr().out
    assert "opportunities: 4 rows" in text
    assert "5 row(s) of report1714.csv dropped: footer, subtotal or summary line" in text
    assert "Validation: passed" in text


def test_join_looks_up_columns_in_a_second_file(tmp_path):
    src = tmp_path / "export"
    src.mkdir()
    (src / "deals.csv").write_text("Id,Owner,Stage,Amount,Created,Closed,AccountId\n"
                                   "1,ann,won,100,2024-01-01,2024-02-01,A1\n"
                                   "2,bob,lost,50,2024-01-02,2024-02-02,a2 \n"
                                   "3,ann,open,70,2024-01-03,,A9\n")
    (src / "accounts.csv").write_text("Id,Name,Segment\nA1,Acme,SMB\nA2,Globex,Enterprise\n")
    (src / "m.toml").write_text(
        '[tables.opportunities]\nfile = "deals.csv"\n'
        '[[tables.opportunities.join]]\nfile = "accounts.csv"\non = "AccountId"\nkey = "Id"\n'
        '[tables.opportunities.columns]\nopportunity_id = "Id"\nrep_id = "Owner"\ncreated_date = "Created"\n'
        'close_date = "Closed"\namount = "Amount"\nstatus = "Stage"\naccount = "Name"\n'
        'revenue_type = { value = "recurring" }\n')
    out = tmp_path / "ds"
    result = import_export([src / "deals.csv", src / "accounts.csv"], out, src / "m.toml")
    assert result.ok, result.format()
    got = read_table(out, "opportunities").set_index("opportunity_id")["account"].to_dict()
    # keys compare trimmed and case-insensitively by default ('a2 ' finds 'A2'); A9 is not in the file
    assert got == {"1": "Acme", "2": "Globex", "3": ""}
    assert read_table(out, "opportunities")["revenue_type"].tolist() == ["recurring"] * 3  # a constant
    assert read_table(out, "reps")["rep_id"].tolist() == ["ann", "bob"]


def test_hubspot_stage_labels_in_a_utf8_csv(tmp_path):
    src = tmp_path / "export"
    src.mkdir()
    (src / "deals.csv").write_text(
        'Record ID,Deal Stage,Amount,Close Date,Create Date,Deal owner,Date entered "Qualified To Buy (Sales Pipeline)"\n'
        "7,Qualified To Buy,100,,2024-05-01,Ann Lee,2024-05-02\n"
        "8,Closed Won,200,2024-06-01,2024-05-03,Ann Lee,2024-05-04\n"
        "9,Decision Maker Bought-In,300,,2024-05-05,,\n")
    out = tmp_path / "ds"
    result = import_export([src / "deals.csv"], out, "hubspot")
    assert result.ok, result.format()
    got = read_table(out, "opportunities")[["opportunity_id", "status", "furthest_stage"]]
    assert got.values.tolist() == [["7", "open", "meeting"], ["8", "won", "won"]]
    # deal 9 (line 4, under the header and two deals) has no owner: dropped and said so
    assert [(d.table, d.reason.split(" (")[0], d.count, d.examples) for d in result.dropped] == [
        ("opportunities", "empty rep_id", 1, ["4"])]
    assert read_table(out, "stage_history").values.tolist() == [["7", "meeting", "2024-05-02"],
                                                               ["8", "meeting", "2024-05-04"]]
