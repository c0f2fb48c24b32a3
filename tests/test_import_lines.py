"""Import messages name lines a manager can find (as `salesnb validate` does), and what import writes is valid.

Line numbers here are counted by hand: the header is line 1, a value with a line break inside
its quotes takes two lines, a blank line is a line.
"""
from __future__ import annotations

import shutil

import pytest

from salesnb.errors import MappingError
from salesnb.importers import ImportValidationError, import_export
from salesnb.importers.lines import line_records, record_lines
from salesnb.validate import validate_folder

CANONICAL = '''[tables.opportunities]
file = "opportunities.csv"
[tables.opportunities.columns]
opportunity_id = "opportunity_id"
rep_id = "rep_id"
created_date = { column = "created_date", date_format = "ISO" }
close_date = { column = "close_date", date_format = "ISO" }
status = "status"
amount = "amount"
next_step = "next_step"
'''
# Line 1 header; deal 1 spans lines 2-3; line 4 is blank; deal 2 is line 5; deal 3 (bad date) line 6.
OPPS = ("opportunity_id,rep_id,created_date,status,amount,close_date,next_step\n"
        '1,ann,2024-01-01,open,10,,"call back\nafter lunch"\n'
        "\n"
        "2,ann,2024-01-02,won,20,2024-02-02,\n"
        "3,ann,2024-01-03,won,30,2024-13-03,\n")


def test_record_lines_count_line_breaks_in_quotes_and_blank_lines(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text(OPPS)
    assert record_lines(f, "utf-8", ",", [0, 1, 2]) == {0: 2, 1: 5, 2: 6}
    assert line_records(f, "utf-8", ",", [5, 6]) == {5: 1, 6: 2}
    g = tmp_path / "y.tsv"
    g.write_bytes("a\tb\r\n1\t2\r\n\r\n3\t4\r\n".encode("utf-16"))
    assert record_lines(g, "utf-16", "\t", [0, 1]) == {0: 2, 1: 4}


def test_import_and_validate_name_the_same_line(tmp_path):
    src = tmp_path / "export"
    src.mkdir()
    (src / "opportunities.csv").write_text(OPPS)
    (src / "m.toml").write_text(CANONICAL)
    (src / "reps.csv").write_text("rep_id,name\nann,Ann\n")
    report = validate_folder(src)  # the file is already canonical: validate reads it as it is
    [bad] = [i for i in report.errors if i.message == "is not a date."]
    with pytest.raises(MappingError) as info:
        import_export([src / "opportunities.csv"], tmp_path / "ds", src / "m.toml")
    assert bad.line == 6
    assert "'2024-13-03' (1) (line 6)" in str(info.value)
    assert "likely mistyped dates" in str(info.value)


def test_a_dataset_that_would_not_validate_is_not_written(tmp_path):
    # A won deal without a close date converts fine but breaks the data model.
    src = tmp_path / "export"
    src.mkdir()
    (src / "opportunities.csv").write_text(OPPS.replace("2024-13-03", ""))
    (src / "m.toml").write_text(CANONICAL)
    out = tmp_path / "work" / "ds"
    out.parent.mkdir()
    with pytest.raises(ImportValidationError) as info:
        import_export([src / "opportunities.csv"], out, src / "m.toml")
    msg = str(info.value)
    assert "nothing was written" in msg
    # built line 4 (deal 1 is one line once its next step is quoted back) is line 6 of the export
    assert "opportunities.csv line 6 (built opportunities.csv line 4): column close_date" in msg
    assert "a won or lost deal needs a close date" in msg
    assert list(out.parent.iterdir()) == []


def _cli(argv):
    from salesnb.cli import main

    return main(argv)


def test_cli_exit_code_agrees_with_what_was_written(tmp_path, capsys):
    from salesnb.cli import main

    src = tmp_path / "export"
    src.mkdir()
    (src / "m.toml").write_text(CANONICAL)
    (src / "opportunities.csv").write_text(OPPS.replace("2024-13-03", ""))
    out = tmp_path / "bad"
    assert main(["import", "--from", str(src / "m.toml"), "--out", str(out), str(src / "opportunities.csv")]) == 1
    assert not out.exists()
    assert "nothing was written" in capsys.readouterr().err
    # An open deal whose expected close date has passed its created date is a warning: written, exit 0.
    (src / "opportunities.csv").write_text(OPPS.replace("2024-13-03", "2024-02-03").replace(
        "1,ann,2024-01-01,open,10,,", "1,ann,2024-01-01,open,10,2023-12-01,"))
    out = tmp_path / "good"
    assert _cli(["import", "--from", str(src / "m.toml"), "--out", str(out), str(src / "opportunities.csv")]) == 0
    text = capsys.readouterr().out
    assert "Validation: passed" in text and "Warnings" in text
    assert (out / "opportunities.csv").exists()


def test_a_trailing_unnamed_column_is_listed_as_not_imported(tmp_path):
    src = tmp_path / "export"
    src.mkdir()
    (src / "opportunities.csv").write_text(
        "opportunity_id,rep_id,created_date,status,amount,close_date,next_step,Region,,\n"
        "1,ann,2024-01-01,open,10,,,East,,\n"
        "2,ann,2024-01-02,won,20,2024-02-02,,West,x,\n")
    (src / "m.toml").write_text(CANONICAL)
    result = import_export([src / "opportunities.csv"], tmp_path / "ds", src / "m.toml")
    assert result.unused_columns["opportunities.csv"] == [
        "Region", "(unnamed column 9, 1 value(s))", "(unnamed column 10, empty)"]
    assert "Not imported from opportunities.csv: Region, (unnamed column 9, 1 value(s)), (unnamed column 10, empty)" \
        in result.format()


def test_an_unnamed_column_can_be_mapped_by_its_label(tmp_path):
    src = tmp_path / "export"
    src.mkdir()
    (src / "opportunities.csv").write_text(
        "opportunity_id,rep_id,created_date,status,amount,close_date,\n"
        "1,ann,2024-01-01,open,10,,call\n")
    (src / "m.toml").write_text(CANONICAL.replace('next_step = "next_step"', 'next_step = "(unnamed column 7)"'))
    import_export([src / "opportunities.csv"], tmp_path / "ds", src / "m.toml")
    assert (tmp_path / "ds" / "opportunities.csv").read_text().splitlines()[1].endswith(",call")


def test_the_users_files_are_left_untouched(tmp_path):
    src = tmp_path / "export"
    src.mkdir()
    (src / "opportunities.csv").write_text(OPPS.replace("2024-13-03", "2024-02-03"))
    (src / "m.toml").write_text(CANONICAL)
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    import_export([src / "opportunities.csv"], tmp_path / "ds", src / "m.toml")
    assert {p.name: p.read_bytes() for p in src.iterdir()} == before
    shutil.rmtree(tmp_path / "ds")
