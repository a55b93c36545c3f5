"""A one-line title bar.

Textual's ``Header`` updates its title from a callback scheduled at mount; when a screen is
replaced within the same frame (a streamed answer is analysed in milliseconds, so processing
gives way to review at once) that callback finds its children gone and raises. The coach's
title never changes, so a static bar is enough and has no such race.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class TitleBar(Static):
    """``coach — <what this screen is for>`` docked at the top."""

    DEFAULT_CSS = """
    TitleBar {
        dock: top; width: 100%; height: 1; background: $panel; content-align: center middle;
    }
    """

    def __init__(self, subtitle: str = "rehearse interview answers aloud") -> None:
        super().__init__(Text.assemble(("coach", "bold"), " — ", (subtitle, "dim")))
