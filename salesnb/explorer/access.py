"""Who may use the dashboard: a browser on this machine holding the dashboard's token.

As JupyterLab does it: `salesnb dashboard` makes a random token for each run and prints the URL carrying it
(`?token=...`); the first request with the token gets a login cookie, later ones send the cookie. Every request
to the notebook, its kernels and their websockets (where *Save weights* runs) without the token is refused (403).

Two more checks stop a web page elsewhere from reaching the dashboard through the browser: the Host header must
name this machine (localhost, 127.0.0.1, ::1) or the address the dashboard is bound to, which defeats DNS
rebinding; and an Origin header, when a browser sends one, must be the dashboard's own. The token reaches the
server in its environment (JUPYTER_TOKEN, read by jupyter_server), never on a command line other users can list.

Each open page holds a kernel (a few hundred MB on a large team), so the number of pages is capped: a new page
first shuts down the kernels of pages that were closed (no connection and no activity for `CLOSED_PAGE_SECONDS`;
reloading a page leaves one), and is refused with a 503 that says what to do when the cap's pages are all open.
The refusal is made here, before Voila takes a kernel from its pool, so the pool itself stays full. Kernels of
closed pages are also culled after their idle time (`serve.IDLE_KERNEL_SECONDS`) whether or not the cap is near.
"""
from __future__ import annotations

import logging
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit

from jupyter_server.auth.identity import IdentityProvider
from tornado import web

TOKEN_ENV = "JUPYTER_TOKEN"
HOSTS_ENV = "SALESNB_DASHBOARD_HOSTS"
MAX_PAGES_ENV = "SALESNB_DASHBOARD_MAX_PAGES"
MAX_PAGES = 8  # pages open at once: 8 kernels of a 1,000-rep team hold about 2 GB
CLOSED_PAGE_SECONDS = 10  # a page's kernel with no connection for this long, and idle, belongs to a closed page
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
PROVIDER = f"{__name__}.DashboardAccess"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def server_env(token: str, ip: str, max_pages: int = MAX_PAGES) -> dict[str, str]:
    """The environment variables that give the server its token, the host names it answers to and its cap on
    open pages."""
    hosts = dict.fromkeys((*LOCAL_HOSTS, ip.strip("[]").lower()))
    return {TOKEN_ENV: token, HOSTS_ENV: ",".join(h for h in hosts if h), MAX_PAGES_ENV: str(max_pages)}


def host_name(netloc: str) -> str:
    """`localhost:8866` -> `localhost`, `[::1]:8866` -> `::1` (lower case)."""
    match = re.fullmatch(r"\[([^\]]*)\](?::\d*)?|([^:]*)(?::\d*)?", netloc.strip())
    return ((match.group(1) or match.group(2) or "") if match else netloc).lower()


def refusal(host: str, origin: str | None, allowed: set[str]) -> str | None:
    """Why a request with this Host header and Origin header is refused, or None."""
    if host_name(host) not in allowed:
        return f"the Host {host!r} is not this machine's: open the address the dashboard printed"
    if origin is not None and urlsplit(origin).netloc.lower() != host.lower():
        return f"a page of {origin!r} may not use this dashboard"
    return None


@dataclass(frozen=True)
class PageKernel:
    """A kernel serving a page (not one waiting, preheated, in Voila's pool)."""
    kernel_id: str
    connections: int  # websockets open to it: an open page has one
    idle_seconds: float  # since its last message


def closed_pages(kernels: list[PageKernel], grace: float = CLOSED_PAGE_SECONDS) -> list[str]:
    """The kernels whose page was closed or reloaded: nothing connected and nothing run for `grace` seconds
    (a page still loading is running its notebook, and an open one keeps its websocket)."""
    return [k.kernel_id for k in kernels if k.connections <= 0 and k.idle_seconds >= grace]


def page_refusal(open_pages: int, cap: int) -> str | None:
    """Why one more page is refused when `open_pages` pages are open, or None."""
    if open_pages < cap:
        return None
    return (f"this dashboard already serves {open_pages} open page{'s' if open_pages != 1 else ''}, its limit: close "
            "a tab or window that shows it and reload this one in a few seconds, or start the dashboard again with "
            f"a higher --max-pages (each open page holds a kernel, a few hundred MB on a large team)")


