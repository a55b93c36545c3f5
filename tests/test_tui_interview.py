"""A mock interview round driven as a user would, with Pilot: real synthetic speech through the
real recorder (a FileSource per take), the real Whisper model, the real pipeline. The follow-ups
must pull on what the first answer left out, be linked to it, and the round must end in one
summary written into the home. Each question's chain ends with the user's own grade, asked
before the next question and before any score, stored on its first answer."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from coach.audio.recorder import FileSource, Recorder
from coach.cli import main
from coach.core.attempts import iter_attempts, read_analysis
from coach.core.calibration import calibration
from coach.core.history import open_history
from coach.core.scheduler import propose_rating
from coach.tui.app import CoachApp
from coach.tui.dialogs.self_rating import SelfRatingDialog
from coach.tui.logic import session
from coach.tui.screens.home import HomeScreen
from coach.tui.screens.interview_summary import InterviewSummaryScreen
from coach.tui.screens.practice import ASKING, PREP, RECORDING, PracticeScreen
from coach.tui.screens.review import ReviewScreen
from tests.test_tui_flow import SIZE, make_ctx, wait_for

RANGE_PROBE = "What happens to your range queries with a hash index?"
WRITE_PROBE = "What does a B-tree cost you on every write?"

PROMPT = f"""---
id: interview-index
title: Index for user events
pillar: system-design
category: concept
level: senior
prep_seconds: 20
answer_seconds: 90
vocabulary: [B-tree, hash index]
key_points:
  - id: equality
    text: A hash index answers equality lookups in constant time
    phrases: ["constant time", "equality"]
    weight: 1
    probe: How fast is a lookup by key?
  - id: range
    text: Only a B-tree keeps keys in order for range scans
    phrases: ["range scan", "sorted order", "in order"]
    why: Range queries are the decisive difference between the two
    weight: 3
    probe: {RANGE_PROBE}
  - id: writes
    text: B-trees pay for order on writes (page splits, write amplification)
    phrases: ["page split", "write amplification"]
    why: A senior answer names the cost of its choice
    weight: 2
    probe: {WRITE_PROBE}
follow_ups:
  - What if the write rate grows 100x?
  - What are the downsides of a B-tree here?
---
You're choosing an index for a table of user events. Would you use a B-tree or a hash index?
"""


def takes_recorder(audio: list[Path], log: list[str]):
    """A recorder per take, each fed the next file of real speech (paced to the streamer)."""
    files = iter(audio)

    def build(path: Path, **callbacks) -> Recorder:
        log.append("record")
        streamer = callbacks.pop("on_block", None)

        def paced(block, start_s: float) -> None:
            streamer(block, start_s)
            while streamer.lag_s > 0.5 and not streamer.gave_up:
                time.sleep(0.01)

        return Recorder(path, source=FileSource(next(files), realtime=False),
                        on_block=paced if streamer is not None else None, **callbacks)

    return build


async def answer(pilot, app: CoachApp) -> PracticeScreen:
    """Wait for the take to be recording, let the file play out, and stop it (Space)."""
    await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen)
                   and app.screen.state == RECORDING)
    practice = app.screen
    assert isinstance(practice, PracticeScreen)
    await wait_for(pilot, lambda: practice.recorder.done.is_set())
    await pilot.press("space")
    await wait_for(pilot, lambda: app.screen is not practice)
    return practice


async def grade(pilot, app: CoachApp, key: str, question: str) -> None:
    """The self-rating asked once a question's chain is over: no score anywhere yet."""
    await wait_for(pilot, lambda: isinstance(app.screen, SelfRatingDialog))
    dialog = app.screen
    assert question in str(dialog.query_one("#self-rating-about").render())
    assert not any(isinstance(s, InterviewSummaryScreen | ReviewScreen) for s in app.screen_stack)
    await pilot.press(key)
    await wait_for(pilot, lambda: app.screen is not dialog)


def summary_row(summary: InterviewSummaryScreen, n: int) -> list[str]:
    return [str(cell) for cell in summary.query_one("#summary-questions").get_row_at(n)]


