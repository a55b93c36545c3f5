"""Per pillar, answers a user would recognise (strong, facts only, off-topic, hedging, blaming,
rambling over time) get the verdict, gap and flags they expect: text-level, no audio.

Transcripts are built from text at 150 wpm (``tests/support/spoken.py``); the prompts are built
here. ``test_spoken_verdicts`` runs a few of the same kinds through piper and Whisper.
"""

from __future__ import annotations

import pytest

from coach.core.analysis import analyze
from coach.core.model import KeyPoint, Prompt
from coach.core.scheduler import propose_rating
from tests.support.spoken import transcript_of

TWO_SUM = Prompt(
    id="t-two-sum", title="Two sum", pillar="coding", level="senior",
    question="Given an array and a target, return the indices of two numbers that add up to it.",
    prep_seconds=10, answer_seconds=60,
    key_points=(
        KeyPoint("brute", "Brute force checks every pair in O(n squared)",
                 ("every pair", "n squared"), weight=1),
        KeyPoint("map", "One pass with a hash map from value to index",
                 ("hash map", "one pass"), weight=3),
        KeyPoint("check-first", "Check the complement before inserting",
                 ("complement", "before i insert", "before inserting"), weight=2),
        KeyPoint("cost", "Linear time and linear extra space", ("linear", "o of n"), weight=2),
        KeyPoint("sort", "Sorting with two pointers loses the original indices",
                 ("two pointers", "sort"), weight=1),
    ),
)
FEEDBACK = Prompt(
    id="t-feedback", title="Difficult feedback", pillar="behavioral", level="senior",
    question="Tell me about a time you gave difficult feedback.", prep_seconds=10,
    answer_seconds=90,
    key_points=(
        KeyPoint("situation", "The situation and what was at stake",
                 ("on my last team", "at the time"), weight=1),
        KeyPoint("prepare", "Prepared specific examples", ("specific examples", "examples"),
                 weight=2),
        KeyPoint("conversation", "Had the conversation privately and early",
                 ("one on one", "privately"), weight=3),
        KeyPoint("result", "The result, in numbers", ("dropped", "went from", "percent"),
                 weight=2),
    ),
)

CODING = {
    "strong": (
        "The naive way checks every pair, which is n squared, so instead I'd make one pass with "
        "a hash map from value to index. For each number I first look up its complement, the "
        "target minus the number, because checking before inserting stops me pairing a number "
        "with itself. If the complement is there I return both indices, otherwise I insert the "
        "number. That's linear time, since each lookup is constant on average, at the cost of "
        "linear extra space. The alternative is to sort and walk two pointers in from the ends, "
        "but sorting loses the original indices, so I'd pick the hash map."
    ),
    "facts": (
        "A hash map stores keys and values. Lookups in a hash map take constant time on average. "
        "An array has indices starting at zero. The brute force approach uses two loops over "
        "every pair. Its running time is n squared. Sorting an array takes n log n time. Two "
        "pointers start at the two ends of a sorted array. Python has a dictionary type. Java "
        "has a HashMap class. The answer is a pair of indices."
    ),
    "off-topic": (
        "For the longest substring without repeating characters I'd slide a window over the "
        "string, because every character enters and leaves the window once. I keep the last "
        "index of each character, and when a character repeats inside the window I move the "
        "left edge past its previous position, instead of restarting. The trade-off is a little "
        "memory for the index table, which is bounded by the alphabet size."
    ),
    "hedging": (
        "I think maybe a hash map, I guess, would probably help here? I'm not totally sure. "
        "Maybe you'd loop over the array, I think, and probably check something, maybe the "
        "other number. I'm not sure about the complexity, probably linear, I guess. Hopefully "
        "that sort of works, maybe."
    ),
}
BEHAVIORAL = {
    "strong": (
        "On my last team a senior engineer, Sam, kept approving pull requests without tests, "
        "and we had three incidents in a month because of it. I asked him for a one on one "
        "that week, privately, and I brought specific examples, the three incidents and the "
        "reviews behind them. I said what I'd seen and asked how he saw it, and it turned out "
        "he felt pressure from his manager to ship fast. We agreed together on a checklist for "
        "reviews, and I offered to pair with him on the first few. Over the next quarter our "
        "incidents dropped from three a month to one, and Sam later ran the review training "
        "for the team. What I learned is to bring examples and ask questions first."
    ),
    "blaming": (
        "I was stuck with a colleague who just wouldn't write tests. I told him again and again "
        "and he ignored it, he always had some excuse. His manager didn't back me up at all, "
        "and the whole team kept making it hard. I'm not sure what happened in the end, I "
        "moved to another project. It was really frustrating, because everyone else just made "
        "it hard and it was not my job to chase them."
    ),
    "hedging": (
        "I think there was maybe a time when a colleague's code was sort of not great, I guess. "
        "I'm not sure I'd call it difficult. I think I probably mentioned it at some point, "
        "maybe after a review. Hopefully it helped a bit, I'm not totally sure, probably."
    ),
}


def scored(text: str, prompt: Prompt, **kw) -> tuple[dict, set[str]]:
    a = analyze(transcript_of(text, **kw), prompt=prompt)
    return a.score, {f["id"] for f in a.red_flags}


@pytest.mark.parametrize(("kind", "prompt"), [("strong", TWO_SUM), ("strong", FEEDBACK)])
def test_strong_answers_pass_with_no_gap_and_no_flag(kind: str, prompt: Prompt) -> None:
    text = CODING[kind] if prompt is TWO_SUM else BEHAVIORAL[kind]
    score, flags = scored(text, prompt)
    assert score["total"] >= 70 and score["gap"] == "none", score["verdict"]
    assert flags == set()
    assert propose_rating(score) in ("good", "easy")


def test_facts_only_code_answer_is_a_knowledge_gap_with_no_trade_offs() -> None:
    score, flags = scored(CODING["facts"], TWO_SUM)
    assert score["total"] < 50 and score["gap"] == "knowledge"
    assert {"no-trade-offs", "no-decision"} <= flags


def test_an_answer_to_another_coding_question_needs_work_however_well_reasoned() -> None:
    score, _ = scored(CODING["off-topic"], TWO_SUM)
    assert score["delivery"] >= 80 and score["total"] < 50 and score["gap"] == "knowledge"
    assert propose_rating(score) == "again"


@pytest.mark.parametrize(("text", "prompt"), [(CODING["hedging"], TWO_SUM),
                                              (BEHAVIORAL["hedging"], FEEDBACK)])
def test_hedging_is_a_gap_on_both_sides(text: str, prompt: Prompt) -> None:
    score, flags = scored(text, prompt)
    assert score["total"] < 50 and score["gap"] == "both"
    assert flags & {"no-decision", "no-result"}


def test_a_blaming_story_is_flagged_and_both_sides_fail() -> None:
    score, flags = scored(BEHAVIORAL["blaming"], FEEDBACK)
    assert {"blames-others", "no-team", "no-result"} <= flags
    assert score["total"] < 50 and score["gap"] == "both"


def test_the_strong_story_told_twice_as_long_with_fillers_is_a_communication_gap() -> None:
    filler = ", basically, you know, the thing is,"
    rambling = " ".join(
        f"{sentence.strip()}{filler} at the end of the day." for sentence in
        (BEHAVIORAL["strong"] + " " + BEHAVIORAL["strong"]).split(".") if sentence.strip()
    )
    score, _ = scored(rambling, FEEDBACK)
    assert score["content"] >= 70 and score["delivery"] < 80
    assert score["gap"] == "communication" and 50 <= score["total"] < 70
