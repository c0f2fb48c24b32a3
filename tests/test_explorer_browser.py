"""In a real browser (Debian's chromium through Playwright), at 1280x800: the team explorer in JupyterLab (file
browser open) and as the Voila dashboard (`salesnb dashboard`). The same walk in both: no control cut off, a
slider move reorders the one leaderboard with rank arrows, a period change changes the title and team
progress, a team filter narrows every tab, the one-on-one view shows the chosen rep.

Each test starts its own server on a free port and stops it. Expected figures come from the package's metric
engine and scorer, not from the explorer. Screenshots go to tests/artifacts/ (git-ignored) for a person to look at.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from ports import free_port
from salesnb.config import SAMPLE_DIR, TEAM_NOTEBOOK

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}
BOARD_ROWS = ".widget-tab .salesnb-leaderboard tbody tr"
TEAM, OTHER_TEAM, TEAM_LABEL = "West", "East", "West (Robert Hale)"
QUARTER = "2026-Q3"
REP = "Sally Nguyen"  # a West rep


def _free_port() -> int:
    return free_port()


@contextmanager
def server(cmd: list[str], ready_url: str, cwd: Path, env: dict, log: Path):
    """Run a server (its own process group, so its kernels stop with it) until `ready_url` answers."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    urllib.request.urlopen(ready_url, timeout=2)
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"{cmd[:3]} did not start: " + log.read_text()[-2000:])
                    time.sleep(0.5)
            yield
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:  # it ended on its own: the error above says why
                pass
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _jupyter_env(tmp_path: Path) -> dict:
    """A throwaway Jupyter config: the user's own is neither read nor changed; no news popup over the page."""
    config = tmp_path / "cfg"
    (config / "labconfig").mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    return {**os.environ, "JUPYTER_CONFIG_DIR": str(config), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")}


@contextmanager
def browser_page():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make browser)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport=VIEWPORT)
        finally:
            browser.close()


# ------------------------------------------------------------------ what the package says (not the explorer)


def expected():
    """The rankings, arrows and team figures the walk should see, from the metric engine and the scorer."""
    from salesnb.load import load
    from salesnb.metrics import metrics, team_summary
    from salesnb.present import money
    from salesnb.scorecard import PRESETS, score

    ds = load(SAMPLE_DIR)
    year = metrics(ds)
    preset = PRESETS["outcomes-first"]
    pushed = replace(preset, weights={**preset.weights, "win_rate": 50.0})  # the Win rate slider at its maximum

    def ranked(table, w):
        s = score(table, w).scores.sort_values(["rank_in_role", "name"])
        return s.set_index("rep_id")["rank_in_role"]

    before, after = ranked(year, preset), ranked(year, pushed)
    order = list(after.index)
    moves = {r: int(before[r] - after[r]) for r in order}
    assert order[:15] != list(before.index)[:15], "the slider must reorder the board, or the walk cannot see it"
    quarter = metrics(ds, QUARTER)
    reps = pd.read_csv(SAMPLE_DIR / "reps.csv")
    return {"order": order[:15], "moves": {r: moves[r] for r in order[:15]},
            "year_won": money(team_summary(year, ds)["won_revenue"].sum(), "USD"),
            "quarter_won": money(team_summary(quarter, ds)["won_revenue"].sum(), "USD"),
            "other_names": list(reps.loc[reps["team"] == OTHER_TEAM, "name"]),
            "team_names": list(reps.loc[reps["team"] == TEAM, "name"])}


# ------------------------------------------------------------------ the walk, the same in JupyterLab and Voila


def _tab(page, name: str) -> None:
    page.locator(".widget-tab .lm-TabBar-tab", has_text=name).first.click()


def _select(page, label: str, option: str) -> None:
    page.locator(".widget-dropdown", has_text=label).locator("select").first.select_option(label=option)


def _panel(page) -> str:
    """The text of the tab on screen."""
    return page.evaluate("() => { const p = [...document.querySelectorAll('.widget-tab .widget-tab-contents > *')]"
                         ".find(e => e.offsetParent !== null); return p ? p.innerText : ''; }")


def _inside(page, locator, what: str) -> None:
    """The control is whole on screen: scrolled into view, its box inside the 1280x800 viewport."""
    locator.evaluate("e => e.scrollIntoView({block: 'center', inline: 'nearest'})")
    box = locator.bounding_box()
    assert box is not None, f"{what} is not shown"
    assert box["x"] >= 0 and box["y"] >= 0, (what, box)
    assert box["x"] + box["width"] <= VIEWPORT["width"] and box["y"] + box["height"] <= VIEWPORT["height"], (what, box)


