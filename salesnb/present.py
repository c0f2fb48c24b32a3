"""How figures and blocks look, in one place: number formatters, HTML/text blocks, bidi isolation.

Every reader (the report, the team explorer, the index page, the command line) formats numbers with the
functions here, so a figure reads the same in a sentence and in the table beside it. Blocks carry an HTML
and a plain-text form, both deterministic (nbval compares them). Every value is HTML-escaped, and text
from data is isolated (``<bdi>``, or FSI/PDI in plain text) so a name with right-to-left characters
cannot reverse the words around it.

Imports neither pandas nor altair: a report kernel loads this module in milliseconds.
"""
from __future__ import annotations

import html
import math
import re
from typing import Any, Iterable

MISSING = "—"

# ------------------------------------------------------------------ numbers


def missing(value: Any) -> bool:
    """True for None, NaN, pandas NA/NaT and infinities: a figure that does not exist."""
    if value is None:
        return True
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value) in ("<NA>", "NaT", "nan", "")
    return not math.isfinite(v)


def pct(value: Any, digits: int = 0) -> str:
    """A ratio as a percentage (0.853 -> "85%"), or an em dash when unknown."""
    return MISSING if missing(value) else f"{float(value) * 100:.{digits}f}%"


def pct_below(value: Any, bar: float) -> str:
    """A ratio as a whole percent, with one decimal where rounding would reach `bar` from below:
    0.898 against a 0.9 bar reads "89.8%", never "90%"."""
    if missing(value):
        return MISSING
    v = float(value)
    if v < bar and round(v * 100) >= round(bar * 100):
        return f"{math.floor(v * 1000) / 10:.1f}%"
    return pct(v)


def money(value: Any, currency: str = "") -> str:
    """A whole amount with thousands separators and the currency ("3,038 USD"), or an em dash."""
    return MISSING if missing(value) else f"{float(value):,.0f} {currency}".strip()


def num(value: Any, digits: int = 1) -> str:
    """A number with `digits` decimals and thousands separators, or an em dash."""
    return MISSING if missing(value) else f"{float(value):,.{digits}f}"


def count(value: Any) -> str:
    """A whole count ("1,204"), or an em dash."""
    return MISSING if missing(value) else f"{round(float(value)):,d}"


def multiple(value: Any) -> str:
    """A ratio as a multiple ("1.3x"), or an em dash."""
    return MISSING if missing(value) else f"{float(value):.1f}x"


def points(value: Any) -> str:
    """Score points with one decimal ("12.5"), or an em dash."""
    return num(value, 1)


def pct_points(delta: Any) -> str:
    """A change of a ratio in percentage points ("+5 points", "-12 points")."""
    if missing(delta):
        return MISSING
    p = round(float(delta) * 100)
    return f"{p:+d} point{'s' if abs(p) != 1 else ''}"


def capital(text: str) -> str:
    """`text` with its first letter in upper case, as a sentence of its own starts ("a year-to-date view ..." ->
    "A year-to-date view ...")."""
    return text[:1].upper() + text[1:]


def plural(n: Any, word: str, many: str | None = None) -> str:
    """ "1 deal", "3 deals" (with thousands separators)."""
    k = round(float(n))
    return f"{k:,d} {word if k == 1 else (many or word + 's')}"


def by_unit(value: Any, unit: str, currency: str = "") -> str:
    """A metric value formatted by its catalogue unit (ratio, money, count, days, multiple, ...)."""
    if unit == "ratio":
        return pct(value)
    if unit in ("money", "money_per_day"):
        return money(value, currency)
    if unit == "multiple":
        return multiple(value)
    if unit == "count":
        return count(value)
    return num(value, 1)


# ------------------------------------------------------------------ text from data

