"""Practice: the prompt, a skippable preparation countdown, then recording against the clock.

States: "prep" (countdown; Space skips), "asking" (interview mode: the interviewer's follow-up
is read aloud, then recording starts by itself), "recording" (Space stops), "blocked" (the
microphone check failed: the message says what to do), "stopping". In interview mode the take
is handed back to the round (``dismiss(Take)``) instead of being reviewed. Escape cancels,
asking before any audio is thrown away; R restarts the take. The recorder runs its own threads;
this screen only starts, polls and stops it, and hears about levels and problems through
messages.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from coach.core.attempts import Attempt
from coach.core.model import Prompt, Transcript
from coach.errors import CoachError
from coach.tui.dialogs.confirm import ConfirmDialog
from coach.tui.logic import session
from coach.tui.logic.timebox import clock, clock_left, countdown
from coach.tui.messages import (
    LevelChanged,
    LiveWords,
    PreflightChecked,
    RecordingProblem,
    StoriesFound,
)
from coach.tui.widgets.level_meter import LevelMeter
from coach.tui.widgets.timer import AnswerTimer
from coach.tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from coach.core.pitch import PitchTracker
    from coach.tui.app import CoachApp

PREP, RECORDING, BLOCKED, STOPPING = "prep", "recording", "blocked", "stopping"
ASKING, CLOSED = "asking", "closed"


@dataclass(frozen=True)
class Take:
    """A finished take handed back to the interview round: the attempt and, when it was
    transcribed while recording, its transcript and the pitch tracked with it."""

    attempt: Attempt
    transcript: Transcript | None
    pitch_track: PitchTracker | None = None


class PracticeScreen(Screen["Take | None"]):
    """One take of one prompt (or of a follow-up question to an earlier attempt)."""

    app: CoachApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "space", "Start / stop", id="practice-start-stop"),
        Binding("escape", "cancel", "Cancel", id="practice-cancel"),
        Binding("r", "restart", "Restart", id="practice-restart"),
    ]

    def __init__(
        self,
        prompt: Prompt,
        *,
        follows: Attempt | None = None,
        question: str | None = None,
        interview: bool = False,
        time_box: int | None = None,
        round_label: str = "",
    ) -> None:
        """``interview``: a take of a mock interview round; a follow-up (``question``) is then
        asked at once, without preparation, within ``time_box`` seconds."""
        super().__init__()
        self.prompt = prompt
        self.follows = follows
        self.question = question
        self.interview = interview
        self.time_box = time_box or prompt.answer_seconds
        self.round_label = round_label  # "Question 2 of 3" in a mock interview round
        self.state = ASKING if interview and question else PREP
        self.phase_started = 0.0
        self.attempt: Attempt | None = None
        self.recorder: Any = None
        self.streamer: Any = None
        self.mic_problem: str | None = None
        self.problems: list[str] = []

    @property
    def prep_seconds(self) -> int:
        return min(self.prompt.prep_seconds, 15) if self.question else self.prompt.prep_seconds

    def compose(self) -> ComposeResult:
        yield TitleBar("answer aloud")
        heading = f"{self.prompt.title}  ·  {self.prompt.pillar}  ·  {self.prompt.level}"
        if self.question:
            heading = f"Follow-up to: {heading}"
        if self.round_label:
            heading = f"{self.round_label}  ·  {heading}"
        yield Static(heading, id="prompt-title")
        question = Static(self.question or self.prompt.question, id="question")
        question.set_class(self.state == ASKING, "-interviewer")
        yield question
        yield Static("", id="phase")
        yield AnswerTimer(self.time_box, id="timer")
        yield LevelMeter(id="meter")
        yield Static("", id="mic-problem")
        yield Static("", id="problems")
        yield Static("", id="live")
        yield Static("", id="stories")  # shown for a behavioral prompt once stories are read
        yield Footer()

    def on_mount(self) -> None:
        self.phase_started = self.app.clock()
        self.check_microphone()
        if self.state == ASKING:
            self.ask_aloud()
        elif self.app.ctx.settings.speak_prompt:
            self.read_aloud()
        self.set_interval(0.2, self.tick)
        self.tick()
        # practice, not a mock interview: an interviewer gives no notes
        if self.prompt.pillar == "behavioral" and self.prompt.themes and not self.interview:
            self.find_stories()

    # ------------------------------------------------------------------ workers

    @work(thread=True, exclusive=True, group="preflight", exit_on_error=False)
    def check_microphone(self) -> None:
        self.post_message(PreflightChecked(self.app.microphone_problem(fall_back=True)))

    @work(thread=True, exclusive=True, group="stories", exit_on_error=False)
    def find_stories(self) -> None:
        try:
            found = session.fitting_stories(self.app.ctx, self.prompt)
        except OSError as exc:
            self.post_message(StoriesFound([], f"stories not read: {exc}"))
            return
        self.post_message(StoriesFound(found))

    def on_stories_found(self, message: StoriesFound) -> None:
        box = self.query_one("#stories", Static)
        box.display = True
        if message.problem:
            box.update(Text(message.problem, style="dim"))
            return
        if not message.stories:
            box.update(Text(f"No story of yours for {', '.join(self.prompt.themes)} yet "
                            "(coach stories new)", style="dim"))
            return
        lines = [Text("Your stories that fit:", style="bold")]
        lines += [Text.assemble(f"  {title}  ", (f"[{', '.join(themes)}]", "dim"))
                  for title, themes in message.stories[:4]]
        box.update(Text("\n").join(lines))

    def read_aloud(self) -> None:
        session.speak(self.question or self.prompt.question)

    @work(thread=True, exclusive=True, group="ask", exit_on_error=False)
    def ask_aloud(self) -> None:
        """The interviewer asks the follow-up; the answer is recorded once it was asked."""
        if self.app.ctx.settings.speak_prompt:
            session.speak_and_wait(self.question or self.prompt.question)
        if not get_current_worker().is_cancelled:  # R asked again: that reading starts it
            self.app.call_from_thread(self.asked)

    def asked(self) -> None:
        if self.state == ASKING:
            self.start_recording()

    def on_preflight_checked(self, message: PreflightChecked) -> None:
        self.mic_problem = message.problem
        box = self.query_one("#mic-problem", Static)
        box.set_class(message.problem is not None, "-problem")
        if message.problem is None:
            box.update("")
            return
        if self.state not in (PREP, ASKING, BLOCKED):
            return  # a late answer for a take already under way: the recorder reports itself
        self.state = BLOCKED
        box.update(
            Text.assemble(
                ("Cannot record: ", "bold"),
                message.problem,
                "\nChoose another microphone from the command palette (ctrl+p), "
                "then press R to try again; Escape goes back.",
            )
        )
        self.tick()

    def on_level_changed(self, message: LevelChanged) -> None:
        self.query_one(LevelMeter).show_reading(message.level, time.monotonic())

    def on_recording_problem(self, message: RecordingProblem) -> None:
        self.problems.append(message.text)
        self.query_one("#problems", Static).update("\n".join(f"⚠ {p}" for p in self.problems))
        self.notify(message.text, severity="warning", timeout=8)

    # ------------------------------------------------------------------ clock

    def tick(self) -> None:
        elapsed = self.app.clock() - self.phase_started
        self.query_one(AnswerTimer).display = self.state in (RECORDING, STOPPING)
        self.query_one(LevelMeter).display = self.state in (RECORDING, STOPPING)
        phase = self.query_one("#phase", Static)
        if self.state == ASKING:
            phase.update(Text.assemble(
                ("The interviewer asks a follow-up", "bold"),
                (f"   recording starts once it is asked · time box {clock(self.time_box)}", "dim"),
            ))
        elif self.state == PREP:
            left = countdown(self.prep_seconds, elapsed)
            phase.update(
                Text.assemble(
                    ("Prepare  ", "bold"),
                    (clock_left(left), "bold"),
                    "   Space to start answering now",
                    (f"   (answer time box {clock(self.time_box)})", "dim"),
                )
            )
            if left <= 0 and self.mic_problem is None:
                self.start_recording()
        elif self.state == RECORDING:
            self.query_one(AnswerTimer).elapsed = elapsed
            phase.update(Text.assemble(("● Recording", "bold red"), "   Space to stop"))
        elif self.state == BLOCKED:
            phase.update(Text("Recording is not possible right now", style="bold"))
        elif self.state == STOPPING:
            phase.update(Text("Saving the recording…", style="bold"))

    # ------------------------------------------------------------------ recording

    def start_recording(self) -> None:
        if self.mic_problem is not None:
            self.state = BLOCKED
            self.tick()
            return
        if self.app.ctx.settings.speak_prompt:
            session.stop_speaking()
        self.attempt = session.new_take(self.app.ctx, self.prompt, self.follows, self.question)
        settings = self.app.ctx.settings
        on_words = self._live_words if settings.live_transcript else None
        self.streamer = session.start_streaming(
            self.app.transcriber, self.prompt, settings.sample_rate, on_words
        )
        try:
            self.recorder = self.app.recorder_factory(
                self.attempt.recording_path,
                on_level=lambda level: self.post_message(LevelChanged(level)),
                on_problem=lambda text: self.post_message(RecordingProblem(text)),
                on_block=self.streamer,
            )
            self.recorder.start()
        except CoachError as exc:
            self._drop_streamer()
            session.discard(self.app.ctx, self.attempt)
            self.attempt, self.recorder = None, None
            self.post_message(PreflightChecked(str(exc)))
            return
        self.state = RECORDING
        self.phase_started = self.app.clock()
        self.tick()

    def _halt(self) -> Any:
        """Stop the recorder (if running); returns its result."""
        recorder, self.recorder = self.recorder, None
        return recorder.stop() if recorder is not None else None

    def _live_words(self, words: list[Any]) -> None:
        """From the streaming worker: show the last words said (live transcript setting)."""
        self.post_message(LiveWords(" ".join(w.text for w in words[-40:])))

    def on_live_words(self, message: LiveWords) -> None:
        self.query_one("#live", Static).update(Text(message.text, style="dim italic"))

    def _drop_streamer(self) -> None:
        streamer, self.streamer = self.streamer, None
        if streamer is not None:
            streamer.cancel()

    @work(thread=True, exclusive=True, group="stop", exit_on_error=False)
    def finish(self) -> None:
        try:
            result = self._halt()
            streamer, self.streamer = self.streamer, None
            transcript = streamer.finish() if streamer is not None else None
            track = streamer.pitch if streamer is not None and transcript is not None else None
            attempt = session.recorded(self.attempt, result) if self.attempt else None
        except Exception as exc:  # keep the take on disk; the next start recovers it
            self.app.call_from_thread(self.stop_failed, str(exc) or type(exc).__name__)
            return
        if self.interview:
            take = Take(attempt, transcript, track) if attempt is not None else None
            self.app.call_from_thread(self.dismiss, take)
            return
        self.app.call_from_thread(self.app.analyse, attempt, self.analysis_prompt, transcript,
                                  track)

    def stop_failed(self, error: str) -> None:
        folder = self.attempt.folder if self.attempt else "the attempts folder"
        self.attempt = None  # kept on disk: Escape must not delete it
        self.state = BLOCKED
        self.query_one("#mic-problem", Static).update(
            Text.assemble(("Could not finish the recording: ", "bold"), error,
                          f"\nWhat was captured is kept in {folder}. Escape goes back.")
        )
        self.tick()

    @property
    def analysis_prompt(self) -> Prompt:
        """A follow-up is analysed as its own question (the original's key points don't apply)."""
        if not self.question:
            return self.prompt
        from dataclasses import replace

        return replace(self.prompt, question=self.question, key_points=(), follow_ups=())

    def discard_take(self) -> None:
        self._halt()
        self._drop_streamer()
        if self.attempt is not None:
            session.discard(self.app.ctx, self.attempt)
            self.attempt = None

    # ------------------------------------------------------------------ actions

    def action_space(self) -> None:
        if self.state in (PREP, ASKING):
            self.start_recording()
        elif self.state == RECORDING:
            self.state = STOPPING
            self.tick()
            self.finish()

    def action_cancel(self) -> None:
        if self.state == STOPPING:
            return  # the take is being saved for analysis
        if self.state != RECORDING:
            if self.state == ASKING:
                self.state = CLOSED  # the follow-up being read must not start a take
                if self.app.ctx.settings.speak_prompt:
                    session.stop_speaking()
            self.discard_take()
            self.dismiss()
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.discard_take()
                self.dismiss()

        self.app.push_screen(
            ConfirmDialog("Discard this recording? Nothing of it will be kept.", yes="Discard"),
            answered,
        )

    def action_restart(self) -> None:
        def restart(ok: bool | None = True) -> None:
            if not ok:
                return
            self.discard_take()
            self.problems.clear()
            self.query_one("#problems", Static).update("")
            self.query_one(AnswerTimer).elapsed = 0.0
            self.query_one(LevelMeter).level = 0.0
            self.state = ASKING if self.interview and self.question else PREP
            self.phase_started = self.app.clock()
            self.mic_problem = None
            self.query_one("#mic-problem", Static).update("Checking the microphone…")
            self.check_microphone()
            if self.state == ASKING:
                self.ask_aloud()
            self.tick()

        if self.state == RECORDING:
            self.app.push_screen(
                ConfirmDialog("Restart? This take will be discarded.", yes="Restart"), restart
            )
        elif self.state != STOPPING:
            restart()

    def on_unmount(self) -> None:
        if self.recorder is not None:  # the app is closing mid-take: keep what was recorded
            self._halt()
            self._drop_streamer()
