"""History: past attempts newest first; Enter reviews one, ``d`` deletes one after asking.

Reading the folders and the database, and deleting, run in thread workers that report back
by messages; what a row shows and what deleting does live in ``coach.tui.logic.history``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from coach.errors import CoachError
from coach.tui.dialogs.confirm import ConfirmDialog
from coach.tui.logic import history
from coach.tui.widgets.table import RowTable
from coach.tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from coach.tui.app import CoachApp

COLUMNS = ("When", "Prompt", "State", "Duration", "Score", "Fillers/min", "Follow-up")
STATE_STYLE = {
    "analysed": "green", "recovered": "yellow", "interrupted": "yellow", "failed": "bold red",
    "recording": "cyan", "analysing": "cyan", "damaged": "bold magenta",
}
EMPTY = (
    "No attempts yet. Pick a prompt on the home screen and answer it aloud, "
    "or import a recording file (ctrl+p)."
)


@dataclass
class HistoryLoaded(Message):
    """The worker read the attempts (or found a problem with the database)."""

    listing: history.Listing


@dataclass
class AttemptDeleted(Message):
    """The worker deleted an attempt (``error`` is None) or could not."""

    attempt_id: str
    error: str | None = None


class HistoryScreen(Screen[None]):
    """Every past attempt; review, re-analyse or delete the highlighted one."""

    app: CoachApp

    AUTO_FOCUS = "#attempts"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Home", id="history-back"),
        Binding("enter", "open", "Review", id="history-open", show=True),
        Binding("d,delete", "delete", "Delete", id="history-delete"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.attempts: list[history.PastAttempt] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield TitleBar("past attempts")
        yield Static("Reading past attempts…", id="history-status")
        yield RowTable(id="attempts", cursor_type="row", zebra_stripes=True)
        yield Static("", id="history-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#attempts", DataTable).add_columns(*COLUMNS)
        self.load()

    def on_screen_resume(self) -> None:
        """Back from a review or an analysis: ratings, scores and states may have changed."""
        if self.loaded:
            self.load()

    # ------------------------------------------------------------------ data

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def load(self) -> None:
        try:
            listing = history.load(self.app.ctx)
        except Exception as exc:  # say it, never leave "Reading past attempts…" up for good
            listing = history.Listing([], f"could not read the past attempts ({exc})")
        self.post_message(HistoryLoaded(listing))

    def on_history_loaded(self, message: HistoryLoaded) -> None:
        table = self.query_one("#attempts", DataTable)
        keep, index = (self.current.id if self.current else None), table.cursor_row
        self.attempts, self.loaded = message.listing.attempts, True
        table.clear()
        for past in self.attempts:
            when, title, state, *numbers = history.cells(past)
            table.add_row(when, title, Text(state, style=STATE_STYLE.get(state, "")), *numbers,
                          key=past.id)
        ids = [past.id for past in self.attempts]
        if ids:  # the same attempt as before, or the one that took a deleted one's place
            table.move_cursor(row=ids.index(keep) if keep in ids else min(index, len(ids) - 1))
        self.show_status(message.listing.problem, message.listing.damaged)
        self.show_detail()

    def show_status(self, problem: str | None, damaged: int = 0) -> None:
        status = self.query_one("#history-status", Static)
        status.set_class(problem is not None or damaged > 0, "-problem")
        count = len(self.attempts)
        if problem is not None:
            status.update(Text.assemble(("History database: ", "bold"), problem))
        elif count == 0:
            status.update(EMPTY)
        else:
            line = f"{count} attempt{'s' if count != 1 else ''}, newest first"
            if damaged:
                line += f"; {damaged} damaged (what is damaged shows under the list)"
            status.update(line)

    @property
    def current(self) -> history.PastAttempt | None:
        table = self.query_one("#attempts", DataTable)
        if not self.attempts or not 0 <= table.cursor_row < len(self.attempts):
            return None
        return self.attempts[table.cursor_row]

    @on(DataTable.RowHighlighted)
    def show_detail(self) -> None:
        past = self.current
        text = history.describe(past) if past else ""
        self.query_one("#history-detail", Static).update(text)

    # ------------------------------------------------------------------ actions

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        """Review an analysed attempt; analyse a failed, recovered or interrupted one's
        recording."""
        past = self.current
        if past is None:
            return
        if past.analysed:
            from coach.tui.screens.review import ReviewScreen

            try:
                attempt, analysis, prompt = history.open_analysis(self.app.ctx, past)
            except CoachError as exc:
                self.notify(str(exc), severity="error")
                return
            self.app.push_screen(ReviewScreen(attempt, analysis, prompt))
        elif past.can_analyse:
            from coach.tui.screens.processing import ProcessingScreen

            self.app.push_screen(
                ProcessingScreen(past.attempt, history.prompt_of(self.app.ctx, past))
            )
        else:
            self.notify(history.unavailable(past), severity="warning")

    def action_delete(self) -> None:
        past = self.current
        if past is None:
            return
        if past.busy:
            self.notify(history.unavailable(past), severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete(past)

        question = (f"Delete the attempt of {history.local_time(past.attempt.started_at)} "
                    f"({past.title})?\nIts recording, analysis and report go too.")
        self.app.push_screen(ConfirmDialog(question, yes="Delete", no="Keep"), answered)

    @work(thread=True, exclusive=True, group="history-delete", exit_on_error=False)
    def delete(self, past: history.PastAttempt) -> None:
        try:
            history.delete(self.app.ctx, past)
        except (CoachError, OSError) as exc:
            self.post_message(AttemptDeleted(past.id, str(exc)))
            return
        self.post_message(AttemptDeleted(past.id))

    def on_attempt_deleted(self, message: AttemptDeleted) -> None:
        if message.error is not None:
            self.notify(message.error, title="Not deleted", severity="error", timeout=10)
        else:
            self.notify(f"Deleted attempt {message.attempt_id}.")
        self.load()

    def action_back(self) -> None:
        self.dismiss()
