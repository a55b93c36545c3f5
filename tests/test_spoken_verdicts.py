"""Spoken answers (piper speech, the real Whisper model) get the scores, gap and flags a user
would expect, in each pillar (system design, coding, behavioral): a strong answer passes, facts
without a reason or a choice and a fluent answer to another question do not, hedging and
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
TWO_SUM = Prompt(
    id="t-two-sum", title="Two sum: hash map or sort?", pillar="coding", level="senior",
    question="Given an array of integers and a target, return the indices of two numbers that "
    "add up to the target. Which approach would you take, and why?",
    prep_seconds=10, answer_seconds=60,
    vocabulary=("hash map", "two pointers", "complement"),
    key_points=(
        KeyPoint("brute", "The brute force checks every pair in O(n squared)",
                 ("every pair", "brute force", "n squared")),
        KeyPoint("hash", "One pass with a hash map, looking up each number's complement",
                 ("complement", "target minus", "already seen"), weight=3),
        KeyPoint("sort", "Sorting and two pointers, which loses the original indices",
                 ("two pointers", "sort the array"), weight=2),
        KeyPoint("cost", "Time and memory of each", ("linear time", "extra memory", "n log n"),
                 weight=2),
        KeyPoint("choice", "Chooses by the constraints", ("memory is tight", "already sorted",
                                                         "the indices")),
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

STRONG_CODE = [
    "The brute force checks every pair, which is n squared, so it's only a baseline.", 0.4,
    "Instead I'd make one pass with a hash map from each value to its index.", 0.4,
    "For each number I look up its complement, the target minus the number, among the values "
    "I've already seen, and if it's there I return both indices.", 0.4,
    "That's linear time, because each lookup is constant on average, and the cost is extra "
    "memory for the map.", 0.4,
    "The alternative is to sort the array and move two pointers in from both ends, which needs "
    "no map, but the sort is n log n and it loses the original indices.", 0.4,
    "So I'd pick the hash map, and I'd switch to two pointers only if memory is tight or the "
    "input is already sorted.",
]
FACTS_CODE = [
    "Two sum takes an array of integers and a target.", 0.4,
    "A hash map stores keys and values.", 0.4,
    "A lookup in a hash map takes constant time on average.", 0.4,
    "The numbers in the array can be negative.", 0.4,
    "The answer is a pair of indices.", 0.4,
    "Each element can be used once, and the input has exactly one solution.",
]
OFF_TOPIC_CODE = [
    "To find the k most frequent words, I'd first count them with a hash map from word to "
    "count, in one pass.", 0.4,
    "Then I keep a min-heap of size k, because the smallest of the top k sits at the root and "
    "can be evicted in log k.", 0.4,
    "That gives n log k time, which beats sorting all the counts when k is small.", 0.4,
    "The trade-off is memory for the counts, since every distinct word has an entry.", 0.4,
    "For a stream, I'd update the counts and the heap as the words arrive, instead of "
    "counting again.",
]
HEDGING_CODE = [
    "I think maybe a hash map, I guess? It's probably faster, I'm not totally sure.", 0.4,
    "Maybe sorting works too, I think, it kind of depends.", 0.4,
    "I guess either one is probably fine, hopefully.", 0.4,
    "I'm not really sure which one I would pick, maybe the first one, I think.",
]
RAMBLING_CODE = [
    "Okay, so, basically, the thing is, the brute force checks every pair, you know, which is "
    "basically n squared, so, like, it's basically too slow.", 0.5,
    "So, basically, the thing is, I'd make one pass with a hash map, you know, and for each "
    "number I basically look up its complement, like, the target minus the number.", 0.5,
    "And, basically, the thing is, that's linear time, you know, because, like, each lookup is "
    "basically constant, and the cost is basically extra memory.", 0.5,
    "And the alternative, basically, is to sort the array and use two pointers, you know, but "
    "the sort is basically n log n, and, like, it basically loses the indices.", 0.5,
    "So, basically, at the end of the day, the thing is, I'd pick the hash map, you know, "
    "basically, unless memory is tight, basically, that's the thing.",
]
STRONG_STORY = [
    "Last year I led the move of our twelve services off a self-hosted message queue, because "
    "it lost messages during every failover.", 0.4,
    "My task was to get every team across in one quarter without an outage.", 0.4,
    "We planned it step by step: each service did a dual write to both queues for two weeks, "
    "with a rollback switch, so we could compare the two before cutting over.", 0.4,
    "I met each team's lead, wrote the migration guide with them, and paired with the two "
    "teams that were short of people, because a guide alone doesn't move a busy team.", 0.4,
    "We finished a week early, and lost messages went from about forty a month to zero.", 0.4,
    "Looking back, I'd bring the on-call engineers in earlier, since they found the edge "
    "cases.",
]
FACTS_INDEX = [
    "A B-tree is a balanced tree of pages.", 0.4,
    "A hash index maps each key to a bucket.", 0.4,
    "Postgres builds a B-tree by default.", 0.4,
    "The events table has a user ID, an event type and a timestamp.", 0.4,
    "Indexes are stored on disk, next to the table.", 0.4,
    "A B-tree is usually three or four levels deep.",
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


def over_time(prompt: Prompt, seconds: int) -> Prompt:
    return Prompt(**{**prompt.to_dict(), "answer_seconds": seconds,
                     "key_points": prompt.key_points})


@pytest.mark.parametrize("name, parts, prompt", [
    ("strong", STRONG, INDEX), ("strong-code", STRONG_CODE, TWO_SUM),
    ("strong-story", STRONG_STORY, MIGRATION),
], ids=["system-design", "coding", "behavioral"])
def test_a_strong_spoken_answer_passes_with_no_gap_and_no_flag(heard, name, parts, prompt) -> None:
    a = heard(name, parts, prompt)
    assert a.score["total"] >= 85 and a.score["content"] >= 80, a.score["verdict"]
    assert a.score["gap"] == "none" and flag_ids(a) == set()
    assert propose_rating(a.score) in ("good", "easy")


@pytest.mark.parametrize("name, parts, prompt", [
    ("facts-index", FACTS_INDEX, INDEX), ("facts-code", FACTS_CODE, TWO_SUM),
], ids=["system-design", "coding"])
def test_facts_without_a_reason_or_a_choice_need_work(heard, name, parts, prompt) -> None:
    a = heard(name, parts, prompt)
    assert a.score["delivery"] >= 80  # said clearly ...
    assert a.score["total"] < 50 and a.score["gap"] == "knowledge"  # ... and nothing decided
    assert {"no-decision", "one-solution"} <= flag_ids(a)
    assert propose_rating(a.score) == "again"


@pytest.mark.parametrize("name, parts, prompt", [
    ("off-topic", OFF_TOPIC, INDEX), ("off-topic-code", OFF_TOPIC_CODE, TWO_SUM),
], ids=["system-design", "coding"])
def test_a_fluent_answer_to_another_question_needs_work_and_comes_back_tomorrow(
    heard, name, parts, prompt
) -> None:
    a = heard(name, parts, prompt)
    assert a.score["delivery"] >= 80  # it sounds fine ...
    assert a.score["total"] < 50 and a.score["verdict"].startswith("Needs work")  # ... it isn't
    assert a.score["gap"] == "knowledge"
    assert propose_rating(a.score) == "again"


@pytest.mark.parametrize("name, parts, prompt", [
    ("hedging", HEDGING, INDEX), ("hedging-code", HEDGING_CODE, TWO_SUM),
], ids=["system-design", "coding"])
def test_a_hedging_non_answer_is_a_gap_on_both_sides(heard, name, parts, prompt) -> None:
    a = heard(name, parts, prompt)
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


@pytest.mark.parametrize("name, parts, prompt", [
    ("rambling", RAMBLING, over_time(INDEX, 35)),
    ("rambling-code", RAMBLING_CODE, over_time(TWO_SUM, 30)),
], ids=["system-design", "coding"])
def test_rambling_past_the_time_box_is_a_communication_gap(heard, name, parts, prompt) -> None:
    a = heard(name, parts, prompt)
    assert a.extra["pace"]["over_by_s"] > 10
    assert a.score["content"] >= 70 and a.score["delivery"] < 80
    assert a.score["gap"] == "communication" and 50 <= a.score["total"] < 70
    leaned = {r["text"]: r["count"] for r in a.repetition}
    assert leaned.get("basically", 0) >= 8
