"""Fault injection, second part: what a hostile or careless user does beyond one bad file or flag.

Each category is a scenario the one-command table of tests/test_faults.py cannot express: a spreadsheet opened
after an export, a dashboard reached over HTTP, a folder `--out` or `--force` points at, an interrupted import,
a terminal a name tries to take over (this file); a second run later or at the same time, a small role, a
damaged snapshot (tests/test_faults_runs.py). Each asserts what the table asserts for its cases: a clear answer
(no traceback), no user file lost or changed, and no report flagged by the privacy scan kept as current.
"""
from __future__ import annotations

import contextlib
import http.client
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from faults import TRACEBACK, fingerprint
from hostile import rewrite, run, team  # noqa: F401 (team: a fixture)
from ports import free_port

HOSTILE = {"name": '=HYPERLINK("http://x.invalid","click")', "team": "+cmd|' /C calc'!A0", "manager": "@SUM(1)",
           "account": "-2+3", "tab": "\tx"}  # a carriage return starting a cell: test_only_text_is_escaped



# ---- exports: a name a spreadsheet would run is text in every CSV and Excel file


def test_export_tables_never_hand_a_spreadsheet_a_formula(team, tmp_path):
    from openpyxl import load_workbook

    from salesnb.explorer import open_explorer

    data = tmp_path / "data"
    shutil.copytree(team, data)
    reps = pd.read_csv(data / "reps.csv", dtype=str)
    first, east = reps["rep_id"].iloc[0], reps["team"].iloc[0]
    rename = lambda f: f["team"].replace(east, HOSTILE["team"])  # noqa: E731
    rewrite(data, "reps.csv", name=lambda f: f["name"].where(f["rep_id"] != first, HOSTILE["name"]), team=rename,
            manager=HOSTILE["manager"])
    if (data / "team_quotas.csv").exists():
        rewrite(data, "team_quotas.csv", team=rename)
    accounts = [HOSTILE["account"], HOSTILE["tab"]]
    rewrite(data, "opportunities.csv", account=lambda f: [accounts[i % 2] for i in range(len(f))],
            next_step="")  # every open deal is flagged: its account is in the list of flagged deals
    before = fingerprint(tmp_path)
    files = open_explorer(data, save_dir=tmp_path / "saved").export()
    assert fingerprint(tmp_path) == before

    dangerous, written = set(HOSTILE.values()), set()
    for name, content in files.items():
        if name.endswith(".csv"):
            cells = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig", dtype=str, keep_default_na=False)
            text = cells.to_numpy().ravel().tolist()
            assert not [c for c in text if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and not _number(c))]
            written |= set(text)
    assert {"'" + h for h in HOSTILE.values()} <= written  # every hostile text is there, escaped
    book = load_workbook(io.BytesIO(files[next(n for n in files if n.endswith(".xlsx"))]))
    seen = set()
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if cell.value in dangerous:
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.coordinate)
                    seen.add(cell.value)
                if isinstance(cell.value, (int, float)) and cell.value < 0:
                    assert cell.data_type == "n"  # a negative number stays a number
    assert seen == dangerous  # in Excel, the text as it was


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_only_text_is_escaped():
    from salesnb.formula_safe import csv_frame, to_csv_bytes

    frame = pd.DataFrame({"n": [-5, 3], "x": [-0.5, 1.0], "t": ["-5", "\rA"], "c": pd.Categorical(["=1", "ok"])})
    out = csv_frame(frame)
    assert out["n"].tolist() == [-5, 3] and out["x"].tolist() == [-0.5, 1.0]
    assert out["t"].tolist() == ["'-5", "'\rA"] and out["c"].tolist() == ["'=1", "ok"]
    assert to_csv_bytes(frame).decode("utf-8-sig").splitlines()[1] == "-5,-0.5,'-5,'=1"


# ---- the dashboard: only a browser on this machine holding the token gets the team's figures


