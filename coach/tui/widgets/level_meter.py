"""The live input level: a bar that makes a silent or muted microphone obvious at once.

Speech stops between words for a tenth of a second or two; a meter that drops to nothing and
says "silent" at each of those gaps flickers through an ordinary answer and cries wolf. So the
bar falls back smoothly (a half-life of ``RELEASE_S``, as a VU meter's needle does) and
"silent" is said only after ``SILENT_AFTER_S`` under the floor.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

WIDTH = 40
FLOOR = 0.02  # at or below this the input is silence (or a muted microphone)
RELEASE_S = 0.15  # the bar halves this fast once the sound stops
SILENT_AFTER_S = 1.0  # longer than the pauses between words


class LevelMeter(Widget):
    """A horizontal bar from 0 (silence) to 1 (full scale); green, amber near clipping."""

    level: reactive[float] = reactive(0.0)  # what the bar shows
    silent: reactive[bool] = reactive(True)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._last: float | None = None  # time of the last reading
        self._quiet_since: float | None = None

    def show_reading(self, reading: float, now: float) -> None:
        """A new input level at time ``now`` (seconds, any monotonic clock)."""
        held = self.level
        if self._last is not None:
            held *= 0.5 ** (max(0.0, now - self._last) / RELEASE_S)
        self._last = now
        self.level = max(reading, held)
        if reading > FLOOR:
            self._quiet_since = None
        elif self._quiet_since is None:
            self._quiet_since = now
        self.silent = self._quiet_since is not None and now - self._quiet_since >= SILENT_AFTER_S

    def render(self) -> Text:
        filled = round(max(0.0, min(1.0, self.level)) * WIDTH)
        style = "green" if self.level < 0.85 else "yellow"
        text = Text("mic ")
        text.append("█" * filled, style=style)
        text.append("░" * (WIDTH - filled), style="grey35")
        if self.silent and self.level <= FLOOR:
            text.append("  silent", style="bold red")
        return text
