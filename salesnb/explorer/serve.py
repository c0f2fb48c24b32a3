"""The team explorer as a no-code dashboard: the explorer notebook served by Voila, code hidden, the same
live controls.

    salesnb dashboard --data mydata            # http://localhost:8866, until Ctrl-C

The notebook is copied into a temporary folder with the dataset, date, period and weights filled in
(papermill's parameter injection), so every visitor gets the same explorer. Saved weights and exported tables
go to the folder the command runs in (absolute paths: the kernel runs in the temporary folder).
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from ..errors import ConfigError

DEFAULT_PORT = 8866  # Voila's own default


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


def voila_command(notebook: Path, port: int = DEFAULT_PORT, browser: bool = True) -> list[str]:
    """The command that serves `notebook` with Voila (code hidden, tracebacks kept from the page)."""
    return [sys.executable, "-m", "voila", str(notebook), f"--port={port}", "--strip_sources=True",
            "--show_tracebacks=False", *([] if browser else ["--no-browser"])]


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


def port_is_free(port: int) -> None:
    """Raise `ConfigError` when another program listens on `port` (Voila would only log it and carry on)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("localhost", port))
        except OSError as exc:
            raise ConfigError(f"port {port} is in use ({exc.strerror}): stop what serves it, or choose another "
                              f"port, e.g. --port {port + 1}.") from None


def serve_dashboard(data_dir: str | Path | None = None, port: int | None = None, browser: bool = True,
                    as_of: str | None = None, period: str | None = None,
                    weights_file: str | Path | None = None) -> int:
    """Serve the team explorer on `data_dir` with Voila until stopped; returns Voila's exit code.

    The dataset is loaded and checked first, and the port tried, so that bad data or a busy port is a message
    here (exit 1), not an error page in the browser."""
    from ..load import load

    data, weights = checked_paths(data_dir, weights_file)
    load(data)  # raises DatasetError naming the file, row, column and fix
    save_dir = Path.cwd().resolve()
    port = port or DEFAULT_PORT
    port_is_free(port)
    with tempfile.TemporaryDirectory(prefix="salesnb-dashboard-") as tmp:
        notebook = dashboard_notebook(Path(tmp), data, save_dir, as_of or "", period or "", weights)
        print(f"The team explorer of {data} at http://localhost:{port}/ (Ctrl-C stops it).\n"
              f"Save weights writes {weights or save_dir / 'weights.toml'}; Export tables writes under "
              f"{save_dir / 'salesnb-exports'}.", flush=True)
        server = subprocess.Popen(voila_command(notebook, port, browser), cwd=tmp)
        try:
            return server.wait()
        finally:  # Ctrl-C or SIGTERM here: stop the server too, never leave it running
            if server.poll() is None:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
