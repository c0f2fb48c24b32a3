"""Values as CRMs write them: defaults beside a value map, dates with times and spaces, amounts, currencies.

Fixtures under tests/data/exports/ are small copies of the shapes of public exports: `marketing_funnel/` (leads
and the deals closed from some of them, won dates as `2018-02-26 19:58:54`) and `spaced_dates/` (dates as
`15 Apr, 2021 00:02:00`). Expectations are worked out by hand from their few rows.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from salesnb.errors import MappingError
from salesnb.importers import import_export
from salesnb.importers.dates import parse_dates
from salesnb.load import load

EXPORTS = Path(__file__).resolve().parent / "data" / "exports"
FUNNEL = EXPORTS / "marketing_funnel"
SPACED = EXPORTS / "spaced_dates"


def raw(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def copy_with(tmp_path: Path, folder: Path, old: str = "", new: str = "") -> Path:
    """A copy of a fixture folder whose mapping has `old` replaced by `new`."""
    src = tmp_path / "export"
    shutil.copytree(folder, src)
    text = (src / "mapping.toml").read_text()
    assert old in text
    (src / "mapping.toml").write_text(text.replace(old, new))
    return src


def run(src: Path, files: list[str], out: Path):
    return import_export([src / f for f in files], out, src / "mapping.toml")


def quoted_and_fix(message: str, key: str) -> tuple[list[str], str]:
    """The values a mapping error quotes for `key`, and the date format its fix suggests."""
    line = next(ln for ln in message.splitlines() if f"[{key}]" in ln)
    shown = line.split(": ", 1)[1].split(". Fix: ")[0]
    values = re.findall(r"'([^']*)' \(\d+\)", shown)
    fmt = re.search(r'date_format = "([^"]+)"', line.split(". Fix: ")[1]).group(1)
    return values, fmt


# --------------------------------------------------------------------------------------
# A default beside a value map with "*"


def test_the_default_is_written_as_it_is_not_through_the_value_map(tmp_path):
    result = run(FUNNEL, ["mqls.csv", "closed_deals.csv"], tmp_path / "ds")
    leads = raw(tmp_path / "ds" / "leads.csv")
    became_deals = set(raw(FUNNEL / "closed_deals.csv")["mql_id"])
    expected = {m: "qualified" if m in became_deals else "open" for m in raw(FUNNEL / "mqls.csv")["mql_id"]}
    assert dict(zip(leads["lead_id"], leads["status"])) == expected
    # 10 leads, 4 of them closed deals: the 6 others took the default, and the summary says so.
    assert list(expected.values()).count("open") == 6
    assert result.tables["leads"].fills["status"] == {"from the default 'open' (where no source gave a value)": 6}
    assert "6 row(s) from the default 'open'" in result.format()


def test_a_default_that_is_not_a_value_of_the_column_is_refused_before_reading(tmp_path):
    src = copy_with(tmp_path, FUNNEL, 'default = "open"', 'default = "New"')
    with pytest.raises(MappingError) as info:
        run(src, ["mqls.csv", "closed_deals.csv"], tmp_path / "ds")
    assert "[tables.leads.columns.status.default]" in str(info.value)
    assert "'open', 'qualified', 'disqualified'" in str(info.value)
    assert not (tmp_path / "ds").exists()


# --------------------------------------------------------------------------------------
# Dates with a time of day, with spaces, and what the error suggests


def test_dashed_dates_with_a_time_read_with_a_format_that_has_the_time(tmp_path):
    run(FUNNEL, ["mqls.csv", "closed_deals.csv"], tmp_path / "ds")  # close_date: "%Y-%m-%d %H:%M:%S"
    deals = raw(tmp_path / "ds" / "opportunities.csv")
    won = raw(FUNNEL / "closed_deals.csv")
    assert deals["close_date"].tolist() == [w[:10] for w in won["won_date"]]


@pytest.mark.parametrize("value, fmt, day", [
    ("2018-02-26 14:32", "%Y-%m-%d %H:%M", "2018-02-26"),
    ("2018-02-26 14:32", "YYYY-MM-DD HH:mm", "2018-02-26"),
    ("2018-02-26 14:32", "YYYY-MM-DD HH:MM", "2018-02-26"),  # MM after an hour is the minutes
    ("2018-02-26 14:32", "ISO", "2018-02-26"),
    ("26.02.2018 14:32", "D.M.YYYY", "2018-02-26"),
    ("26.02.2018 14:32", "DD.MM.YYYY HH:mm", "2018-02-26"),
    ("02/26/2018 02:32 PM", "M/D/YYYY", "2018-02-26"),
    ("02/26/2018 02:32 PM", "MM/DD/YYYY hh:mm A", "2018-02-26"),
    ("2/6/2018 11:59:59 pm", "%m/%d/%Y %I:%M:%S %p", "2018-02-06"),
    ("2018-02-26T23:32:00Z", "ISO", "2018-02-26"),
    ("2018-02-26T23:32:00-08:00", "ISO", "2018-02-26"),  # the date as written, not converted
    ("2018-02-26T23:32:00+0100", "%Y-%m-%dT%H:%M:%S%z", "2018-02-26"),
    ("15 Apr, 2021 00:02:00", "%d %b, %Y %H:%M:%S", "2021-04-15"),
    ("15 Apr, 2021 00:02:00", "%d %b, %Y", "2021-04-15"),
    ("15 Apr, 2021 00:02:00", "D MMM, YYYY HH:mm:ss", "2021-04-15"),
    ("43157", "EXCEL", "2018-02-26"),
    ("43157.6", "EXCEL", "2018-02-26"),
    ("1519603200", "UNIX", "2018-02-26"),
    ("1519603200000", "UNIX_MS", "2018-02-26"),
])
def test_date_conventions(value, fmt, day):
    dates, bad = parse_dates(pd.Series([value], dtype="str"), fmt)
    assert not bad.any()
    assert dates.iloc[0].strftime("%Y-%m-%d") == day


@pytest.mark.parametrize("value, fmt", [
    ("2018-02-26", "%Y-%m-%d %H:%M"),          # the format asks for a time the value does not have
    ("2018-02-26 14:32", "%Y-%m-%d %H:%M:%S"),  # nor seconds
    ("26/02/2018", "M/D/YYYY"),
    ("12345", "EXCEL"),                        # an Excel day number before 1970 is more likely not a date
    ("0", "UNIX"),
])
def test_values_that_do_not_fit_the_format_are_not_read(value, fmt):
    _, bad = parse_dates(pd.Series([value], dtype="str"), fmt)
    assert bad.all()


def test_dates_with_spaces_import(tmp_path):
    run(SPACED, ["deals.csv"], tmp_path / "ds")
    deals = raw(tmp_path / "ds" / "opportunities.csv")
    assert deals["created_date"].tolist() == ["2021-04-15", "2021-05-02", "2021-06-19", "2021-07-01", "2021-08-31"]
    assert deals["close_date"].tolist() == ["2021-04-30", "2021-05-28", "2021-09-30", "2021-07-22", ""]


def test_dates_with_spaces_are_detected_by_auto_and_the_summary_says_how(tmp_path):
    src = copy_with(tmp_path, SPACED, 'date_format = "%d %b, %Y %H:%M:%S"', 'date_format = "auto"')
    result = run(src, ["deals.csv"], tmp_path / "ds")
    assert raw(tmp_path / "ds" / "opportunities.csv")["created_date"].iloc[0] == "2021-04-15"
    assert "'Created Time' dates read as %d %b, %Y (detected)" in result.format()


@pytest.mark.parametrize("folder, files, old, new, key", [
    (SPACED, ["deals.csv"], '"%d %b, %Y %H:%M:%S"', '"%d/%m/%Y"', "tables.opportunities.columns.created_date"),
    (SPACED, ["deals.csv"], '"%d %b, %Y %H:%M:%S"', '"ISO"', "tables.opportunities.columns.created_date"),
    (FUNNEL, ["mqls.csv", "closed_deals.csv"], '"%Y-%m-%d %H:%M:%S"', '"%d/%m/%Y %H:%M"',
     "tables.opportunities.columns.close_date"),
    (FUNNEL, ["mqls.csv", "closed_deals.csv"], '"%Y-%m-%d %H:%M:%S"', '"M/D/YYYY"',
     "tables.opportunities.columns.close_date"),
])
def test_the_suggested_format_reads_the_values_the_error_quotes(tmp_path, folder, files, old, new, key):
    src = copy_with(tmp_path, folder, old, new)
    with pytest.raises(MappingError) as info:
        run(src, files, tmp_path / "ds")
    values, fmt = quoted_and_fix(str(info.value), key)
    assert len(values) >= 4
    _, bad = parse_dates(pd.Series(values, dtype="str"), fmt)
    assert not bad.any(), (fmt, values)
    # and writing it in the mapping makes the import work
    mapping = (src / "mapping.toml").read_text().replace(new, f'"{fmt}"')
    (src / "mapping.toml").write_text(mapping)
    run(src, files, tmp_path / "ds")


def test_excel_day_numbers_are_suggested_not_guessed(tmp_path):
    src = copy_with(tmp_path, FUNNEL, 'close_date = { column = "won_date", date_format = "%Y-%m-%d %H:%M:%S" }',
                    'close_date = "won_date"')
    deals = raw(src / "closed_deals.csv")
    deals["won_date"] = ["43157.83", "43228.85", "43256.73", "43117.58"]  # the same days as Excel writes them
    deals.to_csv(src / "closed_deals.csv", index=False)
    with pytest.raises(MappingError) as info:
        run(src, ["mqls.csv", "closed_deals.csv"], tmp_path / "ds")
    values, fmt = quoted_and_fix(str(info.value), "tables.opportunities.columns.close_date")
    assert fmt == "EXCEL"
    (src / "mapping.toml").write_text((src / "mapping.toml").read_text().replace(
        'close_date = "won_date"', 'close_date = { column = "won_date", date_format = "EXCEL" }'))
    run(src, ["mqls.csv", "closed_deals.csv"], tmp_path / "ds")
    written = raw(tmp_path / "ds" / "opportunities.csv")["close_date"].tolist()
    assert written == ["2018-02-26", "2018-05-08", "2018-06-05", "2018-01-17"]  # won_date of the fixture


def test_a_column_that_mixes_two_formats_is_named_as_such(tmp_path):
    src = copy_with(tmp_path, SPACED, '"%d %b, %Y %H:%M:%S"', '"auto"')
    deals = raw(src / "deals.csv")
    deals.loc[1, "Created Time"] = "2021-05-02"
    deals.to_csv(src / "deals.csv", index=False)
    with pytest.raises(MappingError) as info:
        run(src, ["deals.csv"], tmp_path / "ds")
    msg = str(info.value)
    assert "'2021-05-02' (1) (line 3)" in msg
    assert "mixes two formats" in msg and "%d %b, %Y" in msg and "ISO" in msg


@pytest.mark.parametrize("fmt, fix", [
    ("DD.MM.YYY", "unknown date format"),
    ("%d.%m.%Q", "%Q is not a strptime directive"),
])
def test_date_formats_are_checked_before_reading(tmp_path, fmt, fix):
    src = copy_with(tmp_path, SPACED, '"%d %b, %Y"', f'"{fmt}"')
    with pytest.raises(MappingError) as info:
        run(src, ["deals.csv"], tmp_path / "ds")
    assert "[tables.opportunities.columns.close_date.date_format]" in str(info.value)
    assert fix in str(info.value)


# --------------------------------------------------------------------------------------
# Amounts: sign rules said in the summary, the currency from the mapping


SIGNED = ("Id,Owner,Created,Closed,Status,Amount\n"
          "1,ann,2024-01-01,2024-02-01,won,\"€1.200,00\"\n"
          "2,ann,2024-01-02,2024-02-02,won,\"-€40,00\"\n"         # a refund
          "3,bob,2024-01-03,2024-02-03,won,\"(€25,50)\"\n")       # an accountant's negative
OPPS = '''[tables.opportunities]
file = "deals.csv"
[source]
decimal = ","
[tables.opportunities.columns]
opportunity_id = "Id"
rep_id = "Owner"
created_date = "Created"
close_date = "Closed"
status = "Status"
'''


def import_text(tmp_path: Path, deals: str, mapping: str):
    src = tmp_path / "export"
    src.mkdir()
    (src / "deals.csv").write_text(deals)
    (src / "mapping.toml").write_text(mapping)
    return run(src, ["deals.csv"], tmp_path / "ds")


def test_sign_abs_is_said_in_the_summary(tmp_path):
    result = import_text(tmp_path, SIGNED, OPPS + 'amount = { column = "Amount", sign = "abs" }\n')
    assert raw(tmp_path / "ds" / "opportunities.csv")["amount"].tolist() == ["1200", "40", "25.5"]
    assert '2 row(s) made positive (sign = "abs")' in result.format()


def test_sign_drop_is_said_in_the_summary(tmp_path):
    result = import_text(tmp_path, SIGNED, OPPS + 'amount = { column = "Amount", sign = "drop" }\n')
    assert raw(tmp_path / "ds" / "opportunities.csv")["opportunity_id"].tolist() == ["1"]
    assert 'Dropped:\n  opportunities: 2 row(s) of deals.csv dropped: amount below 0 (sign = "drop") (lines 3, 4)' \
        in result.format()


def test_the_docs_quote_the_summary_of_the_sign_rules_as_it_is_printed():
    docs = (Path(__file__).resolve().parents[1] / "docs" / "importing.md").read_text()
    assert '`2 row(s) made positive (sign = "abs")`' in docs
    assert '`2 row(s) of deals.csv dropped: amount below 0 (sign = "drop") (lines 3, 4)`' in docs


def test_negative_amounts_stop_the_import_and_the_fix_agrees_with_the_docs(tmp_path):
    with pytest.raises(MappingError) as info:
        import_text(tmp_path, SIGNED, OPPS + 'amount = "Amount"\n')
    fix = str(info.value).split("Fix: ")[1]
    assert 'credit notes or refunds' in fix and 'sign = "drop"' in fix.split("credit notes or refunds")[1][:80]
    assert 'sign = "abs"' in fix
    assert not (tmp_path / "ds").exists()


def test_the_currency_is_set_in_the_mapping(tmp_path):
    result = import_text(tmp_path, SIGNED, 'currency = "EUR"\n' + OPPS + 'amount = { column = "Amount", sign = "drop" }\n')
    assert 'currency = "EUR"' in (tmp_path / "ds" / "dataset.toml").read_text()
    assert load(tmp_path / "ds").meta.currency == "EUR"
    assert 'dataset.toml: currency = "EUR" (from the mapping).' in result.format()
    assert "amounts are written with" not in result.format()  # they agree with the mapping


def test_amounts_in_another_currency_than_the_dataset_are_noted(tmp_path):
    result = import_text(tmp_path, SIGNED, OPPS + 'amount = { column = "Amount", sign = "drop" }\n')
    assert not (tmp_path / "ds" / "dataset.toml").exists()
    assert "amounts are written with '€'" in result.format()
    assert 'set currency = "EUR" at the top of the mapping' in result.format()


def test_a_currency_that_is_not_a_code_is_refused(tmp_path):
    with pytest.raises(MappingError) as info:
        import_text(tmp_path, SIGNED, 'currency = "eur"\n' + OPPS + 'amount = "Amount"\n')
    assert "[currency]" in str(info.value) and 'currency = "EUR"' in str(info.value)


# --------------------------------------------------------------------------------------
# Round trips: a date or an amount written in a random supported convention reads back as itself


from datetime import datetime, timedelta  # noqa: E402

from hypothesis import assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from salesnb.importers.dates import AUTO_ORDER, detect_date_format, resolve_date_format  # noqa: E402
from salesnb.importers.numbers import parse_numbers  # noqa: E402

DATE_ONLY = ["ISO", "M/D/YYYY", "D/M/YYYY", "D.M.YYYY", "YYYYMMDD", "M/D/YY", "D/M/YY", "DD.MM.YYYY", "D-M-YYYY",
             "D MMM, YYYY", "MMMM D, YYYY"] + [f for f in AUTO_ORDER if "%" in f]
TIME_SUFFIXES = ["", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p", "T%H:%M:%S", "T%H:%M:%S.000Z",
                 "T%H:%M:%S.000+0000", "T%H:%M:%S-08:00", ", %H:%M"]
WITH_TIME = ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d %b, %Y %H:%M:%S", "%m/%d/%Y %I:%M %p", "%d.%m.%Y %H:%M",
             "YYYY-MM-DD HH:mm", "DD.MM.YYYY HH:mm:ss", "MM/DD/YYYY hh:mm A", "%Y-%m-%dT%H:%M:%S%z"]
MOMENTS = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2099, 12, 30))


def written(moment: datetime, fmt: str, suffix: str = "") -> str:
    pattern = resolve_date_format(fmt)
    text = moment.strftime(pattern + suffix)
    return text + "+0100" if pattern.endswith("%z") else text  # a naive moment writes no zone


@settings(max_examples=150, deadline=None)
@given(MOMENTS, st.sampled_from(DATE_ONLY), st.sampled_from(TIME_SUFFIXES))
def test_a_date_written_in_a_date_format_reads_back_with_any_time_of_day(moment, fmt, suffix):
    assume("%y" not in resolve_date_format(fmt) or 1969 <= moment.year <= 2068)  # what two digits can say
    text = written(moment, fmt, suffix)
    dates, bad = parse_dates(pd.Series([text], dtype="str"), fmt)
    assert not bad.any(), text
    assert dates.iloc[0].date() == moment.date(), text


@settings(max_examples=100, deadline=None)
@given(MOMENTS, st.sampled_from(WITH_TIME))
def test_a_date_written_with_its_time_reads_back(moment, fmt):
    text = written(moment, fmt)
    dates, bad = parse_dates(pd.Series([text], dtype="str"), fmt)
    assert not bad.any(), text
    assert dates.iloc[0].date() == moment.date(), text


@settings(max_examples=100, deadline=None)
@given(MOMENTS, st.sampled_from(["EXCEL", "UNIX", "UNIX_MS"]))
def test_a_date_written_as_a_number_reads_back(moment, fmt):
    since_1970 = moment - datetime(1970, 1, 1)
    days = (moment - datetime(1899, 12, 30)) / timedelta(days=1)
    text = {"EXCEL": f"{days // 1:.0f}.{int(days % 1 * 1e5):05d}",  # five decimals, cut (not rounded) as Excel shows
            "UNIX": str(int(since_1970.total_seconds())),
            "UNIX_MS": str(int(since_1970.total_seconds() * 1000))}[fmt]
    dates, bad = parse_dates(pd.Series([text], dtype="str"), fmt)
    assert not bad.any(), text
    assert dates.iloc[0].date() == moment.date(), text


@settings(max_examples=30, deadline=None)
@given(st.lists(MOMENTS, min_size=1, max_size=5), st.sampled_from([f for f in AUTO_ORDER if ("%b" in f or "%B" in f) and "%y" not in f]
                                                                   + ["ISO", "%Y/%m/%d"]))
def test_auto_reads_back_formats_that_cannot_be_mistaken(moments, fmt):
    texts = pd.Series([written(m, fmt, " %H:%M") for m in moments], dtype="str")
    found = detect_date_format(texts)
    dates, bad = parse_dates(texts, found)
    assert not bad.any()
    assert [d.date() for d in dates] == [m.date() for m in moments]


def amount_text(cents: int, decimal: str, group: str | None, currency: str, negative: str) -> str:
    whole, frac = divmod(abs(cents), 100)
    digits = f"{whole:,}".replace(",", group) if group is not None else str(whole)
    text = f"{digits}{decimal}{frac:02d}"
    text = currency.replace("N", text)
    if cents < 0:
        text = {"-": f"-{text}", "()": f"({text})", "trailing": f"{text}-"}[negative]
    return text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-10**11, 10**11), min_size=1, max_size=20), st.sampled_from([".", ","]),
       st.sampled_from([None, ",", ".", " ", "\u00a0", "'"]),
       st.sampled_from(["N", "$N", "$ N", "N €", "USD N", "N EUR", "CHF N", "R$ N", "US$N", "N kr"]),
       st.sampled_from(["-", "()", "trailing"]))
def test_an_amount_written_in_any_convention_reads_back(amounts, decimal, group, currency, negative):
    if group == decimal:
        group = None
    texts = [amount_text(cents, decimal, group, currency, negative) for cents in amounts]
    values, bad = parse_numbers(pd.Series(texts, dtype="str"), decimal)
    assert not bad.any(), [t for t, b in zip(texts, bad) if b]
    assert values.tolist() == pytest.approx([c / 100 for c in amounts], abs=1e-9), texts


@pytest.mark.parametrize("text, decimal, fix", [
    ("1.234,50", ".", 'decimal = ","'),
    ("12,5", ".", 'decimal = ","'),
    ("1,234.50", ",", 'decimal = "."'),
    ("-", ".", 'values = { "-" = "0" }'),
    ("12%", ".", "percentage"),
    ("call me", ".", "plain numbers"),
])
def test_amounts_that_another_convention_would_read_differently_stop_with_the_fix(tmp_path, text, decimal, fix):
    deals = f'Id,Owner,Created,Closed,Status,Amount\n1,ann,2024-01-01,2024-02-01,won,"{text}"\n'
    with pytest.raises(MappingError) as info:
        import_text(tmp_path, deals, OPPS.replace('decimal = ","', f'decimal = "{decimal}"') + 'amount = "Amount"\n')
    assert f"'{text}' (1)" in str(info.value) and fix in str(info.value)


# --------------------------------------------------------------------------------------
# Other numbers as exports write them: abbreviations, ranges, call durations, flags


CALLS = ("Id,Owner,Created,Closed,Status,Amount\n1,ann,2024-01-01,2024-02-01,won,100\n", "calls.csv",
         "Call,Owner,Date,Length,Kind\nc1,ann,2024-01-03,0:05:32,Call\nc2,ann,2024-01-04,1:02:00,Call\n"
         "c3,ann,2024-01-05,12.5,Call\n")
CALLS_MAPPING = ('\n[tables.activities]\nfile = "calls.csv"\n[tables.activities.columns]\nactivity_id = "Call"\n'
                 'rep_id = "Owner"\ndate = "Date"\ntype = { column = "Kind", values = { "Call" = "call" } }\n'
                 'duration_minutes = "Length"\n')


OPPS_DOT = OPPS.replace('decimal = ","', 'decimal = "."')


def import_files(tmp_path: Path, files: dict[str, str], mapping: str):
    src = tmp_path / "export"
    src.mkdir()
    for name, text in files.items():
        (src / name).write_text(text)
    (src / "mapping.toml").write_text(mapping)
    return import_export([src / n for n in files], tmp_path / "ds", src / "mapping.toml")


def test_call_durations_written_as_a_clock_are_minutes(tmp_path):
    deals, name, calls = CALLS
    import_files(tmp_path, {"deals.csv": deals, name: calls}, OPPS_DOT + 'amount = "Amount"\n' + CALLS_MAPPING)
    minutes = raw(tmp_path / "ds" / "activities.csv")["duration_minutes"].astype(float).tolist()
    assert minutes == pytest.approx([5 + 32 / 60, 62.0, 12.5])


def test_a_two_part_duration_is_not_guessed(tmp_path):
    deals, name, calls = CALLS
    with pytest.raises(MappingError) as info:
        import_files(tmp_path, {"deals.csv": deals, name: calls.replace("0:05:32", "5:32")},
                     OPPS_DOT + 'amount = "Amount"\n' + CALLS_MAPPING)
    assert "'5:32' (1)" in str(info.value) and "hours:minutes:seconds (0:05:32)" in str(info.value)


@pytest.mark.parametrize("value, fix", [("12k", "not abbreviations such as '12k'"),
                                        ("$1.2M", "not abbreviations such as '$1.2M'")])
def test_abbreviated_amounts_are_not_read_as_small_ones(tmp_path, value, fix):
    deals = f'Id,Owner,Created,Closed,Status,Amount\n1,ann,2024-01-01,2024-02-01,won,"{value}"\n'
    with pytest.raises(MappingError) as info:
        import_text(tmp_path, deals, OPPS_DOT + 'amount = "Amount"\n')
    assert fix in str(info.value)


LEADS = ("Lead,Owner,Created,Status,Employees,Decision maker\n"
         "L1,ann,2024-01-02,Open,51-200,1.0\nL2,ann,2024-01-03,Open,\"1,001-5,000\",0.0\nL3,ann,2024-01-04,Open,12,\n")
LEADS_MAPPING = ('\n[tables.leads]\nfile = "leads.csv"\n[tables.leads.columns]\nlead_id = "Lead"\nrep_id = "Owner"\n'
                 'created_date = "Created"\nstatus = "Status"\ndecision_maker = "Decision maker"\n')


def test_company_size_ranges_stop_with_a_value_map_to_write_and_import_with_it(tmp_path):
    deals = "Id,Owner,Created,Closed,Status,Amount\n1,ann,2024-01-01,2024-02-01,won,100\n"
    mapping = OPPS_DOT + 'amount = "Amount"\n' + LEADS_MAPPING
    with pytest.raises(MappingError) as info:
        import_files(tmp_path, {"deals.csv": deals, "leads.csv": LEADS}, mapping + 'company_size = "Employees"\n')
    assert "these are ranges, not numbers" in str(info.value) and 'values = { "51-200" = "51" }' in str(info.value)
    sized = 'company_size = { column = "Employees", values = { "51-200" = "51", "1,001-5,000" = "1001" } }\n'
    shutil.rmtree(tmp_path / "export")
    import_files(tmp_path, {"deals.csv": deals, "leads.csv": LEADS}, mapping + sized)
    leads = raw(tmp_path / "ds" / "leads.csv")
    assert leads["company_size"].tolist() == ["51", "1001", "12"]
    assert leads["decision_maker"].tolist() == ["true", "false", ""]  # flags saved as 1.0 / 0.0
