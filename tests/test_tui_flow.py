"""The practice loop driven as a user would, with Pilot: real synthetic speech through the real
recorder (a FileSource instead of a microphone), the real Whisper model, the real pipeline."""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select

from coach.audio.recorder import FileSource, Recorder
from coach.cli.common import Context, open_context
from coach.core.attempts import iter_attempts
from coach.tui.app import CoachApp
from coach.tui.dialogs.confirm import ConfirmDialog
from coach.tui.dialogs.self_rating import SelfRatingDialog
from coach.tui.screens.home import HomeScreen
from coach.tui.screens.practice import RECORDING, PracticeScreen
from coach.tui.screens.review import ReviewScreen
from coach.tui.widgets.cards import MetricCard
from coach.tui.widgets.transcript import TranscriptView

SIZE = (120, 36)


def make_ctx(home: Path, **settings: object) -> Context:
    ctx = open_context(argparse.Namespace(home=str(home), prompts_dir=None))
    ctx.settings = replace(ctx.settings, speak_prompt=False, **settings)
    return ctx


def file_recorder(audio: Path):
    """A recorder whose input is a file of real speech instead of a microphone.

    The file is read faster than real time; when the app streams the transcription, the
    writer waits whenever the streamer falls behind, so chunks are cut as they would be live.
    """

    def build(path: Path, **callbacks) -> Recorder:
        streamer = callbacks.pop("on_block", None)

        def paced(block, start_s: float) -> None:
            streamer(block, start_s)
            while streamer.lag_s > 0.5 and not streamer.gave_up:
                time.sleep(0.01)

        on_block = paced if streamer is not None else None
        return Recorder(
            path, source=FileSource(audio, realtime=False), on_block=on_block, **callbacks
        )

    return build


def reviewing(app: CoachApp) -> bool:
    """The review screen is on, composed and mounted (its status line is filled)."""
    screen = app.screen
    if not isinstance(screen, ReviewScreen) or not screen.query("#status"):
        return False
    return bool(str(screen.query_one("#status").render()))


async def wait_for(pilot, condition, seconds: float = 120.0) -> None:
    """Let the app run until ``condition()`` holds (workers report back by messages)."""
    for _ in range(int(seconds / 0.1)):
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError("the app never reached the expected state")


