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
from .parse import DEFAULT_NULLS
from .quota_periods import PeriodSpec, parse_period_spec
from .sources import (  # noqa: F401  (ColumnSource and SIGN_RULES are part of the mapping's API)
    SIGN_RULES, ColumnSource, check_date_format, check_decimal, check_default, check_sign, fail, parse_column,
    unknown_keys,
)

PRESETS_DIR = Path(__file__).resolve().parent / "presets"
PRESET_NAMES = ("salesforce-report", "salesforce-api", "hubspot")

_TOP_KEYS = {"name", "description", "extends", "rep_names", "source", "tables", "fiscal_year_start_month", "currency"}
_SOURCE_KEYS = {"encoding", "delimiter", "nulls", "date_format", "decimal", "chunk_rows"}
_TABLE_KEYS = {"file", "detect", "same_file_as", "columns", "drop_rows", "nulls", "date_format", "decimal",
               "unpivot", "join", "enabled", "created_after_close", "period"}
CREATED_AFTER_CLOSE = ("keep", "use_close_date")
_JOIN_KEYS = {"file", "on", "key", "names", "match"}
# How join keys compare: as written (trimmed), as names (case and spaces), loosely (also punctuation).
JOIN_MATCHES = ("exact", "names", "loose")
# Tables processed first feed the rep ids the others are checked against.
TABLE_ORDER = ("reps", "opportunities", "leads", "activities", "quotas", "team_quotas", "stage_history")


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
    preset_keys: frozenset = frozenset()  # value-map keys (casefolded) that come from a built-in preset


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
    mapping = parse_mapping(raw, where)
    mapping.preset_keys = frozenset(_preset_keys(spec))
    return mapping


def _preset_keys(spec: str | Path) -> set[str]:
    """Keys of the value maps a mapping gets from a built-in preset (itself or what it extends): a preset lists
    stage names of every pipeline, so a key of its that no row has is no misspelling of the user's."""
    if isinstance(spec, str) and spec in PRESET_NAMES:
        return _value_keys(_read_toml(preset_path(spec), spec))
    parent = _read_toml(Path(spec), str(spec)).get("extends")
    if not parent:
        return set()
    if parent not in PRESET_NAMES and not Path(parent).is_absolute():
        parent = str(Path(spec).parent / parent)
    return _preset_keys(parent)


def _value_keys(raw) -> set[str]:
    if not isinstance(raw, dict):
        return set()
    keys = {str(k).strip().casefold() for k in raw["values"]} if isinstance(raw.get("values"), dict) else set()
    for v in raw.values():
        keys |= _value_keys(v)
    return keys


def parse_mapping(raw: dict, where: str) -> Mapping:
    """Check a mapping dict (already merged with what it extends) and build a `Mapping`."""
    unknown_keys(raw, _TOP_KEYS, where, "")
    source = raw.get("source", {})
    if not isinstance(source, dict):
        raise fail(where, "source", "must be a table of settings.", "write [source] on its own line.")
    unknown_keys(source, _SOURCE_KEYS, where, "source")
    nulls = tuple(source.get("nulls", DEFAULT_NULLS))
    date_format = check_date_format(source.get("date_format", "auto"), where, "source.date_format")
    decimal = check_decimal(source.get("decimal", "."), where, "source.decimal")
    rep_names = bool(raw.get("rep_names", False))
    fy_month = raw.get("fiscal_year_start_month")
    if fy_month is not None and (not isinstance(fy_month, int) or isinstance(fy_month, bool) or not 1 <= fy_month <= 12):
        raise fail(where, "fiscal_year_start_month", f"must be a month number 1..12, got {fy_month!r}.",
                    "e.g. fiscal_year_start_month = 4 for a fiscal year starting in April.")
    currency = raw.get("currency")
    if currency is not None:
        from ..dataset_toml import check_settings

        _, problems = check_settings({"currency": currency})
        if problems:
            raise fail(where, "currency", f"{currency!r} {problems[0].message}", problems[0].fix)
    tables_raw = raw.get("tables")
    if not isinstance(tables_raw, dict) or not tables_raw:
        raise fail(where, "tables", "the mapping maps no table.",
                    "add at least [tables.opportunities] with its file and columns (see docs/importing.md).")
    tables: dict[str, TableMapping] = {}
    for name, traw in tables_raw.items():
        if name not in TABLES:
            raise fail(where, f"tables.{name}", f"{name!r} is not a canonical table.",
                        f"use one of {', '.join(TABLES)}.")
        if not isinstance(traw, dict):
            raise fail(where, f"tables.{name}", "must be a table of settings.")
        if traw.get("enabled", True) is False:
            continue
        tables[name] = _parse_table(name, traw, where, nulls, date_format, decimal, rep_names, fy_month or 1)
    if "opportunities" not in tables:
        raise fail(where, "tables.opportunities", "the opportunities table is required but not mapped.",
                    "add [tables.opportunities] with file = \"...\" and its [tables.opportunities.columns].")
    for t in tables.values():
        if t.same_file_as and t.same_file_as not in tables:
            raise fail(where, f"{t.key}.same_file_as", f"{t.same_file_as!r} is not a table of this mapping.")
    ordered = {n: tables[n] for n in TABLE_ORDER if n in tables}
    encoding = source.get("encoding", "auto")
    delimiter = source.get("delimiter", "auto")
    chunk_rows = int(source.get("chunk_rows", 100_000))
    if chunk_rows < 1:
        raise fail(where, "source.chunk_rows", "must be at least 1.")
    return Mapping(name=str(raw.get("name", where)), path=where, tables=ordered, encoding=encoding,
                   delimiter=delimiter, chunk_rows=chunk_rows, description=str(raw.get("description", "")),
                   fiscal_year_start_month=fy_month, currency=currency)