@pytest.mark.slow
async def test_a_round_asks_follow_ups_aimed_at_the_gap_and_ends_in_a_summary(
    coach_home: Path, speak, transcriber, monkeypatch: pytest.MonkeyPatch
) -> None:
    (coach_home / "prompts").mkdir()
    (coach_home / "prompts" / "interview-index.md").write_text(PROMPT)
    first = speak("iv-first", ["I would use a hash index, because it gives constant time "
                               "equality lookups for each user."])
    second = speak("iv-second", ["A B-tree keeps the keys in sorted order, so a range scan "
                                 "over a day of events is cheap."])
    third = speak("iv-third", ["Every insert can cause a page split, so there is some "
                               "write amplification."])
    log: list[str] = []

    def asked_aloud(text: str) -> None:  # the engine's stand-in: takes a moment, like speech
        log.append(f"asked: {text}")
        time.sleep(0.3)

    monkeypatch.setattr(session, "speak", lambda text: log.append(f"read: {text}"))
    monkeypatch.setattr(session, "stop_speaking", lambda: None)
    monkeypatch.setattr(session, "speak_and_wait", asked_aloud)
    ctx = make_ctx(coach_home)
    ctx.settings = replace(ctx.settings, speak_prompt=True)
    prompt = ctx.prompt("interview-index")
    app = CoachApp(ctx, recorder_factory=takes_recorder([first, second, third], log),
                   transcriber_factory=lambda c: transcriber, start_round=([prompt], "senior"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen))
        opening = app.screen
        assert opening.state == PREP and opening.interview  # the first question: prepare
        await pilot.press("space")
        await answer(pilot, app)

        # at once: the probe of the heaviest point the answer missed ("range", weight 3)
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen)
                       and app.screen.question is not None
                       and bool(app.screen.query("#question")))  # composed, not only pushed
        follow = app.screen
        assert follow.question == RANGE_PROBE
        assert follow.state in (ASKING, RECORDING)  # no preparation countdown
        assert follow.query_one("#question").has_class("-interviewer")
        assert follow.time_box == 60
        await answer(pilot, app)

        # "range" was made in the follow-up; the next heaviest gap is "writes"
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen)
                       and app.screen.question == WRITE_PROBE)
        await answer(pilot, app)

        # the chain is over (two follow-ups): how did it go, before the summary shows a score
        await grade(pilot, app, "4", "Question 1 of 1: Index for user events")
        await wait_for(pilot, lambda: isinstance(app.screen, InterviewSummaryScreen))
        summary = app.screen
        measured = summary.summary["questions"][0]["measured_rating"]
        assert summary_row(summary, 0)[-1] == f"Easy · {measured.capitalize()}"
        assert summary_row(summary, 1)[-1] == ""  # a follow-up carries no grade of its own
        rows = summary.summary["questions"]
        assert [len(q["answers"]) for q in rows] == [3]
        assert summary.summary["pillars"][0]["pillar"] == "system-design"
        # made in the first follow-up: still a gap of the first answer, marked as asked for
        asked = {g["point"]: g["prompted"] for g in summary.summary["gaps"]}
        assert [v for k, v in asked.items() if "range scans" in k] == [True]
        assert "made only when asked" in str(summary.query_one("#summary-gaps").render())

        await pilot.press("enter")  # the first answer's review shows the chain
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        chain = str(app.screen.query_one("#chain").render())
        assert "first answer" in chain and RANGE_PROBE in chain and WRITE_PROBE in chain

    # each follow-up was recorded only after it had been asked aloud
    asks = [n for n, entry in enumerate(log) if entry.startswith("asked: ")]
    assert [log[n] for n in asks] == [f"asked: {RANGE_PROBE}", f"asked: {WRITE_PROBE}"]
    assert all(log[n + 1] == "record" for n in asks)
    # the chain is linked on disk, and the first report lists the follow-up answers with scores
    attempts = iter_attempts(coach_home)
    assert len(attempts) == 3
    head = next(a for a in attempts if a.follows is None)
    # the grade is stored on the first answer as a single answer's is, and nowhere else
    first_analysis = read_analysis(head)
    assert first_analysis["self_rating"] == "easy" and head.self_rating == "easy"
    assert measured == propose_rating(first_analysis["score"])
    assert all(a.self_rating is None for a in attempts if a.follows == head.id)
    with open_history(coach_home) as history:
        assert history.get(head.id)["self_rating"] == "easy"
        [calibrated] = calibration(history.dashboard_rows(ctx.library().prompts))
    assert (calibrated["pillar"], calibrated["count"]) == ("system-design", 1)
    assert calibrated["points"][0]["measured"] == measured  # the dashboard agrees with the summary
    assert sorted(a.follow_up_question for a in attempts if a.follows == head.id) == sorted(
        [RANGE_PROBE, WRITE_PROBE])
    report = head.report_path.read_text()
    assert 'id="follow-up-answers"' in report
    assert RANGE_PROBE in report and WRITE_PROBE in report
    # the summary page is in the home, with the round's record beside it
    pages = list((coach_home / "interviews").glob("*/summary.html"))
    assert len(pages) == 1
    record = json.loads((pages[0].parent / "round.json").read_text())
    assert [a["question"] for a in record["questions"][0]["answers"][1:]] == [
        RANGE_PROBE, WRITE_PROBE]
    page = pages[0].read_text()
    assert "Index for user events" in page
    assert f'data-self="easy" data-measured="{measured}"' in page
    assert record["questions"][0]["self_rating"] == "easy"


