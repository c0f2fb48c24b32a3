"""Team targets whose team no rep belongs to: validate names each row with the closest team names and the fix,
and no command ends in a traceback (they stop with that message). Tiny hand-written folders."""
from __future__ import annotations

from pathlib import Path

import pytest

from salesnb.cli import main
from salesnb.dataset import Dataset
from salesnb.importers import ImportValidationError, import_export
from salesnb.metrics import metrics, team_summary
from salesnb.validate import validate_folder

REPS = "rep_id,name,team\nR1,Ann Lee,East\nR2,Bob Stone,West\nR3,Cy Park,West\n"
OPPS = ("opportunity_id,rep_id,created_date,status,amount,close_date\n"
        "o1,R1,2026-01-05,won,100,2026-02-01\no2,R2,2026-01-06,won,50,2026-02-02\no3,R3,2026-01-07,open,70,\n")
TARGETS = ("team,period_start,period_end,quota\n"
           "East Coast,2026-01-01,2026-03-31,300\n"    # line 2: East spelled otherwise
           "West,2026-01-01,2026-03-31,200\n"          # line 3: fine
           "north,2026-01-01,2026-03-31,100\n")        # line 4: no such team


def folder(tmp_path: Path, reps: str = REPS, targets: str = TARGETS) -> Path:
    d = tmp_path / "team"
    d.mkdir()
    (d / "reps.csv").write_text(reps)
    (d / "opportunities.csv").write_text(OPPS)
    (d / "team_quotas.csv").write_text(targets)
    return d


def test_validate_names_each_target_of_an_unknown_team_with_the_closest_teams(tmp_path):
    report = validate_folder(folder(tmp_path))
    errors = [(i.file, i.line, i.column, i.value) for i in report.errors]
    assert errors == [("team_quotas.csv", 2, "team", "East Coast"), ("team_quotas.csv", 4, "team", "north")]
    east, north = report.errors
    assert "(closest teams in reps.csv: 'East')" in east.message
    assert "(no team in reps.csv is close to it)" in north.message
    assert "its teams: 'East', 'West'" in east.fix


def test_another_case_is_another_team_but_the_closest_is_named(tmp_path):
    report = validate_folder(folder(tmp_path, targets=TARGETS.replace("East Coast", "EAST ")))
    assert "(closest teams in reps.csv: 'East')" in report.errors[0].message


def test_targets_when_no_rep_has_a_team(tmp_path):
    report = validate_folder(folder(tmp_path, reps="rep_id,name\nR1,Ann Lee\nR2,Bob Stone\nR3,Cy Park\n"))
    assert [(i.line, i.value) for i in report.errors] == [(2, "East Coast"), (3, "West"), (4, "north")]
    assert "gives no rep a team" in report.errors[0].message
    assert "add a team column to reps.csv" in report.errors[0].fix


def test_targets_of_known_teams_pass(tmp_path):
    targets = TARGETS.replace("East Coast", "East").replace("north,2026-01-01,2026-03-31,100\n", "")
    assert validate_folder(folder(tmp_path, targets=targets)).ok


@pytest.mark.parametrize("command", [
    ["validate"], ["diagnose"], ["diagnose", "--json"], ["score"], ["reports", "--no-progress", "--out", "{out}"],
    ["dashboard", "--no-browser", "--port", "9873"],
])
def test_no_command_ends_in_a_traceback(tmp_path, capsys, command):
    data = folder(tmp_path)
    out = tmp_path / "reports"
    argv = [a.replace("{out}", str(out)) for a in command] + ["--data", str(data)]
    assert main(argv) == 1
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text
    assert "team_quotas.csv:2: column team: value 'East Coast'" in text
    assert not out.exists()


def test_the_team_summary_leaves_out_a_target_of_no_team_without_failing():
    """Frames built in a notebook skip validation: a target for a team no rep is in measures no one."""
    ds = Dataset.from_frames(
        reps=[{"rep_id": "R1", "name": "Ann"}],
        opportunities=[{"opportunity_id": "o1", "rep_id": "R1", "created_date": "2026-01-05", "status": "won",
                        "amount": 100, "close_date": "2026-02-01"}],
        team_quotas=[{"team": t, "period_start": "2026-01-01", "period_end": "2026-03-31", "quota": 300}
                     for t in ("East", "West")])
    teams = team_summary(metrics(ds, period="2026-Q1", as_of="2026-03-31"), ds)
    assert list(teams.index) == ["(no team)"]
    assert teams.loc["(no team)", "won_revenue"] == 100
    assert teams["quota"].isna().all()


def test_an_import_with_targets_of_unknown_teams_writes_nothing_and_says_how_to_rename(tmp_path):
    src = tmp_path / "export"
    src.mkdir()
    (src / "deals.csv").write_text("Id,Owner,Created,Closed,Status,Amount\n1,R1,2026-01-05,2026-02-01,won,100\n")
    (src / "reps.csv").write_text(REPS)
    (src / "targets.csv").write_text("Team,From,To,Target\nEast Coast,2026-01-01,2026-03-31,300\n")
    (src / "m.toml").write_text(
        '[tables.reps]\nfile = "reps.csv"\n[tables.reps.columns]\nrep_id = "rep_id"\nname = "name"\nteam = "team"\n'
        '[tables.opportunities]\nfile = "deals.csv"\n[tables.opportunities.columns]\nopportunity_id = "Id"\n'
        'rep_id = "Owner"\ncreated_date = "Created"\nclose_date = "Closed"\nstatus = "Status"\namount = "Amount"\n'
        '[tables.team_quotas]\nfile = "targets.csv"\n[tables.team_quotas.columns]\nteam = "Team"\n'
        'period_start = "From"\nperiod_end = "To"\nquota = "Target"\n')
    with pytest.raises(ImportValidationError) as info:
        import_export([src / "deals.csv", src / "reps.csv", src / "targets.csv"], tmp_path / "ds", src / "m.toml")
    msg = str(info.value)
    assert "targets.csv line 2" in msg and "'East Coast'" in msg and "closest teams in reps.csv: 'East'" in msg
    assert 'values = { "East Coast" = "East" }' in msg
    assert not (tmp_path / "ds").exists()
