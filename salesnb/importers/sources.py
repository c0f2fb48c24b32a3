"""Column sources: where a canonical column's values come from in a mapping (a source column, a constant,
columns combined or hashed, the row), with the options that transform them; and the checks of a mapping's keys
that need no data (unknown settings, date formats, decimal separators, sign rules, defaults).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import MappingError
from .dates import DATE_FORMATS, resolve_date_format

_COLUMN_KEYS = {"column", "value", "combine", "sep", "values", "date_format", "decimal", "names", "pattern",
                "divide_by", "default", "optional", "sign", "from_row", "hash"}
_ONE_OF = ("column", "value", "combine", "from_row", "hash")  # where a column source's text comes from
# What to do with a number below its column's minimum (a negative amount, a quota of 0).
SIGN_RULES = ("error", "abs", "drop")


@dataclass(frozen=True)
class ColumnSource:
    """One way to get a canonical column's values: a source column or a constant, then transforms."""

    key: str  # the mapping key, for error messages, e.g. tables.opportunities.columns.status
    column: str | None = None
    value: str | None = None
    combine: tuple[str, ...] | None = None  # source columns joined with `sep` (e.g. first and last name)
    sep: str = " "
    values: tuple[tuple[str, str], ...] | None = None  # value map, in file order (patterns matter)
    date_format: str | None = None
    decimal: str | None = None
    names: bool = False  # holds rep names: derive stable ids from them
    pattern: str | None = None  # keep only values matching this regex
    divide_by: float | None = None
    default: str | None = None  # used where this and every later alternative are empty
    optional: bool = False  # a file without the column simply does not fill it
    sign: str = "error"  # a number below the column's minimum: "error", "abs" (make it positive) or "drop" the row
    from_row: bool = False  # an id made of the file's name and the row's number: 'deals-17'
    hash: tuple[str, ...] | None = None  # an id made of these columns' values, hashed: 'h-3f2a9c0e1b7d'

    @property
    def sources(self) -> tuple[str, ...]:
        """The source columns this reads."""
        return self.combine or self.hash or ((self.column,) if self.column is not None else ())

    @property
    def generated(self) -> bool:
        """True for an id salesnb makes (the export has none)."""
        return self.from_row or self.hash is not None

    def describe(self) -> str:
        """Where the values come from, for the import summary."""
        if self.combine:
            return f" + {self.sep!r} + ".join(repr(c) for c in self.combine)
        if self.hash:
            return "a hash of " + " + ".join(repr(c) for c in self.hash)
        if self.from_row:
            return "the file name and row number"
        return repr(self.column) if self.column is not None else f"constant {self.value!r}"


def fail(where: str, key: str, message: str, fix: str = "") -> MappingError:
    text = f"{where}: [{key}] {message}"
    return MappingError(text + (f" Fix: {fix}" if fix else ""))


def unknown_keys(d: dict, known: set, where: str, prefix: str) -> None:
    bad = sorted(set(d) - known)
    if bad:
        key = f"{prefix}.{bad[0]}" if prefix else bad[0]
        raise fail(where, key, f"unknown setting {bad[0]!r}.", f"known settings here: {', '.join(sorted(known))}.")


def check_date_format(fmt, where: str, key: str) -> str:
    if not isinstance(fmt, str):
        raise fail(where, key, f"date format must be text, got {fmt!r}.")
    if fmt == "auto":
        return fmt
    try:
        resolve_date_format(fmt)
    except KeyError:
        raise fail(where, key, f"unknown date format {fmt!r}.",
                    f"use auto, one of {', '.join(DATE_FORMATS)}, the letters of the format (e.g. \"DD.MM.YYYY HH:mm\": "
                    f"YYYY, YY, MM, MMM, DD, HH, hh, mm, ss, A) or a strptime pattern such as \"%d %b, %Y %H:%M\" "
                    f"(docs/importing.md, Dates).") from None
    except ValueError as exc:
        raise fail(where, key, f"{fmt!r}: {exc}.",
                    "use the strptime directives %Y %y %m %b %B %d %H %I %M %S %p %z (%% for a percent sign), "
                    "e.g. \"%d %b, %Y %H:%M\" (docs/importing.md, Dates).") from None
    return fmt


def check_decimal(dec, where: str, key: str) -> str:
    if dec not in (".", ","):
        raise fail(where, key, f"decimal separator must be \".\" or \",\", got {dec!r}.")
    return dec


