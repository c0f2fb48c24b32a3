"""The privacy scan: the last check that a rep's report holds no other rep's name or id.

A report is built from that rep's facts, anonymous aggregates of the role and the suggested peer's name,
so nothing has to be found here; the scan makes sure. It reads what a reader can see or a tool can
extract: the text of the page and the attributes that carry words (``aria-*`` such as chart marks' labels,
``title``, ``alt``, ``href``, ``download``, ``data-*``), after undoing HTML escaping, and matches whole tokens, so
that id ``R1`` is not found inside ``R10``. An id or name without a letter in it (``1``, ``05``, ``.``,
``2026-01``) is not looked for: it cannot be told apart from a figure or a date, and the report never
held it in the first place.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable

# attributes that carry words a reader, a screen reader or a script gets (geometry and styling are left out):
# these, every aria-* and data-* attribute, and titles in another namespace (SVG's xlink:title)
_WORDY = {"title", "alt", "href", "value", "content", "label", "placeholder", "abbr", "summary", "download",
          "srcdoc"}
_WORDY_PREFIXES = ("aria-", "data-")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Leak:
    """Another rep's name or id found in a report."""

    report: str
    rep_id: str  # the rep whose name/id leaked
    what: str  # "name" or "id"
    text: str
    context: str

    def __str__(self) -> str:
        return f"{self.report}: {self.what} of rep {self.rep_id!r} ({self.text!r}) in ...{self.context}..."


@lru_cache(maxsize=4096)
def _word(text: str) -> re.Pattern:
    return re.compile(r"(?<![\w])" + re.escape(text) + r"(?![\w])")


class _Words(HTMLParser):
    """Collects visible text and wordy attribute values, one piece per line."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        for name, value in attrs:
            if value and (name in _WORDY or name.startswith(_WORDY_PREFIXES) or name.endswith(":title")):
                self.parts.append(html.unescape(value))

    def handle_endtag(self, tag):
        if tag in ("style", "script") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data)


def report_text(raw_html: str) -> str:
    """The words the scan searches: visible text and wordy attributes, escapes undone."""
    parser = _Words()
    parser.feed(raw_html)
    parser.close()
    return "\n".join(parser.parts)


def scannable(needle: str) -> bool:
    """Only ids and names with a letter can be found without mistaking figures and dates for them."""
    return bool(needle.strip()) and bool(_LETTER.search(needle))


def scan_report(raw_html: str, own_rep_id: str, reps: Iterable[tuple[str, str]], *,
                allowed_names: Iterable[str] = (), report: str = "") -> list[Leak]:
    """Every other rep's name or id found in one report.

    reps: (rep_id, name) of the whole team. allowed_names: names that may appear (the suggested peer's).
    A name is not reported when it is also the report's own rep's name or an allowed name (two reps can
    share a name; the reader cannot tell them apart).
    """
    text = report_text(raw_html)
    reps = [(str(r), "" if n is None else str(n)) for r, n in reps]
    own_names = {n for r, n in reps if r == own_rep_id}
    allowed = {str(n) for n in allowed_names if n} | own_names | {own_rep_id}
    # Blank out the names that may appear, so that a colleague called "Ann" is not found inside "Ann Lee".
    for ok in sorted((a for a in allowed if a.strip()), key=len, reverse=True):
        text = _word(ok).sub(" ", text)
    needles: dict[str, list[tuple[str, str]]] = {}  # text -> [(rep_id, "id"/"name")]
    for rep_id, name in reps:
        if rep_id == own_rep_id:
            continue
        for what, needle in (("id", rep_id), ("name", name)):
            if scannable(needle) and needle not in allowed:
                needles.setdefault(needle, []).append((rep_id, what))
    leaks: list[Leak] = []
    if not needles:
        return leaks
    # One pass over the page for all needles; overlapping needles (``Ann`` in ``Ann Lee``) are checked
    # one by one only when the combined pass found something that contains them.
    found: dict[str, re.Match] = {}
    for m in _combined(tuple(sorted(needles, key=len, reverse=True))).finditer(text):
        found.setdefault(m.group(1), m)
    for needle in needles:
        m = found.get(needle)
        if m is None and any(needle in f for f in found):
            m = _word(needle).search(text)
        if m is None:
            continue
        ctx = text[max(0, m.start() - 40): m.end() + 40].replace("\n", " ")
        for rep_id, what in needles[needle]:
            leaks.append(Leak(report, rep_id, what, needle, ctx))
    return leaks


@lru_cache(maxsize=8)
def _combined(needles: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?<![\w])(" + "|".join(re.escape(n) for n in needles) + r")(?![\w])")


def scan_reports(reports: dict[str, Path], reps: Iterable[tuple[str, str]],
                 peers: dict[str, Iterable[str]] | None = None) -> list[Leak]:
    """Scan every report file; `reports` maps rep_id to its HTML file, `peers` rep_id to allowed names."""
    reps = list(reps)
    peers = peers or {}
    leaks: list[Leak] = []
    for rep_id, path in reports.items():
        text = Path(path).read_text(encoding="utf-8")
        leaks += scan_report(text, rep_id, reps, allowed_names=peers.get(rep_id, ()), report=Path(path).name)
    return leaks
