"""Print a report page to PDF in a real browser engine: Chromium, driven by Playwright.

    with PdfPrinter("a4") as printer:                    # one browser for the whole run
        seconds = printer.render(html_path, pdf_path)    # the same page a reader opens, printed

The PDF is the HTML report printed by its own print stylesheet (in the ``salesnb_report`` template): the
same file, not a second rendering of the notebook. While printing, JavaScript is off and every request
other than the report file itself is refused (the page needs none: its charts are inline SVG), so a PDF
never waits for, or leaks to, the network. The browser is started on the first report to print and
reused for every other one; each report gets a fresh browser context. Files are written atomically.

The browser: ``SALESNB_CHROMIUM`` if set, else Chromium or Chrome found on the PATH (Debian's
``chromium``), else the Chromium Playwright downloads (``python -m playwright install chromium``).
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from ..atomic import write_bytes_atomic
from ..errors import ConfigError, PdfError

PAPERS = {"a4": "A4", "letter": "Letter"}  # --paper value -> Playwright's page format
# US Letter is 6% shorter than A4 (279.4 mm against 297 mm) and a little wider: printed 6% smaller, a
# report takes as many Letter pages as A4 ones (its text at 8 pt instead of 8.6 pt).
SCALE = {"a4": 1.0, "letter": 0.94}
BROWSER_ENV = "SALESNB_CHROMIUM"
_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "msedge")
_MAC_APPS = ("/Applications/Chromium.app/Contents/MacOS/Chromium",
             "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome")
_FLAGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--disable-extensions", "--mute-audio"]
# A small footer on every page: the report's title and "page 2 / 3" (Chromium fills the classes in).
_FOOTER = ('<div style="font-size:6.5pt;color:#718096;width:100%;margin:0 11mm;display:flex;'
           'justify-content:space-between;font-family:sans-serif">'
           '<span class="title"></span><span><span class="pageNumber"></span> / <span class="totalPages"></span>'
           "</span></div>")
# The page margins of the template's @page rule; the bottom one leaves room for the footer.
MARGINS = {"top": "10mm", "right": "11mm", "bottom": "12mm", "left": "11mm"}
BROWSER_HELP = "install Chromium (Debian/Ubuntu: sudo apt-get install chromium; macOS: brew install --cask chromium)"
INSTALL_HELP = (f"{BROWSER_HELP}, or run `python -m playwright install chromium`, or set {BROWSER_ENV} to the path "
                "of a Chromium or Chrome browser")


def check_paper(paper: str | None) -> str:
    """'a4' or 'letter' (any case); None is 'a4'."""
    key = (paper or "a4").strip().lower()
    if key not in PAPERS:
        raise ConfigError(f"paper {paper!r} is not known. Fix: use a4 or letter.")
    return key


def find_browser() -> str | None:
    """The Chromium-family browser to print with, or None to use the one Playwright downloaded."""
    given = os.environ.get(BROWSER_ENV, "").strip()
    if given:
        path = shutil.which(given) or given
        if not Path(path).is_file():
            raise ConfigError(f"{BROWSER_ENV}={given}: no such browser. Fix: give the path of a Chromium or Chrome "
                              f"executable, or unset {BROWSER_ENV} to use the one on the PATH.")
        return path
    for name in _BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in _MAC_APPS if Path(p).is_file()), None)


def check_printing() -> str | None:
    """Before any work: Playwright is installed and a browser can be found (else a ConfigError saying how)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise ConfigError("PDF reports need Playwright, which is not installed. Fix: pip install 'salesnb[pdf]' "
                          f"(or pip install playwright), and {BROWSER_HELP}.") from None
    path = find_browser()
    if path is None and not _playwright_browser():
        raise ConfigError(f"PDF reports need a Chromium-family browser, and none was found. Fix: {INSTALL_HELP}.")
    return path


def _playwright_browser() -> bool:
    """True when Playwright's own Chromium has been downloaded."""
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            return Path(p.chromium.executable_path).is_file()
    except Exception:
        return False


class PdfPrinter:
    """One browser for many reports. Use as a context manager; `render` starts the browser when first needed."""

    def __init__(self, paper: str = "a4", browser_path: str | None = None):
        self.paper = check_paper(paper)
        self.browser_path = browser_path or find_browser()  # None: the Chromium Playwright downloaded
        self.launch_seconds = 0.0
        self._pw = None
        self._browser = None

    def __enter__(self) -> "PdfPrinter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for thing, method in ((self._browser, "close"), (self._pw, "stop")):
            if thing is not None:
                try:
                    getattr(thing, method)()
                except Exception:  # the browser already died: nothing left to close
                    pass
        self._browser = self._pw = None

    def _start(self):
        if self._browser is not None and self._browser.is_connected():
            return self._browser
        self.close()
        from playwright.sync_api import sync_playwright

        t0 = time.perf_counter()
        self._pw = sync_playwright().start()
        args = _FLAGS + (["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])
        try:
            self._browser = self._pw.chromium.launch(executable_path=self.browser_path, headless=True, args=args)
        except Exception as exc:
            self.close()
            raise ConfigError(f"the browser for PDF reports did not start ({_first_line(exc)}). Fix: {INSTALL_HELP}."
                              ) from None
        self.launch_seconds += time.perf_counter() - t0
        return self._browser

    def render(self, html_path: Path, pdf_path: Path) -> float:
        """Print `html_path` to `pdf_path` (atomically); returns the seconds it took. Raises PdfError."""
        html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path)
        self._start()  # the first report also starts the browser: counted in launch_seconds, not here
        t0 = time.perf_counter()
        try:
            data, refused = self._print(html_path)
        except ConfigError:
            raise
        except Exception as exc:  # the browser crashed or timed out: start a fresh one for the next report
            self.close()
            raise PdfError(f"printing {html_path.name} failed: {_first_line(exc)}") from None
        if refused:
            raise PdfError(f"{html_path.name} asked for {len(refused)} outside resource(s) while printing, e.g. "
                           f"{refused[0][:120]}; nothing is fetched, so the PDF was not written.")
        write_bytes_atomic(pdf_path, data)
        return time.perf_counter() - t0

    def _print(self, html_path: Path) -> tuple[bytes, list[str]]:
        browser = self._start()
        own = html_path.as_uri()
        refused: list[str] = []
        context = browser.new_context(java_script_enabled=False, offline=True, service_workers="block")
        try:
            page = context.new_page()

            def route(r):
                if r.request.url == own:
                    r.continue_()
                else:
                    refused.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.goto(own, wait_until="load", timeout=60_000)
            data = page.pdf(format=PAPERS[self.paper], scale=SCALE[self.paper], print_background=True, margin=MARGINS,
                            display_header_footer=True, header_template="<span></span>", footer_template=_FOOTER,
                            outline=True, tagged=True)
        finally:
            context.close()
        return data, refused


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".strip().rstrip(":")


__all__ = ["PdfPrinter", "PdfError", "PAPERS", "check_paper", "check_printing", "find_browser"]
