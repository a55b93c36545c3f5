"""Repetition: the phrases an answer leans on, beyond stop words and the prompt's own terms."""

from __future__ import annotations

from coach.core.analysis import analyze
from coach.core.model import KeyPoint, Prompt
from tests.support.spoken import transcript_of

PROMPT = Prompt(
    id="cache", title="Caching", pillar="system-design", level="senior",
    question="How would you cache the product page?", prep_seconds=10, answer_seconds=120,
    key_points=(KeyPoint("ttl", "A TTL bounds staleness", ("ttl",)),),
)


def test_crutch_phrases_are_listed_once_with_their_counts() -> None:
    text = (
        "The thing is, basically the cache sits in front. At the end of the day the cache "
        "basically saves reads. The thing is, basically a TTL helps. At the end of the day "
        "the cache is basically simple. The thing is, the cache fails sometimes. "
        "The thing is, at the end of the day it is basically fine. At the end of the day it works."
    )
    rep = {r["text"]: r["count"] for r in analyze(transcript_of(text), prompt=PROMPT).repetition}
    assert rep.get("basically") == 5
    assert rep.get("the thing is") == 4
    assert rep.get("at the end of the day") == 4
    assert "thing is" not in rep and "thing" not in rep  # not listed again inside the phrase
    assert "cache" not in rep  # the prompt's own term


def test_a_varied_answer_leans_on_nothing() -> None:
    text = (
        "I would cache the rendered page at the edge with a short TTL, and invalidate on "
        "price changes through an event. Inventory is read live, because stale stock loses "
        "orders. The hit rate tells me whether the TTL is right."
    )
    assert analyze(transcript_of(text), prompt=PROMPT).repetition == []
