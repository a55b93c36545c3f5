"""Review: the transcript with fillers and reasoning markers, metric cards, key points,
follow-ups, replay, rating and corrections.

Everything slow (replay device, re-analysis after a correction, storing the rating) runs in a
worker; the numbers come from ``coach.tui.logic.review`` so this screen only lays them out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, OptionList, Static

from coach.core.attempts import Attempt
from coach.core.model import Analysis, Prompt
from coach.core.scoring import FULL_COVERAGE
from coach.errors import CoachError
from coach.tui.logic import review, session
from coach.tui.logic.timebox import clock
from coach.tui.messages import Notice, PlaybackPosition, Reanalysed
from coach.tui.widgets.cards import KeyPointChecklist, MetricCards, RedFlags
from coach.tui.widgets.title_bar import TitleBar
from coach.tui.widgets.transcript import FILLER, HEDGE, MARKER, TranscriptView

if TYPE_CHECKING:
    from coach.tui.app import CoachApp

SEEK_S = 5.0


NARROW_BELOW = 120  # columns: under this nine metric cards do not fit in one row


class ReviewScreen(Screen[None]):
    """The result of one attempt."""

    app: CoachApp

    AUTO_FOCUS = "#transcript"
    # the metric cards fold into two rows under 120 columns (app.tcss)
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [
        (0, "-narrow"), (NARROW_BELOW, "-wide")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="review-back"),
        Binding("p", "play_pause", "Play", id="review-play"),
        Binding("comma", "seek(-5)", "-5s", show=False, id="review-seek-back"),
        Binding("full_stop", "seek(5)", "+5s", show=False, id="review-seek-forward"),
        Binding("j", "jump", "Play from word", show=False, id="review-jump"),
        Binding("x", "toggle_filler", "Filler?", id="review-correct"),
        Binding("f", "follow_up", "Follow-up", id="review-follow-up"),
        Binding("o", "open_report", "Report", id="review-report"),
        Binding("a", "rate", "Accept", id="review-rate"),
        Binding("1", "rate('again')", "Again", show=False, id="review-rate-again"),
        Binding("2", "rate('hard')", "Hard", show=False, id="review-rate-hard"),
        Binding("3", "rate('good')", "Good", show=False, id="review-rate-good"),
        Binding("4", "rate('easy')", "Easy", show=False, id="review-rate-easy"),
    ]

    def __init__(self, attempt: Attempt, analysis: Analysis, prompt: Prompt | None) -> None:
        super().__init__()
        self.attempt = attempt
        self.analysis = analysis
        self.prompt = prompt
        self.player: Any = None
        self.rated: str | None = attempt.rating
        self.position = 0.0
        self.replay_error: str | None = None

    @property
    def follow_ups(self) -> tuple[str, ...]:
        if self.prompt is None or self.attempt.follow_up_question:
            return ()
        return self.prompt.follow_ups

    def compose(self) -> ComposeResult:
        # the breakpoint class arrives with the first resize: set it now, so the first frame
        # is not the one-row layout squeezed into a narrow terminal
        self.add_class("-narrow" if self.app.size.width < NARROW_BELOW else "-wide")
        yield TitleBar("review")
        yield Static(self.heading(), id="review-title")
        yield MetricCards(review.cards(self.analysis), id="cards")
        yield Static(review.verdict_line(self.analysis), id="verdict")
        yield Static(review.pitch_line(self.analysis) or "", id="pitch")
        with Horizontal(id="review-body"):
            with VerticalScroll(id="transcript-pane"):
                yield Static(self.legend(), id="legend")
                yield TranscriptView(review.tokens(self.analysis), id="transcript")
            with VerticalScroll(id="side"):
                links = self.chain_text()
                chain = Static(links, id="chain")
                chain.display = bool(links.plain)
                yield chain
                yield Static("Follow-up questions (f answers the highlighted one)",
                             classes="section", id="follow-ups-title")
                yield OptionList(*self.follow_ups, id="follow-ups")
                yield Static(f"Key points (full marks from {FULL_COVERAGE:.0%} by weight)",
                             classes="section")
                yield KeyPointChecklist(review.checklist(self.analysis), id="checklist")
                yield Static("Red flags", classes="section", id="flags-title")
                yield RedFlags(review.flags(self.analysis), review.leaned_on(self.analysis),
                               id="red-flags")
        yield Static("", id="status")
        yield Footer()

    def set_focus(
        self, widget: Widget | None, scroll_visible: bool = True, from_app_focus: bool = False
    ) -> None:
        """Focusing the transcript must not scroll its pane: Textual would bring the top of
        a long answer into view, away from the word being replayed or read."""
        if isinstance(widget, TranscriptView):
            scroll_visible = False
        super().set_focus(widget, scroll_visible, from_app_focus)

    def on_mount(self) -> None:
        self.query_one("#pitch").display = self.analysis.pitch is not None
        if not self.follow_ups:
            self.query_one("#follow-ups", OptionList).display = False
            self.query_one("#follow-ups-title").display = False
        self.show_status()
        for warning in self.analysis.extra.get("warnings", []) or []:
            self.notify(str(warning), severity="warning")

    def chain_text(self) -> Text:
        """The first answer and its follow-ups (this one marked), when there is a chain."""
        links = review.chain(self.app.ctx.home, self.attempt)
        if not links:
            return Text()
        text = Text("Answers in this chain\n", style="bold")
        for n, link in enumerate(links, 1):
            style = "bold reverse" if link.current else ""
            text.append(f"{n}. {link.label}  · {link.score_text}", style=style)
            text.append("\n")
        return text

    def heading(self) -> Text:
        title = self.prompt.title if self.prompt else "Free recording"
        question = self.attempt.follow_up_question
        text = Text.assemble((title, "bold"))
        if question:
            text.append(f"  ·  follow-up: {question}", style="italic")
        if self.analysis.no_speech:
            text.append("  ·  no speech found in this recording", style="bold red")
        return text

    def legend(self) -> Text:
        return Text.assemble(
            ("filler", FILLER), "  ", ("reasoning", MARKER), "  ", ("hedge", HEDGE), "  ",
            ("←/→ select a word · x: (not) a filler · j: play from it · ,/. seek ±5 s", "dim"),
        )

    def show_status(self) -> None:
        duration = self.analysis.duration_s
        playing = self.player is not None and self.player.playing
        proposed = review.proposed_rating(self.analysis)
        rating = (
            f"Rated: {self.rated} (1-4 changes it)" if self.rated
            else f"Proposed rating: {proposed.capitalize()} (a accepts; 1-4 Again/Hard/Good/Easy)"
        )
        if self.prompt is None:
            rating = "Free recording: nothing to schedule"
        elif self.analysis.no_speech:
            rating = "No speech: nothing to rate"
        mine = self.analysis.self_rating or self.attempt.self_rating
        if mine:
            rating = f"You said: {mine.capitalize()}, measured: {proposed.capitalize()}    {rating}"
        state = "▶" if playing else "⏸"
        replay = f"{state} {clock(self.position)} / {clock(duration)}"
        if self.replay_error:
            replay = f"replay unavailable: {self.replay_error}"
        self.query_one("#status", Static).update(f"{replay}    {rating}")

    # ------------------------------------------------------------------ replay

    def _player(self) -> Any:
        if self.player is None:
            from coach.audio.devices import output_preflight
            from coach.audio.player import Player

            if not self.attempt.recording_path.is_file():
                raise CoachError(f"recording not found: {self.attempt.recording_path}")
            problem = output_preflight()
            if problem:
                raise CoachError(problem)

            self.player = Player(
                self.attempt.recording_path,
                on_position=lambda s: self.post_message(PlaybackPosition(s)),
            )
        return self.player

    def on_playback_position(self, message: PlaybackPosition) -> None:
        self.at_position(message.seconds)

    def at_position(self, seconds: float) -> None:
        self.position = seconds
        view = self.query_one(TranscriptView)
        view.playing = review.word_at(view.tokens, seconds) if seconds > 0 else None
        self.show_status()

    def _replay(self, do: str, seconds: float = 0.0) -> None:
        """Play/pause, seek or play from a word; any of them makes the transcript follow the
        playing word again (after the user scrolled away or moved the selection)."""
        self.query_one(TranscriptView).follow()
        try:
            player = self._player()
            if do == "toggle":
                player.toggle()
            elif do == "seek":
                player.seek(seconds)
                self.at_position(player.position_s)
            elif do == "play_from":
                player.seek(seconds)
                if not player.playing:
                    player.play()
            self.replay_error = None
        except CoachError as exc:
            self.replay_error = str(exc)
            self.notify(str(exc), severity="error", timeout=8)
        self.show_status()

    def action_play_pause(self) -> None:
        self._replay("toggle")

    def action_seek(self, delta: float) -> None:
        self._replay("seek", self.position + delta)

    def action_jump(self) -> None:
        token = self.query_one(TranscriptView).selected_token
        if token is not None:
            self.position = token.start
            self._replay("play_from", token.start)

    def on_unmount(self) -> None:
        if self.player is not None:
            self.player.stop()

    # ------------------------------------------------------------------ corrections

    def action_toggle_filler(self) -> None:
        token = self.query_one(TranscriptView).selected_token
        if token is None:
            return
        corrections = review.toggle_filler(review.corrections_of(self.analysis), token)
        self.reanalyse(corrections)

    @work(thread=True, exclusive=True, group="reanalyse", exit_on_error=False)
    def reanalyse(self, corrections: list[dict[str, Any]]) -> None:
        try:
            attempt, analysis = session.reanalyse(
                self.app.ctx, self.attempt, self.prompt, corrections
            )
        except CoachError as exc:
            self.post_message(Notice(str(exc), "error"))
            return
        self.post_message(Reanalysed(attempt, analysis))

    async def on_reanalysed(self, message: Reanalysed) -> None:
        self.attempt, self.analysis = message.attempt, message.analysis
        self.query_one(TranscriptView).set_tokens(review.tokens(self.analysis))
        await self.query_one(MetricCards).update_cards(review.cards(self.analysis))
        self.query_one("#verdict", Static).update(review.verdict_line(self.analysis))
        self.query_one(KeyPointChecklist).show(review.checklist(self.analysis))
        self.query_one(RedFlags).show(review.flags(self.analysis),
                                      review.leaned_on(self.analysis))
        self.show_status()
        self.notify("Correction saved; analysis and report updated.")

    def on_notice(self, message: Notice) -> None:
        self.notify(message.text, severity=message.severity)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ actions

    def action_rate(self, rating: str | None = None) -> None:
        if self.prompt is None:
            self.notify("A free recording has no prompt to schedule.")
            return
        if self.analysis.no_speech:
            self.notify("No speech was found in this recording, so there is no answer to rate.")
            return
        self.store_rating(rating or review.proposed_rating(self.analysis))

    @work(thread=True, exclusive=True, group="rate", exit_on_error=False)
    def store_rating(self, rating: str) -> None:
        try:
            line = session.rate(self.app.ctx, self.attempt, rating)
        except (CoachError, OSError, ImportError) as exc:
            self.post_message(Notice(f"rating not saved: {exc}", "error"))
            return
        self.rated = rating
        self.app.call_from_thread(self.show_status)
        self.post_message(Notice(line))

    def action_follow_up(self) -> None:
        options = self.query_one("#follow-ups", OptionList)
        if self.prompt is None or not self.follow_ups:
            self.notify("This attempt has no follow-up questions.")
            return
        index = options.highlighted if options.highlighted is not None else 0
        from coach.tui.screens.practice import PracticeScreen

        self.app.switch_screen(
            PracticeScreen(self.prompt, follows=self.attempt, question=self.follow_ups[index])
        )

    def action_open_report(self) -> None:
        try:
            session.open_in_browser(self.attempt.report_path)
        except CoachError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"Opened {self.attempt.report_path}")

    def action_back(self) -> None:
        self.dismiss()
