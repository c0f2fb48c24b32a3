"""Bad mapping files: the error names the mapping key, the source file and the values; nothing is written."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from salesnb.errors import MappingError
from salesnb.importers import import_export, load_mapping
from salesnb.importers.mapping import PRESET_NAMES

GENERIC = Path(__file__).resolve().parent / "data" / "exports" / "generic"
MAPPING = (GENERIC / "my-crm.toml").read_text()


def run_with(tmp_path, mapping_text: str):
    """Import the generic export with `mapping_text`; return (error, output folder)."""
    src = tmp_path / "src"
    shutil.copytree(GENERIC, src)
    (src / "bad.toml").write_text(mapping_text)
    work = tmp_path / "work"
    work.mkdir()
    out = work / "ds"
    with pytest.raises(MappingError) as info:
        import_export([src / "deals.csv", src / "reps.csv"], out, src / "bad.toml")
    return str(info.value), out


def assert_nothing_written(out: Path) -> None:
    assert not out.exists()
    assert list(out.parent.iterdir()) == []  # no half-built folder either


def test_unknown_column(tmp_path):
    msg, out = run_with(tmp_path, MAPPING.replace('opportunity_id = "Deal"', 'opportunity_id = "Deal ID"'))
    assert "[tables.opportunities.columns.opportunity_id]" in msg
    assert "'Deal ID'" in msg and "deals.csv" in msg
    assert "'Deal'" in msg  # suggests the close match
    assert_nothing_written(out)


def test_unmapped_stage_value(tmp_path):
    text = MAPPING.replace('"Negotiation" = "commit", ', "")
    msg, out = run_with(tmp_path, text)
    assert "[tables.opportunities.columns.furthest_stage.values]" in msg
    assert "deals.csv" in msg
    assert "1 row(s)" in msg and "'Negotiation' (1)" in msg
    assert_nothing_written(out)


def test_unparseable_dates_are_counted_over_every_chunk(tmp_path):
    text = MAPPING.replace('created_date = { column = "Opened", date_format = "M/D/YYYY" }',
                           'created_date = { column = "Opened", date_format = "YYYYMMDD" }')
    text = text.replace("[source]", "[source]\nchunk_rows = 2")  # 5 deals in 3 chunks
    msg, out = run_with(tmp_path, text)
    assert "[tables.opportunities.columns.created_date]" in msg
    assert "deals.csv" in msg and "YYYYMMDD" in msg
    assert "5 row(s)" in msg
    assert "'1/15/2024' (1)" in msg
    assert "and 0 other" not in msg
    assert_nothing_written(out)


def test_several_problems_are_reported_together(tmp_path):
    text = MAPPING.replace('"Negotiation" = "commit", ', "").replace('date_format = "YYYYMMDD"',
                                                                      'date_format = "M/D/YYYY"')
    msg, out = run_with(tmp_path, text)
    assert "(2 problem(s))" in msg
    assert "[tables.opportunities.columns.close_date]" in msg and "'20240301'" in msg
    assert "[tables.opportunities.columns.furthest_stage.values]" in msg
    assert_nothing_written(out)


@pytest.mark.parametrize("old, new, key", [
    ('date_format = "YYYYMMDD"', 'date_format = "MM-DD"', "tables.opportunities.columns.close_date.date_format"),
    ('team = "Team"', 'squad = "Team"', "tables.reps.columns.squad"),
    ('[tables.opportunities]\nfile = "deals.csv"', '[tables.opportunities]\nfile = "deals.csv"\nsheet = 1',
     "tables.opportunities.sheet"),
    ('rep_id = "Owner"\n', "", "tables.opportunities.columns"),
    ('file = "deals.csv"', 'file = "nothing-like-it.csv"', "tables.opportunities"),
])
def test_mapping_mistakes_name_the_key(tmp_path, old, new, key):
    assert old in MAPPING
    msg, out = run_with(tmp_path, MAPPING.replace(old, new))
    assert f"[{key}]" in msg
    assert "bad.toml" in msg
    assert_nothing_written(out)


def test_invalid_toml(tmp_path):
    msg, out = run_with(tmp_path, MAPPING + "\nthis is not toml\n")
    assert "not valid TOML" in msg
    assert_nothing_written(out)


def test_extends_a_preset_and_adds_stage_names(tmp_path):
    (tmp_path / "mine.toml").write_text(
        'extends = "salesforce-api"\n'
        '[tables.opportunities.columns.furthest_stage.values]\n'
        '"Demo Booked" = "meeting"\n')
    m = load_mapping(tmp_path / "mine.toml")
    values = dict(m.tables["opportunities"].columns["furthest_stage"][0].values)
    assert values["Demo Booked"] == "meeting"
    assert values["Closed Won"] == "won"  # the preset's own entries are kept


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_presets_load(name):
    m = load_mapping(name)
    assert "opportunities" in m.tables
