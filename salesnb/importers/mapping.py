"""The import mapping: a TOML file saying how an export's columns become canonical tables.

A mapping names, for each canonical table, which source file feeds it and, for each
canonical column, where its values come from (see docs/importing.md for the format).
`load_mapping` reads and checks a mapping file or a built-in preset; everything that can
be checked without the data is checked here, so a bad mapping fails before any reading.
"""
from __future__ import annotations

import copy
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import MappingError
from ..schema import TABLES
from .dates import DATE_FORMATS, resolve_date_format
from .parse import DEFAULT_NULLS
from .quota_periods import PeriodSpec, parse_period_spec

PRESETS_DIR = Path(__file__).resolve().parent / "presets"
PRESET_NAMES = ("salesforce-report", "salesforce-api", "hubspot")

_TOP_KEYS = {"name", "description", "extends", "rep_names", "source", "tables", "fiscal_year_start_month", "currency"}
_SOURCE_KEYS = {"encoding", "delimiter", "nulls", "date_format", "decimal", "chunk_rows"}
_TABLE_KEYS = {"file", "detect", "same_file_as", "columns", "drop_rows", "nulls", "date_format", "decimal",
               "unpivot", "join", "enabled", "created_after_close", "period"}
CREATED_AFTER_CLOSE = ("keep", "use_close_date")
_COLUMN_KEYS = {"column", "value", "combine", "sep", "values", "date_format", "decimal", "names", "pattern",
                "divide_by", "default", "optional", "sign", "from_row", "hash"}
_ONE_OF = ("column", "value", "combine", "from_row", "hash")  # where a column source's text comes from
_JOIN_KEYS = {"file", "on", "key", "names", "match"}
# How join keys compare: as written (trimmed), as names (case and spaces), loosely (also punctuation).
JOIN_MATCHES = ("exact", "names", "loose")
# What to do with a number below its column's minimum (a negative amount, a quota of 0).
SIGN_RULES = ("error", "abs", "drop")
# Tables processed first feed the rep ids the others are checked against.
TABLE_ORDER = ("reps", "opportunities", "leads", "activities", "quotas", "team_quotas", "stage_history")


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


@dataclass(frozen=True)
class Join:
    """Columns of a second file, looked up by key (e.g. a rep's team from a roster file)."""

    key_path: str
    file: str  # glob of the file name among the sources
    on: str  # column in the table's own file
    key: str  # matching column in the joined file
    match: str = "names"  # one of JOIN_MATCHES


@dataclass
class TableMapping:
    """How one canonical table is made."""

    name: str
    file: tuple[str, ...] = ()  # globs of source file names
    detect: tuple[str, ...] = ()  # header columns that identify the source file
    same_file_as: str | None = None
    columns: dict[str, tuple[ColumnSource, ...]] = field(default_factory=dict)  # alternatives, first non-empty
    drop_rows: tuple[str, ...] = ()  # regexes on the first cell: footer and subtotal lines
    nulls: tuple[str, ...] = DEFAULT_NULLS
    date_format: str = "auto"
    decimal: str = "."
    unpivot: str | None = None  # regex on column names, with named groups
    joins: tuple[Join, ...] = ()
    # Records loaded into a CRM after the fact carry the load day as created date, after they closed.
    created_after_close: str = "keep"
    period: PeriodSpec | None = None  # quotas: period_start/period_end from year/quarter/month columns

    @property
    def key(self) -> str:
        return f"tables.{self.name}"


@dataclass
class Mapping:
    """A whole mapping: source settings and the tables it makes."""

    name: str
    path: str  # file the mapping came from (or 'preset NAME'), for messages
    tables: dict[str, TableMapping]
    encoding: str = "auto"
    delimiter: str = "auto"
    chunk_rows: int = 100_000
    description: str = ""
    fiscal_year_start_month: int | None = None  # written to dataset.toml; fiscal quarters are read with it
    currency: str | None = None  # the amounts' currency (ISO 4217), written to dataset.toml