@contextlib.contextmanager
def dashboard(data: Path, tmp_path: Path, token: str, *options: str):
    """`salesnb dashboard` started for real (its own process group, stopped with its kernels); yields its port."""
    port = free_port()
    env = {**os.environ, "JUPYTER_TOKEN": token, "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")}
    log = tmp_path / "dashboard.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "salesnb", "dashboard", "--data", str(data), "--port", str(port),
                                 "--no-browser", *options], cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while _get(port, "/voila/static/")[0] == 0:
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.3)
        yield port, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _get(port: int, path: str, **headers) -> tuple[int, dict, str]:
    """One HTTP GET with exactly these headers (Host defaults to localhost:port); (0, {}, "") when refused."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.putrequest("GET", path, skip_host=True)
        for name, value in {"Host": f"localhost:{port}", **headers}.items():
            conn.putheader(name.replace("_", "-"), value)
        conn.endheaders()
        reply = conn.getresponse()
        return reply.status, dict(reply.getheaders()), reply.read().decode("utf-8", "replace")
    except ConnectionRefusedError:
        return 0, {}, ""
    finally:
        conn.close()


def kernel_id(page: str) -> str | None:
    found = re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", page)
    return found and found.group(0)


def test_the_dashboard_answers_only_its_token_from_this_machine(team, tmp_path):
    token = "t0ken-" + "x" * 20
    before = fingerprint(team)
    with dashboard(team, tmp_path, token) as (port, log):
        assert f"http://localhost:{port}/?token={token}" in log.read_text()  # the printed address carries it
        assert _get(port, "/")[0] == 403  # no token
        assert _get(port, "/?token=wrong")[0] == 403
        assert _get(port, f"/?token={token}", Host=f"attacker.example:{port}")[0] == 403  # DNS rebinding
        assert _get(port, f"/?token={token}", Origin="http://attacker.example")[0] == 403
        status, headers, page = _get(port, f"/?token={token}")
        assert status == 200 and kernel_id(page), page[:500]
        assert "cdn.jsdelivr" not in page and "fontawesome-free" not in page  # works offline
        cookie = headers["Set-Cookie"].split(";")[0]
        # the kernel, where Save weights runs, is no nearer without the token than the page is
        kernel = kernel_id(page)
        assert _get(port, f"/api/kernels/{kernel}", Cookie=cookie)[0] == 200  # the token once, then the cookie
        assert _get(port, f"/api/kernels/{kernel}?token={token}", Host=f"127.0.0.1:{port}")[0] == 200
        assert _get(port, f"/api/kernels/{kernel}")[0] == 403
        upgrade = dict(Connection="Upgrade", Upgrade="websocket", Sec_WebSocket_Version="13",
                       Sec_WebSocket_Key="dGhlIHNhbXBsZSBub25jZQ==")
        assert _get(port, f"/api/kernels/{kernel}/channels", **upgrade)[0] == 403
        assert _get(port, f"/api/kernels/{kernel}/channels", Cookie=cookie, Origin="http://attacker.example",
                    **upgrade)[0] == 403
        assert _get(port, f"/api/kernels/{kernel}/channels", Cookie=cookie, **upgrade)[0] == 101
        served = log.read_text()  # before the test's SIGTERM to the whole group, kernels mid-run included
    assert TRACEBACK not in served, served[-3000:]
    assert fingerprint(team) == before


@contextlib.contextmanager
def open_page(port: int, kernel: str, cookie: str):
    """What an open browser tab holds: the websocket to its page's kernel, open until the block ends."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    try:
        sock.sendall((f"GET /api/kernels/{kernel}/channels HTTP/1.1\r\nHost: localhost:{port}\r\n"
                      f"Cookie: {cookie}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").encode())
        reply = b""
        while b"\r\n\r\n" not in reply:
            reply += sock.recv(4096)
        assert reply.startswith(b"HTTP/1.1 101"), reply[:300]
        yield
    finally:
        sock.close()


def test_the_dashboard_caps_its_open_pages_and_reclaims_closed_ones(team, tmp_path):
    from salesnb.explorer.access import CLOSED_PAGE_SECONDS

    token = "t0ken-" + "y" * 20
    with dashboard(team, tmp_path, token, "--max-pages", "1") as (port, log):
        status, headers, page = _get(port, f"/?token={token}")
        first = kernel_id(page)
        assert status == 200 and first, page[:500] + log.read_text()[-3000:]
        cookie = headers["Set-Cookie"].split(";")[0]
        with open_page(port, first, cookie):  # the first page stays open in its tab
            time.sleep(CLOSED_PAGE_SECONDS + 1)  # idle, but connected: not a closed page
            status, headers, text = _get(port, "/", Cookie=cookie)
            assert status == 503 and "--max-pages" in text and "close" in text, text
            assert headers.get("Retry-After") == str(CLOSED_PAGE_SECONDS)
            assert _get(port, f"/api/kernels/{first}", Cookie=cookie)[0] == 200  # the open page kept its kernel
        # the tab is closed: once its kernel has been quiet a while, a new page takes its place
        time.sleep(CLOSED_PAGE_SECONDS + 1)
        status, _, page = _get(port, "/", Cookie=cookie)
        second = kernel_id(page)
        assert status == 200 and second and second != first, page[:500] + log.read_text()[-3000:]
        assert _get(port, f"/api/kernels/{first}", Cookie=cookie)[0] == 404  # the closed page's kernel is gone
        served = log.read_text()
    assert TRACEBACK not in served, served[-3000:]


# ---- output folders: `sample` and `import` write only into a new or empty folder, or replace a dataset


SAMPLE = ["sample", "--reps", "2", "--no-stories", "--volume", "0.05", "--seed", "3"]
EXPORT = str(Path(__file__).parent / "data" / "exports" / "sf_report" / "report1714.csv")
IMPORT = ["import", "--from", "salesforce"]


def documents(home: Path) -> Path:
    """A folder of the user's own files, one of them named like a table."""
    docs = home / "Documents"
    (docs / "taxes").mkdir(parents=True)
    (docs / "letter.txt").write_text("Dear Sir,\n")
    (docs / "taxes" / "2025.pdf").write_bytes(b"%PDF-1.4")
    (docs / "reps.csv").write_text("my own list\n")
    return docs


