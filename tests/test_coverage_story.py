"""Story parts found by their shape, and a story about something else credited with none."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.core.coverage import check_coverage, terms_of
from coach.core.model import KeyPoint, Prompt
from coach.core.prompts import load_library
from coach.core.story import story_part

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


def part(name: str, text: str) -> list[str]:
    return story_part(name, [t.raw for t in terms_of(text)])


@pytest.mark.parametrize(
    "said",
    [
        "After the rollout p99 went from two seconds to three hundred milliseconds.",
        "We cut the build time by half.",
        "Support tickets dropped by about forty percent that quarter.",
        "It shipped two days early.",
        "We finished the migration without downtime.",
        "Onboarding fell to under a day.",
    ],
)
def test_a_result_with_an_outcome_and_a_quantity_is_a_result(said: str) -> None:
    assert part("result", said)


@pytest.mark.parametrize(
    "said",
    [
        "We went up in steps over about three weeks.",  # how long it took, not what changed
        "We had two weeks and five engineers.",
        "In the end it was fine and everyone was happy.",  # no outcome said
        "I think it improved things a lot.",
    ],
)
def test_durations_and_vague_endings_are_not_results(said: str) -> None:
    assert not part("result", said)


def test_an_action_is_several_things_the_teller_did_not_what_they_thought() -> None:
    did = "First I pulled the logs, I then wrote a one-pager and I booked a review with both leads."
    assert part("action", did) == ["i pulled, i wrote, i booked"]
    assert not part("action", "I thought it was risky, I felt stuck and I learned a lot.")
    assert not part("action", "I wrote the doc. Then we waited.")  # one action is not a story


def test_task_situation_and_reflection_frames_in_other_words() -> None:
    assert part("task", "I was on the hook for the billing cutover.")
    assert part("situation", "A few months ago at my previous company the checkout kept failing.")
    assert part("reflection", "Looking back, I would have asked for help sooner.")
    assert not part("reflection", "I learned the codebase in my first week.")


def story_prompt() -> Prompt:
    points = (
        KeyPoint("situation", "Situation: the context", ("at my last company",)),
        KeyPoint("action", "Action: what you did", ("i proposed",)),
        KeyPoint("result", "Result: the outcome, with numbers", ("as a result",)),
        KeyPoint("feedback", "Gave the feedback privately and specifically",
                 ("privately", "specific example")),
    )
    return Prompt("t", "T", "behavioral", "senior", "Tell me about feedback", 30, 120, points)


STORY = ("At my last company our deploys were slow. I measured where the time went, I wrote a "
         "plan and I moved the tests into parallel jobs. Deploys dropped to eight minutes.")


def test_a_well_told_story_about_something_else_covers_no_story_part() -> None:
    cov = check_coverage(STORY, story_prompt())
    assert cov["covered"] == 0, cov["points"]


def test_the_same_story_parts_count_once_the_story_is_about_the_question() -> None:
    on_topic = STORY + " I gave him the feedback privately, with one specific example."
    cov = {p["id"]: p for p in check_coverage(on_topic, story_prompt())["points"]}
    assert all(p["covered"] for p in cov.values()), cov
    assert cov["result"]["hits"] == ["dropped to eight minutes"]
    assert cov["action"]["hits"] == ["i measured, i wrote, i moved, i gave"]


def test_a_library_story_prompt_gives_an_unrelated_story_nothing() -> None:
    prompt = load_library(PROMPTS_DIR).prompts["difficult-feedback"]
    cov = check_coverage(STORY + " Looking back, I should have measured first.", prompt)
    assert cov["covered"] == 0, [p for p in cov["points"] if p["covered"]]
