"""Home: the prompt library, filterable by pillar, level and text, with due prompts first."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Select, Static

from coach.core.doctor import HINT as DOCTOR_HINT
from coach.core.model import LEVELS, PILLARS, Prompt
from coach.core.timefmt import clock
from coach.tui.logic import browse
from coach.tui.messages import DueLoaded, PreflightChecked
from coach.tui.widgets.table import RowTable
from coach.tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from coach.tui.app import CoachApp

MARK_TEXT = {browse.DUE: Text("due", style="bold yellow"), browse.NEW: Text("new", style="cyan")}


class HomeScreen(Screen[None]):
    """Browse prompts; Enter opens one on the practice screen."""

    app: CoachApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "Search", id="home-search"),
        Binding("n", "practise_next", "Practise next", id="home-practise-next"),
        Binding("h", "history", "History", id="home-history"),
        Binding("i", "interview", "Mock interview", id="home-interview",
                tooltip="A round mixed across the pillars (the level and pillar filters apply)"),
        Binding("enter", "practise", "Practise", id="home-practise", show=True),
        Binding("escape", "clear_filters", "Clear filters", show=False, id="home-clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.marks: dict[str, str] = {}
        self.history_problem: str | None = None
        self.shown: list[Prompt] = []

    def compose(self) -> ComposeResult:
        yield TitleBar("pick a prompt to rehearse")
        with Horizontal(id="filters"):
            yield Input(placeholder="search prompts  ( / )", id="search")
            yield Select([(p, p) for p in PILLARS], prompt="any pillar", id="pillar")
            yield Select([(lvl, lvl) for lvl in LEVELS], prompt="any level", id="level")
        yield Static("Checking the microphone…", id="mic-status")
        yield RowTable(id="prompts", cursor_type="row", zebra_stripes=True)
        yield Static("", id="detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#prompts", DataTable)
        table.add_columns("", "Title", "Pillar", "Level", "Time")
        self.refresh_list()
        table.focus()
        self.load_due()
        if self.app.mic_problem is not None or self.app.mic_checked:
            self.show_mic(self.app.mic_problem)

    def on_screen_resume(self) -> None:
        self.load_due()

    # ------------------------------------------------------------------ data

    @property
    def prompts(self) -> list[Prompt]:
        return list(self.app.ctx.library().prompts.values())

    @work(thread=True, exclusive=True, group="due", exit_on_error=False)
    def load_due(self) -> None:
        settings = self.app.ctx.settings
        marks, problem = browse.due_marks(
            self.app.ctx.home, self.app.ctx.library().prompts, settings.new_prompts_per_day,
            settings.plan,
        )
        self.post_message(DueLoaded(marks, problem))

    def on_due_loaded(self, message: DueLoaded) -> None:
        if message.problem and message.problem != self.history_problem:
            self.history_problem = message.problem
            self.notify(f"{message.problem}\n{DOCTOR_HINT}", title="History", severity="error",
                        timeout=15)
        if list(message.marks.items()) != list(self.marks.items()):  # the order matters too
            self.marks = message.marks
            self.refresh_list()

    def show_mic(self, problem: str | None) -> None:
        status = self.query_one("#mic-status", Static)
        status.set_class(problem is not None, "-problem")
        if problem is None:
            device = self.app.mic_name or self.app.ctx.settings.input_device or "default input"
            status.update(f"Microphone ready ({device})")
        else:
            status.update(
                Text.assemble(
                    ("Microphone problem: ", "bold"),
                    problem,
                    "\nYou can still browse prompts, import a recording (ctrl+p) and review past "
                    f"attempts (h). {DOCTOR_HINT}",
                )
            )

    def on_preflight_checked(self, message: PreflightChecked) -> None:
        self.show_mic(message.problem)

    # ------------------------------------------------------------------ list

    def _filters(self) -> tuple[str | None, str | None, str]:
        pillar = self.query_one("#pillar", Select).value
        level = self.query_one("#level", Select).value
        text = self.query_one("#search", Input).value
        return (
            pillar if isinstance(pillar, str) else None,
            level if isinstance(level, str) else None,
            text,
        )

    def refresh_list(self) -> None:
        pillar, level, text = self._filters()
        self.shown = browse.visible(self.prompts, self.marks, pillar, level, text)
        table = self.query_one("#prompts", DataTable)
        table.clear()
        for prompt in self.shown:
            table.add_row(
                MARK_TEXT.get(self.marks.get(prompt.id, ""), ""),
                prompt.title,
                prompt.pillar,
                prompt.level,
                clock(prompt.answer_seconds),
                key=prompt.id,
            )
        self.show_detail()

    @on(Input.Changed, "#search")
    @on(Select.Changed)
    def filters_changed(self) -> None:
        self.refresh_list()

    @on(Input.Submitted, "#search")
    def search_done(self) -> None:
        self.query_one("#prompts", DataTable).focus()

    @on(DataTable.RowHighlighted)
    def show_detail(self) -> None:
        detail = self.query_one("#detail", Static)
        prompt = self.current
        if prompt is None:
            detail.update(Text("No prompt matches these filters.", style="italic"))
            return
        detail.update(
            Text.assemble(
                (prompt.title, "bold"),
                (f"   Enter to practise · prepare {prompt.prep_seconds}s\n", "dim"),
                prompt.question,
            )
        )

    @property
    def current(self) -> Prompt | None:
        table = self.query_one("#prompts", DataTable)
        if not self.shown or table.cursor_row < 0 or table.cursor_row >= len(self.shown):
            return None
        return self.shown[table.cursor_row]

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.action_practise()

    # ------------------------------------------------------------------ actions

    def action_practise(self) -> None:
        if self.current is not None:
            self.app.practise(self.current)

    def action_practise_next(self) -> None:
        prompt = browse.practise_next(self.prompts, self.marks)
        if prompt is None:
            self.notify("Nothing is due: pick any prompt.")
            return
        self.app.practise(prompt)

    def action_interview(self) -> None:
        """A mock interview round for the level chosen in the filter (else the plan's)."""
        from coach.errors import CoachError
        from coach.tui.logic.interview import plan

        level = self.query_one("#level", Select).value
        pillar = self.query_one("#pillar", Select).value
        level = level if isinstance(level, str) else self.app.ctx.settings.plan.level
        try:
            prompts = plan(self.app.ctx, level, pillar=pillar if isinstance(pillar, str) else None)
        except CoachError as exc:
            self.notify(str(exc), severity="error")
            return
        self.app.interview(prompts, level)

    def action_history(self) -> None:
        from coach.tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen())

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_filters(self) -> None:
        self.query_one("#search", Input).value = ""
        self.query_one("#pillar", Select).clear()
        self.query_one("#level", Select).clear()
        self.query_one("#prompts", DataTable).focus()
