"""The review screen over a fixed analysis (no model): corrections rewrite the analysis."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from coach.cli.common import Context, open_context
from coach.core.attempts import Attempt, new_attempt, update_attempt
from coach.core.model import Analysis, Transcript, Word
from coach.pipeline import finish_analysis, save_transcript
from coach.tui.app import CoachApp
from coach.tui.screens.review import ReviewScreen
from coach.tui.widgets.transcript import TranscriptView

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


def fixed_attempt(ctx: Context) -> tuple[Attempt, Analysis]:
    """An analysed attempt of btree-vs-hash from a hand-written transcript, read back from
    its analysis.json exactly as a past attempt would be."""
    prompt = ctx.prompt("btree-vs-hash")
    attempt = new_attempt(ctx.home, prompt.id, state="analysing")
    transcript = Transcript(
        tuple(Word(t, s, e) for t, s, e in WORDS), 14.0, ((0.0, 5.7), (7.8, 13.2)), "fixed"
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
