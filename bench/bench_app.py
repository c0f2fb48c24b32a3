"""Benchmark: the manager's app (`salesnb dashboard`) in a real browser, against a bare Voila page of one
slider served and loaded in the same run.

    .venv/bin/python bench/bench_app.py                 # the sample and a generated 1,000-rep team
    .venv/bin/python bench/bench_app.py --reps 0        # the sample only

Measured, each in a fresh browser context (so a fresh kernel), with Debian's chromium through Playwright:

- bare: a Voila page holding one ipywidgets slider, from navigation to the slider on screen (median of runs);
- first usable screen: `salesnb dashboard`, from navigation to the Summary drawn with its figures and the
  controls enabled (median of warm runs; the very first load, with an empty facts cache, is printed too).
  The dashboard serves preheated kernels (Voila runs the notebook before a visitor comes); the bare page is
  Voila's default, and is also timed preheated, for comparison;
- a period change at 1,000 reps: from choosing another period to its Summary drawn and nothing left dimmed,
  and from the choice to the busy sign on screen (timed inside the page);
- memory: the peak resident size (VmHWM) of each dashboard kernel, read from /proc.

Before the warm runs the facts of every offered period are computed once (`salesnb cache warm`, timed and
printed), as `salesnb dashboard` does in the background after serving its first page.
Targets: first screen <= 2x bare (sample), <= 4x bare (1,000 reps); period change <= 1.5x bare with a busy sign
within 200 ms; <= 600 MB per kernel at 1,000 reps. Exits 1 on a miss.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}
PERIOD = "2026-Q3"
TARGETS = {"sample": 2.0, "big": 4.0, "period": 1.5, "busy_ms": 200.0, "rss_mb": 600.0}

BARE_NOTEBOOK = {
    "cells": [{"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {}, "outputs": [],
               "source": "import ipywidgets as W\nW.IntSlider(description='x')"}],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5}

# the first usable screen: the Summary drawn (with figures) and the Period control enabled
USABLE = """() => {
  const s = document.querySelector('.snx-summary');
  if (!s || !s.innerText.trim()) return false;
  if (document.querySelector('.snx-busy')) return false;
  const sel = [...document.querySelectorAll('.widget-dropdown')].find(d => d.innerText.includes('Period'));
  return !!sel && !sel.querySelector('select').disabled;
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(cmd: list[str], url: str, cwd: Path, env: dict, log: Path, wait: float = 600):
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    urllib.request.urlopen(url, timeout=5)
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"{cmd[:4]} did not start: " + log.read_text()[-3000:])
                    time.sleep(0.3)
            yield proc
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def kernels(proc) -> dict[int, float]:
    """pid -> peak resident MB of every kernel under the server."""
    import psutil

    out = {}
    for child in psutil.Process(proc.pid).children(recursive=True):
        try:
            if "ipykernel" in " ".join(child.cmdline()):
                status = Path(f"/proc/{child.pid}/status").read_text()
                hwm = next(line for line in status.splitlines() if line.startswith("VmHWM"))
                out[child.pid] = int(hwm.split()[1]) / 1024
        except (psutil.Error, OSError, StopIteration):
            pass
    return out


def load_page(browser, url: str, ready: str, timeout: float) -> tuple[float, object, object]:
    """Seconds from navigation to `ready` (a JS predicate) in a fresh context; the context and page stay open."""
    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    start = time.perf_counter()
    page.goto(url, timeout=timeout * 1000)
    page.wait_for_function(ready, timeout=timeout * 1000, polling=50)
    return time.perf_counter() - start, ctx, page