def _nothing_cut_off(page) -> None:
    for label in ("Period", "Team", "Role", "Weights", "Scoring"):
        select = page.locator(".widget-dropdown", has_text=label).locator("select").first
        _inside(page, select, label)
        assert select.bounding_box()["width"] >= 120, f"the {label} dropdown is squeezed"
    for button in ("Export tables", "Save weights", "Show all reps"):
        if button != "Export tables":
            _tab(page, "Leaderboard")
            page.wait_for_selector(".snx-weight .noUi-handle", timeout=60_000)  # the weight panel, made on opening
            page.wait_for_selector(BOARD_ROWS, timeout=60_000)
        loc = page.locator("button", has_text=button).first
        _inside(page, loc, button)
        assert loc.evaluate("b => b.scrollWidth <= b.clientWidth"), f"the {button} label is cut off"
    for i in range(page.locator(".snx-weight:visible").count()):
        _inside(page, page.locator(".snx-weight:visible").nth(i), f"weight slider {i}")
    for tab in ("Summary", "Leaderboard", "Funnel", "Activities", "Leads, pipeline", "One-on-one"):
        _inside(page, page.locator(".widget-tab .lm-TabBar-tab", has_text=tab).first, f"the {tab} tab")


PANEL_READY = """() => {
  const p = [...document.querySelectorAll('.widget-tab .widget-tab-contents > *')].find(e => e.offsetParent !== null);
  return !!p && p.innerText.trim() !== '' && !p.innerText.includes('Drawing') && !document.querySelector('.snx-busy')
    && ![...p.querySelectorAll('.snx-stale')].some(e => e.offsetParent !== null);
}"""


def _board(page) -> list[list]:
    return page.eval_on_selector_all(BOARD_ROWS, "rows => rows.map(r => [r.dataset.rep, "
                                                 "(r.querySelector('[data-move]') || {dataset: {move: '0'}}).dataset.move])")


def walk(page, want: dict, artifacts: Path, name: str) -> None:
    """The manager's walk through the explorer, checked at each step."""
    page.wait_for_selector(".snx-summary", timeout=120_000)
    assert want["year_won"] in _panel(page)
    _nothing_cut_off(page)
    page.screenshot(path=str(artifacts / f"{name}_1_board.png"))

    # a slider move reorders the one leaderboard and marks the moves against the preset
    handle = page.locator(".snx-weight", has_text="Win rate").locator(".noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    page.keyboard.press("End")
    page.wait_for_function("([sel, want]) => [...document.querySelectorAll(sel)].map(r => r.dataset.rep).join() === "
                           "want.join()", arg=[BOARD_ROWS, want["order"]], timeout=30_000)
    assert _board(page) == [[r, str(m)] for r, m in want["moves"].items()]
    assert page.locator(".widget-tab .salesnb-leaderboard").count() == 1, "one leaderboard"
    page.locator(".widget-tab .salesnb-leaderboard").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"{name}_2_slider_moved.png"))

    # a period change changes the title and the team's progress
    _tab(page, "Summary")
    _select(page, "Period", QUARTER)
    page.wait_for_function("q => [...document.querySelectorAll('h2')].some(h => h.innerText.includes(q))",
                           arg=QUARTER, timeout=60_000)
    page.wait_for_function("w => document.querySelector('.widget-tab').innerText.includes(w)",
                           arg=want["quarter_won"], timeout=30_000)
    page.screenshot(path=str(artifacts / f"{name}_3_quarter.png"))

    # a team filter narrows every tab
    _select(page, "Team", TEAM_LABEL)
    page.wait_for_function("t => [...document.querySelectorAll('h2')].some(h => h.innerText.includes(t))",
                           arg=TEAM, timeout=30_000)
    for tab in ("Summary", "Leaderboard", "Funnel", "Activities", "Leads, pipeline", "Over time"):
        _tab(page, tab)
        page.wait_for_function(PANEL_READY, timeout=60_000)  # drawn when opened: its sections, nothing dimmed
        text = _panel(page)
        assert text.strip(), f"the {tab} tab is empty"
        for n in want["other_names"]:  # a suggested peer may be in the other team: named with it, not listed
            text = text.replace(f"Pair with {n} ({OTHER_TEAM})", "")
        shown = [n for n in want["other_names"] if n in text]
        assert not shown, f"the {tab} tab shows {OTHER_TEAM} reps under the {TEAM} filter: {shown}"
    assert any(n in _panel(page) for n in want["team_names"])
    page.screenshot(path=str(artifacts / f"{name}_4_team.png"))

    # drill down: the chosen rep's one-on-one view, in place
    _tab(page, "One-on-one")
    _select(page, "Rep", REP)
    page.wait_for_function("r => [...document.querySelectorAll('.snx-report h2')].some(h => h.innerText.startsWith(r))",
                           arg=REP, timeout=60_000)
    text = _panel(page)
    assert f"{REP} (AE): period {QUARTER}" in text and "Rank within role" in text
    page.screenshot(path=str(artifacts / f"{name}_5_one_on_one.png"))


# ------------------------------------------------------------------ JupyterLab


