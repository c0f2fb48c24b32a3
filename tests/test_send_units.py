"""The parts of `salesnb send` that need no server: which reports may go and why not, the message and its
words, the mail server's address and password, the ledger's lock; and the [reports] settings."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import types
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pandas as pd
import pytest

from salesnb.dataset_toml import check_settings
from salesnb.deliver.ledger import Ledger
from salesnb.deliver.message import build
from salesnb.deliver.plan import Item, plan
from salesnb.deliver.smtp import PASSWORD_ENV, is_local, parse_server, password_for
from salesnb.errors import DeliveryError
from salesnb.words import mail

FACTS = {"name": "Ann Lee", "role": "AE", "won": 120000.0, "currency": "EUR", "attainment": 0.8712,
         "projected_attainment": 0.97, "rank": 3, "n_in_role": 12, "at_risk": False, "period": "2026",
         "as_of": "2026-11-15", "team": "T", "language": "en"}
MADE_FROM = {"data_sha256": "d" * 64, "salesnb": "0.1.0+abc"}


# ------------------------------------------------------------------ which reports may go

def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _report(out: Path, rep_id: str, **status) -> dict:
    """A report folder entry as `salesnb reports --pdf` leaves it: HTML, PDF and the status record."""
    html, pdf = f"<html>{rep_id}</html>".encode(), f"%PDF {rep_id}".encode()
    (out / f"{rep_id}.html").write_bytes(html)
    (out / f"{rep_id}.pdf").write_bytes(pdf)
    st = {"rep_id": rep_id, "ok": True, "reason": "", "html_sha256": _sha(html), "privacy": "passed",
          "pdf": {"sha256": _sha(pdf), "paper": "a4"}, **MADE_FROM, "mail": dict(FACTS, name=rep_id)} | status
    folder = out / "_batch" / "status"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{rep_id}.json").write_text(json.dumps(st))
    return st


def test_plan_sends_only_ready_reports_to_their_own_address_and_says_why_not(tmp_path):
    out = tmp_path
    emails = {"OK": "ok@x.com", "NOADDR": "", "BAD": "Bad <bad@x.com>", "SHARE1": "same@x.com",
              "SHARE2": "SAME@x.com", "FAILED": "f@x.com", "LEAK": "l@x.com", "UNSCANNED": "u@x.com",
              "EDITED": "e@x.com", "OLD": "o@x.com", "NOPDF": "n@x.com", "NOREPORT": "r@x.com",
              "LEFT": "left@x.com"}
    for rep_id in emails:
        if rep_id not in ("NOREPORT", "LEFT"):
            _report(out, rep_id)
    _report(out, "FAILED", ok=False, reason="cell 3: ValueError")
    _report(out, "LEAK", privacy="leak")
    st = _report(out, "UNSCANNED")
    del st["privacy"]
    (out / "_batch" / "status" / "UNSCANNED.json").write_text(json.dumps(st))
    (out / "EDITED.html").write_text("<html>changed by hand</html>")
    _report(out, "OLD", data_sha256="0" * 64)
    (out / "NOPDF.pdf").unlink()
    _report(out, "GONE")  # a report whose rep is no longer in the data
    reps = pd.DataFrame({"rep_id": list(emails), "name": [r.title() for r in emails],
                         "email": [e or None for e in emails.values()],
                         "end_date": [pd.Timestamp("2026-01-31") if r == "LEFT" else pd.NaT for r in emails]})
    p = plan(reps, out, MADE_FROM, Ledger(out))
    assert [(i.rep_id, i.address, i.pdf.name) for i in p.items] == [("OK", "ok@x.com", "OK.pdf")]
    assert {n.rep_id: n.kind for n in p.not_sent} == {
        "NOADDR": "no_address", "BAD": "bad_address", "SHARE1": "shared_address", "SHARE2": "shared_address",
        "FAILED": "failed", "LEAK": "privacy", "UNSCANNED": "privacy", "EDITED": "edited", "OLD": "outdated",
        "NOPDF": "no_pdf", "NOREPORT": "no_report", "GONE": "not_in_data"}  # LEFT: gone, and no report: not missed


def test_the_ledger_decides_what_was_sent_changed_or_may_have_gone(tmp_path):
    out = tmp_path
    for rep_id in ("A", "B", "C", "D"):
        _report(out, rep_id)
    reps = pd.DataFrame({"rep_id": ["A", "B", "C", "D"], "name": list("ABCD"),
                         "email": ["a@x.com", "b@x.com", "c@x.com", "d@x.com"]})
    ledger = Ledger(out)
    html = {r: _sha(f"<html>{r}</html>".encode()) for r in "ABCD"}
    ledger.record("A", "A", {"state": "sent", "message_id": "<1@x>", "report_sha256": html["A"], "at": "T1"})
    ledger.record("B", "B", {"state": "sent", "message_id": "<2@x>", "report_sha256": "old", "at": "T2"})
    ledger.record("C", "C", {"state": "sending", "message_id": "<3@x>", "report_sha256": html["C"], "at": "T3"})
    ledger.record("D", "D", {"state": "sent", "message_id": "<4@x>", "report_sha256": html["D"], "at": "T4"})
    ledger.record("D", "D", {"state": "failed", "message_id": "<5@x>", "report_sha256": html["D"], "at": "T5"})
    p = plan(reps, out, MADE_FROM, ledger)
    assert p.items == [] and p.already == [("A", "A", "T1"), ("D", "D", "T4")]
    assert [(n.rep_id, n.kind, n.detail) for n in p.not_sent] == [("B", "changed", "T2"), ("C", "uncertain", "T3")]
    p = plan(reps, out, MADE_FROM, ledger, wanted=["A", "B", "C"], resend={"B", "C"})
    assert [(i.rep_id, i.resend) for i in p.items] == [("B", True), ("C", True)]


def test_a_damaged_ledger_record_stops_the_run_and_two_runs_cannot_send_at_once(tmp_path):
    ledger = Ledger(tmp_path)
    ledger.folder.mkdir()
    ledger.path("A").write_text("{not json")
    with pytest.raises(DeliveryError, match="cannot be read"):
        ledger.deliveries("A")
    with ledger.locked():
        with pytest.raises(DeliveryError, match="another salesnb send is running"):
            with Ledger(tmp_path).locked():
                pass


# ------------------------------------------------------------------ the message and its words

def test_the_note_says_the_headline_figures_that_are_there_and_nothing_else():
    body = mail.body(FACTS, dt.date(2026, 11, 20))
    assert "Hello Ann Lee," in body
    assert "The headline: 87% of your quota so far, on course for 97% by the end of the period; rank 3 of 12 in " \
           "your role (AE), by score." in body
    assert "No early warning this period." in body and "one-on-one on Friday 2026-11-20." in body
    no_quota = dict(FACTS, attainment=None, projected_attainment=None, at_risk=None, rank=None)
    body = mail.body(no_quota)
    assert "The headline: 120,000 EUR won so far." in body and "early warning" not in body and "quota" not in body
    assert "next one-on-one" in body
    bare = {k: None for k in FACTS} | {"name": "Bo", "period": "2026", "as_of": "2026-11-15"}
    assert "headline" not in mail.body(bare).lower() and "None" not in mail.body(bare)
    assert "risk of missing your quota" in mail.body(dict(FACTS, at_risk=True))
    assert mail.subject(FACTS) == "Your sales report, 2026 (as of 2026-11-15)"
    with pytest.raises(KeyError, match="add it to TEXTS"):
        mail.body(dict(FACTS, language="xx"))


def test_a_hostile_name_stays_one_line_in_the_headers_and_the_file_name(tmp_path):
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(b"%PDF-1.4 test")
    name = 'Eve "x"\r\nBcc: all@x.com / ..\\evil'
    item = Item("R1", "R1", name, "eve@x.com", dict(FACTS, name=name), tmp_path / "r.html", pdf, "h", "p")
    raw = build(item, "Boss <boss@x.com>", ["boss@x.com"], None).as_bytes()
    msg = message_from_bytes(raw, policy=default_policy)
    assert [a.addr_spec for a in msg["To"].addresses] == ["eve@x.com"] and msg["Bcc"] is None
    assert msg["Cc"] == "boss@x.com"
    (part,) = list(msg.iter_attachments())
    assert part.get_content() == b"%PDF-1.4 test"
    assert "/" not in part.get_filename() and "\\" not in part.get_filename() and "\n" not in part.get_filename()


# ------------------------------------------------------------------ the server's address and the password

def test_the_mail_server_address():
    assert parse_server("smtp.example.com:587") == ("smtp.example.com", 587)
    assert parse_server("[::1]:2525") == ("::1", 2525)
    assert parse_server("smtp.example.com") == ("smtp.example.com", 587)
    assert parse_server("smtp.example.com", use_ssl=True) == ("smtp.example.com", 465)
    for bad in ("", "smtp.example.com:0", "smtp.example.com:x", "user@smtp.example.com:25", "a b:25"):
        with pytest.raises(DeliveryError):
            parse_server(bad)
    assert is_local("localhost") and is_local("127.0.0.1") and is_local("127.9.9.9") and is_local("::1")
    assert not is_local("smtp.example.com") and not is_local("192.0.2.1") and not is_local("localhost.example.com")


def test_the_password_comes_from_the_environment_or_the_keyring_never_the_command_line(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "s3cret")
    assert password_for("diane", "smtp.example.com") == "s3cret"
    monkeypatch.delenv(PASSWORD_ENV)
    monkeypatch.setitem(sys.modules, "keyring", None)  # not installed
    with pytest.raises(DeliveryError, match=PASSWORD_ENV) as missing:
        password_for("diane", "smtp.example.com")
    assert "keyring set salesnb-smtp diane" in str(missing.value)
    stored = types.SimpleNamespace(get_password=lambda service, user: {("salesnb-smtp", "diane"): "k3y"}.get(
        (service, user)))
    monkeypatch.setitem(sys.modules, "keyring", stored)
    assert password_for("diane", "smtp.example.com") == "k3y"


def test_the_command_refuses_bad_options_with_the_fix(tmp_path, capsys, sample_dir):
    from salesnb.cli import main

    assert main(["send", "--data", str(sample_dir), "--out", str(tmp_path), "--password", "x"]) == 2
    assert main(["send", "--data", str(sample_dir), "--out", str(tmp_path)]) == 1
    assert "holds no reports written by salesnb" in capsys.readouterr().err
    (tmp_path / "_batch" / "status").mkdir(parents=True)
    assert main(["send", "--data", str(sample_dir), "--out", str(tmp_path), "--from", "boss"]) == 1
    assert "--from 'boss': not an e-mail address" in capsys.readouterr().err
    assert main(["send", "--data", str(sample_dir), "--out", str(tmp_path), "--cc", "a@x.com,nope"]) == 1
    assert "--cc 'nope'" in capsys.readouterr().err


# ------------------------------------------------------------------ [reports] in dataset.toml

def test_the_reports_settings():
    meta, problems = check_settings({"reports": {"pdf": True, "paper": "Letter"}})
    assert (meta.reports.pdf, meta.reports.paper, problems) == (True, "letter", [])
    meta, problems = check_settings({"reports": {"pdf": "yes", "paper": "A5", "papr": "a4"}})
    assert (meta.reports.pdf, meta.reports.paper) == (False, "a4")  # the defaults meanwhile
    found = {p.setting: (p.message, p.fix) for p in problems}
    assert found["reports.pdf"][0].startswith("must be true or false")
    assert "a4" in found["reports.paper"][0] and 'paper = "letter"' in found["reports.paper"][1]
    assert "did you mean paper?" in found["reports.papr"][1]
    _, problems = check_settings({"reports": "pdf"})
    assert problems[0].setting == "reports" and "[reports]" in problems[0].fix
