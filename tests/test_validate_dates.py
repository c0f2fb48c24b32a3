"""Dates that cannot be right: in the future, after as_of, before the rep's hire date."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from salesnb.errors import DatasetError
from salesnb.load import load
from salesnb.validate import dates, validate_folder

TODAY = dt.date(2026, 12, 1)
FILES = {
    "reps.csv": ["rep_id,name,hire_date",
                 "r1,Ann,2025-01-15",
                 "r2,Bob,"],
    "opportunities.csv": ["opportunity_id,rep_id,created_date,status,amount,close_date",
                          "o1,r1,2026-01-05,won,100,2026-02-01",
                          "o2,r2,2026-02-10,open,50,2030-06-30",  # an expected close date may lie ahead
                          "o3,r1,2026-03-01,lost,0,2026-04-01"],
    "activities.csv": ["activity_id,rep_id,date,type",
                       "a1,r1,2026-01-06,call",
                       "a2,r2,2026-02-11,email"],
}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(dates, "today", lambda: TODAY)


def make(tmp_path: Path, edits: dict | None = None, toml: str | None = None) -> Path:
    """FILES with {file: {line: text}} edits (line 1 is the header); a line past the end is appended."""
    folder = tmp_path / "ds"
    folder.mkdir()
    for name, lines in FILES.items():
        lines = list(lines)
        for number, text in (edits or {}).get(name, {}).items():
            if number > len(lines):
                lines.append(text)
            else:
                lines[number - 1] = text
        (folder / name).write_text("\n".join(lines) + "\n")
    if toml is not None:
        (folder / "dataset.toml").write_text(toml)
    return folder


def issues(folder: Path, severity: str) -> list[tuple]:
    return [(i.file, i.line, i.column, i.value) for i in validate_folder(folder).issues if i.severity == severity]


def test_the_base_is_clean(tmp_path):
    assert validate_folder(make(tmp_path)).issues == []


def test_deals_and_activities_in_the_future_are_warnings(tmp_path):
    folder = make(tmp_path, {"opportunities.csv": {5: "o4,r1,2030-01-05,won,100,2030-02-01"},
                             "activities.csv": {4: "a3,r2,2099-01-01,call"}})
    assert issues(folder, "warning") == [("opportunities.csv", 5, "created_date", "2030-01-05"),
                                         ("opportunities.csv", 5, "close_date", "2030-02-01"),
                                         ("activities.csv", 4, "date", "2099-01-01")]
    report = validate_folder(folder)
    assert report.ok
    text = report.format()
    assert "activities.csv:4: column date: value '2099-01-01': is in the future (after today, 2026-12-01)" in text
    assert "no as_of in dataset.toml" in text  # the row would become the report date


def test_one_day_of_grace_for_time_zones(tmp_path):
    folder = make(tmp_path, {"activities.csv": {4: "a3,r2,2026-12-02,call", 5: "a4,r2,2026-12-03,call"}})
    assert issues(folder, "warning") == [("activities.csv", 5, "date", "2026-12-03")]


def test_events_after_as_of_are_warnings_naming_as_of(tmp_path):
    folder = make(tmp_path, {"activities.csv": {4: "a3,r2,2026-03-02,call", 5: "a4,r2,2099-01-01,call"}},
                  toml="as_of = 2026-03-01\n")
    report = validate_folder(folder)
    got = [(i.line, i.column, i.value, "as_of = 2026-03-01" in i.message, "future" in i.message)
           for i in report.warnings]
    # the lost deal closed 2026-04-01, after as_of; the 2099 activity is in the future (said once, as such)
    assert got == [(4, "close_date", "2026-04-01", True, False),
                   (5, "date", "2099-01-01", False, True), (4, "date", "2026-03-02", True, False)]


def test_open_deals_expected_close_dates_and_future_hires_without_rows_are_fine(tmp_path):
    folder = make(tmp_path, {"reps.csv": {4: "r3,Cy,2027-01-01"}})
    assert validate_folder(folder).issues == []


def test_rep_hired_after_the_report_date_with_earlier_deals_is_an_error_naming_rep_and_first_row(tmp_path):
    folder = make(tmp_path, {"reps.csv": {2: "r1,Ann,2040-01-01"}})
    report = validate_folder(folder)
    [issue] = report.errors
    assert (issue.file, issue.line, issue.column, issue.value) == ("reps.csv", 2, "hire_date", "2040-01-01")
    # r1 has o1 (2026-01-05), o3 (2026-03-01) and a1 (2026-01-06); the latest date in the data is 2026-04-01
    assert "rep r1 (Ann)" in issue.message and "after the report date (2026-04-01)" in issue.message
    assert "3 of their deals and activities are dated before it" in issue.message
    assert "first: opportunities.csv:2, created_date 2026-01-05" in issue.message
    assert "hire date" in issue.fix
    with pytest.raises(DatasetError, match="rep r1 \\(Ann\\) is hired after the report date"):
        load(folder)


def test_rep_hired_after_some_own_rows_but_before_the_report_date_is_a_warning(tmp_path):
    folder = make(tmp_path, {"reps.csv": {3: "r2,Bob,2026-02-11"},
                             "activities.csv": {4: "a3,r2,2026-02-09,call"}})
    report = validate_folder(folder)
    assert report.ok
    [issue] = report.warnings
    assert (issue.file, issue.line, issue.value) == ("reps.csv", 3, "2026-02-11")
    # o2 is 2026-02-10, a3 2026-02-09 (the earliest, in activities), a2 2026-02-11 is on the hire day: fine
    assert "rep r2 (Bob) was hired on 2026-02-11, but 2 of their deals and activities are dated before it " \
           "(first: activities.csv:4, date 2026-02-09)" in issue.message
    assert "handed over" in issue.fix


def test_the_report_date_for_hires_is_as_of_when_set(tmp_path):
    folder = make(tmp_path, {"reps.csv": {3: "r2,Bob,2026-02-11"}}, toml="as_of = 2026-02-10\n")
    [issue] = validate_folder(folder).errors
    assert "after the report date (2026-02-10)" in issue.message and "1 of their deals and activities is" in issue.message


def test_rows_of_unknown_reps_and_reps_without_hire_dates_are_left_alone(tmp_path):
    folder = make(tmp_path, {"activities.csv": {4: "a3,zz,2020-01-01,call"}})
    assert [(i.severity, i.column) for i in validate_folder(folder).issues] == [("warning", "rep_id")]