KERNEL_READY = """() => {
    const nb = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = nb && nb.sessionContext && nb.sessionContext.session && nb.sessionContext.session.kernel;
    return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}"""
DIRTY = "() => window.jupyterapp.shell.currentWidget.context.model.dirty"


def test_explorer_in_jupyterlab(tmp_path, artifacts_dir):
    want = expected()
    root = tmp_path / "lab"
    root.mkdir()
    (root / TEAM_NOTEBOOK.name).write_bytes(TEAM_NOTEBOOK.read_bytes())  # the notebook as committed
    port = _free_port()
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
           f"--ServerApp.root_dir={root}", "--IdentityProvider.token=", "--ServerApp.password=",
           "--ServerApp.disable_check_xsrf=True", "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.extension_manager=readonly",
           "--LabApp.expose_app_in_browser=True",
           *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])]
    url = f"http://127.0.0.1:{port}"
    with server(cmd, f"{url}/api/status", root, _jupyter_env(tmp_path), tmp_path / "lab.log"), browser_page() as page:
        try:
            page.goto(f"{url}/lab/tree/{TEAM_NOTEBOOK.name}")
            page.wait_for_selector(".jp-Notebook .jp-OutputArea-output", timeout=60_000)
            assert page.locator(".jp-DirListing").is_visible(), "the walk is with the file browser open"
            # the committed outputs are drawn cell by cell: wait for the last one rather than read half a page
            page.wait_for_function("() => document.querySelector('.jp-Notebook').innerText"
                                   ".includes('Run the notebook to use the controls.')", timeout=60_000)
            before = page.locator(".jp-Notebook").inner_text()
            assert "VBox(" not in before and "Run the notebook to use the controls." in before
            page.wait_for_function(KERNEL_READY, timeout=90_000)
            assert page.evaluate(DIRTY) is False, "the notebook shows unsaved changes right after opening"
            for _attempt in range(3):  # a run request sent while the kernel settles can be lost
                page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
                try:
                    page.wait_for_selector(".snx-summary", timeout=30_000)
                    break
                except Exception:
                    page.wait_for_function(KERNEL_READY, timeout=60_000)
            page.locator(".jp-OutputArea h2").first.evaluate("h => h.scrollIntoView({block: 'start'})")
            walk(page, want, artifacts_dir, "lab")
        except Exception:
            page.screenshot(path=str(artifacts_dir / "lab_failure.png"))
            raise


# ------------------------------------------------------------------ the dashboard


def test_explorer_as_the_voila_dashboard(tmp_path, artifacts_dir):
    want = expected()
    port = _free_port()
    cmd = [sys.executable, "-m", "salesnb", "dashboard", "--port", str(port), "--no-browser"]
    url = f"http://localhost:{port}/?token=browser-test"  # the token the dashboard takes from JUPYTER_TOKEN
    env = {**_jupyter_env(tmp_path), "JUPYTER_TOKEN": "browser-test"}
    ready = f"http://localhost:{port}/voila/static/voila.js"  # served once the server listens; starts no kernel
    with server(cmd, ready, tmp_path, env, tmp_path / "voila.log"), browser_page() as page:
        try:
            page.goto(url, timeout=120_000)
            walk(page, want, artifacts_dir, "voila")
            body = page.locator("body").inner_text()
            assert "open_explorer(" not in body and "data_dir =" not in body, "the dashboard shows code"
            _tab(page, "Leaderboard")
            page.locator("button", has_text="Save weights").click()
            page.wait_for_function("() => document.body.innerText.includes('Saved these weights')", timeout=30_000)
            from salesnb.saved_weights import saved_path

            assert saved_path(SAMPLE_DIR).is_file(), "Save weights keeps them for this dataset"
            assert f"salesnb reports --data {SAMPLE_DIR}" in page.locator("body").inner_text()
            saved_path(SAMPLE_DIR).unlink()  # the other tests start from the preset
        except Exception:
            page.screenshot(path=str(artifacts_dir / "voila_failure.png"))
            raise
        # the server logs a refused request's address: the token in it is hidden (the log is not the address)
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://localhost:{port}/voila/static/nope?token=browser-test", timeout=30)
        time.sleep(0.5)
        lines = (tmp_path / "voila.log").read_text().splitlines()
        assert any("/voila/static/nope?token=[hidden]" in line for line in lines)
        printed = [line for line in lines if "browser-test" in line]
        assert len(printed) == 1 and printed[0].startswith("The team explorer of"), printed  # only what it printed


def test_the_committed_notebook_is_one_thin_call_without_test_plumbing():
    nb = nbformat.read(TEAM_NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all("NBVAL" not in c.source for c in code), "nbval markers go in cell tags, not in the manager's code"
    assert len(code) == 2 and "open_explorer(" in code[1].source
    shown = [o.get("data", {}).get("text/plain", "") for c in code for o in c.outputs]
    assert shown and not any("VBox(" in t or "HBox(" in t for t in shown)
