"""`salesnb dashboard` without a browser: the notebook it serves, the checks before serving, the command line.
(The served page itself is walked in test_explorer_browser.py.)"""
from __future__ import annotations

import nbformat
import pytest

from salesnb.cli import main
from salesnb.errors import ConfigError
from salesnb.explorer.serve import checked_paths, dashboard_notebook, voila_command


def test_the_served_notebook_has_this_runs_parameters_and_no_stored_outputs(tmp_path, sample_dir):
    weights = tmp_path / "team.toml"
    weights.write_text('name = "x"\n[weights]\nwon_revenue = 1.0\n')
    path = dashboard_notebook(tmp_path, sample_dir, tmp_path / "out", period="2026-Q3", weights_file=weights)
    nb = nbformat.read(path, as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    namespace: dict = {}
    exec(injected[0].source, namespace)  # the injected cell is plain assignments
    assert namespace["data_dir"] == str(sample_dir) and namespace["period"] == "2026-Q3"
    assert namespace["weights_file"] == str(weights) and namespace["save_dir"] == str(tmp_path / "out")
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_missing_folders_and_files_are_named_before_any_server_starts(tmp_path):
    with pytest.raises(ConfigError, match="no such folder"):
        checked_paths(tmp_path / "nope", None)
    with pytest.raises(ConfigError, match="no such weights file"):
        checked_paths(tmp_path, tmp_path / "missing.toml")
    data, weights = checked_paths(tmp_path, None)
    assert data == tmp_path.resolve() and weights is None


def test_the_command_line_says_what_to_fix(tmp_path, capsys):
    assert main(["dashboard", "--data", str(tmp_path / "nope"), "--no-browser"]) == 1
    assert "no such folder" in capsys.readouterr().err
    assert main(["dashboard", "--port", "0"]) == 2  # a port must be 1 or more
    assert main(["--help"]) == 0 and "dashboard" in capsys.readouterr().out


def test_voila_serves_with_code_hidden_and_no_tracebacks_on_the_page(tmp_path):
    cmd = voila_command(tmp_path / "nb.ipynb", port=9001)
    assert cmd[1:3] == ["-m", "voila"] and "--port=9001" in cmd and "--no-browser" in cmd  # opened with its token
    assert "--strip_sources=True" in cmd and "--show_tracebacks=False" in cmd


def test_bad_data_and_a_busy_port_are_answered_before_any_server_starts(tmp_path, sample_dir, capsys):
    import shutil
    import socket

    bad = tmp_path / "bad"
    shutil.copytree(sample_dir, bad)
    reps = bad / "reps.csv"
    lines = reps.read_text(encoding="utf-8").splitlines()
    reps.write_text("\n".join([lines[0], lines[1], lines[1]]) + "\n", encoding="utf-8")  # one rep id twice
    assert main(["dashboard", "--data", str(bad), "--no-browser"]) == 1
    err = capsys.readouterr().err
    assert "reps.csv" in err and "Traceback" not in err
    with socket.socket() as busy:
        busy.bind(("localhost", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["dashboard", "--data", str(sample_dir), "--port", str(port), "--no-browser"]) == 1
    err = capsys.readouterr().err
    assert f"port {port} is in use" in err and f"--port {port + 1}" in err


def test_closed_pages_are_the_quiet_kernels_nothing_is_connected_to():
    from salesnb.explorer.access import PageKernel, closed_pages

    kernels = [PageKernel("open", 1, 600.0),  # an open tab, idle for long: kept
               PageKernel("loading", 0, 2.0),  # a page still running its notebook: kept
               PageKernel("closed", 0, 10.0),  # exactly the grace: closed
               PageKernel("just-closed", 0, 9.9)]
    assert closed_pages(kernels, grace=10) == ["closed"]


@pytest.mark.parametrize(("open_pages", "cap", "refused"), [(0, 1, False), (1, 2, False), (2, 2, True), (3, 2, True)])
def test_a_page_beyond_the_cap_is_refused_with_what_to_do(open_pages, cap, refused):
    from salesnb.explorer.access import page_refusal

    why = page_refusal(open_pages, cap)
    assert (why is not None) == refused
    if refused:
        assert f"{open_pages} open page" in why and "--max-pages" in why and "close" in why


def test_the_token_is_hidden_in_the_servers_log_lines():
    from salesnb.explorer.access import scrubbed

    assert scrubbed("403 GET /?token=abc123 (127.0.0.1)") == "403 GET /?token=[hidden] (127.0.0.1)"
    assert scrubbed("GET /voila/x?a=1&token=t-_9&b=2") == "GET /voila/x?a=1&token=[hidden]&b=2"
    assert scrubbed("POST /api?_xsrf=zz") == "POST /api?_xsrf=[hidden]"
    assert scrubbed("GET /notebooks/token=plain") == "GET /notebooks/token=plain"  # a path, not a parameter
