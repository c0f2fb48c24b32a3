"""The dashboard as a manager uses it, in a real browser (Debian's chromium through Playwright) against one
`salesnb dashboard` server for the whole module: keyboard only, downloads, a row that opens a rep, the busy sign
and dimmed sections while a period loads, and the phone layout (390x844).

Expected figures come from the package's scorer and metric engine, not from the page. Screenshots go to
tests/artifacts/ (git-ignored) for a person to look at.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from salesnb.config import SAMPLE_DIR

from test_explorer_browser import CHROMIUM, CHROMIUM_ARGS, _free_port, _jupyter_env, server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
ROWS = ".snx-grid tbody tr.salesnb-lb-row"
ACTIVE = """() => { const e = document.activeElement; const r = e.getBoundingClientRect();
  const st = getComputedStyle(e);
  return {tag: e.tagName, cls: String(e.className || ''), text: (e.innerText || e.value || '').slice(0, 40),
          visible: e.offsetParent !== null && r.width > 0 && r.height > 0,
          outline: parseFloat(st.outlineWidth) || 0, outlineStyle: st.outlineStyle, shadow: st.boxShadow,
          rep: (e.closest('tr') || {dataset: {}}).dataset.rep || null,
          slider: e.classList.contains('noUi-handle') ? e.getAttribute('aria-valuenow') : null}; }"""


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """One dashboard on the sample for the module (its first period analysed before serving)."""
    tmp = tmp_path_factory.mktemp("dash")
    port = _free_port()
    cmd = [sys.executable, "-m", "salesnb", "dashboard", "--port", str(port), "--no-browser"]
    url = f"http://127.0.0.1:{port}/?token=app-browser-test"  # the token the dashboard takes from JUPYTER_TOKEN
    with server(cmd, url, tmp, {**_jupyter_env(tmp), "JUPYTER_TOKEN": "app-browser-test"}, tmp / "voila.log"):
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make browser)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_page(browser, url: str, viewport=DESKTOP, downloads: bool = False):
    ctx = browser.new_context(viewport=viewport, accept_downloads=downloads)
    page = ctx.new_page()
    page.goto(url, timeout=180_000)
    page.wait_for_selector(".snx-summary", timeout=180_000)
    page.wait_for_function("() => !document.querySelector('.snx-busy')", timeout=120_000)
    return ctx, page


def expected_order() -> list[str]:
    """The outcomes-first ranking of the sample's year, as the scorer gives it (rank, then name)."""
    from salesnb.load import load
    from salesnb.metrics import metrics
    from salesnb.scorecard import PRESETS, score

    s = score(metrics(load(SAMPLE_DIR)), PRESETS["outcomes-first"]).scores
    return list(s.sort_values(["rank_in_role", "name"])["rep_id"])


