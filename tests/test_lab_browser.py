"""In a real browser: JupyterLab runs the team explorer, a weight preset is chosen, the leaderboard follows.

Needs Debian's chromium (/usr/bin/chromium) and the playwright Python package; marked ``browser``.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from salesnb.config import SAMPLE_DIR, TEAM_NOTEBOOK

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PANEL_BOARD = ".jp-OutputArea .widget-html .salesnb-leaderboard"
PANEL_BARS = ".jp-OutputArea .widget-html .salesnb-breakdown .salesnb-bd-row"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server on a free local port, token disabled, serving a temp copy of the notebook."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make browser)")
    root = tmp_path / "lab"
    root.mkdir()
    nb = nbformat.read(TEAM_NOTEBOOK, as_version=4)
    for cell in nb.cells:  # start from a clean notebook, so the outputs seen are this run's
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, root / TEAM_NOTEBOOK.name)
    port = _free_port()
    config_dir = tmp_path / "cfg"  # a throwaway Jupyter config: the user's own is neither read nor changed
    labconfig = config_dir / "labconfig"
    labconfig.mkdir(parents=True)
    # no "get notified about official Jupyter news?" popup over the notebook (news_url=None alone keeps it)
    (labconfig / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config_dir), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")}
    log = open(tmp_path / "lab.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--ServerApp.root_dir={root}", "--IdentityProvider.token=", "--ServerApp.password=",
         "--ServerApp.disable_check_xsrf=True", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.extension_manager=readonly",
         "--LabApp.expose_app_in_browser=True",
         *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start: " + (tmp_path / "lab.log").read_text()[-2000:])
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _ranking(weights, period=None) -> list[str]:
    """Rep ids in the order the package ranks them overall (ties by name, as the panel shows them)."""
    from salesnb.load import load
    from salesnb.metrics import metrics
    from salesnb.scorecard import score

    table = metrics(load(SAMPLE_DIR), period)
    scores = score(table, weights).scores.sort_values(["rank_overall", "name"])
    return [str(r) for r in scores["rep_id"]]


def _shown(page) -> list[str]:
    return page.eval_on_selector_all(f"{PANEL_BOARD} tbody tr", "rows => rows.map(r => r.dataset.rep)")


def _wait_for_ranking(page, expected: list[str]) -> None:
    page.wait_for_function(
        "([sel, want]) => { const rows = [...document.querySelectorAll(sel)].map(r => r.dataset.rep);"
        " return rows.join(',') === want.join(','); }",
        arg=[f"{PANEL_BOARD} tbody tr", expected], timeout=30_000)


KERNEL_READY = """() => {
    const nb = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = nb && nb.sessionContext && nb.sessionContext.session && nb.sessionContext.session.kernel;
    return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}"""
STARTED = "() => [...document.querySelectorAll('.jp-InputPrompt')].some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"


def _run_all_when_kernel_ready(page) -> None:
    """Run every cell once the kernel is connected and idle; retry if the request was lost at start-up."""
    for _attempt in range(3):
        page.wait_for_function(KERNEL_READY, timeout=90_000)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        try:
            page.wait_for_function(STARTED, timeout=20_000)
            return
        except Exception:
            continue
    raise AssertionError("JupyterLab never started executing the notebook")


def test_weight_preset_reranks_the_leaderboard_in_jupyterlab(lab, artifacts_dir):
    from dataclasses import replace

    from playwright.sync_api import sync_playwright

    from salesnb.scorecard import PRESETS

    start = _ranking("outcomes-first")
    coaching = _ranking("activity-coaching")
    # the coaching preset plus the win-rate slider pushed to its maximum (50) with the keyboard
    pushed = replace(PRESETS["activity-coaching"], weights={**PRESETS["activity-coaching"].weights, "win_rate": 50.0})
    moved = _ranking(pushed)
    quarter = _ranking(pushed, "2026-Q3")  # same weights, the third quarter's metrics
    assert start != coaching != moved != quarter, "each step must change the ranking, or the test cannot see it"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.goto(f"{lab}/lab/tree/{TEAM_NOTEBOOK.name}")
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            _run_all_when_kernel_ready(page)
            board = page.locator(PANEL_BOARD)
            board.wait_for(timeout=120_000)
            _wait_for_ranking(page, start)

            select = page.locator(".widget-dropdown", has_text="Preset").locator("select")
            select.scroll_into_view_if_needed()
            select.select_option(label="activity-coaching")
            _wait_for_ranking(page, coaching)
            assert _shown(page) == coaching

            handle = page.locator(".widget-slider", has_text="Win rate").locator(".noUi-handle").first
            handle.scroll_into_view_if_needed()
            handle.focus()
            page.keyboard.press("End")
            _wait_for_ranking(page, moved)
            assert _shown(page) == moved
            bars = page.eval_on_selector_all(PANEL_BARS, "rows => rows.map(r => r.dataset.rep)")
            assert bars == moved, "the breakdown bars follow the leaderboard"

            period = page.locator(".widget-dropdown", has_text="Period").locator("select")
            period.select_option(label="2026-Q3")
            _wait_for_ranking(page, quarter)
            assert _shown(page) == quarter
            select.scroll_into_view_if_needed()
            assert page.get_by_text("official Jupyter news").count() == 0, "the news popup covers the notebook"
            page.screenshot(path=str(artifacts_dir / "team_explorer_lab.png"))
            page.locator(".jp-OutputArea .salesnb-breakdown").scroll_into_view_if_needed()
            page.screenshot(path=str(artifacts_dir / "team_explorer_lab_breakdown.png"))
        except Exception:
            page.screenshot(path=str(artifacts_dir / "team_explorer_lab_failure.png"))
            raise
        finally:
            browser.close()
