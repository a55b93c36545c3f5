"""Reasoning markers: found in their spoken forms, and "since 2019" is not a reason."""

from __future__ import annotations

from coach.core.model import Word
from coach.core.reasoning import find_markers, summarize


def words(text: str) -> list[Word]:
    return [Word(t, i * 0.4, i * 0.4 + 0.3) for i, t in enumerate(text.split())]


def names(text: str, skip: frozenset[int] = frozenset()) -> list[str]:
    return [m.text for m in find_markers(words(text), skip)]


def test_markers_in_their_spoken_forms() -> None:
    assert names("I'd use a B-tree because ranges are common.") == ["because"]
    assert names("The trade-off is memory. The tradeoffs are clear. A trade off.") == [
        "trade-off",
        "tradeoffs",
        "trade off",
    ]
    assert names("Batch writes so that the disk is idle, which means lower latency.") == [
        "so that",
        "which means",
    ]
    assert names("Use a queue instead of polling rather than a cron job.") == [
        "instead of",
        "rather than",
    ]
    assert names("It depends on the read ratio. Otherwise, the downside is cost.") == [
        "depends on",
        "otherwise",
        "downside",
    ]
    assert names("That's why we chose it, in order to avoid locks.") == [
        "that's why",
        "in order to",
    ]
    assert names("The benefit is isolation; hence, fewer pages.") == ["the benefit", "hence"]


def test_since_as_a_cause_but_not_as_a_time() -> None:
    assert names("Since the cache is cold, reads are slow.") == ["since"]
    assert names("We have run it since 2019 and since then it grew.") == []


def test_so_that_is_not_so_thats() -> None:
    assert names("So that's the design.") == []


def test_fillers_between_marker_words_are_skipped() -> None:
    ws = words("in um order to scale")
    assert [m.text for m in find_markers(ws, skip={1})] == ["in order to"]


def test_a_what_only_answer_has_no_markers() -> None:
    assert names("We use Redis. We use Kafka. We use Postgres with replicas.") == []


def test_summary_counts_per_minute_and_thirds() -> None:
    ws = words("because a b c d e f g h because i j k l m n o p q because")
    markers = find_markers(ws)
    summary = summarize(markers, ws, speaking_s=30.0)
    assert summary["count"] == 3 and summary["per_min"] == 6.0
    assert summary["thirds"] == [1, 0, 2] or summary["thirds"] == [1, 1, 1]
    assert summary["markers"][0] == {"text": "because", "start": 0.0, "end": 0.3, "word_index": 0}
