"""The command line's promises about itself: every command's --help and docs/exit-codes.md list the same exit
codes, and every code a command is documented to return is one of them."""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from salesnb import cli

DOC = Path(__file__).resolve().parents[1] / "docs" / "exit-codes.md"
COMMANDS = sorted(cli.build_parser()._subparsers._group_actions[0].choices)


def _help(*argv: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main([*argv, "--help"]) == 0
    return out.getvalue()


def _codes(text: str) -> set[int]:
    return {int(c) for c in re.findall(r"^\s+(\d+)\s{2,}", text, re.M)}


def test_the_exit_codes_list_every_code_main_returns():
    assert _codes(cli.EXIT_CODES) == {0, 1, 2, 3, 130, 141, 143}


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_prints_the_exit_codes(command):
    assert _help(*([command] if command else [])).rstrip().endswith(cli.EXIT_CODES)


def test_the_docs_print_the_same_list():
    block = re.search(r"```text\n(.*?)\n```", DOC.read_text(encoding="utf-8"), re.S).group(1)
    assert block == cli.EXIT_CODES


def test_the_docs_give_every_command_codes_from_the_list():
    rows = dict(re.findall(r"^\| `(\w+)` \| (.*) \|$", DOC.read_text(encoding="utf-8"), re.M))
    assert sorted(rows) == COMMANDS
    for command, text in rows.items():
        used = {int(c) for c in re.findall(r"(?<![\w-])(\d{1,3})(?![\w-])", text)}
        assert used and used <= _codes(cli.EXIT_CODES), (command, used)
