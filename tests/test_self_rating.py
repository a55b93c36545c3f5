"""Honest self-assessment: the user's grade before the score, stored, shown and calibrated."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from coach.cli import main
from coach.core.attempts import iter_attempts, new_attempt
from coach.core.calibration import calibration
from coach.core.history import open_history, parse_self_rating
from coach.core.model import Transcript, Word
from coach.core.progress import render_dashboard
from coach.errors import CoachError
from coach.tui.app import CoachApp
from coach.tui.dialogs.self_rating import SelfRatingDialog
from coach.tui.screens.processing import ProcessingScreen
from coach.tui.screens.review import ReviewScreen
from tests.support import audio
from tests.support.audio import run_coach
from tests.test_tui_flow import reviewing
from tests.test_tui_review import SIZE, WORDS, fixed_attempt, make_ctx

answer_fixture = audio.answer_fixture


def test_keys_and_names_are_read_and_anything_else_is_refused() -> None:
    assert [parse_self_rating(k) for k in ("1", "2", "3", "4")] == [
        "again", "hard", "good", "easy"]
    assert parse_self_rating("Good") == "good"
    for bad in ("0", "5", "great", ""):
        with pytest.raises(CoachError, match="use 1-4"):
            parse_self_rating(bad)


def test_self_rating_is_stored_in_the_folder_the_history_and_the_export(
    coach_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = make_ctx(coach_home)
    attempt, _ = fixed_attempt(ctx)
    with open_history(coach_home) as history:
        assert history.set_self_rating(attempt.id, "4") == "easy"
        assert history.get(attempt.id)["self_rating"] == "easy"
    assert json.loads((attempt.path / "attempt.json").read_text())["self_rating"] == "easy"
    assert json.loads(attempt.analysis_path.read_text())["self_rating"] == "easy"
    assert main(["export", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["self_rating"] == "easy"
    assert main(["export", "--csv"]) == 0
    [csv_row] = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert csv_row["self_rating"] == "easy"
    # the folder is the source of truth: a rebuilt index keeps it
    assert main(["history", "--rebuild"]) == 0
    with open_history(coach_home) as history:
        assert history.get(attempt.id)["self_rating"] == "easy"


def rows(pillar: str, pairs: list[tuple[str, float]]) -> list[dict]:
    return [
        {"id": f"{pillar}-{n}", "prompt_id": f"{pillar}-p", "prompt_title": "t",
         "pillar": pillar, "started_at": f"2026-11-{n + 1:02d}T10:00:00+00:00",
         "score": score, "self_rating": mine}
        for n, (mine, score) in enumerate(pairs)
    ]


def test_calibration_says_which_way_and_by_how_much_per_pillar() -> None:
    # system design: "good" for answers that score as "hard" (45, 55) -> one grade higher;
    # coding: "hard" for an answer that scores "easy" (90) -> two grades lower
    data = rows("system-design", [("good", 45.0), ("good", 55.0), ("easy", 70.0)]) + rows(
        "coding", [("hard", 90.0), (None, 20.0)])
    views = {c["pillar"]: c for c in calibration(data)}
    assert views["system-design"]["count"] == 3
    assert views["system-design"]["mean"] == 1.0
    assert views["system-design"]["sentence"] == (
        "you rate your system-design answers about one grade higher than they score")
    assert views["coding"]["count"] == 1  # the attempt without a self-rating is left out
    assert views["coding"]["sentence"] == (
        "you rate your coding answers about two grades lower than they score")
    html = render_dashboard(data, generated_at="now")
    assert "You rate your system-design answers about one grade higher than they score" in html
    assert 'data-calibration="coding"' in html


def test_the_measured_grade_is_the_one_the_review_shows_from_the_content_score() -> None:
    # a "Needs work" total (49) is Again whatever the content (71): "good" is two grades high;
    # a total of 70 with content 90 is Good (Easy asks for the delivery too), as "good" said
    data = rows("behavioral", [("good", 49.0), ("good", 70.0)])
    data[0]["content"], data[1]["content"] = 71.0, 90.0
    [view] = calibration(data)
    assert [p["measured"] for p in view["points"]] == ["again", "good"]
    assert [p["gap"] for p in view["points"]] == [2, 0]


def test_no_self_ratings_no_calibration_section() -> None:
    html = render_dashboard(rows("coding", [(None, 50.0)]), generated_at="now")
    assert 'id="calibration"' not in html


def take(ctx) -> tuple:
    prompt = ctx.prompt("btree-vs-hash")
    attempt = new_attempt(ctx.home, prompt.id, state="analysing")
    transcript = Transcript(tuple(Word(t, s, e) for t, s, e in WORDS), 14.0,
                            ((0.0, 5.7), (7.8, 13.2)), "fixed")
    return attempt, prompt, transcript


async def wait(pilot, condition, seconds: float = 20.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the app never reached the expected state")


async def test_the_self_rating_is_asked_before_the_score_and_shown_beside_it(
    coach_home: Path,
) -> None:
    ctx = make_ctx(coach_home)
    attempt, prompt, transcript = take(ctx)
    app = CoachApp(ctx, transcriber_factory=lambda c: object(), preflight=lambda c: None)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ProcessingScreen(attempt, prompt, transcript,
                                               ask_self_rating=True))
        await wait(pilot, lambda: isinstance(app.screen, SelfRatingDialog))
        processing = app.screen_stack[-2]
        await wait(pilot, lambda: processing.done is not None)  # analysed behind the dialog
        await pilot.pause(0.2)
        assert isinstance(app.screen, SelfRatingDialog)  # no score until the user answers
        assert not any(isinstance(s, ReviewScreen) for s in app.screen_stack)
        await pilot.press("3")
        await wait(pilot, lambda: reviewing(app))
        review = app.screen
        status = str(review.query_one("#status").render())
        measured = review.analysis.score["total"]
        assert "You said: Good, measured:" in status, status
        assert review.analysis.self_rating == "good" and measured is not None
    assert json.loads((attempt.path / "attempt.json").read_text())["self_rating"] == "good"
    assert json.loads(attempt.analysis_path.read_text())["self_rating"] == "good"
    with open_history(coach_home) as history:
        assert history.get(attempt.id)["self_rating"] == "good"


async def test_skipping_the_self_rating_stores_none(coach_home: Path) -> None:
    ctx = make_ctx(coach_home)
    attempt, prompt, transcript = take(ctx)
    app = CoachApp(ctx, transcriber_factory=lambda c: object(), preflight=lambda c: None)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ProcessingScreen(attempt, prompt, transcript,
                                               ask_self_rating=True))
        await wait(pilot, lambda: isinstance(app.screen, SelfRatingDialog))
        await pilot.press("s")
        await wait(pilot, lambda: isinstance(app.screen, ReviewScreen))
        assert "You said" not in str(app.screen.query_one("#status").render())
    assert json.loads((attempt.path / "attempt.json").read_text())["self_rating"] is None


def test_record_with_a_bad_self_rating_is_refused_before_recording(
    coach_home: Path, tmp_path: Path
) -> None:
    result = run_coach("record", "--file", str(tmp_path / "none.wav"), "--self-rating", "7")
    assert result.returncode == 1
    assert "coach: error: unknown self-rating '7'" in result.stderr
    assert iter_attempts(coach_home) == []


@pytest.mark.slow
def test_record_self_rating_is_stored_and_printed_beside_the_measured_grade(
    answer: Path, coach_home: Path
) -> None:
    result = run_coach("record", "--prompt", "btree-vs-hash", "--file", str(answer),
                       "--seconds", "3", "--fast", "--self-rating", "4")
    assert result.returncode == 0, result.stderr
    assert "you rated  Easy; the score says" in result.stdout
    [attempt] = iter_attempts(coach_home)
    assert attempt.self_rating == "easy"
    assert json.loads(attempt.analysis_path.read_text())["self_rating"] == "easy"
