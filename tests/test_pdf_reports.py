"""Reports printed to PDF by Chromium: at most 3 A4 pages for a typical rep, every word of the page in the
PDF, no heading left at the bottom of a page, no table or chart split across pages, fonts embedded, no
request to any host while printing, and PDFs that count in resume.

Two real reports of the sample (the real notebook), printed once; the checks read the PDFs with pypdf.
"""
from __future__ import annotations

import http.server
import re
import shutil
import threading
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from salesnb.batch.pdf import MARGINS, PdfPrinter
from salesnb.batch.status import read_status
from salesnb.config import TEMPLATES_DIR
from salesnb.errors import PdfError
from salesnb.reports import run_reports

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPS = ["R006", "R016"]  # John Carter (at risk, a full report) and a typical rep with a long deal list
A4 = (595.0, 842.0)  # points, rounded down
LETTER = (612.0, 792.0)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, sample_dir):
    d = tmp_path_factory.mktemp("data") / "team"
    shutil.copytree(sample_dir, d)
    with open(d / "dataset.toml", "a", encoding="utf-8") as fh:  # PDFs asked for in the dataset's settings
        fh.write("\n[reports]\npdf = true\n")
    return d


@pytest.fixture(scope="module")
def run(tmp_path_factory, data_dir):
    out = tmp_path_factory.mktemp("pdf") / "out"
    result = run_reports(data_dir, out, reps=REPS, jobs=2, progress=False)
    assert result.exit_code == 0, result.summary()
    assert sorted(result.pdfs) == REPS and sorted(result.pdf_written) == REPS
    return result


# ------------------------------------------------------------------ reading the page and the PDF