@pytest.mark.slow
async def test_with_follow_ups_off_the_round_goes_straight_to_the_next_question(
    coach_home: Path, speak, transcriber
) -> None:
    (coach_home / "config.toml").write_text("interview_follow_ups = 0\n")
    (coach_home / "prompts").mkdir()
    (coach_home / "prompts" / "interview-index.md").write_text(PROMPT)
    first = speak("iv-first", ["I would use a hash index, because it gives constant time "
                               "equality lookups for each user."])
    other = speak("tui-short", ["A short answer about caching."])
    ctx = make_ctx(coach_home)
    assert ctx.settings.interview_follow_ups == 0
    prompts = [ctx.prompt("interview-index"), ctx.prompt("caching-strategies")]
    app = CoachApp(ctx, recorder_factory=takes_recorder([first, other], []),
                   transcriber_factory=lambda c: transcriber, start_round=(prompts, "senior"))
    async with app.run_test(size=SIZE) as pilot:
        for prompt, key in zip(prompts, ["2", "escape"], strict=True):
            await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen))
            take = app.screen
            assert take.prompt.id == prompt.id and take.question is None  # never a follow-up
            heading = str(take.query_one("#prompt-title").render())
            assert heading.startswith(f"Question {prompts.index(prompt) + 1} of 2")
            await pilot.press("space")
            await answer(pilot, app)
            # graded before the next question (Hard), the second skipped with Escape
            number = prompts.index(prompt) + 1
            await grade(pilot, app, key, f"Question {number} of 2: {prompt.title}")
        await wait_for(pilot, lambda: isinstance(app.screen, InterviewSummaryScreen))
        summary = app.screen.summary
        assert summary_row(app.screen, 0)[-1].startswith("Hard · ")
        assert summary_row(app.screen, 1)[-1] == ""
    # by question, not by start time: two quick takes can start within the same second
    by_prompt = {a.prompt_id: a for a in iter_attempts(coach_home)}
    first, second = by_prompt[prompts[0].id], by_prompt[prompts[1].id]
    assert first.self_rating == "hard"
    assert read_analysis(first)["self_rating"] == "hard"
    assert second.self_rating is None and read_analysis(second)["self_rating"] is None
    with open_history(coach_home) as history:
        assert history.get(second.id)["self_rating"] is None
    assert [q["self_rating"] for q in summary["questions"]] == ["hard", None]
    assert [q["prompt_id"] for q in summary["questions"]] == [p.id for p in prompts]
    assert all(not q["follow_ups"] for q in summary["questions"])
    assert all(a.follows is None for a in iter_attempts(coach_home))
    # the missed key points of the first answer are the round's biggest gaps, heaviest first
    assert summary["gaps"][0]["point"] == "Only a B-tree keeps keys in order for range scans"
    assert summary["gaps"][0]["why"] == "Range queries are the decisive difference between the two"


