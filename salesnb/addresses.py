"""E-mail addresses of reps: the one form salesnb accepts, checked the same way everywhere.

The validator warns about a rep's address that is not in this form, and `salesnb send` sends nothing to it.
The form is the everyday one (``name@company.com``): a local part of letters, digits and the usual
punctuation, an ``@``, and a domain of at least two labels. Quoted local parts, IP-literal domains and
display names (``Ann Lee <ann@x.com>``) are refused: a roster holds the bare address.
Imports nothing from salesnb; the pattern is written for Python's ``re`` and for pyarrow (RE2) alike.
"""
from __future__ import annotations

import re

MAX_LENGTH = 254  # RFC 5321: the longest address a mail server must accept
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
PATTERN = rf"^{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+$"
_COMPILED = re.compile(PATTERN)

FORM_HELP = "write the rep's work address alone, like name@company.com (no name, quotes or spaces around it)"


def is_address(text) -> bool:
    """True when `text` is an address in the form salesnb sends to."""
    return isinstance(text, str) and len(text) <= MAX_LENGTH and _COMPILED.fullmatch(text) is not None


def domain_of(address: str) -> str:
    """The part after the last ``@`` (lower case)."""
    return address.rsplit("@", 1)[-1].lower()


__all__ = ["PATTERN", "MAX_LENGTH", "FORM_HELP", "is_address", "domain_of"]
