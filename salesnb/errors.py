"""All of salesnb's own errors, under one base class.

Every error a user can cause says what is wrong and how to fix it; the CLI
prints these messages without a traceback, and so do notebooks (IPython shows
what `_render_traceback_` returns instead of the stack).
"""
from __future__ import annotations


class SalesnbError(Exception):
    """Base class: an error the user can fix; its message says how."""

    def _render_traceback_(self) -> list[str]:
        # A manager needs the message, not salesnb's call stack (`%debug` still reaches it).
        return [f"\x1b[31m{type(self).__name__}\x1b[0m: {line}" if i == 0 else line
                for i, line in enumerate(str(self).splitlines() or [""])]


class DatasetError(SalesnbError):
    """The dataset folder cannot be used. Carries the full validation report."""

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report


class ConfigError(SalesnbError):
    """A weights, period, dataset.toml or mapping setting is wrong.

    `problem` and `fix`, when given, are the two halves of the message (what is wrong
    with the value, what to do), for callers that show them apart (the validation report).
    """

    def __init__(self, message: str, *, problem: str | None = None, fix: str | None = None):
        super().__init__(message)
        self.problem = problem
        self.fix = fix


class MappingError(ConfigError):
    """An import mapping file does not fit the export it is applied to."""


class ReportError(SalesnbError):
    """One or more per-rep reports failed."""


class PdfError(SalesnbError):
    """One report could not be printed to PDF (the other reports go on)."""


class DeliveryError(SalesnbError):
    """`salesnb send` cannot start: the options, the reports folder or the mail server cannot be used."""


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM); like Ctrl-C, not an error of the user's input."""