# Characters that change the direction of the text around them.
_BIDI = re.compile("[\u0590-\u08ff\u200e\u200f\u202a-\u202e\u2066-\u2069\ufb1d-\ufdff\ufe70-\ufefc]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# a value from data is one line on screen: a newline or carriage return in a name would forge a line of output
_BREAKS = re.compile("[\t\n\r\x85\u2028\u2029]")


def esc(value: Any) -> str:
    """HTML-escape a value's text (controls dropped)."""
    return html.escape(_CONTROL.sub("", "" if value is None else str(value)), quote=True)


def data(value: Any) -> str:
    """Text from data (a name, an id, an account) for HTML: escaped and isolated in ``<bdi>``."""
    return f"<bdi>{esc(value)}</bdi>"


# Characters that take no room on screen: bidi marks, embeddings, overrides and isolates, joiners.
_NO_WIDTH = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def isolate(value: Any) -> str:
    """Text from data for plain text, on one line and without control characters (terminal escapes), wrapped
    in FSI/PDI when it holds right-to-left or bidi characters.

    Isolates the value opens itself are closed first, so that the closing PDI ends the value's own isolate
    (a PDI ends every embedding and override opened inside it). Clip before isolating, never after.
    """
    text = _CONTROL.sub("", _BREAKS.sub(" ", "" if value is None else str(value)))
    if not _BIDI.search(text):
        return text
    depth = 0
    for ch in text:
        if ch in "\u2066\u2067\u2068":
            depth += 1
        elif ch == "\u2069" and depth:
            depth -= 1
    return "\u2068" + text + "\u2069" * (depth + 1)


def _shown_width(text: str) -> int:
    """How many characters `text` takes on screen (bidi and other invisible format characters take none)."""
    return len(text) - len(_NO_WIDTH.findall(text))


def clip(text: Any, width: int) -> str:
    """At most `width` characters, the cut marked with an ellipsis."""
    s = "" if text is None else str(text)
    return s if len(s) <= width else s[: max(1, width - 1)] + "…"


# ------------------------------------------------------------------ blocks


class Block:
    """A piece of output with an HTML and a plain-text form; notebooks display the HTML."""

    def __init__(self, html_text: str, plain: str):
        self.html = html_text
        self.plain = plain

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.plain

    def __add__(self, other: "Block") -> "Block":
        return join([self, other])


def join(blocks: Iterable["Block | None"]) -> Block:
    """Blocks one after the other (None skipped)."""
    bs = [b for b in blocks if b is not None]
    return Block("".join(b.html for b in bs), "\n".join(b.plain for b in bs if b.plain))


def heading(text: str, level: int = 2, from_data: bool = False) -> Block:
    body = data(text) if from_data else esc(text)
    return Block(f"<h{level}>{body}</h{level}>", text)


def paragraphs(lines: Iterable[str], css: str = "") -> Block:
    """Sentences as paragraphs (escaped; sentences that carry names are isolated by their writer)."""
    lines = list(lines)
    cls = f' class="{css}"' if css else ""
    return Block("".join(f'<p{cls} dir="auto">{esc(s)}</p>' for s in lines), "\n".join(lines))


def note(text: str) -> Block:
    """A short note shown in place of a section whose data is missing, or beside a weak finding."""
    return Block(f'<p class="salesnb-note" dir="auto"><em>{esc(text)}</em></p>', f"Note: {text}")


def bullets(lines: Iterable[str]) -> Block:
    lines = list(lines)
    items = "".join(f'<li dir="auto">{esc(s)}</li>' for s in lines)
    return Block(f"<ul>{items}</ul>", "\n".join(f"- {s}" for s in lines))


# a cell that reads as a figure: 1,250 / -3.5 / 87% / 1.3x / 312,000 USD / +5 points / — (none)
_FIGURE = re.compile(r"^[+\-−]?\d[\d,]*(\.\d+)?(\s?(%|x|[A-Z]{3}|points?))?$|^[—–-]?$")
_SHORT = 24  # text columns up to this many characters are kept on one line


def _is_figure(value: Any) -> bool:
    return isinstance(value, (int, float)) or bool(_FIGURE.match(str(value)))


def _column_style(column: str, values: list[Any]) -> str:
    """Figures right-aligned on one line; text left-aligned, on one line when short (names, roles).

    Inline, because JupyterLab's stylesheet right-aligns every table cell and a notebook cannot ship
    its own CSS.
    """
    if values and all(_is_figure(v) for v in values):
        return "text-align:right;white-space:nowrap"
    if max((len(str(t)) for t in [column, *values]), default=0) <= _SHORT:
        return "text-align:left;white-space:nowrap"
    return "text-align:left"


def table(columns: list[str], rows: list[list[Any]], css: str = "salesnb", data_columns: Iterable[int] = ()) -> Block:
    """A small table; every cell is escaped, cells of `data_columns` (names, ids) are isolated."""
    isolated = set(data_columns)
    styles = [_column_style(c, [r[i] for r in rows]) for i, c in enumerate(columns)]
    head = "".join(f'<th style="{st}">{esc(c)}</th>' for c, st in zip(columns, styles))
    body = "".join(
        "<tr>" + "".join(f'<td style="{st}">{data(v) if i in isolated else esc(v)}</td>'
                         for i, (v, st) in enumerate(zip(row, styles))) + "</tr>"
        for row in rows)
    return Block(f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>',
                 text_table(columns, rows, max_width=10_000))


def text_table(columns: list[str], rows: list[list[Any]], max_width: int = 40) -> str:
    """A plain-text table, columns padded to their widest cell; cells longer than `max_width` are clipped
    (a 100,000-character name must not pad every line of a terminal table)."""
    cells = [[isolate(clip(v, max_width)) for v in row] for row in [columns, *rows]]
    widths = [max(_shown_width(r[i]) for r in cells) for i in range(len(columns))]
    return "\n".join("  ".join(v + " " * (w - _shown_width(v)) for v, w in zip(r, widths)).rstrip() for r in cells)
