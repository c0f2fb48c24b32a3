"""Rep e-mail addresses come in through every preset, and the validator checks their form."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from salesnb.addresses import is_address
from salesnb.importers import import_export
from salesnb.validate import validate_folder


def _reps(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "reps.csv", dtype=str, keep_default_na=False)


def test_salesforce_report_with_a_users_report_gives_reps_their_addresses(tmp_path):
    src = tmp_path / "export"
    src.mkdir()
    (src / "opps.csv").write_text(
        '"Opportunity ID","Opportunity Owner","Stage","Amount","Close Date","Created Date"\n'
        '"0061","Ann Lee","Closed Won","$1,000.00","1/22/2024","1/2/2024"\n'
        '"0062","Bob Stone","Prospecting","$500.00","3/22/2024","1/5/2024"\n')
    (src / "users.csv").write_text(
        '"Full Name","Username","Email","Role"\n'
        '"Ann Lee","ann@corp.example","ann.lee@corp.example","AE"\n'
        '"Bob  Stone","bob@corp.example","bob.stone@corp.example","AE"\n'
        '\n"Grand Totals (2 records)"\n')
    out = tmp_path / "ds"
    result = import_export([src / "opps.csv", src / "users.csv"], out, "salesforce")
    assert result.ok, result.format()
    reps = _reps(out).set_index("rep_id")
    # 'Bob  Stone' (two spaces) is the owner 'Bob Stone': one rep, with the address of the users report
    assert reps["email"].to_dict() == {"ann-lee": "ann.lee@corp.example", "bob-stone": "bob.stone@corp.example"}
    assert reps["role"].to_dict() == {"ann-lee": "AE", "bob-stone": "AE"}


def test_hubspot_users_export_gives_deal_owners_their_addresses(tmp_path):
    src = tmp_path / "export"
    src.mkdir()
    (src / "deals.csv").write_text(
        "Record ID,Deal Stage,Amount,Close Date,Create Date,Deal owner,"
        'Date entered "Qualified To Buy (Sales Pipeline)"\n'
        "7,Qualified To Buy,100,,2024-05-01,Ann Lee,2024-05-02\n"
        "8,Closed Won,200,2024-06-01,2024-05-03,Cara Diaz,2024-05-04\n")
    (src / "users.csv").write_text(
        "First Name,Last Name,Email,Primary Team\n"
        "Ann,Lee,ann@hub.example,East\n"
        "Cara,Diaz,cara@hub.example,West\n")
    out = tmp_path / "ds"
    result = import_export([src / "deals.csv", src / "users.csv"], out, "hubspot")
    assert result.ok, result.format()
    reps = _reps(out).set_index("rep_id")
    assert reps["email"].to_dict() == {"ann-lee": "ann@hub.example", "cara-diaz": "cara@hub.example"}
    assert reps["team"].to_dict() == {"ann-lee": "East", "cara-diaz": "West"}
    assert set(pd.read_csv(out / "opportunities.csv", dtype=str)["rep_id"]) == {"ann-lee", "cara-diaz"}


def test_address_form():
    good = ["ann@example.com", "ann.lee+sales@mail.corp.example", "o'neil@x.io", "A_B-c@sub-domain.example.org"]
    bad = ["", "ann", "ann@", "@example.com", "ann@example", "ann lee@example.com", "Ann <ann@example.com>",
           "ann@@example.com", ".ann@example.com", "ann.@example.com", "an..n@example.com", "ann@-x.com",
           "ann@x-.com", "ann@example.com ", "ann@exa_mple.com", "x" * 250 + "@example.com", None, 12]
    assert [a for a in good if not is_address(a)] == []
    assert [a for a in bad if is_address(a)] == []


def test_validate_warns_about_bad_and_shared_addresses_with_line_and_value(tmp_path, sample_dir):
    data = tmp_path / "team"
    shutil.copytree(sample_dir, data)
    reps = pd.read_csv(data / "reps.csv", dtype=str, keep_default_na=False)
    reps.loc[1, "email"] = "Rosa Bennett <rosa@example.com>"  # line 3
    reps.loc[4, "email"] = reps.loc[2, "email"].upper()  # line 6: the address of line 4, in capitals
    reps.loc[5, "email"] = ""  # line 7: no address is fine
    reps.to_csv(data / "reps.csv", index=False)
    report = validate_folder(data)
    assert report.ok  # warnings: the data still loads
    found = sorted((i.line, i.column, i.value, i.message.split(";")[0]) for i in report.issues
                   if i.column == "email")
    assert found == [
        (3, "email", "Rosa Bennett <rosa@example.com>", "is not an e-mail address salesnb can send to"),
        (4, "email", reps.loc[2, "email"], "is the address of more than one rep"),
        (6, "email", reps.loc[4, "email"], "is the address of more than one rep"),
    ]
    assert all(i.severity == "warning" for i in report.issues if i.column == "email")
