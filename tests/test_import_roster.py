"""Owners written differently from the reps file are matched to the roster rep they unambiguously stand for.

Tiny hand-made exports; every expectation is stated by hand.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from salesnb.importers.roster import match_key

from exports import import_files

MAPPING = '''rep_names = %s
[tables.opportunities]
file = "deals.csv"
[tables.opportunities.columns]
opportunity_id = "Id"
rep_id = "Owner"
created_date = "Created"
status = "Status"
amount = "Amount"
[tables.reps]
file = "reps.csv"
[tables.reps.columns]
rep_id = "Rep"
name = "Name"
email = "Email"
'''


def run(tmp_path: Path, owners: list[str], reps: str, names: bool = False):
    rows = "".join(f'D{i},"{o}",2024-01-01,open,10\n' for i, o in enumerate(owners, start=1))
    result = import_files(tmp_path, MAPPING % ("true" if names else "false"),
                          {"deals.csv": "Id,Owner,Created,Status,Amount\n" + rows, "reps.csv": "Rep,Name,Email\n" + reps})
    read = lambda t: pd.read_csv(tmp_path / "ds" / f"{t}.csv", dtype=str, keep_default_na=False)  # noqa: E731
    return result, read("opportunities"), read("reps")


ROSTER = ("007,Ann Lee,ann.lee@acme.com\n"
          "ann.b@acme.com,Bob Stone,bob.stone@acme.com\n")


def test_owners_written_differently_take_the_roster_rep(tmp_path):
    owners = ["7", "007", "ANN.B@ACME.COM ", "bob.stone@acme.com", "Stone, Bob", "Ann Lee"]
    result, opps, reps = run(tmp_path, owners, ROSTER)
    assert list(opps["rep_id"]) == ["007", "007", "ann.b@acme.com", "ann.b@acme.com", "ann.b@acme.com", "007"]
    assert list(reps["rep_id"]) == ["007", "ann.b@acme.com"]  # no second rep for any of them
    [note] = [n for n in result.notes if "differently from the reps file" in n]
    assert note.startswith("reps: 5 row(s) name their owner differently from the reps file (5 way(s)")
    assert "'7' -> '007'" in note


def test_a_key_two_roster_reps_share_is_never_used(tmp_path):
    # 'Lee Ann' and 'Ann Lee' have the same key: an owner 'lee, ann' could be either, so it stays its own rep.
    roster = "r1,Ann Lee,\nr2,Lee Ann,\n"
    result, opps, reps = run(tmp_path, ["lee, ann", "r1"], roster)
    assert list(opps["rep_id"]) == ["lee, ann", "r1"]
    assert set(reps["rep_id"]) == {"r1", "r2", "lee, ann"}
    assert not any("differently from the reps file" in n for n in result.notes)


def test_names_as_ids_match_by_email_and_by_last_first(tmp_path):
    roster = "Anna Müller,Anna Müller,a.mueller@acme.com\nSean O'Brien,Sean O'Brien,sean@acme.com\n"
    result, opps, reps = run(tmp_path, ["A.Mueller@acme.com", "O'Brien, Sean", "Anna Muller"], roster, names=True)
    assert list(opps["rep_id"]) == ["anna-müller", "sean-o-brien", "anna-müller"]
    assert len(reps) == 2
    [note] = [n for n in result.notes if "differently from the reps file" in n]
    assert "'O'Brien, Sean' -> 'sean-o-brien'" in note


def test_match_key():
    assert match_key("Lee, Ann") == match_key("ann.lee") == match_key(" ANN  LEE") == "ann lee"
    assert match_key("Jürgen Weiß") == match_key("Jurgen Weiss") == "jurgen weiss"
    assert match_key("007") == match_key("7") == "7" and match_key("000") == "0"


def test_names_holding_a_comma_are_listed_with_semicolons(tmp_path):
    # Owners not in the roster, written 'Last, First': the note must not read as four names.
    result, _, reps = run(tmp_path, ["Berg, Lars", "Costa, Rui"], "r1,Ann Lee,\n", names=True)
    [note] = [n for n in result.notes if "not in the reps file" in n]
    assert "'Berg, Lars'; 'Costa, Rui'" in note


def test_rep_ids_keep_every_letter_as_written(tmp_path):
    # 'ß' was case-folded to 'ss' while 'ü' stayed: 'jürgen-weiss'. Both are now kept, in lower case.
    _, opps, reps = run(tmp_path, ["Jürgen Weiß", "Anna Müller"], "Jürgen Weiß,Jürgen Weiß,\n", names=True)
    assert list(opps["rep_id"]) == ["jürgen-weiß", "anna-müller"]
    assert sorted(reps["rep_id"]) == ["anna-müller", "jürgen-weiß"]


def test_an_owner_id_written_as_a_float_takes_the_roster_rep(tmp_path):
    # pandas or a spreadsheet wrote the owner ids 7 and 12 as '7.0' and '12.0'.
    result, opps, reps = run(tmp_path, ["7.0", "12.0", "7"], "007,Ann Lee,\n12,Bob Stone,\n")
    assert list(opps["rep_id"]) == ["007", "12", "007"]
    assert list(reps["rep_id"]) == ["007", "12"]
    assert match_key("7.0") == "7" and match_key("7.5") != "7"


def test_a_roster_name_with_a_note_in_brackets_is_that_rep(tmp_path):
    deals = ("Id,Owner,Created,Status,Amount\n"
             "D1,Ann Lee (Deactivated User),2024-01-01,open,10\n"
             "D2,Ann Lee,2024-01-01,open,20\n"
             "D3,Cy Moe (Deactivated User),2024-01-01,open,30\n")
    users = "Name,Email\nAnn Lee,ann@x.com\nBob Stone,bob@x.com\n"
    mapping = ('''[tables.opportunities]
file = "deals.csv"
[tables.opportunities.columns]
opportunity_id = "Id"
rep_id = { column = "Owner", names = true }
created_date = "Created"
status = "Status"
amount = "Amount"
[tables.reps]
file = "users.csv"
[tables.reps.columns]
rep_id = { column = "Name", names = true }
name = "Name"
email = "Email"
''')
    result = import_files(tmp_path, mapping, {"deals.csv": deals, "users.csv": users})
    opps = pd.read_csv(tmp_path / "ds" / "opportunities.csv", dtype=str)
    reps = pd.read_csv(tmp_path / "ds" / "reps.csv", dtype=str)
    assert list(opps["rep_id"]) == ["ann-lee", "ann-lee", "cy-moe-deactivated-user"]  # Cy Moe is not in the roster
    assert sorted(reps["rep_id"]) == ["ann-lee", "bob-stone", "cy-moe-deactivated-user"]
    [note] = [n for n in result.notes if "note in brackets" in n]
    assert note.startswith("reps: 1 row(s)") and "'Ann Lee (Deactivated User)' -> 'ann-lee'" in note
