"""Hedging: the words that make an answer sound unsure ("I think", "maybe", "I guess").

Interviewers hear "I think it's probably a B-tree, maybe" as a candidate who will not commit;
a few are natural, a stream of them is the weak language speech coaches train out. Hedges are
matched on the answer with its fillers removed (the same term stream the coverage matcher uses),
so a "sort of" the filler detector already counted is never counted again here, and "I'm not,
um, sure" still counts once.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from typing import Any

from coach.core.coverage import Phrase, Stream, answer_terms
from coach.core.fillers import normalize
from coach.core.model import Word

# (spelling, words allowed between its words): "I'm not totally sure" is "I'm not sure".
HEDGES: tuple[tuple[str, int], ...] = (
    ("i'm not sure", 1),
    ("i am not sure", 1),
    ("not sure", 0),
    ("i think", 0),
    ("i guess", 0),
    ("maybe", 0),
    ("probably", 0),
    ("hopefully", 0),
    ("sort of", 0),
)
_PHRASES = [(Phrase.of(text), gap) for text, gap in HEDGES]  # longest first (as written)


def find_hedges(
    words: Sequence[Word], skip: Set[int] = frozenset(), stream: Stream | None = None
) -> list[dict[str, Any]]:
    """Every hedge in time order as ``{text, start, word_index}``; words in ``skip`` (fillers)
    are neither part of a hedge nor counted as one."""
    stream = stream or Stream(answer_terms(words, skip))
    terms = stream.terms
    taken: set[int] = set()
    found = []
    for phrase, gap in _PHRASES:
        for first, last in stream.find(phrase, max_gap=gap):
            w0, w1 = terms[first].word_index, terms[last].word_index
            if any(k in taken for k in range(w0, w1 + 1)):
                continue
            taken.update(range(w0, w1 + 1))
            text = " ".join(normalize(words[k].text) for k in range(w0, w1 + 1) if k not in skip)
            found.append({"text": text, "start": round(words[w0].start, 3), "word_index": w0,
                          "last_index": w1})
    return sorted(found, key=lambda h: (h["start"], h["word_index"]))


def summarize(hedges: Sequence[dict[str, Any]], talking_s: float) -> dict[str, Any]:
    """The ``hedges`` JSON: count, per minute of talking, and each hedge's text and time."""
    minutes = talking_s / 60.0
    return {
        "count": len(hedges),
        "per_min": round(len(hedges) / minutes, 2) if minutes > 0 else 0.0,
        "items": [{"text": h["text"], "start": h["start"]} for h in hedges],
    }
