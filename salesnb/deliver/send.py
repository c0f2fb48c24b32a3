"""`salesnb send`: each rep's report, by e-mail, to that rep alone.

    result = send_reports("data/sample", "reports")                          # an outbox to review; nothing sent
    result = send_reports("data/sample", "reports", smtp="localhost:25")     # sends, through a local relay

Recipe: read the reps and their addresses from the dataset; decide which reports may go and why the
others may not (`plan`); then either write each message to the outbox as a ``.eml`` file for review, or
send it through the mail server, one message at a time: record it in the ledger as being sent, hand it to
the server for the rep's address only (then, when asked, for the manager's copy), record the outcome.
Transient failures are retried with a growing wait; a rep whose message could not be delivered is
reported, and the others still go.
"""
from __future__ import annotations

import datetime as dt
import getpass
import socket
import sys
import time
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

from .. import config
from ..addresses import is_address
from ..atomic import write_bytes_atomic
from ..batch.select import parse_rep_list
from ..batch.status import made_from, status_dir
from ..errors import DeliveryError
from .ledger import FAILED, SENDING, SENT, Ledger, now_utc
from .message import build, new_message_id
from .plan import Item, Plan, plan, reason_text
from .smtp import Failure, Server, held_signals, parse_server

OUTBOX_DIR = "outbox"
ATTEMPTS = 3  # tries per message before its rep is reported
RETRY_WAIT = 2.0  # seconds before the first retry; doubled before each next one
MAX_LISTED = 12  # reps named per reason in the summary


@dataclass
class SendResult:
    """What a `send` run did. `exit_code` is 1 when a message could not be delivered, else 0."""

    out_dir: Path
    plan: Plan
    outbox: Path | None = None  # outbox mode: where the .eml files are
    server: str = ""  # sending mode: HOST:PORT and how it was secured
    written: list[tuple[str, Path]] = field(default_factory=list)  # outbox: (rep_id, .eml)
    sent: list[tuple[str, str, str]] = field(default_factory=list)  # (rep_id, address, message id)
    failed: dict[str, str] = field(default_factory=dict)  # rep_id -> why its message was not delivered
    cc_failed: dict[str, str] = field(default_factory=dict)  # rep_id -> why the manager's copy was not
    commands: tuple[str, str] = ("salesnb reports --pdf", "salesnb send")  # to rewrite the reports; to send
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.cc_failed else 0

    def summary(self) -> str:
        p, lines = self.plan, []
        names = {i.rep_id: i.name for i in p.items}
        if self.outbox is not None:
            lines.append(f"{len(self.written)} message(s) written to the outbox {self.outbox} for review; nothing "
                         f"was sent. {len(p.already)} report(s) already sent.")
            if self.written:
                lines.append("  Open a .eml file with your mail program to see a message as the rep will. To send "
                             f"them: {self.commands[1]} --smtp HOST:PORT (see docs/sending.md).")
        else:
            lines.append(f"{len(self.sent)} message(s) sent through {self.server}, {len(p.already)} already sent "
                         f"before, {len(self.failed)} failed, in {self.seconds:.1f} s.")
        for rep_id, why in self.failed.items():
            lines.append(f"  FAILED {rep_id} {names.get(rep_id, '')}: {why}")
        for rep_id, why in self.cc_failed.items():
            lines.append(f"  COPY FAILED {rep_id} {names.get(rep_id, '')}: the rep has the report; the copy "
                         f"failed: {why}")
        if p.not_sent:
            lines.append(f"Not sent ({len(p.not_sent)}):")
            groups: dict[tuple[str, str], list[str]] = {}
            for n in p.not_sent:
                groups.setdefault(reason_text(n, *self.commands), []).append(f"{n.rep_id} {n.name}".strip())
            for (why, fix), who in groups.items():
                shown = ", ".join(who[:MAX_LISTED]) + (f" and {len(who) - MAX_LISTED} more" if len(who) > MAX_LISTED
                                                       else "")
                lines.append(f"  {why} ({len(who)}): {shown}. Fix: {fix}.")
        lines.append(f"Ledger: {self.out_dir / '_sent'}")
        return "\n".join(lines)