PERIOD_CHANGE = """async (period) => {
  const box = [...document.querySelectorAll('.widget-dropdown')].find(d => d.innerText.includes('Period'));
  const sel = box.querySelector('select');
  const option = [...sel.options].find(o => o.textContent === period);
  const t0 = performance.now();
  let busy = null;
  const seen = () => {
    if (busy === null && document.querySelector('.snx-busy')) busy = performance.now() - t0;
  };
  const obs = new MutationObserver(seen);
  obs.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  sel.value = option.value;
  sel.dispatchEvent(new Event('change', {bubbles: true}));
  // done: the new title, no busy sign, nothing dimmed on screen (sections of other tabs are drawn when opened)
  const done = () => [...document.querySelectorAll('h2')].some(h => h.innerText.includes(period))
      && !document.querySelector('.snx-busy')
      && ![...document.querySelectorAll('.snx-stale')].some(e => e.offsetParent !== null)
      && (document.querySelector('.snx-summary') || {innerText: ''}).innerText.trim() !== '';
  while (!done()) {
    seen();
    await new Promise(r => setTimeout(r, 20));
    if (performance.now() - t0 > 600000) break;
  }
  obs.disconnect();
  return {busy_ms: busy, seconds: (performance.now() - t0) / 1000};
}"""


TEAM_CHANGE = """async () => {
  const box = [...document.querySelectorAll('.widget-dropdown')].find(d => d.innerText.includes('Team'));
  const sel = box.querySelector('select');
  const option = sel.options[1];
  const t0 = performance.now();
  sel.value = option.value;
  sel.dispatchEvent(new Event('change', {bubbles: true}));
  await new Promise(r => setTimeout(r, 50));
  while ((document.querySelector('.snx-busy')
          || [...document.querySelectorAll('.snx-stale')].some(e => e.offsetParent !== null))
         && performance.now() - t0 < 600000)
    await new Promise(r => setTimeout(r, 20));
  return {seconds: (performance.now() - t0) / 1000, team: option.textContent};
}"""


def measure_app(browser, data: Path, runs: int, env: dict, tmp: Path, period: bool) -> dict:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    cmd = [sys.executable, "-m", "salesnb", "dashboard", "--data", str(data), "--port", str(port), "--no-browser"]
    out: dict = {}
    start = time.perf_counter()
    with serving(cmd, url, tmp, env, tmp / f"app-{data.name}.log") as proc:
        out["serving"] = time.perf_counter() - start  # the first period analysed before serving, when not kept
        first, ctx, _page = load_page(browser, url, USABLE, 900)
        out["first"] = first
        ctx.close()
        warm = warm_cache(data, env, tmp)
        if warm is not None:
            out["warm_cache"] = warm
        times = []
        for i in range(runs):
            time.sleep(3)  # as for the bare page: a visitor after a moment
            t, ctx, page = load_page(browser, url, USABLE, 900)
            times.append(t)
            if period and i == runs - 1:
                out["period"] = page.evaluate(PERIOD_CHANGE, PERIOD)
                out["team"] = page.evaluate(TEAM_CHANGE)
            ctx.close()
        out["loads"] = times
        out["rss_mb"] = max(kernels(proc).values(), default=float("nan"))
    return out


def warm_cache(data: Path, env: dict, tmp: Path) -> float | None:
    """`salesnb cache warm` for every offered period (None where the command does not exist)."""
    probe = subprocess.run([sys.executable, "-m", "salesnb", "cache", "--help"], env=env, cwd=tmp,
                           capture_output=True)
    if probe.returncode != 0:
        return None
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "salesnb", "cache", "warm", "--data", str(data), "--all-periods"],
                   env=env, cwd=tmp, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure_bare(browser, runs: int, env: dict, tmp: Path, preheat: bool = False) -> list[float]:
    nb = tmp / "bare.ipynb"
    nb.write_text(json.dumps(BARE_NOTEBOOK))
    port = free_port()
    cmd = [sys.executable, "-m", "voila", str(nb), f"--port={port}", "--no-browser", "--strip_sources=True",
           "--show_tracebacks=False", "--Voila.ip=127.0.0.1", *(["--preheat_kernel=True"] if preheat else [])]
    url = f"http://127.0.0.1:{port}/"
    with serving(cmd, url, tmp, env, tmp / "bare.log"):
        times = []
        for _ in range(runs + 1):
            if preheat:
                time.sleep(3)  # the pool's next kernel, as a visitor after a moment finds it
            t, ctx, _p = load_page(browser, url, "() => !!document.querySelector('.widget-slider .noUi-handle')", 120)
            times.append(t)
            ctx.close()
    return times[1:]  # the first load also warms the server's caches


