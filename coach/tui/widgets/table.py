"""The app's tables: a DataTable where Home and End go to the first and last row.

Textual's DataTable gives Home and End to the leftmost and rightmost column and the first and
last row to Ctrl+Home and Ctrl+End. The coach's tables are lists of rows (attempts, prompts,
answers) whose columns all fit on screen, so a user pressing End wants the last row, and got
nothing. Ctrl+Home and Ctrl+End keep working.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import DataTable


class RowTable(DataTable[object]):
    """A DataTable whose Home and End jump to the first and last row."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home", "scroll_top", "First row", show=False),
        Binding("end", "scroll_bottom", "Last row", show=False),
    ]

    def on_resize(self, _event: events.Resize) -> None:
        """Keep the highlighted row in sight when the table shrinks.

        The detail under a table describes the highlighted row and can grow a line when the
        cursor lands on a longer one, after the table scrolled to it: End would then stop
        one row short of the last, hidden under the detail.
        """
        if self.cursor_type != "none" and self.row_count:
            self.call_after_refresh(self.move_cursor)