def check_sign(alts: tuple[ColumnSource, ...], col, ckey: str, where: str) -> None:
    for a in alts:
        if a.sign not in SIGN_RULES:
            raise fail(where, f"{ckey}.sign", f"{a.sign!r} is not a sign rule.",
                        "use \"abs\" (make negative values positive), \"drop\" (leave those rows out) or "
                        "\"error\" (stop and list them, the default).")
        if a.sign != "error" and (col.kind not in ("number", "int") or (col.min_value is None and not col.positive)):
            raise fail(where, f"{ckey}.sign", f"{col.name} has no lower bound, so a sign rule does not apply.",
                        "remove sign here; it is for amounts, quotas, durations and distances.")


def check_default(alts: tuple[ColumnSource, ...], col, ckey: str, where: str) -> None:
    """A default is written as it is (never through `values`): for a column of fixed values it must be one."""
    for a in alts:
        if a.default is None or col.kind != "choice":
            continue
        if a.default.strip() and a.default.strip().casefold() not in col.choices:
            mapped = dict(a.values or ()).get(a.default)
            hint = f" (your value map turns it into {mapped!r}: write that)" if mapped else ""
            raise fail(where, f"{ckey}.default", f"{a.default!r} is not a {col.name}: a default is written as it "
                        f"is, without going through values{hint}.",
                        f"use one of {', '.join(repr(c) for c in col.choices)}.")


def parse_column(spec, ckey: str, where: str, names_default: bool) -> tuple[ColumnSource, ...]:
    items = spec if isinstance(spec, list) else [spec]
    if not items:
        raise fail(where, ckey, "an empty list maps nothing.", "name at least one source column.")
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(ColumnSource(ckey, column=item, names=names_default))
            continue
        if not isinstance(item, dict):
            raise fail(where, ckey, f"expected a column name or {{ column = ..., ... }}, got {item!r}.")
        unknown_keys(item, _COLUMN_KEYS, where, ckey)
        if sum(k in item for k in _ONE_OF) != 1:
            raise fail(where, ckey, "give exactly one of column = \"Source column\", value = \"constant\", "
                                     "combine = [\"Column 1\", \"Column 2\"], or for an id the export lacks, "
                                     "from_row = true or hash = [\"Column 1\", \"Column 2\"].")
        hashed = item.get("hash")
        if hashed is not None and (not isinstance(hashed, list) or not hashed
                                   or not all(isinstance(c, str) for c in hashed)):
            raise fail(where, f"{ckey}.hash", "must list the source columns that together tell the rows apart.",
                        "e.g. hash = [\"Account\", \"Deal Name\", \"Created\"].")
        if "from_row" in item and item["from_row"] is not True:
            raise fail(where, f"{ckey}.from_row", "write from_row = true (or leave it out).")
        combine = item.get("combine")
        if combine is not None and (not isinstance(combine, list) or len(combine) < 2
                                    or not all(isinstance(c, str) for c in combine)):
            raise fail(where, f"{ckey}.combine", "must list at least two source columns.",
                        "e.g. combine = [\"First Name\", \"Last Name\"], sep = \" \".")
        if "sep" in item and (combine is None or not isinstance(item["sep"], str)):
            raise fail(where, f"{ckey}.sep", "sep is the text between combined columns: it goes with combine = [...].")
        values = item.get("values")
        if values is not None:
            if not isinstance(values, dict):
                raise fail(where, f"{ckey}.values", "must be a table: \"CRM value\" = \"canonical value\".")
            values = tuple((str(k), str(v)) for k, v in values.items())
        if "date_format" in item:
            check_date_format(item["date_format"], where, f"{ckey}.date_format")
        if "decimal" in item:
            check_decimal(item["decimal"], where, f"{ckey}.decimal")
        if "pattern" in item:
            try:
                re.compile(item["pattern"])
            except re.error as exc:
                raise fail(where, f"{ckey}.pattern", f"not a valid regular expression ({exc}).") from None
        columns = item.get("column")
        for column in (columns if isinstance(columns, list) else [columns]):
          out.append(ColumnSource(
            key=ckey,
            column=column,
            value=None if "value" not in item else str(item["value"]),
            combine=tuple(combine) if combine else None,
            sep=item.get("sep", " "),
            values=values,
            date_format=item.get("date_format"),
            decimal=item.get("decimal"),
            names=bool(item.get("names", names_default)),
            pattern=item.get("pattern"),
            divide_by=float(item["divide_by"]) if "divide_by" in item else None,
            default=None if "default" not in item else str(item["default"]),
            optional=bool(item.get("optional", False)),
            sign=item.get("sign", "error"),
            from_row=bool(item.get("from_row", False)),
            hash=tuple(hashed) if hashed else None,
          ))
    return tuple(out)
