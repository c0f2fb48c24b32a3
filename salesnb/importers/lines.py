"""Where a record is in its file: the line number a person finds in a text editor or spreadsheet.

The importer counts records as pandas reads them (0 = the first record under the header;
blank lines skipped). Messages name lines instead, as `salesnb validate` does: the header is
line 1, and a value with a line break inside its quotes, or a blank line, moves every later
record down. Only the few records named in a message are looked up, in one pass over the
file that stops at the last one needed.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path


def iter_record_lines(path: Path, encoding: str, delimiter: str) -> Iterator[tuple[int, int]]:
    """(record index, first line of the record) for every record under the header, as pandas numbers them."""
    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter, strict=False)
        seen_header = False
        record = 0
        last = 0  # the last line of the previous row
        for row in reader:
            start, last = last + 1, reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # pandas skips blank (and whitespace-only) lines, the header's too
            if not seen_header:
                seen_header = True
                continue
            yield record, start
            record += 1


def record_lines(path: Path, encoding: str, delimiter: str, records: Iterable[int]) -> dict[int, int]:
    """The line of each wanted record index (records beyond the end of the file are left out)."""
    wanted = set(int(r) for r in records)
    if not wanted:
        return {}
    last = max(wanted)
    out = {}
    try:
        for record, line in iter_record_lines(path, encoding, delimiter):
            if record in wanted:
                out[record] = line
            if record >= last:
                break
    except (OSError, UnicodeDecodeError, csv.Error):
        pass  # the import itself read the file; a message then falls back to the record count
    return out


def line_records(path: Path, encoding: str, delimiter: str, lines: Iterable[int]) -> dict[int, int]:
    """The inverse: the record index that starts on each wanted line."""
    wanted = set(int(n) for n in lines)
    if not wanted:
        return {}
    last = max(wanted)
    out = {}
    for record, line in iter_record_lines(path, encoding, delimiter):
        if line in wanted:
            out[line] = record
        if line >= last:
            break
    return out


class LineFinder:
    """Record indices -> lines for the source files of one import, looked up together when messages are made."""

    def __init__(self):
        self.files: dict[str, tuple[Path, str, str]] = {}  # file name -> (path, encoding, delimiter)

    def add(self, name: str, path: Path, encoding: str, delimiter: str) -> None:
        self.files[name] = (path, encoding, delimiter)

    def lines(self, name: str, records: Iterable[int]) -> list[str]:
        """The lines of `records` of file `name` as text, in the order given ('record N' if not found)."""
        records = [int(r) for r in records]
        if name not in self.files:
            return [f"record {r + 1}" for r in records]
        found = record_lines(*self.files[name], records)
        return [str(found[r]) if r in found else f"record {r + 1}" for r in records]
