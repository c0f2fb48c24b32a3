"""Every relative link of the docs and the README leads somewhere: the file exists, and the #anchor is a heading."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*#*$", text, flags=re.M)}


def links(page: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    return [t for t in LINK.findall(text) if not re.match(r"[a-z]+:", t)]


def test_slug_is_githubs():
    assert slug("Joins: columns from a second file") == "joins-columns-from-a-second-file"
    assert slug("An API export (Data Loader, Data Export, Workbench: field names)") == \
        "an-api-export-data-loader-data-export-workbench-field-names"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_resolve(page):
    for target in links(page):
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        assert dest.exists(), f"{page.name}: link to {target}: {dest} does not exist"
        if anchor:
            assert dest.suffix == ".md", f"{page.name}: {target}: an anchor into a file that is not markdown"
            assert anchor in anchors(dest), f"{page.name}: link to {target}: no heading #{anchor} in {dest.name}"


def test_the_pages_link_where_they_say_see():
    """A reference such as "see *Dates*" names a section of the same page: it must exist as a heading."""
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for name in re.findall(r"[Ss]ee \*([^*]+)\*", text):
            name = " ".join(name.split())
            assert any(a.startswith(slug(name)) for a in anchors(page)), f"{page.name}: 'see *{name}*': no such section"
