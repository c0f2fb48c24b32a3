"""Each rep's status record: what the last run wrote for the rep, and what it checked.

    OUT/_batch/status/<rep>.json

    {"rep_id": "R001", "key": "...", "ok": true, "reason": "", "seconds": 3.1, "attempts": 1,
     "clock": {"view": 0.4, "kernel": 0.0, "notebook": 1.2, ...},   # where the seconds went, in the worker
     "html_sha256": "...", "ipynb_sha256": "...",      # the report files as written
     "privacy": "passed",                              # or "leak" (absent: not scanned)
     "pdf": {"sha256": "...", "paper": "a4", "seconds": 0.8},   # absent: no PDF
     "pdf_error": "...",                               # why the PDF could not be written, if so
     "data_sha256": "...", "salesnb": "0.1.0+...",     # the dataset files and the salesnb it was made from
     "mail": {"name": ..., "attainment": ..., ...}}    # headline facts for the e-mail (`salesnb send`)

`salesnb reports` writes it (atomically) after each rep's report; `salesnb send` reads it to decide
which reports may be sent: only a report that exists as written, passed the privacy scan, has its PDF,
and was made from the same data and salesnb.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..atomic import write_text_atomic
from ..fingerprint import file_hash, files_hash, package_hash

BATCH_DIR = "_batch"
STATUS_DIR = "status"
PRIVACY_PASSED, PRIVACY_LEAK = "passed", "leak"


def status_dir(out_dir: Path) -> Path:
    return Path(out_dir) / BATCH_DIR / STATUS_DIR


def read_status(path: Path) -> dict | None:
    """The record at `path`, or None when it is missing or unreadable."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def write_status(path: Path, status: dict) -> None:
    write_text_atomic(Path(path), json.dumps(status, ensure_ascii=False, indent=1))


def read_all(out_dir: Path) -> dict[str, tuple[str, dict]]:
    """rep_id -> (file stem, record) for every status record in the folder."""
    found: dict[str, tuple[str, dict]] = {}
    folder = status_dir(out_dir)
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        st = read_status(path)
        if st and isinstance(st.get("rep_id"), str):
            found[st["rep_id"]] = (path.stem, st)
    return found


def made_from(data_dir: Path) -> dict:
    """What a report is made from: a sha256 over the dataset folder's files, and the installed salesnb."""
    files = [p for p in Path(data_dir).iterdir() if p.is_file()]
    return {"data_sha256": files_hash(files), "salesnb": package_hash()}


def intact(path: Path, sha256: str | None) -> bool:
    """The file is there and still has the bytes recorded (not edited, truncated or replaced)."""
    try:
        return bool(sha256) and Path(path).is_file() and file_hash(Path(path)) == sha256
    except OSError:
        return False


def pdf_current(status: dict | None, pdf_path: Path, paper: str | None = None) -> bool:
    """The rep's PDF is the one the record names (and, when given, on this paper)."""
    pdf = (status or {}).get("pdf")
    return (isinstance(pdf, dict) and (paper is None or pdf.get("paper") == paper)
            and intact(pdf_path, pdf.get("sha256")))


__all__ = ["BATCH_DIR", "STATUS_DIR", "PRIVACY_PASSED", "PRIVACY_LEAK", "status_dir", "read_status", "write_status",
           "read_all", "made_from", "intact", "pdf_current"]
