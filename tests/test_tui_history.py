"""The history screen, driven with Pilot over attempts built from a hand-written transcript (no
model): newest first, Enter reviews the selected one, ``d`` deletes after asking (folder and
database row), an empty or damaged history is explained instead of crashing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from textual.widgets import DataTable

from coach.cli.common import Context
from coach.core.attempts import Attempt, save_attempt
from coach.core.history import History
from coach.core.model import Transcript, Word
from coach.paths import attempts_dir, database_path
from coach.pipeline import finish_analysis, index_attempt, save_transcript
from coach.tui.app import CoachApp
from coach.tui.dialogs.confirm import ConfirmDialog
from coach.tui.screens.history import HistoryScreen
from coach.tui.screens.home import HomeScreen
from coach.tui.screens.review import ReviewScreen
from tests.test_history import make_attempt
from tests.test_tui_flow import reviewing, wait_for
from tests.test_tui_review import WORDS, make_ctx

SIZE = (120, 36)


@contextmanager
def utc() -> Iterator[None]:
    """Show local times as UTC, so the dates on screen do not depend on the machine."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def _folder(ctx: Context, started_at: str, prompt_id: str | None) -> tuple[str, Path]:
    """An attempt id named after its start, as ``new_attempt`` names them, and its folder."""
    attempt_id = f"{started_at[:19].replace('-', '').replace(':', '').replace('T', '-')}-" \
                 f"{prompt_id or 'free'}"
    folder = attempts_dir(ctx.home) / attempt_id
    folder.mkdir(parents=True)
    return attempt_id, folder


def analysed_attempt(
    ctx: Context,
    started_at: str,
    prompt_id: str | None = "btree-vs-hash",
    *,
    follows: str | None = None,
    question: str | None = None,
    silent: bool = False,
) -> Attempt:
    """An attempt started at a fixed time, analysed from the review tests' transcript (or,
    ``silent``, from a take with no speech) through the real pipeline (analysis.json, report,
    database row)."""
    attempt_id, folder = _folder(ctx, started_at, prompt_id)
    attempt = save_attempt(Attempt(
        id=attempt_id, folder=str(folder), prompt_id=prompt_id, started_at=started_at,
        state="analysing", follows=follows, follow_up_question=question,
    ))
    transcript = Transcript(
        tuple(Word(t, s, e) for t, s, e in WORDS), 14.0, ((0.0, 5.7), (7.8, 13.2)), "fixed"
    ) if not silent else Transcript((), 9.0, (), "fixed", no_speech=True)
    save_transcript(attempt, transcript)
    return finish_analysis(ctx, attempt, ctx.prompt(prompt_id), transcript)[0]


def failed_attempt(ctx: Context, started_at: str, recording: Path | None = None) -> Attempt:
    """An imported recording whose analysis failed (its recording copied in, if given)."""
    attempt_id, folder = _folder(ctx, started_at, "btree-vs-hash")
    name = f"recording{recording.suffix}" if recording else "recording.wav"
    if recording is not None:
        shutil.copyfile(recording, folder / name)
    attempt = save_attempt(Attempt(
        id=attempt_id, folder=str(folder), prompt_id="btree-vs-hash", started_at=started_at,
        state="failed", source="import", recording=name, error="the speech model was missing",
    ))
    index_attempt(ctx, attempt, None)
    return attempt


def three_attempts(ctx: Context) -> list[Attempt]:
    """Oldest first: a B-tree answer, a free recording, then a follow-up of the first."""
    first = analysed_attempt(ctx, "2025-03-01T09:00:00+00:00")
    free = analysed_attempt(ctx, "2025-03-01T10:00:00+00:00", None)
    follow = analysed_attempt(
        ctx, "2025-03-01T11:30:00+00:00", follows=first.id,
        question="What if the write rate grows 100x?",
    )
    return [first, free, follow]


def app_for(ctx: Context, **kwargs) -> CoachApp:
    return CoachApp(ctx, transcriber_factory=lambda c: None, preflight=lambda c: None, **kwargs)


async def open_history(app: CoachApp, pilot) -> HistoryScreen:
    """Press ``h`` on the home screen and wait for the list to be read."""
    await pilot.press("h")
    screen = app.screen
    assert isinstance(screen, HistoryScreen)
    await wait_for(pilot, lambda: screen.loaded, 10)
    return screen


