"""Parsing export values: dates, numbers, yes/no, names, encodings and delimiters."""
from __future__ import annotations

import pandas as pd

from salesnb.importers.parse import (
    detect_date_format, detect_delimiter, detect_encoding, name_to_id, null_mask, parse_bools, parse_dates,
    parse_numbers, read_header,
)


def s(*values):
    return pd.Series(list(values), dtype="str")


def iso(dates: pd.Series) -> list:
    return [None if pd.isna(d) else d.strftime("%Y-%m-%d") for d in dates]


def test_dates_in_each_named_format():
    cases = {
        "ISO": (s("2024-01-22", "2024-01-22T16:14:25.000+0000", "2024-01-06T23:59:59.000-0800", "2024-03-01 10:00"),
                ["2024-01-22", "2024-01-22", "2024-01-06", "2024-03-01"]),
        "M/D/YYYY": (s("1/5/2024", "12/31/2023", "02/29/2024 3:15 PM"), ["2024-01-05", "2023-12-31", "2024-02-29"]),
        "D/M/YYYY": (s("5/1/2024", "31/12/2023"), ["2024-01-05", "2023-12-31"]),
        "YYYYMMDD": (s("20240105", "20231231.0"), ["2024-01-05", "2023-12-31"]),
        "%d-%b-%Y": (s("05-Jan-2024"), ["2024-01-05"]),
    }
    for fmt, (values, expected) in cases.items():
        dates, bad = parse_dates(values, fmt)
        assert iso(dates) == expected, fmt
        assert not bad.any(), fmt


def test_bad_dates_are_flagged_not_guessed():
    dates, bad = parse_dates(s("13/31/2024", "2/30/2024", "1/5/2024"), "M/D/YYYY")
    assert bad.tolist() == [True, True, False]
    assert iso(dates)[2] == "2024-01-05"


def test_auto_detection_tries_iso_then_us_then_european():
    assert detect_date_format(s("2024-01-05", "2024-12-31")) == "ISO"
    assert detect_date_format(s("1/5/2024", "12/31/2024")) == "M/D/YYYY"
    assert detect_date_format(s("1/5/2024", "31/12/2024")) == "D/M/YYYY"
    assert detect_date_format(s("20240105")) == "YYYYMMDD"
    assert detect_date_format(s("next week")) is None


def test_numbers_with_currency_thousands_and_spaces():
    values, bad = parse_numbers(s("$1,234.00", " 1 234 ", "USD 12", "(12.5)", "0", "-3.25", "\u00a05\u00a0000 €", "abc"))
    assert values.tolist()[:7] == [1234.0, 1234.0, 12.0, -12.5, 0.0, -3.25, 5000.0]
    assert bad.tolist() == [False] * 7 + [True]


def test_numbers_with_decimal_comma():
    values, bad = parse_numbers(s("1.234,50 €", "12,5"), decimal=",")
    assert values.tolist() == [1234.5, 12.5]
    assert not bad.any()


def test_yes_no_words():
    values, bad = parse_bools(s("1", "true", "Yes", "0", "FALSE", "n", "maybe"))
    assert values.tolist()[:6] == [True, True, True, False, False, False]
    assert bad.tolist() == [False] * 6 + [True]


def test_null_markers_trimmed_and_case_insensitive():
    mask = null_mask(s("", " Select ", "n/a", "N/A", "Selected", "0"), ("", "Select", "N/A"))
    assert mask.tolist() == [True, True, True, True, False, False]


def test_names_give_stable_ids():
    ids = name_to_id(s("Ann Lee", " ann lee", "ANN  LEE ", "Zoë O'Brien", "Bob Stone"))
    assert ids.tolist() == ["ann-lee", "ann-lee", "ann-lee", "zoë-o-brien", "bob-stone"]


def test_encodings_and_delimiters(tmp_path):
    text = "Record ID\tDeal owner\n1\tAnn\n"
    (tmp_path / "u16.tsv").write_bytes(text.encode("utf-16"))
    (tmp_path / "bom.csv").write_bytes("\ufeffId,OwnerId\n1,2\n".encode("utf-8"))
    (tmp_path / "plain.csv").write_text("a;b\n1;2\n")
    assert detect_encoding(tmp_path / "u16.tsv") == "utf-16"
    assert detect_encoding(tmp_path / "bom.csv") == "utf-8-sig"
    assert detect_encoding(tmp_path / "plain.csv") == "utf-8"
    assert detect_delimiter("Record ID\tDeal owner\tAmount") == "\t"
    assert detect_delimiter("a;b;c") == ";"
    assert detect_delimiter('"Opportunity Owner","Amount, USD"') == ","
    assert read_header(tmp_path / "u16.tsv", "utf-16", "\t") == ["Record ID", "Deal owner"]
    assert read_header(tmp_path / "bom.csv", "utf-8-sig", ",") == ["Id", "OwnerId"]