def send_reports(data_dir, out_dir=None, *, smtp: str | None = None, use_ssl: bool = False, user: str | None = None,
                 sender: str | None = None, cc=(), meeting: dt.date | str | None = None, outbox=None, reps=None,
                 resend=None, cafile: str | None = None, timeout: float = 30.0, attempts: int = ATTEMPTS,
                 retry_wait: float = RETRY_WAIT, progress: bool = True) -> SendResult:
    """Deliver each rep's report (its PDF) to the rep's own address; see the module's recipe.

    smtp: "HOST:PORT" to send; None writes the outbox (`outbox`, default OUT/outbox) and sends nothing.
    sender: the From address (default: you at this machine). cc: addresses that get a copy of every
    message. meeting: the one-on-one date the message names. reps: only these rep ids. resend: rep ids to
    send again even though the ledger has their report as sent (or changed since, or interrupted).
    """
    from ..load import load

    t0 = time.perf_counter()
    data_dir = Path(data_dir).resolve()
    out_dir = Path(out_dir if out_dir is not None else config.DEFAULT_REPORTS_DIR).resolve()
    if not status_dir(out_dir).is_dir():
        raise DeliveryError(f"{out_dir} holds no reports written by salesnb. Fix: salesnb reports --data "
                            f"{_arg(data_dir)} --out {_arg(out_dir)} --pdf first, then send from that folder.")
    sender = _sender(sender)
    cc = _addresses(cc, "--cc")
    meeting = _meeting(meeting)
    if smtp is not None:
        host, port = parse_server(smtp, use_ssl)
    dataset = load(data_dir)  # the reps and their addresses; a dataset with errors stops here
    known = set(dataset.reps["rep_id"].astype(str))
    wanted, again = parse_rep_list(reps), parse_rep_list(resend) or []
    for option, ids in (("--reps", wanted or []), ("--resend", again)):
        unknown = [r for r in ids if r not in known]
        if unknown:
            raise DeliveryError(f"{option}: {', '.join(map(repr, unknown[:5]))} not among the reps of {data_dir}.")
    if wanted is not None:
        wanted = list(dict.fromkeys(wanted + again))
    commands = (f"salesnb reports --data {_arg(data_dir)} --out {_arg(out_dir)} --pdf",
                f"salesnb send --data {_arg(data_dir)} --out {_arg(out_dir)}")
    origin = made_from(data_dir)
    ledger = Ledger(out_dir)
    if smtp is None:
        the_plan = plan(dataset.reps, out_dir, origin, ledger, wanted=wanted, resend=set(again))
        result = SendResult(out_dir, the_plan, commands=commands)
        _write_outbox(result, Path(outbox).resolve() if outbox else out_dir / OUTBOX_DIR, data_dir, sender, cc,
                      meeting)
    else:
        with ledger.locked():  # the plan reads the ledger: no other run may send between reading and sending
            the_plan = plan(dataset.reps, out_dir, origin, ledger, wanted=wanted, resend=set(again))
            result = SendResult(out_dir, the_plan, commands=commands)
            if the_plan.items:
                server = Server(host, port, use_ssl=use_ssl, user=user, cafile=cafile, timeout=timeout)
                try:
                    _send_all(result, server, ledger, sender, cc, meeting, attempts, retry_wait, progress)
                finally:
                    server.close()
                result.server = f"{server.name} ({server.security or 'not connected'})"
            else:
                result.server = f"{host}:{port}"
    result.seconds = time.perf_counter() - t0
    return result


# ------------------------------------------------------------------ outbox

def _write_outbox(result: SendResult, folder: Path, data_dir: Path, sender: str, cc: list[str], meeting) -> None:
    """One .eml file per message that would be sent; stale ones of the same reps are removed."""
    if folder == data_dir or data_dir in folder.parents:
        raise DeliveryError(f"--outbox {folder} is inside the input folder {data_dir}; salesnb never writes there.")
    if folder.exists() and not folder.is_dir():
        raise DeliveryError(f"--outbox {folder} is a file, not a folder.")
    folder.mkdir(parents=True, exist_ok=True)
    result.outbox = folder
    stems = {i.stem for i in result.plan.items}
    for stale in folder.glob("*.eml"):  # a rep no longer to send (sent since, or not ready): no message waits
        if stale.stem not in stems:
            stale.unlink()
    for item in result.plan.items:
        msg = build(item, sender, cc, meeting)
        path = folder / f"{item.stem}.eml"
        write_bytes_atomic(path, msg.as_bytes())
        result.written.append((item.rep_id, path))


# ------------------------------------------------------------------ sending

