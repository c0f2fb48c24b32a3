"""The team explorer as a no-code dashboard: the explorer notebook served by Voila, code hidden, the same
live controls.

    salesnb dashboard --data mydata            # http://localhost:8866/?token=..., until Ctrl-C
    salesnb dashboard -- --VoilaConfiguration.file_allowlist="['.*']"   # options after -- go to Voila as given

The notebook is copied into a temporary folder with the dataset, date, period and weights filled in
(papermill's parameter injection), so every visitor gets the same explorer. Saved weights are kept for the
dataset (`saved_weights`); exported tables download in the visitor's browser. The dashboard listens on this
machine only (127.0.0.1) unless --ip says otherwise, and answers only requests carrying its token (`access`).
Kernels a visitor left are shut down once idle (`IDLE_KERNEL_SECONDS`), and at most `--max-pages` pages are open
at once (`access.MAX_PAGES`).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import webbrowser
from pathlib import Path

from ..errors import ConfigError
from . import access

DEFAULT_PORT = 8866  # Voila's own default
POOL_SIZE = 1  # kernels kept running the notebook ahead of the next visitor
IDLE_KERNEL_SECONDS = 600  # a kernel no page is connected to and that ran nothing for this long is shut down
CULL_EVERY_SECONDS = 60
TEMPLATE = "salesnb_dashboard"  # Voila's lab page without its CDN links (salesnb/templates/voila/templates)


def dashboard_notebook(folder: Path, data_dir: Path, save_dir: Path, as_of: str = "", period: str = "",
                       weights_file: Path | None = None) -> Path:
    """The team explorer notebook, parameters filled in, written into `folder`; returns its path."""
    import nbformat
    from papermill.parameterize import parameterize_notebook

    from ..config import TEAM_NOTEBOOK

    nb = nbformat.read(TEAM_NOTEBOOK, as_version=4)
    for cell in nb.cells:  # the manager sees this run's explorer, not the outputs stored with the notebook
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    params = {"data_dir": str(data_dir), "as_of": as_of or "", "period": period or "",
              "weights_file": str(weights_file) if weights_file else "", "save_dir": str(save_dir)}
    nb.metadata["papermill"] = {}  # where papermill records the parameters it injects
    nb = parameterize_notebook(nb, params)
    target = folder / TEAM_NOTEBOOK.name
    nbformat.write(nb, target)
    return target


def voila_command(notebook: Path, port: int = DEFAULT_PORT, ip: str = "127.0.0.1",
                  extra: list[str] | None = None) -> list[str]:
    """The command that serves `notebook` with Voila (code hidden, tracebacks kept from the page), on `ip`
    (this machine only unless asked); `extra`: further Voila/Jupyter server options, passed on as given.

    The server needs the environment of `access.server_env` (its token). It never opens a browser itself
    (`serve_dashboard` opens the address with the token) and never moves to another port when its own is taken."""
    # a kernel runs the notebook before anyone asks (preheated): a visitor gets a page already drawn, and the
    # next kernel starts in the background while they use it
    return [sys.executable, "-m", "voila", str(notebook), f"--port={port}", f"--Voila.ip={ip}",
            "--strip_sources=True", "--show_tracebacks=False", "--preheat_kernel=True", f"--pool_size={POOL_SIZE}",
            "--no-browser", "--Voila.port_retries=0", "--Voila.auto_token=True", f"--template={TEMPLATE}",
            f"--Voila.identity_provider_class={access.PROVIDER}",
            f"--MappingKernelManager.cull_idle_timeout={IDLE_KERNEL_SECONDS}",
            f"--MappingKernelManager.cull_interval={CULL_EVERY_SECONDS}", *(extra or [])]


def checked_paths(data_dir: str | Path | None, weights_file: str | Path | None) -> tuple[Path, Path | None]:
    """The dataset folder (the sample when empty) and weights file as absolute paths; a missing one is an error
    that says what to fix, before any server starts."""
    from ..config import resolve_data_dir

    data = resolve_data_dir(data_dir).resolve()
    if not data.is_dir():
        raise ConfigError(f"{data}: no such folder. Give --data the dataset folder (e.g. data/sample), the one "
                          "`salesnb validate` checks.")
    weights = Path(weights_file).resolve() if weights_file else None
    if weights is not None and not weights.is_file():
        raise ConfigError(f"{weights}: no such weights file. Give --weights a file saved from the explorer, or "
                          "leave it out to start from the outcomes-first preset.")
    return data, weights


def port_is_free(port: int, ip: str = "127.0.0.1") -> None:
    """Raise `ConfigError` when another program listens on `port` (Voila would only log it and carry on)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1" if ip in ("localhost", "") else ip, port))
        except OSError as exc:
            raise ConfigError(f"port {port} is in use ({exc.strerror}): stop what serves it, or choose another "
                              f"port, e.g. --port {port + 1}.") from None