class Page(HTMLParser):
    """The report page's text nodes, headings, table cells and chart texts."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.headings: list[str] = []
        self.tables: list[list[str]] = []
        self.charts: list[list[str]] = []
        self._skip = 0
        self._in: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "title"):
            self._skip += 1
        if tag == "table":
            self.tables.append([])
        if tag == "svg":
            self.charts.append([])
        if tag in ("h1", "h2", "h3"):
            self.headings.append("")
        self._in.append(tag)

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title") and self._skip:
            self._skip -= 1
        while self._in and self._in.pop() != tag:
            pass

    def handle_data(self, data):
        if self._skip or not data.strip():
            return
        self.texts.append(data)
        if "table" in self._in:
            self.tables[-1].append(data)
        if "svg" in self._in:
            self.charts[-1].append(data)
        if any(t in self._in for t in ("h1", "h2", "h3")):
            self.headings[-1] += data


def squash(text: str) -> str:
    """Compare texts without their spacing, line breaks, ligatures (ﬁ) or bidi isolates."""
    return re.sub(r"[\s\u2066-\u2069]+", "", unicodedata.normalize("NFKC", text))


def page_items(page) -> list[tuple[float, float, str]]:
    """(height from the bottom of the page, font size, text) of every piece of text on a PDF page, in points;
    the footer (in the bottom margin) left out."""
    items = []

    def visit(text, cm, tm, font, size):
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if text.strip() and y > BOTTOM_MARGIN:
            items.append((y, size * tm[3] * cm[3], text))

    page.extract_text(visitor_text=visit)
    return items


BOTTOM_MARGIN = 30  # points: the footer's line is below this, the content above
HEADING_SIZE = 9.5  # points: h2 and h3 are printed at 12 and 10 pt, the text at 8.6 pt and less


def fonts_of(resources, seen=None) -> list:
    """Every font dictionary used on a page, in its forms (charts, the footer) too."""
    seen = seen if seen is not None else set()
    found = []
    if not resources:
        return found
    resources = resources.get_object()
    for ref in (resources.get("/Font") or {}).values():
        found.append(ref.get_object())
    for ref in (resources.get("/XObject") or {}).values():
        xobj = ref.get_object()
        if id(xobj) not in seen and xobj.get("/Subtype") == "/Form":
            seen.add(id(xobj))
            found += fonts_of(xobj.get("/Resources"), seen)
    return found


def embedded(font) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # drawn by its own glyph procedures, inside the PDF
    if font.get("/Subtype") == "/Type0":
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2",
                                                                                  "/FontFile3"))


# ------------------------------------------------------------------ tests

@pytest.mark.parametrize("rep_id", REPS)
def test_a_typical_report_fits_three_a4_pages_with_every_word_of_the_page(run, rep_id):
    reader = PdfReader(run.pdfs[rep_id])
    assert 1 <= len(reader.pages) <= 3
    assert all(tuple(float(int(x)) for x in p.mediabox[2:]) == A4 for p in reader.pages)
    page = Page(run.reports[rep_id].read_text(encoding="utf-8"))
    printed = squash("".join(p.extract_text() for p in reader.pages))
    missing = [t for t in page.texts if squash(t) not in printed]
    assert len(page.texts) > 200 and missing == [], missing[:10]


@pytest.mark.parametrize("rep_id", REPS)
def test_no_heading_ends_a_page_and_no_table_or_chart_is_split(run, rep_id):
    reader = PdfReader(run.pdfs[rep_id])
    pages = [page_items(p) for p in reader.pages]
    texts = [squash("".join(t for _, _, t in items)) for items in pages]
    page = Page(run.reports[rep_id].read_text(encoding="utf-8"))
    for heading in page.headings:
        (where,) = [i for i, text in enumerate(texts) if squash(heading) in text]
        pieces = [y for y, size, t in pages[where] if size >= HEADING_SIZE and squash(t) in squash(heading)]
        below = [t for y, _, t in pages[where] if y < min(pieces) - 1]
        assert below, f"heading {heading!r} is the last text of page {where + 1}"
    for kind, blocks in (("table", page.tables), ("chart", page.charts)):
        for cells in blocks:
            assert any(all(squash(c) in text for c in cells) for text in texts), \
                f"a {kind} is split across pages: {cells[:6]}"
    assert len(page.tables) >= 5 and len(page.charts) >= 4


# Elements that reach past the page's width, or past an ancestor that clips what overflows it (a table
# wider than its output area is cut there, in print as on screen).
CUT_OFF = """(width) => {
  const limit = (e) => {
    let right = width;
    for (let a = e.parentElement; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX !== 'visible' || s.overflow !== 'visible')
        right = Math.min(right, a.getBoundingClientRect().right);
    }
    return right;
  };
  return [...document.querySelectorAll('table, svg, p, li, h2, h3')]
    .filter(e => e.getBoundingClientRect().right > limit(e) + 0.5)
    .map(e => e.tagName + ': ' + e.textContent.slice(0, 60));
}"""


def test_nothing_reaches_past_the_margin(run):
    """Laid out for print at the width between the A4 margins, nothing is wider than that, nor cut short."""
    from playwright.sync_api import sync_playwright

    from salesnb.batch.pdf import find_browser

    mm = 96 / 25.4
    width = round((210 - float(MARGINS["left"][:-2]) - float(MARGINS["right"][:-2])) * mm)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_browser(), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 1000}, java_script_enabled=True)
            page.emulate_media(media="print")
            for rep_id in REPS:
                page.goto(run.reports[rep_id].as_uri())
                wide = page.evaluate(CUT_OFF, width)
                assert wide == [], f"{rep_id}: past the margin: {wide[:5]}"
        finally:
            browser.close()


def test_every_font_is_embedded(run):
    for rep_id in REPS:
        fonts = [f for p in PdfReader(run.pdfs[rep_id]).pages for f in fonts_of(p.get("/Resources"))]
        assert fonts and [f.get("/BaseFont") for f in fonts if not embedded(f)] == []


def test_the_index_links_the_report_and_its_pdf(run):
    index = run.index_path.read_text(encoding="utf-8")
    for rep_id in REPS:
        assert f'href="{rep_id}.html"' in index and f'href="{rep_id}.pdf"' in index


def test_pdfs_count_in_resume_and_the_paper_can_be_letter(run, data_dir):
    out = run.out_dir
    again = run_reports(data_dir, out, reps=REPS, jobs=2, progress=False)
    assert again.written == [] and again.pdf_written == {} and sorted(again.pdfs) == REPS
    (out / "R006.pdf").unlink()  # a missing PDF and an edited one are printed again, without the notebook
    with open(out / "R016.pdf", "ab") as fh:
        fh.write(b"%edited")
    again = run_reports(data_dir, out, reps=REPS, jobs=2, progress=False)
    assert again.written == [] and sorted(again.pdf_written) == REPS and again.exit_code == 0
    letter = run_reports(data_dir, out, reps=REPS, jobs=2, progress=False, paper="letter")
    assert letter.written == [] and sorted(letter.pdf_written) == REPS
    for rep_id in REPS:
        reader = PdfReader(out / f"{rep_id}.pdf")
        assert all(tuple(float(int(x)) for x in p.mediabox[2:]) == LETTER for p in reader.pages)
        assert len(reader.pages) <= 3
        assert read_status(out / "_batch" / "status" / f"{rep_id}.json")["pdf"]["paper"] == "letter"
    no_pdf = run_reports(data_dir, out, reps=REPS, jobs=2, progress=False, pdf=False)
    assert no_pdf.pdf_written == {} and no_pdf.paper is None and (out / "R006.pdf").is_file()  # kept, still true


def test_printing_requests_nothing_from_any_host(tmp_path):
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"http://127.0.0.1:{server.server_address[1]}"
    page = tmp_path / "r.html"
    page.write_text(f'<html><head><link rel="stylesheet" href="{host}/s.css"><style>@import "{host}/i.css";'
                    f'body {{ background: url({host}/b.png); }}</style></head><body><p>Hello</p>'
                    f'<img src="{host}/x.png"><script src="{host}/j.js"></script></body></html>')
    try:
        with PdfPrinter("a4") as printer, pytest.raises(PdfError, match="outside resource"):
            printer.render(page, tmp_path / "r.pdf")
    finally:
        server.shutdown()
    assert requests == [] and not (tmp_path / "r.pdf").exists()


def test_the_print_margins_are_the_templates():
    css = (TEMPLATES_DIR / "salesnb_report" / "index.html.j2").read_text(encoding="utf-8")
    (rule,) = re.findall(r"@page\s*\{\s*margin:\s*([^;]+);", css)
    assert rule.split() == [MARGINS[k] for k in ("top", "right", "bottom", "left")]
