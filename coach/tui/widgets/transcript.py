"""The transcript in the review: fillers and reasoning markers highlighted, a selectable word
(for corrections and "jump here") and the word being replayed.

The widget is as tall as its text and sits in a scrolling pane; it keeps the word being replayed
in view by scrolling that pane, unless the user scrolled it or moved the selection by hand (then
it leaves the view alone until a replay key asks to follow again).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from coach.tui.logic.review import Token

FILLER = "bold black on dark_orange"
MARKER = "bold cyan underline"
HEDGE = "italic magenta underline"
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
        self.following = True  # keep the playing word in view
        self._left_at: float | None = None  # where following last left the pane's scroll

    def set_tokens(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.selected = min(self.selected, max(0, len(tokens) - 1))
        self.refresh(layout=True)

    @property
    def selected_token(self) -> Token | None:
        return self.tokens[self.selected] if self.tokens else None

    def action_move(self, step: int) -> None:
        if self.tokens:
            self.following = False  # the user is looking at another part of the answer
            self.selected = max(0, min(len(self.tokens) - 1, self.selected + step))
            self.scroll_to_word(self.selected)

    # ------------------------------------------------------------------ scrolling

    def follow(self) -> None:
        """Keep the playing word in view again (a replay key was pressed), from now on."""
        self.following, self._left_at = True, None
        if self.playing is not None:
            self._follow_to(self.playing)

    def watch_playing(self, index: int | None) -> None:
        if index is not None and self.following:
            self._follow_to(index)

    def _follow_to(self, index: int) -> None:
        pane = self.parent
        if not isinstance(pane, Widget):
            return
        if self._left_at is not None and pane.scroll_target_y != self._left_at:
            self.following = False  # scrolled by hand since: do not pull the view back
            return
        self.scroll_to_word(index, center=True)
        self._left_at = pane.scroll_target_y

    def word_line(self, index: int) -> int:
        """The line (from this widget's top) that word ``index`` ends on.

        Lines are wrapped greedily, word by word, so the text up to and including this word
        wraps to the same lines as the whole text: its line count gives the word's line.
        """
        width = self.content_size.width
        text = "".join(f"{self._label(t)} " for t in self.tokens[: index + 1])
        return len(Content(text).wrap(width)) - 1 if width and text else 0

    def scroll_to_word(self, index: int, center: bool = False) -> None:
        """Scroll the pane to show word ``index`` if it is out of view (centred if asked).

        Visibility is judged where the pane is heading (an animated scroll may be under way).
        """
        pane = self.parent
        if not isinstance(pane, Widget) or not 0 <= index < len(self.tokens):
            return
        y = self.virtual_region.y + self.gutter.top + self.word_line(index)
        top, height = pane.scroll_target_y, pane.scrollable_content_region.height
        if top <= y < top + height:
            return
        nearest = y if y < top else y - height + 1  # the least scroll that shows the word
        pane.scroll_to(y=y - height // 2 if center else nearest, animate=False, immediate=True)

    # ------------------------------------------------------------------ rendering

    @staticmethod
    def _label(token: Token) -> str:
        return token.text + ("*" if token.corrected else "")

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
            elif token.hedge:
                style = HEDGE
            if token.index == self.playing:
                style = PLAYING
            if token.index == self.selected and self.has_focus:
                style = SELECTED
            text.append(self._label(token), style=style or None)
            text.append(" ")
        return text

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
