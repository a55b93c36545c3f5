"""The review screen over a fixed analysis (no model): corrections rewrite the analysis."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from coach.audio.player import Player
from coach.cli.common import Context, open_context
from coach.core.attempts import Attempt, new_attempt, update_attempt
from coach.core.model import Analysis, Transcript, Word
from coach.pipeline import finish_analysis, save_transcript
from coach.tui.app import CoachApp
from coach.tui.screens.review import ReviewScreen
from coach.tui.widgets.transcript import TranscriptView
from tests.support.encode import write_wav

SIZE = (120, 36)

WORDS = [
    ("So", 0.0, 0.3), ("um,", 0.6, 0.9), ("I", 1.2, 1.3), ("would", 1.3, 1.5),
    ("pick", 1.5, 1.8), ("a", 1.8, 1.9), ("B-tree", 1.9, 2.4), ("index", 2.4, 2.8),
    ("because", 3.0, 3.4), ("range", 3.5, 3.8), ("scans", 3.8, 4.2), ("need", 4.2, 4.4),
    ("the", 4.4, 4.5), ("keys", 4.5, 4.8), ("in", 4.8, 4.9), ("sorted", 4.9, 5.3),
    ("order.", 5.3, 5.7), ("Uh,", 7.8, 8.1), ("a", 8.3, 8.4), ("hash", 8.4, 8.7),
    ("index", 8.7, 9.0), ("is", 9.0, 9.1), ("constant", 9.1, 9.5), ("time,", 9.5, 9.8),
    ("like,", 10.0, 10.3), ("for", 10.4, 10.5), ("equality", 10.5, 11.0),
    ("lookups,", 11.0, 11.5), ("so", 11.7, 11.9), ("the", 11.9, 12.0),
    ("trade-off", 12.0, 12.5), ("is", 12.5, 12.6), ("ordering.", 12.6, 13.2),
]


def make_ctx(home: Path) -> Context:
    ctx = open_context(argparse.Namespace(home=str(home), prompts_dir=None))
    ctx.settings = replace(ctx.settings, speak_prompt=False)
    return ctx


def fixed_attempt(
    ctx: Context, words: list[tuple[str, float, float]] = WORDS
) -> tuple[Attempt, Analysis]:
    """An analysed attempt of btree-vs-hash from a hand-written transcript, read back from
    its analysis.json exactly as a past attempt would be."""
    prompt = ctx.prompt("btree-vs-hash")
    attempt = new_attempt(ctx.home, prompt.id, state="analysing")
    end = words[-1][2]
    regions = ((0.0, 5.7), (7.8, 13.2)) if words is WORDS else ((0.0, end),)
    transcript = Transcript(
        tuple(Word(t, s, e) for t, s, e in words), end + 0.8, regions, "fixed"
    )
    save_transcript(attempt, transcript)
    attempt, _ = finish_analysis(ctx, attempt, prompt, transcript)
    data = json.loads(attempt.analysis_path.read_text())
    return update_attempt(attempt), Analysis.from_dict(data)


def review_app(ctx: Context) -> tuple[CoachApp, Attempt, Analysis]:
    attempt, analysis = fixed_attempt(ctx)
    app = CoachApp(ctx, transcriber_factory=lambda c: None, preflight=lambda c: None)
    return app, attempt, analysis


async def test_marking_a_word_not_a_filler_rewrites_the_analysis(coach_home: Path) -> None:
    ctx = make_ctx(coach_home)
    app, attempt, analysis = review_app(ctx)
    before = len(analysis.fillers)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ReviewScreen(attempt, analysis, ctx.prompt("btree-vs-hash")))
        screen = app.screen
        view = screen.query_one(TranscriptView)
        assert view.tokens[1].filler  # "um"
        await pilot.press("right")  # select "um,"
        assert view.selected == 1
        await pilot.press("x")
        for _ in range(100):
            if screen.analysis is not analysis:
                break
            await pilot.pause(0.05)
        assert not view.tokens[1].filler
        assert view.tokens[1].corrected
    saved = json.loads(attempt.analysis_path.read_text())
    assert len(saved["fillers"]) == before - 1
    assert saved["extra"]["corrections"][0]["word_index"] == 1
    assert "um" not in [f["text"].strip(",") for f in saved["fillers"]]


async def test_replay_problem_is_shown_and_review_stays_usable(coach_home: Path) -> None:
    """A recording that cannot be played (here: its file is gone) is explained in the status
    line instead of crashing; rating and navigation still work."""
    ctx = make_ctx(coach_home)
    app, attempt, analysis = review_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ReviewScreen(attempt, analysis, ctx.prompt("btree-vs-hash")))
        screen = app.screen
        assert "Proposed rating" in str(screen.query_one("#status").render())
        await pilot.press("p")
        await pilot.pause()
        status = str(screen.query_one("#status").render())
        assert "replay unavailable: recording not found" in status
        await pilot.press("3")  # rate it Good
        for _ in range(100):
            if screen.rated:
                break
            await pilot.pause(0.05)
        assert screen.rated == "good"
        assert json.loads((attempt.path / "attempt.json").read_text())["rating"] == "good"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen


def test_dashboard_command_writes_the_progress_page(coach_home: Path) -> None:
    """What the palette's "Open the progress dashboard" writes before opening it."""
    from coach.tui.logic.session import latest_analysed, write_dashboard

    ctx = make_ctx(coach_home)
    attempt, _ = fixed_attempt(ctx)
    path = write_dashboard(ctx)
    assert path == coach_home / "index.html"
    assert "B-tree or hash index?" in path.read_text()
    found = latest_analysed(ctx)  # "Review the last attempt"
    assert found is not None and found[0].id == attempt.id


