"""The plan across the interview rounds: config, balance over 14 days, what to practise next."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from coach.cli import main
from coach.config import load_settings, save_plan
from coach.core.attempts import new_attempt, update_attempt
from coach.core.history import open_history
from coach.core.model import Prompt
from coach.core.plan import Plan, balance, balanced_order, parse_plan, plan_due
from coach.core.progress import write_home_dashboard
from coach.errors import CoachError
from tests.test_history import silent_analysis

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def prompt(pid: str, pillar: str, category: str = "", level: str = "senior") -> Prompt:
    return Prompt(pid, pid, pillar, level, "Why?", 5, 60, category=category)


PROMPTS = {p.id: p for p in [
    prompt("code-1", "coding", "coding"), prompt("code-2", "coding", "coding"),
    prompt("code-3", "coding", "coding"),
    prompt("design-1", "system-design", "case"), prompt("design-2", "system-design", "case"),
    prompt("story-1", "behavioral", "behavioral"), prompt("story-2", "behavioral", "behavioral"),
    prompt("dive-1", "system-design", "deep-dive", "staff"),
]}


def answered(home: Path, prompt_id: str, when: datetime, *, silent: bool = False) -> str:
    """An analysed answer of ``prompt_id`` started at ``when``, indexed in the history;
    ``silent``: a take with no speech in it."""
    attempt = new_attempt(home, prompt_id, state="analysing")
    attempt = update_attempt(attempt, state="analysed", started_at=when.isoformat())
    analysis = silent_analysis(prompt_id) if silent else {"duration_s": 30.0,
                                                          "score": {"total": 70}}
    with open_history(home) as history:
        history.record_attempt(attempt, analysis)
    return attempt.id


def test_level_defaults() -> None:
    assert Plan().targets() == pytest.approx(
        {"coding": 1 / 3, "system-design": 1 / 3, "behavioral": 1 / 3})
    # staff: the mock round's mix, system design and its deep dive together as much as
    # behavioral, each twice coding
    staff = Plan("staff").targets()
    assert list(staff) == ["coding", "system-design", "behavioral", "deep-dive"]
    assert staff["behavioral"] == pytest.approx(0.4)
    assert staff["system-design"] + staff["deep-dive"] == pytest.approx(0.4)
    assert staff["coding"] == pytest.approx(0.2)


def test_plan_table_bad_fields_are_warnings_by_field() -> None:
    plan, warnings = parse_plan({"level": "principal", "target_date": "next week",
                                 "rounds": ["coding", "puzzles"], "colour": 1}, "config.toml")
    assert plan == Plan("senior", "", (("coding", 1.0),))
    assert [w.split(": ")[1] for w in warnings] == [
        "plan.level", "plan.target_date", "plan.rounds", "plan.colour"]


def test_save_plan_round_trips_and_keeps_the_users_other_lines(coach_home: Path) -> None:
    config = coach_home / "config.toml"
    config.write_text('# my settings\nmodel = "base.en"\n\n[plan]\nlevel = "senior"\n\n'
                      '[other]\nx = 1\n')
    plan = Plan("staff", "2027-01-15", (("system-design", 2.0), ("behavioral", 1.0)))
    save_plan(coach_home, plan)
    text = config.read_text()
    assert text.startswith('# my settings\nmodel = "base.en"\n\n[plan]\n')
    assert text.endswith("\n[other]\nx = 1\n")
    loaded = load_settings(coach_home)
    assert loaded.settings.plan == plan and loaded.settings.model == "base.en"
    assert loaded.warnings == [f"{config}: unknown field 'other' ignored"]  # no plan warning
    config.write_text("model = [unclosed\n")
    with pytest.raises(CoachError, match="not valid TOML"):
        save_plan(coach_home, plan)
    assert config.read_text() == "model = [unclosed\n"  # never overwritten


def test_balance_after_a_sequence_of_attempts(coach_home: Path) -> None:
    # three coding answers and one design answer this week; an old coding answer outside
    # the 14 days; a behavioral answer two weeks and a day ago: not counted
    for n, pid in enumerate(["code-1", "code-2", "code-1", "design-1"]):
        answered(coach_home, pid, NOW - timedelta(days=n))
    answered(coach_home, "code-3", NOW - timedelta(days=20))
    answered(coach_home, "story-1", NOW - timedelta(days=15))
    with open_history(coach_home) as history:
        bal = balance(history, PROMPTS, Plan(), NOW)
        view = bal.to_dict()
        assert {r["round"]: r["count"] for r in view["rounds"]} == {
            "coding": 3, "system-design": 1, "behavioral": 0}
        assert view["behind"] == "behavioral"
        behind = {r["round"]: r["deficit"] for r in view["rounds"]}
        assert behind == pytest.approx(
            {"coding": 0.0, "system-design": 0.33, "behavioral": 1.33}, abs=0.01)
        # new prompts, each from the round furthest behind once the ones before are done:
        # behavioral (0 of 4), then design and behavioral level (2 each of 6), behavioral
        # again; coding (3 already) gets none
        items = plan_due(history, PROMPTS, Plan(), new_per_day=3, now=NOW)
        assert [i.prompt_id for i in items] == ["story-1", "design-1", "story-2"]
        # a staff plan weighs behavioral more (both stories first) and has a deep-dive round
        # of its own, which is further behind than system design (1 answer already)
        staff = plan_due(history, PROMPTS, Plan("staff"), new_per_day=8, now=NOW)
        assert [i.prompt_id for i in staff[:4]] == ["story-1", "story-2", "dive-1", "design-1"]
    # a deep-dive answer is its own round for staff, and system design for a senior plan
    answered(coach_home, "dive-1", NOW - timedelta(hours=1))
    with open_history(coach_home) as history:
        assert balance(history, PROMPTS, Plan("staff"), NOW).counts == {
            "coding": 3, "system-design": 1, "deep-dive": 1}
        assert balance(history, PROMPTS, Plan(), NOW).counts == {
            "coding": 3, "system-design": 2}


def test_a_take_with_no_speech_is_no_practice_in_the_balance(coach_home: Path) -> None:
    answered(coach_home, "code-1", NOW - timedelta(days=1))
    for n in range(3):  # three silent takes of a behavioral prompt: still nothing practised
        answered(coach_home, "story-1", NOW - timedelta(hours=n + 1), silent=True)
    with open_history(coach_home) as history:
        bal = balance(history, PROMPTS, Plan(), NOW)
        assert bal.counts == {"coding": 1}
        rounds = {r["round"]: r for r in bal.to_dict()["rounds"]}
        assert rounds["behavioral"]["count"] == 0 and rounds["behavioral"]["deficit"] > 0


def test_due_reviews_come_before_the_round_furthest_behind(coach_home: Path) -> None:
    first = answered(coach_home, "code-1", NOW - timedelta(days=5))
    with open_history(coach_home) as history:
        history.set_rating(first, "again")  # answered five days ago: due since
        items = plan_due(history, PROMPTS, Plan(), new_per_day=2, now=NOW)
    assert items[0].prompt_id == "code-1" and items[0].reason == "due"
    assert [i.reason for i in items[1:]] == ["new", "new"]
    assert all(PROMPTS[i.prompt_id].pillar != "coding" for i in items[1:])


def test_balanced_order_interleaves_rounds_by_their_shares() -> None:
    from coach.core.plan import Balance

    ids = ["code-1", "code-2", "design-1", "design-2", "story-1", "story-2"]
    order = balanced_order(ids, PROMPTS, Balance(Plan(weights=(
        ("system-design", 2.0), ("coding", 1.0))), {}))
    assert order == ["design-1", "code-1", "design-2", "code-2", "story-1", "story-2"]


def test_coach_plan_sets_shows_and_prints_json(coach_home: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--level", "staff", "--target-date", "2027-01-15",
                 "--rounds", "system-design=2,behavioral,deep-dive"]) == 0
    out = capsys.readouterr().out
    assert "Saved the plan" in out and "Plan: staff, interviews on 2027-01-15" in out
    assert main(["plan", "--json"]) == 0
    view = json.loads(capsys.readouterr().out)
    assert view["plan"]["rounds"] == {"system-design": 2.0, "behavioral": 2.0, "deep-dive": 1.0}
    assert view["total"] == 0 and view["behind"] == "system-design"
    assert view["next"]  # a prompt to practise from the library
    assert main(["plan", "--rounds", "coding,puzzles"]) == 1
    assert "unknown round 'puzzles'" in capsys.readouterr().err


def test_dashboard_shows_practice_against_the_plan(coach_home: Path) -> None:
    answered(coach_home, "code-1", datetime.now(UTC) - timedelta(hours=1))
    path, count = write_home_dashboard(coach_home, PROMPTS, generated_at="now",
                                       plan=Plan("staff"))
    html = path.read_text()
    assert count == 1
    assert 'data-round="deep-dive"' in html
    assert "Practice in the last 14 days against your plan" in html
    assert "Furthest behind: <strong>behavioral</strong>" in html


async def test_practise_next_on_the_home_screen_follows_the_plan(coach_home: Path) -> None:
    from coach.tui.app import CoachApp
    from coach.tui.screens.home import HomeScreen
    from coach.tui.screens.practice import PracticeScreen
    from tests.test_tui_review import make_ctx

    ctx = make_ctx(coach_home)
    coding = [p.id for p in ctx.library().filter(pillar="coding")][:3]
    for n, pid in enumerate(coding):
        answered(coach_home, pid, datetime.now(UTC) - timedelta(days=n + 1))
    app = CoachApp(ctx, transcriber_factory=lambda c: None, preflight=lambda c: None)
    async with app.run_test(size=(120, 36)) as pilot:
        home = app.screen
        assert isinstance(home, HomeScreen)
        for _ in range(100):
            if home.marks:
                break
            await pilot.pause(0.05)
        # without the plan, the practised but unrated coding prompts would come first; the
        # plan says coding is ahead (3 of 3 answers), so a design prompt does
        await pilot.press("n")
        practice = app.screen
        assert isinstance(practice, PracticeScreen)
        assert practice.prompt.pillar == "system-design"


async def test_a_mock_interview_from_the_home_screen_is_for_the_plans_level(
    coach_home: Path,
) -> None:
    from dataclasses import replace

    from coach.tui.app import CoachApp
    from coach.tui.screens.interview import InterviewScreen
    from tests.test_tui_review import make_ctx

    ctx = make_ctx(coach_home)
    ctx.settings = replace(ctx.settings, plan=Plan("staff"))
    app = CoachApp(ctx, transcriber_factory=lambda c: None, preflight=lambda c: None)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("i")
        for _ in range(100):
            if any(isinstance(s, InterviewScreen) for s in app.screen_stack):
                break
            await pilot.pause(0.05)
        [round_screen] = [s for s in app.screen_stack if isinstance(s, InterviewScreen)]
        assert round_screen.level == "staff"
        assert len(round_screen.questions) == 5  # a staff round


def test_a_toml_date_and_a_rounds_list_in_config(coach_home: Path) -> None:
    (coach_home / "config.toml").write_text(
        '[plan]\nlevel = "staff"\ntarget_date = 2027-01-15\n'
        'rounds = ["system-design", "behavioral"]\n')
    loaded = load_settings(coach_home)
    assert loaded.warnings == []
    assert loaded.settings.plan == Plan("staff", "2027-01-15",
                                        (("system-design", 1.0), ("behavioral", 2.0)))
    assert loaded.settings.plan.targets() == pytest.approx(
        {"system-design": 1 / 3, "behavioral": 2 / 3})
