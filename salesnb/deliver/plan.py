"""Which reports `salesnb send` may send, and why each other one is not sent.

A report goes out only when all of these hold, checked in this order for each rep:

1. the rep has an address of their own, in the form `salesnb.addresses` accepts (and no other rep has it);
2. the report is in the folder as `salesnb reports` wrote it: its run succeeded, it passed the privacy
   scan, its HTML is unchanged, it was made from the same data files and the same salesnb, and its PDF
   (the attachment) is there unchanged;
3. the ledger has not recorded it as sent already (the same report, by its hash). A report that changed
   since it was sent, or whose sending was interrupted, is listed and not sent, unless `--resend` names
   the rep.

Nothing here sends or writes: `plan` only reads the dataset's reps, the status records and the ledger.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..addresses import is_address
from ..batch.status import PRIVACY_PASSED, intact, read_all
from .ledger import SENDING, SENT, Ledger


@dataclass
class Item:
    """One report to send."""

    rep_id: str
    stem: str
    name: str
    address: str
    facts: dict  # the status record's "mail" facts (salesnb.words.mail)
    html: Path
    pdf: Path
    report_sha256: str
    pdf_sha256: str
    resend: bool = False


@dataclass
class NotSent:
    rep_id: str
    name: str
    kind: str  # a key of REASONS
    detail: str = ""  # the value or date that explains it


@dataclass
class Plan:
    items: list[Item] = field(default_factory=list)
    not_sent: list[NotSent] = field(default_factory=list)
    already: list[tuple[str, str, str]] = field(default_factory=list)  # (rep_id, name, when sent)


# kind -> (why, fix); {reports} is the command that (re)writes the reports, {send} this command again.
REASONS = {
    "no_address": ("no e-mail address", "add it in the email column of reps.csv (docs/data-model.md)"),
    "bad_address": ("the address {detail} is not in the form name@company.com", "correct it in reps.csv"),
    "shared_address": ("the address {detail} belongs to more than one rep, so nothing is sent to it",
                       "give each rep their own address in reps.csv"),
    "no_report": ("no report in the folder", "{reports}"),
    "failed": ("the report failed ({detail})", "see the index page, fix it and run {reports}"),
    "privacy": ("the report did not pass the privacy scan, and is never sent",
                "run {reports}: its summary (exit code 3) names what the report shows of another rep"),
    "edited": ("the report's file changed on disk since salesnb wrote it", "{reports}"),
    "outdated": ("the report was made from other data files or another salesnb", "{reports}"),
    "no_pdf": ("no PDF of the report (the attachment)", "{reports}"),
    "changed": ("the report changed since it was sent on {detail}, and is not sent again without asking",
                "to send the new report: {send} --resend {rep_id}"),
    "uncertain": ("sending was interrupted on {detail}; the server may have delivered it",
                  "ask the rep (or check the server's log); {send} --resend {rep_id} sends it again"),
    "not_in_data": ("the report's rep is not in the dataset's reps", "check that --data is the dataset the "
                                                                       "reports were made from"),
}


def reason_text(n: NotSent, reports_cmd: str, send_cmd: str) -> tuple[str, str]:
    why, fix = REASONS[n.kind]
    return (why.format(detail=n.detail), fix.format(reports=reports_cmd, send=send_cmd, rep_id=n.rep_id))


def plan(reps: pd.DataFrame, out_dir: Path, made_from: dict, ledger: Ledger, *, wanted: list[str] | None = None,
         resend: set[str] = frozenset()) -> Plan:
    """The reports to send and the reps not sent to, with why. `made_from`: {"data_sha256", "salesnb"} now."""
    out_dir = Path(out_dir)
    statuses = read_all(out_dir)
    ids = reps["rep_id"].astype(str).tolist()
    names = dict(zip(ids, reps["name"].astype(str)))
    emails = dict(zip(ids, reps["email"] if "email" in reps.columns else [None] * len(ids)))
    left = dict(zip(ids, reps["end_date"].notna() if "end_date" in reps.columns else [False] * len(ids)))
    owners: dict[str, int] = {}
    for e in emails.values():
        if is_address(e):
            owners[e.casefold()] = owners.get(e.casefold(), 0) + 1
    result = Plan()
    if wanted is None:
        # every rep with a report, and every current rep (one who left and has no report is not missed)
        chosen = [r for r in ids if r in statuses or not left[r]]
        result.not_sent += [NotSent(r, str(st.get("mail", {}).get("name", "")), "not_in_data")
                            for r, (_, st) in statuses.items() if r not in names]
    else:
        chosen = wanted
    for rep_id in chosen:
        name, email = names[rep_id], emails[rep_id]
        stem, st = statuses.get(rep_id, (None, None))
        problem = _address_problem(email, owners) or _report_problem(st, stem, out_dir, made_from)
        if problem:
            result.not_sent.append(NotSent(rep_id, name, *problem))
            continue
        html, pdf = out_dir / f"{stem}.html", out_dir / f"{stem}.pdf"
        item = Item(rep_id, stem, name, email, dict(st.get("mail") or {}), html, pdf, st["html_sha256"],
                    st["pdf"]["sha256"], resend=rep_id in resend)
        last = ledger.last(stem)
        if not item.resend and last is not None:
            sent = ledger.last_sent(stem)
            if last.get("state") == SENDING:
                result.not_sent.append(NotSent(rep_id, name, "uncertain", str(last.get("at", ""))))
                continue
            if sent is not None and sent.get("report_sha256") == item.report_sha256:
                result.already.append((rep_id, name, str(sent.get("at", ""))))
                continue
            if sent is not None:
                result.not_sent.append(NotSent(rep_id, name, "changed", str(sent.get("at", ""))))
                continue
        result.items.append(item)
    return result


def _address_problem(email, owners: dict[str, int]) -> tuple[str, str] | None:
    if email is None or (not isinstance(email, str) and pd.isna(email)) or (isinstance(email, str) and not email):
        return ("no_address", "")
    if not is_address(email):
        return ("bad_address", repr(str(email)))
    if owners.get(email.casefold(), 0) > 1:
        return ("shared_address", email)
    return None


def _report_problem(st: dict | None, stem: str | None, out_dir: Path, made_from: dict) -> tuple[str, str] | None:
    if st is None:
        return ("no_report", "")
    if not st.get("ok"):
        return ("failed", str(st.get("reason") or "see the index"))
    if st.get("privacy") != PRIVACY_PASSED:
        return ("privacy", "")
    if not intact(out_dir / f"{stem}.html", st.get("html_sha256")):
        return ("edited", "")
    if st.get("data_sha256") != made_from["data_sha256"] or st.get("salesnb") != made_from["salesnb"]:
        return ("outdated", "")
    pdf = st.get("pdf")
    if not isinstance(pdf, dict) or not intact(out_dir / f"{stem}.pdf", pdf.get("sha256")):
        return ("no_pdf", "")
    if not isinstance(st.get("mail"), dict):
        return ("outdated", "")
    return None


__all__ = ["Item", "NotSent", "Plan", "REASONS", "plan", "reason_text", "SENT"]
