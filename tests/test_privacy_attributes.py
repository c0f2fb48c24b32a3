"""The privacy scan reads every place a browser shows words or a script reads them, not only the page's text.

Each case hides another rep's name (and id) in one place of an otherwise clean page; the scan must find it.
A name in geometry or styling (a path, a colour, a class in a style sheet) is not words and is not looked for.
"""
from __future__ import annotations

import pytest

from salesnb.batch.privacy import scan_report

TEAM = [("R1", "Ann Lee"), ("R10", "Bob Stone")]
CLEAN = "<html><head><title>Ann Lee: sales report</title></head><body><h1>Ann Lee</h1>{}</body></html>"

# (where, snippet with {name} and {id}): shown by a browser (tooltips, alternatives, form text, the tab's
# title), read by assistive technology (aria-*), or read by a script (data-* attributes, hidden inputs)
PLACES = [
    ("title attribute (tooltip)", '<td title="ahead of {name} ({id})">3</td>'),
    ("title on an SVG mark", '<svg><rect title="{name} {id}" width="3" height="4"/></svg>'),
    ("SVG <title> element", "<svg><g><title>{name} {id}</title><rect/></g></svg>"),
    ("xlink:title", '<svg><a xlink:title="{name} {id}"><rect/></a></svg>'),
    ("data-* attribute", '<div data-rep="{name}" data-rep-id="{id}">x</div>'),
    ("data-* on an SVG mark", '<svg><circle data-tooltip="{name}: {id}" r="2"/></svg>'),
    ("alt", '<img alt="chart of {name} {id}" src="data:image/png;base64,AAAA">'),
    ("aria-label", '<svg aria-label="{name} {id}"></svg>'),
    ("aria-description", '<div aria-description="{name} {id}">x</div>'),
    ("aria-valuetext", '<div role="meter" aria-valuetext="{name} {id}">x</div>'),
    ("aria-roledescription", '<div aria-roledescription="{name} {id}">x</div>'),
    ("placeholder", '<input placeholder="{name} {id}">'),
    ("hidden input value", '<input type="hidden" value="{name} {id}">'),
    ("option label", '<select><option label="{name} {id}">x</option></select>'),
    ("abbr", '<table><tr><th abbr="{name} {id}">x</th></tr></table>'),
    ("download file name", '<a href="data:text/csv,1" download="{name} {id}.csv">csv</a>'),
    ("link target", '<a href="#{id}-{name}">more</a>'),
    ("meta content", '<meta name="author" content="{name} {id}">'),
    ("escaped in an attribute", '<td title="{name_escaped} &#82;10">x</td>'),
]


def _page(snippet: str) -> str:
    return CLEAN.format(snippet.format(name="Bob Stone", id="R10", name_escaped="Bob&#32;Stone"))


@pytest.mark.parametrize("where, snippet", PLACES, ids=[p[0] for p in PLACES])
def test_another_reps_name_and_id_are_found_wherever_a_browser_or_script_reads_them(where, snippet):
    found = {(leak.rep_id, leak.what) for leak in scan_report(_page(snippet), "R1", TEAM)}
    assert found == {("R10", "name"), ("R10", "id")}, where


def test_the_clean_page_and_geometry_or_styling_hold_no_leak():
    # the own name and id everywhere; another rep's id only where it is not words (a class in a style
    # sheet, a colour, a path, a size): no false alarm that would block a report
    page = CLEAN.format('<style>.R10 { color: red }</style><td title="Ann Lee (R1)" data-rep="R1">1</td>'
                        '<svg><path d="M 0 0 L 10 10" fill="#R10" stroke-width="1"/></svg>')
    assert scan_report(page, "R1", TEAM) == []