# ---------------------------------------------------------------- the transcript follows replay

LONG = [(f"w{i:03d}", i * 0.5, i * 0.5 + 0.4) for i in range(300)]  # 2.5 minutes of words
SMALL = (80, 24)


def on_screen(app: CoachApp, word: str) -> bool:
    """The word is drawn on the terminal (not just somewhere in the scrolled-away text)."""
    return word in app.export_screenshot()


def at_word(index: int) -> float:
    return LONG[index][1] + 0.1


async def open_long_review(app: CoachApp, pilot) -> ReviewScreen:
    """A review of a 300-word answer in a small terminal, settled (focus scrolls the pane)."""
    ctx = app.ctx
    attempt, analysis = fixed_attempt(ctx, LONG)
    await app.push_screen(ReviewScreen(attempt, analysis, ctx.prompt("btree-vs-hash")))
    await pilot.pause()
    await pilot.wait_for_animation()
    return app.screen  # type: ignore[return-value]


async def test_the_playing_word_stays_in_view(coach_home: Path) -> None:
    ctx = make_ctx(coach_home)
    app = CoachApp(ctx, transcriber_factory=lambda c: None, preflight=lambda c: None)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_long_review(app, pilot)
        pane = screen.query_one("#transcript-pane")
        assert on_screen(app, "w000") and not on_screen(app, "w250")
        top = pane.scroll_offset.y
        screen.at_position(at_word(10))  # already in view: nothing moves
        await pilot.pause()
        assert on_screen(app, "w010") and pane.scroll_offset.y == top
        screen.at_position(at_word(250))  # as replay reports its position
        await pilot.pause()
        assert screen.query_one(TranscriptView).playing == 250
        assert pane.scroll_offset.y > 0 and on_screen(app, "w250")
        await pilot.press("tab", "shift+tab")  # focus elsewhere and back (focus scrolls)
        await pilot.pause()
        await pilot.wait_for_animation()
        assert app.focused is screen.query_one(TranscriptView)
        assert on_screen(app, "w250")
        screen.at_position(at_word(3))  # seeking back
        await pilot.pause()
        assert on_screen(app, "w003") and not on_screen(app, "w250")


async def test_a_hand_moved_selection_is_not_pulled_back_until_a_replay_key(
    coach_home: Path,
) -> None:
    ctx = make_ctx(coach_home)
    app = CoachApp(ctx, transcriber_factory=lambda c: None, preflight=lambda c: None)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_long_review(app, pilot)
        pane = screen.query_one("#transcript-pane")
        # the real player over a silent recording: seeking needs no sound card
        write_wav(screen.attempt.recording_path, np.zeros(16000 * 20), 16000)
        screen.player = Player(screen.attempt.recording_path)
        await pilot.press(*["ctrl+right"] * 20)  # the user reads on to word 200
        await pilot.pause()
        assert screen.query_one(TranscriptView).selected == 200
        assert on_screen(app, "w200")  # the selection is kept in view
        scrolled = pane.scroll_offset.y
        screen.at_position(at_word(20))  # replay goes on far above
        await pilot.pause()
        assert pane.scroll_offset.y == scrolled and not on_screen(app, "w020")
        await pilot.press("comma")  # seek back 5 s: follow the replay again
        await pilot.pause()
        assert screen.query_one(TranscriptView).playing == 10
        assert on_screen(app, "w010") and not on_screen(app, "w200")
        # the same for a pane scrolled by hand
        await pilot.press("shift+tab")
        assert app.focused is pane
        await pilot.press("end")
        await pilot.wait_for_animation()
        assert on_screen(app, "w299")
        screen.at_position(at_word(20))
        await pilot.pause()
        assert on_screen(app, "w299") and not on_screen(app, "w020")
        await pilot.press("full_stop")  # seek on 5 s: follow again
        await pilot.pause()
        assert screen.query_one(TranscriptView).playing == 30
        assert on_screen(app, "w030") and not on_screen(app, "w299")