@pytest.mark.parametrize("argv", [SAMPLE, IMPORT], ids=["sample", "import"])
def test_a_folder_of_other_files_is_never_written_over_even_with_force(argv, tmp_path):
    docs = documents(tmp_path)
    before = fingerprint(tmp_path)
    tail = [EXPORT] if argv is IMPORT else []
    code, said = run([*argv, "--out", str(docs), *tail])
    assert code == 1 and "the folder is not empty" in said and "--force" in said, said
    code, said = run([*argv, "--force", "--out", str(docs), *tail])
    assert code == 1 and "is not a salesnb dataset folder" in said and "'letter.txt'" in said, said
    assert fingerprint(tmp_path) == before


@pytest.mark.parametrize("argv", [SAMPLE, IMPORT], ids=["sample", "import"])
def test_force_replaces_a_dataset_and_only_with_force(argv, tmp_path):
    data = tmp_path / "data"
    assert run([*SAMPLE[:-1], "5", "--format", "parquet", "--out", str(data)])[0] == 0
    before = fingerprint(tmp_path)
    tail = [EXPORT] if argv is IMPORT else []
    code, said = run([*argv, "--out", str(data), *tail])
    assert code == 1 and "Fix: choose" in said and "--force" in said and fingerprint(tmp_path) == before
    code, said = run([*argv, "--force", "--out", str(data), *tail])
    assert code == 0, said
    assert not list(data.glob("*.parquet")) and (data / "reps.csv").is_file()  # the old dataset is gone whole
    assert [p.name for p in tmp_path.iterdir()] == ["data"]  # nothing left beside it


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_an_import_killed_while_replacing_a_dataset_is_rolled_back_on_the_next_run(tmp_path):
    data = tmp_path / "data"
    assert run([*SAMPLE, "--out", str(data)])[0] == 0
    old = fingerprint(data)
    pid = _dead_pid()
    # what a SIGKILL between the two renames leaves: the old data hidden, the new build beside it
    data.rename(tmp_path / f".data.replaced-{pid}")
    (tmp_path / f".data.importing-{pid}-x1").mkdir()
    (tmp_path / f".data.importing-{pid}-x1" / "reps.csv").write_text("rep_id,name\n")
    code, said = run([*IMPORT, "--out", str(data), EXPORT])
    assert code == 1 and "the dataset it replaced was put back as it was" in said and "not empty" in said, said
    assert fingerprint(data) == old and [p.name for p in tmp_path.iterdir()] == ["data"]


# ---- low: a name in other case is still found; an impossible port is a command-line error


def test_the_privacy_scan_ignores_case():
    from salesnb.batch.privacy import scan_report

    team = [("R001", "Dana Khan"), ("R002", "Rosa Bennett"), ("R003", "Priya Shah")]
    page = "<h2>DANA KHAN</h2><p>Pair with PRIYA SHAH.</p><p title='rosa bennett'>x</p><p>r002</p>"
    leaks = scan_report(page, "R001", team, allowed_names=["Priya Shah"])
    assert sorted((x.rep_id, x.what) for x in leaks) == [("R002", "id"), ("R002", "name")]


@pytest.mark.parametrize("port", ["70000", "65536"])
def test_a_port_beyond_65535_is_a_command_line_error(port):
    code, said = run(["dashboard", "--port", port, "--no-browser"])
    assert code == 2 and f"argument --port: '{port}' is not a port: a port is a whole number from 1 to 65535" in said


@pytest.mark.parametrize("command", ["score", "diagnose"])
def test_a_name_with_line_breaks_and_terminal_escapes_is_printed_on_one_line_without_them(command, tmp_path):
    from salesnb.config import SAMPLE_DIR

    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, data)
    rewrite(data, "reps.csv", name=lambda f: f["name"].where(f["rep_id"] != "R001",
                                                             "Dana\x1b[2J\x1b]0;owned\x07Khan\nFAKE LINE\rX"))
    before = fingerprint(tmp_path)
    code, said = run([command, "--data", str(data)])
    assert code == 0 and "Dana[2J]0;ownedKhan FAKE LINE X" in said, said
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", said) and "\nFAKE" not in said
    assert fingerprint(tmp_path) == before


def test_a_50_mb_field_gets_a_message_saying_what_it_is(tmp_path):
    from salesnb.config import SAMPLE_DIR

    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, data)
    lines = (data / "reps.csv").read_text(encoding="utf-8").split("\n")
    cells = lines[2].split(",")
    cells[1] = "x" * 50_000_000
    lines[2] = ",".join(cells)
    (data / "reps.csv").write_text("\n".join(lines), encoding="utf-8")
    before = fingerprint(tmp_path)
    code, said = run(["validate", "--data", str(data)])
    assert code == 1 and "reps.csv:3: holds a value longer than 131,072 characters" in said and "Fix:" in said
    assert len(said) < 5_000 and fingerprint(tmp_path) == before
