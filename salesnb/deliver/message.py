"""One rep's message: to that rep only (the manager in Cc when asked), the report's PDF attached, and a
short plain-text body in the report's language (`salesnb.words.mail`)."""
from __future__ import annotations

import datetime as dt
import re
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid

from ..addresses import domain_of
from ..words import mail as words
from .plan import Item


def _display_name(name: str) -> str:
    """A name for an address header: one line, no control characters."""
    return re.sub(r"[\x00-\x1f\x7f\u2066-\u2069]+", " ", name).strip()


def build(item: Item, sender: str, cc: list[str], meeting: dt.date | None, *, message_id: str | None = None,
          when: dt.datetime | None = None) -> EmailMessage:
    """The message for `item`, with its PDF read from disk now (`item.pdf`)."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    msg["To"] = formataddr((_display_name(item.name), item.address))
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = words.subject(item.facts)
    msg["Date"] = format_datetime(when or dt.datetime.now(dt.timezone.utc))
    msg["Message-ID"] = message_id or new_message_id(sender)
    msg.set_content(words.body(item.facts, meeting))
    msg.add_attachment(item.pdf.read_bytes(), maintype="application", subtype="pdf",
                       filename=words.attachment_name(item.facts))
    return msg


def new_message_id(sender: str) -> str:
    """A unique Message-ID in the sender's domain (kept in the ledger, and the same on every retry)."""
    from email.utils import parseaddr

    address = parseaddr(sender)[1]
    return make_msgid(idstring="salesnb", domain=domain_of(address) if "@" in address else None)


__all__ = ["build", "new_message_id"]
