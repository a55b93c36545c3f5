"""Snapshots of each screen (pytest-textual-snapshot). Time is frozen through the app's clock,
the microphone check is given, and the review comes from a fixed analysis.json, so the pictures
only change when the screens do. Update with ``pytest --snapshot-update`` after checking them."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from textual.widgets import DataTable

from coach.audio.recorder import Recorder, SilenceSource
from coach.tui.app import CoachApp
from coach.tui.logic import session
from coach.tui.screens.practice import PracticeScreen
from coach.tui.screens.review import ReviewScreen
from coach.tui.widgets.level_meter import LevelMeter
from tests.test_tui_flow import wait_for
from tests.test_tui_history import failed_attempt, open_history, three_attempts, utc
from tests.test_tui_review import fixed_attempt, make_ctx

SIZE = (120, 36)
NO_MIC = (
    "no microphone found: connect one (or check the audio server is running), then try "
    "again; you can still analyse a recording file with 'coach analyze'"
)


class FrozenClock:
    """The app's clock, moved only by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def app_for(home: Path, *, mic: str | None = None, **kwargs) -> CoachApp:
    return CoachApp(
        make_ctx(home),
        transcriber_factory=lambda ctx: None,
        preflight=lambda ctx: mic,
        **kwargs,
    )


class TestHome:
    def test_home_lists_prompts_with_filters_and_footer(self, snap_compare, coach_home) -> None:
        """The library, filters, the microphone ready line and the key bindings."""
        assert snap_compare(app_for(coach_home), terminal_size=SIZE, press=["_"])

    def test_home_without_a_microphone(self, snap_compare, coach_home) -> None:
        """The microphone problem is explained, and what still works is said."""
        assert snap_compare(app_for(coach_home, mic=NO_MIC), terminal_size=SIZE, press=["_"])


class TestPractice:
    def test_preparation_countdown(self, snap_compare, coach_home) -> None:
        """The question in large text, the full preparation time, Space to start."""
        app = app_for(coach_home, start_prompt="btree-vs-hash", clock=FrozenClock())
        assert snap_compare(app, terminal_size=SIZE, press=["_"])

    def test_recording_near_the_end_turns_amber(self, snap_compare, coach_home) -> None:
        """Recording 1:50 into a 2:00 box: the timer is amber, the meter shows the level."""
        clock = FrozenClock()

        def silent_recorder(path: Path, **callbacks) -> Recorder:
            return Recorder(path, source=SilenceSource(0.5, realtime=False), **callbacks)

        app = app_for(
            coach_home, start_prompt="btree-vs-hash", clock=clock,
            recorder_factory=silent_recorder,
        )

        async def record(pilot) -> None:
            await pilot.press("space")
            screen = app.screen
            while not screen.recorder.done.is_set():
                await pilot.pause(0.05)
            await pilot.pause(0.3)
            clock.now += 110
            screen.query_one(LevelMeter).level = 0.6
            screen.tick()
            await pilot.pause()

        assert snap_compare(app, terminal_size=SIZE, run_before=record)

    def test_no_microphone_message(self, snap_compare, coach_home) -> None:
        """Practice with no microphone: what is wrong and what to do instead of a recording."""
        app = app_for(coach_home, mic=NO_MIC, start_prompt="btree-vs-hash", clock=FrozenClock())
        assert snap_compare(app, terminal_size=SIZE, press=["_"])


class TestReview:
    def test_review_of_a_fixed_analysis(self, snap_compare, coach_home) -> None:
        """Metric cards, highlighted transcript, key points, follow-ups, rating proposal."""
        ctx = make_ctx(coach_home)
        attempt, analysis = fixed_attempt(ctx)
        app = CoachApp(ctx, transcriber_factory=lambda c: None, preflight=lambda c: None)

        async def open_review(pilot) -> None:
            await app.push_screen(ReviewScreen(attempt, analysis, ctx.prompt("btree-vs-hash")))
            await pilot.pause()

        assert snap_compare(app, terminal_size=SIZE, run_before=open_review)


class TestHistory:
    def test_past_attempts_newest_first(self, snap_compare, coach_home) -> None:
        """Date, prompt, coloured state, duration, score, fillers/min and the follow-up mark;
        under the table, the highlighted (failed) attempt's id, error and what Enter does."""
        ctx = make_ctx(coach_home)
        three_attempts(ctx)
        failed_attempt(ctx, "2025-03-02T08:00:00+00:00")
        app = CoachApp(ctx, transcriber_factory=lambda c: None, preflight=lambda c: None)

        async def show_history(pilot) -> None:
            screen = await open_history(app, pilot)
            # DataTable sizes its columns when it next idles and redraws after that: on a loaded
            # machine the picture could be taken before, with every column cut to its header's
            # width ("2025" for "2025-03-02 08:00"). Wait until the screen itself shows a time.
            when = screen.query_one("#attempts", DataTable).ordered_columns[0]
            await wait_for(pilot, lambda: when.content_width >= len("2025-03-02 08:00"), 10)
            await wait_for(pilot, lambda: "08:00" in app.export_screenshot(), 10)

        with utc():
            assert snap_compare(app, terminal_size=SIZE, run_before=show_history)


class TestSelfRating:
    def test_how_did_that_go_before_the_score(self, snap_compare, coach_home) -> None:
        """Over the finished analysis (its score not shown): the question, the four grades
        with their keys, and how to skip."""
        from coach.tui.dialogs.self_rating import SelfRatingDialog
        from coach.tui.screens.processing import ProcessingScreen
        from tests.test_self_rating import take

        ctx = make_ctx(coach_home)
        attempt, prompt, transcript = take(ctx)
        app = CoachApp(ctx, transcriber_factory=lambda c: object(), preflight=lambda c: None)

        async def stop_an_answer(pilot) -> None:
            screen = ProcessingScreen(attempt, prompt, transcript, ask_self_rating=True)
            await app.push_screen(screen)
            await wait_for(pilot, lambda: screen.done is not None, 20)
            await wait_for(pilot, lambda: isinstance(app.screen, SelfRatingDialog), 10)
            await wait_for(pilot, lambda: "Skip" in app.export_screenshot(), 10)  # its footer

        assert snap_compare(app, terminal_size=SIZE, run_before=stop_an_answer)


class TestInterview:
    def test_a_follow_up_being_asked(self, snap_compare, coach_home, monkeypatch) -> None:
        """The interviewer's follow-up, large in a heavy frame, while it is read aloud: no
        countdown, the short time box named, recording to start once it has been asked."""
        monkeypatch.setattr(session, "speak_and_wait", lambda text: time.sleep(2))
        app = app_for(coach_home, clock=FrozenClock())
        app.ctx.settings = replace(app.ctx.settings, speak_prompt=True)

        async def ask(pilot) -> None:
            prompt = app.ctx.prompt("btree-vs-hash")
            app.push_screen(PracticeScreen(
                prompt, question="What happens to your range queries with a hash index?",
                interview=True, time_box=60, round_label="Question 1 of 3"))
            await pilot.pause()

        assert snap_compare(app, terminal_size=SIZE, run_before=ask)
