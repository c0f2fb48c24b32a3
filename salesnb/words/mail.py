"""The e-mail that delivers a rep's report, in words: its subject, its short plain-text body, the name of
the attached PDF, and how `salesnb send` describes a rep it did not send to.

Every sentence a rep reads in the message is here, in the language of the rep's report, so that a
translation is one more entry in `TEXTS`. The facts come from the report's status record
(`salesnb.batch.status`, "mail"): the headline figures the report itself shows. A sentence appears only
when its figures are there.
"""
from __future__ import annotations

import datetime as dt
import re

from ..present import isolate, missing, money, pct
from .rep import LANGUAGE

TEXTS = {
    "en": {
        "subject": "Your sales report, {period} (as of {as_of})",
        "hello": "Hello {name},",
        "attached": "attached is your sales report for {period}, as of {as_of} (a PDF).",
        "attainment": "{attainment} of your quota so far",
        "projected": "on course for {projected} by the end of the period",
        "won": "{won} won so far",
        "rank": "rank {rank} of {n} in your role{role}, by score",
        "headline": "The headline: {parts}.",
        "at_risk": "The early warning flags a risk of missing your quota; the report shows the step to work on.",
        "on_track": "No early warning this period.",
        "meeting": "We will go through it in our one-on-one on {day}.",
        "no_meeting": "We will go through it in our next one-on-one.",
        "private": "The report is for you alone: it shows your own figures and anonymous team aggregates.",
        "file": "Sales report {period} - {name}.pdf",
    },
}


def texts(language: str | None) -> dict[str, str]:
    """The words for a report's language; a report in a language with no e-mail words yet is an error."""
    lang = language or LANGUAGE
    if lang not in TEXTS:
        raise KeyError(f"no e-mail text in {lang!r} yet: add it to TEXTS in salesnb/words/mail.py "
                       f"(languages there: {', '.join(TEXTS)}).")
    return TEXTS[lang]


def _plain(value) -> str:
    """Text from data for a plain-text line or header: one line, no control characters, bidi isolated."""
    return isolate(re.sub(r"\s+", " ", "" if value is None else str(value)).strip())


def subject(facts: dict) -> str:
    t = texts(facts.get("language"))
    return t["subject"].format(period=_plain(facts.get("period")), as_of=_plain(facts.get("as_of")))


def headline(facts: dict) -> str:
    """One sentence of the report's headline figures (attainment and projection, or won; rank), or ''."""
    t = texts(facts.get("language"))
    parts = []
    if not missing(facts.get("attainment")):
        part = t["attainment"].format(attainment=pct(facts["attainment"]))
        if not missing(facts.get("projected_attainment")):
            part += ", " + t["projected"].format(projected=pct(facts["projected_attainment"]))
        parts.append(part)
    elif not missing(facts.get("won")):
        parts.append(t["won"].format(won=money(facts["won"], _plain(facts.get("currency")))))
    if facts.get("rank") is not None and facts.get("n_in_role"):
        role = f" ({_plain(facts['role'])})" if facts.get("role") else ""
        parts.append(t["rank"].format(rank=int(facts["rank"]), n=int(facts["n_in_role"]), role=role))
    return t["headline"].format(parts="; ".join(parts)) if parts else ""


def body(facts: dict, meeting: dt.date | None = None) -> str:
    """The message's plain text: greeting, what is attached, the headline, the one-on-one."""
    t = texts(facts.get("language"))
    lines = [t["hello"].format(name=_plain(facts.get("name"))), "",
             t["attached"].format(period=_plain(facts.get("period")), as_of=_plain(facts.get("as_of")))]
    head = headline(facts)
    if head:
        lines += ["", head]
    if facts.get("at_risk") is True:
        lines.append(t["at_risk"])
    elif facts.get("at_risk") is False:
        lines.append(t["on_track"])
    lines += ["", t["meeting"].format(day=f"{meeting:%A} {meeting.isoformat()}") if meeting else t["no_meeting"],
              "", t["private"], ""]
    return "\n".join(lines)


def attachment_name(facts: dict) -> str:
    """The PDF's file name in the message: no path separators or characters a file system refuses."""
    t = texts(facts.get("language"))
    name = t["file"].format(period=_plain(facts.get("period")), name=_plain(facts.get("name")))
    return re.sub(r'[\\/:*?"<>|\x00-\x1f\u2066-\u2069]', "_", name)[:150]


__all__ = ["TEXTS", "texts", "subject", "headline", "body", "attachment_name"]
