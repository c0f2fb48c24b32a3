"""dataset.toml: the dataset's settings, each checked, every problem reported at once.

`read_settings(path)` returns the settings and the list of problems found (each naming
the setting, its line, the value as written and the fix); the validator turns each into
an issue, and `DatasetMeta.from_toml` raises them all in one `ConfigError`. A bad setting
never stops the others from being checked; it falls back to its default meanwhile.
"""
from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from .errors import ConfigError
from .periods import DATE_HELP, parse_iso_date, parse_period_spec

META_FILE = "dataset.toml"
# The default ceiling for an amount or a quota: far above any real deal, far below the
# figures a slipped decimal point or a pasted phone number produce (1.7e308 printed "inf").
DEFAULT_MAX_AMOUNT = 1e12


@dataclass
class IdealCustomerProfile:
    """What a high-quality lead looks like (seed 004: good size, real need, right contact)."""

    min_company_size: float = 50
    require_need: bool = True
    require_decision_maker: bool = True


PAPER_SIZES = ("a4", "letter")


@dataclass
class ReportSettings:
    """How `salesnb reports` delivers each report (the command's --pdf / --paper override these)."""

    pdf: bool = False  # also write each report as a print-ready PDF
    paper: str = "a4"  # "a4" or "letter"


@dataclass
class DatasetMeta:
    """Optional metadata from ``dataset.toml``; every field has a sensible default."""

    name: str = "Sales team"
    currency: str = "USD"
    fiscal_year_start_month: int = 1
    default_period: str | None = None  # e.g. "2026" or "2026-Q2"; None = the fiscal year of as_of
    as_of: str | None = None  # default report date (ISO); None = the latest date in the data
    max_amount: float | None = None  # the largest amount or quota accepted; None = DEFAULT_MAX_AMOUNT
    icp: IdealCustomerProfile = field(default_factory=IdealCustomerProfile)
    reports: ReportSettings = field(default_factory=ReportSettings)

    @property
    def amount_limit(self) -> float:
        """The largest amount or quota the validator accepts."""
        return DEFAULT_MAX_AMOUNT if self.max_amount is None else self.max_amount

    @classmethod
    def from_toml(cls, path: Path) -> "DatasetMeta":
        """The settings in `path`; `ConfigError` listing every problem when any setting is wrong."""
        meta, problems = read_settings(path)
        if problems:
            head = [f"{path}: {len(problems)} problems:"] if len(problems) > 1 else []
            raise ConfigError("\n".join(head + [p.format(path) for p in problems]))
        return meta


@dataclass(frozen=True)
class SettingProblem:
    """One problem in dataset.toml. `setting` is None for the file as a whole (unreadable, not TOML)."""

    setting: str | None
    value: object
    message: str
    fix: str
    line: int | None = None

    def format(self, path) -> str:
        where = f"{path}:{self.line}" if self.line else f"{path}"
        what = f" setting {self.setting}:" if self.setting else ""
        value = "" if self.value is None else f" value {str(self.value)!r}:"
        return f"{where}:{what}{value} {self.message} Fix: {self.fix}"


class _Bad(Exception):
    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.message, self.fix = message, fix


