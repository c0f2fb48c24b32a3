"""Looking columns up in a second file by a key (a price list by product name, a roster by agent).

Keys compare as the join's `match` says: "exact" (as written, trimmed), "names" (the default:
ignoring case, any run of spaces or punctuation one separator) or "loose" (ignoring case, spaces
and punctuation altogether: `GTXPro` finds `GTX Pro`).
Keys the lookup file does not have are never dropped silently: they are counted, with the
closest keys of the lookup file, for the import summary.
"""
from __future__ import annotations

import difflib
from collections import Counter

import pandas as pd

from .mapping import Join
from .parse import iter_chunks, name_to_id
from .result import MAX_EXAMPLES, Unmatched


def join_keys(s: pd.Series, match: str) -> pd.Series:
    """The keys of `s` as compared under `match`."""
    if match == "exact":
        return s.str.strip()
    if match == "loose":
        return s.str.casefold().str.replace(r"[\W_]+", "", regex=True)
    return name_to_id(s)


class LoadedJoin:
    """A loaded lookup file for one join, keyed by the compared form of its key column."""

    def __init__(self, join: Join, file: str, path, encoding: str, delimiter: str, header: list[str], chunk_rows: int):
        parts = list(iter_chunks(path, encoding, delimiter, chunk_rows))
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=header)
        frame = frame.loc[:, [c for c in frame.columns if c]]
        self.join = join
        self.file = file
        self.columns = [c for c in frame.columns if c != join.key]
        frame["@key"] = join_keys(frame[join.key].astype("str"), join.match)
        frame = frame[frame["@key"] != ""]
        dup = frame["@key"].duplicated(keep="first")
        self.duplicates = sorted(set(frame.loc[dup, join.key].astype("str").str.strip()))
        frame = frame[~dup]
        self.keys = frame[join.key].astype("str").str.strip().tolist()  # as written, for suggestions
        self.frame = frame.set_index("@key")[self.columns]
        self.missing: Counter = Counter()  # key as written -> rows not found
        self.source = ""  # the file of the table being joined, set by apply

    def apply(self, chunk: pd.DataFrame, source: str) -> pd.DataFrame:
        """`chunk` with the lookup's columns added ('' where the key is not found)."""
        self.source = source
        on = chunk[self.join.on].astype("str")
        keys = join_keys(on, self.join.match)
        add = [c for c in self.columns if c not in chunk.columns]
        looked = self.frame[add].reindex(keys.to_numpy())
        looked.index = chunk.index
        found = keys.isin(self.frame.index).to_numpy()
        absent = ~found & (keys != "").to_numpy() & (on.str.strip() != "").to_numpy()
        if absent.any():
            self.missing.update(on[absent].str.strip().value_counts().to_dict())
        return pd.concat([chunk, looked.fillna("")], axis=1)

    def unmatched(self, table: str) -> Unmatched | None:
        """What the summary says about keys not found (None when every key was found)."""
        if not self.missing:
            return None
        folded = {k.casefold(): k for k in self.keys}
        loose = dict(zip(join_keys(pd.Series(self.keys, dtype="str"), "loose"), self.keys))
        values, loose_would_fix = [], 0
        for value, n in self.missing.most_common():
            if len(values) < MAX_EXAMPLES:
                same = loose.get(join_keys(pd.Series([value], dtype="str"), "loose").iloc[0])
                close = [same] if same else [folded[c] for c in difflib.get_close_matches(
                    value.casefold(), list(folded), n=2, cutoff=0.75)]
                loose_would_fix += bool(same)
                values.append((value, n, close))
        j = self.join
        if loose_would_fix and j.match != "loose":
            fix = (f"correct the spelling in one of the files, or set match = \"loose\" under [[{j.key_path.split('.join')[0]}"
                   f".join]] (file = \"{j.file}\") to compare keys ignoring case, spaces and punctuation.")
        else:
            fix = f"correct the {j.on!r} values, or add the missing keys to {self.file}."
        return Unmatched(table, self.source, self.file, j.on, j.key, sum(self.missing.values()), values, fix)

    def notes(self) -> list[str]:
        if not self.duplicates:
            return []
        shown = ", ".join(repr(d) for d in self.duplicates[:MAX_EXAMPLES])
        return [f"{self.file}: {len(self.duplicates)} key(s) of column {self.join.key!r} appear more than once "
                f"(compared as match = \"{self.join.match}\"); the first row of each is used: {shown}."]
