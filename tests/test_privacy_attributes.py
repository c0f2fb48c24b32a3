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


def test_text_after_a_style_sheet_or_a_closed_tag_is_read_again():
    for page in ("<style>p { color: red }</style><p>Bob Stone</p>", "<p></p></div><p>Bob Stone</p>",
                 "<script>var x = 1;</script><p>Bob Stone</p>", "<SCRIPT>x</SCRIPT><p>Bob Stone</p>",
                 "<style>a{}</style><style>b{}</style></p><p>Bob Stone</p>"):
        assert [(x.rep_id, x.what) for x in scan_report(page, "R1", TEAM)] == [("R10", "name")], page


def test_a_leak_says_which_report_what_was_found_and_around_what():
    page = "<p>First line</p><p>you closed more than Bob Stone\nlast month</p>"
    (leak,) = scan_report(page, "R1", TEAM, report="R1.html")
    assert (leak.report, leak.rep_id, leak.what, leak.text) == ("R1.html", "R10", "name", "Bob Stone")
    assert leak.context.startswith("First line you closed") and leak.context.endswith("Bob Stone last month")
    assert str(leak) == f"R1.html: name of rep 'R10' ('Bob Stone') in ...{leak.context}..."


def test_allowed_names_are_blanked_longest_first_so_what_remains_is_no_false_alarm():
    # own name "Ann Lee", suggested peer "Lee", a colleague "Ann": blanking "Lee" first would leave "Ann"
    team = [("R1", "Ann Lee"), ("R2", "Ann"), ("R3", "Lee")]
    assert scan_report("<p>Ann Lee: pair with Lee</p>", "R1", team, allowed_names=["Lee"]) == []
    leaks = scan_report("<p>Ann Lee: pair with Lee, like Ann</p>", "R1", team, allowed_names=["Lee"])
    assert [(x.rep_id, x.what) for x in leaks] == [("R2", "name")]


def test_names_and_ids_without_a_letter_or_missing_are_not_looked_for():
    team = [("R1", "Ann Lee"), ("05", None), ("R3", "")]
    assert scan_report("<p>Ann Lee, 2026-05: None of 05</p>", "R1", team) == []


def test_every_report_file_is_scanned_with_its_own_peer_allowed(tmp_path):
    from salesnb.batch.privacy import scan_reports

    team = [("R1", "Ann Lee"), ("R10", "Bob Stone"), ("R2", "Cy Dole")]
    (tmp_path / "R1.html").write_text("<p>Ann Lee, pair with Bob Stone</p>", encoding="utf-8")
    (tmp_path / "R10.html").write_text("<p>Bob Stone, ahead of Ann Lee and Cy Dole</p>", encoding="utf-8")
    (tmp_path / "R2.html").write_text("<p>Cy Dole</p>", encoding="utf-8")
    leaks = scan_reports({r: tmp_path / f"{r}.html" for r in ("R1", "R10", "R2")}, team, {"R1": ["Bob Stone"]})
    assert sorted((x.report, x.rep_id) for x in leaks) == [("R10.html", "R1"), ("R10.html", "R2")]
