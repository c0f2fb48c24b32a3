"""Safe, unique, stable file names for rep ids.

A rep id is whatever the CRM used: it may contain ``/``, ``..``, spaces, non-Latin letters, or be very
long. A report's file name must be safe on every file system, unique within the batch (also on
case-insensitive file systems), and the same on every run so that re-runs find earlier reports.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

# An id already safe as a file name is used as it is (readable names for the common case).
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9_-]+")
MAX_STEM = 48
# Names the batch itself uses, and names Windows refuses.
RESERVED = {"index", "_batch", "_failed", "con", "prn", "aux", "nul",
            *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def _digest(rep_id: str) -> str:
    return hashlib.sha256(rep_id.encode("utf-8")).hexdigest()[:10]


def safe_stem(rep_id: str) -> str:
    """The file name stem for one rep id, without looking at the other ids.

    Safe ids are kept; others are transliterated to ASCII where possible, cleaned, shortened, and
    suffixed with a hash of the exact id, so two ids that clean to the same text stay distinct.
    """
    rep_id = str(rep_id)
    if _SAFE.match(rep_id) and rep_id.lower() not in RESERVED:
        return rep_id
    ascii_text = unicodedata.normalize("NFKD", rep_id).encode("ascii", "ignore").decode("ascii")
    cleaned = _UNSAFE_CHARS.sub("_", ascii_text).strip("_-")[:MAX_STEM].rstrip("_-")
    return f"{cleaned}-{_digest(rep_id)}" if cleaned else f"rep-{_digest(rep_id)}"


def safe_names(rep_ids: Iterable[str]) -> dict[str, str]:
    """Map every rep id to a unique file name stem (compared case-insensitively).

    Stems that would collide (e.g. ``AB`` and ``ab`` on a case-insensitive disk) all get the hash suffix.
    """
    ids = list(dict.fromkeys(str(r) for r in rep_ids))
    stems = {r: safe_stem(r) for r in ids}
    clashes = Counter(s.lower() for s in stems.values())
    for r, s in stems.items():
        if clashes[s.lower()] > 1:
            stems[r] = f"{s[:MAX_STEM]}-{_digest(r)}"
    final = Counter(s.lower() for s in stems.values())
    dupes = [s for s, n in final.items() if n > 1]
    if dupes:  # pragma: no cover - needs a 40-bit hash collision
        raise AssertionError(f"file names still collide: {dupes}")
    return stems
