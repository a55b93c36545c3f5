"""How did that go? The user grades their own answer in one key before any score is shown.

Asked first so the score cannot anchor it: the dashboard compares this grade with the measured
one, and that comparison only means something if the user had not seen the number yet.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label

from coach.core.scheduler import RATINGS

CHOICES = Text.assemble(
    *(part for n, name in enumerate(RATINGS, 1)
      for part in ((f" {n} ", "reverse bold"), f" {name.capitalize()}   ")),
)


class SelfRatingDialog(ModalScreen["str | None"]):
    """Dismisses "again" / "hard" / "good" / "easy" for keys 1-4, None for s or Escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"rate('{name}')", name.capitalize(), id=f"self-rate-{name}")
          for n, name in enumerate(RATINGS, 1)),
        Binding("s,escape", "rate(None)", "Skip", id="self-rate-skip"),
    ]

    def __init__(self, about: str | None = None) -> None:
        """``about`` names what is graded when it is not the answer just given (in a round:
        which question, asked once its follow-ups are over)."""
        super().__init__()
        self.about = about

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Text("How did that go?", style="bold"), id="dialog-question")
            if self.about:
                yield Label(self.about, id="self-rating-about")
            yield Label("Grade your answer before you see the score.", classes="hint")
            yield Label(CHOICES, id="self-rating-choices")
            yield Label("s or Escape skips", classes="hint")
        yield Footer()

    def action_rate(self, rating: str | None) -> None:
        self.dismiss(rating)
