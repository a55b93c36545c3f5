"""The answer timer: elapsed and remaining time, amber near the end of the box, red past it."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from coach.tui.logic.timebox import OVER, WARN, timer_view


class AnswerTimer(Widget):
    """Shows ``elapsed / remaining`` against the prompt's time box."""

    elapsed: reactive[float] = reactive(0.0)

    def __init__(self, answer_seconds: float, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.answer_seconds = answer_seconds

    def watch_elapsed(self, _value: float) -> None:
        view = timer_view(self.elapsed, self.answer_seconds)
        self.set_class(view.state == WARN, "-warn")
        self.set_class(view.state == OVER, "-over")

    def render(self) -> Text:
        return Text(timer_view(self.elapsed, self.answer_seconds).label, style="bold")
