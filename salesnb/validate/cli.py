"""`salesnb validate PATH`: print the report, exit 1 when there are errors."""
from __future__ import annotations

import argparse

from .folder import validate_folder


def _run(args: argparse.Namespace) -> int:
    report = validate_folder(args.path)
    print(report.format())
    return 0 if report.ok else 1


def add_cli(subparsers) -> None:
    """Register `salesnb validate PATH`."""
    p = subparsers.add_parser(
        "validate",
        help="check a dataset folder and say what to fix",
        description=(
            "Check a dataset folder (reps.csv, opportunities.csv and the optional quotas, leads, activities, "
            "stage_history, team_quotas tables, as CSV or Parquet) against the canonical data model. Every "
            "problem is listed in one pass with the file, line, column, value and the fix. Errors stop the "
            "workbook from loading the data; warnings do not (some are repaired while loading, e.g. rows of unknown "
            "reps are left out; others point at dates that cannot be right, e.g. in the future); notes are for information. The files are only read, never changed. dataset.toml's "
            "settings are checked too; among them max_amount (default 1e12) is the largest amount or quota "
            "accepted: a larger one, or one that is not a finite number, is an error."
        ),
        epilog="Exit status: 0 when there are no errors (warnings and notes are fine), 1 when there are errors.",
    )
    p.add_argument("path", help="the dataset folder, e.g. data/sample")
    p.set_defaults(func=_run)
