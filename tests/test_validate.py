"""Validation: every case feeds a broken file and checks the file, line, column and value named."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from salesnb.errors import DatasetError
from salesnb.load import load
from salesnb.validate import Issue, ValidationReport, validate_folder

# A small valid dataset; line 1 of every file is its header.
BASE = {
    "reps.csv": [
        "rep_id,name,team,hire_date",
        "007,Ann,East,2025-01-15",
        "008,Bob,West,",
    ],
    "opportunities.csv": [
        "opportunity_id,rep_id,created_date,status,amount,close_date,furthest_stage,lead_id",
        "O1,007,2026-01-05,won,1200,2026-02-01,won,L1",
        "O2,008,2026-01-10,open,500,,meeting,",
        "O3,007,2026-01-12,lost,0,2026-03-01,proposal,L2",
    ],
    "quotas.csv": [
        "rep_id,period_start,period_end,quota",
        "007,2026-01-01,2026-03-31,10000",
        "007,2026-04-01,2026-06-30,12000",
        "008,2026-01-01,2026-03-31,8000",
    ],
    "leads.csv": [
        "lead_id,rep_id,created_date,status,company_size,has_need,decision_maker,opportunity_id",
        "L1,007,2025-12-01,qualified,120,yes,true,O1",
        "L2,007,2025-12-05,qualified,30,no,false,O3",
        "L3,008,2025-12-07,open,,,,",
    ],
    "activities.csv": [
        "activity_id,rep_id,date,type,opportunity_id,lead_id,duration_minutes,miles",
        "A1,007,2026-01-06,call,O1,,15,0",
        "A2,007,2026-01-07,visit,O1,,60,22.5",
        "A3,008,2026-01-11,email,O2,,5,",
    ],
    "stage_history.csv": [
        "opportunity_id,stage,entered_date",
        "O1,qualified,2026-01-05",
        "O1,won,2026-02-01",
    ],
}


def make(tmp_path: Path, edits: dict | None = None, drop: tuple = (), raw: dict | None = None) -> Path:
    """Write BASE into tmp_path; edits = {file: {line_no: new_text or None to delete}}."""
    folder = tmp_path / "ds"
    folder.mkdir()
    for name, lines in BASE.items():
        if name in drop:
            continue
        lines = list(lines)
        changes = (edits or {}).get(name, {})
        for line_no, text in sorted(changes.items()):
            if text is None:
                continue
            if line_no > len(lines):
                lines.append(text)
            else:
                lines[line_no - 1] = text
        for line_no in sorted((n for n, t in changes.items() if t is None), reverse=True):
            del lines[line_no - 1]
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name, content in (raw or {}).items():
        (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    return folder


def only(report: ValidationReport, severity: str, file: str, column: str | None = None) -> list[Issue]:
    return [i for i in report.issues if i.severity == severity and i.file == file
            and (column is None or i.column == column)]


def assert_named(report: ValidationReport, issue: Issue, file: str, line: int | None, column: str | None, value: str):
    """The issue and the formatted report both name file, line, column and value."""
    assert issue.file == file and issue.line == line and issue.column == column and issue.value == value
    text = report.format()
    where = f"{file}:{line}" if line is not None else file
    expected = f"{where}: column {column}: value {value!r}"
    assert expected in text, f"{expected!r} not in\n{text}"
    assert "Fix:" in text


def test_base_dataset_is_clean(tmp_path):
    report = validate_folder(make(tmp_path))
    assert report.issues == []
    assert report.ok
    assert report.format().startswith("No problems found")


def test_missing_required_file(tmp_path):
    report = validate_folder(make(tmp_path, drop=("opportunities.csv",)))
    [issue] = report.errors
    assert issue.file == "opportunities.csv" and "missing" in issue.message
    assert "opportunities.csv" in report.format() and not report.ok


def test_missing_optional_file_is_fine(tmp_path):
    report = validate_folder(make(tmp_path, drop=("leads.csv", "activities.csv", "quotas.csv", "stage_history.csv")))
    assert report.ok and report.issues == []


def test_missing_required_column(tmp_path):
    folder = make(tmp_path, {"opportunities.csv": {
        1: "opportunity_id,rep_id,created_date,status,close_date,furthest_stage,lead_id",
        2: "O1,007,2026-01-05,won,2026-02-01,won,L1",
        3: "O2,008,2026-01-10,open,,meeting,",
        4: "O3,007,2026-01-12,lost,2026-03-01,proposal,L2"}})
    report = validate_folder(folder)
    [issue] = report.errors
    assert (issue.file, issue.line, issue.column) == ("opportunities.csv", 1, "amount")
    assert "opportunities.csv:1: column amount" in report.format()


@pytest.mark.parametrize("bad", ["2026-13-01", "2026-02-30", "05/01/2026", "soon"])
def test_unparseable_date(tmp_path, bad):
    report = validate_folder(make(tmp_path, {"opportunities.csv": {3: f"O2,008,{bad},open,500,,meeting,"}}))
    [issue] = report.errors
    assert_named(report, issue, "opportunities.csv", 3, "created_date", bad)
    assert "not a date" in issue.message


def test_unparseable_number(tmp_path):
    report = validate_folder(make(tmp_path, {"opportunities.csv": {2: 'O1,007,2026-01-05,won,"1,200",2026-02-01,won,L1'}}))
    [issue] = report.errors
    assert_named(report, issue, "opportunities.csv", 2, "amount", "1,200")
    assert "not a number" in issue.message


def test_nan_is_not_a_number(tmp_path):
    report = validate_folder(make(tmp_path, {"activities.csv": {4: "A3,008,2026-01-11,email,O2,,5,nan"}}))
    [issue] = report.errors
    assert_named(report, issue, "activities.csv", 4, "miles", "nan")


def test_negative_amount(tmp_path):
    report = validate_folder(make(tmp_path, {"opportunities.csv": {4: "O3,007,2026-01-12,lost,-20,2026-03-01,proposal,L2"}}))
    [issue] = report.errors
    assert_named(report, issue, "opportunities.csv", 4, "amount", "-20")
    assert "negative" in issue.message


def test_duplicate_id(tmp_path):
    report = validate_folder(make(tmp_path, {"opportunities.csv": {4: "O1,007,2026-01-12,lost,0,2026-03-01,proposal,L2"}}))
    [issue] = [i for i in report.errors if i.column == "opportunity_id"]
    assert_named(report, issue, "opportunities.csv", 4, "opportunity_id", "O1")
    assert "duplicate" in issue.message and "line 2" in issue.message


def test_duplicate_id_out_of_order(tmp_path):
    # ids not in sorted order take the hash-based path
    report = validate_folder(make(tmp_path, {"activities.csv": {2: "A9,007,2026-01-06,call,O1,,15,0",
                                                               4: "A9,008,2026-01-11,email,O2,,5,"}}))
    [issue] = report.errors
    assert_named(report, issue, "activities.csv", 4, "activity_id", "A9")


def test_orphan_rep_rows_are_dropped_with_warning(tmp_path):
    folder = make(tmp_path, {"opportunities.csv": {3: "O2,999,2026-01-10,open,500,,meeting,"},
                             "activities.csv": {5: "A4,999,2026-01-11,call,,,5,"}})
    ds = load(folder)
    assert ds.report.ok
    [opp] = only(ds.report, "warning", "opportunities.csv", "rep_id")
    assert_named(ds.report, opp, "opportunities.csv", 3, "rep_id", "999")
    [act] = only(ds.report, "warning", "activities.csv", "rep_id")
    assert (act.line, act.value) == (5, "999")
    assert list(ds.opportunities["opportunity_id"]) == ["O1", "O3"]
    assert len(ds.activities) == 3  # A1..A3 kept, A4 dropped
    # A3 pointed at O2, which was dropped with its unknown rep: the reference is cleared, the row kept
    [cleared] = only(ds.report, "warning", "activities.csv", "opportunity_id")
    assert (cleared.line, cleared.value) == (4, "O2")
    assert ds.activities["opportunity_id"].isna().tolist() == [False, False, True]


def test_dangling_lead_and_opportunity_references_are_cleared(tmp_path):
    folder = make(tmp_path, {"opportunities.csv": {3: "O2,008,2026-01-10,open,500,,meeting,L77"},
                             "activities.csv": {3: "A2,007,2026-01-07,visit,O42,,60,22.5"}})
    ds = load(folder)
    [lead] = only(ds.report, "warning", "opportunities.csv", "lead_id")
    assert_named(ds.report, lead, "opportunities.csv", 3, "lead_id", "L77")
    [opp] = only(ds.report, "warning", "activities.csv", "opportunity_id")
    assert_named(ds.report, opp, "activities.csv", 3, "opportunity_id", "O42")
    assert ds.opportunities["lead_id"].isna().tolist() == [False, True, False]
    assert ds.activities["opportunity_id"].isna().tolist() == [False, True, False]
    assert len(ds.activities) == 3


def test_unknown_rep_in_assisted_by_is_a_warning(tmp_path):
    folder = make(tmp_path, {"opportunities.csv": {
        1: BASE["opportunities.csv"][0] + ",assisted_by",
        2: BASE["opportunities.csv"][1] + ",008;404",
        3: BASE["opportunities.csv"][2] + ",",
        4: BASE["opportunities.csv"][3] + ",008"}})
    report = validate_folder(folder)
    [issue] = report.warnings
    assert_named(report, issue, "opportunities.csv", 2, "assisted_by", "008;404")


def test_won_without_close_date(tmp_path):
    report = validate_folder(make(tmp_path, {"opportunities.csv": {2: "O1,007,2026-01-05,won,1200,,won,L1"}}))
    [issue] = report.errors
    assert_named(report, issue, "opportunities.csv", 2, "close_date", "")
    assert "close date" in issue.message and "won" in issue.message


def test_close_before_created(tmp_path):
    report = validate_folder(make(tmp_path, {"opportunities.csv": {4: "O3,007,2026-01-12,lost,0,2026-01-02,proposal,L2"}}))
    [issue] = report.errors
    assert_named(report, issue, "opportunities.csv", 4, "close_date", "2026-01-02")
    assert "2026-01-12" in issue.message


def test_open_deal_with_expected_close_before_created_is_a_warning_and_kept(tmp_path):
    folder = make(tmp_path, {"opportunities.csv": {3: "O2,008,2026-01-10,open,500,2026-01-03,meeting,"}})
    report = validate_folder(folder)
    assert report.ok
    [issue] = [i for i in report.warnings if i.column == "close_date"]
    assert_named(report, issue, "opportunities.csv", 3, "close_date", "2026-01-03")
    assert "open deal" in issue.message
    assert "O2" in set(load(folder).opportunities["opportunity_id"])


def test_overlapping_quota_periods(tmp_path):
    report = validate_folder(make(tmp_path, {"quotas.csv": {3: "007,2026-03-15,2026-06-30,12000"}}))
    [issue] = report.errors
    assert_named(report, issue, "quotas.csv", 3, "period_start", "2026-03-15")
    assert "overlap" in issue.message and "line 2" in issue.message


def test_adjacent_quota_periods_do_not_overlap_and_other_reps_are_independent(tmp_path):
    report = validate_folder(make(tmp_path, {"quotas.csv": {5: "008,2026-04-01,2026-04-30,100"}}))
    assert report.ok


@pytest.mark.parametrize("file,line,text,column,value", [
    ("opportunities.csv", 3, "O2,008,2026-01-10,closed,500,,meeting,", "status", "closed"),
    ("opportunities.csv", 3, "O2,008,2026-01-10,open,500,,demo,", "furthest_stage", "demo"),
    ("activities.csv", 2, "A1,007,2026-01-06,lunch,O1,,15,0", "type", "lunch"),
    ("stage_history.csv", 3, "O1,signed,2026-02-01", "stage", "signed"),
    ("leads.csv", 4, "L3,008,2025-12-07,hot,,,,", "status", "hot"),
])
def test_unknown_choice(tmp_path, file, line, text, column, value):
    report = validate_folder(make(tmp_path, {file: {line: text}}))
    [issue] = report.errors
    assert_named(report, issue, file, line, column, value)
    assert "not a known" in issue.message


def test_choice_case_is_tidied_with_a_note(tmp_path):
    ds = load(make(tmp_path, {"opportunities.csv": {2: "O1,007,2026-01-05,Won,1200,2026-02-01,won,L1"}}))
    assert ds.opportunities["status"].tolist() == ["won", "open", "lost"]
    [note] = ds.report.notes
    assert note.column == "status" and "line 2" in note.message


def test_empty_required_table(tmp_path):
    report = validate_folder(make(tmp_path, {"reps.csv": {2: None, 3: None}}))
    [issue] = [i for i in report.errors if i.file == "reps.csv"]
    assert "no rows" in issue.message and "reps.csv" in report.format()


def test_empty_optional_table_is_a_warning_and_absent(tmp_path):
    ds = load(make(tmp_path, {"stage_history.csv": {2: None, 3: None}}))
    [issue] = ds.report.warnings
    assert issue.file == "stage_history.csv" and "no rows" in issue.message
    assert ds.stage_history is None


def test_zero_byte_optional_file(tmp_path):
    ds = load(make(tmp_path, raw={"leads.csv": b""}))
    assert ds.leads is None
    assert [i.file for i in ds.report.warnings] == ["leads.csv"]


def test_byte_order_mark_is_a_note_and_reads_fine(tmp_path):
    folder = make(tmp_path, raw={"reps.csv": b"\xef\xbb\xbf" + "\n".join(BASE["reps.csv"]).encode() + b"\n"})
    ds = load(folder)
    [note] = ds.report.notes
    assert (note.file, note.line) == ("reps.csv", 1) and "byte-order mark" in note.message
    assert ds.reps["rep_id"].tolist() == ["007", "008"]


def test_extra_columns_are_left_out_with_a_note(tmp_path):
    folder = make(tmp_path, {"reps.csv": {1: "rep_id,name,team,hire_date,shoe_size",
                                          2: "007,Ann,East,2025-01-15,42", 3: "008,Bob,West,,44"}})
    ds = load(folder)
    [note] = ds.report.notes
    assert (note.file, note.line, note.column) == ("reps.csv", 1, "shoe_size")
    assert "shoe_size" not in ds.reps.columns


@pytest.mark.parametrize("quota", ["0", "-5"])
def test_quota_must_be_positive(tmp_path, quota):
    report = validate_folder(make(tmp_path, {"quotas.csv": {4: f"008,2026-01-01,2026-03-31,{quota}"}}))
    [issue] = report.errors
    assert_named(report, issue, "quotas.csv", 4, "quota", quota)


def test_period_end_before_start(tmp_path):
    report = validate_folder(make(tmp_path, {"quotas.csv": {4: "008,2026-03-31,2026-01-01,8000"}}))
    [issue] = report.errors
    assert_named(report, issue, "quotas.csv", 4, "period_end", "2026-01-01")


def test_repeated_header_row_is_dropped_with_warning(tmp_path):
    folder = make(tmp_path, {"opportunities.csv": {5: BASE["opportunities.csv"][0],
                                                   6: "O4,008,2026-01-20,open,50,,qualified,"}})
    ds = load(folder)
    [issue] = ds.report.warnings
    assert (issue.file, issue.line) == ("opportunities.csv", 5) and "header" in issue.message
    assert ds.opportunities["opportunity_id"].tolist() == ["O1", "O2", "O3", "O4"]


def test_row_of_another_table_is_reported_at_its_line(tmp_path):
    # A reps row pasted into opportunities: its values fail the opportunity columns.
    report = validate_folder(make(tmp_path, {"opportunities.csv": {5: "009,Cid,East,2025-01-15,,,,"}}))
    assert not report.ok
    assert {i.line for i in report.errors} == {5}
    assert any(i.column == "created_date" and i.value == "East" for i in report.errors)
    assert any(i.column == "status" and i.value == "2025-01-15" for i in report.errors)


def test_missing_required_value(tmp_path):
    report = validate_folder(make(tmp_path, {"activities.csv": {3: "A2,,2026-01-07,visit,O1,,60,22.5"}}))
    [issue] = report.errors
    assert_named(report, issue, "activities.csv", 3, "rep_id", "")


def test_timestamps_are_truncated_to_dates(tmp_path):
    ds = load(make(tmp_path, {"opportunities.csv": {2: "O1,007,2026-01-05T23:59:00Z,won,1200,2026-02-01 08:00,won,L1"}}))
    assert ds.opportunities["created_date"].iloc[0].isoformat() == "2026-01-05T00:00:00"
    assert ds.opportunities["close_date"].iloc[0].isoformat() == "2026-02-01T00:00:00"


def test_all_problems_in_one_pass(tmp_path):
    folder = make(tmp_path, {"opportunities.csv": {2: "O1,007,2026-01-05,won,-1,2026-02-01,won,L1",
                                                   3: "O2,008,someday,open,500,,meeting,"},
                             "activities.csv": {4: "A3,008,2026-01-11,lunch,O2,,5,"},
                             "quotas.csv": {4: "008,2026-01-01,2026-03-31,0"}})
    report = validate_folder(folder)
    found = {(i.file, i.line, i.column) for i in report.errors}
    assert found == {("opportunities.csv", 2, "amount"), ("opportunities.csv", 3, "created_date"),
                     ("activities.csv", 4, "type"), ("quotas.csv", 4, "quota")}


def test_long_runs_are_summarised(tmp_path):
    rows = {i: f"A{i},007,not-a-date,call,,,1," for i in range(5, 55)}  # lines 5..54: 50 bad dates
    report = validate_folder(make(tmp_path, {"activities.csv": rows}))
    assert len(report.errors) == 50
    text = report.format()
    assert "50 rows" in text
    assert "activities.csv:5: column date: value 'not-a-date'" in text
    assert "activities.csv:7:" in text and "activities.csv:8:" not in text  # first three examples only
    assert text.count("Fix:") == 1


def test_very_long_runs_keep_a_bounded_number_of_issues(tmp_path, monkeypatch):
    import salesnb.validate.rows as rows

    monkeypatch.setattr(rows, "MAX_ROWS_PER_CHECK", 10)
    rows = {i: f"A{i},007,2026-01-06,nap,,,1," for i in range(5, 35)}  # 30 bad types
    report = validate_folder(make(tmp_path, {"activities.csv": rows}))
    assert len(report.errors) == 11  # ten rows, then one issue counting the other twenty
    assert report.counts()["error"] == 30
    assert "30 rows" in report.format()


def test_line_numbers_stay_right_after_quoted_line_breaks_and_blank_lines(tmp_path):
    folder = make(tmp_path, {"reps.csv": {1: "rep_id,name,team,hire_date",
                                          2: '007,"Ann\nSmith",East,2025-01-15',  # lines 2-3
                                          3: "",  # line 4: blank
                                          4: "008,Bob,West,2025-02-30"}})  # line 5
    report = validate_folder(folder)
    [issue] = report.errors
    assert_named(report, issue, "reps.csv", 5, "hire_date", "2025-02-30")
    [blank] = report.warnings
    assert blank.line == 4 and "skipped" in blank.message


def test_ragged_row_names_file_and_line(tmp_path):
    report = validate_folder(make(tmp_path, {"reps.csv": {3: "008,Bob,West,,extra,values"}}))
    [issue] = report.errors
    assert (issue.file, issue.line) == ("reps.csv", 3) and "6 values" in issue.message
    with pytest.raises(DatasetError, match=r"reps\.csv:3"):
        load(report.source)


def test_wrong_encoding_names_file_and_line(tmp_path):
    latin1 = "\n".join(BASE["reps.csv"][:2] + ["008,Bj\xf6rn,West,"]).encode("latin-1")
    report = validate_folder(make(tmp_path, raw={"reps.csv": latin1}))
    [issue] = report.errors
    assert (issue.file, issue.line) == ("reps.csv", 3) and "UTF-8" in issue.message and "Windows-1252" in issue.message


def test_binary_garbage_is_a_dataset_error_naming_the_file(tmp_path):
    folder = make(tmp_path, raw={"activities.csv": bytes(range(256)) * 4})
    with pytest.raises(DatasetError) as err:
        load(folder)
    assert "activities.csv" in str(err.value)
    assert err.value.report.errors[0].file == "activities.csv"


def test_semicolon_separated_file(tmp_path):
    report = validate_folder(make(tmp_path, raw={"reps.csv": "rep_id;name\n007;Ann\n"}))
    [issue] = report.errors
    assert issue.file == "reps.csv" and issue.line == 1 and "semicolons" in issue.message


def test_both_csv_and_parquet_is_an_error(tmp_path):
    folder = make(tmp_path)
    (folder / "reps.parquet").write_bytes(b"PAR1")
    report = validate_folder(folder)
    assert any("both reps.csv and reps.parquet" in i.message for i in report.errors)


def test_unknown_file_is_noted_with_a_suggestion(tmp_path):
    report = validate_folder(make(tmp_path, raw={"activity.csv": "x\n1\n"}))
    [note] = report.notes
    assert note.file == "activity.csv" and "activities.csv" in note.fix


def test_bad_dataset_toml_is_an_error(tmp_path):
    report = validate_folder(make(tmp_path, raw={"dataset.toml": "currency = \n"}))
    [issue] = report.errors
    assert issue.file == "dataset.toml"


def test_not_a_folder(tmp_path):
    report = validate_folder(tmp_path / "nope")
    assert not report.ok and "does not exist" in report.errors[0].message


def _fingerprint(folder: Path) -> dict:
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def test_input_files_are_never_modified(tmp_path):
    folder = make(tmp_path, {"opportunities.csv": {3: "O2,999,someday,open,-5,,meeting,"}},
                  raw={"reps.csv": b"\xef\xbb\xbf" + "\n".join(BASE["reps.csv"]).encode() + b"\n\n"})
    before = _fingerprint(folder)
    validate_folder(folder)
    with pytest.raises(DatasetError):
        load(folder)
    assert _fingerprint(folder) == before
    assert sorted(p.name for p in folder.iterdir()) == sorted(before)


def test_to_frame(tmp_path):
    report = validate_folder(make(tmp_path, {"quotas.csv": {4: "008,2026-01-01,2026-03-31,0"}}))
    df = report.to_frame()
    assert list(df.columns) == ["severity", "file", "line", "column", "value", "message", "fix", "count"]
    assert df.loc[0, ["severity", "file", "line", "column", "value"]].tolist() == ["error", "quotas.csv", 4, "quota", "0"]


def _cli(argv):
    from salesnb.cli import main

    return main(argv)


def test_cli_exit_codes(tmp_path, capsys):
    clean = make(tmp_path)
    assert _cli(["validate", str(clean)]) == 0
    assert "No problems found" in capsys.readouterr().out
    (clean / "quotas.csv").write_text("rep_id,period_start,period_end,quota\n007,2026-01-01,2026-03-31,-1\n")
    assert _cli(["validate", str(clean)]) == 1
    assert "quotas.csv:2: column quota: value '-1'" in capsys.readouterr().out


def test_cli_warnings_only_exit_zero(tmp_path, capsys):
    folder = make(tmp_path, {"activities.csv": {5: "A4,999,2026-01-11,call,,,5,"}})
    assert _cli(["validate", str(folder)]) == 0
    assert "activities.csv:5: column rep_id: value '999'" in capsys.readouterr().out


def test_cli_help_explains_exit_status(capsys):
    assert _cli(["validate", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps lines at the terminal's width
    assert "exit codes: 0 done" in out and "never changed" in out
    assert "max_amount (default 1e12)" in out


def test_line_numbers_in_the_line_by_line_reader(tmp_path):
    # A ragged row sends the file through the line-by-line reader; lines must still be exact.
    folder = make(tmp_path, {"reps.csv": {1: "rep_id,name,team,hire_date",
                                          2: '007,"Ann\nSmith",East,2025-01-15',  # lines 2-3
                                          3: "",  # line 4: blank
                                          4: "008,Bob,West,,x",  # line 5: one value too many
                                          5: "009,Cy,East,2025-02-30"}})  # line 6
    report = validate_folder(folder)
    assert sorted((i.line, i.column, i.value) for i in report.errors) == [
        (5, None, "008,Bob,West,,x"), (6, "hire_date", "2025-02-30")]
    [blank] = only(report, "warning", "reps.csv")
    assert blank.line == 4


def test_utf16_file_names_the_file_and_the_fix(tmp_path):
    report = validate_folder(make(tmp_path, raw={"reps.csv": "\n".join(BASE["reps.csv"]).encode("utf-16")}))
    [issue] = report.errors
    assert issue.file == "reps.csv" and "UTF-16" in issue.message and "UTF-8" in issue.fix


@pytest.mark.parametrize("bad", ["1e400", "inf", "$5", "12 000", "5,-"])
def test_numbers_that_are_not_plain_finite_numbers(tmp_path, bad):
    report = validate_folder(make(tmp_path, {"activities.csv": {2: f'A1,007,2026-01-06,call,O1,,"{bad}",0'}}))
    [issue] = report.errors
    assert_named(report, issue, "activities.csv", 2, "duration_minutes", bad)


@pytest.mark.parametrize("bad", ["inf", "-inf", "NaN", "Infinity", "1e309", "-1e400"])
def test_non_finite_amounts_are_named_as_such(tmp_path, bad):
    report = validate_folder(make(tmp_path, {"opportunities.csv": {2: f"O1,007,2026-01-05,won,{bad},2026-02-01,won,L1"}}))
    [issue] = report.errors
    assert_named(report, issue, "opportunities.csv", 2, "amount", bad)
    assert "not a finite number" in issue.message


@pytest.mark.parametrize(("toml", "amount", "ok"), [
    ("", "1000000000000", True),  # the default bound itself is accepted
    ("", "1000000000001", False),
    ("", "1.7e308", False),
    ("max_amount = 5e6\n", "5000000", True),
    ("max_amount = 5e6\n", "5000000.01", False),
    ("max_amount = 1e20\n", "3e15", True),
])
def test_amounts_beyond_max_amount_are_errors(tmp_path, toml, amount, ok):
    folder = make(tmp_path, {"opportunities.csv": {2: f"O1,007,2026-01-05,won,{amount},2026-02-01,won,L1"}},
                  raw={"dataset.toml": toml})
    report = validate_folder(folder)
    assert report.ok is ok
    if not ok:
        [issue] = report.errors
        assert_named(report, issue, "opportunities.csv", 2, "amount", amount)
        assert "max_amount" in issue.message and "dataset.toml" in issue.fix


def test_huge_amounts_that_overflow_a_sum_are_each_named(tmp_path):
    # 1.7e308 + 1.7e308 overflows: each value is finite but beyond the bound.
    folder = make(tmp_path, {"opportunities.csv": {2: "O1,007,2026-01-05,won,1.7e308,2026-02-01,won,L1",
                                                   3: "O2,008,2026-01-10,open,1.7e308,,meeting,"}})
    report = validate_folder(folder)
    assert [(i.line, i.value) for i in report.errors] == [(2, "1.7e308"), (3, "1.7e308")]


@pytest.mark.parametrize("file", ["quotas.csv", "team_quotas.csv"])
def test_quotas_beyond_max_amount_are_errors(tmp_path, file):
    owner = "007" if file == "quotas.csv" else "East"
    head = "rep_id" if file == "quotas.csv" else "team"
    folder = make(tmp_path, raw={file: f"{head},period_start,period_end,quota\n{owner},2026-01-01,2026-03-31,2e12\n",
                                 "dataset.toml": "max_amount = 1e12\n"})
    [issue] = validate_folder(folder).errors
    assert (issue.file, issue.line, issue.column, issue.value) == (file, 2, "quota", "2e12")


def test_other_numbers_are_not_bounded_by_max_amount(tmp_path):
    folder = make(tmp_path, {"activities.csv": {2: "A1,007,2026-01-06,call,O1,,15,2e12"}})
    assert validate_folder(folder).ok


def test_company_size_must_be_whole(tmp_path):
    report = validate_folder(make(tmp_path, {"leads.csv": {3: "L2,007,2025-12-05,qualified,30.5,no,false,O3"}}))
    [issue] = report.errors
    assert_named(report, issue, "leads.csv", 3, "company_size", "30.5")


def test_references_to_the_same_table_from_several_columns(tmp_path):
    # leads.opportunity_id and activities.opportunity_id are looked up together; each is reported on its own.
    folder = make(tmp_path, {"leads.csv": {4: "L3,008,2025-12-07,open,,,,O9"},
                             "activities.csv": {2: "A1,007,2026-01-06,call,O8,,15,0"}})
    report = validate_folder(folder)
    assert sorted((i.file, i.line, i.column, i.value) for i in report.warnings) == [
        ("activities.csv", 2, "opportunity_id", "O8"), ("leads.csv", 4, "opportunity_id", "O9")]


def test_bad_number_is_shown_as_written(tmp_path):
    # The CSV reader parses amounts itself; the report still quotes the file's text, not "-20.5".
    report = validate_folder(make(tmp_path, {"opportunities.csv": {4: "O3,007,2026-01-12,lost,-20.50,2026-03-01,proposal,L2"}}))
    [issue] = report.errors
    assert_named(report, issue, "opportunities.csv", 4, "amount", "-20.50")


def test_issues_come_in_table_order_whatever_the_table_sizes(tmp_path):
    # Bigger tables are checked first; the report still lists reps before opportunities before activities.
    extra = {n: f"A{n},007,2026-01-0{n - 3},call,,,1," for n in range(5, 10)}  # activities: the biggest table
    folder = make(tmp_path, {"activities.csv": {**extra, 10: "A10,007,2026-13-01,call,,,1,"},
                             "reps.csv": {3: "008,Bob,West,2025-02-30"},
                             "opportunities.csv": {4: "O3,007,2026-01-12,open,0,someday,proposal,L2"}})
    report = validate_folder(folder)
    assert [(i.file, i.line, i.column, i.value) for i in report.errors] == [
        ("reps.csv", 3, "hire_date", "2025-02-30"),
        ("opportunities.csv", 4, "close_date", "someday"),
        ("activities.csv", 10, "date", "2026-13-01"),
    ]


# The CSV reader parses dates and numbers itself when every value fits; otherwise the
# file is read as text and parsed by salesnb. Both routes must give the same result.
SAME_EITHER_WAY = {
    "clean": {},
    "orphans and dangling references": {"activities.csv": {5: "A4,999,2026-01-12,call,O9,L9,5,1"},
                                        "opportunities.csv": {5: "O4,007,2026-01-12,open,10,,meeting,L9"}},
    "byte-order mark": "bom",
    "extra column": {"reps.csv": {1: "rep_id,name,team,hire_date,shoe_size", 2: "007,Ann,East,2025-01-15,42",
                                  3: "008,Bob,West,,44"}},
    "timestamps and padded numbers": {"opportunities.csv": {2: "O1,007,2026-01-05T10:00:00Z,won, 1200 ,2026-02-01,won,L1"}},
    "bool and choice spellings": {"leads.csv": {2: "L1,007,2025-12-01,Qualified,120,TRUE,Y,O1"}},
    "not a number": {"opportunities.csv": {3: "O2,008,2026-01-10,open,$500,,meeting,"}},
    "nan and inf": {"activities.csv": {2: "A1,007,2026-01-06,call,O1,,nan,inf"}},
    "too big": {"activities.csv": {3: "A2,007,2026-01-07,visit,O1,,60,1e400"}},
    "negative amount": {"opportunities.csv": {3: "O2,008,2026-01-10,open,-500,,meeting,"}},
    "impossible date": {"reps.csv": {3: "008,Bob,West,2026-02-30"}},
    "open deal closing before created": {"opportunities.csv": {3: "O2,008,2026-01-10,open,500,2026-01-02,meeting,"}},
}


@pytest.mark.parametrize("case", list(SAME_EITHER_WAY))
def test_typed_read_and_text_read_give_the_same_frames_and_report(tmp_path, monkeypatch, case):
    import pandas as pd

    from salesnb.validate import check_folder, read
    from salesnb.validate.rows import STR

    edits = SAME_EITHER_WAY[case]
    if edits == "bom":
        folder = make(tmp_path, raw={"reps.csv": b"\xef\xbb\xbf" + "\n".join(BASE["reps.csv"]).encode() + b"\n"})
    else:
        folder = make(tmp_path, edits)
    typed_frames, _, typed_report = check_folder(folder)
    monkeypatch.setattr(read, "_typed_columns", lambda name, header: dict.fromkeys(header, STR))
    text_frames, _, text_report = check_folder(folder)
    pd.testing.assert_frame_equal(typed_report.to_frame(), text_report.to_frame())
    assert typed_frames.keys() == text_frames.keys()
    for name, frame in typed_frames.items():
        if frame is None:
            assert text_frames[name] is None, name
        else:
            pd.testing.assert_frame_equal(frame, text_frames[name], check_exact=True, obj=name)


def test_typed_read_and_text_read_agree_on_the_bundled_sample(monkeypatch):
    import pandas as pd

    from salesnb.validate import check_folder, read
    from salesnb.validate.rows import STR

    import pyarrow as pa

    folder = Path(__file__).resolve().parents[1] / "data" / "sample"

    def created_type():  # proves which route the read took
        raw = read.read_table_file("opportunities", folder / "opportunities.csv", ValidationReport())
        return raw.data.column("created_date").type

    assert created_type() == pa.date32()
    typed_frames, _, typed_report = check_folder(folder)
    monkeypatch.setattr(read, "_typed_columns", lambda name, header: dict.fromkeys(header, STR))
    assert created_type() == STR
    text_frames, _, text_report = check_folder(folder)
    assert typed_report.ok and text_report.ok
    pd.testing.assert_frame_equal(typed_report.to_frame(), text_report.to_frame())
    for name, frame in typed_frames.items():
        assert (frame is None) == (text_frames[name] is None), name
        if frame is not None:
            assert len(frame) > 0
            pd.testing.assert_frame_equal(frame, text_frames[name], check_exact=True, obj=name)


def test_parquet_amounts_that_are_not_finite_or_too_big_are_errors(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = make(tmp_path, drop=("opportunities.csv",))
    pq.write_table(pa.table({
        "opportunity_id": ["O1", "O2", "O3", "O4"], "rep_id": ["007"] * 4,
        "created_date": pa.array([20454] * 4, pa.date32()), "status": ["open"] * 4,
        "amount": [float("inf"), 1.7e308, 5.0, float("nan")]}), folder / "opportunities.parquet")
    report = validate_folder(folder)
    got = sorted((i.line, i.column, "finite" in i.message, "max_amount" in i.message) for i in report.errors)
    # Parquet rows are 1-based; a stored NaN (not a null) is a value that is not finite
    assert got == [(1, "amount", True, False), (2, "amount", False, True), (4, "amount", True, False)]


def _activities_with(cell_line: int, text: str, rows: int = 3000) -> str:
    """activities.csv of `rows` rows (about 120 KiB), line `cell_line` replaced by `text`."""
    lines = [BASE["activities.csv"][0]] + [f"A{i},007,2026-01-06,call,O1,,15,0" for i in range(1, rows + 1)]
    lines[cell_line - 1] = text
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("line", "text", "column", "value"), [
    (2900, "A2899,0\x0007,2026-01-06,call,O1,,15,0", "rep_id", "0\x0007"),  # far beyond the first 64 KiB
    (2, "A1\x00,007,2026-01-06,call,O1,,15,0", "activity_id", "A1\x00"),
    (2950, "A2949,007,2026-01-06\x00,call,O1,,15,0", "date", "2026-01-06\x00"),  # a typed column
    (2999, 'A2998,007,2026-01-06,call,O1,,15,"\x00"', "miles", "\x00"),
])
def test_nul_bytes_anywhere_are_errors_naming_file_line_and_column(tmp_path, line, text, column, value):
    folder = make(tmp_path, raw={"activities.csv": _activities_with(line, text)})
    assert len((folder / "activities.csv").read_bytes()) > 1 << 16
    report = validate_folder(folder)
    [issue] = report.errors  # one error per cell: the value without its NUL is judged on its own
    assert (issue.file, issue.line, issue.column, issue.value) == ("activities.csv", line, column, value)
    assert "NUL" in issue.message
    assert "activities.csv:%d: column %s: value %r" % (line, column, value) in report.format()
    with pytest.raises(DatasetError):
        load(folder)


def test_nul_byte_and_another_problem_in_one_cell_are_both_named(tmp_path):
    folder = make(tmp_path, raw={"activities.csv": _activities_with(5, "A4,007,soon\x00,call,O1,,15,0", rows=10)})
    report = validate_folder(folder)
    assert sorted((i.line, i.column, "NUL" in i.message) for i in report.errors) == [
        (5, "date", False), (5, "date", True)]


def test_nul_bytes_in_a_column_left_out_are_errors_too(tmp_path):
    folder = make(tmp_path, raw={"reps.csv": "rep_id,name,notes\n007,Ann,ok\n008,Bob,x\x00y\n"})
    [issue] = validate_folder(folder).errors
    assert (issue.file, issue.line, issue.column) == ("reps.csv", 3, "notes")


def test_nul_bytes_in_the_header_mean_a_binary_file(tmp_path):
    [issue] = validate_folder(make(tmp_path, raw={"reps.csv": "rep_id,na\x00me\n007,Ann\n"})).errors
    assert (issue.file, issue.line) == ("reps.csv", 1) and "binary" in issue.message


def test_nul_bytes_in_parquet_text_are_errors(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = make(tmp_path, drop=("reps.csv",))
    pq.write_table(pa.table({"rep_id": ["007", "008"], "name": ["Ann", "B\x00b"]}), folder / "reps.parquet")
    [issue] = validate_folder(folder).errors
    assert (issue.file, issue.line, issue.column, issue.value) == ("reps.parquet", 2, "name", "B\x00b")


@pytest.mark.parametrize(("serial", "day"), [("45231", "2023-11-01"), ("46022", "2025-12-31"), ("45231.5", "2023-11-01")])
def test_excel_serial_date_is_one_clear_error(tmp_path, serial, day):
    # a won deal whose close date is a serial: no second error saying the close date is missing
    folder = make(tmp_path, {"opportunities.csv": {2: f"O1,007,2026-01-05,won,1200,{serial},won,L1"}})
    report = validate_folder(folder)
    [issue] = report.errors
    assert_named(report, issue, "opportunities.csv", 2, "close_date", serial)
    assert "Excel" in issue.message and f"({serial} is {day})" in issue.message
    assert "YYYY-MM-DD" in issue.fix


def test_a_column_of_excel_serials_is_summarised_once(tmp_path):
    lines = BASE["activities.csv"][:1] + [f"A{i},007,{45000 + i},call,,,5," for i in range(1, 41)]
    report = validate_folder(make(tmp_path, raw={"activities.csv": "\n".join(lines) + "\n"}))
    assert {(i.column, "Excel" in i.message) for i in report.errors} == {("date", True)}
    text = report.format()
    assert "activities.csv, column date: 40 rows: is a number, not a date" in text


def test_unparseable_close_date_of_a_closed_deal_is_one_error(tmp_path):
    folder = make(tmp_path, {"opportunities.csv": {2: "O1,007,2026-01-05,won,1200,2026-02-30,won,L1"}})
    [issue] = validate_folder(folder).errors
    assert issue.column == "close_date" and "not a date" in issue.message


def test_open_deal_that_reached_won_is_an_error(tmp_path):
    report = validate_folder(make(tmp_path, {"opportunities.csv": {3: "O2,008,2026-01-10,open,500,,won,"}}))
    [issue] = report.errors
    assert_named(report, issue, "opportunities.csv", 3, "status", "open")
    assert "reached won" in issue.message and "status to won" in issue.fix


def test_reference_that_lost_its_leading_zeros_says_to_keep_ids_as_text(tmp_path):
    # O1 is '0001' in opportunities.csv; the activity writes it '1', as a spreadsheet would after reading a number.
    folder = make(tmp_path, {"opportunities.csv": {2: "0001,007,2026-01-05,won,1200,2026-02-01,won,L1"},
                             "activities.csv": {2: "A1,007,2026-01-06,call,1,,15,0",
                                                3: "A2,007,2026-01-07,visit,0001,,60,22.5"},
                             "leads.csv": {2: "L1,007,2025-12-01,qualified,120,yes,true,"},
                             "stage_history.csv": {2: "0001,qualified,2026-01-05", 3: "0001,won,2026-02-01"}})
    report = validate_folder(folder)
    [issue] = report.warnings
    assert_named(report, issue, "activities.csv", 2, "opportunity_id", "1")
    assert "once leading zeros are restored or stripped (e.g. '1' is '0001' there)" in issue.message
    assert "keep the ids as text" in issue.fix


def test_reference_without_a_zero_twin_keeps_the_plain_message(tmp_path):
    report = validate_folder(make(tmp_path, {"activities.csv": {2: "A1,007,2026-01-06,call,O9,,15,0"}}))
    [issue] = report.warnings
    assert "leading zeros" not in issue.message and issue.fix.startswith("add it to opportunities.csv")
