"""Small HTML pieces of the explorer: one stylesheet, tables with raw cells, folds, bars and rank arrows.

Every value from data is escaped (`present.esc`, `present.data`) by the caller or here; nothing is
parsed back. Sections are plain HTML strings so a redraw costs milliseconds and tests can read them.
"""
from __future__ import annotations

from typing import Iterable

from ..present import data, esc
from ..terms import OK_COLOR, RISK_COLOR, TEAM_BAND_COLOR, TEAM_COLOR

ROOT = "snx"  # the class every explorer block sits under, so the styles touch nothing else on the page

STYLE = f"""<style>
.{ROOT} {{ font-size: 13px; line-height: 1.4; color: #1a202c; }}
.{ROOT} h2 {{ font-size: 18px; margin: 2px 0 4px; }}
.{ROOT} h3 {{ font-size: 14px; margin: 12px 0 4px; }}
.{ROOT} table {{ border-collapse: collapse; margin: 4px 0 6px; }}
.{ROOT} th {{ text-align: left; font-weight: 600; border-bottom: 1px solid #a0aec0; padding: 2px 6px; }}
.{ROOT} td {{ padding: 2px 6px; border-bottom: 1px solid #edf2f7; vertical-align: top; }}
.{ROOT} .num {{ text-align: right; white-space: nowrap; }}
.{ROOT} .nowrap {{ white-space: nowrap; }}
.{ROOT} .note {{ color: #4a5568; font-style: italic; margin: 4px 0; }}
.{ROOT} .muted {{ color: #718096; }}
.{ROOT} .up {{ color: {OK_COLOR}; font-weight: 600; }}
.{ROOT} .down {{ color: {RISK_COLOR}; font-weight: 600; }}
.{ROOT} .risk {{ color: {RISK_COLOR}; }}
.{ROOT} ul {{ margin: 2px 0 6px; padding-left: 20px; }}
.{ROOT} li {{ margin: 1px 0; }}
.{ROOT} details {{ margin: 4px 0; }}
.{ROOT} summary {{ cursor: pointer; color: #2b6cb0; }}
.{ROOT} .bar {{ display: inline-block; vertical-align: middle; height: 12px; }}
.{ROOT} .track {{ display: inline-block; vertical-align: middle; position: relative; height: 12px;
  background: {TEAM_BAND_COLOR}; }}
.{ROOT} .mark {{ position: absolute; top: -3px; width: 2px; height: 18px; }}
.{ROOT} .swatch {{ display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: middle; }}
.{ROOT} .lead {{ font-size: 14px; margin: 2px 0 6px; }}
.{ROOT} .why {{ color: #2d3748; }}
.{ROOT} abbr.term, .{ROOT} .term {{ text-decoration: underline dotted; cursor: help; }}
/* a change is being worked on: the sign at once, the sections it touches dimmed until redrawn */
.snx-stale {{ opacity: .35; transition: opacity .15s; pointer-events: none; }}
.snx-busy {{ display: inline-flex; align-items: center; gap: 6px; font-weight: 600; color: #2b6cb0; }}
.snx-spin {{ width: 12px; height: 12px; border: 2px solid #bee3f8; border-top-color: #2b6cb0; border-radius: 50%;
  animation: snx-spin .8s linear infinite; }}
@keyframes snx-spin {{ to {{ transform: rotate(360deg); }} }}
/* every control shows where the keyboard is */
.snx-app :focus-visible, .snx-app .noUi-handle:focus, .snx-app select:focus, .snx-app input:focus,
.snx-app button:focus-visible, .snx-app .lm-TabBar-tab:focus, .snx-app summary:focus-visible,
.snx-app .jupyter-widget-Collapse-header:focus-visible, .snx-app a:focus-visible {{
  outline: 3px solid #2b6cb0 !important; outline-offset: 2px; }}
.snx-app .noUi-handle:focus {{ box-shadow: 0 0 0 3px #90cdf4; }}
.snx-app .snx-fold {{ justify-content: flex-start; text-align: left; background: #f7fafc;
  border: 1px solid #e2e8f0; font-weight: 600; margin: 4px 0 2px; height: auto; min-height: 28px;
  white-space: normal; line-height: 1.3; padding: 4px 8px; }}
/* the rank table */
.snx-grid-bar {{ display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 4px 0; }}
.snx-grid-bar input {{ min-width: 200px; padding: 2px 6px; }}
.snx-grid-count {{ color: #4a5568; font-size: 12px; }}
.snx-grid-wrap {{ overflow-x: auto; max-width: 100%; }}
.snx-grid table {{ border-collapse: collapse; margin: 4px 0 6px; }}
.snx-grid th {{ text-align: left; border-bottom: 1px solid #a0aec0; padding: 2px 6px; vertical-align: bottom; }}
.snx-grid td {{ padding: 2px 6px; border-bottom: 1px solid #edf2f7; vertical-align: middle; }}
.snx-grid button.snx-sort {{ background: none; border: none; padding: 0; font: inherit; font-weight: 600;
  cursor: pointer; color: #1a202c; }}
.snx-grid button.snx-open {{ background: none; border: none; padding: 0; font: inherit; color: #2b6cb0;
  text-decoration: underline; cursor: pointer; text-align: left; white-space: nowrap; }}
.snx-grid tr.salesnb-lb-row:hover {{ background: #ebf8ff; cursor: pointer; }}
.snx-grid tr.snx-selected {{ background: #edf2f7; }}
.snx-download {{ margin-right: 10px; }}
.snx-chart svg, .snx-report svg {{ max-width: 100%; height: auto; }}
.snx-app .snx-section > .widget-html-content {{ min-width: 0; max-width: 100%; overflow-x: auto; }}
/* a phone, or a narrow window: one column */
@media (max-width: 600px) {{
  .snx-app {{ max-width: 100vw !important; }}
  .snx-app .snx-bar, .snx-app .snx-board-tab, .snx-app .snx-actions {{ flex-direction: column !important;
    align-items: stretch !important; }}
  .snx-app .snx-bar .widget-dropdown, .snx-app .snx-weights {{ width: 100% !important; max-width: 100% !important;
    flex: 0 0 auto !important; }}
  .snx-app .snx-bar .widget-dropdown select {{ min-width: 0; }}
  .{ROOT} table, .snx-grid table {{ font-size: 12px; }}
  .snx-report table, .{ROOT} table {{ display: block; max-width: 100%; overflow-x: auto; }}
  .snx-report h2 {{ font-size: 16px; overflow-wrap: anywhere; }}
  .snx-grid .col-points {{ display: none; }}  /* the score's breakdown: on a wide screen, or in the one-on-one view */
  .snx-grid th, .snx-grid td {{ padding: 2px 4px; }}
  .{ROOT} .track {{ max-width: 45vw; }}
  .snx-app .widget-tab > .lm-TabBar {{ height: auto !important; min-height: 0 !important; }}
  .snx-app .widget-tab > .lm-TabBar .lm-TabBar-content {{ flex-wrap: wrap; height: auto !important; }}
  .snx-app .widget-tab > .lm-TabBar .lm-TabBar-tab {{ flex: 0 0 auto !important; min-width: 0 !important;
    max-width: none !important; margin-bottom: 2px; }}
  .snx-app .widget-tab > .widget-tab-contents {{ padding: 6px 2px !important; }}
}}
</style>"""