@pytest.mark.slow
async def test_ending_the_round_during_a_follow_up_asks_the_grade_before_the_summary(
    coach_home: Path, speak, transcriber
) -> None:
    (coach_home / "prompts").mkdir()
    (coach_home / "prompts" / "interview-index.md").write_text(PROMPT)
    first = speak("iv-first", ["I would use a hash index, because it gives constant time "
                               "equality lookups for each user."])
    ctx = make_ctx(coach_home)
    prompt = ctx.prompt("interview-index")
    app = CoachApp(ctx, recorder_factory=takes_recorder([first, first], []),
                   transcriber_factory=lambda c: transcriber, start_round=([prompt], "senior"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen))
        await pilot.press("space")
        await answer(pilot, app)
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen)
                       and app.screen.question == RANGE_PROBE
                       and app.screen.state == RECORDING)
        await pilot.press("escape", "y")  # discard the follow-up: the round ends here
        await grade(pilot, app, "1", "Question 1 of 1: Index for user events")
        await wait_for(pilot, lambda: isinstance(app.screen, InterviewSummaryScreen))
        assert summary_row(app.screen, 0)[-1].startswith("Again · ")
    [attempt] = iter_attempts(coach_home)  # the discarded follow-up left nothing
    assert attempt.self_rating == "again" and read_analysis(attempt)["self_rating"] == "again"


async def test_leaving_before_the_first_answer_goes_home_and_writes_nothing(
    coach_home: Path, speak
) -> None:
    ctx = make_ctx(coach_home)
    audio = speak("tui-short", ["A short answer about caching."])
    app = CoachApp(ctx, recorder_factory=takes_recorder([audio], []),
                   transcriber_factory=lambda c: None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")  # the home screen's mock interview: a senior round of three
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen), 10)
        assert app.screen.interview
        pillars = [q.prompt.pillar for q in app.screen_stack[-2].questions]
        assert sorted(pillars) == ["behavioral", "coding", "system-design"]
        await pilot.press("escape")  # nothing recorded yet: leaves without asking
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), 10)
    assert not (coach_home / "interviews").exists()
    assert iter_attempts(coach_home) == []


def test_coach_interview_rejects_a_bad_question_count(
    coach_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["interview", "--questions", "0"])
    assert exit_info.value.code == 2
    assert "--questions: expected 1 to 20 questions" in capsys.readouterr().err


async def test_a_follow_up_records_by_itself_once_asked_and_escape_while_asking_records_nothing(
    coach_home: Path, speak, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The follow-up screen alone (no model): asked aloud, then recording without a key; and
    leaving while it is being asked leaves no take behind. The reading lasts until the test
    ends it (``read``), so a busy machine cannot make it end early."""
    read = threading.Event()

    def speak_and_wait(text: str) -> None:
        read.wait(10)
        read.clear()

    monkeypatch.setattr(session, "speak_and_wait", speak_and_wait)
    monkeypatch.setattr(session, "stop_speaking", lambda: None)
    ctx = make_ctx(coach_home)
    ctx.settings = replace(ctx.settings, speak_prompt=True)
    audio = speak("tui-short", ["A short answer about caching."])
    log: list[str] = []
    app = CoachApp(ctx, recorder_factory=takes_recorder([audio, audio], log),
                   transcriber_factory=lambda c: None)
    prompt = ctx.prompt("caching-strategies")
    results: list[object] = []
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), 10)
        app.push_screen(PracticeScreen(prompt, question=RANGE_PROBE, interview=True,
                                       time_box=45), results.append)
        await pilot.pause()
        follow = app.screen
        assert follow.state == ASKING and log == []
        read.set()  # the question has been read out
        await wait_for(pilot, lambda: follow.state == RECORDING, 10)  # no key pressed
        assert log == ["record"] and follow.query_one("#timer").answer_seconds == 45
        await wait_for(pilot, lambda: follow.recorder.done.is_set(), 10)
        await pilot.press("space")
        await wait_for(pilot, lambda: bool(results), 10)
        take = results[0]
        assert take.attempt.follow_up_question == RANGE_PROBE  # handed back, not reviewed
        assert isinstance(app.screen, HomeScreen)

        app.push_screen(PracticeScreen(prompt, question=WRITE_PROBE, interview=True),
                        results.append)
        await pilot.pause()
        await pilot.press("escape")  # while the question is still being asked
        await wait_for(pilot, lambda: len(results) == 2, 10)
        read.set()  # the reading ends after the screen was left: nothing may start
        await pilot.pause(1.0)
    assert results[1] is None and log == ["record"]
    assert [a.id for a in iter_attempts(coach_home)] == [take.attempt.id]
