"""Reading CRM export files and parsing their text values (nulls, yes/no, names; dates and numbers: dates.py,
numbers.py).

Every function here works on whole pandas Series of text (vectorised); values that
cannot be parsed come back as a boolean mask so the caller can name them in an error.
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from ..errors import SalesnbError
from .dates import AUTO_ORDER, DATE_FORMATS, detect_date_format, parse_dates, resolve_date_format  # noqa: F401
from .numbers import parse_numbers  # noqa: F401

DEFAULT_NULLS = ("", "N/A", "NULL", "--None--")
TRUE_WORDS = ("1", "1.0", "true", "yes", "y", "t", "x", "on")  # 1.0 and 0.0: a flag column saved as numbers
FALSE_WORDS = ("0", "0.0", "false", "no", "n", "f", "off")

# --------------------------------------------------------------------------------------
# Files


def detect_encoding(path: Path) -> str:
    """The text encoding of `path` from its byte-order mark: UTF-16, UTF-8 with BOM, else UTF-8."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    return "utf-8"


def read_first_line(path: Path, encoding: str) -> str:
    """The header line of `path`, decoded (empty string for an empty file)."""
    try:
        with open(path, encoding=encoding, newline="") as fh:
            return fh.readline().rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise SalesnbError(
            f"{path}: cannot be read as {encoding} text ({exc.reason} at byte {exc.start}). "
            f"Set encoding = \"cp1252\" (or the file's encoding) under [source] in the mapping, "
            f"or save the file as UTF-8."
        ) from exc


def detect_delimiter(header_line: str) -> str:
    """Tab, semicolon or comma: whichever splits the header line into the most fields."""
    counts = {d: header_line.count(d) for d in ("\t", ";", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


_UNNAMED = re.compile(r"^Unnamed: (\d+)$")


def clean_name(name) -> str:
    """A header name trimmed; an empty one (pandas' 'Unnamed: 8', e.g. a trailing comma) is '(unnamed column 9)'.

    Unnamed columns keep a name so that the summary can list them and a mapping can still use one.
    """
    n = str(name).strip()
    m = _UNNAMED.match(n)
    return f"(unnamed column {int(m.group(1)) + 1})" if m else n


def clean_header(names: list[str]) -> list[str]:
    """Header names as `clean_name` gives them."""
    return [clean_name(n) for n in names]


def is_unnamed(name: str) -> bool:
    return name.startswith("(unnamed column ")


def read_header(path: Path, encoding: str, delimiter: str) -> list[str]:
    """The cleaned column names of `path`."""
    df = pd.read_csv(path, sep=delimiter, encoding=encoding, dtype=str, nrows=0, index_col=False)
    return clean_header(list(df.columns))


def iter_chunks(path: Path, encoding: str, delimiter: str, chunk_rows: int,
                columns: set[str] | None = None) -> Iterator[pd.DataFrame]:
    """The rows of `path` as text frames of at most `chunk_rows` rows (nothing parsed, no value dropped).

    Columns keep their position; names are cleaned as in `read_header`. `columns` (cleaned
    names) limits what is read, which is most of the memory and time of a wide export.
    Trailing empty cells and short footer lines are tolerated (missing cells read as '').
    """
    usecols = None if columns is None else (lambda name: clean_name(name) in columns)
    try:
        reader = pd.read_csv(
            path, sep=delimiter, encoding=encoding, dtype=str, keep_default_na=False, na_filter=False,
            index_col=False, skip_blank_lines=True, chunksize=chunk_rows, engine="c", usecols=usecols,
        )
        with reader:
            for chunk in reader:
                chunk.columns = clean_header(list(chunk.columns))
                yield chunk
    except pd.errors.ParserError as exc:
        raise SalesnbError(
            f"{path}: not a well-formed delimited file ({exc}). Check the delimiter (set delimiter = \"\\t\" "
            f"or \",\" under [source] in the mapping) and that quoted values are closed."
        ) from exc
    except UnicodeDecodeError as exc:
        raise SalesnbError(
            f"{path}: cannot be read as {encoding} text ({exc.reason}). Set encoding under [source] in the "
            f"mapping (e.g. \"cp1252\" or \"utf-16\"), or save the file as UTF-8."
        ) from exc


# --------------------------------------------------------------------------------------
# Values


def null_mask(s: pd.Series, nulls: tuple[str, ...]) -> np.ndarray:
    """True where the (trimmed, case-insensitive) value is one of the null markers."""
    markers = {m.strip().casefold() for m in nulls}
    folded = s.str.strip().str.casefold()
    return folded.isin(markers).to_numpy(copy=True)


def parse_bools(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Parse yes/no words (1/0, true/false, yes/no, y/n, x); returns (nullable boolean, bad-value mask)."""
    folded = s.str.strip().str.casefold()
    true = folded.isin(TRUE_WORDS)
    false = folded.isin(FALSE_WORDS)
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    out[true.to_numpy()] = True
    out[false.to_numpy()] = False
    return out, ~(true | false).to_numpy()


def normalize_name(s: pd.Series) -> pd.Series:
    """Names with outer spaces trimmed and inner runs of spaces collapsed ('  Ann   Lee ' -> 'Ann Lee')."""
    return s.str.strip().str.replace(r"\s+", " ", regex=True)


def name_to_id(s: pd.Series) -> pd.Series:
    """A stable rep id from a name: compared case-insensitively, spaces ignored at the ends.

    'Ann Lee', ' ann lee' and 'ANN  LEE' all give 'ann-lee'; letters outside ASCII are kept as they are written
    ('Jürgen Weiß' -> 'jürgen-weiß'): lower case, not case folding, which would spell 'ß' as 'ss' and leave 'ü'.
    """
    folded = normalize_name(s).str.lower()
    return folded.str.replace(r"[^\w]+", "-", regex=True).str.strip("-")
