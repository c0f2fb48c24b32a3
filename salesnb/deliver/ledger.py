"""The ledger: what `salesnb send` sent, per rep, in the reports folder.

    OUT/_sent/<rep>.json   {"format": 1, "rep_id": "R001", "deliveries": [
                              {"state": "sent", "message_id": "<...@example.com>", "report_sha256": "...",
                               "pdf_sha256": "...", "to": "dana.khan@example.com", "cc": [], "server": "host:587",
                               "at": "2026-11-16T08:00:03Z", "error": ""}, ...]}

A delivery is first recorded as "sending" (before the message goes to the server), then as "sent" or
"failed" (after): each record is written atomically, so a stop at any moment leaves the ledger as it was
before or after one message, never half-written. A "sending" record that stays means the process was
killed while the server had the message: it may or may not have gone out, so it is never sent again
silently. One file per rep: writing after each message costs the same for 20 reps or 20,000.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from contextlib import contextmanager
from pathlib import Path

from ..atomic import sweep_temp_files, write_text_atomic
from ..errors import DeliveryError

LEDGER_DIR = "_sent"
FORMAT = 1
KEEP = 50  # deliveries kept per rep
SENDING, SENT, FAILED = "sending", "sent", "failed"


def now_utc() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class Ledger:
    """The ledger folder of one reports folder."""

    def __init__(self, out_dir: Path):
        self.folder = Path(out_dir) / LEDGER_DIR

    def path(self, stem: str) -> Path:
        return self.folder / f"{stem}.json"

    def deliveries(self, stem: str) -> list[dict]:
        try:
            doc = json.loads(self.path(stem).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise DeliveryError(f"{self.path(stem)}: the ledger record cannot be read ({exc}). It says what was "
                                "already sent, so salesnb will not guess: restore it from a backup, or delete it "
                                "if you are sure nothing was sent to this rep.") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("deliveries"), list):
            raise DeliveryError(f"{self.path(stem)}: not a ledger record salesnb wrote (format {FORMAT}). Restore "
                                "it, or delete it if you are sure nothing was sent to this rep.")
        return [d for d in doc["deliveries"] if isinstance(d, dict)]

    def last(self, stem: str) -> dict | None:
        """The rep's latest delivery record (any state), or None."""
        found = self.deliveries(stem)
        return found[-1] if found else None

    def last_sent(self, stem: str) -> dict | None:
        return next((d for d in reversed(self.deliveries(stem)) if d.get("state") == SENT), None)

    def record(self, stem: str, rep_id: str, delivery: dict) -> None:
        """Add `delivery`, or replace the record of the same message id (sending -> sent/failed); atomic."""
        self.folder.mkdir(parents=True, exist_ok=True)
        found = [d for d in self.deliveries(stem) if d.get("message_id") != delivery.get("message_id")]
        doc = {"format": FORMAT, "rep_id": rep_id, "deliveries": (found + [delivery])[-KEEP:]}
        write_text_atomic(self.path(stem), json.dumps(doc, ensure_ascii=False, indent=1))

    @contextmanager
    def locked(self):
        """Hold the folder's lock for a run that sends: two runs at once could send a report twice."""
        self.folder.mkdir(parents=True, exist_ok=True)
        sweep_temp_files(self.folder)
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock (one run at a time is then up to you)
            yield
            return
        fd = os.open(self.folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise DeliveryError(f"another salesnb send is running on {self.folder.parent}; wait for it to "
                                    "finish (two at once could send a report twice).") from None
            yield
        finally:
            os.close(fd)


__all__ = ["Ledger", "LEDGER_DIR", "SENDING", "SENT", "FAILED", "now_utc"]
