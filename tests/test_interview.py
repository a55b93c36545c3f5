"""Interview mode's choices: the follow-up aimed at the gap, the round's mix, the summary."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from coach.config import load_settings
from coach.core.interview import (
    Answer,
    RoundQuestion,
    choose_follow_up,
    plan_round,
    round_slots,
    summarise_round,
)
from coach.core.model import KeyPoint, Prompt
from coach.core.prompts import load_library

BUILTIN = Path(__file__).resolve().parent.parent / "prompts"

INDEX = Prompt(
    id="index-choice",
    title="B-tree or hash index?",
    pillar="system-design",
    level="senior",
    question="Would you use a B-tree or a hash index?",
    prep_seconds=30,
    answer_seconds=120,
    key_points=(
        KeyPoint("access", "Start from the access pattern", ("access pattern",), weight=2,
                 why="Shows the choice follows the queries", probe="Which queries does it serve?"),
        KeyPoint("range", "Hash indexes cannot do range scans", ("range scan",), weight=3,
                 why="The decisive difference", probe="What happens to your range queries?"),
        KeyPoint("writes", "B-trees cost more per write", ("write",), weight=3, probe=""),
        KeyPoint("memory", "Hash tables need memory", ("memory",), weight=1,
                 probe="Where does the hash table live?"),
    ),
    follow_ups=("What if the write rate grows 100x?", "What are the downsides?"),
)


def coverage(*covered: str) -> dict:
    return {
        "points": [
            {"id": kp.id, "text": kp.text, "covered": kp.id in covered, "hits": []}
            for kp in INDEX.key_points
        ]
    }


def test_the_probe_of_the_heaviest_missed_point_comes_first() -> None:
    follow = choose_follow_up(INDEX, [coverage("access")])
    assert follow is not None
    assert follow.question == "What happens to your range queries?"
    assert follow.key_point is not None and follow.key_point.id == "range"


def test_equal_weights_go_by_the_prompt_order_and_asked_questions_are_not_repeated() -> None:
    # "range" and "writes" weigh 3; "writes" has no probe yet, so after "range" was asked the
    # heaviest probe left is "access" (weight 2), then "memory"
    asked = ["What happens to your range queries?"]
    follow = choose_follow_up(INDEX, [coverage()], asked=asked, limit=3)
    assert follow is not None and follow.question == "Which queries does it serve?"
    asked.append(follow.question)
    follow = choose_follow_up(INDEX, [coverage()], asked=asked, limit=3)
    assert follow is not None and follow.question == "Where does the hash table live?"


def test_a_point_made_in_a_follow_up_answer_is_no_longer_a_gap() -> None:
    follow = choose_follow_up(INDEX, [coverage("access"), {"points": [
        {"id": "range", "covered": True}]}], asked=["Q?"], limit=2)
    assert follow is not None and follow.question == "Where does the hash table live?"


def test_missed_points_without_probes_fall_back_to_the_prompts_follow_ups() -> None:
    only_writes_missed = coverage("access", "range", "memory")
    follow = choose_follow_up(INDEX, [only_writes_missed])
    assert follow is not None
    assert follow.question == INDEX.follow_ups[0] and follow.key_point is None
    nothing_missed = coverage("access", "range", "memory", "writes")
    asked = [INDEX.follow_ups[0]]
    follow = choose_follow_up(INDEX, [nothing_missed], asked=asked)
    assert follow is not None and follow.question == INDEX.follow_ups[1]


def test_the_limit_stops_the_chain_and_zero_turns_follow_ups_off() -> None:
    assert choose_follow_up(INDEX, [coverage()], limit=0) is None
    assert choose_follow_up(INDEX, [coverage()], asked=["a", "b"], limit=2) is None
    bare = Prompt("p", "t", "coding", "senior", "q?", 0, 60)
    assert choose_follow_up(bare, [None]) is None  # nothing to ask


def test_follow_up_settings_come_from_config_toml(coach_home: Path) -> None:
    assert load_settings(coach_home).settings.interview_follow_ups == 2
    assert load_settings(coach_home).settings.follow_up_seconds == 60
    (coach_home / "config.toml").write_text("interview_follow_ups = 0\nfollow_up_seconds = 45\n")
    loaded = load_settings(coach_home)
    assert (loaded.settings.interview_follow_ups, loaded.settings.follow_up_seconds) == (0, 45)
    assert loaded.warnings == []


# --------------------------------------------------------------------------- the round


def library() -> list[Prompt]:
    return list(load_library(BUILTIN).prompts.values())


def test_a_senior_round_is_coding_system_design_and_behavioral_in_equal_parts() -> None:
    chosen = plan_round(library(), "senior", questions=6, rng=random.Random(1))
    assert Counter(p.pillar for p in chosen) == {"coding": 2, "system-design": 2, "behavioral": 2}
    assert all(p.level == "senior" for p in chosen)
    assert len({p.id for p in chosen}) == 6


def test_a_staff_round_weighs_system_design_and_behavioral_more_with_a_deep_dive() -> None:
    chosen = plan_round(library(), "staff", rng=random.Random(2))
    pillars = Counter(p.pillar for p in chosen)
    assert pillars["system-design"] == 2 and pillars["behavioral"] == 2 and pillars["coding"] == 1
    assert sum(p.category == "deep-dive" for p in chosen) == 1
    assert all(p.level == "staff" for p in chosen)


def test_pillar_and_question_count_narrow_the_round() -> None:
    assert round_slots("staff", pillar="system-design") == ["system-design", "deep-dive"]
    chosen = plan_round(library(), "senior", questions=2, pillar="behavioral")
    assert [p.pillar for p in chosen] == ["behavioral", "behavioral"]
    assert plan_round(library(), "senior", questions=0) == []


# --------------------------------------------------------------------------- the summary


def analysis(total: float, covered: tuple[str, ...] = (), **split: float) -> dict:
    return {"score": {"total": total, **split}, "coverage": coverage(*covered)}


def test_the_summary_gives_scores_per_question_and_pillar_and_the_biggest_gaps() -> None:
    behavioral = Prompt("conflict", "A conflict", "behavioral", "senior", "q?", 0, 60)
    questions = [
        RoundQuestion(INDEX, [
            Answer("a1", INDEX.question, analysis(60, ("access",), content=50, delivery=70)),
            Answer("a2", "What happens to your range queries?",
                   {"score": {"total": 40}, "coverage": {"points": [
                       {"id": "range", "covered": False}]}}, key_point="range"),
        ]),
        RoundQuestion(behavioral, [Answer("b1", behavioral.question, analysis(80))]),
    ]
    summary = summarise_round(questions)
    first = summary["questions"][0]
    assert (first["content"], first["delivery"]) == (50, 70)
    assert [f["attempt_id"] for f in first["follow_ups"]] == ["a2"]
    assert first["follow_ups"][0]["content"] == 40  # no split score yet: the total stands in
    pillars = {p["pillar"]: p for p in summary["pillars"]}
    assert pillars["system-design"]["content"] == 45.0  # the mean of 50 and 40
    assert pillars["behavioral"]["delivery"] == 80.0
    # the heaviest missed points first, each with why it matters
    assert [g["point"] for g in summary["gaps"][:2]] == [
        "Hash indexes cannot do range scans", "B-trees cost more per write"]
    assert summary["gaps"][0]["why"] == "The decisive difference"
    advice = "\n".join(summary["practise_next"])
    assert "B-tree or hash index?" in advice and "range scans" in advice
    assert "system-design" in advice  # the weakest pillar of the round
