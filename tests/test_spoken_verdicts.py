"""Spoken answers (piper speech, the real Whisper model) get the scores, gap and flags a user
would expect: a strong answer passes, a fluent answer to another question does not, hedging and
blaming are caught, and rambling past the time box is a communication gap.

Each clip costs seconds of transcription on two cores, so there are few of them; the many other
cases are text-level tests (``test_scoring``, ``test_red_flags``, ``test_verdict_figures``). The
prompts are built here, so other work on the built-in prompts cannot move these results.
"""

from __future__ import annotations

import pytest

from coach.core.analysis import analyze
from coach.core.model import Analysis, KeyPoint, Prompt
from coach.core.scheduler import propose_rating

pytestmark = pytest.mark.slow

INDEX = Prompt(
    id="t-index", title="B-tree or hash index?", pillar="system-design", level="senior",
    question="You're indexing a table of user events. B-tree or hash index, and why?",
    prep_seconds=10, answer_seconds=60,
    vocabulary=("B-tree", "hash index", "range scan"),
    key_points=(
        KeyPoint("queries", "Start from the queries", ("the queries", "access pattern"),
                 why="the index follows the queries", weight=3),
        KeyPoint("range", "B-trees keep keys sorted for range scans",
                 ("range", "sorted", "in order"), weight=3),
        KeyPoint("hash", "Hash indexes answer equality only", ("equality", "exact")),
        KeyPoint("writes", "Every index costs writes", ("write", "insert")),
        KeyPoint("choice", "Chooses a B-tree", ("i'd pick", "i would pick", "i'd choose")),
    ),
)
MIGRATION = Prompt(
    id="t-migration", title="A migration you led", pillar="behavioral", level="staff",
    question="Tell me about a large migration you led.", prep_seconds=10, answer_seconds=90,
    key_points=(
        KeyPoint("plan", "An incremental plan", ("dual write", "step by step", "rollback")),
        KeyPoint("people", "Brought the teams along", ("the teams", "each team")),
        KeyPoint("result", "A measured result", ("percent", "dropped", "went from")),
    ),
)

STRONG = [
    "I'd start from the queries, because the index follows them.", 0.4,
    "Most queries here ask for one user's events in a time range, newest first.", 0.4,
    "A hash index only answers exact equality, so it can't serve a range or return rows in "
    "order.", 0.4,
    "A B-tree keeps the keys sorted, which means a range is one descent and a short scan.", 0.4,
    "So I'd pick a B-tree on user ID and then the timestamp.", 0.4,
    "The trade-off is write cost, since every index slows inserts a little.", 0.4,
    "A hash index would win only for pure lookups by event ID, instead of ranges.",
]
OFF_TOPIC = [
    "For a URL shortener I would generate a short code with a counter and base sixty two "
    "encoding, because random codes collide.", 0.4,
    "Reads dominate, so I'd put a cache in front of the database, and serve redirects from "
    "the edge.", 0.4,
    "The trade-off is that a counter is a single point of failure, so I'd hand out blocks of "
    "ids to each server instead.", 0.4,
    "Analytics go to a queue, rather than the redirect path, so clicks never slow it down.",
]
HEDGING = [
    "I think maybe a B-tree, I guess, is probably fine here?", 0.4,
    "I'm not totally sure, it kind of depends, maybe a hash index works too, I think.", 0.4,
    "Probably for lookups, maybe, I guess it's hard to say.", 0.4,
    "I'm not sure about the ranges, maybe they matter, probably not. Hopefully either one is "
    "okay.",
]
BLAMING = [
    "I was put in charge of moving the company off the old message queue.", 0.4,
    "I designed the whole thing myself and I wrote the plan, and the plan was solid.", 0.4,
    "The problem was that the other teams just wouldn't do their part.", 0.4,
    "I sent out the guide and they ignored it, they always had some excuse.", 0.4,
    "The payments team dragged their feet for months, and then tried to blame the outage on "
    "my design.", 0.4,
    "Management didn't back me up at all. I'm not sure how it ended, I changed teams by then.",
]
RAMBLING = [
    "Okay, so, basically, the thing is, I'd start from the queries, because, like, the index "
    "basically follows the queries, you know.", 0.5,
    "And the thing is, basically, a hash index only does exact equality, so, like, basically "
    "it can't do a range, you know, at all.", 0.5,
    "So, basically, the thing is, a B-tree keeps the keys sorted, which means, like, a range "
    "is basically one descent, you know, and a short scan.", 0.5,
    "And, basically, the thing is, I'd pick a B-tree, basically, on the user ID and the "
    "timestamp, because, like, that's basically the query.", 0.5,
    "And the trade-off, basically, is the write cost, you know, since, like, every index "
    "basically slows the inserts, at the end of the day.", 0.5,
    "So, basically, at the end of the day, the thing is, a hash index would basically win "
    "only for lookups by ID, you know, instead of ranges.", 0.5,
    "So yeah, basically, at the end of the day, it's basically a B-tree, you know, like, for "
    "the ranges, basically, that's the thing.",
]