def team(reps: int) -> Path:
    out = HERE / "_data" / f"team-{reps}"
    if not (out / "reps.csv").exists():
        subprocess.run([sys.executable, "-m", "salesnb", "sample", "--reps", str(reps), "--out", str(out)], check=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=1000, help="a generated team's size (0: the sample only)")
    parser.add_argument("--runs", type=int, default=3, help="page loads per measure (median)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from salesnb.config import SAMPLE_DIR

    big = team(args.reps) if args.reps else None
    misses = []
    with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp_s, sync_playwright() as p:
        tmp = Path(tmp_s)
        env = {**os.environ, "SALESNB_CACHE_DIR": str(tmp / "cache"), "SALESNB_CONFIG_DIR": str(tmp / "config"),
               "JUPYTER_RUNTIME_DIR": str(tmp / "rt"), "JUPYTER_CONFIG_DIR": str(tmp / "cfg")}
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        bare = statistics.median(measure_bare(browser, args.runs, env, tmp))
        print(f"bare Voila page (one slider): {bare:.2f} s (median of {args.runs}); the targets' unit", flush=True)
        warm_bare = statistics.median(measure_bare(browser, args.runs, env, tmp, preheat=True))
        print(f"the same page with a preheated kernel (as the dashboard serves): {warm_bare:.2f} s (for "
              "comparison only)", flush=True)

        def report(name: str, value: float, limit: float, unit: str = "x") -> None:
            ok = value <= limit
            print(f"  {name}: {value:.2f}{unit} (target <= {limit:g}{unit}) {'ok' if ok else 'MISS'}", flush=True)
            if not ok:
                misses.append(name)

        sample = measure_app(browser, SAMPLE_DIR, args.runs, env, tmp, period=False)
        med = statistics.median(sample["loads"])
        print(f"sample ({SAMPLE_DIR.name}): serving after {sample['serving']:.1f} s; first load {sample['first']:.2f} s; "
              + (f"cache warm {sample['warm_cache']:.1f} s; " if "warm_cache" in sample else "")
              + f"loads {', '.join(f'{t:.2f}' for t in sample['loads'])} s; kernel peak {sample['rss_mb']:.0f} MB",
              flush=True)
        report("first usable screen, sample", med / bare, TARGETS["sample"])
        if big is not None:
            b = measure_app(browser, big, args.runs, env, tmp, period=True)
            med = statistics.median(b["loads"])
            print(f"{args.reps} reps: serving after {b['serving']:.1f} s (its first period analysed, empty cache); "
                  f"first load {b['first']:.2f} s; "
                  + (f"cache warm (every period) {b['warm_cache']:.1f} s; " if "warm_cache" in b else "")
                  + f"loads {', '.join(f'{t:.2f}' for t in b['loads'])} s; period change to {PERIOD} "
                  f"{b['period']['seconds']:.2f} s, busy sign after "
                  + (f"{b['period']['busy_ms']:.0f} ms" if b["period"]["busy_ms"] is not None else "never")
                  + f"; then a team filter ({b['team']['team']}) {b['team']['seconds']:.2f} s"
                  + f"; kernel peak {b['rss_mb']:.0f} MB", flush=True)
            report(f"first usable screen, {args.reps} reps", med / bare, TARGETS["big"])
            report(f"period change, {args.reps} reps", b["period"]["seconds"] / bare, TARGETS["period"])
            busy = b["period"]["busy_ms"]
            report("busy sign", busy if busy is not None else float("inf"), TARGETS["busy_ms"], " ms")
            report(f"kernel memory, {args.reps} reps", b["rss_mb"], TARGETS["rss_mb"], " MB")
        browser.close()
    print("all targets met" if not misses else f"missed: {', '.join(misses)}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