def max_pages() -> int:
    try:
        return max(1, int(os.environ.get(MAX_PAGES_ENV, MAX_PAGES)))
    except ValueError:
        return MAX_PAGES


async def make_room(kernel_manager) -> str | None:
    """Shut down the kernels of closed pages; why a new page cannot be served, or None when it can."""
    pool, pending = set(), 0  # Voila's preheated kernels are not pages; one still starting has no id yet
    for task in (t for tasks in getattr(kernel_manager, "_pools", {}).values() for t in tasks):
        if not task.done():
            pending += 1
        elif not task.cancelled() and task.exception() is None:
            pool.add(task.result().get("kernel_id"))
    now = datetime.now(timezone.utc)
    pages = []
    for kernel_id in kernel_manager.list_kernel_ids():
        if kernel_id in pool:
            continue
        try:
            connections = int(kernel_manager.kernel_model(kernel_id).get("connections", 0))
            last = getattr(kernel_manager.get_kernel(kernel_id), "last_activity", None) or now
        except (KeyError, web.HTTPError):  # it ended meanwhile
            continue
        pages.append(PageKernel(kernel_id, connections, (now - last).total_seconds()))
    closed = closed_pages(pages)
    for kernel_id in closed:
        await kernel_manager.shutdown_kernel(kernel_id)
    # a pool kernel still starting may already be listed among the pages (so the cap may let one more page in)
    return page_refusal(max(0, len(pages) - len(closed) - pending), max_pages())


def _refuse(handler: web.RequestHandler, status: int, text: str, **headers: str) -> None:
    # a plain answer of our own: Voila's error page cannot be drawn for every handler (its websocket handler has
    # no static files), and would print a traceback on the manager's terminal
    handler.current_user = handler._jupyter_current_user = None
    handler.clear()
    handler.set_status(status)
    handler.set_header("Content-Type", "text/plain; charset=utf-8")
    for name, value in headers.items():
        handler.set_header(name.replace("_", "-"), value)
    raise web.Finish(text)


def _is_page(handler: web.RequestHandler) -> bool:
    """A request for the dashboard's page itself (which takes a kernel), not for its files or kernels."""
    from voila.handler import VoilaHandler

    return isinstance(handler, VoilaHandler) and handler.request.method == "GET"


_SECRET_PARAM = re.compile(r"([?&](?:token|_xsrf)=)[^&\s#]+", re.IGNORECASE)
SERVER_LOGGERS = ("tornado.access", "tornado.general")  # where the server logs each request's address


def scrubbed(text: str) -> str:
    """`text` with the value of every ``token=`` (and ``_xsrf=``) in an address replaced: a log is read by more
    people than the address was given to."""
    return _SECRET_PARAM.sub(r"\1[hidden]", text)


class _ScrubSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _SECRET_PARAM.search(message):
            record.msg, record.args = scrubbed(message), ()
        return True


def scrub_server_logs() -> None:
    """Keep the token out of the server's log lines (tornado writes each request's address as it came)."""
    for name in SERVER_LOGGERS:
        log = logging.getLogger(name)
        if not any(isinstance(f, _ScrubSecrets) for f in log.filters):
            log.addFilter(_ScrubSecrets())


class DashboardAccess(IdentityProvider):
    """jupyter_server's token check, plus the Host and Origin checks; anything refused is a 403."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scrub_server_logs()  # made once, as the server starts: before its first request

    def allowed_hosts(self) -> set[str]:
        return set(filter(None, os.environ.get(HOSTS_ENV, ",".join(LOCAL_HOSTS)).split(",")))

    async def _get_user(self, handler: web.RequestHandler):
        why = refusal(handler.request.host, handler.request.headers.get("Origin"), self.allowed_hosts())
        if not why and not self.token:  # never serve without a token
            why = "this dashboard was started without a token"
        user = None if why else await super()._get_user(handler)
        if user is None:
            _refuse(handler, 403, "403 Forbidden: "
                    f"{why or 'open the address salesnb dashboard printed: it carries the token'}.\n")
        if _is_page(handler):
            full = await make_room(handler.settings["kernel_manager"])
            if full:
                _refuse(handler, 503, f"503 Service Unavailable: {full}.\n", Retry_After=str(CLOSED_PAGE_SECONDS))
        return user