async def test_rating_again_in_the_app_replaces_the_rating(coach_home: Path) -> None:
    """Keys 3 then 4: the attempt ends up Easy with one review of its prompt, and the prompt
    is due when 'coach rate ID easy' alone would have made it due."""
    from datetime import datetime

    from coach.core.history import open_history
    from coach.core.scheduler import replay

    ctx = make_ctx(coach_home)
    app, attempt, analysis = review_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ReviewScreen(attempt, analysis, ctx.prompt("btree-vs-hash")))
        screen = app.screen
        for key, rating in (("3", "good"), ("4", "easy")):
            await pilot.press(key)
            for _ in range(100):
                if screen.rated == rating:
                    break
                await pilot.pause(0.05)
            assert screen.rated == rating
        await pilot.pause(0.1)
        assert "Rated: easy (1-4 changes it)" in str(screen.query_one("#status").render())
    with open_history(coach_home) as history:
        reviews = history.query("SELECT attempt_id, rating FROM reviews")
        card = history.card("btree-vs-hash")
        started = history.get(attempt.id)["started_at"]
    assert reviews == [{"attempt_id": attempt.id, "rating": "easy"}]
    expected, _ = replay([(attempt.id, "easy", datetime.fromisoformat(started))])
    assert card is not None and expected is not None and card.due == expected.due


async def test_an_answer_with_no_speech_cannot_be_rated_in_the_app(coach_home: Path) -> None:
    ctx = make_ctx(coach_home)
    app, attempt, analysis = review_app(ctx)
    silent = replace(analysis, no_speech=True)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ReviewScreen(attempt, silent, ctx.prompt("btree-vs-hash")))
        screen = app.screen
        assert "No speech: nothing to rate" in str(screen.query_one("#status").render())
        await pilot.press("3")
        await pilot.pause(0.2)
        assert screen.rated is None
    assert json.loads((attempt.path / "attempt.json").read_text())["rating"] is None


@pytest.mark.parametrize("size", [(80, 24), SIZE, (160, 40)])
async def test_every_metric_card_shows_its_whole_title_value_and_note(
    coach_home: Path, size: tuple[int, int]
) -> None:
    """Nine cards: one row from 120 columns, two rows below. No card may lose a character or
    a line ("60/1" for 60/100, or a note pushed out of its card, is a wrong number)."""
    from coach.tui.widgets.cards import MetricCard

    ctx = make_ctx(coach_home)
    app, attempt, analysis = review_app(ctx)
    async with app.run_test(size=size) as pilot:
        await app.push_screen(ReviewScreen(attempt, analysis, ctx.prompt("btree-vs-hash")))
        await pilot.pause()
        cards = list(app.screen.query(MetricCard))
        assert len(cards) >= 9
        for card in cards:
            lines = str(card.render()).splitlines()
            region = card.content_region
            assert len(lines) <= region.height, lines
            for line in lines:
                assert len(line) <= region.width, (line, region.width)


def test_key_points_card_shows_the_share_the_score_counts(coach_home: Path) -> None:
    """The card's percentage is the key points' share by weight, the value the score's Key
    points line shows, not the plain count (2 of 3 is 67%, but the must-have points count
    three times)."""
    from coach.tui.logic import review

    _, analysis = fixed_attempt(make_ctx(coach_home))
    card = next(c for c in review.cards(analysis) if c.title == "Key points")
    line = next(c for c in analysis.score["components"] if c["name"] == "Key points")
    assert analysis.coverage["ratio"] != analysis.coverage["weighted_ratio"]
    assert card.note == f"{line['value']:.0f}%"
