"""The live input level: a bar that makes a silent or muted microphone obvious at once."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

WIDTH = 40


class LevelMeter(Widget):
    """A horizontal bar from 0 (silence) to 1 (full scale); green, amber near clipping."""

    level: reactive[float] = reactive(0.0)

    def render(self) -> Text:
        filled = round(max(0.0, min(1.0, self.level)) * WIDTH)
        style = "green" if self.level < 0.85 else "yellow"
        text = Text("mic ")
        text.append("█" * filled, style=style)
        text.append("░" * (WIDTH - filled), style="grey35")
        if self.level <= 0.02:
            text.append("  silent", style="bold red")
        return text
