"""`salesnb send` against a real SMTP server (aiosmtpd, started here on a free port).

The reports come from a real batch run with PDFs (a minimal fixture notebook: the machinery, fast), in
which one report names another rep: it gets no PDF and is never sent.
Every message must reach exactly its own rep and carry only that rep's PDF; a second run sends nothing;
a refused recipient fails alone; STARTTLS is used when offered; plain text goes only to this machine;
the outbox sends nothing; Ctrl-C in the middle of a message leaves the ledger whole.
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pandas as pd
import pytest
from aiosmtpd.controller import Controller

from salesnb.cli import main
from ports import free_port
from salesnb.deliver import send_reports
from salesnb.reports import run_reports
from test_reports_helpers import FIXTURE_NOTEBOOKS

pytestmark = [pytest.mark.slow, pytest.mark.browser]

LEAKY = "R015"  # its report names Priya Shah (R003): the privacy scan stops it
REPS = ["R001", "R006"]  # the reports that may be sent
NO_ADDRESS = "R002"  # has no address in the fixture data (and no report)
SENDER = "diane.foster@example.com"


# ------------------------------------------------------------------ a real mail server

@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    tls: bool


class Recorder:
    """An aiosmtpd handler that keeps every message; it can refuse addresses and be slow to accept data."""

    def __init__(self, refuse: dict[str, str] | None = None, delay: float = 0.0):
        self.messages: list[Received] = []
        self.rcpt_tries: list[str] = []
        self.refuse = refuse or {}
        self.delay = delay
        self.data_started = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpt_tries.append(address)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_started.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content,
                                      session.ssl is not None))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(handler: Recorder, **kw):
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kw)
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


# ------------------------------------------------------------------ the reports to send

@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, sample_dir):
    d = tmp_path_factory.mktemp("data") / "team"
    shutil.copytree(sample_dir, d)
    reps = pd.read_csv(d / "reps.csv", dtype=str, keep_default_na=False)
    reps.loc[reps["rep_id"] == NO_ADDRESS, "email"] = ""
    reps.to_csv(d / "reps.csv", index=False)
    return d


@pytest.fixture(scope="module")
def reports(tmp_path_factory, data_dir):
    out = tmp_path_factory.mktemp("reports") / "out"
    result = run_reports(data_dir, out, reps=REPS + [LEAKY], notebook=FIXTURE_NOTEBOOKS / "leaky_report.ipynb",
                         jobs=2, progress=False, pdf=True)
    assert result.exit_code == 3 and [(x.report, x.rep_id) for x in result.leaks] == [(f"{LEAKY}.html", "R003")]
    assert sorted(result.pdfs) == REPS and not (out / f"{LEAKY}.pdf").exists()  # no PDF of a leaking report
    return out


@pytest.fixture
def out(tmp_path, reports):
    """A fresh copy of the reports folder (with an empty ledger) for each test."""
    return Path(shutil.copytree(reports, tmp_path / "out"))


@pytest.fixture(scope="module")
def addresses(data_dir) -> dict[str, str]:
    reps = pd.read_csv(data_dir / "reps.csv", dtype=str, keep_default_na=False)
    return dict(zip(reps["rep_id"], reps["email"]))


def parse(content: bytes):
    return message_from_bytes(content, policy=default_policy)


def pdf_of(msg) -> bytes:
    (part,) = [p for p in msg.iter_attachments()]
    assert part.get_content_type() == "application/pdf"
    return part.get_content()


def ledger(out: Path) -> dict[str, list[dict]]:
    return {p.stem: json.loads(p.read_text())["deliveries"] for p in sorted((out / "_sent").glob("*.json"))}


def send_cli(data_dir, out, *args) -> int:
    return main(["send", "--data", str(data_dir), "--out", str(out), "--no-progress", *args])


# ------------------------------------------------------------------ tests

def test_smtp_delivers_each_report_to_its_rep_only_and_a_rerun_sends_none(data_dir, out, addresses, capsys):
    handler = Recorder()
    with smtp_server(handler) as port:
        code = send_cli(data_dir, out, "--smtp", f"localhost:{port}", "--from", f"Diane Foster <{SENDER}>",
                        "--cc", "manager@example.com", "--meeting-date", "2026-11-20")
        first = capsys.readouterr().out
        assert code == 0, first
        to_reps = [m for m in handler.messages if m.rcpt_tos != ["manager@example.com"]]
        copies = [m for m in handler.messages if m.rcpt_tos == ["manager@example.com"]]
        # one message per rep, to that rep's address alone, carrying that rep's PDF and no other
        assert sorted(m.rcpt_tos[0] for m in to_reps) == sorted(addresses[r] for r in REPS)
        assert all(len(m.rcpt_tos) == 1 and m.mail_from == SENDER for m in to_reps)
        by_address = {m.rcpt_tos[0]: parse(m.content) for m in to_reps}
        for rep_id in REPS:
            msg = by_address[addresses[rep_id]]
            assert addresses[rep_id] in msg["To"] and msg["Cc"] == "manager@example.com"
            assert pdf_of(msg) == (out / f"{rep_id}.pdf").read_bytes()
            assert "2026-11-20" in msg.get_body(("plain",)).get_content()
        assert len(copies) == len(REPS) and {pdf_of(parse(m.content)) for m in copies} == {
            (out / f"{r}.pdf").read_bytes() for r in REPS}
        records = ledger(out)
        assert sorted(records) == REPS
        for rep_id in REPS:
            (record,) = records[rep_id]
            assert record["state"] == "sent" and record["to"] == addresses[rep_id] and record["error"] == ""
            assert record["message_id"] == by_address[addresses[rep_id]]["Message-ID"]
        assert f"{NO_ADDRESS} " in first and "no e-mail address" in first
        assert f"did not pass the privacy scan, and is never sent (1): {LEAKY} " in first

        assert send_cli(data_dir, out, "--smtp", f"localhost:{port}", "--from", SENDER, "--resend", LEAKY) == 0
        again = capsys.readouterr().out
    assert len(handler.messages) == 2 * len(REPS)  # the second run sent nothing, not even the leaking report
    assert again.startswith("0 message(s) sent") and f"{len(REPS)} already sent" in again


def test_outbox_writes_each_message_for_review_and_sends_nothing(data_dir, out, addresses):
    handler = Recorder()
    with smtp_server(handler):
        result = send_reports(data_dir, out, sender=SENDER, progress=False)
    assert handler.messages == [] and ledger(out) == {}
    assert result.exit_code == 0 and sorted(r for r, _ in result.written) == REPS
    for rep_id in REPS:
        msg = parse((out / "outbox" / f"{rep_id}.eml").read_bytes())
        assert msg["To"].addresses[0].addr_spec == addresses[rep_id]
        assert pdf_of(msg) == (out / f"{rep_id}.pdf").read_bytes()
        # the headline of the note is the report's own: the attainment of the status record's facts
        facts = json.loads((out / "_batch" / "status" / f"{rep_id}.json").read_text())["mail"]
        body = msg.get_body(("plain",)).get_content()
        assert f"{round(facts['attainment'] * 100)}% of your quota so far" in body
        assert "next one-on-one" in body  # no --meeting-date: no date made up
    kinds = {n.rep_id: n.kind for n in result.plan.not_sent}
    assert kinds[NO_ADDRESS] == "no_address" and kinds["R003"] == "no_report" and kinds[LEAKY] == "privacy"
    assert not (out / "outbox" / f"{LEAKY}.eml").exists()


def test_a_refused_recipient_fails_alone_after_retries_and_is_sent_on_the_next_run(data_dir, out, addresses,
                                                                                     capsys):
    refused = addresses["R006"]
    others = [r for r in REPS if r != "R006"]
    handler = Recorder(refuse={refused: "450 4.2.1 mailbox busy, try later"})
    with smtp_server(handler) as port:
        code = send_cli(data_dir, out, "--smtp", f"127.0.0.1:{port}", "--from", SENDER, "--attempts", "3",
                        "--retry-wait", "0.05")
    text = capsys.readouterr().out
    assert code == 1
    assert "FAILED R006" in text and refused in text and "450" in text
    assert handler.rcpt_tries.count(refused) == 3  # a temporary refusal is retried
    assert sorted(m.rcpt_tos[0] for m in handler.messages) == sorted(addresses[r] for r in others)
    records = ledger(out)
    assert [d["state"] for d in records["R006"]] == ["failed"] and "450" in records["R006"][0]["error"]
    assert all(records[r][0]["state"] == "sent" for r in others)

    permanent = Recorder(refuse={refused: "550 5.1.1 no such user"})
    with smtp_server(permanent) as port:
        assert send_cli(data_dir, out, "--smtp", f"127.0.0.1:{port}", "--from", SENDER, "--retry-wait", "0") == 1
    assert permanent.rcpt_tries == [refused]  # refused for good: not tried again, the others not sent twice
    capsys.readouterr()

    fine = Recorder()
    with smtp_server(fine) as port:
        assert send_cli(data_dir, out, "--smtp", f"127.0.0.1:{port}", "--from", SENDER) == 0
    assert [m.rcpt_tos for m in fine.messages] == [[refused]]


def test_starttls_is_used_when_offered_and_the_certificate_is_checked(data_dir, out, tmp_path):
    import ssl

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = Recorder()
    with smtp_server(handler, tls_context=context, require_starttls=True) as port:
        # the server's certificate is not signed by an authority this machine trusts: nothing is sent
        with pytest.raises(Exception) as refused:
            send_reports(data_dir, out, smtp=f"localhost:{port}", sender=SENDER, progress=False)
        assert "certificate" in str(refused.value) and "--cafile" in str(refused.value)
        assert handler.messages == [] and ledger(out) == {}
        result = send_reports(data_dir, out, smtp=f"localhost:{port}", sender=SENDER, cafile=str(cert),
                              progress=False)
    assert result.exit_code == 0 and "STARTTLS" in result.server
    assert len(handler.messages) == len(REPS) and all(m.tls for m in handler.messages)


def test_plain_text_goes_only_to_a_relay_on_this_machine(data_dir, out, monkeypatch):
    from salesnb.deliver import smtp as smtp_module
    from salesnb.errors import DeliveryError

    handler = Recorder()
    with smtp_server(handler) as port:
        monkeypatch.setattr(smtp_module, "is_local", lambda host: False)  # as if the server were elsewhere
        with pytest.raises(DeliveryError, match="does not offer STARTTLS"):
            send_reports(data_dir, out, smtp=f"127.0.0.1:{port}", sender=SENDER, progress=False)
    assert handler.messages == [] and ledger(out) == {}


def test_a_server_that_is_down_or_silent_fails_every_rep_with_the_ledger_intact(data_dir, out):
    result = send_reports(data_dir, out, smtp=f"127.0.0.1:{free_port()}", sender=SENDER, attempts=2,
                          retry_wait=0.01, progress=False)
    assert result.exit_code == 1 and sorted(result.failed) == REPS
    assert "cannot reach" in result.failed[REPS[0]] and all("not tried" in result.failed[r] for r in REPS[1:])
    with socket.socket() as silent:  # accepts connections and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        result = send_reports(data_dir, out, smtp=f"127.0.0.1:{silent.getsockname()[1]}", sender=SENDER,
                              attempts=1, timeout=0.5, progress=False)
    assert result.exit_code == 1 and "timed out" in result.failed[REPS[0]]
    assert all(d["state"] == "failed" for ds in ledger(out).values() for d in ds)


def test_a_changed_report_is_listed_and_resend_sends_it(data_dir, out, addresses):
    handler = Recorder()
    with smtp_server(handler) as port:
        server = f"localhost:{port}"
        assert send_reports(data_dir, out, smtp=server, sender=SENDER, progress=False).exit_code == 0
        # what was sent to R001 is no longer the report in the folder
        path = out / "_sent" / "R001.json"
        doc = json.loads(path.read_text())
        doc["deliveries"][-1]["report_sha256"] = "0" * 64
        path.write_text(json.dumps(doc))
        result = send_reports(data_dir, out, smtp=server, sender=SENDER, progress=False)
        assert result.sent == [] and [(n.rep_id, n.kind) for n in result.plan.not_sent if n.rep_id == "R001"] == [
            ("R001", "changed")]
        assert "--resend R001" in result.summary()
        result = send_reports(data_dir, out, smtp=server, sender=SENDER, resend="R001", progress=False)
    assert [(r, a) for r, a, _ in result.sent] == [("R001", addresses["R001"])]
    assert len(handler.messages) == len(REPS) + 1


def test_ctrl_c_during_a_message_finishes_and_records_it_then_stops(data_dir, out):
    handler = Recorder(delay=2.0)
    with smtp_server(handler) as port:
        proc = subprocess.Popen([sys.executable, "-m", "salesnb", "send", "--data", str(data_dir), "--out", str(out),
                                 "--smtp", f"localhost:{port}", "--from", SENDER, "--no-progress"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            assert handler.data_started.wait(120), "the first message never reached the server"
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 130, err
    assert len(handler.messages) == 1  # the message in flight was finished, no other was started
    records = ledger(out)
    assert [d["state"] for ds in records.values() for d in ds] == ["sent"]
    (sent_to,) = [d["to"] for ds in records.values() for d in ds]
    assert handler.messages[0].rcpt_tos == [sent_to]
    assert not list((out / "_sent").glob(".*salesnb-tmp*"))
