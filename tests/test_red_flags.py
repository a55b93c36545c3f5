"""Red flags: each found from the words, with evidence a user can hear; none on strong answers."""

from __future__ import annotations

from coach.core.analysis import analyze
from coach.core.model import KeyPoint, Prompt
from tests.support.spoken import transcript_of


def prompt(pillar: str = "system-design", level: str = "senior") -> Prompt:
    return Prompt(
        id=f"t-{pillar}", title="Index choice", pillar=pillar, level=level,
        question="Would you use a B-tree or a hash index for user events?",
        prep_seconds=10, answer_seconds=120,
        key_points=(KeyPoint("range", "Ranges need sorted keys", ("range",)),),
    )


STRONG = (
    "I'd start from the queries, because the index follows them. Most queries ask for one "
    "user's events in a time range, newest first. A hash index only answers exact equality, "
    "so it can't do a range or return rows in order. A B-tree keeps keys sorted, which means "
    "a range is one descent and a short scan. So I'd build a B-tree on user ID then timestamp. "
    "The trade-off is write cost, since every index slows inserts. Where would a hash index "
    "win instead? Pure point lookups by event ID, and even there the gain is small."
)
FACTS = (
    "A B-tree index is a balanced tree that stores keys in sorted order. Each node holds many "
    "keys. A B-tree supports equality lookups, range queries and sorting. Lookups take log n "
    "time. A hash index applies a hash function to the key. A hash index supports equality "
    "comparisons. Lookups take constant time on average. Postgres and MySQL use B-tree indexes "
    "by default. A composite index is an index on more than one column."
)
HEDGING = (
    "I think maybe a B-tree, I guess, is probably fine? I'm not totally sure, it kind of "
    "depends. Maybe a hash index could work too, I think, probably for lookups. I'm not sure "
    "about ranges, maybe they matter, I guess. Hopefully either one would be okay, probably."
)
BLAMING = (
    "I was put in charge of moving us off the old queue. I designed the whole thing and I wrote "
    "the plan, and the plan was solid. The problem was that the other teams just wouldn't do "
    "their part. I sent the guide and they ignored it, they always had some excuse. The "
    "payments team dragged their feet for months and then tried to pin the outage on my "
    "design. Management didn't back me up at all. I'm not sure what happened in the end, I "
    "had changed teams by then. Everyone else just made it hard."
)
STORY = (
    "At my last company we were running a queue that was reaching its limits, and I led the "
    "move to Kafka with two other teams. We agreed on dual writes first, so we could compare "
    "both paths, and I wrote a design doc that the team leads reviewed together. The payments "
    "team worried about ordering, so we paired with them on a test, and it convinced them. We "
    "shipped in three months, and consumer lag dropped from minutes to under a second. What I "
    "learned is to bring the riskiest team in first."
)


def flags(text: str, p: Prompt) -> dict[str, list[dict]]:
    a = analyze(transcript_of(text), prompt=p)
    return {f["id"]: f["evidence"] for f in a.red_flags}


def test_a_strong_technical_answer_raises_no_flag() -> None:
    assert flags(STRONG, prompt()) == {}


def test_facts_without_reasons_have_no_trade_offs_and_no_decision() -> None:
    found = flags(FACTS, prompt())
    assert {"no-trade-offs", "no-decision"} <= set(found)
    first = found["no-trade-offs"][0]
    assert first["text"].startswith("A B-tree index is a balanced tree")
    assert first["start"] == transcript_of(FACTS).words[0].start


def test_a_hedging_answer_takes_no_decision_and_names_no_firm_alternative() -> None:
    found = flags(HEDGING, prompt())
    assert {"no-decision", "one-solution"} <= set(found)
    assert any("I think" in e["text"] or "maybe" in e["text"] for e in found["no-decision"])


def test_a_blaming_story_is_flagged_with_the_words_that_blame() -> None:
    found = flags(BLAMING, prompt("behavioral", "staff"))
    assert {"blames-others", "no-team", "no-result", "no-influence"} <= set(found)
    said = " ".join(e["text"] for e in found["blames-others"])
    assert "ignored" in said or "excuse" in said or "dragged their feet" in said
    words = transcript_of(BLAMING).words
    starts = {w.start for w in words}
    assert all(e["start"] in starts for e in found["blames-others"])


def test_a_good_story_raises_no_flag_and_influence_is_only_asked_of_staff() -> None:
    assert flags(STORY, prompt("behavioral", "staff")) == {}
    senior = analyze(transcript_of(BLAMING), prompt=prompt("behavioral", "senior"))
    assert "no-influence" not in {f["id"] for f in senior.red_flags}


def test_technical_prompts_never_raise_story_flags_and_free_answers_none() -> None:
    assert not set(flags(BLAMING, prompt())) & {"no-team", "blames-others", "no-result"}
    assert analyze(transcript_of(FACTS)).red_flags == []


def test_flags_have_the_documented_shape() -> None:
    a = analyze(transcript_of(FACTS), prompt=prompt())
    for flag in a.red_flags:
        assert set(flag) == {"id", "text", "evidence"} and flag["text"]
        assert flag["evidence"] and all(set(e) == {"text", "start"} for e in flag["evidence"])