def _fail(where: str, key: str, message: str, fix: str = "") -> MappingError:
    text = f"{where}: [{key}] {message}"
    return MappingError(text + (f" Fix: {fix}" if fix else ""))


def preset_path(name: str) -> Path:
    """The TOML file of a built-in preset ('salesforce-api', 'salesforce-report', 'hubspot')."""
    return PRESETS_DIR / f"{name.replace('-', '_')}.toml"


def _read_toml(path: Path, where: str) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise MappingError(f"{where}: mapping file not found.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{where}: not valid TOML ({exc}). Fix the syntax; docs/importing.md has a full example.") from exc


def _merge(base: dict, over: dict) -> dict:
    """`over` laid on `base`: tables merge key by key, anything else replaces."""
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict) and k != "values":
            out[k] = _merge(out[k], v)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):  # value maps: add and override entries
            out[k] = {**out[k], **v}
        else:
            out[k] = copy.deepcopy(v)
    return out


def raw_mapping(spec: str | Path, _seen: tuple = ()) -> tuple[dict, str]:
    """The mapping as a plain dict (with `extends` resolved) and a label for messages."""
    if isinstance(spec, str) and spec in PRESET_NAMES:
        path, where = preset_path(spec), f"preset {spec}"
    else:
        path = Path(spec)
        where = str(path)
    raw = _read_toml(path, where)
    parent = raw.pop("extends", None)
    if parent:
        if parent in _seen:
            raise MappingError(f"{where}: [extends] {parent!r} extends itself.")
        if parent not in PRESET_NAMES:
            parent_path = (path.parent / parent) if not Path(parent).is_absolute() else Path(parent)
            parent = str(parent_path)
        base, _ = raw_mapping(parent, _seen + (parent,))
        raw = _merge(base, raw)
    return raw, where


def load_mapping(spec: str | Path) -> Mapping:
    """Read and check a mapping file or built-in preset name; raises MappingError naming the bad key."""
    raw, where = raw_mapping(spec)
    return parse_mapping(raw, where)


def parse_mapping(raw: dict, where: str) -> Mapping:
    """Check a mapping dict (already merged with what it extends) and build a `Mapping`."""
    _unknown_keys(raw, _TOP_KEYS, where, "")
    source = raw.get("source", {})
    if not isinstance(source, dict):
        raise _fail(where, "source", "must be a table of settings.", "write [source] on its own line.")
    _unknown_keys(source, _SOURCE_KEYS, where, "source")
    nulls = tuple(source.get("nulls", DEFAULT_NULLS))
    date_format = _check_date_format(source.get("date_format", "auto"), where, "source.date_format")
    decimal = _check_decimal(source.get("decimal", "."), where, "source.decimal")
    rep_names = bool(raw.get("rep_names", False))
    fy_month = raw.get("fiscal_year_start_month")
    if fy_month is not None and (not isinstance(fy_month, int) or isinstance(fy_month, bool) or not 1 <= fy_month <= 12):
        raise _fail(where, "fiscal_year_start_month", f"must be a month number 1..12, got {fy_month!r}.",
                    "e.g. fiscal_year_start_month = 4 for a fiscal year starting in April.")
    currency = raw.get("currency")
    if currency is not None:
        from ..dataset_toml import check_settings

        _, problems = check_settings({"currency": currency})
        if problems:
            raise _fail(where, "currency", f"{currency!r} {problems[0].message}", problems[0].fix)
    tables_raw = raw.get("tables")
    if not isinstance(tables_raw, dict) or not tables_raw:
        raise _fail(where, "tables", "the mapping maps no table.",
                    "add at least [tables.opportunities] with its file and columns (see docs/importing.md).")
    tables: dict[str, TableMapping] = {}
    for name, traw in tables_raw.items():
        if name not in TABLES:
            raise _fail(where, f"tables.{name}", f"{name!r} is not a canonical table.",
                        f"use one of {', '.join(TABLES)}.")
        if not isinstance(traw, dict):
            raise _fail(where, f"tables.{name}", "must be a table of settings.")
        if traw.get("enabled", True) is False:
            continue
        tables[name] = _parse_table(name, traw, where, nulls, date_format, decimal, rep_names, fy_month or 1)
    if "opportunities" not in tables:
        raise _fail(where, "tables.opportunities", "the opportunities table is required but not mapped.",
                    "add [tables.opportunities] with file = \"...\" and its [tables.opportunities.columns].")
    for t in tables.values():
        if t.same_file_as and t.same_file_as not in tables:
            raise _fail(where, f"{t.key}.same_file_as", f"{t.same_file_as!r} is not a table of this mapping.")
    ordered = {n: tables[n] for n in TABLE_ORDER if n in tables}
    encoding = source.get("encoding", "auto")
    delimiter = source.get("delimiter", "auto")
    chunk_rows = int(source.get("chunk_rows", 100_000))
    if chunk_rows < 1:
        raise _fail(where, "source.chunk_rows", "must be at least 1.")
    return Mapping(name=str(raw.get("name", where)), path=where, tables=ordered, encoding=encoding,
                   delimiter=delimiter, chunk_rows=chunk_rows, description=str(raw.get("description", "")),
                   fiscal_year_start_month=fy_month, currency=currency)


