"""Amounts as CRM exports and spreadsheets write them: currency signs and codes, thousands separators,
decimal commas, accountants' parentheses, trailing minus signs and scientific notation.

A value is read only when it is unambiguous under the decimal separator the mapping gives: thousands
separators must group three digits ('1,234.50'), so '1.234,50' or '12,5' under decimal "." is not silently
read as 1.2345 or 125 but reported, with the fix (decimal = ","). Every function works on a whole Series of
non-empty text, once per distinct value.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

CURRENCY_SIGNS = "$€£¥₹₽₩₪₫₴₦₱฿₺₸₼₾¢"
_SPACES = "\u00a0\u202f\u2009 '’"  # a space, no-break spaces and apostrophes group thousands too (1 234, 1'234)
# Currency codes around a number: ISO codes in capitals, and the local abbreviations spreadsheets write. Other
# letters are kept, so that '12k' or '1.2M' is not read as 12 or 1.2 but reported.
_CODES = r"[A-Z]{3}|Rs\.?|kr\.?|Kr\.?|zł|Kč|Ft|Fr\.|lei|руб\.?"
_SCIENTIFIC = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+")


def _core(decimal: str) -> str:
    """A plain number with the thousands separator T and the decimal separator of `decimal`."""
    t = re.escape("," if decimal == "." else ".")
    d = re.escape(decimal)
    return rf"(?:\d{{1,3}}(?:{t}\d{{3}})+|\d+)(?:{d}\d*)?|{d}\d+"


_SPACE = "[ \t\u00a0\u202f\u2009]*"
_CURRENCY = f"(?:[A-Z]{{0,2}}[{re.escape(CURRENCY_SIGNS)}]|{_CODES})"
# One pass over each value: (parenthesis) sign currency sign NUMBER sign currency sign (parenthesis).
_WRITTEN = re.compile(
    f"^(?P<open>\\()?{_SPACE}(?P<s1>[+-])?{_SPACE}(?:{_CURRENCY}{_SPACE})?(?P<s2>[+-])?{_SPACE}"
    f"(?P<num>[0-9.,'’\u00a0\u202f\u2009 ]+){_SPACE}(?P<s3>-)?{_SPACE}(?:{_CURRENCY}{_SPACE})?(?P<s4>-)?{_SPACE}"
    f"(?P<close>\\))?$")


def _arrow(text: pd.Series) -> pa.Array:
    """The values as an Arrow string array (without copying when they already are one)."""
    try:
        return pa.array(text.array)
    except (TypeError, pa.ArrowInvalid):
        return pa.array(text.astype(object).tolist(), pa.string())


def _parse_unique(text: pd.Series, decimal: str) -> pd.Series:
    text = text.str.strip()
    parts = pc.extract_regex(_arrow(text), _WRITTEN.pattern)  # RE2: one pass over the values, in C

    def has(name: str, value: str) -> np.ndarray:
        return pc.fill_null(pc.equal(pc.struct_field(parts, name), value), False).to_numpy(zero_copy_only=False)

    opened, closed = has("open", "("), has("close", ")")
    negative = (opened & closed) | np.logical_or.reduce([has(f"s{i}", "-") for i in range(1, 5)])
    thousands = "," if decimal == "." else "."
    num = pd.Series(pd.arrays.ArrowStringArray(pc.fill_null(pc.struct_field(parts, "num"), "")), index=text.index)
    num = num.str.strip()
    num = num.str.replace(f"[{_SPACES}]", thousands, regex=True)
    ok = num.str.fullmatch(_core(decimal)).fillna(False).to_numpy() & (opened == closed)
    plain = num.str.replace(thousands, "", regex=False)
    if decimal != ".":
        plain = plain.str.replace(decimal, ".", regex=False)
    values = pd.to_numeric(plain.where(ok, "x"), errors="coerce").astype("float64")
    values = values.where(~negative, -values)
    if decimal == ".":
        scientific = text.str.fullmatch(_SCIENTIFIC.pattern).fillna(False).to_numpy()
        if scientific.any():
            values[scientific] = pd.to_numeric(text[scientific], errors="coerce").astype("float64").to_numpy()
    return values


def _parse_plain_first(text: pd.Series, decimal: str) -> pd.Series:
    """Plain numbers ('1234', '-12.50') straight away (most API exports), the others through `_parse_unique`."""
    d = re.escape(decimal)
    plain = text.str.fullmatch(rf"-?\d+(?:{d}\d+)?").fillna(False).to_numpy()
    out = pd.Series(np.nan, index=text.index, dtype="float64")
    if plain.any():
        digits = text[plain] if decimal == "." else text[plain].str.replace(decimal, ".", regex=False)
        out[plain] = pd.to_numeric(digits, errors="coerce").astype("float64").to_numpy()
    if not plain.all():
        out[~plain] = _parse_unique(text[~plain], decimal).to_numpy()
    return out


def parse_numbers(s: pd.Series, decimal: str = ".") -> tuple[pd.Series, np.ndarray]:
    """Parse amounts such as '$1,234.00', ' 1 234,50 €', '(12.5)', '500-', '1.2E+05'; returns (float64, bad mask).

    Currency signs, and currency codes before or after the number, are ignored; the thousands separator is
    whichever of ',' and '.' is not `decimal` (spaces and apostrophes group thousands too), and must group
    three digits; parentheses and a trailing minus mean a negative number.
    """
    codes, uniques = pd.factorize(s)
    parsed = _parse_plain_first(pd.Series(uniques, dtype="str"), decimal).to_numpy()
    values = pd.Series(parsed[codes], index=s.index, dtype="float64")
    return values, values.isna().to_numpy()


CURRENCY_CODES = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "₹": "INR", "₽": "RUB", "₩": "KRW", "₪": "ILS",
                  "₺": "TRY", "R$": "BRL", "C$": "CAD", "A$": "AUD", "NZ$": "NZD", "HK$": "HKD", "S$": "SGD",
                  "zł": "PLN", "kr": "SEK, NOK or DKK", "¥": "JPY or CNY", "Fr.": "CHF"}


def value_marks(s: pd.Series) -> pd.Series:
    """The currency sign or code written around each number of `s` ('$', 'EUR', 'R$'; '' for none)."""
    text = s.str.strip()
    before = text.str.extract(rf"^\(?\s*-?\s*([A-Z]{{0,2}}[{re.escape(CURRENCY_SIGNS)}]|[A-Z]{{3}}|Fr\.)", expand=False)
    after = text.str.extract(rf"([A-Z]{{3}}|[{re.escape(CURRENCY_SIGNS)}]|kr|zł)\s*\)?$", expand=False)
    return before.fillna(after).fillna("").astype("str")


def clock_minutes(s: pd.Series) -> pd.Series:
    """Durations written as a clock, hours:minutes:seconds ('0:05:32', '1:02:00'), in minutes; NaN otherwise.

    Two parts ('5:32') are not read: minutes:seconds and hours:minutes look the same.
    """
    parts = s.str.strip().str.extract(r"^(\d{1,3}):([0-5]\d):([0-5]\d(?:\.\d+)?)$")
    h, m, sec = (pd.to_numeric(parts[i], errors="coerce") for i in range(3))
    return (h * 60 + m + sec / 60).astype("float64")


def number_fix(bad: pd.Series, decimal: str, key: str) -> str:
    """What to write for values that are not numbers: the other decimal separator, a dash for 0, or cleaning."""
    sample = bad.drop_duplicates().head(1000)
    other = "," if decimal == "." else "."
    _, still_bad = parse_numbers(sample, other)
    if not still_bad.all():
        return (f"these read as numbers with {other!r} as the decimal separator: set decimal = \"{other}\" under "
                f"[{key}] (or under [source] for every column).")
    if sample.str.strip().isin(["-", "–", "—"]).any():
        return ("a lone dash is how accounting formats write 0: map it with values = { \"-\" = \"0\" } under "
                f"[{key}], or add \"-\" to nulls = [...] under [source] if it means 'unknown'.")
    if sample.str.fullmatch(r"\s*\d{1,3}:\d{2}\s*").any():
        return ("a duration written as 5:32 could be minutes:seconds or hours:minutes: write hours:minutes:seconds "
                f"(0:05:32) or the number of minutes, or map each value with values = {{ ... }} under [{key}].")
    if sample.str.contains("%", regex=False).any():
        return f"a percentage is not an amount: check that [{key}] names the right column."
    short = sample[sample.str.fullmatch(r"\D{0,4}\d+([.,]\d+)?\s*(k|K|m|M|MM|mm|bn|B)\D{0,4}")]
    if len(short):
        return (f"write whole numbers, not abbreviations such as {short.iloc[0]!r}: map each value with values = "
                f"{{ \"{short.iloc[0]}\" = \"...\" }} under [{key}], or write the full figure in the export.")
    ranges = sample[sample.str.fullmatch(r"\s*\d[\d,.\s]*\s*(-|–|to)\s*\d[\d,.\s]*\+?\s*|\s*\d[\d,.]*\s*\+\s*")]
    if len(ranges):
        return (f"these are ranges, not numbers: map each to the number to use, e.g. its lower bound, with values = "
                f"{{ \"{ranges.iloc[0].strip()}\" = \"{re.match(r'[0-9,. ]*[0-9]', ranges.iloc[0].strip()).group().replace(',', '').replace(' ', '')}\" }} "
                f"under [{key}].")
    return ("write them as plain numbers (e.g. 1234.50 or $1,234.50), or add the marker to nulls = [...] under "
            "[source] if it means 'empty'.")
