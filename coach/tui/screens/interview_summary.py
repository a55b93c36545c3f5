"""The mock interview's one piece of feedback: per question and per pillar the content and
delivery, the biggest gaps with why they matter, and what to practise next.

The same summary is written as an HTML page in the home (``o`` opens it); Enter on an answer
opens its review, where the chain of follow-ups is shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from coach.core.report import format_number
from coach.tui.widgets.table import RowTable
from coach.tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from coach.tui.app import CoachApp


QUESTION_WIDTH = 56  # long follow-up questions are cut so the scores stay on screen


def self_assessment_text(question: dict[str, Any]) -> str:
    """"Good · Hard": the user's own grade of the first answer beside the measured one."""
    if not question.get("self_rating"):
        return ""
    measured = question.get("measured_rating") or "?"
    return f"{question['self_rating'].capitalize()} · {measured.capitalize()}"


class InterviewSummaryScreen(Screen[None]):
    """The end of a round."""

    app: CoachApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Home", id="summary-back"),
        Binding("o", "open_summary", "Open summary page", id="summary-open"),
        Binding("enter", "review", "Review answer", id="summary-review", show=True),
    ]

    def __init__(self, summary: dict[str, Any], path: Path) -> None:
        super().__init__()
        self.summary = summary
        self.path = Path(path)
        self.rows = [a for q in summary["questions"] for a in q["answers"]]

    def compose(self) -> ComposeResult:
        yield TitleBar("mock interview: summary")
        with VerticalScroll(id="summary"):
            yield Static(Text.assemble(("Per question", "bold"),
                                       ("   Enter reviews the highlighted answer", "dim")),
                         classes="section")
            yield RowTable(id="summary-questions", cursor_type="row", zebra_stripes=True)
            yield Static(Text("Per pillar", style="bold"), classes="section")
            yield RowTable(id="summary-pillars", cursor_type="none")
            yield Static(self.gaps_text(), id="summary-gaps")
            yield Static(self.next_text(), id="summary-next")
            yield Static(Text(f"Summary page: {self.path}", style="dim"), id="summary-path")
        yield Footer()

    def on_mount(self) -> None:
        questions = self.query_one("#summary-questions", DataTable)
        questions.add_column("Question", width=QUESTION_WIDTH)
        questions.add_columns("Pillar", "Content", "Delivery", "You · measured")
        for q in self.summary["questions"]:
            for a in q["answers"]:
                label = f"  ↳ {a['question']}" if a["follow_up"] else q["title"]
                if len(label) > QUESTION_WIDTH:
                    label = label[: QUESTION_WIDTH - 1] + "…"
                pillar = "" if a["follow_up"] else q["pillar"]
                questions.add_row(label, pillar, format_number(a["content"], 0),
                                  format_number(a["delivery"], 0),
                                  "" if a["follow_up"] else self_assessment_text(q))
        pillars = self.query_one("#summary-pillars", DataTable)
        pillars.add_columns("Pillar", "Answers", "Content", "Delivery")
        for p in self.summary["pillars"]:
            pillars.add_row(p["pillar"], str(p["answers"]), format_number(p["content"], 0),
                            format_number(p["delivery"], 0))
        questions.focus()

    def gaps_text(self) -> Text:
        text = Text("Biggest gaps\n", style="bold")
        if not self.summary["gaps"]:
            text.append("Every key point was made.\n", style="")
        for gap in self.summary["gaps"]:
            text.append(f"• {gap['point']}", style="")
            asked = " · made only when asked" if gap.get("prompted") else ""
            text.append(f"  ({gap['title']}{asked})\n", style="dim")
            if gap["why"]:
                text.append(f"  {gap['why']}\n", style="italic")
        return text

    def next_text(self) -> Text:
        text = Text("What to practise next\n", style="bold")
        for n, line in enumerate(self.summary["practise_next"], 1):
            text.append(f"{n}. {line}\n", style="")
        return text

    def action_back(self) -> None:
        self.dismiss()

    def action_open_summary(self) -> None:
        self.app._open(self.path)

    @on(DataTable.RowSelected, "#summary-questions")
    def row_selected(self) -> None:
        self.action_review()

    def action_review(self) -> None:
        from coach.core.attempts import find_attempt, read_analysis
        from coach.core.model import Analysis
        from coach.tui.screens.review import ReviewScreen

        table = self.query_one("#summary-questions", DataTable)
        if not self.rows or table.cursor_row < 0:
            return
        attempt_id = self.rows[table.cursor_row]["attempt_id"]
        try:
            attempt = find_attempt(self.app.ctx.home, attempt_id)
        except FileNotFoundError:
            self.notify(f"attempt {attempt_id} is gone", severity="error")
            return
        data = read_analysis(attempt)
        if data is None:
            self.notify(f"attempt {attempt_id} has no analysis", severity="error")
            return
        prompt = self.app.ctx.library().prompts.get(attempt.prompt_id or "")
        self.app.push_screen(ReviewScreen(attempt, Analysis.from_dict(data), prompt))