@pytest.mark.slow
async def test_whole_practice_loop(coach_home: Path, speak, transcriber) -> None:
    answer = speak(
        "tui-btree-answer",
        ["I would pick a B-tree index, because range scans need the keys in sorted order.",
         0.8, "Um, a hash index only gives constant time equality lookups."],
    )
    app = CoachApp(
        make_ctx(coach_home),
        recorder_factory=file_recorder(answer),
        transcriber_factory=lambda ctx: transcriber,
    )
    async with app.run_test(size=SIZE) as pilot:
        home = app.screen
        assert isinstance(home, HomeScreen)
        # filter: system design prompts mentioning "hash"
        home.query_one("#pillar", Select).value = "system-design"
        await pilot.click("#search")
        await pilot.press(*"hash index")
        await pilot.press("enter")  # back to the list
        await pilot.pause()
        shown = [p.id for p in home.shown]
        assert "btree-vs-hash" in shown
        assert all(p.pillar == "system-design" for p in home.shown)
        table = home.query_one("#prompts", DataTable)
        table.move_cursor(row=shown.index("btree-vs-hash"))
        await pilot.press("enter")
        practice = app.screen
        assert isinstance(practice, PracticeScreen)
        assert practice.prompt.id == "btree-vs-hash"
        assert "Prepare" in str(practice.query_one("#phase").render())

        await pilot.press("space")  # skip the preparation
        assert practice.state == RECORDING
        await wait_for(pilot, lambda: practice.recorder.done.is_set())
        await pilot.press("space")  # stop
        # before any score: how did it go? (the analysis runs behind the question)
        await wait_for(pilot, lambda: isinstance(app.screen, SelfRatingDialog), 30)
        await pilot.press("3")
        await wait_for(pilot, lambda: reviewing(app))

        review = app.screen
        assert "You said: Good" in str(review.query_one("#status").render())
        words = " ".join(t.text.lower() for t in review.query_one(TranscriptView).tokens)
        for expected in ("tree", "range", "sorted", "hash", "equality"):
            assert expected in words
        assert any(t.marker for t in review.query_one(TranscriptView).tokens)  # "because"
        titles = {str(c.render()).split("\n")[0] for c in review.query(MetricCard)}
        assert {"Score", "Pace", "Fillers", "Reasoning", "Key points"} <= titles
        attempt = review.attempt
        saved = json.loads((Path(attempt.folder) / "analysis.json").read_text())
        assert saved["prompt_id"] == "btree-vs-hash"
        assert (Path(attempt.folder) / "report.html").is_file()

        await pilot.press("a")  # accept the proposed rating
        await wait_for(pilot, lambda: review.rated is not None)
        stored = json.loads((Path(attempt.folder) / "attempt.json").read_text())
        assert stored["rating"] == review.rated
        assert stored["self_rating"] == "good"

        await pilot.press("f")  # answer the first follow-up right away
        follow = app.screen
        assert isinstance(follow, PracticeScreen)
        assert follow.follows is not None and follow.follows.id == attempt.id
        assert follow.question == follow.prompt.follow_ups[0]
        await pilot.press("escape")  # nothing recorded yet: leaves without asking
        home = app.screen
        assert isinstance(home, HomeScreen)
        # with a history, what the scheduler suggests comes first; the rated prompt is not due
        await wait_for(pilot, lambda: bool(home.marks), 30)
        assert "btree-vs-hash" not in home.marks
        home.action_clear_filters()
        await pilot.pause()
        suggested = [p.id for p in home.shown if p.id in home.marks]
        assert suggested and [p.id for p in home.shown[: len(suggested)]] == suggested
    # the analysed attempt is kept; the abandoned follow-up left nothing behind
    assert [a.id for a in iter_attempts(coach_home)] == [attempt.id]


def short_answer_app(coach_home: Path, speak) -> CoachApp:
    """The practice screen of one prompt, recording a short real answer, with no model."""
    answer = speak("tui-short", ["A short answer about caching."])
    return CoachApp(
        make_ctx(coach_home),
        start_prompt="caching-strategies",
        recorder_factory=file_recorder(answer),
        transcriber_factory=lambda ctx: None,
    )


@pytest.mark.slow
async def test_cancel_asks_before_discarding(coach_home: Path, speak) -> None:
    app = short_answer_app(coach_home, speak)
    async with app.run_test(size=SIZE) as pilot:
        practice = app.screen
        assert isinstance(practice, PracticeScreen)
        await pilot.press("space")
        await wait_for(pilot, lambda: practice.recorder.done.is_set())
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # keep recording
        assert app.screen is practice and practice.state == RECORDING
        assert len(iter_attempts(coach_home)) == 1
        await pilot.press("escape")
        await pilot.press("y")  # discard
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert iter_attempts(coach_home) == []


@pytest.mark.slow
async def test_without_a_microphone_browsing_still_works(coach_home: Path) -> None:
    """The real microphone check, against a device that does not exist."""
    app = CoachApp(
        make_ctx(coach_home, input_device="no-such-microphone-xyz"),
        transcriber_factory=lambda ctx: None,
    )
    async with app.run_test(size=SIZE) as pilot:
        home = app.screen
        await wait_for(pilot, lambda: app.mic_checked, 30)
        status = str(home.query_one("#mic-status").render())
        assert "Microphone problem" in status
        assert "still browse" in status
        assert "Run 'coach doctor' to check everything the coach needs." in status
        # browsing still works
        home.query_one("#level", Select).value = "staff"
        await pilot.pause()
        assert home.shown and all(p.level == "staff" for p in home.shown)
        await pilot.press("enter")
        practice = app.screen
        assert isinstance(practice, PracticeScreen)
        await wait_for(pilot, lambda: practice.mic_problem is not None, 30)
        assert "Cannot record" in str(practice.query_one("#mic-problem").render())
        await pilot.press("space")  # nothing to record with: nothing happens
        assert practice.recorder is None
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
    assert iter_attempts(coach_home) == []


