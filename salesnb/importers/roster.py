"""Owners written differently from the reps file: matched to the roster rep they unambiguously stand for.

A deals export and a roster often write the same person differently: another case ('Ann.Lee@Acme.Com'), leading
zeros a spreadsheet dropped ('7' for '007'), the rep's e-mail address instead of their id, 'Lee, Ann' for 'Ann Lee'.
An owner id that is not a roster id is compared under a looser key (case, accents, punctuation and word order
ignored, numbers without leading zeros) with each roster rep's id, name and e-mail; it takes the rep's id when
exactly one rep has that key. A key two reps share is never used. A whole number written as a float ('7.0', by a
spreadsheet or pandas) is that number. An owner that is a roster rep's name plus a note in brackets ('Ann Lee
(Deactivated User)', as HubSpot writes a former user) is that rep, when the name alone is one rep's key.
The import's notes say how many rows were matched, each way.
"""
from __future__ import annotations

import re
import unicodedata

import pandas as pd

EXAMPLES = 3


def match_key(text: str) -> str:
    """'Lee, Ann', 'ann.lee' and 'ANN LEE' give 'ann lee'; 'Müller' gives 'muller'; '007' gives '7'."""
    text = re.sub(r"^\s*(\d+)\.0+\s*$", r"\1", str(text))  # '7.0' (a float as written) is 7
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()
    tokens = [t.lstrip("0") or "0" if t.isdigit() else t for t in re.findall(r"[^\W_]+", plain)]
    return " ".join(sorted(tokens))


class Roster:
    """The reps file's ids, and the looser keys that find them."""

    def __init__(self, frames: list[pd.DataFrame]):
        self.ids: set[str] = set()
        owners: dict[str, set[str]] = {}
        for frame in frames:
            for col in ("rep_id", "name", "email"):
                if col not in frame.columns:
                    continue
                for rep, value in zip(frame["rep_id"], frame[col]):
                    if isinstance(rep, str) and isinstance(value, str) and (key := match_key(value)):
                        owners.setdefault(key, set()).add(rep)
            self.ids |= {r for r in frame["rep_id"] if isinstance(r, str)}
        self.keys = {k: next(iter(reps)) for k, reps in owners.items() if len(reps) == 1}
        self.matched: dict[str, list] = {}  # owner id -> [roster id, rows]
        self.suffixed: dict[str, list] = {}  # owner id -> [roster id, rows]: a rep's name plus a note in brackets

    def apply(self, ids: pd.Series, names: dict | None = None) -> pd.Series:
        """`ids` with every owner that is not a roster id but matches one rep's key replaced by that rep's id
        (`names`: owner id -> the name as written, for ids made from names)."""
        if not self.keys:
            return ids
        found, suffixed = {}, set()
        for u in pd.unique(ids.dropna()):
            if u in self.ids:
                continue
            if (rep := self.keys.get(match_key(u))) is not None:
                found[u] = rep
                continue
            written = str((names or {}).get(u, u))
            base = re.sub(r"\s*\([^()]*\)\s*$", "", written)
            if base != written and base.strip() and (rep := self.keys.get(match_key(base))) is not None:
                found[u] = rep
                suffixed.add(u)
        if not found:
            return ids
        hit = ids.isin(list(found))
        for u, n in ids[hit].value_counts().items():
            (self.suffixed if u in suffixed else self.matched).setdefault(u, [found[u], 0])[1] += int(n)
        return ids.where(~hit, ids.map(found))

    def notes(self, names: dict) -> list[str]:
        """How many rows were matched each way, with examples; forgets the owners' own ids in `names`."""
        notes = []
        if self.suffixed:
            rows = sum(n for _, n in self.suffixed.values())
            shown = "; ".join(f"'{names.get(u, u)}' -> '{rep}'" for u, (rep, _) in list(self.suffixed.items())[:EXAMPLES])
            notes.append(f"reps: {rows:,} row(s) name their owner as a rep of the reps file followed by a note in "
                         f"brackets ({shown}{'; ...' if len(self.suffixed) > EXAMPLES else ''}); each was matched to "
                         f"that rep (a deactivated or renamed user is still the same rep).")
            for u in self.suffixed:
                names.pop(u, None)
        if not self.matched:
            return notes
        rows = sum(n for _, n in self.matched.values())
        pairs = [(names.get(u, u), rep) for u, (rep, _) in list(self.matched.items())[:EXAMPLES]]
        sep = "; " if any("," in a for a, _ in pairs) else ", "  # 'Lee, Ann' stays one name
        shown = sep.join(f"'{a}' -> '{rep}'" for a, rep in pairs)
        for u in self.matched:
            names.pop(u, None)
        return notes + [f"reps: {rows:,} row(s) name their owner differently from the reps file ({len(self.matched)} way(s) "
                f"of writing it: {shown}{sep + '...' if len(self.matched) > EXAMPLES else ''}); each was matched to the "
                f"one rep with the same id, name or e-mail apart from case, accents, punctuation, word order, "
                f"leading zeros and a trailing '.0'."]
