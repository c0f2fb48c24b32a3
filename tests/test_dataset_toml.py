"""dataset.toml: every setting checked, every problem reported at once with its line, value and fix."""
from __future__ import annotations

import shutil

import pytest

from salesnb.dataset_toml import DEFAULT_MAX_AMOUNT, DatasetMeta, IdealCustomerProfile, read_settings
from salesnb.errors import ConfigError
from salesnb.load import load, meta_to_toml
from salesnb.validate import validate_folder

EIGHT_BAD = """\
name = ""
currency = "dollars"
fiscal_year_start_month = 13
default_period = "banana"
as_of = "2026-13-45"
max_amount = -1

[icp]
min_company_size = -5
require_need = "yes"
"""
# (setting, line, value as written, words of the message) for EIGHT_BAD, worked out by hand
EIGHT_EXPECTED = [
    ("name", 1, "", "must be text"),
    ("currency", 2, "dollars", "three-letter ISO 4217"),
    ("fiscal_year_start_month", 3, "13", "1 (January) to 12"),
    ("default_period", 4, "banana", "not understood"),
    ("as_of", 5, "2026-13-45", "not a real date"),
    ("max_amount", 6, "-1", "greater than 0"),
    ("icp.min_company_size", 9, "-5", "cannot be negative"),
    ("icp.require_need", 10, "yes", "true or false"),
]


@pytest.fixture
def folder(tmp_path):
    out = tmp_path / "ds"
    out.mkdir()
    (out / "reps.csv").write_text("rep_id,name\nr1,Ann\n")
    (out / "opportunities.csv").write_text(
        "opportunity_id,rep_id,created_date,status,amount,close_date\no1,r1,2026-01-05,won,100,2026-02-01\n")
    return out


def test_eight_bad_settings_are_eight_errors_naming_setting_line_value_and_fix(folder):
    (folder / "dataset.toml").write_text(EIGHT_BAD)
    report = validate_folder(folder)
    got = [(i.column, i.line, i.value) for i in report.errors]
    assert got == [(s, line, v) for s, line, v, _ in EIGHT_EXPECTED]
    text = report.format()
    for (setting, line, value, words), issue in zip(EIGHT_EXPECTED, report.errors):
        assert issue.file == "dataset.toml" and words in issue.message and issue.fix
        assert f"dataset.toml:{line}: setting {setting}: value {value!r}: " in text
    assert text.count("Fix:") == 8


def test_from_toml_raises_every_problem_at_once(folder):
    path = folder / "dataset.toml"
    path.write_text(EIGHT_BAD)
    with pytest.raises(ConfigError) as info:
        DatasetMeta.from_toml(path)
    message = str(info.value)
    assert message.startswith(f"{path}: 8 problems:")
    for setting, line, value, _ in EIGHT_EXPECTED:
        assert f"{path}:{line}: setting {setting}: value {value!r}:" in message


def test_score_names_dataset_toml_instead_of_failing_later(folder):
    (folder / "dataset.toml").write_text('default_period = "banana"\n')
    from salesnb.errors import DatasetError

    with pytest.raises(DatasetError, match=r"dataset.toml:1: setting default_period: value 'banana'"):
        load(folder)