def read_settings(path: Path) -> tuple[DatasetMeta, list[SettingProblem]]:
    """The settings of dataset.toml at `path` (defaults where absent or wrong) and every problem found."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return DatasetMeta(), [SettingProblem(None, None, f"cannot be read ({exc.strerror}): {path}.",
                                              "give your user permission to read it, or delete it to use the "
                                              "defaults.")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return DatasetMeta(), [SettingProblem(None, None, "is not UTF-8 text.",
                                              "save it as UTF-8 text, or delete it to use the defaults.", line)]
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        where = f" (column {m.group(2)})" if m else ""
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        return DatasetMeta(), [SettingProblem(
            None, None, f"is not valid TOML: {reason}{where}.",
            'correct the syntax (text in quotes: currency = "EUR"; numbers and true/false without), '
            "or delete the file to use the defaults.", int(m.group(1)) if m else None)]
    meta, problems = check_settings(raw)
    lines = _setting_lines(text)
    return meta, [SettingProblem(p.setting, p.value, p.message, p.fix, lines.get(p.setting)) for p in problems]


def check_settings(raw: dict) -> tuple[DatasetMeta, list[SettingProblem]]:
    """Check parsed dataset.toml content: (the settings, defaults where wrong; every problem)."""
    problems: list[SettingProblem] = []
    values: dict = {}
    sections = {}
    for name, example in _SECTION_EXAMPLES.items():
        given = raw.get(name, {})
        if not isinstance(given, dict):
            problems.append(SettingProblem(name, given, "must be a table of settings.",
                                           f"write it as a section: a line [{name}], then {example} on the "
                                           "lines below."))
            given = {}
        sections[name] = given
    for scope, given, checks in (("", raw, _TOP), *((f"{n}.", g, _SECTIONS[n]) for n, g in sections.items())):
        for key, value in given.items():
            if scope == "" and key in _SECTIONS:
                continue
            check = checks.get(key)
            if check is None:
                problems.append(_unknown(scope, key, value, checks))
                continue
            try:
                values[scope + key] = check(value)
            except _Bad as bad:
                problems.append(SettingProblem(scope + key, _as_written(value), bad.message, bad.fix))
    inside = {n: {k[len(n) + 1:]: v for k, v in values.items() if k.startswith(f"{n}.")} for n in _SECTIONS}
    meta = DatasetMeta(**{k: v for k, v in values.items() if "." not in k},
                       icp=IdealCustomerProfile(**inside["icp"]), reports=ReportSettings(**inside["reports"]))
    return meta, problems


def _unknown(scope: str, key: str, value, checks: dict) -> SettingProblem:
    close = difflib.get_close_matches(key, list(checks), n=1, cutoff=0.6)
    known = ", ".join(checks) + ("" if scope else " and the sections " + ", ".join(f"[{s}]" for s in _SECTIONS))
    section = f" in [{scope[:-1]}]" if scope else ""
    hint = f"did you mean {close[0]}? " if close else ""
    return SettingProblem(scope + key, _as_written(value), f"is not a setting salesnb knows{section}.",
                          f"{hint}the settings{section} are {known}; delete or rename this one.")


def _as_written(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


# ---- one check per setting: the value to keep, or _Bad(message, fix)


def _number(value, what: str, example: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Bad(f"must be a number, not {_kind(value)}.", f"write {what} without quotes, e.g. {example}.")
    if not math.isfinite(value):
        raise _Bad("must be a finite number.", f"write {what} as a plain number, e.g. {example}.")
    return value


def _kind(value) -> str:
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "a table"
    if isinstance(value, (dt.date, dt.time)):
        return "a date or time"
    return "a number" if isinstance(value, (int, float)) else type(value).__name__


def _name(value) -> str:
    if not isinstance(value, str) or not value.strip():
        what = "empty" if isinstance(value, str) else _kind(value)
        raise _Bad(f"must be text in quotes, not {what}.", 'write the team\'s name, e.g. name = "EMEA sales".')
    return value


def _currency(value) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{3}", value):
        upper = value.strip().upper() if isinstance(value, str) else ""
        example = f'currency = "{upper}"' if re.fullmatch(r"[A-Z]{3}", upper) else 'currency = "EUR"'
        raise _Bad("must be a three-letter ISO 4217 currency code in capitals.",
                   f"write the code of the dataset's one currency, e.g. {example}.")
    return value


def _fiscal_month(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
        raise _Bad("must be a month number from 1 (January) to 12 (December).",
                   "write the month the fiscal year starts in, e.g. fiscal_year_start_month = 4 for April.")
    return value


def _default_period(value) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        raise _Bad("must be text in quotes.", f'write default_period = "{value}".')
    try:
        return parse_period_spec(value, "dataset.toml default_period")
    except ConfigError as exc:
        raise _Bad(f"{_without_value(exc.problem, value)}.", exc.fix) from None


def _as_of(value) -> str:
    text = value.isoformat() if isinstance(value, (dt.datetime, dt.time)) else value
    try:
        return parse_iso_date(text, "dataset.toml as_of").date().isoformat()
    except ConfigError as exc:
        raise _Bad(f"{_without_value(exc.problem, text)}.", f"{DATE_HELP}.") from None


def _without_value(problem: str, value) -> str:
    """"'banana' is not understood" -> "is not understood": the issue shows the value on its own."""
    return problem[len(repr(value)):].strip() if problem.startswith(repr(value)) else problem


def _max_amount(value) -> float:
    value = _number(value, "max_amount", "max_amount = 1e12")
    if value <= 0:
        raise _Bad("must be greater than 0.", "write the largest plausible deal amount or quota, e.g. max_amount = 1e12.")
    return float(value)


def _min_company_size(value) -> float:
    value = _number(value, "min_company_size", "min_company_size = 50")
    if value < 0:
        raise _Bad("cannot be negative.", "write the smallest number of employees of a good-size customer, "
                                          "e.g. min_company_size = 50 (0 to ignore company size).")
    return value


def _paper(value) -> str:
    text = value.strip().lower() if isinstance(value, str) else None
    if text not in PAPER_SIZES:
        raise _Bad(f"must be one of {', '.join(PAPER_SIZES)}.",
                   'write paper = "a4" (the default) or paper = "letter" (US Letter).')
    return text


def _flag(key: str):
    def check(value) -> bool:
        if not isinstance(value, bool):
            raise _Bad(f"must be true or false, not {_kind(value)}.", f"write {key} = true or {key} = false "
                                                                     "(without quotes).")
        return value
    return check


_TOP = {"name": _name, "currency": _currency, "fiscal_year_start_month": _fiscal_month,
        "default_period": _default_period, "as_of": _as_of, "max_amount": _max_amount}
_ICP = {"min_company_size": _min_company_size, "require_need": _flag("require_need"),
        "require_decision_maker": _flag("require_decision_maker")}
_REPORTS = {"pdf": _flag("pdf"), "paper": _paper}
_SECTIONS = {"icp": _ICP, "reports": _REPORTS}
_SECTION_EXAMPLES = {"icp": "min_company_size = 50, require_need = true, require_decision_maker = true",
                     "reports": 'pdf = true and paper = "a4"'}
assert set(_TOP) | set(_SECTIONS) == {f.name for f in fields(DatasetMeta)}
assert set(_ICP) == {f.name for f in fields(IdealCustomerProfile)}
assert set(_REPORTS) == {f.name for f in fields(ReportSettings)}


def _setting_lines(text: str) -> dict[str, int]:
    """The line of each `key = value` of the file, by dotted name ("as_of", "icp.min_company_size")."""
    lines: dict[str, int] = {}
    section = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if m := re.match(r"\s*\[\s*([\w.-]+)\s*\]", line):
            section = m.group(1) + "."
        elif m := re.match(r"\s*([\w.-]+)\s*=", line):
            lines.setdefault(section + m.group(1), number)
        elif m := re.match(r"\s*([\w.-]+)\s*$", line):  # a key without '=' (a syntax error) still has a line
            lines.setdefault(section + m.group(1), number)
    return lines
