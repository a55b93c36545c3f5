"""Processing: a progress bar while the answer is transcribed and analysed in a thread worker.

The model was loaded in the background at start-up; if it is still loading, this screen waits for
it (the UI stays responsive). A failure keeps the recording and says so; Escape goes back.
For a fresh take it first asks the user to grade their answer (``SelfRatingDialog``) while the
analysis runs behind it, so the review, and its score, only comes once they have answered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static

from coach.core.attempts import Attempt
from coach.core.model import Analysis, Prompt, Transcript
from coach.errors import CoachError
from coach.tui.messages import AnalysisDone, AnalysisFailed, AnalysisProgress
from coach.tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from coach.core.pitch import PitchTracker
    from coach.tui.app import CoachApp

STAGES = {
    "model": "Loading the speech model…",
    "transcribing": "Transcribing your answer…",
    "analysing": "Analysing fillers, pace, reasoning and key points…",
    "done": "Done",
}


class ProcessingScreen(Screen[None]):
    app: CoachApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="processing-back"),
    ]

    def __init__(
        self,
        attempt: Attempt,
        prompt: Prompt | None,
        transcript: Transcript | None = None,
        *,
        pitch_track: PitchTracker | None = None,
        ask_self_rating: bool = False,
    ) -> None:
        super().__init__()
        self.attempt = attempt
        self.prompt = prompt
        self.transcript = transcript
        self.pitch_track = pitch_track
        self.failed = False
        self.asking = ask_self_rating  # the self-rating dialog is (about to be) open
        self.self_rating: str | None = None
        self.done: AnalysisDone | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar("analysing your answer")
        with Middle(), Center():
            yield Static(STAGES["model"], id="stage")
            yield ProgressBar(total=1.0, show_eta=False, id="progress")
        yield Footer()

    def on_mount(self) -> None:
        self.run_analysis()
        if self.asking:
            from coach.tui.dialogs.self_rating import SelfRatingDialog

            self.app.push_screen(SelfRatingDialog(), self.self_rated)

    def self_rated(self, rating: str | None) -> None:
        self.asking, self.self_rating = False, rating
        self.show_review()

    @work(thread=True, exclusive=True, group="analysis", exit_on_error=False)
    def run_analysis(self) -> None:
        from coach.pipeline import analyze_attempt

        try:
            self.post_message(AnalysisProgress(0.0, "model"))
            transcriber = self.app.wait_for_transcriber()
            attempt, analysis = analyze_attempt(
                self.app.ctx,
                self.attempt,
                self.prompt,
                transcriber=transcriber,
                transcript=self.transcript,
                pitch_track=self.pitch_track,
                on_progress=lambda f, stage: self.post_message(AnalysisProgress(f, stage)),
            )
        except Exception as exc:
            self.post_message(AnalysisFailed(str(exc) or type(exc).__name__))
            return
        self.post_message(AnalysisDone(attempt, analysis))

    def on_analysis_progress(self, message: AnalysisProgress) -> None:
        self.query_one("#stage", Static).update(STAGES.get(message.stage, message.stage))
        self.query_one(ProgressBar).progress = message.fraction

    def on_analysis_done(self, message: AnalysisDone) -> None:
        self.done = message
        self.show_review()

    def show_review(self) -> None:
        """The review, once the analysis is done and the user has graded (or skipped)."""
        if self.done is None or self.asking:
            return
        if self.self_rating is None:
            self.open_review(self.done.attempt, self.done.analysis)
        else:
            self.store_self_rating(self.done.attempt, self.done.analysis, self.self_rating)

    @work(thread=True, exclusive=True, group="self-rating", exit_on_error=False)
    def store_self_rating(self, attempt: Attempt, analysis: Analysis, rating: str) -> None:
        from coach.tui.logic.session import self_rate

        try:
            attempt = self_rate(self.app.ctx, attempt, rating)
            analysis.self_rating = rating
        except CoachError as exc:
            self.app.call_from_thread(
                self.notify, f"self-rating not saved: {exc}", severity="error"
            )
        self.app.call_from_thread(self.open_review, attempt, analysis)

    def open_review(self, attempt: Attempt, analysis: Analysis) -> None:
        from coach.tui.screens.review import ReviewScreen

        self.app.switch_screen(ReviewScreen(attempt, analysis, self.prompt))

    def on_analysis_failed(self, message: AnalysisFailed) -> None:
        self.failed = True
        self.query_one("#stage", Static).update(
            f"Analysis failed: {message.error}\nThe recording is kept in {self.attempt.path}. "
            "Escape goes back."
        )
        self.notify(message.error, severity="error", timeout=10)

    def action_back(self) -> None:
        self.dismiss()
