"""What happens to a rep's report once its HTML is written: the privacy scan, then its PDF.

    finish = Finisher(inputs, team_names, origin, scan=True, printer=PdfPrinter("a4"))
    status = finish(rep_id, html_path, pdf_path, status)     # the rep's status record, brought up to date

The scan runs first, on the page as written (in the worker that wrote it, which hands its findings over,
or here). Only a report that passed it is printed (when a printer is
given); a report that leaks, or was written again without being printed, keeps no PDF, so the folder
never offers a PDF of another page than the report beside it. The status record also gets what the
report was made from and the headline facts its e-mail will say (`salesnb.words.mail`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PdfError
from ..fingerprint import file_hash
from ..words.rep import LANGUAGE as REPORT_LANGUAGE
from .index import IndexRow
from .pdf import PdfPrinter
from .privacy import Leak, scan_report
from .status import PRIVACY_LEAK, PRIVACY_PASSED, pdf_current


@dataclass
class Finisher:
    inputs: object  # the run's RepInputs
    team_names: list[tuple[str, str]]  # (rep_id, name) of the whole team, for the scan
    origin: dict  # {"data_sha256", "salesnb"}: what the reports are made from
    scan: bool = True
    printer: PdfPrinter | None = None
    leaks: list[Leak] = field(default_factory=list)
    printed: dict[str, float] = field(default_factory=dict)  # rep_id -> seconds
    failed: dict[str, str] = field(default_factory=dict)  # rep_id -> why no PDF

    def __call__(self, rep_id: str, html_path: Path, pdf_path: Path, status: dict,
                 leaks: list[Leak] | None = None) -> dict:
        """`leaks`: what the scan found when it already ran (in the worker that wrote the page); None: scan here."""
        status.update(self.origin, mail=mail_facts(self.inputs, rep_id))
        status.pop("pdf_error", None)
        if self.scan and leaks is not None:
            self.leaks += leaks
            status["privacy"] = PRIVACY_LEAK if leaks else PRIVACY_PASSED
        elif self.scan:
            peer = self.inputs.reps.at[rep_id, "peer_name"]
            leaks = scan_report(Path(html_path).read_text(encoding="utf-8"), rep_id, self.team_names,
                                allowed_names=[peer] if isinstance(peer, str) else [], report=Path(html_path).name)
            self.leaks += leaks
            status["privacy"] = PRIVACY_LEAK if leaks else PRIVACY_PASSED
        if self.printer is None or status.get("privacy") != PRIVACY_PASSED:
            if status.get("privacy") == PRIVACY_LEAK or not pdf_current(status, pdf_path):
                Path(pdf_path).unlink(missing_ok=True)  # never a PDF of a leaking or outdated report
                status.pop("pdf", None)
            return status
        paper = self.printer.paper
        if pdf_current(status, pdf_path, paper):
            return status
        try:
            seconds = self.printer.render(html_path, pdf_path)
        except PdfError as exc:
            Path(pdf_path).unlink(missing_ok=True)
            status.pop("pdf", None)
            status["pdf_error"] = self.failed[rep_id] = str(exc)
            return status
        status["pdf"] = {"sha256": file_hash(Path(pdf_path)), "paper": paper, "seconds": round(seconds, 3)}
        self.printed[rep_id] = seconds
        return status


def mail_facts(inputs, rep_id: str) -> dict:
    """What the e-mail that delivers this report says (`salesnb.words.mail`): the rep's headline figures."""
    s = inputs.slice(rep_id)
    row = IndexRow.from_slice(s, "")
    meta = inputs.meta
    won = s.values.get("won_revenue")
    return {"name": row.name, "role": row.role, "won": None if won is None or won != won else float(won),
            "currency": meta.get("currency"), "attainment": row.attainment,
            "projected_attainment": row.projected_attainment, "rank": row.rank, "n_in_role": row.n_in_role,
            "at_risk": row.at_risk, "period": meta.get("period_label"), "as_of": meta.get("as_of"),
            "team": meta.get("dataset_name"), "language": REPORT_LANGUAGE}


__all__ = ["Finisher", "mail_facts"]