def _unknown_keys(d: dict, known: set, where: str, prefix: str) -> None:
    bad = sorted(set(d) - known)
    if bad:
        key = f"{prefix}.{bad[0]}" if prefix else bad[0]
        raise _fail(where, key, f"unknown setting {bad[0]!r}.", f"known settings here: {', '.join(sorted(known))}.")


def _check_date_format(fmt, where: str, key: str) -> str:
    if not isinstance(fmt, str):
        raise _fail(where, key, f"date format must be text, got {fmt!r}.")
    if fmt == "auto":
        return fmt
    try:
        resolve_date_format(fmt)
    except KeyError:
        raise _fail(where, key, f"unknown date format {fmt!r}.",
                    f"use auto, one of {', '.join(DATE_FORMATS)}, the letters of the format (e.g. \"DD.MM.YYYY HH:mm\": "
                    f"YYYY, YY, MM, MMM, DD, HH, hh, mm, ss, A) or a strptime pattern such as \"%d %b, %Y %H:%M\" "
                    f"(docs/importing.md, Dates).") from None
    except ValueError as exc:
        raise _fail(where, key, f"{fmt!r}: {exc}.",
                    "use the strptime directives %Y %y %m %b %B %d %H %I %M %S %p %z (%% for a percent sign), "
                    "e.g. \"%d %b, %Y %H:%M\" (docs/importing.md, Dates).") from None
    return fmt


def _check_decimal(dec, where: str, key: str) -> str:
    if dec not in (".", ","):
        raise _fail(where, key, f"decimal separator must be \".\" or \",\", got {dec!r}.")
    return dec


