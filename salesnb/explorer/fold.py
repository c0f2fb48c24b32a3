"""A fold the keyboard can open: a button (Tab reaches it, Enter or Space opens and closes it) over content that
is not displayed while closed, so the Tab order never runs through what cannot be seen.

ipywidgets' Accordion headers cannot be reached with the Tab key; this replaces it in the explorer.
"""
from __future__ import annotations

import ipywidgets as W


class Fold(W.VBox):
    """`title` over `content`, closed unless `open`. `selected_index` is 0 when open, None when closed (as an
    Accordion of one child)."""

    def __init__(self, title: str, content: W.Widget, open: bool = False, **kwargs):
        self.toggle = W.ToggleButton(description=title, value=open, tooltip="Open or close",
                                     layout=W.Layout(width="auto", max_width="100%"))
        self.toggle.add_class("snx-fold")
        self.content = content
        super().__init__([self.toggle, content], **kwargs)
        self._show(open)
        self.toggle.observe(lambda ch: self._show(ch["new"]), names="value")

    def _show(self, open: bool) -> None:
        self.toggle.icon = "caret-down" if open else "caret-right"
        self.content.layout.display = None if open else "none"

    @property
    def title(self) -> str:
        return self.toggle.description

    @title.setter
    def title(self, text: str) -> None:
        self.toggle.description = text

    @property
    def selected_index(self) -> int | None:
        return 0 if self.toggle.value else None

    @selected_index.setter
    def selected_index(self, value: int | None) -> None:
        self.toggle.value = value == 0

    def on_toggle(self, callback) -> None:
        self.toggle.observe(lambda _c: callback(), names="value")