async def test_end_and_home_go_to_the_last_and_first_prompt(coach_home: Path) -> None:
    app = CoachApp(make_ctx(coach_home), transcriber_factory=lambda ctx: None,
                   preflight=lambda ctx: None)
    async with app.run_test(size=SIZE) as pilot:
        home = app.screen
        table = home.query_one("#prompts", DataTable)
        assert table.row_count == len(home.shown) > 20 and table.max_scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == table.row_count - 1 and table.scroll_y == table.max_scroll_y
        await pilot.press("home")
        await pilot.pause()
        assert table.cursor_row == 0 and table.scroll_y == 0


def test_every_table_in_the_app_has_home_and_end_on_rows() -> None:
    """A plain DataTable gives Home/End to columns; the app's tables are lists of rows."""
    plain = [str(path) for path in Path("coach/tui").rglob("*.py")
             if "DataTable(" in path.read_text(encoding="utf-8")
             and path.name != "table.py"]
    assert plain == [], "use coach.tui.widgets.table.RowTable"


@pytest.mark.slow
async def test_import_a_recording_from_the_command_palette(
    coach_home: Path, speak, transcriber
) -> None:
    """No microphone needed: the palette imports a file, which is analysed and reviewed."""
    audio = speak("tui-import", ["Caching helps because reads are far more frequent than writes."])
    app = CoachApp(
        make_ctx(coach_home, input_device="no-such-microphone-xyz"),
        transcriber_factory=lambda ctx: transcriber,
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"import a recording")
        await wait_for(pilot, lambda: "Import" in str(app.screen.query("CommandList").first()
                                                         .get_option_at_index(0).prompt), 10)
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "PathDialog", 10)
        await pilot.press(*str(audio))
        await pilot.press("enter")
        await wait_for(pilot, lambda: reviewing(app))
        review = app.screen
        words = " ".join(t.text.lower() for t in review.query_one(TranscriptView).tokens)
        assert "because" in words and "frequent" in words
        assert review.prompt is None
        assert "Free recording" in str(review.query_one("#status").render())
    (attempt,) = iter_attempts(coach_home)
    assert attempt.source == "import" and attempt.state == "analysed"
    assert Path(attempt.source_audio) == audio.resolve()


@pytest.mark.slow
async def test_restart_discards_the_take_after_asking(coach_home: Path, speak) -> None:
    app = short_answer_app(coach_home, speak)
    async with app.run_test(size=SIZE) as pilot:
        practice = app.screen
        await pilot.press("space")
        first = practice.attempt
        await wait_for(pilot, lambda: practice.recorder.done.is_set())
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is practice
        assert "Prepare" in str(practice.query_one("#phase").render())  # a fresh take
        assert not Path(first.folder).exists()
        await pilot.press("space")
        assert practice.state == RECORDING and practice.attempt is not first
        await wait_for(pilot, lambda: practice.recorder.done.is_set())
    (kept,) = iter_attempts(coach_home)
    assert kept.id == practice.attempt.id


async def test_a_model_that_cannot_load_points_to_coach_doctor(coach_home: Path) -> None:
    """The start-up problem says what failed and where to look next."""
    from coach.errors import CoachError

    def no_model(ctx: Context):
        raise CoachError("model folder not found: /nowhere")

    app = CoachApp(make_ctx(coach_home), transcriber_factory=no_model, preflight=lambda c: None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.model_error is not None, 30)
        await pilot.pause()
        shown = [n.message for n in app._notifications]
    assert any("Speech model: model folder not found: /nowhere" in m
               and "Run 'coach doctor'" in m for m in shown), shown