def rows(screen: HistoryScreen) -> list[list[str]]:
    table = screen.query_one("#attempts", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def test_lists_newest_first_and_enter_reviews_the_selected_one(coach_home: Path) -> None:
    ctx = make_ctx(coach_home)
    _, free, _ = three_attempts(ctx)
    with utc():
        async with app_for(ctx).run_test(size=SIZE) as pilot:
            screen = await open_history(pilot.app, pilot)
            shown = rows(screen)
            assert [row[0] for row in shown] == [
                "2025-03-01 11:30", "2025-03-01 10:00", "2025-03-01 09:00"
            ]
            assert [row[1] for row in shown] == [
                "B-tree or hash index?", "free recording", "B-tree or hash index?"
            ]
            assert all(row[2] == "analysed" for row in shown)
            assert [row[6] for row in shown] == ["yes", "", ""]
            assert shown[0][3] == "0:14" and shown[0][4].isdigit()
            assert "3 attempts, newest first" in text_of(screen, "#history-status")
            assert "follow-up: What if the write rate grows 100x?" in text_of(
                screen, "#history-detail"
            )

            await pilot.press("down", "enter")
            review = pilot.app.screen
            assert isinstance(review, ReviewScreen)
            await wait_for(pilot, lambda: reviewing(pilot.app), 10)
            assert review.attempt.id == free.id
            assert "Free recording" in text_of(review, "#review-title")

            await pilot.press("escape")
            assert pilot.app.screen is screen
            await pilot.press("escape")
            assert isinstance(pilot.app.screen, HomeScreen)


async def test_delete_asks_first_then_removes_folder_and_row(coach_home: Path) -> None:
    ctx = make_ctx(coach_home)
    first, free, follow = three_attempts(ctx)
    async with app_for(ctx).run_test(size=SIZE) as pilot:
        screen = await open_history(pilot.app, pilot)
        await pilot.press("down")  # the free recording
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), 10)
        assert "free recording" in text_of(pilot.app.screen, "#dialog-question")
        await pilot.press("n")
        await wait_for(pilot, lambda: pilot.app.screen is screen, 10)
        assert len(rows(screen)) == 3 and free.path.is_dir()

        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), 10)
        await pilot.press("y")
        await wait_for(pilot, lambda: len(rows(screen)) == 2, 10)
        assert [row[1] for row in rows(screen)] == ["B-tree or hash index?"] * 2
        assert screen.current is not None and screen.current.id == first.id  # the next one down
    assert not free.path.exists()
    with History(database_path(coach_home)) as history:
        assert history.get(free.id) is None
        assert {row["id"] for row in history.list_attempts()} == {first.id, follow.id}


async def test_empty_history_says_what_to_do(coach_home: Path) -> None:
    async with app_for(make_ctx(coach_home)).run_test(size=SIZE) as pilot:
        screen = await open_history(pilot.app, pilot)
        assert rows(screen) == []
        assert "No attempts yet" in text_of(screen, "#history-status")
        await pilot.press("enter", "d")  # nothing selected: nothing happens
        assert pilot.app.screen is screen
    assert not database_path(coach_home).exists()  # looking does not create the database


async def test_damaged_database_is_said_and_attempts_still_listed(coach_home: Path) -> None:
    ctx = make_ctx(coach_home)
    three_attempts(ctx)
    database_path(coach_home).write_bytes(b"this is not a database" * 100)
    async with app_for(ctx).run_test(size=SIZE) as pilot:
        screen = await open_history(pilot.app, pilot)
        status = text_of(screen, "#history-status")
        assert "damaged" in status and "coach history --rebuild" in status
        shown = rows(screen)
        assert len(shown) == 3
        assert all(row[4].isdigit() for row in shown)  # scores read from analysis.json
        await pilot.press("enter")
        await wait_for(pilot, lambda: reviewing(pilot.app), 10)


async def test_attempt_without_analysis_or_recording_is_explained(coach_home: Path) -> None:
    ctx = make_ctx(coach_home)
    failed_attempt(ctx, "2025-03-02T08:00:00+00:00")
    async with app_for(ctx).run_test(size=SIZE) as pilot:
        screen = await open_history(pilot.app, pilot)
        assert rows(screen)[0][2] == "failed"
        detail = text_of(screen, "#history-detail")
        assert "error: the speech model was missing" in detail
        assert "no analysis to review" in detail
        await pilot.press("enter")
        assert pilot.app.screen is screen