def _parse_table(name, traw, where, nulls, date_format, decimal, rep_names, fy_month) -> TableMapping:
    key = f"tables.{name}"
    _unknown_keys(traw, _TABLE_KEYS, where, key)
    table = TABLES[name]
    files = traw.get("file", ())
    files = (files,) if isinstance(files, str) else tuple(files)
    detect = tuple(traw.get("detect", ()))
    same = traw.get("same_file_as")
    if not files and not detect and not same:
        raise _fail(where, key, "says nothing about which source file feeds it.",
                    f"add file = \"name.csv\" (a file name or pattern such as \"deals*.csv\") under [{key}].")
    t = TableMapping(
        name=name, file=files, detect=detect, same_file_as=same,
        drop_rows=tuple(traw.get("drop_rows", ())),
        nulls=tuple(traw.get("nulls", nulls)),
        date_format=_check_date_format(traw.get("date_format", date_format), where, f"{key}.date_format"),
        decimal=_check_decimal(traw.get("decimal", decimal), where, f"{key}.decimal"),
        unpivot=traw.get("unpivot"),
        created_after_close=traw.get("created_after_close", "keep"),
    )
    if t.created_after_close not in CREATED_AFTER_CLOSE or (t.created_after_close != "keep" and name != "opportunities"):
        raise _fail(where, f"{key}.created_after_close", f"{t.created_after_close!r} is not allowed here.",
                    f"use one of {', '.join(CREATED_AFTER_CLOSE)}, under [tables.opportunities] only.")
    for rx_key, rx in [(f"{key}.drop_rows", r) for r in t.drop_rows] + ([(f"{key}.unpivot", t.unpivot)] if t.unpivot else []):
        try:
            re.compile(rx)
        except re.error as exc:
            raise _fail(where, rx_key, f"{rx!r} is not a valid regular expression ({exc}).") from None
    t.joins = _parse_joins(traw.get("join", []), key, where)
    cols = traw.get("columns", {})
    if not isinstance(cols, dict):
        raise _fail(where, f"{key}.columns", "must be a table: canonical column = source column.")
    for col_name, spec in cols.items():
        ckey = f"{key}.columns.{col_name}"
        if col_name not in table.column_names:
            raise _fail(where, ckey, f"{col_name!r} is not a column of the {name} table.",
                        f"the {name} columns are {', '.join(table.column_names)}.")
        t.columns[col_name] = _parse_column(spec, ckey, where, names_default=rep_names and col_name == "rep_id")
        _check_sign(t.columns[col_name], table.column(col_name), ckey, where)
        _check_default(t.columns[col_name], table.column(col_name), ckey, where)
        if any(a.generated for a in t.columns[col_name]) and col_name != table.key:
            raise _fail(where, ckey, f"from_row and hash make ids: they are for {table.key or 'the id'} only.",
                        f"map {col_name} from a source column.")
    if "period" in traw:
        if name not in ("quotas", "team_quotas"):
            raise _fail(where, f"{key}.period", "a period from year/quarter/month columns is for quotas only.",
                        "move it under [tables.quotas] or [tables.team_quotas].")
        both = [c for c in ("period_start", "period_end") if c in t.columns]
        if both:
            raise _fail(where, f"{key}.period", f"{both[0]} is mapped too; give the period one way.",
                        f"remove {' and '.join(both)} from [{key}.columns], or remove [{key}.period].")
        t.period = parse_period_spec(traw["period"], f"{key}.period", where, fy_month)
    missing = [c for c in table.required_columns if c not in t.columns]
    if t.period is not None:
        missing = [c for c in missing if c not in ("period_start", "period_end")]
    if name == "reps" and "name" in missing and "rep_id" in t.columns:
        missing.remove("name")  # the name defaults to the rep_id's own text
    if missing:
        raise _fail(where, f"{key}.columns", f"required column(s) {', '.join(missing)} not mapped.",
                    f"add e.g. {missing[0]} = \"Source column\" (or {{ value = \"...\" }} for a constant) "
                    f"under [{key}.columns].")
    return t


def _parse_joins(joins, key: str, where: str) -> tuple[Join, ...]:
    joins = [joins] if isinstance(joins, dict) else joins
    parsed = []
    for i, j in enumerate(joins):
        jkey = f"{key}.join[{i}]"
        _unknown_keys(j, _JOIN_KEYS, where, jkey)
        missing = [k for k in ("file", "on", "key") if k not in j]
        if missing:
            raise _fail(where, jkey, f"a join needs file, on and key; {', '.join(missing)} missing.")
        match = j.get("match", "names" if j.get("names", True) else "exact")
        if match not in JOIN_MATCHES:
            raise _fail(where, f"{jkey}.match", f"{match!r} is not a way to compare keys.",
                        "use \"exact\" (as written), \"names\" (ignoring case and spaces, the default) or "
                        "\"loose\" (ignoring case, spaces and punctuation).")
        parsed.append(Join(jkey, j["file"], j["on"], j["key"], match))
    return tuple(parsed)