def _parse_table(name, traw, where, nulls, date_format, decimal, rep_names, fy_month) -> TableMapping:
    key = f"tables.{name}"
    unknown_keys(traw, _TABLE_KEYS, where, key)
    table = TABLES[name]
    files = traw.get("file", ())
    files = (files,) if isinstance(files, str) else tuple(files)
    detect = tuple(traw.get("detect", ()))
    same = traw.get("same_file_as")
    if not files and not detect and not same:
        raise fail(where, key, "says nothing about which source file feeds it.",
                    f"add file = \"name.csv\" (a file name or pattern such as \"deals*.csv\") under [{key}].")
    t = TableMapping(
        name=name, file=files, detect=detect, same_file_as=same,
        drop_rows=tuple(traw.get("drop_rows", ())),
        nulls=tuple(traw.get("nulls", nulls)),
        date_format=check_date_format(traw.get("date_format", date_format), where, f"{key}.date_format"),
        decimal=check_decimal(traw.get("decimal", decimal), where, f"{key}.decimal"),
        unpivot=traw.get("unpivot"),
        created_after_close=traw.get("created_after_close", "keep"),
    )
    if t.created_after_close not in CREATED_AFTER_CLOSE or (t.created_after_close != "keep" and name != "opportunities"):
        raise fail(where, f"{key}.created_after_close", f"{t.created_after_close!r} is not allowed here.",
                    f"use one of {', '.join(CREATED_AFTER_CLOSE)}, under [tables.opportunities] only.")
    for rx_key, rx in [(f"{key}.drop_rows", r) for r in t.drop_rows] + ([(f"{key}.unpivot", t.unpivot)] if t.unpivot else []):
        try:
            re.compile(rx)
        except re.error as exc:
            raise fail(where, rx_key, f"{rx!r} is not a valid regular expression ({exc}).") from None
    t.joins = _parse_joins(traw.get("join", []), key, where)
    cols = traw.get("columns", {})
    if not isinstance(cols, dict):
        raise fail(where, f"{key}.columns", "must be a table: canonical column = source column.")
    for col_name, spec in cols.items():
        ckey = f"{key}.columns.{col_name}"
        if col_name not in table.column_names:
            raise fail(where, ckey, f"{col_name!r} is not a column of the {name} table.",
                        f"the {name} columns are {', '.join(table.column_names)}.")
        t.columns[col_name] = parse_column(spec, ckey, where, names_default=rep_names and col_name == "rep_id")
        check_sign(t.columns[col_name], table.column(col_name), ckey, where)
        check_default(t.columns[col_name], table.column(col_name), ckey, where)
        if any(a.generated for a in t.columns[col_name]) and col_name != table.key:
            raise fail(where, ckey, f"from_row and hash make ids: they are for {table.key or 'the id'} only.",
                        f"map {col_name} from a source column.")
    if "period" in traw:
        if name not in ("quotas", "team_quotas"):
            raise fail(where, f"{key}.period", "a period from year/quarter/month columns is for quotas only.",
                        "move it under [tables.quotas] or [tables.team_quotas].")
        both = [c for c in ("period_start", "period_end") if c in t.columns]
        if both:
            raise fail(where, f"{key}.period", f"{both[0]} is mapped too; give the period one way.",
                        f"remove {' and '.join(both)} from [{key}.columns], or remove [{key}.period].")
        t.period = parse_period_spec(traw["period"], f"{key}.period", where, fy_month)
    missing = [c for c in table.required_columns if c not in t.columns]
    if t.period is not None:
        missing = [c for c in missing if c not in ("period_start", "period_end")]
    if name == "reps" and "name" in missing and "rep_id" in t.columns:
        missing.remove("name")  # the name defaults to the rep_id's own text
    if missing:
        raise fail(where, f"{key}.columns", f"required column(s) {', '.join(missing)} not mapped.",
                    f"add e.g. {missing[0]} = \"Source column\" (or {{ value = \"...\" }} for a constant) "
                    f"under [{key}.columns].")
    return t


def _parse_joins(joins, key: str, where: str) -> tuple[Join, ...]:
    joins = [joins] if isinstance(joins, dict) else joins
    parsed = []
    for i, j in enumerate(joins):
        jkey = f"{key}.join[{i}]"
        unknown_keys(j, _JOIN_KEYS, where, jkey)
        missing = [k for k in ("file", "on", "key") if k not in j]
        if missing:
            raise fail(where, jkey, f"a join needs file, on and key; {', '.join(missing)} missing.")
        match = j.get("match", "names" if j.get("names", True) else "exact")
        if match not in JOIN_MATCHES:
            raise fail(where, f"{jkey}.match", f"{match!r} is not a way to compare keys.",
                        "use \"exact\" (as written), \"names\" (ignoring case and spaces, the default) or "
                        "\"loose\" (ignoring case, spaces and punctuation).")
        parsed.append(Join(jkey, j["file"], j["on"], j["key"], match))
    return tuple(parsed)
