"""Periods: specs, fiscal years, to-date periods and the default as-of date."""
from __future__ import annotations

import pandas as pd
import pytest

from salesnb import Dataset, DatasetMeta
from salesnb.errors import ConfigError
from salesnb.periods import (Period, default_as_of, default_period, parse_iso_date, parse_period_spec,
                             resolve_period)

T = pd.Timestamp


@pytest.mark.parametrize(
    ("spec", "fy", "start", "end"),
    [
        ("2026", 1, "2026-01-01", "2026-12-31"),
        ("2026", 4, "2026-04-01", "2027-03-31"),  # fiscal year named by the year it starts in
        ("2026-Q2", 1, "2026-04-01", "2026-06-30"),
        ("2026-Q2", 4, "2026-07-01", "2026-09-30"),  # Q1 = Apr..Jun, so Q2 = Jul..Sep
        ("2026-Q4", 11, "2027-08-01", "2027-10-31"),  # FY2026 starts Nov 2026; Q4 = 9..11 months later
        ("2026-02", 1, "2026-02-01", "2026-02-28"),
        ("2024-02", 1, "2024-02-01", "2024-02-29"),  # leap year
        ("2026-01-15..2026-02-14", 1, "2026-01-15", "2026-02-14"),
    ],
)
def test_resolve_explicit_periods(spec, fy, start, end):
    p = resolve_period(spec, "2026-05-15", fy)
    assert (p.start, p.end) == (T(start), T(end))


def test_to_date_periods_end_at_as_of():
    as_of = "2026-05-15"
    assert resolve_period("ytd", as_of) == Period(T("2026-01-01"), T("2026-05-15"), "YTD 2026-05-15")
    assert resolve_period("qtd", as_of).start == T("2026-04-01")
    assert resolve_period("mtd", as_of).start == T("2026-05-01")
    # fiscal year from February: May is in fiscal Q2 (Feb-Apr = Q1, May-Jul = Q2)
    assert resolve_period("qtd", as_of, 2).start == T("2026-05-01")
    assert resolve_period("ytd", "2026-01-10", 2).start == T("2025-02-01")


def test_none_is_the_fiscal_year_of_as_of():
    assert resolve_period(None, "2026-02-10", 4) == Period(T("2025-04-01"), T("2026-03-31"), "FY2025")


@pytest.mark.parametrize("bad", ["2026-13", "Q2", "last year", "2026-06-30..2026-01-01", "2026-01-01..soon", 2026])
def test_bad_specs_raise_config_error(bad):
    with pytest.raises(ConfigError, match="2026-Q2"):
        resolve_period(bad, "2026-05-15")


def test_elapsed_and_remaining_days():
    p = resolve_period("2026-Q1", "2026-02-10")  # Jan 31 + Feb 28 + Mar 31 = 90 days
    assert p.days == 90
    assert p.elapsed_days("2026-02-10") == 41  # 31 in Jan + 10 in Feb
    assert p.remaining_days("2026-02-10") == 49
    assert p.elapsed_days("2025-12-31") == 0
    assert p.elapsed_days("2026-06-01") == 90
    assert p.elapsed_fraction("2026-02-10") == pytest.approx(41 / 90)


def test_zero_length_period_has_no_days():
    p = Period(T("2026-03-10"), T("2026-03-09"), "empty")
    assert p.days == 0 and p.elapsed_days("2026-03-20") == 0
    assert pd.isna(p.elapsed_fraction("2026-03-20"))


def _ds(meta=None):
    return Dataset.from_frames(
        meta=meta,
        reps=[{"rep_id": "a", "name": "A"}],
        opportunities=[
            {"opportunity_id": "1", "rep_id": "a", "created_date": "2026-01-01", "status": "won", "amount": 1,
             "close_date": "2026-03-01"},
            # an open deal's expected close date lies ahead: it is not a date the data has reached
            {"opportunity_id": "2", "rep_id": "a", "created_date": "2026-02-01", "status": "open", "amount": 1,
             "close_date": "2026-12-01"},
        ],
        activities=[{"activity_id": "x", "rep_id": "a", "date": "2026-03-05", "type": "call"}],
    )


