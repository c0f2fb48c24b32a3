"""Validation of a canonical dataset: every problem found in one pass, each with its fix.

`validate_folder(path)` reads a dataset folder and returns a `ValidationReport`;
`salesnb.load.load` uses the same checks and refuses a dataset with errors.

What is an error and what is not:

- error (the dataset cannot be used until it is fixed): a missing required file
  or column, an unreadable file or folder (or a folder, link loop or pipe named like a
  table), a bad dataset.toml setting, a NUL byte, a value that cannot be parsed, a
  non-finite number, an amount or quota above max_amount, a negative amount,
  a quota <= 0, a duplicate id, an unknown status/stage/type, a won/lost deal
  without a close date, a date before the date it must follow, overlapping quota
  periods, an empty required table, a rep hired after the report date who has
  deals or activities before it.
- warning (the data loads; repaired, counted and reported): rows whose rep does not
  exist are dropped; a lead_id/opportunity_id pointing nowhere is cleared; a repeated
  header row or an empty row is dropped; an empty optional table is ignored; an event
  dated after today or after as_of, a rep hired after their own first rows (`dates`).
- note (nothing lost): a UTF-8 byte-order mark, extra columns left out, files
  that are not part of the dataset, values whose case or spaces were tidied.

Modules: `report` (Issue, ValidationReport, formatting), `read` (files to raw tables,
encodings, line numbers), `rows` (the raw table and per-row issues), `columns` (parsing
typed columns), `rules` (rules within a table), `references` (rules across tables),
`files` (finding the files; paths that are not readable files), `dates` (dates that
cannot be right), `folder` (the whole folder, typed frames), `cli` (`salesnb validate`).
"""
from __future__ import annotations

from .folder import check_folder, check_tables, to_frame, validate_folder
from .report import SEVERITIES, Issue, ValidationReport
from .rows import STR, RawTable, report_rows

__all__ = ["Issue", "ValidationReport", "SEVERITIES", "validate_folder", "check_folder", "check_tables", "to_frame",
           "RawTable", "report_rows", "STR"]
