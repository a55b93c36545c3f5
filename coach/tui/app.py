"""The practice app: home -> practice -> processing -> review, over the coach's core.

``CoachApp`` owns what outlives a screen: the context (home, settings, library), the Whisper
model (loaded once in a background worker at start-up so the first answer does not wait for it),
the microphone check, and the factories tests replace (a recorder fed from a file instead of a
microphone; the session's model). Screens stay small and call plain functions in ``logic/``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.worker import Worker, WorkerState

from coach.config import save_setting
from coach.core.attempts import Attempt
from coach.core.doctor import HINT as DOCTOR_HINT
from coach.core.model import Prompt, Transcript
from coach.errors import CoachError
from coach.tui.commands import CoachCommands
from coach.tui.logic import session
from coach.tui.messages import ModelFailed, ModelLoaded, PreflightChecked
from coach.tui.screens.home import HomeScreen

if TYPE_CHECKING:
    from coach.cli.common import Context
    from coach.core.pitch import PitchTracker
    from coach.transcribe.whisper import Transcriber
    from coach.tui.logic.session import RecorderFactory, TranscriberFactory

Preflight = Callable[["Context"], "str | None"]


class CoachApp(App[None]):
    """Rehearse an answer aloud, get it analysed, review it."""

    CSS_PATH = "app.tcss"
    TITLE = "coach"
    SUB_TITLE = "rehearse interview answers aloud"
    COMMANDS = App.COMMANDS | {CoachCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    def __init__(
        self,
        ctx: Context,
        *,
        start_prompt: Prompt | str | None = None,
        recorder_factory: RecorderFactory | None = None,
        transcriber_factory: TranscriberFactory | None = None,
        preflight: Preflight | None = None,
        clock: Callable[[], float] | None = None,
        start_round: tuple[list[Prompt], str] | None = None,
    ) -> None:
        """``recorder_factory``: an injected recorder brings its own input, so the microphone
        check is skipped unless ``preflight`` is given too. ``clock`` drives the countdown and
        timer (a fixed clock makes snapshots deterministic). ``start_round``: (questions, level) of
        a mock interview to open on (``coach interview``)."""
        super().__init__()
        self.ctx = ctx
        if isinstance(start_prompt, str):
            start_prompt = ctx.prompt(start_prompt)
        self.start_prompt = start_prompt
        self.start_round = start_round
        self.recorder_factory = recorder_factory or session.mic_recorder_factory(ctx)
        self.transcriber_factory = transcriber_factory or session.load_model
        real_microphone = preflight is None and recorder_factory is None
        if preflight is None:
            preflight = session.preflight if recorder_factory is None else (lambda _ctx: None)
        self.preflight = preflight
        # Which device a saved name resolves to is asked of PortAudio only when the check is too.
        self.microphone_name: Callable[[Context], str | None] = (
            session.microphone_name if real_microphone else (lambda _ctx: None)
        )
        self.clock = clock or time.monotonic
        self.mic_problem: str | None = None
        self.mic_name: str | None = None  # the microphone in use, as PortAudio resolved it
        self.mic_checked = False
        self.transcriber: Transcriber | None = None
        self.model_error: str | None = None
        self._model_ready = threading.Event()

    def on_mount(self) -> None:
        self.push_screen(HomeScreen())
        self.load_model()
        self.check_microphone(fall_back=True)
        warnings = [*self.ctx.warnings, *self.ctx.library().warnings]
        for n, warning in enumerate(warnings, 1):
            hint = f"\n{DOCTOR_HINT}" if n == len(warnings) else ""
            self.notify(f"{warning}{hint}", severity="warning", timeout=10)
        if self.start_prompt is not None:
            self.practise(self.start_prompt)
        elif self.start_round is not None:
            self.interview(*self.start_round)

    # ------------------------------------------------------------------ background work

    @work(thread=True, exclusive=True, group="model", exit_on_error=False)
    def load_model(self) -> None:
        try:
            transcriber = self.transcriber_factory(self.ctx)
        except Exception as exc:  # CoachError for a bad model; anything else is shown too
            self.model_error = str(exc) or type(exc).__name__
            self._model_ready.set()
            self.post_message(ModelFailed(self.model_error))
            return
        self.transcriber = transcriber
        self._model_ready.set()
        self.post_message(ModelLoaded(transcriber))

    def wait_for_transcriber(self) -> Transcriber:
        """Block (in a worker thread) until the model is loaded; raise if it could not be."""
        self._model_ready.wait()
        if self.transcriber is None:
            raise CoachError(f"the speech model could not be loaded: {self.model_error}")
        return self.transcriber

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place unexpected worker failures surface (expected ones post messages)."""
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.notify(f"{event.worker.name or 'background task'} failed: {error}",
                        severity="error", timeout=15)

    def on_model_failed(self, message: ModelFailed) -> None:
        self.notify(f"Speech model: {message.error}\n{DOCTOR_HINT}", severity="error", timeout=15)

    @work(thread=True, exclusive=True, group="preflight", exit_on_error=False)
    def check_microphone(self, fall_back: bool = False) -> None:
        problem = self.microphone_problem(fall_back)
        name = None if problem else self.microphone_name(self.ctx)
        self.post_message(PreflightChecked(problem, name))

    def microphone_problem(self, fall_back: bool = False) -> str | None:
        """What stops recording from the chosen microphone (None: nothing); call in a thread.

        With ``fall_back`` (at start-up and on the practice screen), a microphone from
        config.toml that cannot be used (unplugged since it was chosen) gives way to the
        default input for this session, with a notice, instead of blocking every recording."""
        problem = self.preflight(self.ctx)
        device = self.ctx.settings.input_device
        if fall_back and problem is not None and device:
            default = replace(self.ctx, settings=replace(self.ctx.settings, input_device=""))
            if self.preflight(default) is None:
                self.call_from_thread(self._use_default_microphone, device, problem)
                return None
        return problem

    def _use_default_microphone(self, device: str, problem: str) -> None:
        if self.ctx.settings.input_device != device:
            return  # another check (start-up or the practice screen) has already switched
        self.ctx.settings = replace(self.ctx.settings, input_device="")
        self.notify(
            f"{problem}\nRecording from the default input instead (config.toml is unchanged); "
            "choose another microphone from the command palette (ctrl+p).",
            title=f"Saved microphone not available: {device}", severity="warning", timeout=20,
        )

    def on_preflight_checked(self, message: PreflightChecked) -> None:
        self.mic_problem, self.mic_checked = message.problem, True
        self.mic_name = message.microphone
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.show_mic(message.problem)

    # ------------------------------------------------------------------ navigation

    def practise(self, prompt: Prompt) -> None:
        from coach.tui.screens.practice import PracticeScreen

        self.push_screen(PracticeScreen(prompt))

    def interview(self, prompts: list[Prompt], level: str) -> None:
        """Start a mock interview round of ``prompts``."""
        from coach.tui.screens.interview import InterviewScreen

        self.push_screen(InterviewScreen(prompts, level))

    def analyse(
        self, attempt: Attempt | None, prompt: Prompt | None, transcript: Transcript | None = None,
        pitch_track: PitchTracker | None = None,
    ) -> None:
        """Replace the practice screen with processing; ``transcript`` was streamed while
        recording, ``pitch_track`` tracked with it (then only the analysis is left to do)."""
        from coach.tui.screens.processing import ProcessingScreen

        if attempt is None:
            self.pop_screen()
            return
        self.switch_screen(ProcessingScreen(attempt, prompt, transcript, pitch_track=pitch_track,
                                            ask_self_rating=True))

    @work(thread=True, exclusive=True, group="microphone", exit_on_error=False)
    def choose_microphone(self, device: str, name: str) -> None:
        """Record from ``device`` (the palette's index, listed as ``name``) from now on, and
        remember it in config.toml by a name: indexes change when devices come and go."""
        from coach.audio.devices import lasting_input_name

        setting = lasting_input_name(int(device), name) if device.isdigit() else device
        try:
            save_setting(self.ctx.home, "input_device", setting)
            not_saved = None
        except CoachError as exc:
            not_saved = str(exc)
        self.call_from_thread(self._use_microphone, setting, name, not_saved)

    def _use_microphone(self, setting: str, name: str, not_saved: str | None) -> None:
        self.ctx.settings = replace(self.ctx.settings, input_device=setting)
        self.recorder_factory = session.mic_recorder_factory(self.ctx)
        if not_saved is None:
            self.notify(f"Recording from: {name} (saved to config.toml)")
        else:
            self.notify(f"Recording from: {name} (this session only: {not_saved})",
                        severity="warning", timeout=15)
        self.check_microphone()

    # ------------------------------------------------------------------ palette actions

    def _open(self, path: Path) -> None:
        try:
            session.open_in_browser(path)
        except CoachError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"Opened {path}")

    def action_open_reports(self) -> None:
        self._open(self.ctx.home)

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def action_open_dashboard(self) -> None:
        try:
            path = session.write_dashboard(self.ctx)
        except (CoachError, OSError, ImportError) as exc:
            self.call_from_thread(self.notify, f"dashboard: {exc}", severity="error")
            return
        self.call_from_thread(self._open, path)

    def action_import_recording(self) -> None:
        from coach.tui.dialogs.path_input import PathDialog

        def chosen(value: str | None) -> None:
            if not value:
                return
            try:
                attempt = session.import_file(self.ctx, Path(value), None)
            except (CoachError, OSError) as exc:
                self.notify(str(exc), severity="error")
                return
            from coach.tui.screens.processing import ProcessingScreen

            self.push_screen(ProcessingScreen(attempt, None))

        self.push_screen(PathDialog("Analyse a recording file (any format ffmpeg reads)"), chosen)

    def action_review_last(self) -> None:
        from coach.tui.screens.review import ReviewScreen

        found = session.latest_analysed(self.ctx)
        if found is None:
            self.notify("No analysed attempt yet.")
            return
        attempt, analysis = found
        prompt = self.ctx.library().prompts.get(attempt.prompt_id or "")
        self.push_screen(ReviewScreen(attempt, analysis, prompt))