def test_default_as_of_is_the_latest_date_in_the_data():
    assert default_as_of(_ds()) == T("2026-03-05")


def test_default_as_of_prefers_meta():
    ds = _ds(DatasetMeta(as_of="2026-06-30", default_period="2026-Q2"))
    assert default_as_of(ds) == T("2026-06-30")
    assert default_period(ds) == Period(T("2026-04-01"), T("2026-06-30"), "2026-Q2")


# ---- user-given dates and period specs: one parser each, messages naming where the value came from


@pytest.mark.parametrize(("text", "expected"), [("2026-11-15", "2026-11-15"), (" 2024-02-29 ", "2024-02-29"),
                                                ("1999-01-01", "1999-01-01")])
def test_parse_iso_date_accepts_iso_days(text, expected):
    assert parse_iso_date(text, "--as-of") == T(expected)


def test_parse_iso_date_accepts_a_toml_date():
    import datetime as dt

    assert parse_iso_date(dt.date(2026, 11, 15), "dataset.toml as_of") == T("2026-11-15")


@pytest.mark.parametrize("bad", ["2026-02-30", "2026-13-45", "2025-02-29", "next tuesday", "03/04/2026", "2026",
                                 "2026-1-5", "20260115", "2026-01-15T10:00:00", "2026-01-15 10:00", "", "9999-12-31",
                                 "0001-01-01", 2026, None, 20260115.0])
def test_parse_iso_date_rejects_everything_else(bad):
    with pytest.raises(ConfigError) as info:
        parse_iso_date(bad, "dataset.toml as_of")
    message = str(info.value)
    assert message.startswith("dataset.toml as_of: ")
    assert repr(bad) in message
    assert "use an ISO date YYYY-MM-DD, e.g. 2026-11-15" in message


def test_impossible_days_say_why():
    with pytest.raises(ConfigError, match="day is out of range for month"):
        parse_iso_date("2026-02-30", "--as-of")


@pytest.mark.parametrize("spec", ["2026", "2026-Q2", "2026q2", "2026-03", "ytd", "QTD", "mtd", " 2026 ",
                                  "2026-01-01..2026-06-30"])
def test_parse_period_spec_accepts_the_grammar(spec):
    assert parse_period_spec(spec, "--period") == spec.strip()


@pytest.mark.parametrize("bad", ["banana", "2026-13", "Q2", "", "2026-06-30..2026-01-01", "2026-01-01..soon",
                                 "01/01/2026..2026-06-30", "2026-02-30..2026-03-31", 2026, None])
def test_parse_period_spec_rejects_with_the_accepted_forms(bad):
    with pytest.raises(ConfigError) as info:
        parse_period_spec(bad, "dataset.toml default_period")
    message = str(info.value)
    assert message.startswith(f"dataset.toml default_period {bad!r}")
    for form in ('"2026"', '"2026-Q2"', '"2026-03"', '"ytd"', '"qtd"', '"mtd"', '"2026-01-01..2026-06-30"'):
        assert form in message


@pytest.mark.parametrize("bad", ["03/04/2026", "2026", "next tuesday", "2026-02-30"])
def test_as_of_text_given_to_the_engine_must_be_iso(bad):
    with pytest.raises(ConfigError, match="as_of: .*use an ISO date YYYY-MM-DD"):
        resolve_period("2026", bad)
    with pytest.raises(ConfigError, match="as_of"):
        default_period(_ds(), as_of=bad)


def test_a_to_date_view_ends_on_the_report_date_and_is_never_over():
    as_of = T("2026-05-15")
    for spec, whole in (("ytd", "year"), ("QTD", "quarter"), ("mtd", "month")):
        p = resolve_period(spec, as_of)
        assert p.end == as_of and p.to_date == whole and not p.over(as_of)
    year = resolve_period("2026", as_of)
    assert not year.to_date and not year.over(as_of) and year.over("2026-12-31") and year.over("2027-01-02")
