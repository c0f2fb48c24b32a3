"""Delivering reports: `salesnb send` e-mails each rep their own report (the PDF), to their address only.

- `plan`: which reports may be sent, and why each other one is not (no address, no PDF, privacy, ...)
- `message`: one rep's message (the words are `salesnb.words.mail`)
- `smtp`: the mail server, secured (STARTTLS, TLS; plain only to a relay on this machine)
- `ledger`: what was sent, per rep (`OUT/_sent/`), written atomically around each message
- `send`: the command itself (`send_reports`), outbox or SMTP
"""
from .send import SendResult, send_reports

__all__ = ["SendResult", "send_reports"]
