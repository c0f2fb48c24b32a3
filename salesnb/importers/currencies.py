"""The currencies an amount column is written in: one currency however it is written ('$' and 'USD'), or several
(a multi-currency CRM org exporting each deal in its own currency), which cannot be added up and stop the import."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .numbers import CURRENCY_CODES, value_marks

EXAMPLES = 3


def _tally(seen: dict, labels: np.ndarray, records: np.ndarray, text: pd.Series | None = None) -> None:
    """Count each non-empty label of a chunk into `seen`: label -> [rows, first records, first value of `text`]."""
    for label, rows in pd.Series(np.arange(len(labels))).groupby(labels, sort=False):
        if not label:
            continue
        entry = seen.setdefault(label, [0, [], text.iloc[int(rows.iloc[0])] if text is not None else None])
        entry[0] += len(rows)
        entry[1] += [int(records[i]) for i in rows.iloc[: max(0, EXAMPLES - len(entry[1]))]]


def _rows_at(file: str, rows: int, records: list[int], finder, example=None) -> str:
    """"12 row(s), e.g. 'EUR 20,000' (lines 3, 7, 11, ...)": a currency's rows, one as written, and the file lines
    of the first of them."""
    lines = finder.lines(file, records) if finder is not None else [str(r + 2) for r in records]
    written = f", e.g. {example!r}" if example is not None else ""
    return (f"{rows:,} row(s){written} (line{'s' if len(lines) > 1 else ''} {', '.join(lines)}"
            f"{', ...' if rows > len(lines) else ''})")


def record_marks(seen: dict, text: pd.Series, records: np.ndarray) -> None:
    """Count the currency marks of `text` (one chunk of an amount column; `records`: each value's record number) into
    `seen`: mark -> [rows, first records, first value as written]."""
    _tally(seen, value_marks(text).to_numpy(), records, text)


def _codes(mark: str) -> list[str]:
    """The ISO codes a mark may stand for, likeliest first ('¥': JPY, CNY)."""
    return CURRENCY_CODES.get(mark, mark).replace(" or ", ", ").split(", ")


def currencies_of(marks) -> list[tuple[list[str], list[str]]]:
    """(codes, marks) per currency the marks write ('$' with 'USD'); more than one is several currencies."""
    groups: list[tuple[list[str], list[str]]] = []
    for mark in sorted(marks, key=lambda m: (len(_codes(m)), m)):
        for codes, members in groups:
            if set(codes) & set(_codes(mark)):
                codes[:] = [c for c in codes if c in _codes(mark)]
                members.append(mark)
                break
        else:
            groups.append((_codes(mark), [mark]))
    return groups


def several_currencies(key: str, file: str, column: str, seen: dict):
    """A message writer (for `Problems.add_message`) when the column holds several currencies, else None."""
    groups = currencies_of(seen)
    if len(groups) < 2:
        return None
    groups.sort(key=lambda g: -sum(seen[m][0] for m in g[1]))

    def message(finder) -> str:
        parts = []
        for codes, group in groups:
            rows = sum(seen[m][0] for m in group)
            records = sorted(r for m in group for r in seen[m][1])[:EXAMPLES]
            example = seen[min(group, key=lambda m: seen[m][1][:1] or [np.inf])][2]
            parts.append(f"{' or '.join(codes)} {_rows_at(file, rows, records, finder, example)}")
        first = groups[0][0][0]
        return (f"amounts of {file} (column {column}) are in {len(groups)} currencies, which cannot be added up: "
                f"{'; '.join(parts)}. Fix: export the amounts converted to one currency (in a multi-currency "
                f"Salesforce org, add the column \"Amount (converted)\" to the report and map amount = "
                f"\"Amount (converted)\"), or import one currency at a time: split the export by currency and set "
                f"currency = \"{first}\" (and so on) at the top of each import's mapping.")
    return message


def currency_notes(currencies: dict, currency: str | None) -> list[str]:
    """What the currency signs and codes written in the amounts say against the mapping's currency."""
    notes = []
    for (key, file), seen in currencies.items():
        marks = [m for m in seen]
        if not marks or len(currencies_of(marks)) > 1:  # several: an error already
            continue
        codes = currencies_of(marks)[0][0]
        shown = ", ".join(repr(m) for m in sorted(marks))
        if currency is None and codes != ["USD"]:  # USD is the dataset's currency when nothing says otherwise
            notes.append(f"{file}: [{key}] amounts are written with {shown}: the dataset's currency is USD unless "
                         f"the mapping says otherwise; if it is not, set currency = \"{codes[0]}\" at the top of "
                         f"the mapping (the amounts are not converted).")
        elif currency is not None and currency not in codes:
            notes.append(f"{file}: [{key}] amounts are written with {shown}, the mapping says currency = "
                         f"\"{currency}\": amounts are not converted, so check that they are all in {currency}.")
    return notes


# A column naming each row's currency (Pipedrive 'Deal - Currency', HubSpot 'Deal currency code', Salesforce
# 'Opportunity Currency' / 'CurrencyIsoCode', Zoho 'Currency'); not a rate or an amount.
_CURRENCY_NAME = re.compile(r"currency", re.I)
_NOT_A_CODE = re.compile(r"rate|amount|value|convert|symbol|decimal|exchange|revenue|price", re.I)
# An amount already converted to one currency ('Amount (converted)', 'Amount in company currency').
CONVERTED = re.compile(r"convert|(company|home|base|corporate|default|org|organi[sz]ation|reporting) currency", re.I)


def currency_column(header: list[str], amount_sources) -> str | None:
    """The export's currency column, when the amount is mapped from a column that is not already converted."""
    columns = [c for a in amount_sources or () for c in a.sources]
    if not columns or any(CONVERTED.search(c) for c in columns):
        return None
    return next((c for c in header if c and _CURRENCY_NAME.search(c) and not _NOT_A_CODE.search(c)), None)


def count_currencies(seen: dict, codes: pd.Series, records: np.ndarray) -> None:
    """Count the currencies of the rows imported (`codes`, empty cells left out): code -> [rows, first records]."""
    _tally(seen, codes.astype("str").str.strip().str.upper().to_numpy(), records)


def currency_column_message(file: str, column: str, seen: dict, header: list[str], key: str):
    """A message writer (for `Problems.add_message`) when the currency column holds several currencies, else None."""
    if len(seen) < 2:
        return None
    converted = [c for c in header if c and CONVERTED.search(c) and not _CURRENCY_NAME.fullmatch(c)]

    def message(finder) -> str:
        parts = [f"{code} {_rows_at(file, rows, records, finder)}"
                 for code, (rows, records, _) in sorted(seen.items(), key=lambda kv: -kv[1][0])]
        table, name = key.rsplit(".", 1)
        use = (f"map the amount from the export's converted column: {name} = \"{converted[0]}\" under [{table}]"
               if converted else
               "export the amounts converted to one currency (a column such as \"Amount (converted)\" or \"Amount "
               "in company currency\") and map amount to it")
        return (f"{file}: the amounts are in {len(seen)} currencies (column {column!r}), which cannot be added up "
                f"(rows imported with an amount): "
                f"{'; '.join(parts)}. Fix: {use}; or import one currency at a time (filter the export to one "
                f"currency and set currency = \"{max(seen, key=lambda c: seen[c][0])}\" at the top of the mapping).")
    return message