@pytest.mark.parametrize(("toml", "setting", "value", "words"), [
    ("colour = 'blue'", "colour", "blue", "not a setting"),
    ("as-of = 2026-11-15", "as-of", "2026-11-15", "did you mean as_of"),
    ("[icp]\nmin_size = 5", "icp.min_size", "5", "did you mean min_company_size"),
    ("icp = 5", "icp", "5", "section"),
    ("name = 5", "name", "5", "text"),
    ("currency = 'usd'", "currency", "usd", 'currency = "USD"'),
    ("currency = 'US$'", "currency", "US$", "ISO 4217"),
    ("currency = 840", "currency", "840", "ISO 4217"),
    ("fiscal_year_start_month = 0", "fiscal_year_start_month", "0", "1 (January)"),
    ("fiscal_year_start_month = 'april'", "fiscal_year_start_month", "april", "= 4 for April"),
    ("fiscal_year_start_month = true", "fiscal_year_start_month", "true", "month number"),
    ("fiscal_year_start_month = 4.5", "fiscal_year_start_month", "4.5", "month number"),
    ("default_period = 2026", "default_period", "2026", 'default_period = "2026"'),
    ("default_period = '2026-13'", "default_period", "2026-13", "01..12"),
    ("default_period = '2026-06-30..2026-01-01'", "default_period", "2026-06-30..2026-01-01", "ends before"),
    ("as_of = '2026-02-30'", "as_of", "2026-02-30", "day is out of range"),
    ("as_of = '03/04/2026'", "as_of", "03/04/2026", "YYYY-MM-DD"),
    ("as_of = 'next tuesday'", "as_of", "next tuesday", "YYYY-MM-DD"),
    ("as_of = 2026", "as_of", "2026", "YYYY-MM-DD"),
    ("as_of = 2026-11-15T10:00:00", "as_of", "2026-11-15T10:00:00", "YYYY-MM-DD"),
    ("max_amount = 'lots'", "max_amount", "lots", "number"),
    ("max_amount = inf", "max_amount", "inf", "finite"),
    ("max_amount = nan", "max_amount", "nan", "finite"),
    ("max_amount = 0", "max_amount", "0", "greater than 0"),
    ("[icp]\nmin_company_size = 'big'", "icp.min_company_size", "big", "number"),
    ("[icp]\nmin_company_size = -inf", "icp.min_company_size", "-inf", "finite"),
    ("[icp]\nrequire_decision_maker = 1", "icp.require_decision_maker", "1", "true or false"),
])
def test_each_bad_setting_is_named_with_its_value(folder, toml, setting, value, words):
    (folder / "dataset.toml").write_text(toml + "\n")
    report = validate_folder(folder)
    [issue] = report.errors
    assert (issue.file, issue.line, issue.column, issue.value) == ("dataset.toml", toml.count("\n") + 1, setting, value)
    assert words in issue.message + " " + issue.fix, issue


def test_toml_syntax_error_gives_the_line_and_says_fix_once(folder):
    (folder / "dataset.toml").write_text('name = "x"\n\ncurrency = \n')
    report = validate_folder(folder)
    [issue] = report.errors
    assert issue.line == 3 and "not valid TOML" in issue.message
    assert report.format().count("Fix") == 1
    assert "dataset.toml:3: is not valid TOML" in report.format()


def test_dataset_toml_that_is_not_utf8_names_the_line(folder):
    (folder / "dataset.toml").write_bytes('name = "ok"\nname2 = "Caf\xe9"\n'.encode("latin-1"))
    [issue] = validate_folder(folder).errors
    assert issue.line == 2 and "UTF-8" in issue.message


def test_good_settings_are_read(folder):
    (folder / "dataset.toml").write_text(
        'name = "EMEA"\ncurrency = "EUR"\nfiscal_year_start_month = 4\ndefault_period = " 2026-Q2 "\n'
        "as_of = 2026-06-30\nmax_amount = 5_000_000\n\n[icp]\nmin_company_size = 0\nrequire_need = false\n")
    meta, problems = read_settings(folder / "dataset.toml")
    assert problems == []
    assert meta == DatasetMeta(name="EMEA", currency="EUR", fiscal_year_start_month=4, default_period="2026-Q2",
                               as_of="2026-06-30", max_amount=5e6,
                               icp=IdealCustomerProfile(min_company_size=0, require_need=False))
    assert meta.amount_limit == 5e6
    assert DatasetMeta().amount_limit == DEFAULT_MAX_AMOUNT == 1e12


def test_bad_settings_fall_back_to_defaults_and_the_tables_are_still_checked(folder):
    (folder / "dataset.toml").write_text('currency = "x"\nname = "Kept"\n')
    (folder / "reps.csv").write_text("rep_id,name\nr1,Ann\nr1,Bob\n")
    meta, problems = read_settings(folder / "dataset.toml")
    assert meta.currency == "USD" and meta.name == "Kept" and len(problems) == 1
    report = validate_folder(folder)
    assert {i.file for i in report.errors} == {"dataset.toml", "reps.csv"}


@pytest.mark.parametrize("meta", [DatasetMeta(), DatasetMeta(name='Q "quoted"', currency="GBP", as_of="2026-01-31",
                                                             default_period="ytd", max_amount=2.5e9)])
def test_written_settings_read_back_the_same(tmp_path, meta):
    path = tmp_path / "dataset.toml"
    path.write_text(meta_to_toml(meta))
    assert read_settings(path) == (meta, [])


def test_the_sample_settings_are_clean(sample_dir, tmp_path):
    shutil.copy(sample_dir / "dataset.toml", tmp_path / "dataset.toml")
    assert read_settings(tmp_path / "dataset.toml")[1] == []