def template_env() -> dict[str, str]:
    """JUPYTER_PATH with salesnb's templates first, where Voila finds `TEMPLATE`."""
    from ..config import PACKAGE_DIR

    paths = [str(PACKAGE_DIR / "templates"), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    return {"JUPYTER_PATH": os.pathsep.join(paths)}


def dashboard_url(ip: str, port: int, token: str) -> str:
    host = "localhost" if ip in ("127.0.0.1", "localhost", "") else f"[{ip}]" if ":" in ip else ip
    return f"http://{host}:{port}/?token={token}"


def listening(server: subprocess.Popen, ip: str, port: int, seconds: float = 60) -> bool:
    """Wait until the server accepts connections on `port` (False when it ended or took too long)."""
    import socket

    deadline = time.monotonic() + seconds
    while server.poll() is None and time.monotonic() < deadline:
        with socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET) as sock:
            sock.settimeout(1)
            if sock.connect_ex(("127.0.0.1" if ip in ("localhost", "") else ip, port)) == 0:
                return True
        time.sleep(0.2)
    return False


def serve_dashboard(data_dir: str | Path | None = None, port: int | None = None, browser: bool = True,
                    as_of: str | None = None, period: str | None = None,
                    weights_file: str | Path | None = None, ip: str = "127.0.0.1",
                    extra: list[str] | None = None, max_pages: int = access.MAX_PAGES) -> int:
    """Serve the team explorer on `data_dir` with Voila until stopped; returns Voila's exit code.

    The dataset is checked and the period on screen analysed first (in another process: the facts go to the
    facts cache, where every visitor's kernel reads them), and the port tried, so that bad data or a busy port
    is a message here (exit 1), not an error page in the browser. The other periods of the menu are then
    analysed in the background while the dashboard serves."""
    from ..facts import child, store
    from ..saved_weights import resolve

    data, weights = checked_paths(data_dir, weights_file)
    spec, said = resolve(data, weights)
    save_dir = Path.cwd().resolve()
    port = port or DEFAULT_PORT
    port_is_free(port, ip)
    if store.enabled():
        child.in_another_process(data, period=period, as_of=as_of, weights=spec)  # raises the data's own errors
        warming = child.in_background(data, period=period, as_of=as_of, weights=spec)
    else:
        from ..load import load

        load(data)  # raises DatasetError naming the file, row, column and fix
        warming = None
    with tempfile.TemporaryDirectory(prefix="salesnb-dashboard-") as tmp:
        notebook = dashboard_notebook(Path(tmp), data, save_dir, as_of or "", period or "", weights)
        token = os.environ.get(access.TOKEN_ENV) or access.new_token()  # set it, as for Jupyter, to fix it
        url = dashboard_url(ip, port, token)
        print(f"The team explorer of {data} at {url} (Ctrl-C stops it; the address carries the dashboard's "
              f"token: only who has it can open the page).\n{said}\n"
              f"Save weights keeps them for this dataset ({weights or 'in your salesnb settings folder'}); "
              "Export tables downloads the lists in your browser.", flush=True)
        server = subprocess.Popen(voila_command(notebook, port, ip, extra), cwd=tmp,
                                  env={**os.environ, **access.server_env(token, ip, max_pages), **template_env()})
        try:
            if browser and listening(server, ip, port):
                webbrowser.open(url)
            return server.wait()
        finally:  # Ctrl-C or SIGTERM here: stop the server too, never leave it running
            for proc in (server, warming):
                if proc is not None and proc.poll() is None:
                    proc.terminate()
                    try:
                        proc.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