@pytest.fixture(scope="module")
def heard(speak, transcriber):
    """``heard(name, parts, prompt)`` -> the Analysis of that answer spoken and transcribed."""
    cache: dict[str, Analysis] = {}

    def _heard(name: str, parts: list, prompt: Prompt) -> Analysis:
        if name not in cache:
            path = speak(f"verdict-{name}", parts)
            transcript = transcriber.transcribe_file(path, vocabulary=prompt.vocabulary)
            cache[name] = analyze(transcript, prompt=prompt)
        return cache[name]

    return _heard


def flag_ids(analysis: Analysis) -> set[str]:
    return {f["id"] for f in analysis.red_flags}


def test_a_strong_spoken_answer_passes_with_no_gap_and_no_flag(heard) -> None:
    a = heard("strong", STRONG, INDEX)
    assert a.score["total"] >= 70 and a.score["content"] >= 80, a.score["verdict"]
    assert a.score["gap"] == "none" and flag_ids(a) == set()
    assert propose_rating(a.score) in ("good", "easy")


def test_a_fluent_answer_to_another_question_needs_work_and_comes_back_tomorrow(heard) -> None:
    a = heard("off-topic", OFF_TOPIC, INDEX)
    assert a.score["delivery"] >= 80  # it sounds fine ...
    assert a.score["total"] < 50 and a.score["verdict"].startswith("Needs work")  # ... it isn't
    assert a.score["gap"] == "knowledge"
    assert propose_rating(a.score) == "again"


def test_a_hedging_non_answer_is_a_gap_on_both_sides(heard) -> None:
    a = heard("hedging", HEDGING, INDEX)
    assert a.hedges["count"] >= 10 and a.hedges["per_min"] > 6
    assert a.score["total"] < 50 and a.score["gap"] == "both"
    assert "no-decision" in flag_ids(a)
    assert any(w.get("hedge") for w in a.words)


def test_a_blaming_story_is_flagged_with_evidence_from_the_recording(heard) -> None:
    a = heard("blaming", BLAMING, MIGRATION)
    flags = {f["id"]: f for f in a.red_flags}
    assert {"blames-others", "no-team", "no-result", "no-influence"} <= set(flags)
    evidence = flags["blames-others"]["evidence"][0]
    assert 0 < evidence["start"] < a.duration_s and evidence["text"]
    assert a.score["total"] < 50 and a.score["gap"] == "both"


def test_rambling_past_the_time_box_is_a_communication_gap(heard) -> None:
    a = heard("rambling", RAMBLING, Prompt(**{**INDEX.to_dict(), "answer_seconds": 35,
                                             "key_points": INDEX.key_points}))
    assert a.extra["pace"]["over_by_s"] > 10
    assert a.score["content"] >= 70 and a.score["delivery"] < 80
    assert a.score["gap"] == "communication" and 50 <= a.score["total"] < 70
    leaned = {r["text"]: r["count"] for r in a.repetition}
    assert leaned.get("basically", 0) >= 8
