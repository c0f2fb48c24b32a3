"""Quotas as companies keep them: Year + Quarter (or Month, or a year alone) columns, currency strings, per team.

The expected spans are worked out by hand from the calendar.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from salesnb.errors import MappingError
from salesnb.importers import ImportValidationError, import_export
from salesnb.load import load
from salesnb.metrics import metrics, team_summary

DEALS = ("Id,Owner,Created,Closed,Status,Amount\n"
         "1,1,2021-01-05,2021-02-01,won,150000\n"
         "2,2,2021-04-05,2021-05-01,won,50000\n"
         "3,2,2021-04-06,2021-05-02,lost,10000\n")
REPS = "emp,name,team\n1,Ann Lee,East\n2,Bob Stone,West\n"
BASE = '''[tables.reps]
file = "reps.csv"
[tables.reps.columns]
rep_id = "emp"
name = "name"
team = "team"
[tables.opportunities]
file = "deals.csv"
[tables.opportunities.columns]
opportunity_id = "Id"
rep_id = "Owner"
created_date = "Created"
close_date = "Closed"
status = "Status"
amount = "Amount"
'''
TEAM_QUOTAS = '''
[tables.team_quotas]
file = "team_targets.csv"
[tables.team_quotas.columns]
team = "Team"
quota = "Target"
[tables.team_quotas.period]
year = "Year"
quarter = "Quarter"
'''
TARGETS = ('Team,Year,Quarter,Target\n'
           'East,2021,Q1,"$200,000 "\n'
           'East,2021,Q2,"$210,000 "\n'
           'West,2021,1,"$100,000"\n'
           'West,2021,2,"$ 120 000"\n')


def run(tmp_path: Path, files: dict[str, str], mapping: str):
    src = tmp_path / "export"
    src.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (src / name).write_text(text)
    (src / "m.toml").write_text(mapping)
    out = tmp_path / "ds"
    return import_export([src / n for n in files], out, src / "m.toml"), out


def spans(out: Path, name: str) -> list[list[str]]:
    df = pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False)
    return df.values.tolist()


def test_team_quotas_by_year_and_quarter_with_currency_strings(tmp_path):
    files = {"deals.csv": DEALS, "reps.csv": REPS, "team_targets.csv": TARGETS}
    result, out = run(tmp_path, files, BASE + TEAM_QUOTAS)
    assert spans(out, "team_quotas") == [
        ["East", "2021-01-01", "2021-03-31", "200000"],
        ["East", "2021-04-01", "2021-06-30", "210000"],
        ["West", "2021-01-01", "2021-03-31", "100000"],
        ["West", "2021-04-01", "2021-06-30", "120000"],
    ]
    assert result.tables["team_quotas"].columns["period_start"] == "'Year' + quarter 'Quarter'"
    assert not (out / "dataset.toml").exists()  # a calendar fiscal year needs no setting
    # The metric engine reads them as each team's target: H1 2021 for East is 200k + 210k.
    ds = load(out)
    teams = team_summary(metrics(ds, period="2021-01-01..2021-06-30"), ds)
    assert teams.loc["East", "quota"] == pytest.approx(410_000)
    assert teams.loc["West", "won_revenue"] == pytest.approx(50_000)


def test_fiscal_quarters_follow_the_fiscal_year_start_and_it_is_written_to_dataset_toml(tmp_path):
    files = {"deals.csv": DEALS, "reps.csv": REPS, "team_targets.csv": TARGETS}
    result, out = run(tmp_path, files, "fiscal_year_start_month = 4\n" + BASE + TEAM_QUOTAS)
    # FY2021 starts on 2021-04-01 (named by the year it starts in, as salesnb's periods are)
    assert [r[1:3] for r in spans(out, "team_quotas")][:2] == [["2021-04-01", "2021-06-30"],
                                                               ["2021-07-01", "2021-09-30"]]
    assert "fiscal_year_start_month = 4" in (out / "dataset.toml").read_text()
    assert load(out).meta.fiscal_year_start_month == 4
    named_by_end = TEAM_QUOTAS + 'fiscal_year_named_by = "end"\n'
    _, out2 = run(tmp_path / "b", files, "fiscal_year_start_month = 4\n" + BASE + named_by_end)
    # FY2021 ends on 2021-03-31, so its Q1 is April-June 2020 and its Q4 January-March 2021
    assert [r[1:3] for r in spans(out2, "team_quotas")][:2] == [["2020-04-01", "2020-06-30"],
                                                                ["2020-07-01", "2020-09-30"]]


def test_year_and_month_and_year_alone(tmp_path):
    monthly = "Team,Year,Month,Target\nEast,2021,Jan,10\nEast,2021,February,11\nWest,2020,12,12\n"
    mapping = BASE + TEAM_QUOTAS.replace('quarter = "Quarter"', 'month = "Month"')
    _, out = run(tmp_path, {"deals.csv": DEALS, "reps.csv": REPS, "team_targets.csv": monthly}, mapping)
    assert [r[1:3] for r in spans(out, "team_quotas")] == [
        ["2021-01-01", "2021-01-31"], ["2021-02-01", "2021-02-28"], ["2020-12-01", "2020-12-31"]]
    yearly = "Team,Year,Target\nEast,FY2021,1000\nWest,2022,900\n"
    mapping = "fiscal_year_start_month = 7\n" + BASE + TEAM_QUOTAS.replace('quarter = "Quarter"\n', "")
    _, out = run(tmp_path / "y", {"deals.csv": DEALS, "reps.csv": REPS, "team_targets.csv": yearly}, mapping)
    assert [r[1:3] for r in spans(out, "team_quotas")] == [["2021-07-01", "2022-06-30"],
                                                           ["2022-07-01", "2023-06-30"]]


def test_per_rep_quotas_with_the_year_in_the_quarter_cell(tmp_path):
    quotas = "Employee,Period,Quota\n1,2021-Q1,\"$90,000\"\n2,Q2 2021,\"$80,000\"\n"
    mapping = BASE + ('[tables.quotas]\nfile = "quotas.csv"\n[tables.quotas.columns]\nrep_id = "Employee"\n'
                      'quota = "Quota"\n[tables.quotas.period]\nquarter = "Period"\n')
    _, out = run(tmp_path, {"deals.csv": DEALS, "reps.csv": REPS, "quotas.csv": quotas}, mapping)
    assert spans(out, "quotas") == [["1", "2021-01-01", "2021-03-31", "90000"],
                                    ["2", "2021-04-01", "2021-06-30", "80000"]]
    table = metrics(load(out), period="2021-Q1")
    assert table.values.loc["1", "quota"] == pytest.approx(90_000)


def test_values_that_are_not_quarters_are_named(tmp_path):
    bad = TARGETS.replace("East,2021,Q2", "East,2021,Q5").replace("West,2021,2", "West,20x1,2")
    with pytest.raises(MappingError) as info:
        run(tmp_path, {"deals.csv": DEALS, "reps.csv": REPS, "team_targets.csv": bad}, BASE + TEAM_QUOTAS)
    msg = str(info.value)
    assert "[tables.team_quotas.period.quarter] 1 row(s) of team_targets.csv have 'Quarter' values" in msg
    assert "'Q5' (1) (line 3)" in msg
    assert "[tables.team_quotas.period.year]" in msg and "'20x1' (1) (line 5)" in msg


def test_a_year_given_as_a_date_points_to_the_period_columns(tmp_path):
    mapping = BASE + TEAM_QUOTAS.replace('[tables.team_quotas.period]\nyear = "Year"\nquarter = "Quarter"\n', "") \
        .replace('quota = "Target"', 'quota = "Target"\nperiod_start = "Year"\nperiod_end = "Year"')
    with pytest.raises(MappingError) as info:
        run(tmp_path, {"deals.csv": DEALS, "reps.csv": REPS, "team_targets.csv": TARGETS}, mapping)
    msg = str(info.value)
    assert "[tables.team_quotas.period]" in msg and 'quarter = \\"Quarter\\"' not in msg
    assert 'quarter = "Quarter"' in msg
    assert "M/D/YYYY" not in msg


def test_mapping_the_period_twice_is_refused(tmp_path):
    mapping = BASE + TEAM_QUOTAS.replace('quota = "Target"', 'quota = "Target"\nperiod_start = "Year"')
    with pytest.raises(MappingError, match=r"\[tables.team_quotas.period\] period_start is mapped too"):
        run(tmp_path, {"deals.csv": DEALS, "reps.csv": REPS, "team_targets.csv": TARGETS}, mapping)


def test_a_zero_quota_is_no_target(tmp_path):
    zero = TARGETS + "West,2021,Q3,$0\n"
    with pytest.raises(MappingError) as info:
        run(tmp_path, {"deals.csv": DEALS, "reps.csv": REPS, "team_targets.csv": zero}, BASE + TEAM_QUOTAS)
    assert "values that are 0 or less: '$0' (1) (line 6)" in str(info.value)
    assert 'sign = "drop"' in str(info.value)
    mapping = BASE + TEAM_QUOTAS.replace('quota = "Target"', 'quota = { column = "Target", sign = "drop" }')
    result, out = run(tmp_path / "b", {"deals.csv": DEALS, "reps.csv": REPS, "team_targets.csv": zero}, mapping)
    assert len(spans(out, "team_quotas")) == 4
    assert [(d.count, d.examples) for d in result.dropped] == [(1, ["6"])]


def test_team_targets_for_teams_no_rep_belongs_to_stop_the_import(tmp_path):
    targets = TARGETS.replace("West,", "Team West,")
    with pytest.raises(ImportValidationError) as info:
        run(tmp_path, {"deals.csv": DEALS, "reps.csv": REPS, "team_targets.csv": targets}, BASE + TEAM_QUOTAS)
    msg = str(info.value)
    assert "team_targets.csv line 4 (built team_quotas.csv line 4): column team: value 'Team West'" in msg
    assert "(closest teams in reps.csv: 'West')" in msg


@pytest.mark.parametrize("cell, expected", [
    ("Q3", (3, None)), ("3", (3, None)), ("Quarter 3", (3, None)), ("2021-Q3", (3, 2021)), ("Q3 2021", (3, 2021)),
    ("FY2021 Q4", (4, 2021)), ("2021Q1", (1, 2021)), ("Q5", (None, None)), ("13", (None, None)),
])
def test_quarter_cells(cell, expected):
    from salesnb.importers.quota_periods import _quarter

    assert _quarter(cell.casefold()) == expected


@pytest.mark.parametrize("cell, expected", [
    ("3", (3, None)), ("03", (3, None)), ("Mar", (3, None)), ("March", (3, None)), ("Sept", (9, None)),
    ("2021-03", (3, 2021)), ("03/2021", (3, 2021)), ("Mar 2021", (3, 2021)), ("13", (None, None)),
    ("Smarch", (None, None)),
])
def test_month_cells(cell, expected):
    from salesnb.importers.quota_periods import _month

    assert _month(cell.casefold()) == expected