def _check_sign(alts: tuple[ColumnSource, ...], col, ckey: str, where: str) -> None:
    for a in alts:
        if a.sign not in SIGN_RULES:
            raise _fail(where, f"{ckey}.sign", f"{a.sign!r} is not a sign rule.",
                        "use \"abs\" (make negative values positive), \"drop\" (leave those rows out) or "
                        "\"error\" (stop and list them, the default).")
        if a.sign != "error" and (col.kind not in ("number", "int") or (col.min_value is None and not col.positive)):
            raise _fail(where, f"{ckey}.sign", f"{col.name} has no lower bound, so a sign rule does not apply.",
                        "remove sign here; it is for amounts, quotas, durations and distances.")


def _check_default(alts: tuple[ColumnSource, ...], col, ckey: str, where: str) -> None:
    """A default is written as it is (never through `values`): for a column of fixed values it must be one."""
    for a in alts:
        if a.default is None or col.kind != "choice":
            continue
        if a.default.strip() and a.default.strip().casefold() not in col.choices:
            mapped = dict(a.values or ()).get(a.default)
            hint = f" (your value map turns it into {mapped!r}: write that)" if mapped else ""
            raise _fail(where, f"{ckey}.default", f"{a.default!r} is not a {col.name}: a default is written as it "
                        f"is, without going through values{hint}.",
                        f"use one of {', '.join(repr(c) for c in col.choices)}.")


def _parse_column(spec, ckey: str, where: str, names_default: bool) -> tuple[ColumnSource, ...]:
    items = spec if isinstance(spec, list) else [spec]
    if not items:
        raise _fail(where, ckey, "an empty list maps nothing.", "name at least one source column.")
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(ColumnSource(ckey, column=item, names=names_default))
            continue
        if not isinstance(item, dict):
            raise _fail(where, ckey, f"expected a column name or {{ column = ..., ... }}, got {item!r}.")
        _unknown_keys(item, _COLUMN_KEYS, where, ckey)
        if sum(k in item for k in _ONE_OF) != 1:
            raise _fail(where, ckey, "give exactly one of column = \"Source column\", value = \"constant\", "
                                     "combine = [\"Column 1\", \"Column 2\"], or for an id the export lacks, "
                                     "from_row = true or hash = [\"Column 1\", \"Column 2\"].")
        hashed = item.get("hash")
        if hashed is not None and (not isinstance(hashed, list) or not hashed
                                   or not all(isinstance(c, str) for c in hashed)):
            raise _fail(where, f"{ckey}.hash", "must list the source columns that together tell the rows apart.",
                        "e.g. hash = [\"Account\", \"Deal Name\", \"Created\"].")
        if "from_row" in item and item["from_row"] is not True:
            raise _fail(where, f"{ckey}.from_row", "write from_row = true (or leave it out).")
        combine = item.get("combine")
        if combine is not None and (not isinstance(combine, list) or len(combine) < 2
                                    or not all(isinstance(c, str) for c in combine)):
            raise _fail(where, f"{ckey}.combine", "must list at least two source columns.",
                        "e.g. combine = [\"First Name\", \"Last Name\"], sep = \" \".")
        if "sep" in item and (combine is None or not isinstance(item["sep"], str)):
            raise _fail(where, f"{ckey}.sep", "sep is the text between combined columns: it goes with combine = [...].")
        values = item.get("values")
        if values is not None:
            if not isinstance(values, dict):
                raise _fail(where, f"{ckey}.values", "must be a table: \"CRM value\" = \"canonical value\".")
            values = tuple((str(k), str(v)) for k, v in values.items())
        if "date_format" in item:
            _check_date_format(item["date_format"], where, f"{ckey}.date_format")
        if "decimal" in item:
            _check_decimal(item["decimal"], where, f"{ckey}.decimal")
        if "pattern" in item:
            try:
                re.compile(item["pattern"])
            except re.error as exc:
                raise _fail(where, f"{ckey}.pattern", f"not a valid regular expression ({exc}).") from None
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
