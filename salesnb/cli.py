"""`salesnb` on the command line. Each subcommand lives in the module that does the work.

A command module provides ``add_cli(subparsers)``, which registers its parser
and sets ``func`` to a function ``(args) -> int`` (the exit code). This module
only parses arguments, dispatches, and turns salesnb's own errors into a clear
message instead of a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from .errors import SalesnbError

# subcommand -> module that implements it, in the order `--help` lists them
COMMAND_MODULES = (
    "salesnb.reports",  # reports: the main job
    "salesnb.validate",  # validate
    "salesnb.scorecard_cli",  # score
    "salesnb.diagnose_cli",  # diagnose
    "salesnb.importers",  # import
    "salesnb.generate",  # sample
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="salesnb",
        description=(
            "salesnb: an outcome-first sales performance workbook. "
            "Validate a dataset, score and diagnose a team, import CRM exports, "
            "and write a private HTML report for every rep."
        ),
        epilog="Run 'salesnb COMMAND --help' for the options of one command.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for modname in COMMAND_MODULES:
        importlib.import_module(modname).add_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except SalesnbError as exc:
        print(f"salesnb {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `salesnb diagnose | head` closed the pipe: stop quietly, like other Unix tools.
        sys.stderr.close()
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