def tab_to(page, want, limit: int = 150) -> list[dict]:
    """Press Tab until `want(active)` holds; every element passed on the way is returned."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        a = page.evaluate(ACTIVE)
        seen.append(a)
        if want(a):
            return seen
    raise AssertionError(f"not reached by Tab; passed: {[(s['tag'], s['text'][:20]) for s in seen[-30:]]}")


def _check_passed(seen: list[dict]) -> None:
    """Every control the Tab key lands on is on screen (never inside a closed fold) and shows its focus."""
    for a in seen:
        if a["tag"] == "BODY":
            continue
        assert a["visible"], f"the Tab order runs through something hidden: {a}"
        assert (a["outline"] >= 2 and a["outlineStyle"] != "none") or a["shadow"] != "none", f"focus not visible: {a}"


def test_keyboard_only_reaches_and_moves_every_slider_and_sorts_the_table(browser, dashboard, artifacts_dir):
    ctx, page = open_page(browser, dashboard)
    try:
        # from the top of the page: the controls, then the tab bar; the arrow keys and Enter open Leaderboard
        seen = tab_to(page, lambda a: "lm-TabBar-tab" in a["cls"])
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        page.wait_for_selector(ROWS, timeout=60_000)
        page.wait_for_selector(".snx-weight .noUi-handle", timeout=60_000)
        # one pass of the Tab key: open each closed weight group met, move each slider met, up to the table
        moved = 0
        for _ in range(200):
            page.keyboard.press("Tab")
            a = page.evaluate(ACTIVE)
            seen.append(a)
            if "snx-fold" in a["cls"] and "mod-active" not in a["cls"]:
                page.keyboard.press("Enter")  # opens the group: its sliders come next in the Tab order
                page.wait_for_function("() => { const c = document.activeElement.nextElementSibling; "
                                       "return !!c && c.offsetParent !== null; }", timeout=30_000)
            elif a["slider"] is not None:
                page.keyboard.press("ArrowRight")
                page.wait_for_function("v => document.activeElement.getAttribute('aria-valuenow') !== v",
                                       arg=a["slider"], timeout=30_000)
                moved += 1
            elif a["tag"] == "BUTTON" and a["text"].startswith("Score"):
                break
        handles = page.locator(".snx-weight .noUi-handle").count()
        assert moved == handles >= 10, f"moved {moved} of {handles} sliders by keyboard"
        page.wait_for_function("() => [...document.querySelectorAll('.widget-dropdown')].some(d => "
                               "d.innerText.includes('Weights') && d.querySelector('select').value === 'custom')",
                               timeout=60_000)
        page.wait_for_function("() => !document.querySelector('.snx-busy')", timeout=60_000)
        # the rank table: the Score column's button, reached by Tab, sorts with Enter
        page.locator("button.snx-sort", has_text="Score").focus()
        page.keyboard.press("Enter")  # highest score first
        page.wait_for_function("() => document.querySelector('th[aria-sort=descending]')", timeout=30_000)
        scores = page.eval_on_selector_all(ROWS, "rs => rs.map(r => parseFloat(r.children[3].innerText))")
        assert scores == sorted(scores, reverse=True) and len(scores) >= 10
        page.keyboard.press("Enter")  # and lowest first
        page.wait_for_function("() => document.querySelector('th[aria-sort=ascending]')", timeout=30_000)
        scores = page.eval_on_selector_all(ROWS, "rs => rs.map(r => parseFloat(r.children[3].innerText))")
        assert scores == sorted(scores)
        _check_passed(seen)
        page.screenshot(path=str(artifacts_dir / "app_keyboard.png"))
    finally:
        ctx.close()


def test_a_row_click_opens_that_reps_one_on_one_view(browser, dashboard, artifacts_dir):
    from salesnb.load import load

    names = load(SAMPLE_DIR).reps.set_index("rep_id")["name"]
    ctx, page = open_page(browser, dashboard)
    try:
        page.locator(".widget-tab .lm-TabBar-tab", has_text="Leaderboard").first.click()
        page.wait_for_selector(ROWS, timeout=60_000)
        order = page.eval_on_selector_all(ROWS, "rs => rs.map(r => r.dataset.rep)")
        assert order == expected_order()[:len(order)]
        rep = order[2]
        page.locator(f"{ROWS}[data-rep='{rep}'] td").nth(4).click()  # a cell of the row, not the name button
        page.wait_for_function("r => [...document.querySelectorAll('.snx-report h2')].some(h => "
                               "h.innerText.startsWith(r))", arg=names[rep], timeout=90_000)
        current = page.evaluate("() => document.querySelector('.lm-TabBar-tab.lm-mod-current').innerText")
        assert current == "One-on-one"
        page.screenshot(path=str(artifacts_dir / "app_row_opens_rep.png"))
        # search narrows the table; Enter on a name opens that rep
        page.locator(".widget-tab .lm-TabBar-tab", has_text="Leaderboard").first.click()
        other = order[0]
        page.locator(".snx-grid input[type=search]").fill(names[other].split()[-1])
        page.wait_for_function("([sel, r]) => [...document.querySelectorAll(sel)].map(x => x.dataset.rep).includes(r)"
                               " && document.querySelectorAll(sel).length < 5", arg=[ROWS, other], timeout=30_000)
        page.locator(f"{ROWS}[data-rep='{other}'] button.snx-open").focus()
        page.keyboard.press("Enter")
        page.wait_for_function("r => [...document.querySelectorAll('.snx-report h2')].some(h => "
                               "h.innerText.startsWith(r))", arg=names[other], timeout=90_000)
    finally:
        ctx.close()


def test_exports_download_in_the_browser_as_csv_and_formatted_excel(browser, dashboard, tmp_path):
    from openpyxl import load_workbook

    ctx, page = open_page(browser, dashboard, downloads=True)
    try:
        page.locator("button", has_text="Export tables").click()
        page.wait_for_selector("a.snx-download", timeout=60_000)
        got = {}
        for name in ("leaderboard-2026.csv", "tables-2026.xlsx"):
            with page.expect_download(timeout=60_000) as info:
                page.locator("a.snx-download", has_text=name).click()
            d = info.value
            assert d.suggested_filename == name
            target = tmp_path / name
            d.save_as(target)
            got[name] = target
        board = pd.read_csv(got["leaderboard-2026.csv"], encoding="utf-8-sig")
        assert list(board["Rep id"]) == expected_order()
        book = load_workbook(got["tables-2026.xlsx"])
        assert book.sheetnames == ["leaderboard", "at_risk", "hygiene"]
        for sheet in book.worksheets:
            assert sheet.freeze_panes == "A2" and all(c.font.bold for c in sheet[1])
        lb = book["leaderboard"]
        head = [c.value for c in lb[1]]
        col = head.index("Quota attainment") + 1
        assert all(lb.cell(r, col).number_format == "0%" for r in range(2, lb.max_row + 1))
        col = head.index("Won revenue (USD)") + 1
        assert all(lb.cell(r, col).number_format == "#,##0" for r in range(2, lb.max_row + 1))
        assert lb.column_dimensions["D"].width > 8  # the names fit
        assert [lb.cell(r, 3).value for r in range(2, lb.max_row + 1)] == expected_order()
    finally:
        ctx.close()


def test_a_period_change_shows_the_busy_sign_at_once_and_dims_stale_figures(browser, dashboard, artifacts_dir):
    ctx, page = open_page(browser, dashboard)
    try:
        seen = page.evaluate("""async () => {
          const box = [...document.querySelectorAll('.widget-dropdown')].find(d => d.innerText.includes('Period'));
          const sel = box.querySelector('select');
          const opt = [...sel.options].find(o => o.textContent === '2026-Q3');
          let busy = false, dimmed = false;
          const obs = new MutationObserver(() => {
            busy = busy || !!document.querySelector('.snx-busy');
            dimmed = dimmed || !!document.querySelector('.snx-summary') &&
              !!document.querySelector('.snx-section.snx-stale');
          });
          obs.observe(document.body, {subtree: true, childList: true, attributes: true});
          sel.value = opt.value;
          sel.dispatchEvent(new Event('change', {bubbles: true}));
          const t0 = performance.now();
          while (!([...document.querySelectorAll('h2')].some(h => h.innerText.includes('2026-Q3'))
                   && !document.querySelector('.snx-busy')) && performance.now() - t0 < 120000)
            await new Promise(r => setTimeout(r, 20));
          obs.disconnect();
          return {busy, dimmed, stale: document.querySelectorAll('.widget-tab .snx-stale:not([style*="none"])')
                  .length};
        }""")
        assert seen["busy"], "no busy sign while the period changed"
        assert seen["dimmed"], "the figures of the old period were not dimmed while the new ones were made"
        visible_stale = page.evaluate("() => [...document.querySelectorAll('.snx-stale')].filter(e => "
                                      "e.offsetParent !== null).length")
        assert visible_stale == 0, "a section on screen is still dimmed after the change"
    finally:
        ctx.close()


def test_a_phone_gets_one_column_and_nothing_runs_off_the_side(browser, dashboard, artifacts_dir):
    ctx, page = open_page(browser, dashboard, viewport=PHONE)
    try:
        boxes = [page.locator(".widget-dropdown", has_text=label).locator("select").first.bounding_box()
                 for label in ("Period", "Team", "Weights", "Scoring")]
        assert all(b["x"] >= 0 and b["x"] + b["width"] <= PHONE["width"] for b in boxes), boxes
        assert [b["y"] for b in boxes] == sorted(b["y"] for b in boxes) and len({round(b["y"]) for b in boxes}) == 4
        width = page.evaluate("() => document.scrollingElement.scrollWidth")
        assert width <= PHONE["width"] + 1, f"the page is {width} px wide on a 390 px phone"
        page.screenshot(path=str(artifacts_dir / "app_phone_summary.png"), full_page=True)
        page.locator(".widget-tab .lm-TabBar-tab", has_text="Leaderboard").first.click()
        page.wait_for_selector(ROWS, timeout=60_000)
        tabs = page.eval_on_selector_all(".widget-tab .lm-TabBar-tab", "ts => ts.map(t => t.scrollWidth <= "
                                                                        "t.clientWidth + 1)")
        assert all(tabs), "a tab's name is cut off on the phone"
        width = page.evaluate("() => document.scrollingElement.scrollWidth")
        assert width <= PHONE["width"] + 1, f"the Leaderboard tab is {width} px wide on a 390 px phone"
        page.locator(ROWS).first.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts_dir / "app_phone_board.png"))
        page.locator(f"{ROWS} button.snx-open").first.click()  # a rep's one-on-one view fits the phone too
        page.wait_for_selector(".snx-report h2", timeout=90_000)
        right = page.evaluate("() => Math.max(...[...document.querySelectorAll('.snx-report > h2, .snx-report > p')]"
                              ".map(e => e.getBoundingClientRect().right))")
        assert right <= PHONE["width"], f"the one-on-one view runs {right - PHONE['width']:.0f} px off the side"
        page.locator(".snx-report h2").first.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts_dir / "app_phone_one_on_one.png"))
    finally:
        ctx.close()
    ctx, page = open_page(browser, dashboard)
    try:
        page.screenshot(path=str(artifacts_dir / "app_desktop_summary.png"))
    finally:
        ctx.close()
