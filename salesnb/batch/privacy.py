"""The privacy scan: a rep's report must not contain any other rep's name or id.

A report shows that rep's figures and anonymous team aggregates; the one exception is the suggested
peer's name. The scan reads the whole file, visible text and attributes alike (chart SVGs carry data in
``aria-label``), after undoing HTML escaping, and matches whole words so that id ``R1`` is not found
inside ``R10``. Only the template's own ``<style>`` blocks are skipped.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

_STYLE = re.compile(r"<style\b.*?</style>", re.S | re.I)


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


def report_text(raw_html: str) -> str:
    """The text the scan searches: the page minus its style sheets, with HTML escapes undone (twice,
    so a value escaped once by the report and once more inside an attribute is still found)."""
    return html.unescape(html.unescape(_STYLE.sub(" ", raw_html)))


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
            if needle.strip() and needle not in allowed:
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
