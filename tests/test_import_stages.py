"""Stage names onto status and furthest_stage: a stage the mapping does not know never becomes "open" silently.

Tiny hand-made exports; every expectation is stated by hand.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from salesnb.errors import MappingError
from salesnb.importers.stages import looks_closed

from exports import import_files

HEAD = "Id,Owner,Stage,Amount,Created,Closed\n"
MAPPING = '''[tables.opportunities]
file = "deals.csv"
[tables.opportunities.columns]
opportunity_id = "Id"
rep_id = "Owner"
created_date = "Created"
close_date = "Closed"
amount = "Amount"
status = { column = "Stage", values = { "Closed Won" = "won", "Closed Lost" = "lost", %s"*" = "open" } }
'''
STAGES = ('furthest_stage = { column = "Stage", values = { "Discovery" = "qualified", "Closed Won" = "won", '
          '"Closed Lost" = ""%s } }\n')


def run(tmp_path: Path, rows: str, extra: str = "", stages: str = STAGES % ""):
    return import_files(tmp_path, MAPPING % extra + stages, {"deals.csv": HEAD + rows})


def fails(tmp_path: Path, rows: str, **kw) -> str:
    with pytest.raises(MappingError) as info:
        run(tmp_path, rows, **kw)
    assert not (tmp_path / "ds").exists()
    return str(info.value)


ROWS = ("D1,ann,Discovery,100,2024-01-01,\n"
        "D2,ann,Geschlossen und verloren,200,2024-01-02,2024-02-01\n"
        "D3,bob,Closed Won,300,2024-01-03,2024-02-03\n")


def test_a_stage_neither_map_knows_is_an_error_naming_its_status_and_a_closed_fix(tmp_path):
    text = fails(tmp_path, ROWS)
    assert "'Geschlossen und verloren' (1) (line 3)" in text
    # The fix teaches the right thing: status lost and furthest stage "", never the first rung.
    assert '"Geschlossen und verloren" = "lost"' in text
    assert '[tables.opportunities.columns.furthest_stage.values] "Geschlossen und verloren" = ""' in text
    assert '"Geschlossen und verloren" = "qualified"' not in text
    assert "would make these deals 'open'" in text


def test_an_open_looking_unknown_stage_is_told_to_map_the_rung_it_reached(tmp_path):
    text = fails(tmp_path, "D1,ann,Demo Booked,100,2024-01-01,\n")
    assert '"Demo Booked" = "qualified" (or meeting, proposal, commit)' in text
    assert "looks closed" not in text


@pytest.mark.parametrize("stage, rung, status", [("Renewed", "won", "won"), ("Churned", "", "lost")])
def test_a_closed_stage_open_only_through_the_status_wildcard_is_an_error(tmp_path, stage, rung, status):
    # The user mapped the new stage's rung, as the first error asked, but not its status: "*" would make it open.
    text = fails(tmp_path, f"D1,ann,{stage},100,2024-01-01,2024-02-01\n", stages=STAGES % f', "{stage}" = "{rung}"')
    assert "[tables.opportunities.columns.status.values] 1 row(s) of deals.csv" in text
    assert f"'{stage}' (1) (line 2)" in text
    assert f'"{stage}" = "{status}"' in text


def test_with_the_status_mapped_the_closed_stage_imports(tmp_path):
    extra = '"Churned" = "lost", "Renewed" = "won", '
    run(tmp_path, "D1,ann,Renewed,100,2024-01-01,2024-02-01\nD2,ann,Churned,50,2024-01-01,2024-02-01\n"
                  "D3,bob,Discovery,10,2024-01-03,\n",
        extra=extra, stages=STAGES % ', "Renewed" = "won", "Churned" = ""')
    opps = pd.read_csv(tmp_path / "ds" / "opportunities.csv", dtype=str, keep_default_na=False)
    assert list(opps["status"]) == ["won", "lost", "open"]
    assert list(opps["furthest_stage"]) == ["won", "", "qualified"]


def test_an_open_stage_before_the_first_rung_can_be_said_open(tmp_path):
    extra = '"New" = "open", '
    run(tmp_path, "D1,ann,New,100,2024-01-01,\n", extra=extra, stages=STAGES % ', "New" = ""')
    opps = pd.read_csv(tmp_path / "ds" / "opportunities.csv", dtype=str, keep_default_na=False)
    assert list(opps["status"]) == ["open"] and list(opps["furthest_stage"]) == [""]


@pytest.mark.parametrize("name, kind", [("Closed Won", "won"), ("Geschlossen und gewonnen", "won"),
                                        ("Churned (Renewals)", "lost"), ("Perdu", "lost"), ("Geschlossen", "closed"),
                                        ("Qualified To Buy", None), ("Renewal Upcoming", None), ("Wonder", None)])
def test_looks_closed(name, kind):
    assert looks_closed(name) == kind


NO_STAGES = ""  # status alone, no furthest_stage map on the column


def test_a_closed_looking_status_open_only_through_the_wildcard_is_an_error_without_a_funnel_map(tmp_path):
    rows = ("D1,ann,Discovery,100,2024-01-01,\n"
            "D2,ann,Closed-Lost to Competition,200,2024-01-02,2024-02-01\n"
            "D3,bob,Closed Won,300,2024-01-03,2024-02-03\n")
    text = fails(tmp_path, rows, stages=NO_STAGES)
    assert "1 row(s) of deals.csv have 'Stage' values that look closed" in text
    assert "'Closed-Lost to Competition' (1) (line 3)" in text
    assert '"Closed-Lost to Competition" = "lost"' in text


def test_a_deal_with_an_actual_close_date_open_only_through_the_wildcard_is_an_error(tmp_path):
    opps = {"opps.csv": "Id,Owner,Reason,Amount,Created,Actual Close Date,Est Close\n"
                        "O1,ann,Won,100,2024-01-01,2024-03-01,2024-03-01\n"
                        "O2,ann,In Progress,200,2024-01-02,,2024-04-01\n"
                        "O3,bob,Out-Sold,300,2024-01-03,2024-02-03,2024-02-01\n"}
    mapping = ('''[tables.opportunities]
file = "opps.csv"
[tables.opportunities.columns]
opportunity_id = "Id"
rep_id = "Owner"
created_date = "Created"
close_date = ["Actual Close Date", "Est Close"]
amount = "Amount"
status = { column = "Reason", values = { "Won" = "won", "Lost" = "lost", "*" = "open" } }
''')
    with pytest.raises(MappingError) as info:
        import_files(tmp_path, mapping, opps)
    text = str(info.value)
    assert "'Out-Sold' (1) (line 4)" in text and "'Actual Close Date'" in text
    assert '"Out-Sold" = "lost"' in text
    assert "In Progress" not in text
    # With the status mapped, it imports, and the note says the key "Lost" matched no row.
    result = import_files(tmp_path, mapping.replace('"Lost" = "lost"', '"Lost" = "lost", "Out-Sold" = "lost"'), opps)
    opps = pd.read_csv(tmp_path / "ds" / "opportunities.csv", dtype=str)
    assert list(opps["status"]) == ["won", "open", "lost"]
    idle = [n for n in result.notes if "matched no row" in n]
    assert len(idle) == 1 and "'Lost'" in idle[0] and "'Out-Sold'" not in idle[0]


@pytest.mark.parametrize("value, wanted, unwanted", [
    ("deleted", '"deleted" = "" to leave those records out', '"deleted" = "open"'),
    ("Lost - no budget", '"Lost - no budget" = "lost"', '"Lost - no budget" = "open"'),
    ("On Hold", '"won", "lost" or "open" as such deals are, or "" to leave them out', '"On Hold" = "open"')])
def test_the_fix_for_an_unmapped_status_does_not_steer_to_open(tmp_path, value, wanted, unwanted):
    deals = HEAD + f"D1,ann,won,100,2024-01-01,2024-02-01\nD2,ann,{value},100,2024-01-01,\n"
    mapping = (MAPPING.split("status =")[0]
               + 'status = { column = "Stage", values = { "won" = "won", "lost" = "lost", "open" = "open" } }\n')
    with pytest.raises(MappingError) as info:
        import_files(tmp_path, mapping, {"deals.csv": deals})
    text = str(info.value)
    assert f"'{value}' (1) (line 3)" in text and wanted in text and unwanted not in text
