"""Generated reports in a real browser (headless Debian chromium), with every network request blocked.

Each report must open from its file without asking any host for anything, draw every chart (an inline
SVG with marks, no error text), and show a hostile rep name as text without running it.
Screenshots are kept in tests/artifacts/ for a person to look at.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from salesnb.reports import run_reports
from test_reports_helpers import HOSTILE, XSS_NAME, hostile_dataset

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Two ordinary reps and the rep whose name is an XSS attempt.
REPS = ["R009", "R012", HOSTILE["R001"][0]]


@pytest.fixture(scope="module")
def reports(tmp_path_factory, sample_dir):
    data_dir = tmp_path_factory.mktemp("data") / "team"
    hostile_dataset(sample_dir, data_dir)
    out = tmp_path_factory.mktemp("out")
    result = run_reports(data_dir, out, reps=REPS, jobs=2, progress=False)
    assert result.exit_code == 0, result.summary()
    return result


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


def _open_offline(browser, path: Path):
    """Open `path` with every request except the file itself aborted; returns (page, blocked, errors)."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    own = path.resolve().as_uri()
    blocked: list[str] = []
    errors: list[str] = []

    def route(r):
        if r.request.url == own:
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(own, wait_until="load")
    return page, blocked, errors


@pytest.mark.parametrize("rep_id", REPS)
def test_report_opens_offline_with_every_chart_drawn(reports, browser, artifacts_dir, rep_id):
    path = reports.reports[rep_id]
    page, blocked, errors = _open_offline(browser, path)
    try:
        assert blocked == [], f"the report asked for {blocked}"
        assert errors == [], errors
        charts = page.locator(".jp-RenderedSVG svg")
        n = charts.count()
        assert n >= 2, f"expected the report's charts, found {n} SVG(s)"
        for i in range(n):
            marks = charts.nth(i).locator("path, rect, line, circle, symbol, polyline").count()
            assert marks > 0, f"chart {i} of {path.name} has no marks"
            box = charts.nth(i).bounding_box()
            assert box and box["width"] > 50 and box["height"] > 50, f"chart {i} is not drawn at a visible size"
        body = page.inner_text("body")
        for bad in ("VegaLite", "Javascript Error", "Traceback", "Error:"):
            assert bad not in body, f"{bad!r} shown in {path.name}"
        page.screenshot(path=str(artifacts_dir / f"report-{path.stem}.png"), full_page=True)
    finally:
        page.close()


def test_hostile_name_shows_as_text_and_never_runs(reports, browser, artifacts_dir):
    path = reports.reports[HOSTILE["R001"][0]]
    page, blocked, errors = _open_offline(browser, path)
    try:
        assert page.evaluate("window.__pwned") is None
        assert "<script>window.__pwned=1</script>" in page.inner_text("body")
        # the <img src=x> inside the name is text, so it never asked for "x"
        assert blocked == []
    finally:
        page.close()


def test_index_opens_offline_and_links_every_report(reports, browser, artifacts_dir):
    page, blocked, errors = _open_offline(browser, reports.index_path)
    try:
        assert blocked == [] and errors == []
        assert page.evaluate("window.__pwned") is None
        hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")
        linked = {(reports.out_dir / h).resolve() for h in hrefs}
        assert linked == {p.resolve() for p in reports.reports.values()}
        assert XSS_NAME in page.inner_text("body")
        page.screenshot(path=str(artifacts_dir / "reports-index.png"), full_page=True)
    finally:
        page.close()