def _send_all(result: SendResult, server: Server, ledger: Ledger, sender: str, cc: list[str], meeting,
              attempts: int, retry_wait: float, progress: bool) -> None:
    envelope_from = parseaddr(sender)[1]
    try:
        server.connect()  # a certificate, a plain-text server or a login refused stop here, before any message
    except Failure:
        pass  # not reachable (yet): the first message's tries wait for it, and report it
    result.server = f"{server.name} ({server.security or 'not connected'})"
    bar = _progress_bar(len(result.plan.items), progress)
    unreachable = ""
    try:
        for item in result.plan.items:
            if unreachable:
                result.failed[item.rep_id] = f"not tried: {unreachable}"
                continue
            message_id = new_message_id(sender)
            msg = build(item, sender, cc, meeting, message_id=message_id)
            record = {"state": SENDING, "message_id": message_id, "report_sha256": item.report_sha256,
                      "pdf_sha256": item.pdf_sha256, "to": item.address, "cc": cc, "server": server.name,
                      "at": now_utc(), "resend": item.resend, "error": ""}
            with held_signals():
                ledger.record(item.stem, item.rep_id, record)
            failure = _try(lambda: server.send(msg, envelope_from, [item.address]), attempts, retry_wait,
                           on_result=lambda error: ledger.record(item.stem, item.rep_id, {
                               **record, "state": FAILED if error else SENT, "at": now_utc(), "error": error}))
            if failure is not None:
                result.failed[item.rep_id] = str(failure)
                if failure.unreachable:
                    unreachable = str(failure)
            else:
                result.sent.append((item.rep_id, item.address, message_id))
                if cc:  # the manager's copy: the same message, once the rep has theirs
                    failure = _try(lambda: server.send(msg, envelope_from, cc), attempts, retry_wait,
                                   on_result=lambda error: ledger.record(item.stem, item.rep_id, {
                                       **record, "state": SENT, "at": now_utc(), "cc_error": error}))
                    if failure is not None:
                        result.cc_failed[item.rep_id] = str(failure)
            if bar is not None:
                bar.set_postfix(sent=len(result.sent), failed=len(result.failed), refresh=False)
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()


def _try(send, attempts: int, retry_wait: float, on_result) -> Failure | None:
    """Call `send` until it succeeds, fails for good, or `attempts` tries are spent; returns the last failure.

    Each try and the ledger record of its outcome happen whole (Ctrl-C waits for both); the waits between
    tries can be interrupted, and then the failure so far is recorded before stopping.
    """
    failure: Failure | None = None
    for n in range(max(1, attempts)):
        with held_signals():
            try:
                send()
                on_result("")
                return None
            except Failure as exc:
                failure = exc
                last = exc.permanent or n == attempts - 1
                if last:
                    on_result(f"{exc} (after {n + 1} tr{'y' if n == 0 else 'ies'})")
            except DeliveryError as exc:  # reconnecting met what no retry fixes (a certificate, a login)
                on_result(f"not sent: {exc}")
                raise
        if last:
            return failure
        try:
            time.sleep(retry_wait * 2 ** n)
        except BaseException:
            with held_signals():
                on_result(f"{failure}; stopped before trying again")
            raise
    return failure


# ------------------------------------------------------------------ options

def _arg(path: Path) -> str:
    """A path as short as it can be written from here, for the commands a message suggests."""
    try:
        text = str(path.relative_to(Path.cwd()))
    except ValueError:
        text = str(path)
    return f"'{text}'" if any(c.isspace() for c in text) else text


def _sender(sender: str | None) -> str:
    if not sender:
        try:
            return f"{getpass.getuser()}@{socket.getfqdn()}"
        except (OSError, KeyError):
            raise DeliveryError("give the sender's address with --from, e.g. --from manager@example.com.") from None
    name, address = parseaddr(sender)
    if not is_address(address):
        raise DeliveryError(f"--from {sender!r}: not an e-mail address. Fix: --from manager@company.com, or "
                            "--from 'Diane Foster <diane.foster@company.com>'.")
    return sender


def _addresses(given, option: str) -> list[str]:
    items = [given] if isinstance(given, str) else list(given or ())
    out = [a.strip() for item in items for a in str(item).split(",") if a.strip()]
    bad = [a for a in out if not is_address(a)]
    if bad:
        raise DeliveryError(f"{option} {bad[0]!r}: not an e-mail address. Fix: give addresses like "
                            "manager@company.com, separated by commas.")
    return list(dict.fromkeys(out))


def _meeting(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DeliveryError(f"--meeting-date {value!r}: give the date of the one-on-one as YYYY-MM-DD.") from None


def _progress_bar(total: int, enabled: bool):
    if not enabled or total == 0:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="send", unit="msg", file=sys.stderr, dynamic_ncols=True)


__all__ = ["SendResult", "send_reports", "OUTBOX_DIR", "ATTEMPTS", "RETRY_WAIT"]
