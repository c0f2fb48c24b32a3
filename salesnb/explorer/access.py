"""Who may use the dashboard: a browser on this machine holding the dashboard's token.

As JupyterLab does it: `salesnb dashboard` makes a random token for each run and prints the URL carrying it
(`?token=...`); the first request with the token gets a login cookie, later ones send the cookie. Every request
to the notebook, its kernels and their websockets (where *Save weights* runs) without the token is refused (403).

Two more checks stop a web page elsewhere from reaching the dashboard through the browser: the Host header must
name this machine (localhost, 127.0.0.1, ::1) or the address the dashboard is bound to, which defeats DNS
rebinding; and an Origin header, when a browser sends one, must be the dashboard's own. The token reaches the
server in its environment (JUPYTER_TOKEN, read by jupyter_server), never on a command line other users can list.
"""
from __future__ import annotations

import os
import re
import secrets
from urllib.parse import urlsplit

from jupyter_server.auth.identity import IdentityProvider
from tornado import web

TOKEN_ENV = "JUPYTER_TOKEN"
HOSTS_ENV = "SALESNB_DASHBOARD_HOSTS"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
PROVIDER = f"{__name__}.DashboardAccess"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def server_env(token: str, ip: str) -> dict[str, str]:
    """The environment variables that give the server its token and the host names it answers to."""
    hosts = dict.fromkeys((*LOCAL_HOSTS, ip.strip("[]").lower()))
    return {TOKEN_ENV: token, HOSTS_ENV: ",".join(h for h in hosts if h)}


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


class DashboardAccess(IdentityProvider):
    """jupyter_server's token check, plus the Host and Origin checks; anything refused is a 403."""

    def allowed_hosts(self) -> set[str]:
        return set(filter(None, os.environ.get(HOSTS_ENV, ",".join(LOCAL_HOSTS)).split(",")))

    async def _get_user(self, handler: web.RequestHandler):
        why = refusal(handler.request.host, handler.request.headers.get("Origin"), self.allowed_hosts())
        if not why and not self.token:  # never serve without a token
            why = "this dashboard was started without a token"
        user = None if why else await super()._get_user(handler)
        if user is None:
            # a plain answer of our own: Voila's error page cannot be drawn for every handler (its websocket
            # handler has no static files), and would print a traceback on the manager's terminal
            handler.current_user = handler._jupyter_current_user = None
            handler.clear()
            handler.set_status(403)
            handler.set_header("Content-Type", "text/plain; charset=utf-8")
            raise web.Finish(f"403 Forbidden: {why or 'open the address salesnb dashboard printed: it carries the token'}.\n")
        return user
