"""Interview mode's choices: the follow-up aimed at the gap, the round's mix, the summary."""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import Counter
from html import unescape
from pathlib import Path

from coach.cli.common import open_context
from coach.config import load_settings
from coach.core.attempts import follow_up_chain, new_attempt
from coach.core.interview import (
    Answer,
    RoundQuestion,
    choose_follow_up,
    plan_round,
    round_slots,
    summarise_round,
)
from coach.core.model import KeyPoint, Prompt, Transcript, Word
from coach.core.prompts import load_library
from coach.core.round_report import write_round
from coach.pipeline import finish_analysis
from coach.tui.logic.interview import follow_up_prompt

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
        RoundQuestion(behavioral, [Answer("b1", behavioral.question, analysis(80))],
                      self_rating="easy"),
    ]
    summary = summarise_round(questions)
    first = summary["questions"][0]
    # the user's own grade beside the one the first answer's score proposes (80: Good)
    assert (first["self_rating"], first["measured_rating"]) == (None, None)  # skipped
    assert (summary["questions"][1]["self_rating"],
            summary["questions"][1]["measured_rating"]) == ("easy", "good")
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


def test_a_point_made_only_when_asked_is_still_a_gap_and_a_weak_follow_up_is_named() -> None:
    """An interviewer notes the point that had to be pulled out, and the answer that failed."""
    question = RoundQuestion(INDEX, [
        Answer("a1", INDEX.question, analysis(80, ("access",), content=75, delivery=90)),
        Answer("a2", "What happens to your range queries?",
               analysis(40, ("range",), content=30, delivery=80), key_point="range"),
    ])
    summary = summarise_round([question])
    gaps = {g["point"]: g for g in summary["gaps"]}
    # the range point was made in the follow-up: listed, marked as needing the question
    assert gaps["Hash indexes cannot do range scans"]["prompted"] is True
    assert gaps["B-trees cost more per write"]["prompted"] is False
    advice = "\n".join(summary["practise_next"])
    assert "before you are asked" not in advice  # one point was never made at all
    assert "make the points you missed" in advice
    alone = summarise_round([RoundQuestion(INDEX, [
        Answer("b1", INDEX.question, analysis(80, ("access", "writes", "memory"), content=75)),
        Answer("b2", "What happens to your range queries?",
               analysis(40, ("range",), content=30), key_point="range"),
    ])])
    lines = alone["practise_next"]
    assert any("make them before you are asked" in line for line in lines), lines
    assert not any("scored 40" in line for line in lines)  # one line per question at most
    weak = summarise_round([RoundQuestion(INDEX, [
        Answer("c1", INDEX.question,
               analysis(85, ("access", "range", "writes", "memory"), content=85)),
        Answer("c2", "What if the scale grows 100x?", analysis(35, (), content=30)),
    ])])
    assert any("the follow-up 'What if the scale grows 100x?' scored 35" in line
               for line in weak["practise_next"]), weak["practise_next"]


# --------------------------------------------------------------------------- on disk


def test_follow_up_answers_are_linked_and_listed_in_the_first_answers_report(
    coach_home: Path,
) -> None:
    """Without the model: hand-written transcripts through the one analysis path."""
    ctx = open_context(argparse.Namespace(home=str(coach_home), prompts_dir=None))
    prompt = ctx.prompt("btree-vs-hash")

    def said(text: str) -> Transcript:
        words = tuple(Word(w, n * 0.4, n * 0.4 + 0.3) for n, w in enumerate(text.split()))
        return Transcript(words, words[-1].end + 0.5, ((0.0, words[-1].end),), "fixed")

    first = new_attempt(coach_home, prompt.id, state="analysing")
    first, _ = finish_analysis(ctx, first, prompt, said("I would use a hash index for lookups"))
    follow = choose_follow_up(INDEX, [coverage()])
    assert follow is not None
    probe = follow_up_prompt(INDEX, follow, 60)
    assert probe.question == follow.question and [k.id for k in probe.key_points] == ["range"]
    assert probe.answer_seconds == 60 and probe.follow_ups == ()
    child = new_attempt(coach_home, prompt.id, state="analysing", follows=first.id,
                        follow_up_question=follow.question)
    child, analysis = finish_analysis(ctx, child, probe, said("a range scan needs order"))
    assert analysis.coverage is not None and analysis.coverage["covered"] == 1

    assert [a.id for a in follow_up_chain(coach_home, child)] == [first.id, child.id]
    assert [a.id for a in follow_up_chain(coach_home, first)] == [first.id, child.id]
    report = first.report_path.read_text()
    assert 'id="follow-up-answers"' in report and follow.question in report
    assert f'href="../{child.id}/report.html"' in report
    assert f"{analysis.score['total']:.0f}" in report
    assert f'href="../{first.id}/report.html"' in child.report_path.read_text()


def test_the_summary_page_is_self_contained_and_written_into_the_home(coach_home: Path) -> None:
    questions = [RoundQuestion(INDEX, [
        Answer("a1", INDEX.question, analysis(60, ("access",), content=50, delivery=70)),
        Answer("a2", "What happens to your range queries?", analysis(40), key_point="range"),
    ], self_rating="good")]
    summary = summarise_round(questions)
    path = write_round(coach_home, questions, summary, level="senior", started_at="today")
    assert path.parent.parent == coach_home / "interviews" and path.name == "summary.html"
    html = path.read_text()
    head = html.split("<head>", 1)[1].lstrip()
    assert head.startswith('<meta http-equiv="Content-Security-Policy"')
    assert "default-src 'none'" in unescape(head)
    assert not re.search(r"https?://", html)
    assert "The decisive difference" in html  # a gap with why it matters
    assert 'href="../../attempts/a2/report.html"' in html
    # content 50 proposes Hard: the user's Good is set beside it, on the first answer's row
    assert html.count('class="self-rating"') == 1
    assert 'data-self="good" data-measured="hard">Good · Hard</td>' in html
    record = json.loads((path.parent / "round.json").read_text())
    assert record["questions"][0]["self_rating"] == "good"
    assert record["questions"][0]["answers"][1] == {
        "attempt_id": "a2", "question": "What happens to your range queries?",
        "key_point": "range"}
