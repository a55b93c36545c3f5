"""The transcript in the review: fillers and reasoning markers highlighted, a selectable word
(for corrections and "jump here") and the word being replayed."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.widget import Widget

from coach.tui.logic.review import Token

FILLER = "bold black on dark_orange"
MARKER = "bold cyan underline"
SELECTED = "bold white on blue"
PLAYING = "bold black on green"


class TranscriptView(Widget, can_focus=True):
    """Word-wrapped transcript; left/right move the selected word."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(-1)", "Prev word", show=False, id="word-prev"),
        Binding("right", "move(1)", "Next word", show=False, id="word-next"),
        Binding("ctrl+left", "move(-10)", "Back 10 words", show=False, id="word-back"),
        Binding("ctrl+right", "move(10)", "Forward 10 words", show=False, id="word-forward"),
    ]

    selected: reactive[int] = reactive(0)
    playing: reactive[int | None] = reactive(None)

    def __init__(self, tokens: list[Token], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.tokens = tokens

    def set_tokens(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.selected = min(self.selected, max(0, len(tokens) - 1))
        self.refresh(layout=True)

    @property
    def selected_token(self) -> Token | None:
        return self.tokens[self.selected] if self.tokens else None

    def action_move(self, step: int) -> None:
        if self.tokens:
            self.selected = max(0, min(len(self.tokens) - 1, self.selected + step))

    def render(self) -> Text:
        if not self.tokens:
            return Text("(no speech was recognised in this recording)", style="italic")
        text = Text()
        for token in self.tokens:
            style = ""
            if token.filler:
                style = FILLER
            elif token.marker:
                style = MARKER
            if token.index == self.playing:
                style = PLAYING
            if token.index == self.selected and self.has_focus:
                style = SELECTED
            label = token.text + ("*" if token.corrected else "")
            text.append(label, style=style or None)
            text.append(" ")
        return text

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
