"""Hedging: counted per minute, highlighted, never counted twice with a filler."""

from __future__ import annotations

from coach.core.analysis import analyze
from tests.support.spoken import transcript_of


def test_hedges_are_found_with_their_time_and_rate() -> None:
    t = transcript_of(
        "I think a B-tree is probably right here. Maybe a hash index, I guess, for the hot "
        "path. I'm not totally sure about writes. Hopefully the cache absorbs them."
    )
    a = analyze(t)
    texts = [h["text"] for h in a.hedges["items"]]
    assert texts == ["i think", "probably", "maybe", "i guess", "i'm not totally sure",
                     "hopefully"]
    first = next(w for w in t.words if w.text == "I")
    assert a.hedges["items"][0]["start"] == first.start
    minutes = a.extra["pace"]["talking_s"] / 60
    assert a.hedges["count"] == 6 and a.hedges["per_min"] == round(6 / minutes, 2)
    hedged_words = [w["text"] for w in a.words if w["hedge"]]
    assert hedged_words[:2] == ["I", "think"] and "sure" in hedged_words


def test_sort_of_counted_once_as_filler_or_as_hedge() -> None:
    a = analyze(transcript_of("It's sort of slow when the table grows large every single day."))
    filler = [f.text for f in a.fillers]
    hedges = [h["text"] for h in a.hedges["items"]]
    assert (filler.count("sort of") + hedges.count("sort of")) == 1


def test_a_plain_answer_has_no_hedges() -> None:
    a = analyze(transcript_of(
        "A B-tree keeps keys sorted, so a range scan is one descent and a walk along the "
        "leaves. A hash index answers equality only. I would pick the B-tree."
    ))
    assert a.hedges == {"count": 0, "per_min": 0.0, "items": []}