async def test_a_take_with_no_speech_is_listed_as_no_speech_not_as_0(coach_home: Path) -> None:
    ctx = make_ctx(coach_home)
    spoken = analysed_attempt(ctx, "2025-03-01T09:00:00+00:00")
    analysed_attempt(ctx, "2025-03-01T10:00:00+00:00", silent=True)
    analysed_attempt(ctx, "2025-03-01T11:00:00+00:00", follows=spoken.id,
                     question="What if the write rate grows 100x?", silent=True)
    with utc():
        for database in ("indexed", "deleted"):  # the row, else the folder's analysis.json
            if database == "deleted":
                database_path(coach_home).unlink()
            async with app_for(ctx).run_test(size=SIZE) as pilot:
                screen = await open_history(pilot.app, pilot)
                shown = rows(screen)
                assert [row[4:6] for row in shown] == [
                    ["no speech", "-"], ["no speech", "-"], [shown[2][4], shown[2][5]]]
                assert shown[2][4].isdigit() and shown[2][4] != "0"
                assert "no speech found in the recording" in text_of(screen, "#history-detail")
                await pilot.press("enter")  # it still opens, and its chain says no speech
                await wait_for(pilot, lambda: reviewing(pilot.app), 10)
                chain = text_of(pilot.app.screen, "#chain")
                assert "follow-up: What if the write rate grows 100x?  · no speech" in chain
                assert "first answer  · " + shown[2][4] in chain


async def test_end_goes_to_the_last_attempt_and_home_back_to_the_first(coach_home: Path) -> None:
    ctx = make_ctx(coach_home)
    with History(database_path(coach_home)) as db:
        ids = [make_attempt(coach_home, history=db,
                            started_at=f"2025-03-01T{9 + n // 60:02d}:{n % 60:02d}:00+00:00").id
               for n in range(80)]  # far more rows than the screen holds
    with utc():
        async with app_for(ctx).run_test(size=SIZE) as pilot:
            screen = await open_history(pilot.app, pilot)
            table = screen.query_one("#attempts", DataTable)
            assert table.max_scroll_y > 0 and table.cursor_row == 0
            await pilot.press("end")
            await pilot.pause()
            assert table.cursor_row == 79 and table.scroll_y == table.max_scroll_y
            assert screen.current is not None and screen.current.id == ids[0]  # the oldest
            assert ids[0] in text_of(screen, "#history-detail")
            assert rows(screen)[79][0] == "2025-03-01 09:00"
            await pilot.press("home")
            await pilot.pause()
            assert table.cursor_row == 0 and table.scroll_y == 0
            assert screen.current is not None and screen.current.id == ids[-1]


def first_command(app: CoachApp) -> str:
    """The palette's top match ("" while it is still searching)."""
    found = app.screen.query("CommandList")
    if not found or not found.first().option_count:
        return ""
    return str(found.first().get_option_at_index(0).prompt)


async def test_command_palette_opens_the_history(coach_home: Path) -> None:
    ctx = make_ctx(coach_home)
    three_attempts(ctx)
    async with app_for(ctx).run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"past attempts")
        await wait_for(pilot, lambda: "Browse past attempts" in first_command(pilot.app), 10)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen), 10)
        await wait_for(pilot, lambda: len(rows(pilot.app.screen)) == 3, 10)


@pytest.mark.slow
async def test_failed_attempt_with_its_recording_is_analysed_again(
    coach_home: Path, shared_audio: Path, transcriber
) -> None:
    ctx = make_ctx(coach_home)
    attempt = failed_attempt(ctx, "2025-03-02T08:00:00+00:00", shared_audio / "jfk.flac")
    app = CoachApp(ctx, transcriber_factory=lambda c: transcriber, preflight=lambda c: None)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(app, pilot)
        assert "Enter analyses its recording" in text_of(screen, "#history-detail")
        await pilot.press("enter")
        await wait_for(pilot, lambda: reviewing(app), 60)
        assert app.screen.attempt.id == attempt.id
        assert "country" in app.screen.analysis.transcript
        await pilot.press("escape")
        assert app.screen is screen
        await wait_for(pilot, lambda: rows(screen)[0][2] == "analysed", 10)


def test_history_logic_does_not_import_textual() -> None:
    """The list and the deletion stay usable without Textual (as the other logic modules)."""
    code = "import sys, coach.tui.logic.history; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
