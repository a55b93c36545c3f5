"""The mock interview round: question after question, each followed at once by the interviewer's
follow-ups aimed at what the answer left out, and no feedback until the end.

This screen only sequences the round. Each take is a ``PracticeScreen`` in interview mode that
hands the take back; the take is analysed in a worker through the one pipeline (the streamed
transcript makes that take well under a second), ``coach.core.interview`` picks the follow-up
from the first answer's coverage, and at the end the summary is written and shown.

Once a question's chain of answers is over, before the next question, the user grades how it
went in one key (``SelfRatingDialog``; s or Escape skips): asked while the answer is fresh, and
still before any score, so calibration compares an unanchored grade with the measured one. It
is stored on the question's first answer, exactly as a single answer's grade is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static

from coach.core.attempts import Attempt, now_iso
from coach.core.interview import Answer, FollowUp, RoundQuestion, choose_follow_up
from coach.core.model import Prompt
from coach.errors import CoachError
from coach.tui.dialogs.self_rating import SelfRatingDialog
from coach.tui.logic import interview, session
from coach.tui.messages import RoundWritten, TakeAnalysed, TakeFailed
from coach.tui.screens.practice import PracticeScreen, Take
from coach.tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from coach.tui.app import CoachApp


class InterviewScreen(Screen[None]):
    """One round of a mock interview."""

    app: CoachApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "end_round", "End the round", id="interview-end"),
    ]

    def __init__(self, prompts: list[Prompt], level: str) -> None:
        super().__init__()
        self.level = level
        self.questions = [RoundQuestion(p) for p in prompts]
        self.index = 0
        self.follow_up: FollowUp | None = None  # the follow-up being answered, if any
        self.started_at = now_iso()
        self.finished = False
        self.first_attempts: dict[str, Attempt] = {}  # follow-ups link to these
        self.graded: set[int] = set()  # the questions whose self-rating was asked

    @property
    def current(self) -> RoundQuestion | None:
        return self.questions[self.index] if self.index < len(self.questions) else None

    def compose(self) -> ComposeResult:
        yield TitleBar("mock interview")
        yield Static(self.plan_text(), id="round-plan")
        yield Static("", id="round-status")
        yield Footer()

    def plan_text(self) -> Text:
        text = Text.assemble((f"A {self.level} round of {len(self.questions)} questions", "bold"),
                             ("   feedback comes at the end", "dim"), "\n")
        for n, q in enumerate(self.questions):
            mark = "✓" if n < self.index else "▶" if n == self.index else " "
            kind = "deep dive" if q.prompt.category == "deep-dive" else q.prompt.pillar
            text.append(f"\n {mark} {n + 1}. {kind}")
        return text

    def status(self, text: str) -> None:
        self.query_one("#round-plan", Static).update(self.plan_text())
        self.query_one("#round-status", Static).update(Text(text, style="italic"))

    def on_mount(self) -> None:
        self.call_after_refresh(self.ask_next)

    # ------------------------------------------------------------------ the round

    def ask_next(self) -> None:
        """The next question, or the summary once every question was answered."""
        question = self.current
        if question is None:
            self.end_round()
            return
        self.follow_up = None
        self.status(self.round_label)
        self.app.push_screen(
            PracticeScreen(question.prompt, interview=True, round_label=self.round_label),
            self.answered,
        )

    @property
    def round_label(self) -> str:
        return f"Question {self.index + 1} of {len(self.questions)}"

    def ask_follow_up(self, follow: FollowUp) -> None:
        question = self.current
        assert question is not None and question.answers
        first = question.answers[0]
        self.follow_up = follow
        seconds = self.app.ctx.settings.follow_up_seconds
        first_attempt = self.first_attempts[first.attempt_id]
        self.app.push_screen(
            PracticeScreen(
                interview.follow_up_prompt(question.prompt, follow, seconds),
                follows=first_attempt,
                question=follow.question,
                interview=True,
                time_box=seconds,
                round_label=self.round_label,
            ),
            self.answered,
        )

    def answered(self, take: Take | None) -> None:
        if take is None:  # Escape on the practice screen: the round ends here
            self.end_round()
            return
        self.status("The interviewer considers your answer…")
        self.analyse(take)

    @work(thread=True, exclusive=True, group="interview-analysis", exit_on_error=False)
    def analyse(self, take: Take) -> None:
        question = self.current
        assert question is not None
        prompt = question.prompt
        if self.follow_up is not None:
            seconds = self.app.ctx.settings.follow_up_seconds
            prompt = interview.follow_up_prompt(prompt, self.follow_up, seconds)
        try:
            transcriber = self.app.wait_for_transcriber()
            attempt, analysis = interview.analyse_take(
                self.app.ctx, take.attempt, prompt, transcriber, take.transcript, take.pitch_track
            )
        except Exception as exc:  # the recording is kept; the round goes on
            self.post_message(TakeFailed(str(exc) or type(exc).__name__))
            return
        self.post_message(TakeAnalysed(attempt, analysis))

    def on_take_analysed(self, message: TakeAnalysed) -> None:
        question = self.current
        assert question is not None
        follow = self.follow_up
        if not question.answers:
            self.first_attempts[message.attempt.id] = message.attempt
        question.answers.append(Answer(
            message.attempt.id,
            follow.question if follow else question.prompt.question,
            message.analysis.to_dict(),
            key_point=follow.key_point.id if follow and follow.key_point else None,
        ))
        if self.finished:  # the round was ended while this take was analysed: nothing more
            return
        asked = [a.question for a in question.answers[1:]]
        coverages = [a.analysis.get("coverage") for a in question.answers]
        nxt = choose_follow_up(
            question.prompt, coverages, asked, self.app.ctx.settings.interview_follow_ups
        )
        if nxt is not None:
            self.ask_follow_up(nxt)
            return
        self.ask_self_rating(self.next_question)

    def on_take_failed(self, message: TakeFailed) -> None:
        self.notify(f"That answer could not be analysed: {message.error}", severity="error")
        if not self.finished:
            self.ask_self_rating(self.next_question)

    def next_question(self) -> None:
        self.index += 1
        self.ask_next()

    # ------------------------------------------------------------------ self-rating

    def ask_self_rating(self, then: Callable[[], None]) -> None:
        """Ask how the current question went (once, if it has an answer), store the grade on
        its first answer, then ``then``."""
        question = self.current
        if question is None or not question.answers or self.index in self.graded:
            then()
            return
        self.graded.add(self.index)
        self.status(f"{self.round_label} is done")
        about = f"{self.round_label}: {question.prompt.title}"
        self.app.push_screen(SelfRatingDialog(about),
                             lambda rating: self.self_rated(question, rating, then))

    def self_rated(self, question: RoundQuestion, rating: str | None,
                   then: Callable[[], None]) -> None:
        if rating is None:  # skipped: nothing stored
            then()
            return
        self.store_self_rating(question, rating, then)

    @work(thread=True, exclusive=True, group="interview-self-rating", exit_on_error=False)
    def store_self_rating(self, question: RoundQuestion, rating: str,
                          then: Callable[[], None]) -> None:
        first = question.answers[0]
        try:
            session.self_rate(self.app.ctx, self.first_attempts[first.attempt_id], rating)
            question.self_rating = first.analysis["self_rating"] = rating
        except CoachError as exc:
            self.app.call_from_thread(
                self.notify, f"self-rating not saved: {exc}", severity="error"
            )
        self.app.call_from_thread(then)

    # ------------------------------------------------------------------ the end

    def action_end_round(self) -> None:
        self.end_round()

    def end_round(self) -> None:
        """Ask the current question's self-rating if it was not asked yet (no score is shown
        before it), then write and show the summary."""
        if self.finished:
            return
        self.finished = True
        self.ask_self_rating(self.summarise)

    def summarise(self) -> None:
        if not any(q.answers for q in self.questions):
            self.dismiss()
            return
        self.status("Writing the round's summary…")
        self.write_summary()

    @work(thread=True, exclusive=True, group="interview-summary", exit_on_error=False)
    def write_summary(self) -> None:
        try:
            summary, path = interview.finish_round(
                self.app.ctx, self.questions, self.level, self.started_at
            )
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"summary not written: {exc}",
                                      severity="error")
            return
        self.post_message(RoundWritten(summary, path))

    def on_round_written(self, message: RoundWritten) -> None:
        from coach.tui.screens.interview_summary import InterviewSummaryScreen

        self.app.switch_screen(InterviewSummaryScreen(message.summary, message.path))