def block(inner: str, css: str = "") -> str:
    """A piece of the explorer: `inner` under the root class (so the stylesheet applies)."""
    return f'<div class="{ROOT}{" " + css if css else ""}">{inner}</div>'


def table(headers: list[str], rows: Iterable[list[str]], numeric: Iterable[int] = (), css: str = "",
          row_attrs: Iterable[str] | None = None, raw_headers: bool = False) -> str:
    """A table of raw HTML cells (the caller escapes them); columns in `numeric` are right-aligned;
    `row_attrs`: raw attributes per row (e.g. ``data-rep="R07"``); raw_headers: headers are HTML already."""
    num = set(numeric)
    rows = list(rows)
    attrs = list(row_attrs) if row_attrs is not None else [""] * len(rows)
    head = "".join(f'<th class="{"num" if i in num else ""}">{h if raw_headers else esc(h)}</th>'
                   for i, h in enumerate(headers))
    body = "".join(f"<tr{' ' + a if a else ''}>" + "".join(f'<td class="{"num" if i in num else ""}">{c}</td>'
                                                           for i, c in enumerate(r)) + "</tr>"
                   for r, a in zip(rows, attrs))
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def fold(summary: str, inner: str, css: str = "") -> str:
    """A closed fold: `summary` (escaped here) shows, `inner` opens on a click (no kernel round trip)."""
    return f'<details class="{css}"><summary>{esc(summary)}</summary>{inner}</details>'


def bullets(items: Iterable[str]) -> str:
    """A list of raw HTML items."""
    items = list(items)
    return "<ul>" + "".join(f'<li dir="auto">{i}</li>' for i in items) + "</ul>" if items else ""


def para(text: str, css: str = "") -> str:
    """An escaped paragraph."""
    return f'<p class="{css}" dir="auto">{esc(text)}</p>'


def note(text: str) -> str:
    return para(text, "note")


def arrow(change, against: str = "against the preset") -> str:
    """A rank move (`against`: what it is counted against, in words): ▲2 (up two places), ▼1, or nothing."""
    if change is None or change != change or change == 0:  # None, NA/NaN, no move
        return ""
    n = int(change)
    word = "up" if n > 0 else "down"
    places = f"{abs(n)} place{'s' if abs(n) != 1 else ''}"
    return (f'<span class="{word}" data-move="{n}" title="{places} {word} {esc(against)}">'
            f'{"▲" if n > 0 else "▼"}{abs(n)}</span>')


def stacked(parts: list[tuple[str, float, str, str]], px_per_unit: float) -> str:
    """A stacked horizontal bar: (key, value, CSS background, title) per segment, `px_per_unit` px per unit."""
    return "".join(f'<span class="bar seg" data-metric="{esc(k)}" title="{esc(t)}" '
                   f'style="width:{v * px_per_unit:.1f}px;background:{c}"></span>' for k, v, c, t in parts if v > 0)


def progress(value: float, width: int, scale: float, colour: str = TEAM_COLOR,
             marks: Iterable[tuple[float, str, str]] = ()) -> str:
    """A bar of `value` on a grey track `width` px wide that holds `scale`; marks are (value, colour, title)."""
    px = max(0.0, min(value / scale, 1.0)) * width if scale > 0 else 0.0
    ticks = "".join(f'<span class="mark" title="{esc(t)}" style="left:{max(0.0, min(v / scale, 1.0)) * width - 1:.1f}px;'
                    f'background:{c}"></span>' for v, c, t in marks if scale > 0)
    return (f'<span class="track" style="width:{width}px"><span class="bar" style="width:{px:.1f}px;'
            f'background:{colour}"></span>{ticks}</span>')


def name(value) -> str:
    """A name from data on one line (escaped and isolated)."""
    return f'<span class="nowrap">{data(value)}</span>'


def term(text: str, key: str) -> str:
    """`text` (escaped) with the glossary's line for `key` on hover (and to screen readers)."""
    from ..terms import GLOSSARY

    return f'<abbr class="term" title="{esc(GLOSSARY[key])}">{esc(text)}</abbr>'


def heading(text: str) -> str:
    return f"<h3>{esc(text)}</h3>"
